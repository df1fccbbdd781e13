#!/usr/bin/env python3
"""Latency- and fault-injecting HTTP proxy in front of the AWS emulator (moto_launcher.py).

Usage:
    python tests/harness/fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0]
        [--host 127.0.0.1] [--watch-stdin] [--verbose] [--seed N] [--config JSON|@FILE]
        [--delay-ms MS | --delay-ms-min MS --delay-ms-max MS] [--delay-rate R]
        [--throttle-rate R] [--http429-rate R] [--error-rate R] [--reset-rate R]
        [--hang-rate R --hang-seconds S --hang-then close|forward]
        [--deny-rate R] [--deny-action ACCOUNT/SERVICE:Operation]...
        [--operation GLOB]... [--account ID]...

Once the socket listens, prints exactly one line ``READY http://127.0.0.1:PORT`` to stdout,
then nothing more there (logs go to stderr). Serves until SIGTERM / SIGINT, or until stdin
reaches EOF with --watch-stdin.

Why: the scanner must stay truthful (never report "compliant" for what it could not read)
and fast (bounded retries, no serialisation behind one slow call) when AWS throttles, fails,
hangs or denies. moto answers every call at once and never throttles; this proxy sits
between the SDK (``--endpoint-url http://127.0.0.1:PROXYPORT``) and the emulator and
injects those conditions, per operation and per account, reproducibly.

Requests are forwarded byte for byte (request line, Host, every header, body), so SigV4
signatures still match; responses are streamed back (Content-Length, chunked or
read-to-close bodies, keep-alive, 100-continue). Operations are named as the launcher's
request counter names them (aws_request.operation); the account of a request is the account
of its SigV4 access key, asked once per key from the launcher's
``GET /_trailwarden/account-of`` route and cached — except for sts:AssumeRole, whose account
is the one the role is in (the account being entered): a rule for a member account then also
denies, throttles or delays entering it, as an SCP or a role trust policy of that account would.

Control routes, answered by the proxy itself (never forwarded, never counted):
    GET  /_proxy/stats[?reset=1]   counts per operation, per account, faults per kind
    GET  /_proxy/config            the fault configuration in force
    POST /_proxy/config            replace it (JSON body, same shape as --config)

Everything is loopback: --host and --upstream must be loopback addresses.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_request  # noqa: E402

FAULT_KINDS = ("delay", "throttle", "http429", "error500", "reset", "hang", "deny")
RULE_KEYS = {"kind", "rate", "operations", "accounts", "ms", "min_ms", "max_ms", "seconds", "then"}
CHUNK = 256 * 1024
MAX_HEAD = 1 << 20           # request / response head limit
MAX_FORM_BODY = 16 << 20     # form bodies read before forwarding (the Query Action is in them)
S3_HOST_ID = "9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg="
CBOR_QUERY_COMPAT = {"throttle": "Throttling;Sender", "error500": "InternalServiceError;Receiver",
                     "deny": "AccessDenied;Sender"}


def log(msg: str) -> None:
    print(f"[fault_proxy] {msg}", file=sys.stderr, flush=True)


def is_loopback(host: str) -> bool:
    return host.startswith("127.") or host in ("localhost", "::1", "[::1]")


# --------------------------------------------------------------------------------------
# Fault configuration
# --------------------------------------------------------------------------------------


class ConfigError(ValueError):
    pass


@dataclass
class Rule:
    """One fault: `kind` fires on a matching request with probability `rate`."""

    kind: str
    rate: float = 1.0
    operations: list[str] | None = None   # globs over "service:Operation"; None = any
    accounts: list[str] | None = None     # account ids ("*" = any); None = any
    ms: float | None = None               # delay: fixed
    min_ms: float | None = None           # delay: uniform in [min_ms, max_ms]
    max_ms: float | None = None
    seconds: float = 30.0                 # hang: how long nothing is sent
    then: str = "close"                   # hang: then "close" the connection or "forward"

    @classmethod
    def from_json(cls, d: Any, where: str) -> "Rule":
        if not isinstance(d, dict):
            raise ConfigError(f"{where}: a fault is a JSON object")
        unknown = set(d) - RULE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {sorted(RULE_KEYS)})")
        kind = d.get("kind")
        if kind not in FAULT_KINDS:
            raise ConfigError(f"{where}: kind must be one of {list(FAULT_KINDS)}, got {kind!r}")
        rule = cls(kind=kind)
        rate = d.get("rate", 1.0)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ConfigError(f"{where}: rate must be a number in 0..1, got {rate!r}")
        rule.rate = float(rate)
        for key in ("operations", "accounts"):
            v = d.get(key)
            if v is not None:
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise ConfigError(f"{where}: {key} must be a list of strings")
                setattr(rule, key, list(v))
        for key in ("ms", "min_ms", "max_ms", "seconds"):
            v = d.get(key)
            if v is not None:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    raise ConfigError(f"{where}: {key} must be a non-negative number")
                setattr(rule, key, float(v))
        if kind == "delay":
            if rule.ms is None and (rule.min_ms is None or rule.max_ms is None):
                raise ConfigError(f"{where}: a delay needs ms, or min_ms and max_ms")
            if rule.ms is not None and (rule.min_ms is not None or rule.max_ms is not None):
                raise ConfigError(f"{where}: a delay has ms or min_ms/max_ms, not both")
            if rule.ms is None and rule.min_ms > rule.max_ms:  # type: ignore[operator]
                raise ConfigError(f"{where}: min_ms > max_ms")
        elif any(d.get(k) is not None for k in ("ms", "min_ms", "max_ms")):
            raise ConfigError(f"{where}: ms/min_ms/max_ms belong to a delay")
        then = d.get("then", "close")
        if then not in ("close", "forward"):
            raise ConfigError(f"{where}: then must be \"close\" or \"forward\"")
        if kind != "hang" and ("seconds" in d or "then" in d):
            raise ConfigError(f"{where}: seconds/then belong to a hang")
        rule.then = then
        return rule

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "rate": self.rate}
        if self.operations is not None:
            out["operations"] = self.operations
        if self.accounts is not None:
            out["accounts"] = self.accounts
        if self.kind == "delay":
            if self.ms is not None:
                out["ms"] = self.ms
            else:
                out["min_ms"], out["max_ms"] = self.min_ms, self.max_ms
        if self.kind == "hang":
            out["seconds"], out["then"] = self.seconds, self.then
        return out

    def matches(self, op: str, account: str) -> bool:
        if self.operations is not None and not any(fnmatch.fnmatchcase(op, g) for g in self.operations):
            return False
        if self.accounts is not None and "*" not in self.accounts and account not in self.accounts:
            return False
        return True


@dataclass
class FaultConfig:
    seed: int = 0
    faults: list[Rule] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: Any) -> "FaultConfig":
        if not isinstance(d, dict):
            raise ConfigError("the configuration is a JSON object {\"seed\": N, \"faults\": [...]}")
        unknown = set(d) - {"seed", "faults"}
        if unknown:
            raise ConfigError(f"unknown key(s) {sorted(unknown)} (allowed: seed, faults)")
        seed = d.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ConfigError("seed must be an integer")
        faults = d.get("faults", [])
        if not isinstance(faults, list):
            raise ConfigError("faults must be a list")
        return cls(seed=seed, faults=[Rule.from_json(f, f"faults[{i}]") for i, f in enumerate(faults)])

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "faults": [r.to_json() for r in self.faults]}


def config_from_args(args: argparse.Namespace) -> FaultConfig:
    """--config first, then one fault per flag, restricted by --operation / --account."""
    cfg = FaultConfig(seed=args.seed)
    if args.config:
        text = args.config
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as f:
                text = f.read()
        loaded = FaultConfig.from_json(json.loads(text))
        cfg.faults.extend(loaded.faults)
        if "seed" in json.loads(text) and args.seed is None:
            cfg.seed = loaded.seed
    if cfg.seed is None:
        cfg.seed = 0
    scope: dict[str, Any] = {}
    if args.operation:
        scope["operations"] = args.operation
    if args.account:
        scope["accounts"] = args.account
    if args.delay_ms is not None:
        cfg.faults.append(Rule.from_json({"kind": "delay", "ms": args.delay_ms, "rate": args.delay_rate, **scope}, "--delay-ms"))
    elif args.delay_ms_min is not None or args.delay_ms_max is not None:
        lo = args.delay_ms_min if args.delay_ms_min is not None else 0
        hi = args.delay_ms_max if args.delay_ms_max is not None else lo
        cfg.faults.append(Rule.from_json({"kind": "delay", "min_ms": lo, "max_ms": hi, "rate": args.delay_rate, **scope},
                                         "--delay-ms-min/--delay-ms-max"))
    for kind, rate in (("throttle", args.throttle_rate), ("http429", args.http429_rate), ("error500", args.error_rate),
                       ("reset", args.reset_rate), ("deny", args.deny_rate)):
        if rate is not None:
            cfg.faults.append(Rule.from_json({"kind": kind, "rate": rate, **scope}, f"--{kind}-rate"))
    if args.hang_rate is not None:
        cfg.faults.append(Rule.from_json({"kind": "hang", "rate": args.hang_rate, "seconds": args.hang_seconds,
                                          "then": args.hang_then, **scope}, "--hang-rate"))
    for rule in args.deny_action:
        if "/" not in rule:
            raise ConfigError(f"--deny-action {rule!r}: expected ACCOUNT/SERVICE:Operation")
        account, op = rule.split("/", 1)
        cfg.faults.append(Rule(kind="deny", operations=[op], accounts=[account]))
    return cfg


class Decider:
    """Which faults fire, reproducibly: the n-th request of (operation, account) that a rule
    matches draws sha256(seed, rule index, operation, account, n). Concurrent requests of one
    operation may swap draws, but a run gives the same number of faults per (operation,
    account) as any other run with the same seed and the same calls."""

    def __init__(self, cfg: FaultConfig) -> None:
        self.cfg = cfg
        self.counters: dict[tuple[int, str, str], int] = {}

    def decide(self, op: str, account: str) -> tuple[float, Rule | None, list[str]]:
        """(delay seconds, the terminal fault or None, kinds injected)."""
        delay = 0.0
        terminal: Rule | None = None
        kinds: list[str] = []
        for i, rule in enumerate(self.cfg.faults):
            if not rule.matches(op, account):
                continue
            key = (i, op, account)
            n = self.counters.get(key, 0)
            self.counters[key] = n + 1
            h = hashlib.sha256(f"{self.cfg.seed}\0{i}\0{op}\0{account}\0{n}".encode()).digest()
            if int.from_bytes(h[:8], "big") / 2**64 >= rule.rate:
                continue
            if rule.kind == "delay":
                if rule.ms is not None:
                    delay += rule.ms / 1000
                else:
                    u = int.from_bytes(h[8:16], "big") / 2**64
                    delay += (rule.min_ms + (rule.max_ms - rule.min_ms) * u) / 1000  # type: ignore[operator]
                kinds.append("delay")
            elif terminal is None:
                terminal = rule
                kinds.append(rule.kind)
        return delay, terminal, kinds


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.since = time.time()
        self.requests = 0
        self.by_operation: dict[str, int] = {}
        self.by_account: dict[str, int] = {}
        self.by_account_operation: dict[str, dict[str, int]] = {}
        self.faults: dict[str, int] = {k: 0 for k in FAULT_KINDS}
        self.faults_by_operation: dict[str, dict[str, int]] = {}
        self.faults_by_account: dict[str, dict[str, int]] = {}
        self.upstream_errors = 0

    def count(self, op: str, account: str, kinds: list[str]) -> None:
        self.requests += 1
        self.by_operation[op] = self.by_operation.get(op, 0) + 1
        self.by_account[account] = self.by_account.get(account, 0) + 1
        per = self.by_account_operation.setdefault(account, {})
        per[op] = per.get(op, 0) + 1
        for kind in kinds:
            self.faults[kind] += 1
            fo = self.faults_by_operation.setdefault(op, {})
            fo[kind] = fo.get(kind, 0) + 1
            fa = self.faults_by_account.setdefault(account, {})
            fa[kind] = fa.get(kind, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "since": round(self.since, 3),
            "requests": self.requests,
            "operations": dict(sorted(self.by_operation.items())),
            "accounts": dict(sorted(self.by_account.items())),
            "accounts_operations": {a: dict(sorted(o.items())) for a, o in sorted(self.by_account_operation.items())},
            "faults": dict(self.faults),
            "faults_by_operation": {o: dict(sorted(k.items())) for o, k in sorted(self.faults_by_operation.items())},
            "faults_by_account": {a: dict(sorted(k.items())) for a, k in sorted(self.faults_by_account.items())},
            "upstream_errors": self.upstream_errors,
        }


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------


class BadRequest(Exception):
    pass


@dataclass
class Request:
    head: bytes                      # request line + headers + CRLFCRLF, as received
    method: str
    target: str
    version: str
    headers: dict[str, str]          # lower-cased names; repeated headers joined with ","
    path: str                        # decoded path (as WSGI PATH_INFO)
    query: str
    chunked: bool
    length: int                      # Content-Length (0 when chunked or absent)
    body: bytes | None = None        # read before forwarding (form bodies), raw

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    @property
    def expects_continue(self) -> bool:
        return self.headers.get("expect", "").lower() == "100-continue"


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    lines = head[:-4].split(b"\r\n")
    try:
        first = lines[0].decode("latin-1")
        a, b, c = first.split(" ", 2)
    except ValueError as exc:
        raise BadRequest(f"bad start line {lines[0][:100]!r}") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise BadRequest(f"bad header line {line[:100]!r}")
        k = name.strip().decode("latin-1").lower()
        v = value.strip().decode("latin-1")
        headers[k] = f"{headers[k]},{v}" if k in headers else v
    return a, b, c, headers


def parse_request(head: bytes) -> Request:
    method, target, version, headers = parse_head(head)
    if not version.startswith("HTTP/1."):
        raise BadRequest(f"unsupported version {version!r}")
    raw_path, _, query = target.partition("?")
    if raw_path.startswith("http://") or raw_path.startswith("https://"):
        raw_path = urlsplit(raw_path).path or "/"
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = 0
    if not chunked and "content-length" in headers:
        try:
            length = int(headers["content-length"].split(",")[0])
        except ValueError as exc:
            raise BadRequest("bad Content-Length") from exc
    return Request(head=head, method=method, target=target, version=version, headers=headers,
                   path=unquote(raw_path, encoding="latin-1"), query=query, chunked=chunked, length=length)


async def copy_exact(reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None, n: int) -> None:
    while n > 0:
        data = await reader.read(min(n, CHUNK))
        if not data:
            raise asyncio.IncompleteReadError(b"", n)
        n -= len(data)
        if writer is not None:
            writer.write(data)
            await writer.drain()


async def copy_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None,
                       decoded: bytearray | None = None) -> None:
    """Copy a chunked body verbatim (chunk lines, data, trailers); optionally collect it decoded."""
    while True:
        line = await reader.readuntil(b"\r\n")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise BadRequest(f"bad chunk size line {line[:40]!r}") from exc
        if writer is not None:
            writer.write(line)
        if size == 0:
            while True:
                trailer = await reader.readuntil(b"\r\n")
                if writer is not None:
                    writer.write(trailer)
                if trailer == b"\r\n":
                    break
            if writer is not None:
                await writer.drain()
            return
        if decoded is not None:
            decoded += await reader.readexactly(size)
            crlf = await reader.readexactly(2)
            if writer is not None:
                writer.write(bytes(decoded[-size:]) + crlf)
        else:
            await copy_exact(reader, writer, size + 2)
        if writer is not None:
            await writer.drain()


async def copy_request_body(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None) -> None:
    if req.chunked:
        await copy_chunked(reader, writer)
    elif req.length:
        await copy_exact(reader, writer, req.length)


def _discard(task: "asyncio.Future[Any]") -> None:
    """Cancel a task and mark its exception, if any, as seen."""
    if task.done():
        if not task.cancelled():
            task.exception()
    else:
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())


def reset_connection(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), before any response byte."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def http_response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes, head_only: bool = False,
                  close: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {0 if head_only else len(body)}")
    if close:
        lines.append("Connection: close")
    out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return out if head_only else out + body


# --------------------------------------------------------------------------------------
# Fault shapes, per protocol
# --------------------------------------------------------------------------------------


def protocol_of(req: Request, service: str, has_action: bool) -> str:
    """s3 | cbor | json | query | rest-json."""
    if service == "s3":
        return "s3"
    if req.method == "POST" and aws_request.RPCV2_PATH_RE.fullmatch(req.path):
        return "cbor"
    if req.headers.get("x-amz-target"):
        return "json"
    if has_action or req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return "query"
    return "rest-json"


REASONS = {400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Slow Down"}


def fault_response(kind: str, proto: str, req: Request, op: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of an injected throttle / http429 / error500 / deny."""
    rid = str(uuid.uuid4())
    if kind == "http429":
        # Bare, as a load balancer in front of the service would answer: no AWS error body.
        return 429, [("x-amzn-RequestId", rid)], b""
    message = {
        "throttle": "Rate exceeded",
        "error500": "We encountered an internal error. Please try again.",
        "deny": f"User is not authorized to perform: {op} (denied by fault_proxy)",
    }[kind]
    if proto == "s3":
        code, status, msg = {
            "throttle": ("SlowDown", 503, "Please reduce your request rate."),
            "error500": ("InternalError", 500, message),
            "deny": ("AccessDenied", 403, "Access Denied"),
        }[kind]
        s3rid = uuid.uuid4().hex[:16].upper()
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{msg}</Message>'
                f"<RequestId>{s3rid}</RequestId><HostId>{S3_HOST_ID}</HostId></Error>").encode()
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", s3rid),
                        ("x-amz-id-2", S3_HOST_ID)], body
    if proto == "cbor":
        import cbor2  # only CloudWatch's CBOR protocol needs it (installed with the emulator)

        type_id, status = {
            "throttle": ("com.amazon.coral.availability#ThrottlingException", 400),
            "error500": ("com.amazonaws.cloudwatch#InternalServiceFault", 500),
            "deny": ("com.amazon.coral.service#AccessDeniedException", 400),
        }[kind]
        body = cbor2.dumps({"__type": type_id, "message": message})
        return status, [("Smithy-Protocol", "rpc-v2-cbor"), ("Content-Type", "application/cbor"),
                        ("x-amzn-RequestId", rid), ("x-amzn-query-error", CBOR_QUERY_COMPAT[kind])], body
    if proto == "json":
        code, status = {"throttle": ("ThrottlingException", 400), "error500": ("InternalError", 500),
                        "deny": ("AccessDeniedException", 400)}[kind]
        ctype = req.headers.get("content-type", "")
        if not ctype.startswith("application/x-amz-json"):
            ctype = "application/x-amz-json-1.1"
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, [("Content-Type", ctype), ("x-amzn-RequestId", rid)], body
    if proto == "rest-json":
        code, status = {"throttle": ("ThrottlingException", 429), "error500": ("InternalError", 500),
                        "deny": ("AccessDeniedException", 403)}[kind]
        body = json.dumps({"message": message}).encode()
        return status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                        ("x-amzn-RequestId", rid)], body
    code, status, side = {"throttle": ("Throttling", 400, "Sender"), "error500": ("InternalError", 500, "Receiver"),
                          "deny": ("AccessDenied", 403, "Sender")}[kind]
    body = (f"<ErrorResponse><Error><Type>{side}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{rid}</RequestId></ErrorResponse>").encode()
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body


# --------------------------------------------------------------------------------------
# The proxy
# --------------------------------------------------------------------------------------


class Upstream:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001
            pass


def role_account(op: str, body: bytes | None) -> str | None:
    """For sts:AssumeRole, the account of the RoleArn in the form body; else None."""
    if op != "sts:AssumeRole" or not body:
        return None
    arn = parse_qs(body.decode("utf-8", "replace")).get("RoleArn", [""])[0]
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[2] == "iam" and parts[4].isdigit() else None

class Proxy:
    def __init__(self, upstream: str, cfg: FaultConfig, verbose: bool = False) -> None:
        u = urlsplit(upstream)
        if u.scheme != "http" or not u.hostname:
            raise ValueError(f"--upstream must be http://HOST:PORT, got {upstream!r}")
        if not is_loopback(u.hostname):
            raise ValueError(f"--upstream must be a loopback address, got {u.hostname!r}")
        self.up_host = u.hostname
        self.up_port = u.port or 80
        self.cfg = cfg
        self.decider = Decider(cfg)
        self.stats = Stats()
        self.verbose = verbose
        self.accounts: dict[str, str] = {}
        self.pending_accounts: dict[str, asyncio.Future[str]] = {}

    # ---- accounts -----------------------------------------------------------------------

    async def account_of(self, req: Request) -> str:
        if "x-moto-account-id" in req.headers:  # moto's own override wins over the key
            return req.headers["x-moto-account-id"]
        key = aws_request.access_key_id(req.headers.get("authorization", ""), req.query)
        if not key:
            return "?"
        acct = self.accounts.get(key)
        if acct is not None:
            return acct
        fut = self.pending_accounts.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        fut = asyncio.get_running_loop().create_future()
        self.pending_accounts[key] = fut
        try:
            acct = await self._lookup_account(key)
        except Exception as exc:  # noqa: BLE001 - an upstream without the route: unknown account
            log(f"account lookup for {key} failed, counting it as '?': {type(exc).__name__}: {exc}")
            acct = "?"  # cached too: an upstream without the route will not grow one
        self.accounts[key] = acct
        del self.pending_accounts[key]
        fut.set_result(acct)
        return acct

    async def _lookup_account(self, key: str) -> str:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.up_host, self.up_port), 10)
        try:
            writer.write((f"GET /_trailwarden/account-of?access_key_id={key} HTTP/1.1\r\n"
                          f"Host: {self.up_host}:{self.up_port}\r\nConnection: close\r\n\r\n").encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            _, _, _, headers = parse_head(head)
            if head[9:12] != b"200" or "content-length" not in headers:
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode("latin-1"))
            body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
        finally:
            writer.close()
        return str(json.loads(body)["account"])

    # ---- connections --------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up: list[Upstream | None] = [None]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return  # the client closed between requests
                except asyncio.LimitOverrunError:
                    writer.write(http_response(431, "Request Header Fields Too Large", [], b"", close=True))
                    await writer.drain()
                    return
                try:
                    req = parse_request(head)
                except BadRequest as exc:
                    writer.write(http_response(400, "Bad Request", [("Content-Type", "text/plain")],
                                               f"fault_proxy: {exc}\n".encode(), close=True))
                    await writer.drain()
                    return
                if req.path.startswith("/_proxy/"):
                    keep = await self.control(req, reader, writer)
                else:
                    keep = await self.serve(req, reader, writer, up)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, BadRequest, OSError):
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            log(f"connection error: {type(exc).__name__}: {exc}")
        finally:
            if up[0] is not None:
                up[0].close()
            if not writer.transport.is_closing():
                writer.close()

    async def serve(self, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    up: list[Upstream | None]) -> bool:
        if req.path.startswith("/_trailwarden/"):
            return await self.forward(req, reader, writer, up, sent_continue=False)  # harness routes: as is
        t0 = time.monotonic()
        ctype = req.headers.get("content-type", "")
        sent_continue = False
        if (ctype.startswith("application/x-www-form-urlencoded") and not req.chunked
                and 0 < req.length <= MAX_FORM_BODY):
            if req.expects_continue:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await writer.drain()
                sent_continue = True
            req.body = await reader.readexactly(req.length)
        op = aws_request.operation(req.method, req.path, req.query, req.headers.get("authorization", ""),
                                   req.headers.get("x-amz-target"), ctype, lambda: req.body or b"")
        account = role_account(op, req.body) or await self.account_of(req)
        delay, terminal, kinds = self.decider.decide(op, account)
        self.stats.count(op, account, kinds)
        if delay:
            await asyncio.sleep(delay)
        if terminal is None:
            keep = await self.forward(req, reader, writer, up, sent_continue)
            outcome = "forwarded"
        else:
            keep, outcome = await self.inject(terminal, req, reader, writer, up, op, sent_continue)
        if self.verbose:
            log(f"{op} account={account} faults={','.join(kinds) or '-'} {outcome} {1000 * (time.monotonic() - t0):.1f}ms")
        return keep

    async def inject(self, rule: Rule, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     up: list[Upstream | None], op: str, sent_continue: bool) -> tuple[bool, str]:
        # The request body not read yet: drain it, unless the client waits for 100-continue
        # (then it sends no body and the connection closes after the answer).
        unread = req.body is None and (req.chunked or req.length > 0)
        if unread and not req.expects_continue:
            await copy_request_body(req, reader, None)
            unread = False
        if rule.kind == "reset":
            reset_connection(writer)
            return False, "reset"
        if rule.kind == "hang":
            await asyncio.sleep(rule.seconds)
            if rule.then == "close" or unread:
                return False, f"hung {rule.seconds:g}s, closed"
            keep = await self.forward(req, reader, writer, up, sent_continue)
            return keep, f"hung {rule.seconds:g}s, forwarded"
        proto = protocol_of(req, aws_request.signing_service(req.headers.get("authorization", "")),
                            "Action=" in req.query or b"Action=" in (req.body or b""))
        status, headers, body = fault_response(rule.kind, proto, req, op)
        close = unread or not req.keep_alive
        writer.write(http_response(status, REASONS.get(status, "Error"), headers, body,
                                   head_only=req.method == "HEAD", close=close))
        await writer.drain()
        return not close, f"{rule.kind} {status}"

    async def _connect(self) -> Upstream:
        r, w = await asyncio.open_connection(self.up_host, self.up_port, limit=MAX_HEAD)
        return Upstream(r, w)

    async def forward(self, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      up: list[Upstream | None], sent_continue: bool) -> bool:
        """Send the request upstream unchanged and stream the answer back. Returns keep-alive."""
        streamed = req.body is None and (req.chunked or req.length > 0)
        for attempt in (0, 1):
            conn = up[0]
            reused = conn is not None and conn.used
            if conn is None:
                try:
                    conn = up[0] = await self._connect()
                except OSError as exc:
                    self.stats.upstream_errors += 1
                    writer.write(http_response(502, "Bad Gateway", [("Content-Type", "text/plain")],
                                               f"fault_proxy: upstream unreachable: {exc}\n".encode(), close=True))
                    await writer.drain()
                    return False
            conn.used = True
            conn.writer.write(req.head + (req.body or b""))
            pump = asyncio.ensure_future(self._pump(req, reader, conn)) if streamed else None
            try:
                rhead = await self._response_head(conn, writer, sent_continue)
                break
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                # A kept-alive upstream connection that died before answering: retry once on
                # a fresh one when the request can be resent (its body was not streamed).
                conn.close()
                up[0] = None
                if pump is not None:
                    _discard(pump)
                if attempt == 0 and reused and not streamed and not getattr(exc, "partial", b""):
                    continue
                self.stats.upstream_errors += 1
                writer.write(http_response(502, "Bad Gateway", [("Content-Type", "text/plain")],
                                           b"fault_proxy: upstream closed the connection\n", close=True))
                await writer.drain()
                return False
        try:
            status = int(rhead[9:12])
        except ValueError:
            status = 0
        _, _, _, rheaders = parse_head(rhead)
        writer.write(rhead)
        close_after = False
        try:
            if req.method == "HEAD" or status in (204, 304):
                await writer.drain()
            elif "chunked" in rheaders.get("transfer-encoding", "").lower():
                await copy_chunked(conn.reader, writer)
            elif "content-length" in rheaders:
                await copy_exact(conn.reader, writer, int(rheaders["content-length"].split(",")[0]))
            else:
                close_after = True  # body delimited by the upstream closing
                while True:
                    data = await conn.reader.read(CHUNK)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            conn.close()
            up[0] = None
            raise
        if pump is not None:
            if not pump.done() or pump.exception() is not None:
                # Answered before the whole body was sent (an early error), or the client's
                # body broke off: the framing on both connections is lost.
                _discard(pump)
                close_after = True
        upstream_close = "close" in rheaders.get("connection", "").lower()
        if upstream_close or close_after:
            conn.close()
            up[0] = None
        return req.keep_alive and not close_after and not upstream_close

    @staticmethod
    async def _pump(req: Request, reader: asyncio.StreamReader, conn: Upstream) -> None:
        """Stream the request body upstream; if the client's body breaks off, close the
        upstream connection so that waiting for its answer ends too."""
        try:
            await copy_request_body(req, reader, conn.writer)
        except BaseException:
            conn.close()
            raise

    async def _response_head(self, conn: Upstream, writer: asyncio.StreamWriter, sent_continue: bool) -> bytes:
        """The final response head; interim 1xx answers are passed on (a 100 the proxy already
        sent itself is swallowed)."""
        while True:
            rhead = await conn.reader.readuntil(b"\r\n\r\n")
            code = rhead[9:12]
            if code.startswith(b"1") and code != b"101":
                if not (code == b"100" and sent_continue):
                    writer.write(rhead)
                    await writer.drain()
                continue
            return rhead

    # ---- control routes -----------------------------------------------------------------

    async def control(self, req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if req.chunked:
            buf = bytearray()
            await copy_chunked(reader, None, buf)
            body = bytes(buf)
        else:
            body = await reader.readexactly(req.length) if req.length else b""
        query = parse_qs(req.query)
        status, answer = 200, None
        if req.path == "/_proxy/stats" and req.method == "GET":
            answer = self.stats.to_json()
            if (query.get("reset") or ["0"])[0] not in ("0", "", "false"):
                self.stats.reset()
        elif req.path == "/_proxy/config" and req.method == "GET":
            answer = self.cfg.to_json()
        elif req.path == "/_proxy/config" and req.method in ("POST", "PUT"):
            try:
                cfg = FaultConfig.from_json(json.loads(body or b"{}"))
            except (ValueError, ConfigError) as exc:
                status, answer = 400, {"error": str(exc)}
            else:
                self.cfg = cfg
                self.decider = Decider(cfg)  # a new configuration restarts the draws
                answer = cfg.to_json()
                log(f"configuration replaced: {json.dumps(answer, sort_keys=True)}")
        else:
            status, answer = 404, {"error": f"no control route {req.method} {req.path}",
                                   "routes": ["GET /_proxy/stats[?reset=1]", "GET /_proxy/config", "POST /_proxy/config"]}
        data = json.dumps(answer, sort_keys=True).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        writer.write(http_response(status, reason, [("Content-Type", "application/json")], data,
                                   close=not req.keep_alive))
        await writer.drain()
        return req.keep_alive


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--upstream", required=True, help="the emulator, http://127.0.0.1:PORT")
    p.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only)")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches EOF")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--seed", type=int, default=None, help="seed of the fault draws (default 0, or --config's)")
    p.add_argument("--config", help="fault configuration as JSON, or @FILE (same shape as POST /_proxy/config); "
                                    "flag faults are appended to it")
    g = p.add_argument_group("faults (each flag adds one fault, restricted by --operation / --account)")
    g.add_argument("--delay-ms", type=float, help="add this delay to every matching request")
    g.add_argument("--delay-ms-min", type=float, help="random delay, uniform in [min, max] ms")
    g.add_argument("--delay-ms-max", type=float)
    g.add_argument("--delay-rate", type=float, default=1.0, help="fraction of requests delayed (default 1)")
    g.add_argument("--throttle-rate", type=float, help="throttle, in the protocol's own shape")
    g.add_argument("--http429-rate", type=float, help="bare HTTP 429 Too Many Requests")
    g.add_argument("--error-rate", type=float, help="HTTP 500 InternalError, in the protocol's shape")
    g.add_argument("--reset-rate", type=float, help="close the connection with RST, no response")
    g.add_argument("--hang-rate", type=float, help="send nothing for --hang-seconds")
    g.add_argument("--hang-seconds", type=float, default=30.0)
    g.add_argument("--hang-then", choices=("close", "forward"), default="close",
                   help="after the hang, close the connection or forward the request")
    g.add_argument("--deny-rate", type=float, help="AccessDenied, in the protocol's shape")
    g.add_argument("--deny-action", action="append", default=[], metavar="ACCOUNT/SERVICE:Operation",
                   help="always deny that operation (glob) to that account ('*' = any); repeatable, "
                        "independent of --operation / --account")
    g.add_argument("--operation", action="append", default=[], metavar="GLOB",
                   help="restrict the flag faults to these operations (e.g. cloudtrail:GetTrailStatus, 's3:GET *')")
    g.add_argument("--account", action="append", default=[], metavar="ID",
                   help="restrict the flag faults to requests from these accounts")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error("--host must be a loopback address")
    try:
        cfg = config_from_args(args)
        proxy = Proxy(args.upstream, cfg, verbose=args.verbose)
    except (ConfigError, ValueError, OSError) as exc:
        parser.error(str(exc))

    async def run() -> None:
        server = await asyncio.start_server(proxy.handle, args.host, args.port, limit=MAX_HEAD, backlog=1024)
        host, port = server.sockets[0].getsockname()[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        sys.stdout.write(f"READY http://{shown}:{port}\n")
        sys.stdout.flush()
        sys.stdout = sys.stderr
        log(f"forwarding to http://{proxy.up_host}:{proxy.up_port}, faults {json.dumps(cfg.to_json(), sort_keys=True)}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with server:
            await stop.wait()

    if args.watch_stdin:
        def _watch() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                os._exit(0)

        threading.Thread(target=_watch, name="stdin-watch", daemon=True).start()
    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
