#!/usr/bin/env bash
# browser_deps.sh [BUILD] — what the browser test (make test-browser) needs, installed where
# missing: Debian's chromium (apt; sudo when not root) and playwright-core from npm, pinned,
# into BUILD/npm (default build/npm, which git ignores). Node.js itself comes from apt too.
# `npx playwright install` is never used: it downloads its own browsers, which we do not want
# (and cannot, offline); playwright-core drives the system's chromium instead.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
playwright_version=1.65.2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
        --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$(node -p "require('./$build/npm/node_modules/playwright-core/package.json').version" 2>/dev/null)" != "$playwright_version" ]; then
    mkdir -p "$build/npm"
    npm install --prefix "$build/npm" --no-save --no-audit --no-fund --loglevel=error "playwright-core@$playwright_version"
fi
echo "browser test: $(/usr/bin/chromium --version 2>/dev/null | head -1), playwright-core $playwright_version in $build/npm"
