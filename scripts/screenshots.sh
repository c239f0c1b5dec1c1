#!/usr/bin/env bash
# Regenerates the README screenshots from the real running app in headless Chromium:
#   bash scripts/screenshots.sh
# Needs Debian's chromium (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
CHROME=${CHROME:-/usr/lib/chromium/chromium}
[ -x "$CHROME" ] || CHROME=/usr/bin/chromium
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/lectern" ./cmd/lectern
port=18181
"$tmp/lectern" serve --addr 127.0.0.1:$port --data "$tmp/data" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
shot() { # url file width height
  "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --hide-scrollbars --user-data-dir="$tmp/chrome" \
    --window-size="$3,$4" --screenshot="$2" "http://127.0.0.1:$port$1" 2>/dev/null
}
shot /courses/crypto-crime/01-blockchain docs/screenshots/module-desktop.png 1280 900
shot /courses/crypto-crime/02-tracing docs/screenshots/module-phone.png 390 844
shot /courses/crypto-crime docs/screenshots/course.png 1280 900
echo "screenshots written to docs/screenshots/"
