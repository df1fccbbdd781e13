#!/usr/bin/env python3
"""Benchmark of fault_proxy.py: throughput, streaming and delay accuracy.

Usage:
    .venv/bin/python tests/harness/proxy_bench.py [--seconds 5] [--concurrency 32,64,128]
                                                  [--object-mb 300]

Starts its own launcher and proxies (loopback only) and prints one result per line:
  - sts:GetCallerIdentity requests/s at each concurrency (keep-alive connections sending one
    pre-signed request again and again), straight to the emulator and through the proxy;
  - the same through the proxy in front of a stub upstream that answers at once, i.e. the
    proxy's own ceiling, not moto's;
  - MB/s of one large S3 GetObject, direct and proxied, and the proxy's peak RSS (streaming:
    it must stay far below the object size);
  - the latency --delay-ms 20 and 50 add (median / p95 / max over sequential calls, and median
    at 4 concurrent clients, below the emulator's saturation).
The load generator, the proxy and the emulator share the machine's cores: numbers are for
the whole loop on this machine, not for the proxy alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = Path(__file__).resolve().parent


def start(cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline() if ready else ""
    m = re.fullmatch(r"READY (http://127\.0\.0\.1:(\d+))\n", line)
    if not m:
        proc.kill()
        raise SystemExit(f"{cmd[1]} did not print READY: {line!r}")
    return proc, m.group(1)


def proxy(upstream: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    return start([sys.executable, str(HERE / "fault_proxy.py"), "--upstream", upstream, "--port", "0", *args])


def signed(method: str, endpoint: str, path: str, service: str, body: bytes = b"",
           headers: dict[str, str] | None = None) -> bytes:
    """Raw HTTP/1.1 bytes of a SigV4-signed request (moto does not check the signature's age)."""
    url = endpoint + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials("testing", "testing"), service, "us-east-1").add_auth(req)
    host = endpoint.split("://", 1)[1]
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in req.headers.items() if k.lower() != "host"]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """(status, body length, the server closes the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    n = int(m.group(1)) if m else 0
    total = n
    while n:
        data = await reader.read(min(n, 1 << 20))
        if not data:
            raise ConnectionError("short body")
        n -= len(data)
    return status, total, re.search(rb"\r\nconnection:\s*close", head, re.IGNORECASE) is not None


async def hammer(port: int, payload: bytes, concurrency: int, seconds: float) -> tuple[float, list[float], int]:
    """requests/s, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader = writer = None
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            if writer is None:  # moto answers Connection: close: a new connection per request
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
            writer.write(payload)
            status, _, close = await read_response(reader)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors += 1
            if close:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - t0), latencies, errors


def rps(port: int, payload: bytes, concurrency: int, seconds: float) -> str:
    rate, lat, errors = asyncio.run(hammer(port, payload, concurrency, seconds))
    lat.sort()
    return (f"{rate:8.0f} req/s  p50 {1000 * lat[len(lat) // 2]:6.1f} ms  p99 {1000 * lat[int(len(lat) * 0.99)]:6.1f} ms"
            f"  errors {errors}")


async def get_big(port: int, payload: bytes) -> tuple[float, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    t0 = time.perf_counter()
    writer.write(payload)
    _, n, _ = await read_response(reader)
    elapsed = time.perf_counter() - t0
    writer.close()
    return elapsed, n


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


STUB = r'''
import asyncio, sys
BODY = b'<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>'
RESP = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
async def handle(r, w):
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            i = head.lower().find(b"content-length:")
            if i >= 0:
                await r.readexactly(int(head[i + 15:head.index(b"\r\n", i)]))
            w.write(RESP)
    except Exception:
        w.close()
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(f"READY http://127.0.0.1:{s.sockets[0].getsockname()[1]}", flush=True)
    await s.serve_forever()
asyncio.run(main())
'''


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", default="32,64,128")
    ap.add_argument("--object-mb", type=int, default=300)
    args = ap.parse_args()
    conc = [int(c) for c in args.concurrency.split(",")]
    procs: list[subprocess.Popen[str]] = []
    try:
        emu, emu_url = start([sys.executable, str(HERE / "moto_launcher.py"), "--port", "0"])
        procs.append(emu)
        px, px_url = proxy(emu_url)
        procs.append(px)
        stub, stub_url = start([sys.executable, "-c", STUB])
        procs.append(stub)
        pstub, pstub_url = proxy(stub_url)
        procs.append(pstub)
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        port = lambda url: int(url.rsplit(":", 1)[1])  # noqa: E731
        for name, url in (("direct to the emulator", emu_url), ("through the proxy", px_url),
                          ("stub upstream, direct", stub_url), ("stub upstream, through the proxy", pstub_url)):
            payload = signed("POST", url, "/", "sts", body, form)
            asyncio.run(hammer(port(url), payload, 8, 0.5))  # warm-up (also caches the account)
            for c in conc:
                print(f"sts:GetCallerIdentity {name:34s} c={c:<4d} {rps(port(url), payload, c, args.seconds)}", flush=True)

        # Large GetObject.
        size = args.object_mb << 20
        import boto3
        from botocore.config import Config

        s3 = boto3.client("s3", endpoint_url=emu_url, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket="bench-big")
        s3.put_object(Bucket="bench-big", Key="blob", Body=os.urandom(1 << 20) * args.object_mb)
        rss_before = peak_rss_mb(px.pid)
        for name, url in (("direct", emu_url), ("through the proxy", px_url), ("direct", emu_url),
                          ("through the proxy", px_url)):
            payload = signed("GET", url, "/bench-big/blob", "s3", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
            elapsed, n = asyncio.run(get_big(port(url), payload))
            assert n == size, (n, size)
            print(f"s3:GetObject {args.object_mb} MB {name:20s} {size / elapsed / 1e6:7.0f} MB/s ({elapsed:.2f} s)", flush=True)
        print(f"proxy peak RSS: {rss_before:.0f} MB before the GetObjects, {peak_rss_mb(px.pid):.0f} MB after "
              f"(object: {args.object_mb} MB)", flush=True)

        # Delay accuracy.
        payload_of = lambda url: signed("POST", url, "/", "sts", body, form)  # noqa: E731

        async def sequential(p: int, payload: bytes, n: int) -> list[float]:
            out = []
            for _ in range(n):
                t0 = time.perf_counter()
                reader, writer = await asyncio.open_connection("127.0.0.1", p)
                writer.write(payload)
                await read_response(reader)
                out.append(time.perf_counter() - t0)
                writer.close()
            return out

        base = asyncio.run(sequential(port(px_url), payload_of(px_url), 200))
        base_med = statistics.median(base)
        _, base_lat, _ = asyncio.run(hammer(port(px_url), payload_of(px_url), 4, 3))
        base_conc = statistics.median(base_lat)
        print(f"no delay, sequential: median {1000 * base_med:.2f} ms; 4 concurrent: median {1000 * base_conc:.2f} ms")
        for ms in (20, 50):
            dp, dp_url = proxy(emu_url, "--delay-ms", str(ms))
            procs.append(dp)
            lat = asyncio.run(sequential(port(dp_url), payload_of(dp_url), 200))
            added = sorted(1000 * (x - base_med) for x in lat)
            _, clat, _ = asyncio.run(hammer(port(dp_url), payload_of(dp_url), 4, 3))
            print(f"--delay-ms {ms}: added latency sequential median {statistics.median(added):.2f} ms, "
                  f"p95 {added[int(len(added) * 0.95)]:.2f} ms, min {added[0]:.2f} ms, max {added[-1]:.2f} ms; "
                  f"4 concurrent: median {1000 * (statistics.median(clat) - base_conc):.2f} ms added", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
