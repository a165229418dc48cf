#!/usr/bin/env bash
# Scans Starling's tls transport with testssl.sh (Debian package testssl.sh) and fails when it
# finds anything of severity HIGH or CRITICAL.
#
#   bench/testssl.sh [--port PORT] [--key rsa|ec] [--keep]
#
# Makes a test CA and a server certificate for 127.0.0.1 with openssl in a temporary folder
# (no key is kept unless --keep), starts bin/server --transport tls with one worker on PORT
# (default 28790), runs testssl with the test CA added to its trust stores, prints the count
# of findings per severity and every finding of LOW or above, and stops the server. Exit status:
# 0 clean, 1 HIGH or CRITICAL findings, 2 the scan could not run. A full scan takes minutes;
# it is bounded at 15 minutes.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/.." && pwd)

port=28790 key=rsa keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --port) port=${2:?--port needs a number}; shift ;;
        --key) key=${2:?--key needs rsa or ec}; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "testssl.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case $key in
    rsa) newkey=(-newkey rsa:2048) ;;
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    *) echo "testssl.sh: --key must be rsa or ec, was '$key'" >&2; exit 2 ;;
esac
scanner=$(command -v testssl || command -v testssl.sh || true)
[ -n "$scanner" ] || { echo "testssl.sh: testssl is not installed (apt-get install testssl.sh)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$keep" = 1 ]; then echo "testssl.sh: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 \
    -subj "/CN=Starling testssl CA" 2>/dev/null
openssl req "${newkey[@]}" -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
# A certificate from a public CA names where its revocation status is published; testssl rates
# one that names none HIGH. The URI is never fetched (testssl only does with --phone-out).
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature%s\ncrlDistributionPoints=URI:http://127.0.0.1/starling-test-ca.crl\n' \
    "$([ "$key" = rsa ] && echo ,keyEncipherment)" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -sha256 \
    -extfile server.ext -out server.pem 2>/dev/null

"$root/bin/server" --transport tls --tls-cert server.pem --tls-key server.key --host 127.0.0.1 --port "$port" \
    --worker 1 > server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
    grep -q "serving" server.log 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat server.log >&2; echo "testssl.sh: the server did not start" >&2; exit 2; }
    sleep 0.1
done
grep -q "serving" server.log || { cat server.log >&2; echo "testssl.sh: the server did not start within 60 s" >&2; exit 2; }

echo "testssl.sh: scanning https://127.0.0.1:$port/ ($key key) with $($scanner --version 2>/dev/null | grep -m1 -o 'testssl.sh *[0-9][^ ]*' || echo testssl)" >&2
status=0
timeout 900 "$scanner" --quiet --color 0 --warnings off --add-ca "$work/ca.pem" --jsonfile "$work/findings.json" \
    "127.0.0.1:$port" > scan.txt 2>&1 || status=$?
if [ ! -s findings.json ]; then
    cat scan.txt >&2
    echo "testssl.sh: the scan produced no findings file (exit $status)" >&2
    exit 2
fi

python3 - "$work/findings.json" <<'EOF'
import json, sys, collections
findings = json.load(open(sys.argv[1]))
order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "INFO", "OK"]
counts = collections.Counter(f.get("severity", "?") for f in findings)
print("severity counts: " + ", ".join(f"{s} {counts[s]}" for s in order if counts[s]))
for f in sorted(findings, key=lambda f: order.index(f["severity"]) if f.get("severity") in order else 99):
    if f.get("severity") in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN"):
        print(f'{f["severity"]:8} {f["id"]}: {f["finding"]}')
sys.exit(1 if counts["CRITICAL"] or counts["HIGH"] else 0)
EOF
