package dev.starling.http;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Wraps a {@link Handler} with work done before and after it: logging, authentication, headers
 * every response carries. A filter gets the next handler and returns a handler that may call
 * it, change the request on the way in, change the response on the way out, or answer itself
 * without calling it (an authentication filter answering {@code 401}).
 *
 * <pre>{@code
 * Filter auth = next -> request -> request.header("Authorization").isPresent()
 *         ? next.handle(request)
 *         : Response.of(Status.UNAUTHORIZED);
 * Handler app = Filter.chain(router, Filter.after((request, response) ->
 *         response.withHeader("Cache-Control", "no-store")), auth);
 * }</pre>
 *
 * <p><b>Contract.</b> {@link #apply} is called once, when the chain is built, not per request;
 * the handler it returns is called as any handler is: concurrently, on each request's own
 * thread (see {@link Handler}). An exception thrown by a filter's handler is treated as one
 * thrown by the application's handler: the client gets a {@code 500} that reveals nothing.
 */
@FunctionalInterface
public interface Filter {

    /**
     * Wraps {@code next}.
     *
     * @param next the handler (or the rest of the chain) this filter passes requests on to
     * @return the wrapped handler, never {@code null}
     */
    Handler apply(Handler next);

    /**
     * Whether the handlers this filter returns never block beyond what their {@code next} does,
     * so that a {@link #chain} of a {@link Handler#nonBlocking() non-blocking} handler stays
     * non-blocking. The default is {@code false}, since a filter written as a lambda cannot say;
     * a filter class that only computes (headers, a token check against memory) may override it.
     */
    default boolean nonBlocking() {
        return false;
    }

    /** A filter that runs this one outside {@code inner}: requests pass this, then {@code inner}. */
    default Filter andThen(Filter inner) {
        Objects.requireNonNull(inner, "inner");
        return next -> apply(inner.apply(next));
    }

    /**
     * {@code handler} wrapped by {@code filters}, the first outermost: a request passes
     * {@code filters[0]}, then {@code filters[1]}, ..., then reaches {@code handler}. The result
     * answers {@link Handler#name()} with {@code handler}'s name, and is
     * {@link Handler#nonBlocking() non-blocking} when {@code handler} and every filter are.
     */
    static Handler chain(Handler handler, Filter... filters) {
        Objects.requireNonNull(handler, "handler");
        boolean nonBlocking = handler.nonBlocking() && java.util.Arrays.stream(filters).allMatch(Filter::nonBlocking);
        Handler wrapped = handler;
        for (int i = filters.length - 1; i >= 0; i--) {
            wrapped = Objects.requireNonNull(filters[i].apply(wrapped), "a filter returned a null handler");
        }
        Handler chain = wrapped;
        return new Handler() {
            @Override
            public Response handle(Request request) throws Exception {
                return chain.handle(request);
            }

            @Override
            public String name() {
                return handler.name();
            }

            @Override
            public boolean nonBlocking() {
                return nonBlocking;
            }
        };
    }

    /** A filter that replaces each request with what {@code step} returns before passing it on. */
    static Filter before(UnaryOperator<Request> step) {
        Objects.requireNonNull(step, "step");
        return next -> request -> next.handle(step.apply(request));
    }

    /**
     * A filter that replaces each response with what {@code step} returns, given the request and
     * the response the next handler answered with; not called when the next handler throws.
     */
    static Filter after(BiFunction<Request, Response, Response> step) {
        Objects.requireNonNull(step, "step");
        return next -> request -> step.apply(request, next.handle(request));
    }
}
