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

# shellcheck source=tools/serve_background.sh
. tools/serve_background.sh
trap 'kill $serve_pid 2>/dev/null || true' EXIT
serve_start "$build" "$out/serve.log"
rc=0
node tests/browser/explorer.cjs "$serve_url" "$out/expected.json" "$out" || rc=$?
serve_stop "$out/serve.log" || rc=1
trap - EXIT
echo "screenshots: $(ls "$out"/*.png 2>/dev/null | tr '\n' ' ')"
exit $rc
