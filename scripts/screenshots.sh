#!/usr/bin/env bash
# Regenerates the README screenshots from the real app in headless Chromium:
# a trainer and an officer sign in and walk a training day (see
# internal/web/screenshots_test.go). Needs Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
LECTERN_SCREENSHOTS="$PWD/docs/screenshots" go test ./internal/web -run '^TestScreenshots$' -count=1 -v
