#!/usr/bin/env bash
# Load harness: builds, then starts one after another Starling and hello-world servers on its
# peers (Netty, Helidon, Undertow, Jetty, the JDK's httpserver, nginx), each pinned to one core,
# and runs the same wrk loads against each from the other core. See bench/README.md.
#
#   bench/run.sh [--quick] [--only NAME,...] [--loads LOAD,...] [--runs N] [--port PORT] [--nice N]
#
# --nice N runs the server and wrk at that niceness (e.g. -10, root only) so that other work
# on a shared machine takes less from the measured cores; the default 0 leaves it as it is.
# Each runs in a session of its own (setsid) whose scheduler autogroup gets that niceness
# too, since with autogroups a process's niceness only counts inside its own group.
# Prints a table (req/s, p99 latency, server CPU per request, RSS, each also as a ratio to Netty), writes a PNG chart,
# and keeps everything under bench/results/<timestamp>/; bench/results/latest/ is a copy of the
# newest summary. Traffic goes to 127.0.0.1 only.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)
# What is measured, taken before anything else: a commit made during the run does not count.
starling_commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain -- ':(glob)*/src/main/**' 2>/dev/null)" ] || starling_commit="$starling_commit with uncommitted changes"

ALL_SERVERS=(starling netty helidon undertow jetty jdk nginx)
LOADS=(plaintext pipelined close json)
SERVER_CPU=0
CLIENT_CPU=1
HOST=127.0.0.1

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    echo "servers: ${ALL_SERVERS[*]}"
    echo "loads:   plaintext (keep-alive), pipelined (16 deep), close (Connection: close), json"
}

quick=0 runs=1 port=18080 only="" loads="" niceness=0
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --runs) runs=${2:?--runs needs a number}; shift ;;
        --runs=*) runs=${1#*=} ;;
        --only) only=${2:?--only needs NAME,...}; shift ;;
        --only=*) only=${1#*=} ;;
        --loads) loads=${2:?--loads needs LOAD,...}; shift ;;
        --loads=*) loads=${1#*=} ;;
        --port) port=${2:?--port needs a number}; shift ;;
        --port=*) port=${1#*=} ;;
        --nice) niceness=${2:?--nice needs a number}; shift ;;
        --nice=*) niceness=${1#*=} ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer, was '$runs'" >&2; exit 2; }
[[ $niceness =~ ^-?[0-9]+$ ]] && [ "$niceness" -ge -20 ] && [ "$niceness" -le 19 ] \
    || { echo "run.sh: --nice must be -20..19, was '$niceness'" >&2; exit 2; }
[[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] \
    || { echo "run.sh: --port must be 1024..65535, was '$port'" >&2; exit 2; }

servers=()
if [ -n "$only" ]; then
    IFS=, read -r -a wanted <<<"$only"
    for name in "${wanted[@]}"; do
        [[ " ${ALL_SERVERS[*]} " == *" $name "* ]] || { echo "run.sh: unknown server '$name' (known: ${ALL_SERVERS[*]})" >&2; exit 2; }
    done
    for name in "${ALL_SERVERS[@]}"; do # keep the canonical order
        [[ " ${wanted[*]} " == *" $name "* ]] && servers+=("$name")
    done
else
    servers=("${ALL_SERVERS[@]}")
fi
if [ -n "$loads" ]; then
    IFS=, read -r -a wanted <<<"$loads"
    for name in "${wanted[@]}"; do
        [[ " ${LOADS[*]} " == *" $name "* ]] || { echo "run.sh: unknown load '$name' (known: ${LOADS[*]})" >&2; exit 2; }
    done
    kept=()
    for name in "${LOADS[@]}"; do # keep the canonical order
        [[ " ${wanted[*]} " == *" $name "* ]] && kept+=("$name")
    done
    LOADS=("${kept[@]}")
fi

# Each server first gets a longer warm-up (the JIT compiles on the same core as the server),
# then a short one before each load; neither is counted.
if [ "$quick" = 1 ]; then
    duration=3s warmup=1s first_warmup=3s quiet_wait=15
else
    duration=10s warmup=3s first_warmup=10s quiet_wait=30
fi
connections=64
depth=16

# ---------------------------------------------------------------- processes and clean-up
# Every process this script starts is recorded here by pid, and killed on any exit.
started=()

descendants() { # pids of all descendants of $1, children first
    local pid=$1 child
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null; }

stop_tree() { # TERM a process and its descendants, KILL whatever is left after $2 seconds
    local pid=$1 grace=${2:-10} tree p i
    tree="$pid $(descendants "$pid" | tr '\n' ' ')"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        local any=0
        for p in $tree; do alive "$p" && any=1; done
        [ "$any" = 0 ] && break
        sleep 0.1
    done
    for p in $tree; do
        alive "$p" && kill -KILL "$p" 2>/dev/null || true
    done
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    trap - EXIT INT TERM
    for pid in "${started[@]}"; do
        alive "$pid" && stop_tree "$pid" 5
    done
    [ -n "${policy_rc_d:-}" ] && rm -f "$policy_rc_d"
    return 0
}
trap cleanup EXIT
trap 'echo; echo "run.sh: interrupted; stopping what it started" >&2; cleanup; exit 130' INT TERM

# ---------------------------------------------------------------- ports
port_taken() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null
    fi
}

if port_taken; then
    echo "run.sh: port $port is already in use (ss -ltnp 'sport = :$port' says by whom); pick another with --port" >&2
    exit 1
fi

# ---------------------------------------------------------------- tools
need_apt() { # installs Debian packages; keeps apt from starting services (nginx would take port 80)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy_rc_d=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy_rc_d" && chmod +x "$policy_rc_d"
    fi
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "run.sh: installing $* (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null \
        || { $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null; }
    if [ -n "${policy_rc_d:-}" ]; then rm -f "$policy_rc_d"; policy_rc_d=""; fi
}

for tool in wrk taskset curl; do
    command -v "$tool" >/dev/null 2>&1 || need_apt "$tool"
done
[[ " ${servers[*]} " == *" nginx "* ]] && ! command -v nginx >/dev/null 2>&1 && need_apt nginx
plotter=gnuplot
if ! command -v gnuplot >/dev/null 2>&1; then
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import matplotlib' 2>/dev/null; then
        plotter=matplotlib
    else
        need_apt gnuplot-nox
    fi
fi

# The newest JDK >= 21, as bin/server picks it (exports JAVA_HOME, PATH and MAVEN_OPTS).
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)

# ---------------------------------------------------------------- build
stamp=$(date +%Y%m%d-%H%M%S)
out="$here/results/$stamp"
mkdir -p "$out/logs"
echo "run.sh: results in ${out#"$root"/}" >&2

newer_than() { # true when any file under the given paths is newer than $1 (or $1 is missing)
    local target=$1; shift
    [ ! -e "$target" ] || [ -n "$(find "$@" -newer "$target" -print -quit 2>/dev/null)" ]
}

if [[ " ${servers[*]} " == *" starling "* ]]; then
    "$root/bin/server" --version >/dev/null # builds Starling when its sources changed
    hello="$here/starling-hello"
    lib="$root/module-cli/target/lib"
    if newer_than "$hello/target/bench-hello.jar" "$hello/src" "$lib"; then
        echo "run.sh: building the Starling hello handler" >&2
        rm -rf "$hello/target"
        mkdir -p "$hello/target/classes"
        "$JAVA_HOME/bin/javac" --release 21 -d "$hello/target/classes" --module-path "$lib" \
            $(find "$hello/src" -name '*.java')
        "$JAVA_HOME/bin/jar" --create --file "$hello/target/bench-hello.jar" -C "$hello/target/classes" .
    fi
fi

peers=()
for s in "${servers[@]}"; do
    case $s in netty|helidon|undertow|jetty|jdk) peers+=("$s") ;; esac
done
if [ ${#peers[@]} -gt 0 ]; then
    stale=()
    for p in "${peers[@]}"; do
        newer_than "$here/peers/$p/target/$p.jar" "$here/peers/pom.xml" "$here/peers/$p/pom.xml" "$here/peers/$p/src" && stale+=("$p")
    done
    if [ ${#stale[@]} -gt 0 ]; then
        echo "run.sh: building peers: ${stale[*]} (log in ${out#"$root"/}/logs/peers-build.log)" >&2
        command -v mvn >/dev/null 2>&1 || { echo "run.sh: Maven (mvn) is needed to build the peers" >&2; exit 1; }
        if ! mvn -B -q -f "$here/peers/pom.xml" -pl "$(IFS=,; echo "${stale[*]}")" -DskipTests package \
                >"$out/logs/peers-build.log" 2>&1; then
            tail -n 40 "$out/logs/peers-build.log" >&2
            echo "run.sh: peer build failed" >&2
            exit 1
        fi
        for p in "${stale[@]}"; do touch "$here/peers/$p/target/$p.jar"; done
    fi
fi

# ---------------------------------------------------------------- servers
nginx_conf() {
    local dir=$1
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
# Generated by bench/run.sh: one worker, a fixed body, no logging.
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    # The default (1000) closes a keep-alive connection every 1000 requests; the Java
    # servers have no such limit.
    keepalive_requests 10000000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen $HOST:$port;
        location = / {
            default_type text/plain;
            return 200 "Hello, World!";
        }
        location = /json {
            default_type application/json;
            return 200 '{"message":"Hello, World!"}';
        }
    }
}
EOF
}

server_cmd() { # the command line that starts server $1 (run under taskset by start_server)
    local java="$JAVA_HOME/bin/java"
    case $1 in
        starling) echo "env STARLING_MODULE_PATH=$here/starling-hello/target/bench-hello.jar $root/bin/server --host $HOST --port $port --worker 1 --handler bench-hello" ;;
        netty|helidon|undertow|jetty|jdk) echo "$java -jar $here/peers/$1/target/$1.jar $port" ;;
        nginx) echo "nginx -p $out/nginx -c $out/nginx/nginx.conf -e $out/nginx/error.log" ;;
    esac
}

prioritise() { # gives the autogroup of $1 the niceness asked for, once $1 leads its own session
    [ "$niceness" = 0 ] && return 0
    local i sid
    for ((i = 0; i < 200; i++)); do # setsid runs in the child: until then it shares our group
        sid=$(sed 's/^.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f4)
        [ "$sid" = "$1" ] && break
        sleep 0.01
    done
    [ "$sid" = "$1" ] && [ -w /proc/"$1"/autogroup ] && echo "$niceness" >/proc/"$1"/autogroup 2>/dev/null || true
}

server_pid=""
start_server() {
    local name=$1 i
    for ((i = 0; i < 100; i++)); do port_taken || break; sleep 0.1; done
    if port_taken; then
        echo "run.sh: port $port is still in use before starting $name; stopping" >&2
        exit 1
    fi
    [ "$name" = nginx ] && nginx_conf "$out/nginx"
    # shellcheck disable=SC2046 # the command line is split on purpose
    setsid nice -n "$niceness" taskset -c "$SERVER_CPU" $(server_cmd "$name") >"$out/logs/$name.log" 2>&1 &
    server_pid=$!
    started+=("$server_pid")
    prioritise "$server_pid"
    for ((i = 0; i < 600; i++)); do
        if ! alive "$server_pid"; then
            echo "run.sh: $name exited while starting; its log:" >&2
            tail -n 20 "$out/logs/$name.log" >&2
            return 1
        fi
        curl -fsS -o /dev/null --max-time 1 "http://$HOST:$port/" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "run.sh: $name did not answer within 60 s; its log:" >&2
    tail -n 20 "$out/logs/$name.log" >&2
    return 1
}

check_responses() { # the two answers must be exactly what every server promises
    local name=$1 problems="" body type
    body=$(curl -s --max-time 5 "http://$HOST:$port/")
    type=$(curl -s --max-time 5 -o /dev/null -w '%{content_type}' "http://$HOST:$port/")
    [ "$body" = "Hello, World!" ] || problems+="GET / body '$body'; "
    [[ $type == text/plain* ]] || problems+="GET / Content-Type '$type'; "
    body=$(curl -s --max-time 5 "http://$HOST:$port/json")
    type=$(curl -s --max-time 5 -o /dev/null -w '%{content_type}' "http://$HOST:$port/json")
    [ "$body" = '{"message":"Hello, World!"}' ] || problems+="GET /json body '$body'; "
    [[ $type == application/json* ]] || problems+="GET /json Content-Type '$type'; "
    if [ -n "$problems" ]; then
        echo "run.sh: $name answers wrongly: $problems" >&2
        echo "$name	$problems" >>"$out/problems.tsv"
    fi
}

rss_kb() { # VmRSS in kB of the given pids, summed
    local sum=0 p kb
    for p in "$@"; do
        kb=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null || true)
        sum=$((sum + ${kb:-0}))
    done
    echo "$sum"
}

# ---------------------------------------------------------------- loads
# CPU accounting, to tell a clean run from one that shared the machine. All in jiffies
# (1/100 s). Builtin reads only where a fork would disturb the figure.
machine_busy() { # jiffies all cpus spent not idle (steal counts: the hypervisor took them)
    local c
    read -r -a c </proc/stat
    echo $((c[1] + c[2] + c[3] + c[6] + c[7] + c[8]))
}

tree_jiffies() { # user + system time of the given pids (all their threads)
    [ $# -gt 0 ] || { echo 0; return; }
    awk '{ sub(/^.*\) /, ""); split($0, f, " "); sum += f[12] + f[13] } END { print sum + 0 }' \
        $(printf '/proc/%s/stat ' "$@") 2>/dev/null || true
}

wait_quiet() { # waits until the machine is nearly idle for a second, at most $1 seconds
    local limit=$1 start=$SECONDS b0 b1 busy
    while :; do
        b0=$(machine_busy); sleep 1; b1=$(machine_busy)
        busy=$(((b1 - b0) * 100 / ($(nproc) * 100)))
        [ "$busy" -lt 10 ] && return 0
        if [ $((SECONDS - start)) -ge "$limit" ]; then
            echo "run.sh: other processes keep the machine ${busy}% busy; measuring anyway" >&2
            echo "$2	machine ${busy}% busy with other processes before it started" >>"$out/problems.tsv"
            return 0
        fi
        [ $((SECONDS - start)) -lt 2 ] && echo "run.sh: machine ${busy}% busy with other processes; waiting up to ${limit}s for quiet" >&2
    done
}

cpu_jiffies() { # sets busy_all, busy_server_core, busy_client_core from /proc/stat, without forking
    local -a c
    while read -r -a c; do
        case ${c[0]} in
            cpu) busy_all=$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8])) ;;
            "cpu$SERVER_CPU") busy_server_core=$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8])) ;;
            "cpu$CLIENT_CPU") busy_client_core=$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8])) ;;
            cpu*) ;;
            *) break ;;
        esac
    done </proc/stat
}

wrk_pid=""
# run_wrk LOAD DURATION LOGFILE. Sets, in % of one core over the run: server_cpu (the server's
# process tree), client_cpu (wrk), other_server_core and other_client_core (everything else
# that ran on the server's and on wrk's core: other processes, and the time the hypervisor
# took, as steal).
run_wrk() {
    local load=$1 dur=$2 log=$3 args=() tree s0 s1 w0 w1 t0 t1 self a0 a1 sc0 sc1 cc0 cc1
    case $load in
        plaintext) args=("http://$HOST:$port/") ;;
        pipelined) args=(-s "$here/pipeline.lua" "http://$HOST:$port/" -- "$depth" /) ;;
        close) args=(-H 'Connection: close' "http://$HOST:$port/") ;;
        json) args=("http://$HOST:$port/json") ;;
    esac
    tree="$server_pid $(descendants "$server_pid" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    s0=$(tree_jiffies $tree)
    read -r -a self </proc/$$/stat; w0=$((self[15] + self[16])) # reaped children: only wrk from here on
    cpu_jiffies; a0=$busy_all sc0=$busy_server_core cc0=$busy_client_core
    t0=${EPOCHREALTIME/./}
    setsid nice -n "$niceness" taskset -c "$CLIENT_CPU" wrk -t1 -c"$connections" -d"$dur" --timeout 5s --latency "${args[@]}" >"$log" 2>&1 &
    wrk_pid=$!
    started+=("$wrk_pid")
    prioritise "$wrk_pid"
    wait "$wrk_pid" || true
    t1=${EPOCHREALTIME/./}
    cpu_jiffies; a1=$busy_all sc1=$busy_server_core cc1=$busy_client_core
    read -r -a self </proc/$$/stat; w1=$((self[15] + self[16]))
    # shellcheck disable=SC2086
    s1=$(tree_jiffies $tree)
    # jiffies * 100 / (microseconds / 10^4) = percent of one core
    local centis=$(((t1 - t0) / 10000))
    [ "$centis" -gt 0 ] || centis=1
    server_cpu=$(((s1 - s0) * 100 / centis))
    client_cpu=$(((w1 - w0) * 100 / centis))
    other_server_core=$((((sc1 - sc0) - (s1 - s0)) * 100 / centis))
    other_client_core=$((((cc1 - cc0) - (w1 - w0)) * 100 / centis))
    [ "$other_server_core" -ge 0 ] || other_server_core=0
    [ "$other_client_core" -ge 0 ] || other_client_core=0
    : "$a0" "$a1"
}

wrk_command() { # the command as a person would type it, for the docs
    case $1 in
        plaintext) echo "taskset -c $CLIENT_CPU wrk -t1 -c$connections -d$duration --timeout 5s --latency http://$HOST:$port/" ;;
        pipelined) echo "taskset -c $CLIENT_CPU wrk -t1 -c$connections -d$duration --timeout 5s --latency -s bench/pipeline.lua http://$HOST:$port/ -- $depth /" ;;
        close) echo "taskset -c $CLIENT_CPU wrk -t1 -c$connections -d$duration --timeout 5s --latency -H 'Connection: close' http://$HOST:$port/" ;;
        json) echo "taskset -c $CLIENT_CPU wrk -t1 -c$connections -d$duration --timeout 5s --latency http://$HOST:$port/json" ;;
    esac
}

parse_wrk() { # parse_wrk LOAD LOG; prints: rps p99_ms non2xx socket_errors
    awk -v load="$1" '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        $1 == "50%" { p50 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
        # With pipelining wrk records one latency per batch of 16 but corrects for coordinated
        # omission as if it had one per request, which distorts the upper percentiles (often to
        # 0): no p99 for the pipelined load. The raw figures stay in the logs.
        END {
            bad = load == "pipelined" || p99 == "" || p99 + 0 == 0 || p99 + 0 < p50 + 0
            printf "%s %s %d %d\n", (rps == "" ? "0" : rps), (bad ? "NaN" : p99), non2xx, errors
        }
    ' "$2"
}

{
    echo "# bench/run.sh $stamp"
    echo "# servers: ${servers[*]}; runs: $runs; duration: $duration; warm-up: $warmup per load; nice: $niceness"
    echo "# server on cpu $SERVER_CPU, wrk on cpu $CLIENT_CPU; $java_version"
} >"$out/meta.txt"
printf 'server\tload\trun\trps\tp99_ms\trss_kb\tworker_rss_kb\tnon2xx\tsocket_errors\tserver_cpu\twrk_cpu\tother_server_core\tother_wrk_core\n' >"$out/runs.tsv"

# Rounds outside, servers inside: each round starts every server afresh and runs each load once,
# so a host that drifts over minutes (a VM's neighbours) moves every server's figures alike,
# instead of deciding a ratio by which server happened to run in the slow minutes.
for ((r = 1; r <= runs; r++)); do
for name in "${servers[@]}"; do
    if grep -q "^$name	did not start" "$out/problems.tsv" 2>/dev/null; then
        continue # it failed to start in an earlier round
    fi
    echo "== $name, round $r of $runs: $(server_cmd "$name" | sed "s|$root/||g")" >&2
    wait_quiet "$quiet_wait" "$name"
    if ! start_server "$name"; then
        echo "$name	did not start" >>"$out/problems.tsv"
        [ -n "$server_pid" ] && stop_tree "$server_pid" 5
        continue
    fi
    check_responses "$name"
    run_wrk plaintext "$first_warmup" "$out/logs/$name-first-warmup.txt"
    for load in "${LOADS[@]}"; do
        run_wrk "$load" "$warmup" "$out/logs/$name-$load-warmup.txt"
        {
            log="$out/logs/$name-$load-$r.txt"
            run_wrk "$load" "$duration" "$log"
            read -r rps p99 non2xx errors < <(parse_wrk "$load" "$log")
            children=$(descendants "$server_pid" | tr '\n' ' ')
            # shellcheck disable=SC2086
            total=$(rss_kb "$server_pid" $children)
            # shellcheck disable=SC2086
            worker=$([ -n "$children" ] && rss_kb $children || echo "")
            printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$load" "$r" "$rps" "$p99" "$total" "$worker" \
                "$non2xx" "$errors" "$server_cpu" "$client_cpu" "$other_server_core" "$other_client_core" >>"$out/runs.tsv"
            printf '   %-9s run %d: %10.0f req/s  p99 %8s ms  RSS %6.1f MB  cpu: server %3d%% wrk %3d%% others %3d%% + %3d%%%s\n' \
                "$load" "$r" "$rps" "$p99" "$(awk -v k="$total" 'BEGIN {print k / 1024}')" "$server_cpu" "$client_cpu" \
                "$other_server_core" "$other_client_core" \
                "$([ "$non2xx" != 0 ] || [ "$errors" != 0 ] && echo "  non-2xx $non2xx, socket errors $errors")" >&2
        }
    done
    stop_tree "$server_pid" 15
done
done

# ---------------------------------------------------------------- summary
# Medians over the runs of each server and load.
awk -F'\t' '
    function median(list,   n, m, a, b, i, j, t) {
        m = split(list, b, " "); n = 0
        for (i = 1; i <= m; i++) if (b[i] != "NaN" && b[i] != "") a[++n] = b[i]
        if (n == 0) return "NaN"
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NR == 1 { next }
    {
        k = $1 "\t" $2
        if (!(k in seen)) { seen[k] = 1; order[++n] = k }
        rps[k] = rps[k] " " $4; p99[k] = p99[k] " " $5; rss[k] = rss[k] " " $6
        if ($7 != "") wrss[k] = wrss[k] " " $7
        non2xx[k] += $8; errors[k] += $9
        scpu[k] = scpu[k] " " $10; wcpu[k] = wcpu[k] " " $11; ocpu[k] = ocpu[k] " " $12; occpu[k] = occpu[k] " " $13
        # The server CPU per request, in microseconds: its share of a core over the run, per request.
        if ($4 + 0 > 0 && $10 != "") uspr[k] = uspr[k] " " ($10 * 10000 / $4)
    }
    END {
        print "server\tload\trps\tp99_ms\trss_kb\tworker_rss_kb\tnon2xx\tsocket_errors\tserver_cpu\twrk_cpu\tother_server_core\tother_wrk_core\tserver_us_per_req"
        for (i = 1; i <= n; i++) {
            k = order[i]
            m = median(p99[k]); u = median(uspr[k])
            printf "%s\t%.0f\t%s\t%.0f\t%s\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%s\n", k, median(rps[k]), (m == "NaN" ? m : sprintf("%.2f", m)), median(rss[k]),
                (k in wrss ? sprintf("%.0f", median(wrss[k])) : ""), non2xx[k], errors[k],
                median(scpu[k]), median(wcpu[k]), median(ocpu[k]), median(occpu[k]), (u == "NaN" ? u : sprintf("%.2f", u))
        }
    }
' "$out/runs.tsv" >"$out/summary.tsv"

# A markdown table per load, each figure also as a ratio to Netty's.
awk -F'\t' -v runs="$runs" -v duration="$duration" '
    NR == 1 { next }
    {
        s = $1; l = $2
        if (!(s in sseen)) { sseen[s] = 1; servers[++ns] = s }
        if (!(l in lseen)) { lseen[l] = 1; loads[++nl] = l }
        rps[s, l] = $3; p99[s, l] = $4; rss[s, l] = $5; wrss[s, l] = $6; bad[s, l] = $7 + $8
        non2xx[s, l] = $7; errors[s, l] = $8; cpu[s, l] = $9 " / " $10 " / " $11 " / " $12; uspr[s, l] = $13
    }
    function ratio(v, base) { return (base == "" || base == "NaN" || base + 0 == 0 || v == "" || v == "NaN") ? "–" : sprintf("%.2fx", v / base) }
    END {
        title["plaintext"] = "Plaintext, keep-alive (`GET /`, 64 connections)"
        title["pipelined"] = "Plaintext, pipelined 16 deep"
        title["close"] = "Plaintext, `Connection: close` (a new connection per request)"
        title["json"] = "JSON, keep-alive (`GET /json`, 64 connections)"
        printf "Medians of %d run(s) of %s each; RSS is the server'\''s resident memory right after the run.\n", runs, duration
        for (j = 1; j <= nl; j++) {
            l = loads[j]
            printf "\n### %s\n\n", (l in title ? title[l] : l)
            print "| server | req/s | vs Netty | p99 ms | vs Netty | server CPU µs/req | vs Netty | RSS MB | vs Netty | worker RSS MB | CPU % server / wrk / others on core 0 / on core 1 | errors |"
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
            for (i = 1; i <= ns; i++) {
                s = servers[i]
                if (!((s, l) in rps)) continue
                base = ("netty", l) in rps
                printf "| %s | %d | %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |\n", s, rps[s, l],
                    ratio(rps[s, l], base ? rps["netty", l] : ""),
                    (p99[s, l] == "NaN" ? "n/a" : p99[s, l]), ratio(p99[s, l], base ? p99["netty", l] : ""),
                    (uspr[s, l] == "" || uspr[s, l] == "NaN" ? "n/a" : uspr[s, l]), ratio(uspr[s, l], base ? uspr["netty", l] : ""),
                    rss[s, l] / 1024, ratio(rss[s, l], base ? rss["netty", l] : ""),
                    (wrss[s, l] == "" ? "–" : sprintf("%.1f", wrss[s, l] / 1024)), cpu[s, l],
                    (bad[s, l] ? sprintf("%d non-2xx, %d socket", non2xx[s, l], errors[s, l]) : "none")
            }
        }
    }
' "$out/summary.tsv" >"$out/table.md"

{
    echo "# Benchmark summary $stamp"
    echo
    echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r); $java_version."
    echo "Starling: commit $starling_commit."
    echo "Each server pinned to cpu $SERVER_CPU, wrk (1 thread) to cpu $CLIENT_CPU, both at nice $niceness; one warm-up of $warmup per load, not counted."
    echo "\"worker RSS\" is the child processes alone (Starling's worker, nginx's worker); RSS is the whole process tree."
    echo "Server CPU µs/req is the server's CPU time per request (median over the runs): its cost, whichever side was the limit."
    echo "CPU is % of one core during the run (medians): the server's process tree, wrk, then everything else on the"
    echo "server's core 0 and on wrk's core 1: other processes, and time the hypervisor took (steal)."
    echo "Others well above 0 mean the row was measured on a shared machine: its figures are suspect."
    echo
    cat "$out/table.md"
    echo
    echo "Commands (port $port):"
    echo
    for name in "${servers[@]}"; do echo "    taskset -c $SERVER_CPU $(server_cmd "$name" | sed "s|$root/||g; s|$out/|bench/results/$stamp/|g")"; done
    echo
    for load in "${LOADS[@]}"; do echo "    $(wrk_command "$load")"; done
    if [ -s "$out/problems.tsv" ]; then
        echo
        echo "Problems:"
        echo
        sed 's/^/- /; s/\t/: /' "$out/problems.tsv"
    fi
} >"$out/summary.md"

# ---------------------------------------------------------------- chart
awk -F'\t' '
    NR == 1 { next }
    {
        s = $1; l = $2
        if (!(s in sseen)) { sseen[s] = 1; servers[++ns] = s }
        if (!(l in lseen)) { lseen[l] = 1; loads[++nl] = l }
        rps[s, l] = $3; p99[s, l] = $4; rss[s, l] = $5
    }
    END {
        file = "rps.dat"; printf "load"; for (i = 1; i <= ns; i++) printf "\t%s", servers[i]; print ""
        for (j = 1; j <= nl; j++) { printf "%s", loads[j]; for (i = 1; i <= ns; i++) printf "\t%s", ((servers[i], loads[j]) in rps ? rps[servers[i], loads[j]] / 1000 : "NaN"); print "" }
    }
' "$out/summary.tsv" >"$out/rps.dat"
awk -F'\t' '
    NR == 1 { next }
    {
        s = $1; l = $2
        if (!(s in sseen)) { sseen[s] = 1; servers[++ns] = s }
        if (!(l in lseen)) { lseen[l] = 1; loads[++nl] = l }
        p99[s, l] = $4; rss[s, l] = $5
    }
    END {
        printf "load"; for (i = 1; i <= ns; i++) printf "\t%s", servers[i]; print ""
        for (j = 1; j <= nl; j++) { printf "%s", loads[j]; for (i = 1; i <= ns; i++) printf "\t%s", ((servers[i], loads[j]) in p99 ? p99[servers[i], loads[j]] : "NaN"); print "" }
        printf "server\tRSS\n" > "/dev/stderr"
        for (i = 1; i <= ns; i++) printf "%s\t%.1f\n", servers[i], rss[servers[i], "plaintext"] / 1024 > "/dev/stderr"
    }
' "$out/summary.tsv" >"$out/p99.dat" 2>"$out/rss.dat"
nservers=${#servers[@]}

if [ "$plotter" = gnuplot ]; then
    gnuplot <<EOF
set terminal pngcairo size 1400,1000 font "DejaVu Sans,11"
set output "$out/chart.png"
set datafile separator "\t"
set multiplot layout 3,1 title "Starling vs peers: one server core, one wrk core, $duration per run, median of $runs ($stamp)" font ",13"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top vertical
set lmargin 10
set rmargin 16
set grid ytics
set yrange [0:*]
set ylabel "thousand req/s"
set title "Throughput (higher is better)"
plot for [i=2:$((nservers + 1))] "$out/rps.dat" using i:xtic(1) title columnheader(i)
set ylabel "ms (log scale)"
set logscale y
set yrange [0.1:*]
set title "p99 latency (lower is better; none for pipelined: wrk distorts it)"
set label 1 "n/a" at 1, graph 0.08 center
plot for [i=2:$((nservers + 1))] "$out/p99.dat" using i:xtic(1) title columnheader(i)
unset logscale y
unset label 1
set yrange [0:*]
set ylabel "MB"
set title "RSS after the plaintext keep-alive run (lower is better)"
set style histogram clustered gap 1
unset key
plot "$out/rss.dat" using 2:xtic(1) linecolor rgb "#4477aa" title columnheader(2)
unset multiplot
EOF
else
    python3 - "$out" <<'EOF'
import csv, sys, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = sys.argv[1]
def table(name):
    with open(f"{out}/{name}") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], rows[1:]
fig, axes = plt.subplots(3, 1, figsize=(14, 10))
for ax, name, label in ((axes[0], "rps.dat", "thousand req/s"), (axes[1], "p99.dat", "p99 ms")):
    head, rows = table(name)
    width = 0.8 / (len(head) - 1)
    for i, server in enumerate(head[1:]):
        ax.bar([j + i * width for j in range(len(rows))], [float(r[i + 1]) for r in rows], width, label=server)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))], [r[0] for r in rows])
    ax.set_ylabel(label); ax.legend(loc="upper right"); ax.grid(axis="y")
head, rows = table("rss.dat")
axes[2].bar([r[0] for r in rows], [float(r[1]) for r in rows]); axes[2].set_ylabel("RSS MB (plaintext)")
fig.tight_layout(); fig.savefig(f"{out}/chart.png", dpi=100)
EOF
fi

# ---------------------------------------------------------------- latest
mkdir -p "$here/results/latest"
cp "$out/summary.md" "$out/summary.tsv" "$out/runs.tsv" "$here/results/latest/"
[ -f "$out/chart.png" ] && cp "$out/chart.png" "$here/results/latest/"
echo "$stamp" >"$here/results/latest/STAMP"

echo >&2
cat "$out/summary.md"
echo >&2
echo "run.sh: chart ${out#"$root"/}/chart.png; summary copied to bench/results/latest/" >&2
