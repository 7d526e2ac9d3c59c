#!/usr/bin/env bash
# test_load.sh BUILD — a bounded load test of the walk explorer on loopback (make test-load).
#
# Starts BUILD/gptwalk serve on a free 127.0.0.1 port (4 workers, the default), runs
# BUILD/tools/serve_load against it (CLIENTS clients for SECONDS seconds, default 16 and 5),
# which prints latency percentiles and fails on any failed request, then stops the server
# with SIGTERM, which must end it cleanly (exit 0).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
clients=${CLIENTS:-16}
seconds=${SECONDS_LOAD:-5}
log=$(mktemp)
"$build/gptwalk" serve --port 0 --quiet >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 300); do  # at most 30 s for the model to load and the port to open
    port=$(sed -n 's/^open http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$log")
    [ -n "$port" ] && break
    kill -0 $server 2>/dev/null || { echo "gptwalk serve exited early:"; cat "$log"; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "gptwalk serve did not print its address within 30 s"; exit 1; }
echo "load: $(cat /proc/loadavg 2>/dev/null || echo unknown) (this machine's load average while measuring)"
rc=0
"$build/tools/serve_load" --port "$port" --clients "$clients" --seconds "$seconds" || rc=$?
kill -TERM $server
status=0
wait $server || status=$?
if [ $status -ne 0 ] || ! grep -q "stopped (SIGTERM)" "$log"; then
    echo "gptwalk serve did not stop cleanly on SIGTERM (exit $status):"; cat "$log"; rc=1
fi
exit $rc
