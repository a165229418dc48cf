package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The websocket process and the http1 upgrade against independent clients: Debian's
 * python3-websockets and Node's ws (Debian node-ws), each checking echo, fragmentation,
 * permessage-deflate and close codes.
 */
class WebSocketPeersTest {

    /** The Debian python, which has python3-websockets (a pyenv python on PATH may not). */
    private static final String PYTHON = "/usr/bin/python3";

    /** Where Debian's node-ws lives; NodeSource's node does not look there by itself. */
    private static final String NODE_PATH = "/usr/share/nodejs:/usr/lib/nodejs";

    private static final String PYTHON_CLIENT = """
            import asyncio, sys, websockets
            url = sys.argv[1]
            async def main():
                async with websockets.connect(url) as ws:
                    print("ext", ws.response_headers.get("Sec-WebSocket-Extensions"))
                    await ws.send("héllo ☃")
                    print("text", await ws.recv() == "héllo ☃")
                    data = bytes(range(256)) * 40
                    await ws.send(data)
                    print("binary", await ws.recv() == data)
                    await ws.send(["frag", "ment", "ed ☃", ""])
                    print("fragmented", await ws.recv())
                    await ws.close(4001, "bye")
                    print("close", ws.close_code)
                async with websockets.connect(url, max_size=None) as ws:
                    await ws.send(bytes(70000))
                    try:
                        await ws.recv()
                        print("too big: echoed")
                    except websockets.exceptions.ConnectionClosed:
                        print("too big", ws.close_code)
            asyncio.run(main())
            """;

    private static final String NODE_CLIENT = """
            const WebSocket = require('ws');
            let finished = false;
            process.on('exit', () => { if (!finished) { console.log('ended early'); process.exitCode = 1; } });
            const url = process.env.WS_URL;
            const open = () => new Promise((resolve, reject) => {
              const ws = new WebSocket(url);
              ws.once('open', () => resolve(ws));
              ws.once('error', reject);
            });
            const next = (ws) => new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
            const closed = (ws) => new Promise((resolve) => ws.once('close', (code) => resolve(code)));
            (async () => {
              let ws = await open();
              console.log('ext', ws.extensions);
              ws.send('héllo ☃');
              let m = await next(ws);
              console.log('text', !m.isBinary && m.data.toString() === 'héllo ☃');
              const data = Buffer.from(Array.from({ length: 60000 }, (_, i) => (i * 31) & 0xff));
              ws.send(data);
              m = await next(ws);
              console.log('binary', m.isBinary && Buffer.compare(m.data, data) === 0);
              ws.send('frag', { fin: false });
              ws.send('ment', { fin: false });
              ws.send('ed ☃', { fin: true });
              m = await next(ws);
              console.log('fragmented', m.data.toString());
              const done = closed(ws);
              ws.close(4002, 'bye');
              console.log('close', await done);
              ws = await open();
              const tooBig = closed(ws);
              ws.send(Buffer.alloc(70000));
              console.log('too big', await tooBig);
              finished = true;
            })().catch((e) => { console.error(e); process.exit(1); });
            """;

    @RegisterExtension
    final Servers servers = new Servers();

    private static List<String> lines(String output) {
        return output.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String python(int port, String path) throws Exception {
        return PeerProgram.run(List.of(PYTHON, "-c", PYTHON_CLIENT, "ws://127.0.0.1:" + port + path), Map.of(),
                Duration.ofSeconds(60)).ok();
    }

    @Test
    void pythonWebsocketsClientGetsEchoFragmentsDeflateAndCloseCodes() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--process", "websocket",
                "--ws-max-message", "65536");
        assertEquals(List.of("ext permessage-deflate", "text True", "binary True", "fragmented fragmented ☃",
                "close 4001", "too big 1009"), lines(python(server.port(), "/")));
    }

    @Test
    void nodeWsClientGetsEchoFragmentsDeflateAndCloseCodes() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--process", "websocket",
                "--ws-max-message", "65536");
        String out = PeerProgram.run(List.of("node", "-e", NODE_CLIENT),
                Map.of("NODE_PATH", NODE_PATH, "WS_URL", "ws://127.0.0.1:" + server.port() + "/"),
                Duration.ofSeconds(60)).ok();
        assertEquals(List.of("ext permessage-deflate", "text true", "binary true", "fragmented fragmented ☃",
                "close 4002", "too big 1009"), lines(out));
    }

    @Test
    void http1ServesAnEndpointMountedWithWsEndpointBesideItsHandler() throws Exception {
        ServerProcess server = servers.start("--port", "0", "--worker", "1", "--ws-endpoint", "/ws=echo",
                "--ws-max-message", "65536", "--ws-deflate", "false", "--access-log");
        assertEquals(List.of("ext None", "text True", "binary True", "fragmented fragmented ☃", "close 4001",
                "too big 1009"), lines(python(server.port(), "/ws")));
        HttpExchange page = HttpExchange.get(server.port(), "/ws");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("Starling"), "a plain GET still gets the welcome page: " + page.body());
        // Each session is logged when it ends, as a 101 with its duration.
        server.awaitLogged(Duration.ofSeconds(10), () -> server.output().contains("\"GET /ws HTTP/1.1\" 101 "),
                "an access log line for the WebSocket session");
    }
}
