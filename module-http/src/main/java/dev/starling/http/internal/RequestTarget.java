package dev.starling.http.internal;

import dev.starling.http.QueryParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * A request-target taken apart (RFC 9112 §3.2): the raw text, the decoded and normalized path,
 * the raw query and the decoded query parameters. Public only for the API package's
 * {@code Request.of}; this package is not exported.
 *
 * <p><b>Path policy.</b> The path is percent-decoded as UTF-8 first and normalized second, so an
 * encoded dot or slash cannot smuggle a segment past normalization:
 * <ul>
 *   <li>{@code %2F} decodes to {@code /} and then separates segments like a literal slash;
 *       handlers that need to tell them apart read {@link #raw()}.</li>
 *   <li>{@code \} and {@code %5C} are treated as {@code /}, as browsers do, so a file-serving
 *       handler on any OS sees only {@code /} separators.</li>
 *   <li>Empty segments ({@code //}) and {@code .} segments are dropped; {@code ..} removes the
 *       segment before it and is dropped at the root, so the path never climbs above
 *       {@code /} (RFC 3986 §5.2.4, plus the collapsing of empty segments).</li>
 *   <li>A trailing slash is kept, as is the one implied by a final {@code .} or {@code ..}
 *       ({@code /a/b/..} gives {@code /a/}).</li>
 *   <li>A decoded control character ({@code %00}–{@code %1F}, {@code %7F}) is rejected: no
 *       handler should have to guard file APIs against NUL.</li>
 * </ul>
 *
 * @param raw      the request-target exactly as received
 * @param path     the decoded, normalized path: starts with {@code /}, or is {@code *} for
 *                 {@code OPTIONS *}
 * @param rawQuery the query without {@code ?}, still encoded; empty when there is none
 * @param query    the decoded query parameters
 * @param authority the authority of an absolute-form target ({@code host[:port]}), which the
 *                 server uses in place of the Host field (RFC 9112 §3.2.2); empty for the
 *                 other forms
 */
public record RequestTarget(String raw, String path, String rawQuery, QueryParameters query, String authority) {

    /** {@code /}, shared: the target of most requests. */
    static final RequestTarget ROOT = new RequestTarget("/", "/", "", QueryParameters.EMPTY, "");

    /**
     * Parses origin-form ({@code /a?b}), absolute-form ({@code http://host/a?b}, whose scheme is
     * dropped and whose authority is kept in {@link #authority()}) and, for {@code OPTIONS}
     * only, asterisk-form ({@code *}).
     *
     * @throws IllegalArgumentException (always a {@link MalformedTargetException}, answered
     *         {@code 400}) for any other form, a character outside visible ASCII, a fragment,
     *         a malformed or non-UTF-8 percent-escape, a control character in the path, or an
     *         absolute-form authority that is empty, carries userinfo or is not a valid host
     */
    public static RequestTarget parse(String raw, String method) {
        int n = raw.length();
        if (n == 0) {
            throw new MalformedTargetException("empty request-target (RFC 9112 §3.2)");
        }
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new MalformedTargetException("request-target holds a character outside visible ASCII at offset "
                        + i + " (RFC 9112 §3.2)");
            }
            if (c == '#') {
                throw new MalformedTargetException("request-target holds a fragment, which clients must not send (RFC 9112 §3.2)");
            }
        }
        if (n == 1 && raw.charAt(0) == '*') {
            // RFC 9112 §3.2.4: asterisk-form is only used for a server-wide OPTIONS request.
            if (!"OPTIONS".equals(method)) {
                throw new MalformedTargetException("asterisk-form request-target is only allowed with OPTIONS (RFC 9112 §3.2.4)");
            }
            return new RequestTarget(raw, "*", "", QueryParameters.EMPTY, "");
        }
        int pathStart;
        String authority = "";
        if (raw.charAt(0) == '/') {
            pathStart = 0;
        } else if (raw.regionMatches(true, 0, "http://", 0, 7) || raw.regionMatches(true, 0, "https://", 0, 8)) {
            // RFC 9112 §3.2.2: a server MUST accept absolute-form.
            int authorityStart = raw.indexOf("//") + 2;
            pathStart = authorityStart;
            while (pathStart < n && raw.charAt(pathStart) != '/' && raw.charAt(pathStart) != '?') {
                pathStart++;
            }
            authority = raw.substring(authorityStart, pathStart);
            if (authority.isEmpty() || authority.indexOf('@') >= 0 || !FieldRules.isValidHost(authority)) {
                // RFC 9110 §4.2.1: an http URI with an empty host is invalid; §4.2.4: userinfo is to be treated as an error.
                throw new MalformedTargetException("absolute-form request-target has an empty, userinfo-carrying or invalid"
                        + " authority (RFC 9110 §4.2)");
            }
        } else {
            throw new MalformedTargetException("request-target must start with '/' or 'http://' or 'https://' (RFC 9112 §3.2)");
        }
        int q = raw.indexOf('?', pathStart);
        int pathEnd = q < 0 ? n : q;
        String path = pathEnd == pathStart ? "/" : normalizePath(raw.substring(pathStart, pathEnd));
        String rawQuery = q < 0 ? "" : raw.substring(q + 1);
        return new RequestTarget(raw, path, rawQuery, QueryParameters.parse(rawQuery), authority);
    }

    /**
     * Decodes and normalizes a path that starts with {@code /}, by the policy in the class
     * documentation.
     *
     * @throws IllegalArgumentException (a {@link MalformedTargetException}) for a malformed or
     *         non-UTF-8 percent-escape or a decoded control character
     */
    static String normalizePath(String rawPath) {
        if (!needsWork(rawPath)) {
            return rawPath; // the common case: nothing encoded, no empty or dot segments
        }
        String decoded = PercentCodec.decode(rawPath, false);
        List<String> segments = new ArrayList<>();
        int n = decoded.length();
        int start = 0;
        boolean directory = false;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? decoded.charAt(i) : '/';
            if (c < 0x20 || c == 0x7f) {
                throw new MalformedTargetException("decoded path holds a control character (RFC 3986 §7.3)");
            }
            if (c != '/' && c != '\\') {
                continue;
            }
            int length = i - start;
            if (length == 0 || (length == 1 && decoded.charAt(start) == '.')) {
                directory = i > 0; // "a//" and "a/." both name the directory a/
            } else if (length == 2 && decoded.charAt(start) == '.' && decoded.charAt(start + 1) == '.') {
                if (!segments.isEmpty()) {
                    segments.removeLast();
                }
                directory = true;
            } else {
                segments.add(decoded.substring(start, i));
                directory = false;
            }
            start = i + 1;
        }
        StringBuilder sb = new StringBuilder(n + 1);
        for (String segment : segments) {
            sb.append('/').append(segment);
        }
        if (segments.isEmpty() || directory) {
            sb.append('/');
        }
        return sb.toString();
    }

    private static boolean needsWork(String rawPath) {
        int n = rawPath.length();
        for (int i = 0; i < n; i++) {
            char c = rawPath.charAt(i);
            if (c == '%' || c == '\\') {
                return true;
            }
            if (c == '/' && i + 1 < n && (rawPath.charAt(i + 1) == '/' || rawPath.charAt(i + 1) == '.')) {
                return true;
            }
        }
        return false;
    }
}
