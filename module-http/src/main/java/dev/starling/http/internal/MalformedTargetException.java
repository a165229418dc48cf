package dev.starling.http.internal;

import java.io.Serial;

/**
 * The request-target, a path or a query could not be decoded: a character that may not appear
 * in a request-target (RFC 9112 §3.2), a malformed percent-escape, percent-escapes that are not
 * UTF-8, or a control character in the decoded path (RFC 3986 §2.1, §7.3). The server answers
 * {@code 400}. The message describes the defect without quoting the input.
 */
final class MalformedTargetException extends IllegalArgumentException {

    @Serial
    private static final long serialVersionUID = 1L;

    MalformedTargetException(String message) {
        super(message);
    }
}
