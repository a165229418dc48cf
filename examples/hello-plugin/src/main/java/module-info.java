/** The {@code hello} handler: a Starling plugin. */
module com.example.hello {
    requires dev.starling.http;

    provides dev.starling.http.Handler with com.example.hello.HelloHandler;
}
