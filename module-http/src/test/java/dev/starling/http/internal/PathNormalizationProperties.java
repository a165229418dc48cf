package dev.starling.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PathNormalizationProperties {

    @Provide
    Arbitrary<String> dottedPaths() {
        Arbitrary<String> part = Arbitraries.of("..", "%2e%2e", "%2E%2e", ".%2E", ".", "%2e", "", "a", "b", "etc", "passwd",
                "..a", "a..", "...", "x%20y");
        Arbitrary<String> separator = Arbitraries.of("/", "//", "\\", "%2F", "%2f", "%5C", "/./");
        return part.list().ofMaxSize(12).flatMap(parts ->
                separator.list().ofSize(parts.size()).map(seps -> {
                    StringBuilder sb = new StringBuilder("/");
                    for (int i = 0; i < parts.size(); i++) {
                        sb.append(parts.get(i)).append(i + 1 < parts.size() ? seps.get(i) : "");
                    }
                    return sb.toString();
                }));
    }

    @Property
    void neverClimbsAboveTheRoot(@ForAll("dottedPaths") String target) {
        String path = RequestTarget.parse(target, "GET").path();
        assertTrue(path.startsWith("/"), path);
        assertFalse(path.contains("//"), path);
        assertFalse(path.contains("\\"), path);
        List<String> segments = List.of(path.substring(1).split("/"));
        assertFalse(segments.contains(".."), path);
        assertFalse(segments.contains("."), path);
    }

    @Property
    void staysInsideADirectoryItIsResolvedAgainst(@ForAll("dottedPaths") String target) {
        Path root = Path.of("/srv/www");
        String path = RequestTarget.parse(target, "GET").path();
        assertTrue(root.resolve(path.substring(1)).normalize().startsWith(root), path);
    }

    @Property
    void isAlreadyNormalAfterOnePass(@ForAll("dottedPaths") String target) {
        String path = RequestTarget.parse(target, "GET").path();
        assertEquals(path, RequestTarget.normalizePath(reencode(path)));
    }

    /** Encodes each segment so that only the slashes between them stay literal. */
    private static String reencode(String path) {
        StringBuilder sb = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            sb.append('/').append(PercentCodec.encode(segment));
        }
        return sb.toString();
    }
}
