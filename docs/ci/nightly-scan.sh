#!/usr/bin/env bash
# Nightly scan from cron on a host with an instance role (or AWS_PROFILE) in the
# management account. Keeps one dated folder per night and compares with the previous one.
#
#   crontab -e
#   17 2 * * * /opt/trailwarden/nightly-scan.sh >>/var/log/trailwarden.log 2>&1
set -euo pipefail
REPORT_DIR="${REPORT_DIR:-/var/lib/trailwarden}"
ROLE="${TRAILWARDEN_ROLE:-TrailwardenAudit}"
day="$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$REPORT_DIR/$day"

baseline=()
if [ -f "$REPORT_DIR/latest/report.json" ]; then
  baseline=(--baseline "$REPORT_DIR/latest/report.json")
fi

status=0
trailwarden scan --org --role-name "$ROLE" "${baseline[@]}" \
  --save-inventory "$REPORT_DIR/$day/inventory.json" \
  -o json="$REPORT_DIR/$day/report.json" -o html="$REPORT_DIR/$day/report.html" \
  -o csv="$REPORT_DIR/$day/findings.csv" || status=$?

# 0 clean, 1 failures, 3 incomplete: a complete report exists, so it becomes the next baseline.
# 2 is a usage or fatal error: keep the previous baseline.
if [ "$status" -ne 2 ]; then
  ln -sfn "$day" "$REPORT_DIR/latest"
fi
echo "trailwarden: $(date -u +%FT%TZ) exit $status, reports in $REPORT_DIR/$day"
exit "$status"
