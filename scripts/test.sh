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
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast "$@"
  # nextest does not run doctests; there are none, but keep the two runners honest.
else
  cargo test --no-fail-fast "$@"
fi
