#!/usr/bin/env bash
# Scan benchmark: seeds an organization of N member accounts into the emulator (the `scale`
# scenario of tests/harness/seed.py: an organization trail covering everyone, every tenth member
# with a trail of its own — some broken —, plus `log-archive` and `noisy`, which holds 10,000 log
# groups, 1,000 buckets and 1,000 KMS keys no trail uses), then scans it with `scan --org` through
# tests/harness/fault_proxy.py adding a fixed latency to every request (default 50 ms, roughly a
# client far from the AWS region). Prints: where the binary came from, the load average, seeding
# time, and per scan the wall time, the scanner's CPU (user+sys, total and per account), peak RSS,
# findings, AWS calls (total, per account, per operation per account), the CPU the emulator and
# the proxy spent meanwhile, the calls of each kind of account (median member, the noisy one) from
# the proxy's per-account counts; then the same scan with `--regions us-east-1`, for calls per
# account with 1 region against the chosen regions.
#
#   bash scripts/bench-scan.sh [N] [--delay-ms 50[,D2...]] [--regions r1,r2,r3|all] [--concurrency C[,C2...]]
#                              [--bin PATH | --no-build] [--one-region-scan yes|no]
#
# Several delays and/or concurrencies (comma-separated) scan the one seeded organization once per
# combination (the proxy's delay is changed through POST /_proxy/config), the first combination
# also with 1 region; a table at the end sums every scan up. The first scan saves its inventory
# (--save-inventory) and `scan --inventory` then evaluates it without AWS: its peak RSS and CPU
# are what evaluating and reporting cost, apart from collecting.
#
# N: members (default 100; the organization then has N + 3 accounts with the management account,
# log-archive and noisy). --regions: what the scanner evaluates (default
# us-east-1,us-west-2,eu-west-1; `all` = every region enabled in each account). A delay of 0:
# no proxy, the scanner talks to the emulator directly (the benchmark as it was before; calls are
# then counted by the emulator, per operation only, so there is no per-account breakdown).
# The binary: --bin PATH (or TRAILWARDEN_BIN) is used as is; --no-build takes
# ${CARGO_TARGET_DIR:-target}/release/trailwarden as it is; otherwise the script runs
# `cargo build --release` (into CARGO_TARGET_DIR when set). Seeding goes to the emulator
# directly, never through the proxy. Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
N=100; DELAY=50; REGIONS=us-east-1,us-west-2,eu-west-1; CONCURRENCY=""; BIN="${TRAILWARDEN_BIN:-}"
BUILD=1; ONE_REGION=yes
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then N="$1"; shift; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --delay-ms) DELAY="$2"; shift 2 ;;
    --regions) REGIONS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --one-region-scan) ONE_REGION="$2"; shift 2 ;;
    *) echo "bench-scan: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done

bash scripts/setup-emulator.sh >/dev/null
target_dir="${CARGO_TARGET_DIR:-target}"
if [ -n "$BIN" ]; then
  origin="given (--bin / TRAILWARDEN_BIN), not rebuilt"
elif [ "$BUILD" = 0 ]; then
  BIN="$target_dir/release/trailwarden"; origin="existing build in $target_dir (--no-build), not rebuilt"
else
  cargo build --quiet --release --bin trailwarden
  BIN="$target_dir/release/trailwarden"; origin="cargo build --release into $target_dir"
fi
[ -x "$BIN" ] || { echo "bench-scan: no executable binary at $BIN" >&2; exit 2; }
echo "binary: $BIN ($origin; $("$BIN" --version 2>/dev/null || echo '?'), modified $(date -r "$BIN" '+%Y-%m-%d %H:%M:%S'))"
echo "source: HEAD $(git log -1 --format='%h %ci' 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo ', uncommitted changes under src/')"

work="$(mktemp -d)"
.venv/bin/python tests/harness/moto_launcher.py --port 0 --count-requests >"$work/ready" 2>"$work/emulator.log" &
emulator=$!
proxy=""
trap 'kill $emulator $proxy 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -qs '^READY ' "$work/ready" && break; sleep 0.1; done
url="$(sed -n 's/^READY //p' "$work/ready")"
[ -n "$url" ] || { echo "bench-scan: the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
proxy_url=""
if [[ ",$DELAY," =~ ,[0-9]*[1-9][0-9]*, ]]; then  # some delay > 0: start the proxy
  .venv/bin/python tests/harness/fault_proxy.py --upstream "$url" --port 0 >"$work/proxy-ready" 2>"$work/proxy.log" &
  proxy=$!
  for _ in $(seq 1 100); do grep -qs '^READY ' "$work/proxy-ready" && break; sleep 0.1; done
  proxy_url="$(sed -n 's/^READY //p' "$work/proxy-ready")"
  [ -n "$proxy_url" ] || { echo "bench-scan: the proxy did not start:" >&2; cat "$work/proxy.log" >&2; exit 1; }
fi

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy || true

echo "load average before seeding: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "bench: seeding $N members + log-archive + noisy (1.5-2.5 minutes for the noisy account, plus 4-5 s per 100 members)" >&2
seed_start=$(date +%s.%N)
if ! TRAILWARDEN_SCALE_ACCOUNTS="$N" .venv/bin/python tests/harness/seed.py --endpoint "$url" --scenario scale \
    >"$work/world.json" 2>"$work/seed.log"; then
  tail -20 "$work/seed.log" >&2; exit 1
fi
seed_end=$(date +%s.%N)
echo "seeding: $(awk "BEGIN{printf \"%.1f\", $seed_end - $seed_start}") s; $(sed -n 's/^\[seed\] seeding times (s): /phases (s): /p' "$work/seed.log")"

.venv/bin/python - "$BIN" "$url" "${proxy_url:-none}" "$work" "$emulator" "${proxy:-0}" "$DELAY" "$REGIONS" "$CONCURRENCY" "$ONE_REGION" <<'PY'
import json, os, statistics, subprocess, sys, time, urllib.request
bin, url, proxy_url, work, emulator_pid, proxy_pid, delays, regions, concurrencies, one_region = sys.argv[1:11]
world = json.load(open(f"{work}/world.json"))
name_of = {a["id"]: key for key, a in world["accounts"].items()}
own_trail = {t["account_id"]: t.get("scale_kind") for t in world["trails"].values() if not t["is_organization_trail"]}

def kind(acct):
    name = name_of.get(acct, "?")
    if name.startswith("member-"):
        return f"member with its own {own_trail[acct]} trail" if acct in own_trail else "member covered by the org trail only"
    return name  # management, log-archive, noisy

def cpu_seconds(pid):
    if pid == "0":
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def get(u):
    return json.load(urllib.request.urlopen(u))

# How the request counters name the S3 calls this scan makes that are not bucket sub-resources.
LABELS = {"s3:GET service": "ListBuckets", "s3:GET path": "S3 Control GetPublicAccessBlock (account-level)"}

def label(op):
    return f"{op} ({LABELS[op]})" if op in LABELS else op

def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])

def post(u, body):
    req = urllib.request.Request(u, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

def scan(regions, delay, concurrency, save_inventory=None):
    proxied = delay != "0"
    scan_url = proxy_url if proxied else url
    out = f"{work}/report.json"
    argv = [bin, "scan", "--org", "--endpoint-url", scan_url, "--regions", regions, "-o", f"json={out}"]
    if concurrency:
        argv += ["--concurrency", concurrency]
    if save_inventory:
        argv += ["--save-inventory", save_inventory]
    get(f"{url}/_trailwarden/requests")  # reset: count only the scan's calls
    if proxied:
        post(f"{proxy_url}/_proxy/config", {"faults": [{"kind": "delay", "ms": int(delay)}]})
        get(f"{proxy_url}/_proxy/stats?reset=1")
    load = loadavg()
    served = (cpu_seconds(emulator_pid), cpu_seconds(proxy_pid))
    p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M", *argv], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    emu_cpu, proxy_cpu = cpu_seconds(emulator_pid) - served[0], cpu_seconds(proxy_pid) - served[1]
    timeline = [l for l in p.stderr.splitlines() if l.startswith("TIME ")]
    if p.returncode not in (0, 1, 3) or not timeline or not os.path.exists(out):
        sys.exit(f"bench-scan: scan failed (exit {p.returncode}):\n{p.stderr[-3000:]}")
    wall, user, system, rss_kib = (float(x) for x in timeline[-1].split()[1:])
    counts = get(f"{url}/_trailwarden/requests")
    stats = get(f"{scan_url}/_proxy/stats") if proxied else None
    report = json.load(open(out))
    return dict(regions=regions, delay=delay, concurrency=concurrency, report_bytes=os.path.getsize(out), exit=p.returncode, wall=wall, cpu=user + system, rss=rss_kib / 1024,
                emu_cpu=emu_cpu, proxy_cpu=proxy_cpu, counts=counts, stats=stats, report=report,
                load_before=load, load_after=loadavg())

def show(r):
    delay, concurrency, proxied = r["delay"], r["concurrency"], r["delay"] != "0"
    rep = r["report"]
    accounts = rep["scan"]["accounts"]
    scanned = [a for a in accounts if a["status"] == "scanned"]
    n = len(accounts)
    total = sum(r["counts"].values())
    st = rep["summary"]["by_status"]
    regions_scanned = sorted({g for a in scanned for g in a["regions"]})
    via = f"through the proxy at {delay} ms per request" if proxied else "directly against the emulator (no proxy)"
    print(f"\n== scan --org --regions {r['regions']} ({len(regions_scanned)} regions), {via}"
          f"{', --concurrency ' + concurrency if concurrency else ', default concurrency'}; load average {r['load_before']} before, {r['load_after']} after")
    print(f"accounts {n} ({len(scanned)} scanned)  findings {len(rep['findings'])} "
          f"(FAIL {st['FAIL']}, PASS {st['PASS']}, ERROR {st['ERROR']}, N/A {st['NOT_APPLICABLE']})  exit {r['exit']}")
    print(f"wall time {r['wall']:.2f} s  scanner CPU {r['cpu']:.2f} s user+sys = {r['cpu'] / n * 1000:.2f} ms per account  "
          f"peak RSS {r['rss']:.1f} MiB  (JSON report {r['report_bytes'] / 2**20:.1f} MiB)")
    print(f"meanwhile the emulator used {r['emu_cpu']:.1f} s CPU, the proxy {r['proxy_cpu']:.1f} s")
    print(f"AWS calls {total}  = {total / n:.2f} per account  ({total / r['wall']:.0f} calls/s)")
    r["per_account"], r["accounts"], r["regions_seen"] = total / n, n, regions_scanned
    print("per account, by operation (mean over all accounts; top 15):")
    for op, c in sorted(r["counts"].items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {c / n:7.3f}  {label(op)}  ({c})")
    if not r["stats"]:
        print("(no per-account counts without the proxy: run with --delay-ms > 0)")
        return total / n
    per = r["stats"]["accounts_operations"]
    by_kind = {}
    for a in accounts:
        by_kind.setdefault(kind(a["id"]), []).append(sum(per.get(a["id"], {}).values()))
    print("calls per account by kind of account (median, min-max, how many):")
    for k, v in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        print(f"  {statistics.median(v):6.1f}  ({min(v)}-{max(v)})  x{len(v):<4d} {k}")
    members = sorted((sum(per.get(a["id"], {}).values()), a["id"]) for a in accounts
                     if name_of.get(a["id"], "").startswith("member-") and a["id"] not in own_trail)
    median_id = members[len(members) // 2][1]
    noisy = world["accounts"]["noisy"]["id"]
    a, b = per.get(noisy, {}), per.get(median_id, {})
    print(f"noisy account ({world['accounts']['noisy']['id']}: 10,000 log groups, 1,000 buckets, 1,000 keys no trail uses): "
          f"{sum(a.values())} calls; median org-trail-only member ({name_of[median_id]}): {sum(b.values())} calls")
    diff = {op: (a.get(op, 0), b.get(op, 0)) for op in sorted(set(a) | set(b)) if a.get(op, 0) != b.get(op, 0)}
    print("  operations that differ (noisy, median member): " + (", ".join(f"{op} {x}/{y}" for op, (x, y) in diff.items()) or "none"))
    print("  median member's calls: " + ", ".join(f"{label(op)} {c}" for op, c in sorted(b.items(), key=lambda kv: -kv[1])))
    mgmt = per.get(world["account_id"], {})
    # The proxy counts sts:AssumeRole under the account being entered, not the caller's.
    print(f"  the management account's {sum(mgmt.values())} calls (the organization's listing and OU tree, its own "
          f"trails): " + ", ".join(f"{label(op)} {c}" for op, c in sorted(mgmt.items(), key=lambda kv: -kv[1])[:6]))
    unattributed = {k: v for k, v in r["stats"]["accounts"].items() if k not in {x["id"] for x in accounts}}
    if unattributed:
        print(f"  calls of no scanned account: {unattributed}")
    return total / n

delays, concurrencies = delays.split(","), concurrencies.split(",")
runs = []
for i, (delay, concurrency) in enumerate((d, c) for d in delays for c in concurrencies):
    r = scan(regions, delay, concurrency, save_inventory=f"{work}/inventory.json" if i == 0 else None)
    show(r)
    runs.append(r)
    r.pop("report")  # 24 MB of JSON at 1,000 accounts: keep only the figures
    if i == 0:
        # The same inventory evaluated and reported without AWS: what collecting does not cost.
        p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M", bin, "scan", "--inventory", f"{work}/inventory.json",
                            "-o", f"json={work}/report-inventory.json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t = [l for l in p.stderr.splitlines() if l.startswith("TIME ")]
        if t:
            wall, user, system, rss = (float(x) for x in t[-1].split()[1:])
            print(f"evaluating the saved inventory ({os.path.getsize(f'{work}/inventory.json') / 2**20:.1f} MiB) alone, "
                  f"scan --inventory: {wall:.2f} s, CPU {user + system:.2f} s, peak RSS {rss / 1024:.1f} MiB (exit {p.returncode})")
        else:
            print(f"scan --inventory failed (exit {p.returncode}): {p.stderr[-500:]}")
        if one_region == "yes" and regions != "us-east-1":
            one = scan("us-east-1", delay, concurrency)
            show(one)
            runs.append(one)
            one.pop("report")
            rm = r["regions_seen"]
            print(f"\n== calls per account: {one['per_account']:.3f} with 1 region (us-east-1), {r['per_account']:.3f} with {len(rm)} regions "
                  f"({regions}); wall {one['wall']:.2f} s vs {r['wall']:.2f} s")
            c1, cn = one["counts"], r["counts"]
            grow = {op: (c1.get(op, 0), cn.get(op, 0)) for op in sorted(set(c1) | set(cn)) if c1.get(op, 0) != cn.get(op, 0)}
            print("  operations counted differently (1 region -> N; sts:AssumeRole varies from run to run): " +
                  (", ".join(f"{label(op)} {x}->{y}" for op, (x, y) in grow.items()) or "none"))

print(f"\n== summary ({runs[0]['accounts']} accounts)")
print(f"{'delay':>6} {'conc':>5} {'regions':>28} {'wall s':>7} {'CPU s':>6} {'ms/acct':>7} {'RSS MiB':>7} {'calls/acct':>10} {'calls/s':>7}  load before")
for r in runs:
    print(f"{r['delay'] + ' ms' if r['delay'] != '0' else 'none':>6} {r['concurrency'] or 'dflt':>5} {r['regions']:>28} {r['wall']:7.2f} "
          f"{r['cpu']:6.2f} {r['cpu'] / r['accounts'] * 1000:7.2f} {r['rss']:7.1f} {r['per_account']:10.3f} "
          f"{r['per_account'] * r['accounts'] / r['wall']:7.0f}  {r['load_before']}")
PY
