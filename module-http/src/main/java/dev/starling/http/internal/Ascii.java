package dev.starling.http.internal;

/**
 * Byte classes of the HTTP grammar (RFC 9110 §5.1, §5.5 and RFC 9112), as lookup tables so the
 * parser pays one array load per byte. Public only so that the API package can validate header
 * fields; this package is not exported.
 */
public final class Ascii {

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VCHAR = new boolean[256];

    static {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        // field-content allows VCHAR, obs-text, SP and HTAB; every other control is rejected.
        for (int c = 0x21; c <= 0x7e; c++) {
            FIELD_VCHAR[c] = true;
        }
        for (int c = 0x80; c <= 0xff; c++) {
            FIELD_VCHAR[c] = true;
        }
        FIELD_VCHAR[' '] = true;
        FIELD_VCHAR['\t'] = true;
    }

    private Ascii() {
    }

    /** Whether byte {@code b} may appear in a token (method, field name, transfer coding). */
    static boolean isTchar(int b) {
        return TCHAR[b & 0xff];
    }

    /** Whether byte {@code b} may appear inside a field value: VCHAR, obs-text, SP or HTAB. */
    static boolean isFieldChar(int b) {
        return FIELD_VCHAR[b & 0xff];
    }

    /** Whether {@code s} is a non-empty token (RFC 9110 §5.6.2). */
    public static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the first character of {@code s} that may not appear in a field value
     * (RFC 9110 §5.5: controls other than HTAB, and anything outside ISO-8859-1), or -1.
     */
    public static int invalidFieldValueIndex(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff || !FIELD_VCHAR[c]) {
                return i;
            }
        }
        return -1;
    }

    /** ASCII case-insensitive equality, cheaper than {@link String#equalsIgnoreCase} for names. */
    public static boolean equalsIgnoreCase(String a, String b) {
        if (a == b) {
            return true;
        }
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** Whether comma-separated {@code list} holds {@code token}, ignoring case and OWS (RFC 9110 §5.6.1). */
    public static boolean listContains(String list, String token) {
        int i = 0;
        int n = list.length();
        while (i < n) {
            int comma = list.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            int s = i;
            int e = end;
            while (s < e && isOws(list.charAt(s))) {
                s++;
            }
            while (e > s && isOws(list.charAt(e - 1))) {
                e--;
            }
            if (e - s == token.length() && list.regionMatches(true, s, token, 0, e - s)) {
                return true;
            }
            i = end + 1;
        }
        return false;
    }

    static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }
}
