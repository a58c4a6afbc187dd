#!/usr/bin/env bash
# Makes the README's screenshots of the review site (docs/review-list.png, review-incident.png,
# review-stats.png): `incident-bot demo` records the case study into a temporary database,
# `incident-bot serve` serves it on a free loopback port, and tests/browser/screenshots.mjs takes
# the pictures in headless Chromium (the browser suite's browser). Needs a build (build/ or
# $BUILD_DIR) and what `bash scripts/setup.sh --test` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
bot="${BUILD_DIR:-build}/incident-bot"
[ -x "$bot" ] || { echo "scripts/screenshots.sh: no $bot; build first (bash scripts/build.sh)" >&2; exit 1; }
[ -d tests/browser/node_modules/playwright-core ] ||
  { echo "scripts/screenshots.sh: run 'bash scripts/setup.sh --test' first (Chromium, Node.js, npm packages)" >&2; exit 1; }

work="$(mktemp -d)"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bot" demo --db "$work/case-study.db" --quiet >/dev/null
"$bot" serve --db "$work/case-study.db" --listen 127.0.0.1:0 2>"$work/serve.log" &
serve_pid=$!
# serve logs "… on http://127.0.0.1:PORT/" once it listens.
port=""
for _ in $(seq 100); do
  port="$(sed -n 's|.* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.log" >&2; echo "scripts/screenshots.sh: serve did not start" >&2; exit 1; }

mkdir -p docs
node tests/browser/screenshots.mjs "http://127.0.0.1:$port" docs
