#!/usr/bin/env bash
# test_browser.sh BUILD — the walk explorer in a real browser (make test-browser).
#
# Starts BUILD/gptwalk serve on a free loopback port, writes what the page must show as the
# command line computes it (the prompt's ids, its greedy continuation), runs
# tests/browser/explorer.cjs (headless chromium through playwright-core), and stops the
# server with SIGTERM, which must end it cleanly (exit 0). Screenshots: BUILD/browser/*.png.
# Needs chromium and playwright-core: tools/browser_deps.sh installs them (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=$build/browser
export PLAYWRIGHT_CORE=${PLAYWRIGHT_CORE:-$PWD/$build/npm/node_modules/playwright-core}
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] || [ ! -d "$PLAYWRIGHT_CORE" ] || ! command -v node >/dev/null; then
    echo "test_browser.sh: needs chromium, node and playwright-core: run tools/browser_deps.sh $build" >&2
    exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.png
prompt="It is a truth universally acknowledged"

# What the page must show, from the command line.
ids=$("$build/gptwalk" tokenize --text "$prompt" --ids-only)
"$build/gptwalk" walk decode --prompt "$prompt" -n 5 --greedy --json "$out/greedy.json" >/dev/null
node -e '
  const [prompt, ids, greedy] = process.argv.slice(1);
  const g = JSON.parse(require("fs").readFileSync(greedy, "utf8"));
  console.log(JSON.stringify({model: "weights/tiny-gpt2", prompt, prompt_ids: ids.split(" ").map(Number),
                              greedy_ids: g.generated_ids}));' "$prompt" "$ids" "$out/greedy.json" >"$out/expected.json"

"$build/gptwalk" serve --port 0 --quiet >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
url=""
for _ in $(seq 300); do  # at most 30 s for the model to load and the port to open
    url=$(sed -n 's/^open \(http:[^ ]*\).*/\1/p' "$out/serve.log")
    [ -n "$url" ] && break
    kill -0 $server 2>/dev/null || { echo "gptwalk serve exited early:"; cat "$out/serve.log"; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "gptwalk serve did not print its address within 30 s"; exit 1; }

rc=0
node tests/browser/explorer.cjs "$url" "$out/expected.json" "$out" || rc=$?
kill -TERM $server
status=0
wait $server || status=$?
trap - EXIT
if [ $status -ne 0 ] || ! grep -q "stopped (SIGTERM)" "$out/serve.log"; then
    echo "FAIL gptwalk serve did not stop cleanly on SIGTERM (exit $status):"; cat "$out/serve.log"; rc=1
else
    echo "ok   gptwalk serve stopped cleanly on SIGTERM"
fi
echo "screenshots: $(ls "$out"/*.png 2>/dev/null | tr '\n' ' ')"
exit $rc
