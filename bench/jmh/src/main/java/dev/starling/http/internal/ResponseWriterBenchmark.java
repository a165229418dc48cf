package dev.starling.http.internal;

import dev.starling.http.Response;
import dev.starling.http.Status;
import dev.starling.http.Version;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The response writer framing a small fixed response into a connection that discards it. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResponseWriterBenchmark {

    private static final Response HELLO = Response.ok("Hello, World!");
    private static final Response PAGE = Response.of(Status.OK)
            .withHeader("Content-Type", "text/html; charset=utf-8")
            .withHeader("Cache-Control", "no-store")
            .withHeader("X-Worker-Pid", "12345")
            .withBody("<!DOCTYPE html><html><body><h1>Starling</h1></body></html>\n");

    private DiscardingConnection connection;
    private ResponseWriter writer;

    @Setup
    public void setUp() {
        connection = new DiscardingConnection();
        writer = new ResponseWriter(connection, "Starling/0.1.0");
    }

    @Benchmark
    public boolean hello() throws IOException {
        return writer.send(HELLO, Version.HTTP_1_1, false, true, "2bx.m1k3c9-5f");
    }

    @Benchmark
    public boolean page() throws IOException {
        return writer.send(PAGE, Version.HTTP_1_1, false, true, "2bx.m1k3c9-5f");
    }
}
