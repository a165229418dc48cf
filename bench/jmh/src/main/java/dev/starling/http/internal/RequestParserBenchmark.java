package dev.starling.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The request parser on a complete head in one buffer, as after one read: wrk's request and a browser's. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestParserBenchmark {

    private static final String WRK = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    private static final String BROWSER = """
            GET /articles/2024/starling?page=2&sort=new HTTP/1.1\r
            Host: www.example.com\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r
            Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r
            Accept-Language: en-US,en;q=0.5\r
            Accept-Encoding: gzip, deflate, br\r
            Connection: keep-alive\r
            Cookie: session=4f2a9c1e7b; theme=dark; consent=1\r
            Upgrade-Insecure-Requests: 1\r
            Sec-Fetch-Dest: document\r
            Sec-Fetch-Mode: navigate\r
            Sec-Fetch-Site: none\r
            \r
            """;

    @Param({"wrk", "browser"})
    public String request;

    private RequestParser parser;
    private ByteBuffer buffer;

    @Setup
    public void setUp() {
        parser = new RequestParser(8192, 8192, 10 * 1024 * 1024);
        buffer = ByteBuffer.wrap(("wrk".equals(request) ? WRK : BROWSER).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Benchmark
    public RequestHead parse() throws RequestRejected {
        buffer.position(0);
        return parser.parse(buffer);
    }
}
