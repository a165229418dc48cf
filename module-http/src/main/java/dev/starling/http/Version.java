package dev.starling.http;

/** The HTTP versions this server speaks on the wire (RFC 9112 §2.3). */
public enum Version {
    /** HTTP/1.0: connections close after each exchange unless the client asks for keep-alive. */
    HTTP_1_0("HTTP/1.0"),
    /** HTTP/1.1: connections persist unless either side sends {@code Connection: close}. */
    HTTP_1_1("HTTP/1.1");

    private final String text;

    Version(String text) {
        this.text = text;
    }

    /** The version as written on the wire, e.g. {@code "HTTP/1.1"}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
