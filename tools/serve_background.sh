# serve_background.sh — sourced by tools/test_browser.sh and tools/test_load.sh: gptwalk serve
# in the background on a free 127.0.0.1 port, and its clean stop.
#
#   serve_start BUILD LOG   starts BUILD/gptwalk serve --port 0 --quiet, its output in LOG, and
#                           waits (at most 30 s) for its address: sets serve_pid, serve_url, serve_port
#   serve_stop LOG          sends SIGTERM; succeeds only if the server exits 0 saying "stopped (SIGTERM)"

serve_start() {
    local build=$1 log=$2
    "$build/gptwalk" serve --port 0 --quiet >"$log" 2>&1 &
    serve_pid=$!
    serve_url=""
    for _ in $(seq 300); do
        serve_url=$(sed -n 's/^open \(http:[^ ]*\).*/\1/p' "$log")
        if [ -n "$serve_url" ]; then
            serve_port=$(echo "$serve_url" | sed 's/.*:\([0-9]*\)\/$/\1/')
            return 0
        fi
        kill -0 "$serve_pid" 2>/dev/null || { echo "gptwalk serve exited early:"; cat "$log"; return 1; }
        sleep 0.1
    done
    echo "gptwalk serve did not print its address within 30 s"
    return 1
}

serve_stop() {
    local log=$1 status=0
    kill -TERM "$serve_pid"
    wait "$serve_pid" || status=$?
    if [ $status -ne 0 ] || ! grep -q "stopped (SIGTERM)" "$log"; then
        echo "FAIL gptwalk serve did not stop cleanly on SIGTERM (exit $status):"
        cat "$log"
        return 1
    fi
    echo "ok   gptwalk serve stopped cleanly on SIGTERM"
}
