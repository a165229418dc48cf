package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.http.Version;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The writer keeps the last {@code Headers} instance's fields encoded (ResponseWriter.putFields):
 * whatever order responses come in, each is written with its own fields and framing.
 */
class ResponseWriterFieldsTest {

    private static final Response PLAIN = Response.of(Status.OK).withHeader("Content-Type", "text/plain").withBody("a");
    private static final Response CLOSING = Response.of(Status.OK).withHeader("Connection", "close")
            .withHeader("X-Long", "x".repeat(700)).withBody("bb");
    private static final Response DATED = Response.of(Status.NOT_FOUND).withHeader("Date", "Thu, 01 Jan 1970 00:00:00 GMT")
            .withBody("ccc");

    @Test
    void eachResponseGetsItsOwnFieldsWhenInstancesAlternate() throws IOException {
        List<Response> sequence = List.of(PLAIN, PLAIN, CLOSING, PLAIN, DATED, DATED, CLOSING, CLOSING, PLAIN,
                PLAIN.withBody("fresh body, same fields"), Response.of(Status.OK).withHeader("X-Per-Request", "1").withBody("d"));
        MemoryConnection connection = new MemoryConnection();
        ResponseWriter writer = new ResponseWriter(connection, "Test/1");
        List<Boolean> persisted = new ArrayList<>();
        for (Response r : sequence) {
            persisted.add(writer.send(r, Version.HTTP_1_1, false, true, "id-1"));
        }
        String[] heads = connection.output().split("HTTP/1\\.1 ");
        assertEquals(sequence.size() + 1, heads.length, connection.output());
        for (int i = 0; i < sequence.size(); i++) {
            String head = heads[i + 1];
            Response r = sequence.get(i);
            assertTrue(head.startsWith(r.status().code() + " "), head);
            boolean closing = r == CLOSING;
            assertEquals(closing, head.contains("Connection: close\r\n"), head);
            assertEquals(!closing, persisted.get(i), "persist for response " + i);
            assertEquals(closing, head.contains("X-Long: " + "x".repeat(700) + "\r\n"), head);
            assertEquals(1, count(head, "Date: "), head);
            assertEquals(r == DATED, head.contains("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), head);
            assertEquals(r == PLAIN || i == 9, head.contains("Content-Type: text/plain\r\n"), head);
            assertEquals(i == 10, head.contains("X-Per-Request: 1\r\n"), head);
            assertFalse(head.contains("Connection: Connection"), head);
        }
    }

    @Test
    void bodiesEitherSideOfTheSmallBodyBoundArriveWholeAndTheHandlersBufferIsLeftAsItWas() throws IOException {
        for (int size : new int[] {0, 1, 13, ResponseWriter.SMALL_BODY - 1, ResponseWriter.SMALL_BODY,
                ResponseWriter.SMALL_BODY + 1, 3 * ResponseWriter.SMALL_BODY}) {
            byte[] body = new byte[size];
            for (int i = 0; i < size; i++) {
                body[i] = (byte) ('a' + i % 26);
            }
            Response response = Response.of(Status.OK).withBody(body); // one instance, sent twice: its buffer is shared
            MemoryConnection connection = new MemoryConnection();
            ResponseWriter writer = new ResponseWriter(connection, "Test/1");
            writer.send(response, Version.HTTP_1_1, false, true, "id-1");
            writer.send(response, Version.HTTP_1_1, false, true, "id-2");
            String expected = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
            String[] parts = connection.output().split("HTTP/1\\.1 200 OK\r\n", -1);
            assertEquals(3, parts.length, "two responses for size " + size);
            for (int i = 1; i <= 2; i++) {
                String part = parts[i];
                assertTrue(part.contains("Content-Length: " + size + "\r\n"), part);
                assertEquals(expected, part.substring(part.indexOf("\r\n\r\n") + 4), "body of response " + i + ", size " + size);
            }
            assertEquals(size, ((Response.Body.Bytes) response.body()).content().remaining(), "the handler's buffer is untouched");
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
