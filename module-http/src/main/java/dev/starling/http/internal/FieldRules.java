package dev.starling.http.internal;

import dev.starling.http.Headers;
import dev.starling.http.Status;
import dev.starling.http.Version;

/**
 * The header fields that decide how a request is framed and whether its connection persists,
 * checked as RFC 9112 requires while the fields are parsed: Host (§3.2), Content-Length (§6.2,
 * RFC 9110 §8.6), Transfer-Encoding (§6.1), Connection (§9.3) and Expect (RFC 9110 §10.1.1);
 * and notes the {@code X-Request-Id} on the way, so finding it costs no second scan.
 * One instance per parser, {@link #reset} before each request head.
 */
final class FieldRules {

    private final long maxBodySize;
    private int hosts;
    private String host;
    private long contentLength = -1;
    private StringBuilder transferEncoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private String expect;
    private String requestId;

    FieldRules(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    /** Forgets the fields of the previous head. */
    FieldRules reset() {
        hosts = 0;
        host = null;
        contentLength = -1;
        transferEncoding = null;
        connectionClose = false;
        connectionKeepAlive = false;
        expect = null;
        requestId = null;
        return this;
    }

    /** Notes one field; rejects at once what is invalid on its own. */
    void accept(String name, String value) throws RequestRejected {
        switch (name.length()) {
            case 4 -> {
                if (Ascii.equalsIgnoreCase(name, "Host")) {
                    hosts++;
                    host = value;
                }
            }
            case 6 -> {
                if (Ascii.equalsIgnoreCase(name, "Expect")) {
                    expect = expect == null ? value : expect + "," + value;
                }
            }
            case 10 -> {
                if (Ascii.equalsIgnoreCase(name, "Connection")) {
                    connectionClose |= Ascii.listContains(value, "close");
                    connectionKeepAlive |= Ascii.listContains(value, "keep-alive");
                }
            }
            case 12 -> {
                if (requestId == null && Ascii.equalsIgnoreCase(name, "X-Request-Id") && RequestIds.isValid(value)) {
                    requestId = value;
                }
            }
            case 14 -> {
                if (Ascii.equalsIgnoreCase(name, "Content-Length")) {
                    acceptContentLength(value);
                }
            }
            case 17 -> {
                if (Ascii.equalsIgnoreCase(name, "Transfer-Encoding")) {
                    if (transferEncoding == null) {
                        transferEncoding = new StringBuilder(value);
                    } else {
                        transferEncoding.append(',').append(value); // RFC 9110 §5.3: repeated lines form one list
                    }
                }
            }
            default -> {
                // Other fields do not affect framing.
            }
        }
    }

    /**
     * Checks the fields together and derives the head.
     *
     * @throws RequestRejected 400 for a missing or repeated Host, both Content-Length and
     *         Transfer-Encoding, Transfer-Encoding in HTTP/1.0 or without chunked last; 501 for
     *         another transfer coding; 413 for a Content-Length over the limit; 417 for an
     *         expectation other than 100-continue
     */
    RequestHead finish(String method, RequestTarget target, Version version, Headers headers) throws RequestRejected {
        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one.
        if (hosts == 0 && version == Version.HTTP_1_1) {
            throw RequestRejected.badRequest("HTTP/1.1 request without a Host header field (RFC 9112 §3.2)");
        }
        if (hosts > 1) {
            throw RequestRejected.badRequest("more than one Host header field (RFC 9112 §3.2)");
        }
        if (host != null && !isValidHost(host)) {
            throw RequestRejected.badRequest("invalid Host header field value (RFC 9112 §3.2, RFC 3986 §3.2.2)");
        }
        long length = contentLength < 0 ? 0 : contentLength;
        if (transferEncoding != null) {
            if (contentLength >= 0) {
                // RFC 9112 §6.1: such a message may be an attempt at request smuggling; we reject rather than guess.
                throw RequestRejected.badRequest("both Content-Length and Transfer-Encoding (RFC 9112 §6.1)");
            }
            if (version == Version.HTTP_1_0) {
                // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing is faulty.
                throw RequestRejected.badRequest("Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)");
            }
            checkTransferCodings(transferEncoding.toString());
            length = -1;
        }
        if (length > maxBodySize) {
            throw new RequestRejected(Status.CONTENT_TOO_LARGE,
                    "request content exceeds " + maxBodySize + " bytes (--max-body-size)");
        }
        boolean expectContinue = false;
        if (expect != null && version == Version.HTTP_1_1) { // RFC 9110 §10.1.1: HTTP/1.0 expectations are ignored
            if (!expect.trim().equalsIgnoreCase("100-continue")) {
                throw new RequestRejected(Status.EXPECTATION_FAILED, "the only expectation supported is 100-continue (RFC 9110 §10.1.1)");
            }
            expectContinue = length != 0;
        }
        // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
        boolean keepAlive = !connectionClose && (version == Version.HTTP_1_1 || connectionKeepAlive);
        return new RequestHead(method, target, version, headers, length, keepAlive, expectContinue, requestId);
    }

    /** Content-Length = 1*DIGIT; a list of identical values counts as one (RFC 9110 §8.6). */
    private void acceptContentLength(String value) throws RequestRejected {
        int i = 0;
        int n = value.length();
        do {
            while (i < n && Ascii.isOws(value.charAt(i))) {
                i++;
            }
            int start = i;
            long parsed = 0;
            while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                if (parsed > (Long.MAX_VALUE - 9) / 10) {
                    throw RequestRejected.badRequest("Content-Length is too large to represent (RFC 9110 §8.6)");
                }
                parsed = parsed * 10 + (value.charAt(i++) - '0');
            }
            if (i == start) {
                throw RequestRejected.badRequest("Content-Length is not a non-negative decimal integer (RFC 9110 §8.6)");
            }
            while (i < n && Ascii.isOws(value.charAt(i))) {
                i++;
            }
            if (i < n && value.charAt(i) != ',') {
                throw RequestRejected.badRequest("Content-Length is not a non-negative decimal integer (RFC 9110 §8.6)");
            }
            if (contentLength >= 0 && contentLength != parsed) {
                // RFC 9112 §6.3: differing lengths make the framing invalid; the server MUST answer 400.
                throw RequestRejected.badRequest("Content-Length values differ (RFC 9112 §6.3)");
            }
            contentLength = parsed;
            i++; // past the comma
        } while (i < n);
    }

    /** Only {@code chunked}, once and last (RFC 9112 §6.1, §6.3, §7). */
    private static void checkTransferCodings(String list) throws RequestRejected {
        String[] codings = list.split(",", -1);
        int last = -1;
        int chunked = 0;
        boolean other = false;
        for (int i = 0; i < codings.length; i++) {
            String coding = codings[i].strip();
            if (coding.isEmpty()) {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }
            last = i;
            if (coding.equalsIgnoreCase("chunked")) {
                chunked++;
            } else {
                other = true;
            }
        }
        if (last < 0 || !codings[last].strip().equalsIgnoreCase("chunked")) {
            // RFC 9112 §6.3: without chunked as the final coding, a request's length cannot be determined: 400.
            throw RequestRejected.badRequest("Transfer-Encoding does not end with chunked (RFC 9112 §6.3)");
        }
        if (chunked > 1) {
            throw RequestRejected.badRequest("chunked applied more than once (RFC 9112 §7)");
        }
        if (other) {
            // RFC 9112 §6.1: a server that does not understand a transfer coding SHOULD answer 501.
            throw new RequestRejected(Status.NOT_IMPLEMENTED, "the only transfer coding supported is chunked (RFC 9112 §6.1)");
        }
    }

    /** Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2); empty is allowed. */
    static boolean isValidHost(String host) {
        int n = host.length();
        int i = 0;
        if (n > 0 && host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (PercentCodec.hexValue(c) < 0 && c != ':' && c != '.' && c != 'v' && c != 'V') {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < n && host.charAt(i) != ':') {
                if (!isRegNameChar(host.charAt(i))) {
                    return false;
                }
                i++;
            }
        }
        if (i == n) {
            return true;
        }
        if (host.charAt(i) != ':') {
            return false;
        }
        for (i++; i < n; i++) {
            if (host.charAt(i) < '0' || host.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isRegNameChar(char c) {
        // unreserved / pct-encoded / sub-delims
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
    }
}
