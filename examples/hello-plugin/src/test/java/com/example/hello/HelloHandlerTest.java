package com.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.starling.http.Request;
import dev.starling.http.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The handler called directly, as the server would call it, with no server running. */
class HelloHandlerTest {

    private final HelloHandler handler = new HelloHandler();

    @Test
    void greetsTheNameFromThePathAsJson() throws Exception {
        Response response = handler.handle(Request.of("GET", "/hello/Ada"));
        assertEquals(200, response.status().code());
        assertEquals("application/json", response.headers().first("Content-Type").orElseThrow());
        assertEquals("{\"greeting\":\"Hello, Ada!\",\"name\":\"Ada\",\"pid\":" + ProcessHandle.current().pid() + "}\n",
                text(response));
    }

    @Test
    void takesTheGreetingFromTheQueryAndEscapesIt() throws Exception {
        Response response = handler.handle(Request.of("GET", "/hello/%22Bob%22?greeting=Good%20day"));
        assertEquals("{\"greeting\":\"Good day, \\\"Bob\\\"!\",\"name\":\"\\\"Bob\\\"\",\"pid\":"
                + ProcessHandle.current().pid() + "}\n", text(response));
    }

    @Test
    void streamsTheCount() throws Exception {
        Response response = handler.handle(Request.of("GET", "/count/3"));
        assertEquals(200, response.status().code());
        Response.Body.Written body = assertInstanceOf(Response.Body.Written.class, response.body());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writer().writeTo(out);
        assertEquals("1\n2\n3\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void refusesACountThatIsNotANumber() throws Exception {
        assertEquals(400, handler.handle(Request.of("GET", "/count/many")).status().code());
        assertEquals(400, handler.handle(Request.of("GET", "/count/100001")).status().code());
    }

    @Test
    void otherPathsAreNotFound() throws Exception {
        assertEquals(404, handler.handle(Request.of("GET", "/")).status().code());
    }

    @Test
    void isSelectedByTheNameHello() {
        assertEquals("hello", handler.name());
    }

    private static String text(Response response) {
        Response.Body.Bytes bytes = assertInstanceOf(Response.Body.Bytes.class, response.body());
        return StandardCharsets.UTF_8.decode(bytes.content()).toString();
    }
}
