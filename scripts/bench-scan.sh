#!/usr/bin/env bash
# Scan benchmark: seeds an organization of N member accounts (default 100) into the emulator,
# scans it with the release build, and prints wall time, peak memory, and the AWS calls made
# (total, per account, per operation) — the figures behind "few calls, many at once".
#
#   bash scripts/bench-scan.sh [N] [--concurrency C]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100}"; shift || true
bash scripts/setup-emulator.sh >/dev/null
cargo build --quiet --release --bin trailwarden
bin=target/release/trailwarden

work="$(mktemp -d)"
.venv/bin/python tests/harness/moto_launcher.py --port 0 --count-requests >"$work/ready" 2>"$work/emulator.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q '^READY ' "$work/ready" && break; sleep 0.1; done
url="$(sed -n 's/^READY //p' "$work/ready")"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
TRAILWARDEN_SCALE_ACCOUNTS="$N" .venv/bin/python - "$bin" "$url" "$work" "$@" <<'PY'
import json, os, resource, subprocess, sys, time, urllib.request
bin, url, work, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t = time.monotonic()
subprocess.run([".venv/bin/python", "tests/harness/seed.py", "--endpoint", url, "--scenario", "scale"],
               check=True, stdout=subprocess.DEVNULL)
seeding = time.monotonic() - t
urllib.request.urlopen(f"{url}/_trailwarden/requests").read()  # reset: count only the scan's calls
t = time.monotonic()
p = subprocess.run([bin, "scan", "--org", "--endpoint-url", url, "-o", f"json={work}/report.json", *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.monotonic() - t
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
counts = json.load(urllib.request.urlopen(f"{url}/_trailwarden/requests"))
report = json.load(open(f"{work}/report.json"))
accounts = len(report["scan"]["accounts"])
trails = len({f["resource"] for f in report["findings"] if f["check"] == "CT108"})
buckets = len({f["resource"] for f in report["findings"] if f["check"] == "CT304"})
total = sum(counts.values())
print(f"accounts {accounts}  trails {trails}  buckets {buckets}  findings {len(report['findings'])}  exit {p.returncode}")
print(f"scan wall time {wall:.2f} s  ({wall / accounts * 1000:.1f} ms per account)  peak RSS {peak_kib / 1024:.1f} MiB")
print(f"AWS calls {total}  ({total / accounts:.1f} per account)")
for op, n in sorted(counts.items(), key=lambda kv: -kv[1])[:25]:
    print(f"  {n:6d}  {op}")
print(f"(seeding {accounts} accounts took {seeding:.1f} s, not part of the scan)")
PY
