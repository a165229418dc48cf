package dev.starling.http.internal;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The handlers of {@code --route /PATH=NAME}: each request goes to the handler mounted at the
 * longest path prefix that matches whole segments of {@link Request#path()} ({@code /api}
 * matches {@code /api} and {@code /api/x}, not {@code /apix}); {@code /} matches every path.
 * The handler sees the path without its prefix ({@code /api/x} as {@code /x}, {@code /api} as
 * {@code /}); the request-target stays as received. A path no mount matches goes to the
 * {@code --handler} if one was given, else gets {@code 404}. Immutable and thread-safe.
 */
final class PathMounts implements Handler {

    private static final Response NOT_FOUND = Response.of(Status.NOT_FOUND, "404 Not Found\n");

    /** One {@code --route}: a prefix in the form {@link #parse} checks, and the name of its handler. */
    record Route(String prefix, String handlerName) {
        @Override
        public String toString() {
            return prefix + "=" + handlerName;
        }
    }

    /** A route with its handler found. */
    record Mount(String prefix, Handler handler) {
    }

    private final List<Mount> mounts;
    private final Handler rest;

    /**
     * @param mounts the mounts, in any order
     * @param rest   what answers paths no mount matches, or {@code null} for {@code 404}
     */
    PathMounts(List<Mount> mounts, Handler rest) {
        this.mounts = mounts.stream().sorted(Comparator.comparingInt((Mount m) -> m.prefix().length()).reversed()).toList();
        this.rest = rest;
    }

    /**
     * Reads the {@code route} setting: routes separated by {@code ,}, each {@code /PATH=NAME}.
     * A prefix is {@code /} or segments each preceded by {@code /}, none empty, {@code .} or
     * {@code ..}, without spaces, control characters, {@code ?}, {@code #}, {@code =} or
     * {@code ,}: it is matched against the decoded, normalized path, which has none of those forms.
     *
     * @throws IllegalArgumentException naming {@code --route} and the route, when one is
     *         malformed or a prefix is given twice
     */
    static List<Route> parse(String setting) {
        List<Route> routes = new ArrayList<>();
        Set<String> prefixes = new HashSet<>();
        for (String route : setting.split(",", -1)) {
            int eq = route.indexOf('=');
            String prefix = eq < 0 ? route : route.substring(0, eq);
            String name = eq < 0 ? "" : route.substring(eq + 1).trim();
            if (!validPrefix(prefix) || name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("--route '" + route + "' must be /PATH=NAME: a path of whole segments"
                        + " (no spaces, '?', '#', '=', ',', empty, '.' or '..' segments, no trailing '/') and a handler name");
            }
            if (!prefixes.add(prefix)) {
                throw new IllegalArgumentException("--route " + prefix + " is given twice");
            }
            routes.add(new Route(prefix, name));
        }
        return routes;
    }

    private static boolean validPrefix(String prefix) {
        if (prefix.equals("/")) {
            return true;
        }
        if (!prefix.startsWith("/") || prefix.endsWith("/")) {
            return false;
        }
        for (String segment : prefix.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.chars().anyMatch(c -> c <= ' ' || c == 0x7f || "?#=,".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** Non-blocking when every mounted handler, and the one for the rest, is. */
    @Override
    public boolean nonBlocking() {
        return mounts.stream().allMatch(m -> m.handler().nonBlocking()) && (rest == null || rest.nonBlocking());
    }

    @Override
    public Response handle(Request request) throws Exception {
        String path = request.path();
        for (Mount mount : mounts) {
            String prefix = mount.prefix();
            if (prefix.equals("/")) {
                return mount.handler().handle(request);
            }
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                String rest = path.length() == prefix.length() ? "/" : path.substring(prefix.length());
                return mount.handler().handle(new Request(request.method(), request.target(), rest, request.query(),
                        request.headers(), request.version(), request.remoteAddress(), request.localAddress(),
                        request.requestId(), request.pathParameters(), request.body()));
            }
        }
        return rest == null ? NOT_FOUND : rest.handle(request);
    }

    @Override
    public String toString() {
        String routes = mounts.stream().map(m -> m.prefix() + " -> " + m.handler().name()).collect(Collectors.joining(", "));
        boolean everyPath = mounts.getLast().prefix().equals("/");
        return everyPath ? routes : routes + ", other paths -> " + (rest == null ? "404" : rest.name());
    }
}
