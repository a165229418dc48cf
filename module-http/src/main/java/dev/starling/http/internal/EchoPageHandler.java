package dev.starling.http.internal;

import dev.starling.http.Handler;
import dev.starling.http.Request;
import dev.starling.http.Response;
import dev.starling.http.Status;

/**
 * The page the {@code websocket} process serves at {@code /} to plain HTTP requests: it opens a
 * WebSocket to the same address, sends a text and a binary message, and shows whether both came
 * back unchanged ({@code PASS} or {@code FAIL ...} in the element {@code #status}). The browser
 * test loads it in Chromium; people can load it to see that the server works. Other paths: 404.
 */
final class EchoPageHandler implements Handler {

    private static final Response PAGE = Response.of(Status.OK)
            .withHeader("Content-Type", "text/html; charset=utf-8")
            .withHeader("Cache-Control", "no-store")
            .withBody("""
                    <!DOCTYPE html>
                    <html><head><meta charset="utf-8"><title>Starling WebSocket echo</title></head>
                    <body><h1>Starling WebSocket echo</h1><pre id="status">connecting</pre>
                    <script>
                    const status = document.getElementById('status');
                    const text = 'h\\u00e9llo \\u2603 \\ud83d\\udc26 ' + 'x'.repeat(200);
                    const binary = new Uint8Array(70000).map((_, i) => (i * 7) & 0xff);
                    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
                    ws.binaryType = 'arraybuffer';
                    const got = [];
                    ws.onopen = () => { status.textContent = 'open'; ws.send(text); ws.send(binary); };
                    ws.onmessage = (e) => {
                      got.push(e.data);
                      if (got.length < 2) return;
                      const textOk = got[0] === text;
                      const echoed = new Uint8Array(got[1]);
                      const binaryOk = echoed.length === binary.length && echoed.every((b, i) => b === binary[i]);
                      status.textContent = textOk && binaryOk ? 'PASS' : 'FAIL text=' + textOk + ' binary=' + binaryOk;
                      ws.close(1000, 'done');
                    };
                    ws.onerror = () => { status.textContent = 'FAIL error'; };
                    ws.onclose = (e) => { document.title = 'closed ' + e.code; };
                    </script></body></html>
                    """);

    private static final Response NOT_FOUND = Response.of(Status.NOT_FOUND, "404 Not Found\n");

    @Override
    public String name() {
        return "echo-page";
    }

    @Override
    public Response handle(Request request) {
        return request.path().equals("/") ? PAGE : NOT_FOUND;
    }
}
