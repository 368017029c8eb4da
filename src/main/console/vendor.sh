#!/usr/bin/env bash
# Refreshes the console's vendored browser libraries from npm, at the versions package-lock.json pins, into
# src/main/resources/webroot/console/vendor (committed, so the Maven build needs no npm and no network).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
target=../resources/webroot/console/vendor/uplot
rm -rf "$target"
mkdir -p "$target"
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE "$target"/
echo "uplot $(node -p "require('./node_modules/uplot/package.json').version") -> $target"
