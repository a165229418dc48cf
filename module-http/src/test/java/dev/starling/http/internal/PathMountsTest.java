package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathMountsTest {

    /** Answers with its own name and the path it saw. */
    private static Handler echoing(String name) {
        return request -> Response.ok(name + " " + request.path());
    }

    private static String answer(PathMounts mounts, String target) throws Exception {
        Response response = mounts.handle(Request.of("GET", target));
        if (response.status().code() != 200) {
            return Integer.toString(response.status().code());
        }
        return java.nio.charset.StandardCharsets.UTF_8.decode(((Response.Body.Bytes) response.body()).content()).toString();
    }

    @ParameterizedTest
    @CsvSource({
            "/api/users/1, api /users/1",
            "/api, api /",
            "/api/, api /",
            "/apix, 404",
            "/api/v2/x, v2 /x",
            "/api/v2, v2 /",
            "/, 404",
    })
    void theLongestWholeSegmentPrefixWinsAndIsStripped(String target, String expected) throws Exception {
        PathMounts mounts = new PathMounts(List.of(new PathMounts.Mount("/api", echoing("api")),
                new PathMounts.Mount("/api/v2", echoing("v2"))), null);
        assertEquals(expected, answer(mounts, target));
    }

    @Test
    void theRootMountAndTheRestHandlerTakeWhatNoOtherPrefixMatches() throws Exception {
        assertEquals("root /x", answer(new PathMounts(List.of(new PathMounts.Mount("/", echoing("root")),
                new PathMounts.Mount("/a", echoing("a"))), echoing("rest")), "/x"));
        assertEquals("rest /x", answer(new PathMounts(List.of(new PathMounts.Mount("/a", echoing("a"))), echoing("rest")), "/x"));
    }

    @Test
    void parsesRoutesInOrder() {
        assertEquals(List.of(new PathMounts.Route("/api", "hello"), new PathMounts.Route("/", "welcome")),
                PathMounts.parse("/api=hello,/=welcome"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api=hello", "/api/=hello", "/a//b=hello", "/a/../b=hello", "/a b=hello", "/api=", "/api",
            "/a?b=hello", "/api=a=b"})
    void refusesMalformedRoutesNamingTheFlag(String route) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathMounts.parse(route));
        assertEquals("--route '" + route + "' must be /PATH=NAME: a path of whole segments (no spaces, '?', '#', '=',"
                + " ',', empty, '.' or '..' segments, no trailing '/') and a handler name", e.getMessage());
    }

    @Test
    void refusesAPrefixGivenTwice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathMounts.parse("/a=x,/a=y"));
        assertEquals("--route /a is given twice", e.getMessage());
    }
}
