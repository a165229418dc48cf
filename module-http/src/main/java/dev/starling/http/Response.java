package dev.starling.http;

import dev.starling.http.internal.Ascii;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An HTTP response: a {@link Status}, header fields and a {@link Body}. Immutable: each
 * {@code with...} method returns a new response, so a response can be built once, kept in a
 * constant and sent any number of times (a {@link Body.Streamed} body can be sent only once).
 *
 * <pre>{@code
 * Response.ok("hello")                                  // 200, text/plain; charset=utf-8
 * Response.of(Status.NOT_FOUND, "no such user")
 * Response.of(Status.OK).withHeader("Content-Type", "application/json").withBody(json)
 * Response.of(Status.OK).withBody(out -> out.write(report())) // streamed, sent chunked
 * }</pre>
 *
 * <p>The server owns message framing: {@code Content-Length}, {@code Transfer-Encoding} and
 * {@code Connection} are the server's. The first two cannot be set here; a {@code Connection}
 * header that lists {@code close} makes the server close the connection after this response,
 * and is otherwise replaced by the server's own. {@code Date} and {@code Server} are added
 * unless set.
 */
public final class Response {

    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private final Status status;
    private final Headers headers;
    private final Body body;

    private Response(Status status, Headers headers, Body body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** {@code 200 OK} with {@code text} as a UTF-8 {@code text/plain} body. */
    public static Response ok(String text) {
        return of(Status.OK).withBody(text);
    }

    /** A response with {@code status} and no body. */
    public static Response of(Status status) {
        return new Response(Objects.requireNonNull(status, "status"), Headers.EMPTY, Body.Empty.INSTANCE);
    }

    /**
     * A response with status {@code code} and no body.
     *
     * @throws IllegalArgumentException when {@code code} is outside 100..599
     */
    public static Response of(int code) {
        return of(Status.of(code));
    }

    /** A response with {@code status} and {@code text} as a UTF-8 {@code text/plain} body. */
    public static Response of(Status status, String text) {
        return of(status).withBody(text);
    }

    /** A response with status {@code code} and {@code text} as a UTF-8 {@code text/plain} body. */
    public static Response of(int code, String text) {
        return of(Status.of(code)).withBody(text);
    }

    public Status status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public Body body() {
        return body;
    }

    /** This response with another status. */
    public Response withStatus(Status status) {
        return new Response(Objects.requireNonNull(status, "status"), headers, body);
    }

    /**
     * This response with {@code name} set to {@code value}, replacing any fields of that name.
     *
     * @throws IllegalArgumentException when the name is not a token, the value holds a control
     *         character (CR and LF included) or a character outside ISO-8859-1, or the name is a
     *         framing header the server sets ({@code Content-Length}, {@code Transfer-Encoding})
     */
    public Response withHeader(String name, String value) {
        checkSettable(name);
        return new Response(status, headers.with(name, value), body);
    }

    /**
     * This response with one more {@code name} field, keeping existing ones; for fields that
     * may repeat, such as {@code Set-Cookie}.
     *
     * @throws IllegalArgumentException as {@link #withHeader}
     */
    public Response withAddedHeader(String name, String value) {
        checkSettable(name);
        return new Response(status, headers.plus(name, value), body);
    }

    /** This response without any field named {@code name}. */
    public Response withoutHeader(String name) {
        return new Response(status, headers.without(name), body);
    }

    /** This response with {@code bytes} as its body, copied; sent with {@code Content-Length}. */
    public Response withBody(byte[] bytes) {
        return new Response(status, headers, new Body.Bytes(ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer()));
    }

    /**
     * This response with {@code text} as its body, encoded as UTF-8 and sent with
     * {@code Content-Length}; {@code Content-Type} becomes {@code text/plain; charset=utf-8}
     * unless already set.
     */
    public Response withBody(String text) {
        Headers typed = headers.contains("Content-Type") ? headers : headers.plus("Content-Type", TEXT_PLAIN);
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        return new Response(status, typed, new Body.Bytes(bytes));
    }

    /**
     * This response with the rest of {@code in} as its body, of unknown length: sent chunked
     * to HTTP/1.1 clients and delimited by closing the connection for HTTP/1.0 clients. The
     * server reads the stream on the connection's thread and closes it when done (or without
     * reading it, for a {@code HEAD} request).
     */
    public Response withBody(InputStream in) {
        return new Response(status, headers, new Body.Streamed(in, -1));
    }

    /**
     * This response with the next {@code length} bytes of {@code in} as its body, sent with
     * {@code Content-Length}. If the stream ends early, the server aborts the connection, since
     * the promised length can no longer be met. The server closes the stream when done.
     */
    public Response withBody(InputStream in, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("body length must not be negative, was " + length);
        }
        return new Response(status, headers, new Body.Streamed(in, length));
    }

    /**
     * This response with the content of the file at {@code file} as its body, sent with
     * {@code Content-Length} and handed to the kernel with
     * {@link dev.starling.process.Connection#transferFrom} ({@code sendfile(2)} on TCP): the bytes
     * never enter the JVM.
     *
     * <ul>
     *   <li>The file is opened, and its size taken, when the response is sent, on the
     *       connection's thread; the same response can be sent many times, each time with the
     *       file as it is then. If it cannot be opened then (missing, unreadable, a directory),
     *       the client gets a {@code 500} that does not reveal why, and the cause is logged.</li>
     *   <li>If the file shrinks while it is being sent, the response is cut short and the
     *       connection closed, as {@code Content-Length} can no longer be met.</li>
     *   <li>{@code Content-Type} is not guessed from the name: set it with {@link #withHeader}.
     *       Guessing is how a server ends up sending an uploaded {@code .html} as a page.</li>
     *   <li>Which file may be sent is the handler's decision: the server sends whatever path it
     *       is given. {@link Request#path()} never climbs above {@code /}, but resolving it
     *       against a root is still the handler's to check.</li>
     * </ul>
     */
    public Response withBody(Path file) {
        return new Response(status, headers, new Body.File(Objects.requireNonNull(file, "file")));
    }

    /**
     * This response with a body that {@code writer} produces while the response is sent, of
     * unknown length: sent chunked to HTTP/1.1 clients and delimited by closing the connection
     * for HTTP/1.0 clients. The writer is not called for a {@code HEAD} request.
     */
    public Response withBody(BodyWriter writer) {
        return new Response(status, headers, new Body.Written(Objects.requireNonNull(writer, "writer")));
    }

    private static void checkSettable(String name) {
        if (Ascii.equalsIgnoreCase(name, "Content-Length") || Ascii.equalsIgnoreCase(name, "Transfer-Encoding")) {
            throw new IllegalArgumentException(name + " is set by the server from the body; use withBody(InputStream, long)"
                    + " for a stream of known length");
        }
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + ", " + body + "]";
    }

    /**
     * Writes a response body while the server sends it. Called once, on the connection's
     * thread, after the status line and header fields have been sent (so an exception thrown
     * here can no longer become a 500: the server aborts the connection instead, and the client
     * sees an incomplete response).
     */
    @FunctionalInterface
    public interface BodyWriter {

        /**
         * Writes the body to {@code out}. {@code flush()} sends what was written so far as a
         * chunk; closing {@code out} is allowed and ends the body; {@code out} must not be used
         * after this method returns.
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** What a response carries as content; a closed set the server switches over. */
    public sealed interface Body {

        /** No content: sent with {@code Content-Length: 0}. */
        enum Empty implements Body {
            INSTANCE
        }

        /**
         * Content known in full.
         *
         * @param content read-only bytes; the server sends its remaining bytes without
         *                changing its position
         */
        record Bytes(ByteBuffer content) implements Body {
            public Bytes {
                content = content.asReadOnlyBuffer();
            }

            /** The number of bytes of content. */
            public int length() {
                return content.remaining();
            }
        }

        /**
         * Content read from a stream.
         *
         * @param in     the stream, read and closed by the server
         * @param length the number of bytes to send, or -1 when unknown
         */
        record Streamed(InputStream in, long length) implements Body {
            public Streamed {
                Objects.requireNonNull(in, "in");
            }
        }

        /**
         * Content of a file, opened when the response is sent and sent with {@code sendfile}.
         *
         * @param path the file
         */
        record File(Path path) implements Body {
            public File {
                Objects.requireNonNull(path, "path");
            }
        }

        /**
         * Content produced by a writer while the response is sent.
         *
         * @param writer called once per sending
         */
        record Written(BodyWriter writer) implements Body {
        }
    }
}
