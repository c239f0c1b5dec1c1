#!/usr/bin/env bash
# Regenerates the README screenshots in headless Chromium from the real binary
# running `lectern serve --demo`: each role signs in and the pages the README's
# walk-through names are captured, plus one certificate rendered with pdftoppm
# (see internal/web/screenshots_test.go). Needs Debian's chromium and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
LECTERN_SCREENSHOTS="$PWD/docs/screenshots" go test ./internal/web -run '^TestScreenshots$' -count=1 -v
