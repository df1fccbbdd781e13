#!/usr/bin/env bash
# Digest-chain verification benchmark: `trailwarden validate-logs` against
# `aws cloudtrail validate-logs` on the same chain.
#
# Seeds a week of hourly digests for one region (168 digests, 5-20 log files of 50-500 KB
# gzip per hour: about 2,000 log files, 540 MB gzip, 5.5 GB inflated) into the emulator,
# serves it through tests/harness/fault_proxy.py with a fixed delay per request (default
# 20 ms, as from a client to S3 in the same region), and runs both tools on it. Prints per
# tool: wall time, CPU time (user + system), peak RSS, digests/s, MB/s of gzip read, MB/s
# inflated and hashed; the CPU the emulator and the proxy spent serving each run (where the
# time goes); and whether the two tools' summaries agree.
#
# The AWS CLI v1 (pinned) is installed into a separate virtualenv, .venv-bench, so that its
# exact botocore pin cannot disturb the emulator's in .venv.
#
#   bash scripts/bench-validate-logs.sh [--hours 168] [--delay-ms 20] [--profile release|dev] [--no-cli]
set -euo pipefail
cd "$(dirname "$0")/.."
HOURS=168; DELAY=20; PROFILE=release; CLI=1
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) HOURS="$2"; shift 2 ;;
    --delay-ms) DELAY="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --no-cli) CLI=0; shift ;;
    *) echo "bench-validate-logs: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
AWSCLI_VERSION=1.46.3

bash scripts/setup-emulator.sh >/dev/null
if [ "$PROFILE" = release ]; then
  cargo build --quiet --release --bin trailwarden; bin="${CARGO_TARGET_DIR:-target}/release/trailwarden"
else
  cargo build --quiet --bin trailwarden; bin="${CARGO_TARGET_DIR:-target}/debug/trailwarden"
fi
if [ "$CLI" = 1 ] && ! .venv-bench/bin/aws --version 2>/dev/null | grep -q "aws-cli/$AWSCLI_VERSION "; then
  echo "bench: installing awscli $AWSCLI_VERSION into .venv-bench" >&2
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi

work="$(mktemp -d)"
.venv/bin/python tests/harness/moto_launcher.py --port 0 >"$work/ready" 2>"$work/emulator.log" &
emulator=$!
trap 'kill "$emulator" "${proxy:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q '^READY ' "$work/ready" && break; sleep 0.1; done
url="$(sed -n 's/^READY //p' "$work/ready")"
.venv/bin/python tests/harness/fault_proxy.py --upstream "$url" --port 0 --delay-ms "$DELAY" >"$work/proxy-ready" 2>"$work/proxy.log" &
proxy=$!
for _ in $(seq 1 100); do grep -q '^READY ' "$work/proxy-ready" && break; sleep 0.1; done
proxy_url="$(sed -n 's/^READY //p' "$work/proxy-ready")"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN || true

echo "bench: seeding $HOURS hourly digests and their log files (about 50 s for a week)" >&2
.venv/bin/python tests/harness/chain.py --endpoint "$url" --bucket bench-trail-logs --create-bucket \
  --trail-arn arn:aws:cloudtrail:us-east-1:123456789012:trail/bench --hours "$HOURS" \
  --logs-per-hour 5:20 --log-size 50K:500K --empty-hours none --seed 42 --quiet >"$work/manifest.json"

.venv/bin/python - "$bin" "$proxy_url" "$work" "$emulator" "$proxy" "$CLI" "$DELAY" <<'PY'
import json, os, subprocess, sys, time
bin, proxy_url, work, emulator_pid, proxy_pid, cli, delay = sys.argv[1:8]
m = json.load(open(f"{work}/manifest.json"))
arn, bucket = m["trail_arn"], m["bucket"]
start, end = m["start_time"], m["end_time"]
digests, logs = m["totals"]["digests"], m["totals"]["logs"]
gz_mb = m["totals"]["log_bytes_compressed"] / 1e6
raw_mb = m["totals"]["log_bytes_uncompressed"] / 1e6

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def run(name, argv, env):
    served = (cpu_seconds(emulator_pid), cpu_seconds(proxy_pid))
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", *argv], env=env, capture_output=True, text=True)
    wall = time.monotonic() - t
    user, system, rss_kib = p.stderr.strip().splitlines()[-1].split()
    emu, prx = cpu_seconds(emulator_pid) - served[0], cpu_seconds(proxy_pid) - served[1]
    cpu = float(user) + float(system)
    summary = [l for l in p.stdout.splitlines() if "files valid" in l or l.startswith("Results") or "No " in l]
    print(f"{name}: exit {p.returncode}, wall {wall:.1f} s, CPU {cpu:.1f} s (user {float(user):.1f}, sys {float(system):.1f}), peak RSS {int(rss_kib) / 1024:.0f} MiB")
    print(f"  {digests / wall:.1f} digests/s, {gz_mb / wall:.1f} MB/s gzip read, {raw_mb / wall:.1f} MB/s inflated and hashed")
    print(f"  serving it cost the emulator {emu:.1f} s CPU and the proxy {prx:.1f} s CPU")
    for line in summary:
        print(f"  | {line}")
    return wall, cpu, summary, p

print(f"chain: {digests} digests, {logs} log files, {gz_mb:.0f} MB gzip, {raw_mb:.0f} MB inflated; {delay} ms per request through the proxy")
env = dict(os.environ)
ours = run("trailwarden validate-logs", [bin, "validate-logs", "--trail-arn", arn, "--start-time", start, "--end-time", end,
            "--s3-bucket", bucket, "--endpoint-url", proxy_url], env)
if cli == "1":
    env_cli = dict(env, AWS_ENDPOINT_URL=proxy_url)
    theirs = run(f"aws cloudtrail validate-logs", [".venv-bench/bin/aws", "cloudtrail", "validate-logs", "--trail-arn", arn,
                  "--start-time", start, "--end-time", end, "--s3-bucket", bucket, "--region", "us-east-1"], env_cli)
    print(f"speed-up: {theirs[0] / ours[0]:.1f}x wall, CPU {ours[1]:.1f} s against {theirs[1]:.1f} s")
    same = ours[2] == theirs[2]
    print(f"summaries {'identical' if same else 'DIFFER'}")
    if not same:
        print("  aws:", theirs[2], "\n  stderr:", theirs[3].stderr[-2000:])
PY
