package dev.starling.http.internal;

import dev.starling.http.Headers;
import dev.starling.http.Version;

/**
 * A validated request line and header section (RFC 9112 §2.1), with the framing and connection
 * facts the exchange needs already derived from the fields.
 *
 * @param method         the method token
 * @param target         the parsed request-target
 * @param version        the protocol version
 * @param headers        the header fields, in order
 * @param contentLength  the body length from {@code Content-Length}, 0 when there is no body,
 *                       or -1 when the body is chunked
 * @param keepAlive      whether the client allows the connection to persist after this exchange
 *                       (RFC 9112 §9.3)
 * @param expectContinue whether the client waits for {@code 100 Continue} before sending the body
 * @param requestId      the first {@code X-Request-Id} value when it is {@link RequestIds#isValid valid},
 *                       else {@code null}
 */
record RequestHead(String method, RequestTarget target, Version version, Headers headers,
                   long contentLength, boolean keepAlive, boolean expectContinue, String requestId) {

    /** The request line, e.g. {@code GET /path?q HTTP/1.1}, for operators (scoreboard, logs). */
    @Override
    public String toString() {
        return method + " " + target.raw() + " " + version.text();
    }

    boolean chunked() {
        return contentLength < 0;
    }

    boolean isHead() {
        return "HEAD".equals(method);
    }
}
