#!/usr/bin/env bash
# Takes the README's picture of the troubleshooting page: runs the offline demo three times into a
# fresh state file, serves the page over it (`ui` command, 127.0.0.1 only) and has a headless
# Chromium (Debian package `chromium`) screenshot it. Not part of the build: CI needs no browser.
#
# Usage: samples/ui-screenshot.sh [OUTPUT.png]   (default docs/troubleshooting-page.png)
# Build the jar first: mvn -B -pl samples -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/troubleshooting-page.png}"
jar=samples/target/braze-odp-sync.jar
port="${UI_PORT:-18081}"
[ -f "$jar" ] || { echo "missing $jar: mvn -B -pl samples -am package -DskipTests" >&2; exit 64; }
command -v chromium >/dev/null || { echo "needs chromium: apt-get install -y chromium" >&2; exit 64; }

work="$(mktemp -d)"
ui_pid=""
cleanup() {
  if [ -n "$ui_pid" ]; then kill "$ui_pid" 2>/dev/null || true; wait "$ui_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for run in 1 2 3; do
  # Exit 2 (partial) is expected: the demo world holds rejected records on purpose.
  java -jar "$jar" demo --state "$work/state.db" >"$work/demo-$run.log" 2>&1 || [ $? -eq 2 ]
done

java -jar "$jar" ui --state "$work/state.db" --port "$port" >"$work/ui.log" 2>&1 &
ui_pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/ui.log" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --hide-scrollbars \
  --screenshot="$(realpath -m "$out")" --window-size=1280,1600 \
  "http://127.0.0.1:$port/" >"$work/chromium.log" 2>&1 || { cat "$work/chromium.log" >&2; exit 1; }
echo "wrote $out ($(stat -c %s "$out") bytes)"
