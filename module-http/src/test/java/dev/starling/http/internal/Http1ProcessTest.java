package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.starling.http.Handler;
import dev.starling.http.Response;
import dev.starling.process.Providers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http1ProcessTest {

    static final class FirstHandler implements Handler {
        @Override
        public Response handle(dev.starling.http.Request request) {
            return Response.ok("first");
        }
    }

    static final class OtherHandler implements Handler {
        @Override
        public String name() {
            return "firsthandler";
        }

        @Override
        public Response handle(dev.starling.http.Request request) {
            return Response.ok("other");
        }
    }

    @Test
    void isNamedHttp1() {
        assertEquals("http1", new Http1Process().name());
    }

    @Test
    void preparesWithTheWelcomeHandlerByDefault() {
        assertNotNull(new Http1Process().prepare(TestContext.of()));
    }

    @Test
    void readsSettingsWithDocumentedDefaults() {
        Http1Settings defaults = Http1Settings.from(TestContext.of());
        assertEquals(Http1Settings.defaults(), defaults);
        assertEquals(List.of(8192, 8192, 10_485_760L, Duration.ofSeconds(5), "welcome"), List.of(defaults.maxRequestLine(),
                defaults.maxHeaderSize(), defaults.maxBodySize(), defaults.keepAliveTimeout(), defaults.handler()));
        Http1Settings given = Http1Settings.from(TestContext.of("max-request-line", "100", "max-header-size", "300",
                "max-body-size", "7", "keepalive-timeout", "9", "handler", "x"));
        assertEquals(List.of(100, 300, 7L, Duration.ofSeconds(9), "x"), List.of(given.maxRequestLine(),
                given.maxHeaderSize(), given.maxBodySize(), given.keepAliveTimeout(), given.handler()));
    }

    @Test
    void rejectsAMaxHeaderSizeOutOfBoundsNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Http1Process().prepare(TestContext.of("max-header-size", "100")));
        assertEquals("--max-header-size must be between 256 and 1048576, was 100", e.getMessage());
    }

    @Test
    void rejectsAKeepAliveTimeoutThatIsNotAnInteger() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Http1Process().prepare(TestContext.of("keepalive-timeout", "5s")));
        assertEquals("--keepalive-timeout must be an integer, was '5s'", e.getMessage());
    }

    @Test
    void rejectsAnUnknownHandlerListingTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Http1Process().prepare(TestContext.of("handler", "nope")));
        assertEquals("no handler named 'nope'; available: welcome (--handler)", e.getMessage());
    }

    @Test
    void rejectsAServerNameThatCannotBeAHeaderValue() {
        ProcessContextWithName bad = new ProcessContextWithName("Starling\r\nX-Evil: 1");
        assertThrows(IllegalArgumentException.class, () -> new Http1Process().prepare(bad));
    }

    record ProcessContextWithName(String serverName) implements dev.starling.process.ProcessContext {
        @Override
        public java.util.Optional<String> setting(String name) {
            return java.util.Optional.empty();
        }

        @Override
        public ModuleLayer layer() {
            return ModuleLayer.boot();
        }
    }

    @Test
    void selectsByNameDefaultingToTheLowerCaseSimpleClassName() {
        Handler first = new FirstHandler();
        assertSame(first, Http1Process.select(List.of(new WelcomeHandler(), first), "firsthandler", "--handler"));
    }

    @Test
    void refusesTwoHandlersClaimingOneName() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Http1Process.select(List.of(new FirstHandler(), new OtherHandler()), "firsthandler", "--handler"));
        assertEquals("handlers " + Providers.describe(FirstHandler.class) + ", " + Providers.describe(OtherHandler.class)
                + " all claim the name 'firsthandler' (--handler)", e.getMessage());
        assertTrue(e.getMessage().contains("(module dev.starling.http, "), e.getMessage());
    }

    @Test
    void servesAConnectionWithTheSelectedHandler() throws Exception {
        MemoryConnection c = new MemoryConnection().thenRead("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        new Http1Process().prepare(TestContext.of()).serve(c);
        WireResponse r = WireResponse.parseAll(c.output()).getFirst();
        assertEquals(200, r.status());
        assertEquals("Starling/test", r.header("server").orElseThrow());
    }

    @Test
    void checkRefusesARouteToAnUnknownHandlerNamingTheRoute() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Http1Process().check(TestContext.of("route", "/api=nope")));
        assertEquals("no handler named 'nope'; available: welcome (--route /api=nope)", e.getMessage());
    }

    @Test
    void routesMountHandlersAndLeaveOtherPathsNotFound() throws Exception {
        MemoryConnection c = new MemoryConnection().thenRead("GET /w/x HTTP/1.1\r\nHost: h\r\n\r\n"
                + "GET /other HTTP/1.1\r\nHost: h\r\n\r\n");
        new Http1Process().prepare(TestContext.of("route", "/w=welcome")).serve(c);
        List<WireResponse> responses = WireResponse.parseAll(c.output());
        assertEquals(200, responses.get(0).status());
        assertEquals(404, responses.get(1).status());
    }
}
