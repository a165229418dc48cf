package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Filters compose around a handler in a predictable order and may answer without it. */
class FilterTest {

    private static String body(Response response) {
        return StandardCharsets.UTF_8.decode(((Response.Body.Bytes) response.body()).content().duplicate()).toString();
    }

    private static Filter tracing(String name, List<String> trace) {
        return next -> request -> {
            trace.add(name + " before");
            Response response = next.handle(request);
            trace.add(name + " after");
            return response;
        };
    }

    @Test
    void theFirstFilterIsOutermost() throws Exception {
        List<String> trace = new ArrayList<>();
        Handler app = Filter.chain(request -> {
            trace.add("handler");
            return Response.ok("x");
        }, tracing("a", trace), tracing("b", trace));
        app.handle(Request.of("GET", "/"));
        assertEquals(List.of("a before", "b before", "handler", "b after", "a after"), trace);
    }

    @Test
    void andThenComposesTheSameWayAsChain() throws Exception {
        List<String> trace = new ArrayList<>();
        Filter ab = tracing("a", trace).andThen(tracing("b", trace));
        ab.apply(request -> Response.ok("x")).handle(Request.of("GET", "/"));
        assertEquals(List.of("a before", "b before", "b after", "a after"), trace);
    }

    @Test
    void aFilterMayAnswerWithoutCallingTheHandler() throws Exception {
        Filter auth = next -> request -> request.header("Authorization").isPresent()
                ? next.handle(request) : Response.of(Status.UNAUTHORIZED);
        Handler app = Filter.chain(request -> Response.ok("secret"), auth);
        assertEquals(401, app.handle(Request.of("GET", "/")).status().code());
        assertEquals("secret", body(app.handle(Request.of("GET", "/").withHeaders(Headers.of("Authorization", "x")))));
    }

    @Test
    void beforeChangesTheRequestAndAfterTheResponse() throws Exception {
        Handler app = Filter.chain(request -> Response.ok(request.header("X-User").orElse("none")),
                Filter.after((request, response) -> response.withHeader("Cache-Control", "no-store")),
                Filter.before(request -> request.withHeaders(request.headers().with("X-User", "ann"))));
        Response r = app.handle(Request.of("GET", "/"));
        assertEquals("ann", body(r));
        assertEquals("no-store", r.headers().first("Cache-Control").orElseThrow());
    }

    @Test
    void theChainKeepsTheHandlersName() {
        Handler named = new Handler() {
            @Override
            public Response handle(Request request) {
                return Response.ok("");
            }

            @Override
            public String name() {
                return "shop";
            }
        };
        assertEquals("shop", Filter.chain(named, Filter.before(r -> r)).name());
    }
}
