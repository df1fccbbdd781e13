#!/usr/bin/env bash
# Fuzz/property campaign for src/logs_pattern: the parser never panics on arbitrary text, token
# soup or benchmark patterns with random edits, and parse(describe(p)) == p for whatever parses
# and for generated syntax trees (whose evaluation must not change across the round trip).
#
#   scripts/fuzz-logs-pattern.sh [CASES_PER_PROPERTY] [SECONDS_TOTAL]
#
# Defaults: 20000 cases per property, at most 300 s in all (a quarter per property). Prints the
# cases run, the time and the failures; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
seconds="${2:-300}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "fuzz-logs-pattern: building (${PROFILE:-dev} profile; PROFILE=release for full speed) ..."
nice -n 10 cargo test ${PROFILE:+--profile "$PROFILE"} --lib --no-run -q 2>&1 | tail -n 3
start=$(date +%s)
status=0
LOGS_PATTERN_FUZZ_CASES="$cases" LOGS_PATTERN_FUZZ_SECONDS="$seconds" \
  nice -n 10 cargo test ${PROFILE:+--profile "$PROFILE"} --lib -q -- --ignored --exact --nocapture \
  logs_pattern::tests::props::fuzz_campaign >"$log" 2>&1 || status=$?
grep '^fuzz-logs-pattern:' "$log" || tail -n 40 "$log"
echo "fuzz-logs-pattern: wall time $(( $(date +%s) - start ))s, exit status $status"
exit "$status"
