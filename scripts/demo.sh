#!/usr/bin/env bash
# The main job, end to end, on a fresh machine: install the pinned AWS emulator, build
# trailwarden, serve a demo AWS Organization on 127.0.0.1 (seeded through the AWS APIs),
# scan the whole organization (verifying every digest chain of the last 24 h), write the HTML
# and JSON reports, print the summary.
# Nothing here talks to real AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/demo}"

bash scripts/setup-emulator.sh
echo "demo: building trailwarden (first build compiles the AWS SDK: a few minutes)" >&2
cargo build --quiet --bin trailwarden

mkdir -p "$OUT"
ready="$(mktemp)"
.venv/bin/python tests/harness/moto_launcher.py --port 0 >"$ready" 2>"$OUT/emulator.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -f "$ready"' EXIT
for _ in $(seq 1 100); do
  grep -q '^READY ' "$ready" && break
  kill -0 "$emulator" 2>/dev/null || { echo "demo: the emulator did not start; see $OUT/emulator.log" >&2; exit 2; }
  sleep 0.1
done
url="$(sed -n 's/^READY //p' "$ready")"
[ -n "$url" ] || { echo "demo: the emulator did not become ready; see $OUT/emulator.log" >&2; exit 2; }
echo "demo: emulator at $url; seeding the demo organization" >&2
.venv/bin/python tests/harness/seed.py --endpoint "$url" --scenario demo >"$OUT/seeded.json"

# Credentials for the emulator only; the user's own AWS configuration is never read.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true

status=0
target/debug/trailwarden scan --org --verify-integrity --endpoint-url "$url" \
  -o json="$OUT/report.json" -o html="$OUT/report.html" \
  --save-inventory "$OUT/inventory.json" || status=$?

case "$status" in
  0) meaning="nothing failed" ;;
  1) meaning="failures found (expected: the demo organization is partly non-compliant)" ;;
  3) meaning="some evidence could not be read" ;;
  *) echo "demo: the scan failed with exit code $status" >&2; exit "$status" ;;
esac
echo >&2
echo "demo: scan exit code $status: $meaning" >&2
echo "demo: reports: $OUT/report.html  $OUT/report.json  (inventory: $OUT/inventory.json)" >&2
