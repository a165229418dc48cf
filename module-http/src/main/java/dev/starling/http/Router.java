package dev.starling.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Handler} that passes each request to the handler of the first route whose method
 * and path template match, with the template's parameters in {@link Request#pathParameters()}.
 *
 * <pre>{@code
 * Router router = Router.builder()
 *         .get("/users/{id}", request -> Response.ok("user " + request.pathParameter("id")))
 *         .route("PUT", "/users/{id}", this::saveUser)
 *         .build();
 * }</pre>
 *
 * <p><b>Templates.</b> A template starts with {@code /} and is split at {@code /} into segments;
 * a segment is either literal text, matched exactly (case-sensitively), or a whole-segment
 * parameter {@code {name}}, where {@code name} is a Java-style identifier, matching any one
 * non-empty segment. Matching is against {@link Request#path()}, which is already
 * percent-decoded and normalized, so a parameter value is decoded text and never holds a
 * {@code /} ({@code %2F} separates segments there too). A trailing slash is significant:
 * {@code /a/} and {@code /a} are different templates.
 *
 * <p><b>Outcomes.</b>
 * <ul>
 *   <li>Routes are tried in the order they were added; the first whose template matches the
 *       path and whose method is the request's gets the request. A {@code GET} route also
 *       answers {@code HEAD} (the server sends no body) unless a {@code HEAD} route matches
 *       first.</li>
 *   <li>When templates match the path but none for the request's method: {@code 405 Method Not
 *       Allowed} with {@code Allow} listing the methods those routes take (RFC 9110 §15.5.6).</li>
 *   <li>When no template matches the path: {@code 404 Not Found}.</li>
 * </ul>
 * Neither error body repeats the request's path. Immutable and thread-safe once built.
 */
public final class Router implements Handler {

    private static final Response NOT_FOUND = Response.of(Status.NOT_FOUND, "404 Not Found\n");

    private final List<Route> routes;

    private Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** A builder that adds routes in order. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response handle(Request request) throws Exception {
        String[] segments = split(request.path());
        Set<String> allowed = null;
        Route getForHead = null;
        Map<String, String> getParameters = null;
        for (Route route : routes) {
            Map<String, String> parameters = route.match(segments);
            if (parameters == null) {
                continue;
            }
            if (route.method.equals(request.method())) {
                return route.handler.handle(parameters.isEmpty() ? request : request.withPathParameters(parameters));
            }
            if (getForHead == null && "HEAD".equals(request.method()) && "GET".equals(route.method)) {
                getForHead = route;
                getParameters = parameters;
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(route.method);
            if ("GET".equals(route.method)) {
                allowed.add("HEAD");
            }
        }
        if (getForHead != null) {
            return getForHead.handler.handle(getParameters.isEmpty() ? request : request.withPathParameters(getParameters));
        }
        if (allowed == null) {
            return NOT_FOUND;
        }
        return Response.of(Status.METHOD_NOT_ALLOWED, "405 Method Not Allowed\n").withHeader("Allow", String.join(", ", allowed));
    }

    /** Segments of a path that starts with {@code /}: {@code "/a/b/"} gives {@code ["a", "b", ""]}. */
    private static String[] split(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null; // "*" of OPTIONS *: no template matches it
        }
        return path.substring(1).split("/", -1);
    }

    /** Non-blocking when every route's handler is (see {@link Handler#nonBlocking()}). */
    @Override
    public boolean nonBlocking() {
        return routes.stream().allMatch(route -> route.handler.nonBlocking());
    }

    @Override
    public String toString() {
        return "Router" + routes;
    }

    /** Collects routes in order; not thread-safe. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a route.
         *
         * @param method   a method token, case-sensitive, e.g. {@code "GET"}
         * @param template a path template as the class documentation describes
         * @throws IllegalArgumentException when the method is not a token, or the template does
         *         not start with {@code /}, repeats a parameter name, or has a malformed
         *         {@code {name}} segment
         */
        public Builder route(String method, String template, Handler handler) {
            routes.add(new Route(method, template, Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** Adds a {@code GET} route, which also answers {@code HEAD}. */
        public Builder get(String template, Handler handler) {
            return route("GET", template, handler);
        }

        /** Adds a {@code POST} route. */
        public Builder post(String template, Handler handler) {
            return route("POST", template, handler);
        }

        /** Adds a {@code PUT} route. */
        public Builder put(String template, Handler handler) {
            return route("PUT", template, handler);
        }

        /** Adds a {@code DELETE} route. */
        public Builder delete(String template, Handler handler) {
            return route("DELETE", template, handler);
        }

        /** The router; the builder may go on adding routes for another. */
        public Router build() {
            return new Router(routes);
        }
    }

    /** One method and template; {@code names[i]} is the parameter at segment i, or null for a literal. */
    private record Route(String method, String template, Handler handler, String[] literals, String[] names) {

        Route(String method, String template, Handler handler) {
            this(method, template, handler, parse(method, template, true), parse(method, template, false));
        }

        /** The literal segments ({@code literals}) or the parameter names ({@code !literals}), index for index. */
        private static String[] parse(String method, String template, boolean literals) {
            if (!dev.starling.http.internal.Ascii.isToken(Objects.requireNonNull(method, "method"))) {
                throw new IllegalArgumentException("route method '" + method + "' is not a token (RFC 9110 §9.1)");
            }
            if (template.isEmpty() || template.charAt(0) != '/') {
                throw new IllegalArgumentException("route template '" + template + "' must start with '/'");
            }
            String[] segments = template.substring(1).split("/", -1);
            String[] result = new String[segments.length];
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < segments.length; i++) {
                String segment = segments[i];
                boolean parameter = segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2;
                if (parameter) {
                    String name = segment.substring(1, segment.length() - 1);
                    if (!isIdentifier(name)) {
                        throw new IllegalArgumentException("route template '" + template + "': parameter {" + name
                                + "} is not a name of letters, digits and '_' starting with a letter or '_'");
                    }
                    if (!seen.add(name)) {
                        throw new IllegalArgumentException("route template '" + template + "' repeats parameter {" + name + "}");
                    }
                    result[i] = literals ? null : name;
                } else {
                    if (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0) {
                        throw new IllegalArgumentException("route template '" + template + "': a parameter must be a"
                                + " whole segment, as in /users/{id}");
                    }
                    result[i] = literals ? segment : null;
                }
            }
            return result;
        }

        private static boolean isIdentifier(String name) {
            if (name.isEmpty() || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
                return false;
            }
            return name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
        }

        /** The parameters when {@code segments} match, else {@code null}. */
        Map<String, String> match(String[] segments) {
            if (segments == null || segments.length != names.length) {
                return null;
            }
            Map<String, String> parameters = null;
            for (int i = 0; i < segments.length; i++) {
                if (names[i] == null) {
                    if (!literals[i].equals(segments[i])) {
                        return null;
                    }
                } else {
                    if (segments[i].isEmpty()) {
                        return null;
                    }
                    if (parameters == null) {
                        parameters = new LinkedHashMap<>();
                    }
                    parameters.put(names[i], segments[i]);
                }
            }
            return parameters == null ? Map.of() : parameters;
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }
}
