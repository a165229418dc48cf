#!/usr/bin/env bash
# WebSocket echo: messages per second with 1 client and with 100 clients, Starling's
# `--process websocket` (1 worker) against Netty 4.2's WebSocket echo (1 event loop), each server
# pinned to core 0 and the load client (dev.starling.it.WebSocketLoad, 64-byte binary messages,
# one in flight per client) to core 1, runs interleaved, with the server's CPU seconds per run.
# Usage: bench/ws-echo.sh [--runs N] [--port P]    (ports P and P+1; default 28610)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
port=28610
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        *) echo "ws-echo.sh: unknown flag $1 (known: --runs N, --port P)" >&2; exit 2 ;;
    esac
done
# shellcheck source=../bin/jdk.sh
. bin/jdk.sh
java="$JAVA_HOME/bin/java"
bin/server --version >/dev/null                        # builds Starling when sources changed
mvn -q -o -f bench/peers/pom.xml -pl netty package -DskipTests
mvn -q -o -pl module-it -am compile

pids=()
cleanup() { # the manager stops its worker on TERM; the rest by pid
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 3
    for p in "${pids[@]}"; do
        for child in $(pgrep -P "$p" || true); do kill -KILL "$child" 2>/dev/null || true; done
        kill -KILL "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

taskset -c 0 bin/server --process websocket --port "$port" --worker 1 >/tmp/ws-echo-starling.log 2>&1 &
pids+=($!)
starling_manager=$!
(cd bench/peers/netty && exec taskset -c 0 "$java" -Xmx256m -cp 'target/netty.jar:target/lib/*' bench.WebSocketEcho "$((port + 1))") \
    >/tmp/ws-echo-netty.log 2>&1 &
pids+=($!)
netty=$!
for _ in $(seq 100); do
    grep -q "serving websocket" /tmp/ws-echo-starling.log && grep -q listening /tmp/ws-echo-netty.log && break
    sleep 0.2
done
starling=$(sed -n 's/.*serving websocket on .* pids \([0-9]*\).*/\1/p' /tmp/ws-echo-starling.log | head -1)

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { taskset -c 1 "$java" -p module-it/target/classes -m dev.starling.it/dev.starling.it.WebSocketLoad --port "$1" "${@:2}"; }

for p in "$port" "$((port + 1))"; do load "$p" --clients 10 --messages 20000 >/dev/null; done  # warm-up
hz=$(getconf CLK_TCK)
for run in $(seq "$runs"); do
    for spec in "1 50000" "100 2000"; do
        set -- $spec
        for name in starling netty; do
            if [ "$name" = starling ]; then p=$port; pid=$starling; else p=$((port + 1)); pid=$netty; fi
            before=$(cpu "$pid")
            line=$(load "$p" --clients "$1" --messages "$2")
            after=$(cpu "$pid")
            printf '%s run %d: %s; server CPU %.2f s\n' "$name" "$run" "$line" "$(echo "($after - $before) / $hz" | bc -l)"
        done
    done
done
