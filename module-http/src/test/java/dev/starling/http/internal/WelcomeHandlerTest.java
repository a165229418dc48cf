package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WelcomeHandlerTest {

    private final WelcomeHandler handler = new WelcomeHandler();
    private final String pid = Long.toString(ProcessHandle.current().pid());

    @Test
    void isNamedWelcome() {
        assertEquals("welcome", handler.name());
    }

    @Test
    void answersAnyPathWithAPageNamingTheServerAndWorkerPid() {
        Response r = handler.handle(Request.of("GET", "/any/path?x=1"));
        assertEquals(Status.OK, r.status());
        assertEquals("text/html; charset=utf-8", r.headers().first("Content-Type").orElseThrow());
        assertEquals(pid, r.headers().first("X-Worker-Pid").orElseThrow());
        Response.Body.Bytes body = (Response.Body.Bytes) r.body();
        byte[] bytes = new byte[body.length()];
        body.content().duplicate().get(bytes);
        String html = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(html.contains("<h1>Starling</h1>"), html);
        assertTrue(html.contains("<p>Served by worker pid " + pid + "</p>"), html);
    }

    @Test
    void answersOtherMethodsWith405AndAllow() {
        Response r = handler.handle(Request.of("POST", "/"));
        assertEquals(Status.METHOD_NOT_ALLOWED, r.status());
        assertEquals("GET, HEAD", r.headers().first("Allow").orElseThrow());
    }
}
