package dev.starling.http.internal;

import dev.starling.http.Headers;
import dev.starling.http.Status;
import dev.starling.http.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Parses a request line and header section (RFC 9112 §2–§5) from bytes as they arrive. Feed it
 * the connection's read buffer after each read: {@link #parse} scans only the bytes it has not
 * seen, and returns a {@link RequestHead} once the empty line that ends the section is there,
 * leaving the buffer positioned at the first byte after it (the body, or a pipelined request).
 * Nothing is allocated until the section is complete, and then only the strings the request
 * exposes. One instance per connection; not thread-safe.
 *
 * <p><b>Line endings.</b> Every line must end in CRLF. A bare LF (which RFC 9112 §2.2 lets a
 * recipient accept) and a bare CR (which it must not accept as a line end) are both answered
 * {@code 400}: one strict rule leaves no room for a proxy in front of us to split a message
 * differently than we do. Empty lines before the request line are ignored (RFC 9112 §2.2) but
 * count towards the limit.
 *
 * <p><b>Methods.</b> A method that is not a token is answered {@code 400}; {@code CONNECT} is
 * {@code 501}. Any other token, known or not, reaches the handler, which answers an unknown one
 * with {@code 405} or {@code 501} (RFC 9110 §9.1), as the router does with {@code 405}: WebDAV and
 * other extension methods stay possible.
 *
 * <p><b>Limits.</b> The request line, with any empty lines before it, may take at most
 * {@code maxRequestLine} bytes without its CRLF ({@code --max-request-line}); more is answered
 * {@code 414}. The header section after it, from its first field line to the final empty line,
 * CRLFs included, may take at most {@code maxHeaderSize} bytes ({@code --max-header-size}); more
 * is answered {@code 431}. Both are checked as soon as the limit is crossed, without waiting for
 * the rest, so a buffer of {@link #maxHeadBytes()} always holds a head that fits.
 */
final class RequestParser {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxRequestLine;
    private final int maxHeaderSize;
    private final FieldRules fields;

    // Scan state, relative to the buffer's position, which stays put until a head is returned.
    private int scanned;
    private int lineLength;
    private boolean afterCr;
    private boolean sawRequestLine;
    private int fieldsStart;
    private int fieldLines; // field lines scanned so far: the headers are built at their size

    RequestParser(int maxRequestLine, int maxHeaderSize, long maxBodySize) {
        this.maxRequestLine = maxRequestLine;
        this.maxHeaderSize = maxHeaderSize;
        this.fields = new FieldRules(maxBodySize);
    }

    /** The most bytes a head within both limits can take: request line, its CRLF and the header section. */
    int maxHeadBytes() {
        return maxRequestLine + 2 + maxHeaderSize;
    }

    /** Forgets a partly scanned head; the next {@link #parse} starts at the buffer's position. */
    void reset() {
        scanned = 0;
        lineLength = 0;
        afterCr = false;
        sawRequestLine = false;
        fieldsStart = 0;
        fieldLines = 0;
    }

    /**
     * Looks for a complete head at {@code in}'s position. The buffer must be array-backed and
     * in read mode; bytes before its position must not change between calls, but it may be
     * compacted (the position moves, the unread bytes stay in order) and extended.
     *
     * @return the head, with {@code in} positioned after it; or {@code null} when more bytes
     *         are needed, with {@code in} unchanged
     * @throws RequestRejected when the bytes so far cannot begin a valid request, or the head
     *         would exceed a limit
     */
    RequestHead parse(ByteBuffer in) throws RequestRejected {
        byte[] a = in.array();
        int base = in.arrayOffset() + in.position();
        int available = in.remaining();
        int i = scanned;
        while (true) {
            // Phase one scans the request line, phase two the header section; each has its own bound.
            int bound = sawRequestLine ? fieldsStart + maxHeaderSize : maxRequestLine + 2;
            int end = Math.min(available, bound);
            boolean nextPhase = false;
            while (i < end) {
                byte b = a[base + i++];
                if (afterCr) {
                    if (b != LF) {
                        throw RequestRejected.badRequest("bare CR in the request head; lines must end in CRLF (RFC 9112 §2.2)");
                    }
                    afterCr = false;
                    if (lineLength > 0) {
                        lineLength = 0;
                        if (!sawRequestLine) {
                            sawRequestLine = true;
                            fieldsStart = i;
                            nextPhase = true;
                            break;
                        }
                        fieldLines++;
                    } else if (sawRequestLine) {
                        RequestHead head = parseHead(a, base, base + i, fieldLines);
                        in.position(in.position() + i);
                        reset();
                        return head;
                    }
                } else if (b == CR) {
                    afterCr = true;
                } else if (b == LF) {
                    throw RequestRejected.badRequest("bare LF in the request head; lines must end in CRLF (RFC 9112 §2.2)");
                } else {
                    lineLength++;
                }
            }
            if (nextPhase) {
                continue;
            }
            scanned = i;
            if (i < bound) {
                return null;
            }
            if (sawRequestLine) {
                throw new RequestRejected(Status.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "header section exceeds " + maxHeaderSize + " bytes (--max-header-size)");
            }
            // RFC 9112 §3: a server that receives a request-target longer than it wishes to parse MUST answer 414.
            throw new RequestRejected(Status.URI_TOO_LONG,
                    "request line exceeds " + maxRequestLine + " bytes (--max-request-line)");
        }
    }

    /** Parses a complete head in {@code a[from, to)}, which ends in CRLF CRLF, has only CRLF line ends and {@code fieldCount} field lines. */
    private RequestHead parseHead(byte[] a, int from, int to, int fieldCount) throws RequestRejected {
        int p = from;
        while (a[p] == CR) {
            p += 2; // empty lines before the request line (RFC 9112 §2.2)
        }
        int lineEnd = indexOfCr(a, p);
        FieldRules fields = this.fields.reset();
        int sp1 = indexOf(a, p, lineEnd, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(a, sp1 + 1, lineEnd, (byte) ' ');
        if (sp2 < 0) {
            throw RequestRejected.badRequest("request line must be method SP request-target SP HTTP-version (RFC 9112 §3)");
        }
        Version version = parseVersion(a, sp2 + 1, lineEnd);
        String method = parseMethod(a, p, sp1);
        if (sp2 == sp1 + 1) {
            throw RequestRejected.badRequest("empty request-target or more than one space in the request line (RFC 9112 §3)");
        }
        if ("CONNECT".equals(method)) {
            throw new RequestRejected(Status.NOT_IMPLEMENTED, "CONNECT is not supported by this server (RFC 9110 §9.3.6)");
        }
        RequestTarget target;
        try {
            target = sp2 - sp1 == 2 && a[sp1 + 1] == '/' ? RequestTarget.ROOT // the most common target: no string, no parse
                    : RequestTarget.parse(new String(a, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1), method);
        } catch (MalformedTargetException e) {
            throw new RequestRejected(Status.BAD_REQUEST, e.getMessage(), e);
        }
        Headers.Builder headers = Headers.builder(fieldCount);
        p = lineEnd + 2;
        while (p < to - 2) {
            lineEnd = indexOfCr(a, p);
            parseField(a, p, lineEnd, headers, fields);
            p = lineEnd + 2;
        }
        Headers built = headers.build();
        RequestHead head = fields.finish(method, target, version, built);
        if (!target.authority().isEmpty()) {
            // RFC 9112 §3.2.2: with absolute-form, the target's authority replaces the Host field's value.
            head = new RequestHead(method, target, version, built.with("Host", target.authority()),
                    head.contentLength(), head.keepAlive(), head.expectContinue(), head.requestId());
        }
        return head;
    }

    /** One field line, {@code a[from, to)} without its CRLF (RFC 9112 §5). */
    private static void parseField(byte[] a, int from, int to, Headers.Builder headers, FieldRules fields)
            throws RequestRejected {
        if (a[from] == ' ' || a[from] == '\t') {
            // RFC 9112 §5.2: a server MUST reject obs-fold with 400 (or replace it, which we do not).
            throw RequestRejected.badRequest("obsolete line folding in a header field (RFC 9112 §5.2)");
        }
        int colon = from;
        while (colon < to && Ascii.isTchar(a[colon])) {
            colon++;
        }
        if (colon == to || a[colon] != ':') {
            if (colon < to && (a[colon] == ' ' || a[colon] == '\t')) {
                // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST reject it with 400.
                throw RequestRejected.badRequest("whitespace between a header field name and its colon (RFC 9112 §5.1)");
            }
            throw RequestRejected.badRequest("header field name is not a token followed by ':' (RFC 9112 §5)");
        }
        if (colon == from) {
            throw RequestRejected.badRequest("empty header field name (RFC 9112 §5)");
        }
        int vs = colon + 1;
        int ve = to;
        while (vs < ve && Ascii.isOws(a[vs])) {
            vs++;
        }
        while (ve > vs && Ascii.isOws(a[ve - 1])) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            if (!Ascii.isFieldChar(a[i])) {
                // RFC 9110 §5.5: CR, LF and NUL are invalid in a field value; we reject every control but HTAB.
                throw RequestRejected.badRequest("control character in a header field value (RFC 9110 §5.5)");
            }
        }
        String name = KnownNames.name(a, from, colon - from);
        String value = new String(a, vs, ve - vs, StandardCharsets.ISO_8859_1);
        headers.add(name, value);
        fields.accept(name, value);
    }

    private static String parseMethod(byte[] a, int from, int to) throws RequestRejected {
        if (from == to) {
            throw RequestRejected.badRequest("empty method in the request line (RFC 9112 §3.1)");
        }
        for (int i = from; i < to; i++) {
            if (!Ascii.isTchar(a[i])) {
                throw RequestRejected.badRequest("method is not a token (RFC 9112 §3.1)");
            }
        }
        return KnownNames.method(a, from, to - from);
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3). */
    private static Version parseVersion(byte[] a, int from, int to) throws RequestRejected {
        if (to - from != 8 || a[from] != 'H' || a[from + 1] != 'T' || a[from + 2] != 'T' || a[from + 3] != 'P'
                || a[from + 4] != '/' || !isDigit(a[from + 5]) || a[from + 6] != '.' || !isDigit(a[from + 7])) {
            throw RequestRejected.badRequest("malformed HTTP-version in the request line (RFC 9112 §2.3)");
        }
        if (a[from + 5] == '1' && a[from + 7] == '1') {
            return Version.HTTP_1_1;
        }
        if (a[from + 5] == '1' && a[from + 7] == '0') {
            return Version.HTTP_1_0;
        }
        throw new RequestRejected(Status.HTTP_VERSION_NOT_SUPPORTED, "this server speaks HTTP/1.0 and HTTP/1.1 only");
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int indexOfCr(byte[] a, int from) {
        int i = from;
        while (a[i] != CR) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
