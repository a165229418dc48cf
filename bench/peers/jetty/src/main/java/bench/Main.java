package bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** Jetty 12 core (no servlets): one non-blocking Handler, default thread pool and connector sizing. */
public final class Main {

    private static final ByteBuffer HELLO = ByteBuffer.wrap("Hello, World!".getBytes(StandardCharsets.US_ASCII));
    private static final String MESSAGE = "Hello, World!";

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setSendDateHeader(true);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                ByteBuffer body;
                String type;
                switch (request.getHttpURI().getPath()) {
                    case "/" -> {
                        body = HELLO.duplicate();
                        type = "text/plain";
                    }
                    case "/json" -> {
                        body = ByteBuffer.wrap(("{\"message\":\"" + MESSAGE + "\"}").getBytes(StandardCharsets.UTF_8));
                        type = "application/json";
                    }
                    default -> {
                        return false; // Jetty answers 404
                    }
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
                response.write(true, body, callback);
                return true;
            }
        });
        server.start();
        System.out.println("jetty " + Server.getVersion() + " listening on 127.0.0.1:" + port);
        server.join();
    }
}
