#!/usr/bin/env python3
"""Self-test of fault_proxy.py (run by selftest.py as its "proxy" scope, or on its own).

Usage:
    .venv/bin/python tests/harness/proxy_selftest.py [-v]

Starts a fresh launcher and a proxy in front of it, then checks with boto3 (retries off)
that every injected fault is what botocore parses as that error (ThrottlingException for
CloudTrail's JSON, Throttling for STS's Query, SlowDown for S3, the CBOR shape for
CloudWatch, 429, 500, a connection reset, a hang past the read timeout, AccessDenied for
one account only), that requests pass through unchanged (a 50 MB S3 object both ways,
keep-alive, chunked and read-to-close answers from a stub upstream), that delays add their
latency, that the draws are reproducible from the seed, and that the stats count per
operation, per account and per fault.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.parsers
import cbor2
import requests
from botocore.config import Config

import selftest
from selftest import ACCT, ORG_ROLE, Aws, Emulator, Results, cbor_call, cbor_client, error_code

HERE = Path(__file__).resolve().parent
NO_RETRY = {"total_max_attempts": 1}


class FaultProxy:
    """A fault_proxy.py process on a free port in front of `upstream`."""

    def __init__(self, upstream: str, extra_args: list[str] | None = None) -> None:
        self.stderr = open(os.devnull, "w") if not os.environ.get("SELFTEST_LAUNCHER_LOG") else open(
            os.environ["SELFTEST_LAUNCHER_LOG"], "a")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "fault_proxy.py"), "--upstream", upstream, "--port", "0", *(extra_args or [])],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        m = re.fullmatch(r"READY (http://127\.0\.0\.1:(\d+))\n", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"fault_proxy did not print READY (got {line!r})")
        self.endpoint = m.group(1)
        self.port = int(m.group(2))

    def configure(self, faults: list[dict[str, Any]], seed: int = 0) -> requests.Response:
        return requests.post(f"{self.endpoint}/_proxy/config", json={"seed": seed, "faults": faults}, timeout=10)

    def stats(self, reset: bool = False) -> dict[str, Any]:
        return requests.get(f"{self.endpoint}/_proxy/stats{'?reset=1' if reset else ''}", timeout=10).json()

    def stop(self) -> str:
        self.proc.terminate()
        try:
            rest, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        self.stderr.close()
        return rest or ""


def client(aws: Aws, service: str, **config: Any) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=aws.endpoint, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries=NO_RETRY, **config), **aws.creds)


def raised(fn: Any) -> BaseException | None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001
        return exc
    return None


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --------------------------------------------------------------------------------------
# A stub upstream: chunked and read-to-close answers the emulator does not give
# --------------------------------------------------------------------------------------


class StubHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Stub", "chunked")
            self.end_headers()
            for part in (b"hello ", b"chunked ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Trailer: t\r\n\r\n")
        elif self.path == "/until-close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"body delimited by close")
            self.close_connection = True
        else:
            body = json.dumps({"path": self.path, "host": self.headers.get("Host"),
                               "authorization": self.headers.get("Authorization"),
                               "x-odd-Header": self.headers.get("x-odd-Header")}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_PUT(self) -> None:  # noqa: N802
        if "chunked" in (self.headers.get("Transfer-Encoding") or ""):
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = hashlib.sha256(data).hexdigest().encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def raw_exchange(port: int, payload: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        out = b""
        while True:
            data = s.recv(65536)
            if not data:
                return out
            out += data


def check_stub_upstream(t: Results) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = FaultProxy(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        # Two requests on one kept-alive connection (the second one closes), answers intact.
        out = raw_exchange(proxy.port,
                           b"GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n"
                           b"GET /echo HTTP/1.1\r\nHost: signed-host.example:9\r\nx-odd-Header: KeepMe\r\n"
                           b"Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20240101/us-east-1/s3/aws4_request, "
                           b"SignedHeaders=host, Signature=abc\r\nConnection: close\r\n\r\n")
        t.check("chunked answer relayed verbatim (chunks and trailer), then the next request on the same connection",
                b"6\r\nhello \r\n8\r\nchunked \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n" in out
                and out.count(b"HTTP/1.1 200") == 2, out[:400])
        echoed = json.loads(out.rsplit(b"\r\n\r\n", 1)[1])
        t.check("Host, Authorization and other headers reach the upstream unchanged",
                echoed["host"] == "signed-host.example:9" and echoed["x-odd-Header"] == "KeepMe"
                and echoed["authorization"].endswith("Signature=abc"), echoed)
        out = raw_exchange(proxy.port, b"GET /until-close HTTP/1.1\r\nHost: h\r\n\r\n")
        t.check("a body delimited by the upstream closing is relayed, then the connection closes",
                out.endswith(b"\r\n\r\nbody delimited by close"), out)
        data = os.urandom(3 << 20)
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 70000]), data[i:i + 70000]) for i in range(0, len(data), 70000))
        out = raw_exchange(proxy.port, b"PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           + chunks + b"0\r\n\r\n")
        t.check("a chunked request body is streamed upstream intact", out.endswith(hashlib.sha256(data).hexdigest().encode()),
                out[-100:])
        out = raw_exchange(proxy.port, b"GET /_proxy/nope HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        t.check("unknown control route: 404 JSON listing the routes", out.startswith(b"HTTP/1.1 404") and b"/_proxy/stats" in out,
                out[:200])
        r = requests.post(f"{proxy.endpoint}/_proxy/config", data=b'{"faults": [{"kind": "throttle", "rate": 2}]}', timeout=10)
        t.check("POST /_proxy/config with an invalid rule: 400 with the reason, config unchanged",
                r.status_code == 400 and "rate" in r.json()["error"]
                and requests.get(f"{proxy.endpoint}/_proxy/config", timeout=10).json() == {"seed": 0, "faults": []}, r.text)
        stats = proxy.stats()
        t.check("stub: requests whose account cannot be found count under '?', control routes never counted",
                stats["accounts"] == {"?": 4} and stats["requests"] == 4, stats)
    finally:
        check_quiet(t, proxy.stop(), "stub proxy")
        server.shutdown()


def check_quiet(t: Results, leftover: str, who: str) -> None:
    t.check(f"{who}: nothing on stdout after READY", leftover == "", leftover[:200])


# --------------------------------------------------------------------------------------
# Against the emulator
# --------------------------------------------------------------------------------------


def check_command_line(t: Results, upstream: str) -> None:
    for args, what in ((["--host", "0.0.0.0"], "--host 0.0.0.0"),
                       (["--upstream", "http://10.1.2.3:80"], "a non-loopback --upstream"),
                       (["--throttle-rate", "1.5"], "a rate above 1")):
        full = ["--upstream", upstream, *args] if args[0] != "--upstream" else args
        res = subprocess.run([sys.executable, str(HERE / "fault_proxy.py"), "--port", "0", *full],
                             capture_output=True, text=True, timeout=30)
        t.check(f"refuses {what} (usage error, nothing on stdout)", res.returncode == 2 and res.stdout == "",
                (res.returncode, res.stdout, res.stderr[-200:]))
    # --watch-stdin: exits when its stdin closes.
    proc = subprocess.Popen([sys.executable, str(HERE / "fault_proxy.py"), "--upstream", upstream, "--port", "0",
                             "--watch-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    line = proc.stdout.readline()
    proc.stdin.close()
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = None
    t.check("--watch-stdin: exits once stdin reaches EOF", line.startswith("READY http://127.0.0.1:") and code == 0,
            (line, code))


def second_account(aws: Aws) -> tuple[str, Aws]:
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    req = org.create_account(AccountName="proxy-member", Email="proxy-member@example.com")["CreateAccountStatus"]
    status = org.describe_create_account_status(CreateAccountRequestId=req["Id"])["CreateAccountStatus"]
    member = status["AccountId"]
    return member, aws.assume(member)


def check_faults(t: Results, emu: Emulator) -> None:
    # Flags: throttle CloudTrail DescribeTrails only.
    proxy = FaultProxy(emu.endpoint, ["--throttle-rate", "1", "--operation", "cloudtrail:DescribeTrails"])
    try:
        root = Aws(proxy.endpoint)
        direct = Aws(emu.endpoint)
        code = error_code(lambda: client(root, "cloudtrail").describe_trails())
        t.check("flags: CloudTrail (JSON 1.1) throttled -> ThrottlingException 400", code == ("ThrottlingException", 400), code)
        t.check("flags: other operations pass (cloudtrail:ListTrails, sts:GetCallerIdentity)",
                client(root, "cloudtrail").list_trails()["Trails"] == []
                and client(root, "sts").get_caller_identity()["Account"] == ACCT)
        t.check("GET /_proxy/config shows the flag fault",
                requests.get(f"{proxy.endpoint}/_proxy/config", timeout=10).json()
                == {"seed": 0, "faults": [{"kind": "throttle", "rate": 1.0, "operations": ["cloudtrail:DescribeTrails"]}]})

        member, member_direct = second_account(direct)
        mem = Aws(proxy.endpoint, *[member_direct.creds[k] for k in ("aws_access_key_id", "aws_secret_access_key",
                                                                      "aws_session_token")])
        r = requests.get(f"{emu.endpoint}/_trailwarden/account-of",
                         params={"access_key_id": member_direct.creds["aws_access_key_id"]}, timeout=10)
        t.check("launcher GET /_trailwarden/account-of: an assumed-role key -> its account",
                r.status_code == 200 and r.json() == {"account": member}, r.text)
        r = requests.get(f"{emu.endpoint}/_trailwarden/account-of", params={"access_key_id": "testing"}, timeout=10)
        t.check("...the dummy 'testing' key -> the default account", r.json() == {"account": ACCT}, r.text)
        r = requests.get(f"{emu.endpoint}/_trailwarden/account-of", timeout=10)
        t.check("...without access_key_id -> 400", r.status_code == 400, r.status_code)

        # Throttling, one shape per protocol.
        r = proxy.configure([{"kind": "throttle", "operations": ["sts:*", "s3:*", "monitoring:*", "cloudtrail:*"]}])
        t.check("POST /_proxy/config replaces the configuration (200, echoes it)",
                r.status_code == 200 and r.json()["faults"][0]["kind"] == "throttle", r.text)
        code = error_code(lambda: client(root, "sts").get_caller_identity())
        t.check("STS (Query) throttled -> Throttling 400", code == ("Throttling", 400), code)
        code = error_code(lambda: client(root, "s3").list_buckets())
        t.check("S3 throttled -> SlowDown 503", code == ("SlowDown", 503), code)
        code = error_code(lambda: client(root, "s3").head_bucket(Bucket="any-bucket"))
        t.check("S3 HEAD throttled -> 503, no body", code[1] == 503, code)
        code = error_code(lambda: client(root, "cloudtrail").describe_trails())
        t.check("CloudTrail (JSON) throttled -> ThrottlingException 400", code == ("ThrottlingException", 400), code)
        resp, data = cbor_call(root, "DescribeAlarms", {})
        t.check("CloudWatch CBOR throttled: 400, Smithy-Protocol rpc-v2-cbor, CBOR {__type: …#ThrottlingException}",
                resp.status_code == 400 and resp.headers.get("smithy-protocol") == "rpc-v2-cbor"
                and resp.headers.get("content-type") == "application/cbor"
                and (data or {}).get("__type", "").endswith("#ThrottlingException")
                and data.get("message") == "Rate exceeded"
                and resp.headers.get("x-amzn-query-error") == "Throttling;Sender", (resp.status_code, dict(resp.headers), data))
        cw = cbor_client(proxy.endpoint)
        exc = raised(lambda: cw.describe_alarms())
        t.check("...botocore's own CBOR parser reads it as a throttle (Throttling, awsQuery-compatible code)",
                isinstance(exc, botocore.exceptions.ClientError)
                and exc.response["Error"]["Code"] in ("Throttling", "ThrottlingException"), repr(exc))

        # Plain 429 and 500.
        proxy.configure([{"kind": "http429", "operations": ["sts:GetCallerIdentity", "cloudtrail:DescribeTrails"]},
                         {"kind": "error500", "operations": ["cloudtrail:ListTrails", "s3:*", "sns:*"]}])
        resp = root.raw("POST", "/", "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        t.check("http429 -> bare HTTP 429, empty body", resp.status_code == 429 and resp.content == b"", resp.status_code)
        exc = raised(lambda: client(root, "sts").get_caller_identity())
        t.check("...which botocore cannot parse as a Query error (ResponseParserError), as for any bare 429",
                isinstance(exc, botocore.parsers.ResponseParserError), repr(exc))
        exc = raised(lambda: client(root, "cloudtrail").describe_trails())
        t.check("...and a JSON client sees a ClientError with status 429",
                isinstance(exc, botocore.exceptions.ClientError)
                and exc.response["ResponseMetadata"]["HTTPStatusCode"] == 429, repr(exc))
        code = error_code(lambda: client(root, "cloudtrail").list_trails())
        t.check("error500 CloudTrail -> InternalError 500", code == ("InternalError", 500), code)
        code = error_code(lambda: client(root, "sns").list_topics())
        t.check("error500 SNS (Query) -> InternalError 500", code == ("InternalError", 500), code)
        code = error_code(lambda: client(root, "s3").list_buckets())
        t.check("error500 S3 -> InternalError 500", code == ("InternalError", 500), code)

        # Connection reset, before any response byte.
        proxy.configure([{"kind": "reset", "operations": ["sts:GetCallerIdentity"]}])
        exc = raised(lambda: client(root, "sts").get_caller_identity())
        t.check("reset -> botocore connection error (ConnectionClosedError), no response",
                isinstance(exc, (botocore.exceptions.ConnectionClosedError, botocore.exceptions.ConnectionError)), repr(exc))
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        exc = raised(lambda: raw_exchange(proxy.port, (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))))
        t.check("...it is a TCP RST (ECONNRESET on the socket), not a clean close", isinstance(exc, ConnectionResetError),
                repr(exc))

        # Hang: nothing for N seconds.
        proxy.configure([{"kind": "hang", "seconds": 3, "then": "close", "operations": ["sts:GetCallerIdentity"]}])
        t0 = time.perf_counter()
        exc = raised(lambda: client(root, "sts", read_timeout=0.5, connect_timeout=2).get_caller_identity())
        elapsed = time.perf_counter() - t0
        t.check("hang 3 s -> a 0.5 s read timeout fires (ReadTimeoutError) after ~0.5 s",
                isinstance(exc, botocore.exceptions.ReadTimeoutError) and 0.45 < elapsed < 2.5, (repr(exc), elapsed))
        proxy.configure([{"kind": "hang", "seconds": 0.6, "then": "forward", "operations": ["sts:GetCallerIdentity"]}])
        elapsed = timed(lambda: t.check("hang then forward -> the real answer after the hang",
                                        client(root, "sts").get_caller_identity()["Account"] == ACCT))
        t.check("...which took at least the hang (0.6 s)", 0.6 <= elapsed < 2.0, elapsed)

        # AccessDenied for one account only.
        proxy.configure([{"kind": "deny", "accounts": [member],
                          "operations": ["cloudtrail:DescribeTrails", "sts:GetCallerIdentity", "s3:GET service"]}])
        code = error_code(lambda: client(mem, "cloudtrail").describe_trails())
        t.check("deny member CloudTrail (JSON) -> AccessDeniedException 400", code == ("AccessDeniedException", 400), code)
        code = error_code(lambda: client(mem, "sts").get_caller_identity())
        t.check("deny member STS (Query) -> AccessDenied 403", code == ("AccessDenied", 403), code)
        code = error_code(lambda: client(mem, "s3").list_buckets())
        t.check("deny member S3 ListBuckets -> AccessDenied 403", code == ("AccessDenied", 403), code)
        t.check("...the management account is not denied",
                client(root, "cloudtrail").describe_trails()["trailList"] == []
                and client(root, "sts").get_caller_identity()["Account"] == ACCT)
        t.check("...nor the member's other operations", client(mem, "cloudtrail").list_trails()["Trails"] == [])
        # AssumeRole counts for the account being entered: denying the member denies entering it.
        proxy.configure([{"kind": "deny", "accounts": [member], "operations": ["sts:AssumeRole"]}])
        proxy.stats(reset=True)
        code = error_code(lambda: client(root, "sts").assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/{ORG_ROLE}", RoleSessionName="proxy-selftest"))
        t.check("deny member sts:AssumeRole -> entering it from the management account is AccessDenied 403",
                code == ("AccessDenied", 403), code)
        t.check("...while the member's own calls (signed with its credentials) are not denied",
                client(mem, "sts").get_caller_identity()["Account"] == member)
        counted = proxy.stats(reset=True)
        t.check("...AssumeRole is counted under the entered account",
                counted["faults_by_account"] == {member: {"deny": 1}}
                and counted["accounts_operations"].get(member, {}).get("sts:AssumeRole") == 1, counted)
        proxy.configure([{"kind": "deny", "accounts": [member],
                          "operations": ["cloudtrail:DescribeTrails", "sts:GetCallerIdentity", "s3:GET service"]}])

        # Stats: per operation, per account, per fault kind.
        proxy.stats(reset=True)
        for _ in range(3):
            client(root, "sts").get_caller_identity()
        for _ in range(2):
            error_code(lambda: client(mem, "sts").get_caller_identity())
        client(mem, "cloudtrail").list_trails()
        stats = proxy.stats(reset=True)
        t.check("stats: counts per operation", stats["operations"] == {"sts:GetCallerIdentity": 5, "cloudtrail:ListTrails": 1},
                stats["operations"])
        t.check("stats: counts per account", stats["accounts"] == {ACCT: 3, member: 3}, stats["accounts"])
        t.check("stats: per account and operation",
                stats["accounts_operations"] == {ACCT: {"sts:GetCallerIdentity": 3},
                                                 member: {"cloudtrail:ListTrails": 1, "sts:GetCallerIdentity": 2}},
                stats["accounts_operations"])
        t.check("stats: faults per kind, per operation and per account",
                stats["faults"]["deny"] == 2 and sum(stats["faults"].values()) == 2
                and stats["faults_by_operation"] == {"sts:GetCallerIdentity": {"deny": 2}}
                and stats["faults_by_account"] == {member: {"deny": 2}} and stats["requests"] == 6, stats)
        again = proxy.stats()
        t.check("stats ?reset=1 cleared the counts", again["requests"] == 0 and again["operations"] == {}
                and set(again) == set(stats), again)

        # Delays.
        proxy.configure([])
        sts = client(root, "sts")
        sts.get_caller_identity()
        base = statistics.median(timed(sts.get_caller_identity) for _ in range(7))
        proxy.configure([{"kind": "delay", "ms": 150, "operations": ["sts:GetCallerIdentity"]}])
        delayed = statistics.median(timed(sts.get_caller_identity) for _ in range(7))
        t.check("delay 150 ms adds 150 ms (median of 7, -5..+60 ms)", 0.145 <= delayed - base < 0.210,
                (base, delayed))
        proxy.configure([{"kind": "delay", "min_ms": 100, "max_ms": 200, "operations": ["sts:GetCallerIdentity"]}])
        samples = [timed(sts.get_caller_identity) - base for _ in range(8)]
        t.check("random delay 100..200 ms: every call delayed within the range (-5..+60 ms)",
                all(0.095 <= s < 0.260 for s in samples) and max(samples) - min(samples) > 0.010, samples)
        # The same delays again from the same seed: the draws themselves, not timings (which a
        # loaded machine blurs by tens of ms).
        import fault_proxy

        def drawn(seed: int) -> list[float]:
            cfg = fault_proxy.FaultConfig.from_json({"seed": seed, "faults": [
                {"kind": "delay", "min_ms": 100, "max_ms": 200, "operations": ["sts:GetCallerIdentity"]}]})
            decider = fault_proxy.Decider(cfg)
            return [decider.decide("sts:GetCallerIdentity", ACCT)[0] for _ in range(8)]
        t.check("...and the same delays again from the same seed, others from another seed",
                drawn(0) == drawn(0) and drawn(0) != drawn(1) and all(0.1 <= d <= 0.2 for d in drawn(0)), (drawn(0), drawn(1)))

        # Reproducible draws.
        def pattern(seed: int) -> str:
            proxy.configure([{"kind": "throttle", "rate": 0.5, "operations": ["sts:GetCallerIdentity"]}], seed=seed)
            return "".join("T" if error_code(sts.get_caller_identity)[0] == "Throttling" else "." for _ in range(40))

        p1, p2, p3 = pattern(42), pattern(42), pattern(43)
        t.check("throttle rate 0.5: the same seed gives the same sequence, another seed another one",
                p1 == p2 and p1 != p3 and 10 <= p1.count("T") <= 30, (p1, p2, p3))
        proxy.configure([])

        # Pass-through of a large S3 object, both ways.
        s3 = client(root, "s3")
        s3.create_bucket(Bucket="proxy-selftest-big")
        data = os.urandom(50 << 20)
        s3.put_object(Bucket="proxy-selftest-big", Key="blob", Body=data)
        got = s3.get_object(Bucket="proxy-selftest-big", Key="blob")["Body"].read()
        t.check("S3 put + get of a 50 MB object through the proxy: the same bytes",
                len(got) == len(data) and hashlib.sha256(got).digest() == hashlib.sha256(data).digest(), len(got))
        direct_got = client(direct, "s3").get_object(Bucket="proxy-selftest-big", Key="blob")["Body"].read()
        t.check("...and the emulator stored exactly those bytes", direct_got == data)
        stats = proxy.stats()
        t.check("stats name S3 REST calls as the launcher's request counter does",
                {"s3:PUT bucket", "s3:PUT path", "s3:GET path"} <= set(stats["operations"]), stats["operations"])
    finally:
        check_quiet(t, proxy.stop(), "proxy")


def run(t: Results) -> None:
    t.scope = "proxy"
    check_stub_upstream(t)
    emu = Emulator()
    try:
        check_command_line(t, emu.endpoint)
        check_faults(t, emu)
    finally:
        selftest.check_launcher_stdout(t, emu.stop())


def main() -> int:
    parser = argparse.ArgumentParser(description="Self-test of fault_proxy.py.")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = parser.parse_args()
    t = Results(args.verbose)
    try:
        run(t)
    except Exception as exc:  # noqa: BLE001
        import traceback

        t.check("proxy self-test ran without exception", False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    print(f"{t.passed} passed, {len(t.failed)} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
