package dev.starling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routing by method and path template. */
class RouterTest {

    private static final Router ROUTER = Router.builder()
            .get("/users", request -> Response.ok("list"))
            .get("/users/{id}", request -> Response.ok("user " + request.pathParameter("id")))
            .put("/users/{id}", request -> Response.ok("put " + request.pathParameter("id")))
            .get("/users/{id}/posts/{post}", request -> Response.ok(request.pathParameters().toString()))
            .route("PROPFIND", "/dav/", request -> Response.ok("dav"))
            .build();

    private static String body(Response response) {
        Response.Body.Bytes bytes = (Response.Body.Bytes) response.body();
        return StandardCharsets.UTF_8.decode(bytes.content().duplicate()).toString();
    }

    private static Response handle(String method, String target) throws Exception {
        return ROUTER.handle(Request.of(method, target));
    }

    @Test
    void routesByMethodAndLiteralPath() throws Exception {
        assertEquals("list", body(handle("GET", "/users")));
        assertEquals("dav", body(handle("PROPFIND", "/dav/")));
    }

    @Test
    void givesTemplateParametersToTheHandlerDecoded() throws Exception {
        assertEquals("user 42", body(handle("GET", "/users/42")));
        assertEquals("user ann smith", body(handle("GET", "/users/ann%20smith")));
        assertEquals("put 7", body(handle("PUT", "/users/7")));
        assertEquals("{id=1, post=2}", body(handle("GET", "/users/1/posts/2?x=y")));
    }

    @Test
    void answers404WhenNoTemplateMatchesWithoutEchoingThePath() throws Exception {
        for (String target : new String[] {"/nope", "/users/", "/users/1/posts", "/Users", "/dav"}) {
            Response r = handle("GET", target);
            assertEquals(404, r.status().code(), target);
            assertFalse(body(r).contains(target.substring(1)), body(r));
        }
    }

    @Test
    void answers405WithAllowWhenThePathMatchesButNotTheMethod() throws Exception {
        Response r = handle("DELETE", "/users/9");
        assertEquals(405, r.status().code());
        assertEquals("GET, HEAD, PUT", r.headers().first("Allow").orElseThrow());
    }

    @Test
    void aGetRouteAlsoAnswersHead() throws Exception {
        assertEquals("user 3", body(handle("HEAD", "/users/3")));
    }

    @Test
    void firstMatchingRouteWins() throws Exception {
        Router router = Router.builder()
                .get("/a/{x}", request -> Response.ok("param"))
                .get("/a/b", request -> Response.ok("literal"))
                .build();
        assertEquals("param", body(router.handle(Request.of("GET", "/a/b"))));
    }

    @Test
    void asteriskFormMatchesNoRoute() throws Exception {
        assertEquals(404, ROUTER.handle(Request.of("OPTIONS", "*")).status().code());
    }

    @Test
    void missingPathParameterNamesTheTemplatesParameters() {
        Request request = Request.of("GET", "/x").withPathParameters(Map.of("id", "1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request.pathParameter("name"));
        assertEquals("no path parameter 'name'; the route's template has [id]", e.getMessage());
    }

    @Test
    void rejectsMalformedTemplatesWhenTheRouteIsAdded() {
        Router.Builder b = Router.builder();
        Handler h = request -> Response.ok("");
        assertEquals("route template 'users' must start with '/'",
                assertThrows(IllegalArgumentException.class, () -> b.get("users", h)).getMessage());
        assertEquals("route template '/a/{id}/{id}' repeats parameter {id}",
                assertThrows(IllegalArgumentException.class, () -> b.get("/a/{id}/{id}", h)).getMessage());
        assertEquals("route template '/a/x{id}': a parameter must be a whole segment, as in /users/{id}",
                assertThrows(IllegalArgumentException.class, () -> b.get("/a/x{id}", h)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.get("/a/{1x}", h));
        assertThrows(IllegalArgumentException.class, () -> b.route("GE T", "/", h));
    }
}
