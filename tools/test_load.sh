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
# shellcheck source=tools/serve_background.sh
. tools/serve_background.sh
trap 'kill $serve_pid 2>/dev/null || true; rm -f "$log"' EXIT
serve_start "$build" "$log"
echo "load: $(cat /proc/loadavg 2>/dev/null || echo unknown) (this machine's load average while measuring)"
rc=0
"$build/tools/serve_load" --port "$serve_port" --clients "$clients" --seconds "$seconds" || rc=$?
serve_stop "$log" || rc=1
exit $rc
