#!/usr/bin/env bash
# The whole test suite: installs the pinned AWS emulator into .venv (first run only), checks
# the emulator patches, then runs every Rust test (unit, CLI, end-to-end through the binary,
# and the HTML report in headless Chromium, installed from Debian by setup-browser.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-emulator.sh
bash scripts/setup-validators.sh
bash scripts/setup-browser.sh
.venv/bin/python tests/harness/selftest.py
# Every emulator a test starts records the operations trailwarden calls; checked below.
operations="$(mktemp -d)"
trap 'rm -rf "$operations"' EXIT
export TRAILWARDEN_RECORD_OPERATIONS="$operations"
status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast "$@" || status=$?
  # nextest does not run doctests; there are none, but keep the two runners honest.
else
  cargo test --no-fail-fast "$@" || status=$?
fi
# Least privilege, proved on the whole suite: every AWS operation the binary called is in
# `trailwarden iam-policy` and is a read. The check itself must refuse a write.
bin="${CARGO_TARGET_DIR:-target}/debug/trailwarden"
.venv/bin/python tests/harness/check_operations.py "$operations" "$bin" || status=1
write="$(mktemp -d)"; echo "cloudtrail:StopLogging" >"$write/operations-0.txt"
if .venv/bin/python tests/harness/check_operations.py "$write" "$bin" >/dev/null 2>&1; then
  echo "check_operations.py accepted cloudtrail:StopLogging" >&2; status=1
fi
rm -rf "$write"
exit "$status"
