package dev.starling.http.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A response as read back from captured bytes, by a deliberately independent, simple reader.
 *
 * @param status  the status code
 * @param headers lower-cased names to values, in order
 * @param body    the content, de-chunked
 * @param chunked whether it was sent chunked
 */
record WireResponse(int status, Map<String, List<String>> headers, String body, boolean chunked) {

    Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? Optional.empty() : Optional.of(values.getFirst());
    }

    boolean closes() {
        return header("connection").map(v -> v.equalsIgnoreCase("close")).orElse(false);
    }

    /** Reads every response in {@code wire}; responses at indexes in {@code headIndexes} answer HEAD. */
    static List<WireResponse> parseAll(String wire, int... headIndexes) {
        List<WireResponse> responses = new ArrayList<>();
        int p = 0;
        while (p < wire.length()) {
            int headEnd = wire.indexOf("\r\n\r\n", p);
            if (headEnd < 0) {
                throw new AssertionError("incomplete response head: " + wire.substring(p));
            }
            String[] lines = wire.substring(p, headEnd).split("\r\n");
            if (!lines[0].startsWith("HTTP/1.1 ")) {
                throw new AssertionError("bad status line: " + lines[0]);
            }
            int status = Integer.parseInt(lines[0].substring(9, 12));
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
            p = headEnd + 4;
            if (status < 200) {
                responses.add(new WireResponse(status, headers, "", false));
                continue;
            }
            boolean head = false;
            for (int h : headIndexes) {
                head |= h == responses.size();
            }
            boolean chunked = headers.containsKey("transfer-encoding");
            StringBuilder body = new StringBuilder();
            if (head || status == 204 || status == 304) {
                // no content
            } else if (chunked) {
                while (true) {
                    int lineEnd = wire.indexOf("\r\n", p);
                    int size = Integer.parseInt(wire.substring(p, lineEnd), 16);
                    p = lineEnd + 2;
                    if (size == 0) {
                        if (!wire.startsWith("\r\n", p)) {
                            throw new AssertionError("no CRLF after the last chunk");
                        }
                        p += 2;
                        break;
                    }
                    body.append(wire, p, p + size);
                    p += size;
                    if (!wire.startsWith("\r\n", p)) {
                        throw new AssertionError("no CRLF after chunk data");
                    }
                    p += 2;
                }
            } else if (headers.containsKey("content-length")) {
                int length = Integer.parseInt(headers.get("content-length").getFirst());
                body.append(wire, p, p + length);
                p += length;
            } else {
                body.append(wire, p, wire.length());
                p = wire.length();
            }
            responses.add(new WireResponse(status, headers, body.toString(), chunked));
        }
        return responses;
    }
}
