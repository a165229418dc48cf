package dev.starling.http;

import dev.starling.http.internal.RequestTarget;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as a handler sees it. The request line and header fields have been
 * validated (RFC 9112) before a handler is called; the body arrives as a stream.
 *
 * <p><b>The body</b> is streamed from the connection as the handler reads it: already
 * de-chunked, bounded by {@code Content-Length} or the last chunk, and by the server's
 * {@code --max-body-size}. A read that exceeds that limit, meets malformed chunked framing or
 * times out throws an {@link IOException}; if the handler lets it propagate, the client gets
 * {@code 413}, {@code 400} or {@code 408}. The stream is valid only during the exchange, must be
 * read by the handler's own thread, and need not be closed; what the handler leaves unread is
 * discarded by the server. A request without a body has an empty stream.
 *
 * @param method        the method token, case-sensitive, e.g. {@code "GET"}
 * @param target        the request-target exactly as received, e.g. {@code "/a%20b?x=1"}
 * @param path          the percent-decoded, normalized path, e.g. {@code "/a b"}: it never
 *                      climbs above {@code /}; {@code %2F} and {@code \} count as {@code /}
 * @param query         the decoded query parameters, in order, repeated names kept
 * @param headers       the header fields, in order, names matched case-insensitively
 * @param version       the protocol version of the request
 * @param remoteAddress the peer's address, or {@code null} when unknown (a request built in a test)
 * @param localAddress  the address the connection was accepted on, or {@code null} when unknown
 * @param requestId     this request's id, never {@code null}: the client's {@code X-Request-Id}
 *                      when it sent one of 1 to 128 letters, digits and {@code -_.:+/=@} (so it is
 *                      safe to log), otherwise one the server made, unique within the server
 *                      across its workers and restarts. The server echoes it as the response's
 *                      {@code X-Request-Id} unless the handler sets that field, and writes it in
 *                      the access log line and in the log line of a handler failure; pass it on
 *                      to the services a handler calls to follow the request through them.
 * @param pathParameters the values a {@link Router} took from the path for its template's
 *                      {@code {name}} segments, decoded, in template order; empty unless a
 *                      router matched
 * @param body          the body, streamed; never {@code null}
 */
public record Request(String method, String target, String path, QueryParameters query, Headers headers,
                      Version version, SocketAddress remoteAddress, SocketAddress localAddress, String requestId,
                      Map<String, String> pathParameters, InputStream body) {

    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(pathParameters, "pathParameters");
        pathParameters = pathParameters.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(pathParameters));
        Objects.requireNonNull(body, "body");
    }

    /**
     * A request with no header fields, an empty body and the request id {@code "test"}, parsed
     * from {@code method} and {@code target} exactly as the server would; meant for testing handlers.
     *
     * @throws IllegalArgumentException when the server would answer {@code target} 400
     */
    public static Request of(String method, String target) {
        RequestTarget parsed = RequestTarget.parse(target, method);
        return new Request(method, target, parsed.path(), parsed.query(), Headers.EMPTY, Version.HTTP_1_1,
                null, null, "test", Map.of(),
                InputStream.nullInputStream());
    }

    /** This request with {@code headers} instead of its own. */
    public Request withHeaders(Headers headers) {
        return new Request(method, target, path, query, headers, version, remoteAddress, localAddress, requestId,
                pathParameters, body);
    }

    /** This request with {@code body} as its body. */
    public Request withBody(byte[] body) {
        return new Request(method, target, path, query, headers, version, remoteAddress, localAddress, requestId,
                pathParameters, new ByteArrayInputStream(body.clone()));
    }

    /** This request with {@code pathParameters} instead of its own; a {@link Router} calls it. */
    public Request withPathParameters(Map<String, String> pathParameters) {
        return new Request(method, target, path, query, headers, version, remoteAddress, localAddress, requestId,
                pathParameters, body);
    }

    /**
     * The path parameter {@code name}, taken from the path by the {@link Router} route that
     * matched, e.g. {@code "42"} for template {@code /users/{id}} and path {@code /users/42}.
     *
     * @throws IllegalArgumentException when the matched template has no {@code {name}}: a
     *         programming error, which the server answers {@code 500}
     */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no path parameter '" + name + "'; the route's template has "
                    + pathParameters.keySet());
        }
        return value;
    }

    /** The value of the first header field named {@code name} (case-insensitive), if any. */
    public Optional<String> header(String name) {
        return headers.first(name);
    }

    /**
     * Reads the rest of the body into memory. The server's {@code --max-body-size} bounds it.
     *
     * @throws IOException when reading fails; see the class documentation
     */
    public byte[] bytes() throws IOException {
        return body.readAllBytes();
    }

    /**
     * Reads the rest of the body as UTF-8 text, replacing malformed sequences with U+FFFD.
     *
     * @throws IOException when reading fails; see the class documentation
     */
    public String text() throws IOException {
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
