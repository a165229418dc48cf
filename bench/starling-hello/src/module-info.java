/** The benchmark's hello-world handler for Starling: {@code --handler bench-hello}. */
module dev.starling.bench.hello {
    requires dev.starling.http;
    provides dev.starling.http.Handler with dev.starling.bench.hello.HelloHandler;
}
