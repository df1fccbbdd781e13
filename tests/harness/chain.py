#!/usr/bin/env python3
"""Write a CloudTrail digest chain and its log files into the emulator's S3, as CloudTrail would.

Usage:
    python tests/harness/chain.py --endpoint http://127.0.0.1:PORT --bucket B --account ACCT
        --region SRC --trail NAME [--home-region HOME] [--org-id o-...] [--prefix P]
        [--hours N] [--end-time ISO] [--logs-per-hour MIN:MAX] [--log-size MIN:MAX]
        [--size-of compressed|uncompressed] [--empty-hours I,J,...|none] [--seed S]
        [--backfill N] [--private-key PEM] [--write-private-key PATH] [--key-encoding pkcs1|spki]
        [--trail-arn ARN] [--second-bucket B2] [--create-bucket] [--threads T]
        [--assume-account ACCT] [--tamper NAME[=ARG]]...

stdout: exactly one JSON manifest (see README.md, "Digest chains"); stderr: progress.

The layout, digest JSON, signed string, signature and hashes follow
/work/shared/design/integrity.md §1-§3: digests end at hourly boundaries ending at --end-time
(default: the current hour boundary minus 2m29s), digest i covers [end_i - 1h, end_i], the
first digest has all five previousDigest* null and each later one links to its predecessor
(bucket, key, hex SHA-256 of the predecessor's inflated bytes, its signature). Each digest is
signed (RSASSA-PKCS1-v1_5 SHA-256, 2048-bit key) over
``digestEndTime\\ndigestS3Bucket/digestS3Object\\nhex(sha256(inflated))\\npreviousDigestSignature``;
the hex signature goes to the S3 user metadata ``signature`` next to
``signature-algorithm: SHA256withRSA``. Bodies are gzip (mtime 0); a log's hashValue is the
hex SHA-256 of its uncompressed JSON. The public key is registered for the source region
with the launcher's ``POST /_trailwarden/cloudtrail/public-keys`` route (patch o).

Indexes: digests count oldest-first from 0 (``digests[i].index``), logs count oldest-first
over the standard chain's log files (``logs[j].index``), backfill digests count oldest-first
from 0 in their own chain.

Tampers (``--tamper NAME[=ARG]``, repeatable, applied in order after the chain is written,
through the S3 API, except the key and re-signing ones, which are applied while building): see
TAMPERS below and README.md. The manifest's ``tampers`` list records, for each, the exact
objects affected.

Never talks to real AWS: the endpoint must be a loopback URL.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import string
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


from local_only import isolate_from_real_aws  # noqa: E402 (the harness directory is on sys.path)

isolate_from_real_aws()

DEFAULT_ACCOUNT = "123456789012"
ORG_ROLE = "OrganizationAccountAccessRole"
SIGNATURE_ALGORITHM = "SHA256withRSA"
HOUR = 3600


def log(msg: str) -> None:
    print(f"[chain] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Times, keys, gzip
# --------------------------------------------------------------------------------------


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def default_end_time(now: float | None = None) -> int:
    """The current hour boundary minus 2m29s: the newest digest is under an hour old."""
    now = time.time() if now is None else now
    return int(now // HOUR * HOUR) - 149


def _compact(ts: float, minutes_only: bool = False) -> str:
    fmt = "%Y%m%dT%H%MZ" if minutes_only else "%Y%m%dT%H%M%SZ"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime(fmt)


def _folder(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y/%m/%d")


def _base(prefix: str | None, org_id: str | None, account: str) -> str:
    parts = []
    if prefix:
        parts.append(prefix.strip("/"))
    parts.append("AWSLogs")
    if org_id:
        parts.append(org_id)
    parts.append(account)
    return "/".join(parts)


def digest_key(prefix: str | None, org_id: str | None, account: str, source_region: str,
               trail: str, home_region: str, end: float, backfill: bool = False) -> str:
    """§1.2 / §1.3: folder and stamp are both the digest end time."""
    suffix = "_backfill" if backfill else ""
    return (f"{_base(prefix, org_id, account)}/CloudTrail-Digest/{source_region}/{_folder(end)}/"
            f"{account}_CloudTrail-Digest_{source_region}_{trail}_{home_region}_{_compact(end)}{suffix}.json.gz")


def digest_list_prefix(prefix: str | None, org_id: str | None, account: str, source_region: str) -> str:
    return f"{_base(prefix, org_id, account)}/CloudTrail-Digest/{source_region}"


def log_key(prefix: str | None, org_id: str | None, account: str, region: str, delivered: float,
            unique: str) -> str:
    """§1.1: folder and minute stamp are the delivery time; 16 meaningless characters."""
    return (f"{_base(prefix, org_id, account)}/CloudTrail/{region}/{_folder(delivered)}/"
            f"{account}_CloudTrail_{region}_{_compact(delivered, minutes_only=True)}_{unique}.json.gz")


def gz(data: bytes, level: int = 6) -> bytes:
    """Single-member gzip, mtime 0 (deterministic bytes)."""
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = c.compress(data) + c.flush()
    # zlib writes mtime 0 and OS 255 for wbits 31: the header is already deterministic.
    return out


def gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------
# Keys and signatures
# --------------------------------------------------------------------------------------


class SigningKey:
    """A 2048-bit RSA key pair and its CloudTrail fingerprint (MD5 of the registered DER)."""

    def __init__(self, private_key: Any, encoding: str = "pkcs1") -> None:
        from cryptography.hazmat.primitives import serialization

        self.private_key = private_key
        self.encoding = encoding
        fmt = (serialization.PublicFormat.PKCS1 if encoding == "pkcs1"
               else serialization.PublicFormat.SubjectPublicKeyInfo)
        self.public_der = private_key.public_key().public_bytes(serialization.Encoding.DER, fmt)
        self.fingerprint = hashlib.md5(self.public_der).hexdigest()

    @classmethod
    def generate(cls, encoding: str = "pkcs1") -> "SigningKey":
        from cryptography.hazmat.primitives.asymmetric import rsa

        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), encoding)

    @classmethod
    def load(cls, pem_path: str, encoding: str = "pkcs1") -> "SigningKey":
        from cryptography.hazmat.primitives import serialization

        with open(pem_path, "rb") as f:
            return cls(serialization.load_pem_private_key(f.read(), password=None), encoding)

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def sign(self, message: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()).hex()


def signed_string(end: str, bucket: str, key: str, inflated: bytes, previous_signature: str | None) -> bytes:
    """§3.2: four lines joined by LF, no trailing newline; JSON null is the word null."""
    prev = "null" if previous_signature is None else previous_signature
    return f"{end}\n{bucket}/{key}\n{sha256_hex(inflated)}\n{prev}".encode("utf-8")


# --------------------------------------------------------------------------------------
# Log content: a pool of pre-serialised record templates, varied per record
# --------------------------------------------------------------------------------------

_EVENTS = [
    ("s3.amazonaws.com", "GetObject", True, "Data"),
    ("s3.amazonaws.com", "PutObject", False, "Data"),
    ("s3.amazonaws.com", "ListObjects", True, "Data"),
    ("ec2.amazonaws.com", "DescribeInstances", True, "Management"),
    ("ec2.amazonaws.com", "RunInstances", False, "Management"),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", True, "Management"),
    ("iam.amazonaws.com", "GetRole", True, "Management"),
    ("iam.amazonaws.com", "ListAttachedRolePolicies", True, "Management"),
    ("sts.amazonaws.com", "AssumeRole", True, "Management"),
    ("sts.amazonaws.com", "GetCallerIdentity", True, "Management"),
    ("kms.amazonaws.com", "Decrypt", True, "Management"),
    ("kms.amazonaws.com", "GenerateDataKey", True, "Management"),
    ("lambda.amazonaws.com", "Invoke", False, "Data"),
    ("dynamodb.amazonaws.com", "DescribeTable", True, "Management"),
    ("cloudtrail.amazonaws.com", "LookupEvents", True, "Management"),
    ("logs.amazonaws.com", "CreateLogStream", False, "Management"),
    ("monitoring.amazonaws.com", "GetMetricData", True, "Management"),
    ("ssm.amazonaws.com", "GetParameter", True, "Management"),
]
_USER_AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.151.0",
    "aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-rust/1.1.8 os/linux lang/rust/1.76.0",
    "console.amazonaws.com",
    "AWS Internal",
    "config.amazonaws.com",
]
_ROLES = ["AdminRole", "ci-deployer", "ReadOnly", "app-backend", "data-pipeline",
          "OrganizationAccountAccessRole", "AWSServiceRoleForConfig", "TrailwardenAudit"]
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = string.ascii_letters + string.digits


def _request_parameters(r: random.Random, source: str, name: str, role: str, region: str) -> Any:
    if source.startswith("s3"):
        return {"bucketName": f"app-data-{r.randrange(60)}", "Host": f"app-data-{r.randrange(60)}.s3.{region}.amazonaws.com",
                "key": f"{r.choice(['in', 'out', 'tmp', 'reports'])}/{r.randrange(10**7)}.json"}
    if name == "RunInstances":
        return {"instanceType": r.choice(["t3.micro", "m6i.large", "c7g.xlarge"]), "minCount": 1, "maxCount": 1,
                "imageId": f"ami-{r.getrandbits(68):017x}", "subnetId": f"subnet-{r.getrandbits(68):017x}"}
    if source.startswith("ec2"):
        return {"instancesSet": {"items": [{"instanceId": f"i-{r.getrandbits(68):017x}"}]}, "filterSet": {}}
    if source.startswith("iam"):
        return {"roleName": role}
    if name == "AssumeRole":
        return {"roleArn": f"arn:aws:iam::{r.randrange(10**11, 10**12)}:role/{role}", "roleSessionName": f"session-{r.randrange(10**5)}",
                "durationSeconds": 3600}
    if source.startswith("kms"):
        return {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": f"arn:aws:kms:{region}:123456789012:key/{r.getrandbits(128):032x}"}
    if source.startswith("dynamodb"):
        return {"tableName": f"orders-{r.randrange(30)}"}
    if source.startswith("ssm"):
        return {"name": f"/app/{r.choice(['db', 'api', 'cache'])}/{r.randrange(100)}", "withDecryption": True}
    if source.startswith("logs"):
        return {"logGroupName": f"/aws/lambda/fn-{r.randrange(80)}", "logStreamName": f"2024/05/01/[$LATEST]{r.getrandbits(128):032x}"}
    return None


def _response_elements(r: random.Random, name: str, region: str) -> Any:
    if name == "AssumeRole":
        return {"credentials": {"accessKeyId": "ASIA" + "".join(r.choice(_B32) for _ in range(16)),
                                "sessionToken": "".join(r.choice(_ALNUM) for _ in range(120)),
                                "expiration": "May 1, 2024, 11:00:00 AM"},
                "assumedRoleUser": {"assumedRoleId": "AROA" + "".join(r.choice(_B32) for _ in range(17)) + ":s",
                                    "arn": "arn:aws:sts::123456789012:assumed-role/x/s"}}
    if name == "RunInstances":
        return {"requestId": f"{r.getrandbits(128):032x}", "reservationId": f"r-{r.getrandbits(68):017x}",
                "instancesSet": {"items": [{"instanceId": f"i-{r.getrandbits(68):017x}", "placement": {"availabilityZone": region + "a"}}]}}
    if name == "PutObject":
        return {"x-amz-server-side-encryption": "AES256"}
    return None


# Placeholders filled per record (%-format mapping keys; a template may lack some).
_SLOTS = {"@@CREATED@@": "c", "@@TIME@@": "t", "@@IP@@": "i", "@@REQ@@": "r", "@@EVENT@@": "e"}


def _template(r: random.Random, account: str, region: str) -> str:
    source, name, read_only, category = r.choice(_EVENTS)
    role = r.choice(_ROLES)
    session = f"session-{r.randrange(10**6)}"
    rec = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROA" + "".join(r.choice(_B32) for _ in range(17)) + ":" + session,
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": "ASIA" + "".join(r.choice(_B32) for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROA" + "".join(r.choice(_B32) for _ in range(17)),
                                  "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account, "userName": role},
                "attributes": {"creationDate": "@@CREATED@@", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": "@@TIME@@",
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "@@IP@@" if r.random() < 0.8 else source,
        "userAgent": r.choice(_USER_AGENTS),
        "requestParameters": _request_parameters(r, source, name, role, region),
        "responseElements": _response_elements(r, name, region),
        "requestID": "@@REQ@@",
        "eventID": "@@EVENT@@",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": category == "Management",
        "recipientAccountId": account,
        "eventCategory": category,
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }
    text = json.dumps(rec, separators=(",", ":")).replace("%", "%%")
    for slot, name in _SLOTS.items():
        text = text.replace(f'"{slot}"', f'"%({name})s"')
    return text


_TEMPLATE_POOLS: dict[tuple[int, str, str], list[str]] = {}
# Few enough templates that deflate's 32 KiB window usually holds the same one: gzip ratio ~8-12.
TEMPLATE_POOL_SIZE = 30


def _templates(seed: int, account: str, region: str) -> list[str]:
    key = (seed, account, region)
    pool = _TEMPLATE_POOLS.get(key)
    if pool is None:
        r = random.Random(f"templates/{seed}/{account}/{region}")
        pool = [_template(r, account, region) for _ in range(TEMPLATE_POOL_SIZE)]
        _TEMPLATE_POOLS[key] = pool
    return pool


def make_log_body(seed: int, account: str, region: str, rng_key: str, target_bytes: int,
                  lo: int, hi: int) -> tuple[bytes, int, int, int]:
    """`{"Records":[...]}` of about target_bytes uncompressed, events in [lo, hi] (epoch).

    Returns (bytes, record count, oldest event epoch, newest event epoch). Deterministic for
    the same arguments.
    """
    pool = _templates(seed, account, region)
    r = random.Random(rng_key)
    gb = r.getrandbits
    choice = r.choice
    span = max(0, hi - lo)
    stamps = [iso(lo + s) for s in range(span + 1)]
    created = [iso(lo - 3600 * k - 61 * k) for k in range(1, 13)]
    parts: list[str] = []
    size = 0
    oldest = span
    newest = 0
    while size < target_bytes or not parts:
        offset = r.randint(0, span)
        oldest = min(oldest, offset)
        newest = max(newest, offset)
        h = "%032x" % gb(128)
        event_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
        ip = "%d.%d.%d.%d" % (gb(8) | 1, gb(8), gb(8), gb(8) | 1)
        s = choice(pool) % {"c": choice(created), "t": stamps[offset], "i": ip, "r": "%032X" % gb(128), "e": event_id}
        parts.append(s)
        size += len(s) + 1
    body = ('{"Records":[' + ",".join(parts) + "]}").encode("utf-8")
    return body, len(parts), lo + oldest, lo + newest


def _make_log_job(job: dict[str, Any]) -> dict[str, Any]:
    """Build one log file (runs in a worker process for big chains)."""
    body, records, oldest, newest = make_log_body(
        job["seed"], job["account"], job["region"], job["rng_key"], job["target"], job["lo"], job["hi"])
    data = gz(body)
    return {"id": job["id"], "gz": data, "hash": sha256_hex(body), "size": len(body),
            "records": records, "oldest": oldest, "newest": newest}


# --------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------

# Tamper names -> (kind, default-argument description). Documented in README.md.
TAMPERS = {
    # log files (ARG: log index, default the first log of the non-empty digest nearest the middle)
    "log-byte": "change one byte of the log's JSON (a digit of the first eventTime) and re-gzip",
    "log-append-member": 'append a second gzip member gzip(\'{"Records":[]}\')',
    "log-append-junk": "append raw junk bytes after the gzip member",
    "log-not-gzip": "store the uncompressed JSON",
    "log-truncated": "keep the first half of the gzip bytes",
    "log-empty": "store 0 bytes",
    "log-no-trailer": "drop the 8-byte CRC32/ISIZE gzip trailer",
    "log-delete": "delete the log object",
    # digests (ARG: digest index, default the middle digest N//2; non-empty for digest-edit)
    "digest-edit": "drop one logFiles entry, re-gzip, keep the signature",
    "digest-whitespace": "insert one space in the JSON (after the first comma), re-gzip, keep the signature",
    "digest-copy": "copy (metadata included) to a later stamp in the same folder (ARG INDEX, default newest) "
                   "or, with ARG INDEX:bucket, to the same key in the second bucket",
    "digest-drop-signature": "remove the signature metadata",
    "digest-drop-algorithm": "remove the signature-algorithm metadata",
    "digest-signature-not-hex": "signature metadata with non-hex characters (same length)",
    "digest-attacker-genuine-fp": "re-sign the stored bytes with an attacker key; fingerprint unchanged",
    "digest-attacker-own-fp": "set digestPublicKeyFingerprint to the attacker key's (never registered) and sign with it",
    "digest-not-gzip": "store the inflated JSON uncompressed (metadata kept)",
    "digest-not-json": "gzip of bytes that are not JSON (metadata kept)",
    "digest-not-utf8": "gzip of the JSON with one byte replaced by 0xff (metadata kept)",
    "digest-drop-field": "ARG FIELD[:INDEX]: remove that JSON key, re-gzip, keep the signature",
    "digest-delete": "ARG INDEX (repeatable): delete that digest",
    "digest-delete-newest": "ARG COUNT (default 1): delete the newest COUNT digests",
    "backfill-no-timestamp": "ARG backfill INDEX (default newest): remove backfill-generation-timestamp",
    "deny-object": "ARG digest:INDEX | log:INDEX | backfill:INDEX: bucket policy Deny s3:GetObject on that key to everyone",
    "archive": "ARG digest:INDEX | log:INDEX | backfill:INDEX: re-put with StorageClass GLACIER (GetObject: 403 InvalidObjectState)",
    # applied while building
    "key-garbage": "register garbage DER under the genuine fingerprint instead of the key",
    "key-none": "register no public key",
    "chain-restart": "ARG INDEX (>= 1): null the five previousDigest* of that digest (signed so; the next ones link to it)",
    "chain-cross-bucket": "ARG INDEX (>= 1): digests older than INDEX and their logs live in the second bucket",
    "link-wrong-hash": "ARG INDEX (>= 1): wrong previousDigestHashValue, signed with the genuine key",
    "link-wrong-signature": "ARG INDEX (>= 1): wrong previousDigestSignature, signed with the genuine key",
    "algorithm-sha1": "ARG INDEX: signature-algorithm metadata and digestSignatureAlgorithm SHA1withRSA, still signed SHA-256",
    "sibling-trail": "a second trail <trail>_<homeRegion> writes its own chain (same hours, key, bucket, folder)",
}
BUILD_TAMPERS = {"key-garbage", "key-none", "chain-restart", "chain-cross-bucket", "link-wrong-hash",
                 "link-wrong-signature", "algorithm-sha1", "sibling-trail"}


def parse_tamper(spec: str) -> tuple[str, str | None]:
    name, _, arg = spec.partition("=")
    if name not in TAMPERS:
        raise ValueError(f"unknown tamper {name!r}; known: {', '.join(sorted(TAMPERS))}")
    return name, (arg if arg != "" else None)


class Chain:
    """Builds one chain (standard + optional backfill) into S3 and applies tampers."""

    def __init__(self, endpoint: str, *, bucket: str, account_id: str, source_region: str, trail_name: str,
                 home_region: str | None = None, org_id: str | None = None, prefix: str | None = None,
                 hours: int = 6, end_time: int | None = None, logs_per_hour: tuple[int, int] = (1, 3),
                 log_size: tuple[int, int] = (4096, 32768), size_of: str = "compressed",
                 empty_hours: list[int] | None = None, seed: int = 0, backfill: int = 0,
                 private_key: str | None = None, write_private_key: str | None = None,
                 key_encoding: str = "pkcs1", trail_arn: str | None = None, second_bucket: str | None = None,
                 create_bucket: bool = False, threads: int = 12, tampers: list[str] | None = None,
                 credentials: dict[str, str] | None = None, assume_account: str | None = None,
                 workers: int | None = None, progress: bool = True) -> None:
        host = urlsplit(endpoint).hostname or ""
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            raise ValueError("the endpoint must be a loopback URL (the emulator), never real AWS")
        if hours < 1:
            raise ValueError("hours must be >= 1")
        if key_encoding not in ("pkcs1", "spki"):
            raise ValueError("key_encoding is pkcs1 or spki")
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.account = account_id
        self.source_region = source_region
        self.trail = trail_name
        self.home_region = home_region or source_region
        self.org_id = org_id
        self.prefix = prefix.strip("/") if prefix else None
        self.hours = hours
        self.end_time = int(end_time) if end_time is not None else default_end_time()
        self.logs_per_hour = logs_per_hour
        self.log_size = log_size
        self.size_of = size_of
        self.empty_hours = set(range(2, hours, 4)) if empty_hours is None else set(empty_hours)
        self.seed = seed
        self.backfill = backfill
        self.private_key_path = private_key
        self.write_private_key = write_private_key
        self.key_encoding = key_encoding
        self.trail_arn = trail_arn
        self.second_bucket = second_bucket or (bucket[:58] + "-prev")
        self.create_bucket = create_bucket
        self.threads = threads
        self.workers = workers
        self.progress = progress
        self.tampers = [parse_tamper(t) for t in (tampers or [])]
        self.credentials = dict(credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
        self.assume_account = assume_account
        self.rng = random.Random(f"chain/{seed}/{account_id}/{source_region}/{trail_name}")
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.attacker: SigningKey | None = None
        self.second_bucket_used = False
        self.manifest: dict[str, Any] = {}
        self.log_bytes = 0
        self.log_raw_bytes = 0

    # ---- plumbing

    def _client(self, region: str = "us-east-1") -> Any:
        with self._lock:
            if region not in self._clients:
                self._clients[region] = boto3.client(
                    "s3", endpoint_url=self.endpoint, region_name=region,
                    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                                  max_pool_connections=max(10, self.threads + 4), connect_timeout=5, read_timeout=120),
                    **self.credentials)
            return self._clients[region]

    def _assume(self) -> None:
        if not self.assume_account:
            return
        sts = boto3.client("sts", endpoint_url=self.endpoint, region_name="us-east-1", **self.credentials)
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{self.assume_account}:role/{ORG_ROLE}",
                            RoleSessionName="trailwarden-chain")["Credentials"]
        self.credentials = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                            "aws_session_token": c["SessionToken"]}

    def _bucket_region(self, bucket: str, create: bool, region: str | None = None) -> str:
        s3 = self._client()
        try:
            loc = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
            return loc or "us-east-1"
        except ClientError as e:
            if e.response["Error"].get("Code") not in ("NoSuchBucket", "404") or not create:
                raise
        region = region or "us-east-1"
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self._client(region).create_bucket(**kwargs)
        return region

    def s3(self, bucket: str) -> Any:
        return self._client(self.bucket_regions[bucket])

    def _route(self, method: str, path: str, body: Any = None) -> Any:
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
        with opener.open(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def say(self, msg: str) -> None:
        if self.progress:
            log(msg)

    # ---- tamper helpers

    def _tamper_args(self, name: str) -> list[str | None]:
        return [a for n, a in self.tampers if n == name]

    def _has(self, name: str) -> bool:
        return any(n == name for n, _ in self.tampers)

    def _index(self, arg: str | None, default: int, what: str = "digest", count: int | None = None) -> int:
        count = self.hours if count is None else count
        i = default if arg in (None, "") else int(arg)
        if i < 0:
            i += count
        if not 0 <= i < count:
            raise ValueError(f"{what} index {arg} out of range 0..{count - 1}")
        return i

    # ---- plan

    def _plan_logs(self, trail_seed: str, hour_start: int, hour_end: int, count: int,
                   bucket: str, tag: str) -> list[dict[str, Any]]:
        r = random.Random(f"{trail_seed}/{tag}/{hour_end}")
        deliveries = sorted(r.randint(hour_start + 60, hour_end - 1) for _ in range(count))
        jobs = []
        for n, delivered in enumerate(deliveries):
            lo_size, hi_size = self.log_size
            want = r.randint(lo_size, hi_size)
            target = int(want * self._ratio) if self.size_of == "compressed" else want
            unique = "".join(r.choice(_ALNUM) for _ in range(16))
            jobs.append({
                "id": f"{tag}/{hour_end}/{n}", "seed": self.seed, "account": self.account,
                "region": self.source_region, "rng_key": f"{trail_seed}/{tag}/{hour_end}/{n}",
                "target": max(64, target), "lo": max(hour_start, delivered - 300), "hi": delivered,
                "bucket": bucket,
                "key": log_key(self.prefix, self.org_id, self.account, self.source_region, delivered, unique),
            })
        return jobs

    def _calibrate(self) -> float:
        body, _, _, _ = make_log_body(self.seed, self.account, self.source_region, "calibrate", 400_000,
                                      self.end_time - 300, self.end_time)
        return len(body) / len(gz(body))

    # ---- build

    def build(self) -> dict[str, Any]:
        t0 = time.time()
        self._assume()
        self.bucket_regions = {self.bucket: self._bucket_region(self.bucket, self.create_bucket)}
        need_second = self._has("chain-cross-bucket") or any(
            a and a.endswith(":bucket") for a in self._tamper_args("digest-copy"))
        if need_second:
            self.bucket_regions[self.second_bucket] = self._bucket_region(
                self.second_bucket, True, self.bucket_regions[self.bucket])
            self.second_bucket_used = True

        # Keys
        if self.private_key_path:
            self.key = SigningKey.load(self.private_key_path, self.key_encoding)
        else:
            self.key = SigningKey.generate(self.key_encoding)
        written_pem = None
        if self.write_private_key:
            with open(self.write_private_key, "wb") as f:
                f.write(self.key.pem())
            written_pem = os.path.abspath(self.write_private_key)
        if any(self._has(n) for n in ("digest-attacker-genuine-fp", "digest-attacker-own-fp")):
            self.attacker = SigningKey.generate(self.key_encoding)

        self._ratio = self._calibrate() if self.size_of == "compressed" else 1.0
        ends = [self.end_time - HOUR * (self.hours - 1 - i) for i in range(self.hours)]
        first_start = ends[0] - HOUR

        cross = self._tamper_args("chain-cross-bucket")
        cross_index = self._index(cross[-1], self.hours // 2) if cross else None
        if cross_index is not None and cross_index < 1:
            raise ValueError("chain-cross-bucket needs INDEX >= 1")

        def bucket_of(i: int) -> str:
            return self.second_bucket if cross_index is not None and i < cross_index else self.bucket

        # Plan the standard chain's logs
        trail_seed = f"{self.seed}/{self.account}/{self.source_region}/{self.trail}"
        lo_n, hi_n = self.logs_per_hour
        plan: list[list[dict[str, Any]]] = []
        for i, end in enumerate(ends):
            r = random.Random(f"{trail_seed}/count/{i}")
            count = 0 if i in self.empty_hours else r.randint(lo_n, hi_n)
            plan.append(self._plan_logs(trail_seed, end - HOUR, end, count, bucket_of(i), "std"))
        backfill_plan: list[list[dict[str, Any]]] = []
        backfill_ends = ends[: self.backfill] if self.backfill else []
        if self.backfill > self.hours:
            raise ValueError("--backfill cannot exceed --hours")
        for end in backfill_ends:
            backfill_plan.append(self._plan_logs(trail_seed, end - HOUR, end, 1, bucket_of(ends.index(end)), "backfill"))
        sibling = self._has("sibling-trail")
        sibling_name = f"{self.trail}_{self.home_region}"
        sibling_seed = f"{self.seed}/{self.account}/{self.source_region}/{sibling_name}"
        sibling_plan: list[list[dict[str, Any]]] = []
        if sibling:
            for i, end in enumerate(ends):
                r = random.Random(f"{sibling_seed}/count/{i}")
                count = 0 if i in self.empty_hours else r.randint(lo_n, hi_n)
                sibling_plan.append(self._plan_logs(sibling_seed, end - HOUR, end, count, self.bucket, "sibling"))

        all_jobs = [j for hour in plan + backfill_plan + sibling_plan for j in hour]
        results = self._write_logs(all_jobs)

        # Register the key (validity covering the chain and the backfill generation times)
        valid_from = first_start - 3 * HOUR
        valid_to = max(self.end_time, int(time.time())) + 30 * 24 * HOUR
        registered = None
        if self._has("key-none"):
            self.say("key-none: no public key registered")
        elif self._has("key-garbage"):
            garbage = random.Random(f"garbage/{self.seed}").randbytes(270)
            registered = self._route("POST", "/_trailwarden/cloudtrail/public-keys", {
                "region": self.source_region, "der_base64": base64.b64encode(garbage).decode(),
                "valid_from": valid_from, "valid_to": valid_to, "fingerprint": self.key.fingerprint})
            self.say(f"key-garbage: garbage DER registered under {self.key.fingerprint}")
        else:
            registered = self._route("POST", "/_trailwarden/cloudtrail/public-keys", {
                "region": self.source_region, "der_base64": base64.b64encode(self.key.public_der).decode(),
                "valid_from": valid_from, "valid_to": valid_to})

        # Digests
        restart = {self._index(a, self.hours // 2) for a in self._tamper_args("chain-restart")}
        wrong_hash = {self._index(a, self.hours // 2) for a in self._tamper_args("link-wrong-hash")}
        wrong_sig = {self._index(a, self.hours // 2) for a in self._tamper_args("link-wrong-signature")}
        sha1 = {self._index(a, self.hours // 2) for a in self._tamper_args("algorithm-sha1")}
        for name, idx in (("chain-restart", restart), ("link-wrong-hash", wrong_hash), ("link-wrong-signature", wrong_sig)):
            if 0 in idx:
                raise ValueError(f"{name} needs INDEX >= 1 (digest 0 has no previous digest)")
        digests = self._write_digests(self.trail, ends, plan, results, bucket_of, backfill=False,
                                      restart=restart, wrong_hash=wrong_hash, wrong_sig=wrong_sig, sha1=sha1)
        backfill_digests: list[dict[str, Any]] = []
        if self.backfill:
            backfill_digests = self._write_digests(self.trail, backfill_ends, backfill_plan, results,
                                                   lambda i: bucket_of(i), backfill=True)
        sibling_digests: list[dict[str, Any]] = []
        if sibling:
            sibling_digests = self._write_digests(sibling_name, ends, sibling_plan, results,
                                                  lambda i: self.bucket, backfill=False)

        def log_entries(plan_: list[list[dict[str, Any]]], digests_: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for i, hour in enumerate(plan_):
                for job in hour:
                    res = results[job["id"]]
                    entry = {"index": len(out), "digest_index": i, "bucket": job["bucket"], "key": job["key"],
                             "hash": res["hash"], "size": res["size"], "compressed_size": res["gz_len"],
                             "records": res["records"], "oldest_event_time": iso(res["oldest"]),
                             "newest_event_time": iso(res["newest"]), "tampered": []}
                    digests_[i]["logs"].append(entry["index"])
                    out.append(entry)
            return out

        logs = log_entries(plan, digests)
        backfill_logs = log_entries(backfill_plan, backfill_digests) if self.backfill else []
        sibling_logs = log_entries(sibling_plan, sibling_digests) if sibling else []

        self.manifest = {
            "endpoint": self.endpoint,
            "bucket": self.bucket,
            "second_bucket": self.second_bucket if self.second_bucket_used else None,
            "account_id": self.account,
            "region": self.source_region,
            "source_region": self.source_region,
            "home_region": self.home_region,
            "trail_name": self.trail,
            "trail_arn": self.trail_arn,
            "org_id": self.org_id,
            "prefix": self.prefix,
            "seed": self.seed,
            "fingerprint": self.key.fingerprint,
            "key_encoding": self.key_encoding,
            "public_key_der_base64": base64.b64encode(self.key.public_der).decode(),
            "key_registered": registered is not None and not self._has("key-garbage"),
            "key_validity": {"from": iso(valid_from), "to": iso(valid_to)},
            "attacker_fingerprint": self.attacker.fingerprint if self.attacker else None,
            "private_key_pem": written_pem,
            "digest_list_prefix": digest_list_prefix(self.prefix, self.org_id, self.account, self.source_region),
            "start_time": iso(first_start),
            "end_time": iso(self.end_time),
            "digests": digests,
            "logs": logs,
            "backfill": {"digests": backfill_digests, "logs": backfill_logs},
            "sibling": ({"trail_name": sibling_name, "digests": sibling_digests, "logs": sibling_logs}
                        if sibling else None),
            "tampers": [],
        }
        for name, arg in self.tampers:
            if name in BUILD_TAMPERS:
                self._record_build_tamper(name, arg, restart, wrong_hash, wrong_sig, sha1, cross_index)
        # S3-side tampers, in order
        for name, arg in self.tampers:
            if name not in BUILD_TAMPERS:
                try:
                    self._apply(name, arg)
                except Exception as exc:
                    spec = name if arg is None else f"{name}={arg}"
                    raise RuntimeError(f"tamper {spec} (applied in --tamper order): {exc}") from exc

        if self.trail_arn:
            newest_end = parse_time(digests[-1]["end"])
            self._route("POST", "/_trailwarden/cloudtrail/digest-delivery",
                        {"trail_arn": self.trail_arn, "latest_digest_delivery_time": newest_end})
        elapsed = time.time() - t0
        self.manifest["totals"] = {
            "digests": len(digests) + len(backfill_digests) + len(sibling_digests),
            "logs": len(logs) + len(backfill_logs) + len(sibling_logs),
            "log_bytes_compressed": self.log_bytes,
            "log_bytes_uncompressed": self.log_raw_bytes,
            "seconds": round(elapsed, 2),
        }
        self.say(f"chain {self.trail}: {self.manifest['totals']['digests']} digests, "
                 f"{self.manifest['totals']['logs']} logs, {self.log_bytes / 1e6:.1f} MB gzip "
                 f"({self.log_raw_bytes / 1e6:.1f} MB raw) in {elapsed:.1f}s")
        return self.manifest

    def _write_logs(self, jobs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Generate (worker processes for big chains) and upload (thread pool) every log."""
        results: dict[str, dict[str, Any]] = {}
        if not jobs:
            return results
        total_target = sum(j["target"] for j in jobs)
        by_id = {j["id"]: j for j in jobs}
        started = time.time()
        state = {"done": 0, "last": started}

        def upload(res: dict[str, Any]) -> None:
            job = by_id[res["id"]]
            self.s3(job["bucket"]).put_object(Bucket=job["bucket"], Key=job["key"], Body=res["gz"],
                                              ContentType="application/json")
            with self._lock:
                state["done"] += 1
                res["gz_len"] = len(res["gz"])
                res["gz"] = None  # uploaded: free the memory (tampers read S3 back)
                self.log_bytes += res["gz_len"]
                self.log_raw_bytes += res["size"]
                now = time.time()
                if now - state["last"] >= 5:
                    state["last"] = now
                    self.say(f"logs {state['done']}/{len(jobs)} written, {self.log_bytes / 1e6:.1f} MB gzip, "
                             f"{now - started:.1f}s")

        with ThreadPoolExecutor(max_workers=self.threads) as uploads:
            pending = []
            workers = self.workers if self.workers is not None else (
                min(os.cpu_count() or 1, 4) if total_target > 40_000_000 else 0)
            if workers > 0:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                ctx = multiprocessing.get_context("fork")
                self.say(f"generating {len(jobs)} logs (~{total_target / 1e6:.0f} MB raw) in {workers} processes")
                with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as gen:
                    futures = [gen.submit(_make_log_job, j) for j in jobs]
                    for fut in as_completed(futures):
                        res = fut.result()
                        results[res["id"]] = res
                        pending.append(uploads.submit(upload, res))
                        while len(pending) > 4 * self.threads:  # bound memory
                            pending.pop(0).result()
            else:
                for j in jobs:
                    res = _make_log_job(j)
                    results[res["id"]] = res
                    pending.append(uploads.submit(upload, res))
            for fut in pending:
                fut.result()
        self.say(f"logs {len(results)}/{len(jobs)} written, {self.log_bytes / 1e6:.1f} MB gzip "
                 f"({self.log_raw_bytes / 1e6:.1f} MB raw), {time.time() - started:.1f}s")
        return results

    def _digest_body(self, trail: str, start: int, end: int, bucket: str, key: str, fingerprint: str,
                     algorithm: str, log_jobs: list[dict[str, Any]], results: dict[str, dict[str, Any]],
                     prev: dict[str, Any] | None) -> dict[str, Any]:
        files = []
        for job in log_jobs:
            res = results[job["id"]]
            files.append({"s3Bucket": job["bucket"], "s3Object": job["key"], "hashValue": res["hash"],
                          "hashAlgorithm": "SHA-256", "newestEventTime": iso(res["newest"]),
                          "oldestEventTime": iso(res["oldest"])})
        return {
            "awsAccountId": self.account,
            "digestStartTime": iso(start),
            "digestEndTime": iso(end),
            "digestS3Bucket": bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": algorithm,
            "newestEventTime": max((f["newestEventTime"] for f in files), default=None),
            "oldestEventTime": min((f["oldestEventTime"] for f in files), default=None),
            "previousDigestS3Bucket": prev["bucket"] if prev else None,
            "previousDigestS3Object": prev["key"] if prev else None,
            "previousDigestHashValue": prev["hash"] if prev else None,
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev["signature"] if prev else None,
            "logFiles": files,
        }

    def _write_digests(self, trail: str, ends: list[int], plan: list[list[dict[str, Any]]],
                       results: dict[str, dict[str, Any]], bucket_of: Callable[[int], str], *, backfill: bool,
                       restart: set[int] = frozenset(), wrong_hash: set[int] = frozenset(),
                       wrong_sig: set[int] = frozenset(), sha1: set[int] = frozenset()) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        prev: dict[str, Any] | None = None
        uploads = []
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            for i, end in enumerate(ends):
                bucket = bucket_of(i)
                key = digest_key(self.prefix, self.org_id, self.account, self.source_region, trail,
                                 self.home_region, end, backfill=backfill)
                algorithm = "SHA1withRSA" if i in sha1 else SIGNATURE_ALGORITHM
                link = None if (prev is None or i in restart) else dict(prev)
                if link is not None and i in wrong_hash:
                    link["hash"] = sha256_hex(b"not the previous digest " + link["hash"].encode())
                if link is not None and i in wrong_sig:
                    sig = link["signature"]
                    link["signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
                doc = self._digest_body(trail, end - HOUR, end, bucket, key, self.key.fingerprint, algorithm,
                                        plan[i], results, link)
                inflated = json.dumps(doc, separators=(",", ":")).encode("utf-8")
                signature = self.key.sign(signed_string(doc["digestEndTime"], bucket, key, inflated,
                                                        doc["previousDigestSignature"]))
                metadata = {"signature": signature, "signature-algorithm": algorithm}
                entry = {"index": i, "bucket": bucket, "key": key, "start": doc["digestStartTime"],
                         "end": doc["digestEndTime"], "signature": signature, "hash": sha256_hex(inflated),
                         "previous_bucket": doc["previousDigestS3Bucket"], "previous_key": doc["previousDigestS3Object"],
                         "log_count": len(plan[i]), "logs": [], "tampered": []}
                if backfill:
                    bgt = min(end + 90 * 60, max(self.end_time, end))
                    metadata["backfill-generation-timestamp"] = iso(bgt)
                    entry["generation_timestamp"] = iso(bgt)
                body = gz(inflated)
                uploads.append(pool.submit(self.s3(bucket).put_object, Bucket=bucket, Key=key, Body=body,
                                           Metadata=metadata, ContentType="application/json"))
                out.append(entry)
                prev = {"bucket": bucket, "key": key, "hash": entry["hash"], "signature": signature}
            for f in uploads:
                f.result()
        kind = "backfill digests" if backfill else "digests"
        self.say(f"{len(out)} {kind} of {trail} written ({out[0]['end']} .. {out[-1]['end']})")
        return out

    # ---- tampers

    def _record(self, name: str, arg: str | None, objects: list[tuple[str, str]], detail: str,
                entries: list[dict[str, Any]] = ()) -> None:
        for e in entries:
            e["tampered"].append(name)
        self.manifest["tampers"].append({
            "name": name, "arg": arg, "detail": detail,
            "objects": [{"bucket": b, "key": k} for b, k in objects],
            "keys": [k for _, k in objects],
        })

    def _record_build_tamper(self, name: str, arg: str | None, restart: set[int], wrong_hash: set[int],
                             wrong_sig: set[int], sha1: set[int], cross_index: int | None) -> None:
        d = self.manifest["digests"]
        if name in ("key-none", "key-garbage"):
            self._record(name, arg, [], TAMPERS[name])
        elif name == "sibling-trail":
            s = self.manifest["sibling"]
            objs = [(x["bucket"], x["key"]) for x in s["digests"]] + [(x["bucket"], x["key"]) for x in s["logs"]]
            self._record(name, arg, objs, f"sibling trail {s['trail_name']}")
        elif name == "chain-cross-bucket":
            moved = [x for x in d if x["index"] < cross_index]
            moved_logs = [x for x in self.manifest["logs"] if x["digest_index"] < cross_index]
            self._record(name, arg, [(x["bucket"], x["key"]) for x in moved + moved_logs],
                         f"digests 0..{cross_index - 1} and their logs in {self.second_bucket}; "
                         f"digest {cross_index} links there", moved)
        else:
            idx = self._index(arg, self.hours // 2)
            self._record(name, arg, [(d[idx]["bucket"], d[idx]["key"])], TAMPERS[name], [d[idx]])

    def _get(self, bucket: str, key: str) -> tuple[bytes, dict[str, str]]:
        resp = self.s3(bucket).get_object(Bucket=bucket, Key=key)
        return resp["Body"].read(), dict(resp.get("Metadata") or {})

    def _put(self, bucket: str, key: str, body: bytes, metadata: dict[str, str], **extra: Any) -> None:
        self.s3(bucket).put_object(Bucket=bucket, Key=key, Body=body, Metadata=metadata,
                                   ContentType="application/json", **extra)

    def _default_log(self) -> int:
        logs = self.manifest["logs"]
        if not logs:
            raise ValueError("the chain has no log files to tamper with")
        mid = self.hours // 2
        best = min(logs, key=lambda e: (abs(e["digest_index"] - mid), e["digest_index"], e["index"]))
        return best["index"]

    def _nonempty_digest(self, arg: str | None) -> int:
        if arg not in (None, ""):
            return self._index(arg, 0)
        mid = self.hours // 2
        candidates = [x for x in self.manifest["digests"] if x["log_count"] > 0]
        if not candidates:
            raise ValueError("the chain has no digest with log files")
        return min(candidates, key=lambda x: (abs(x["index"] - mid), x["index"]))["index"]

    def _target(self, arg: str | None) -> dict[str, Any]:
        kind, _, idx = (arg or "").partition(":")
        if kind == "digest":
            return self.manifest["digests"][self._index(idx, self.hours // 2)]
        if kind == "log":
            logs = self.manifest["logs"]
            return logs[self._index(idx, self._default_log(), "log", len(logs))]
        if kind == "backfill":
            b = self.manifest["backfill"]["digests"]
            return b[self._index(idx, len(b) - 1, "backfill digest", len(b))]
        raise ValueError(f"expected digest:INDEX, log:INDEX or backfill:INDEX, got {arg!r}")

    def _apply(self, name: str, arg: str | None) -> None:
        m = self.manifest
        digests = m["digests"]
        if name.startswith("log-"):
            logs = m["logs"]
            e = logs[self._index(arg, self._default_log(), "log", len(logs))]
            b, k = e["bucket"], e["key"]
            if name == "log-delete":
                self.s3(b).delete_object(Bucket=b, Key=k)
            else:
                body, meta = self._get(b, k)
                raw = gunzip(body)
                if name == "log-byte":
                    pos = raw.index(b'"eventTime":"') + len(b'"eventTime":"') + 3  # the year's last digit
                    raw = raw[:pos] + bytes([48 + (raw[pos] - 48 + 1) % 10]) + raw[pos + 1:]
                    new = gz(raw)
                elif name == "log-append-member":
                    new = body + gz(b'{"Records":[]}')
                elif name == "log-append-junk":
                    new = body + b"\x00\x01TRAILING JUNK AFTER THE GZIP MEMBER\n"
                elif name == "log-not-gzip":
                    new = raw
                elif name == "log-truncated":
                    new = body[: len(body) // 2]
                elif name == "log-empty":
                    new = b""
                elif name == "log-no-trailer":
                    new = body[:-8]
                else:
                    raise AssertionError(name)
                self._put(b, k, new, meta)
            self._record(name, arg, [(b, k)], TAMPERS[name], [e])
            return
        if name == "digest-delete":
            e = digests[self._index(arg, self.hours // 2)]
            self.s3(e["bucket"]).delete_object(Bucket=e["bucket"], Key=e["key"])
            self._record(name, arg, [(e["bucket"], e["key"])], TAMPERS[name], [e])
            return
        if name == "digest-delete-newest":
            count = int(arg or 1)
            gone = digests[-count:] if count > 0 else []
            for e in gone:
                self.s3(e["bucket"]).delete_object(Bucket=e["bucket"], Key=e["key"])
            self._record(name, arg, [(e["bucket"], e["key"]) for e in gone], TAMPERS[name], gone)
            return
        if name in ("deny-object", "archive"):
            e = self._target(arg)
            b, k = e["bucket"], e["key"]
            if name == "deny-object":
                self._deny_get(b, k)
            else:
                body, meta = self._get(b, k)
                self._put(b, k, body, meta, StorageClass="GLACIER")
            self._record(name, arg, [(b, k)], TAMPERS[name], [e])
            return
        if name == "backfill-no-timestamp":
            bf = m["backfill"]["digests"]
            if not bf:
                raise ValueError("backfill-no-timestamp needs --backfill N")
            e = bf[self._index(arg, len(bf) - 1, "backfill digest", len(bf))]
            body, meta = self._get(e["bucket"], e["key"])
            meta.pop("backfill-generation-timestamp", None)
            self._put(e["bucket"], e["key"], body, meta)
            self._record(name, arg, [(e["bucket"], e["key"])], TAMPERS[name], [e])
            return
        if name == "digest-copy":
            idx_s, _, where = (arg or "").partition(":")
            e = digests[self._index(idx_s or None, self.hours - 1)]
            src_end = parse_time(e["end"])
            if where == "bucket":
                dest_b, dest_k = self.second_bucket, e["key"]
            elif where:
                raise ValueError("digest-copy takes INDEX or INDEX:bucket")
            else:
                day_end = src_end // 86400 * 86400 + 86399
                delta = min(1800, day_end - src_end) or -1
                dest_b = e["bucket"]
                dest_k = digest_key(self.prefix, self.org_id, self.account, self.source_region, self.trail,
                                    self.home_region, src_end + delta)
            self.s3(dest_b).copy_object(Bucket=dest_b, Key=dest_k, CopySource={"Bucket": e["bucket"], "Key": e["key"]},
                                        MetadataDirective="COPY")
            self._record(name, arg, [(dest_b, dest_k)], f"copy of s3://{e['bucket']}/{e['key']}", [e])
            return
        if name == "digest-edit":
            e = digests[self._nonempty_digest(arg)]
        elif name == "digest-drop-field":
            field, _, idx_s = (arg or "").partition(":")
            if not field:
                raise ValueError("digest-drop-field needs =FIELD[:INDEX]")
            e = digests[self._index(idx_s or None, self.hours // 2)]
        else:
            e = digests[self._index(arg, self.hours // 2)]
        b, k = e["bucket"], e["key"]
        body, meta = self._get(b, k)
        inflated = gunzip(body)
        new = body
        detail = TAMPERS[name]
        if name == "digest-edit":
            doc = json.loads(inflated)
            dropped = doc["logFiles"].pop()
            new = gz(json.dumps(doc, separators=(",", ":")).encode())
            detail = f"dropped logFiles entry s3://{dropped['s3Bucket']}/{dropped['s3Object']}"
        elif name == "digest-whitespace":
            new = gz(inflated.replace(b",", b", ", 1))
        elif name == "digest-drop-signature":
            meta.pop("signature", None)
        elif name == "digest-drop-algorithm":
            meta.pop("signature-algorithm", None)
        elif name == "digest-signature-not-hex":
            meta["signature"] = "zz" + meta["signature"][2:-2] + "xy"
        elif name == "digest-attacker-genuine-fp":
            doc = json.loads(inflated)
            meta["signature"] = self.attacker.sign(signed_string(doc["digestEndTime"], doc["digestS3Bucket"],
                                                                 doc["digestS3Object"], inflated,
                                                                 doc["previousDigestSignature"]))
        elif name == "digest-attacker-own-fp":
            doc = json.loads(inflated)
            doc["digestPublicKeyFingerprint"] = self.attacker.fingerprint
            inflated = json.dumps(doc, separators=(",", ":")).encode()
            meta["signature"] = self.attacker.sign(signed_string(doc["digestEndTime"], doc["digestS3Bucket"],
                                                                 doc["digestS3Object"], inflated,
                                                                 doc["previousDigestSignature"]))
            new = gz(inflated)
        elif name == "digest-not-gzip":
            new = inflated
        elif name == "digest-not-json":
            new = gz(b"this is not JSON {" + inflated[:40])
        elif name == "digest-not-utf8":
            pos = inflated.index(b'"awsAccountId":"') + len(b'"awsAccountId":"')
            new = gz(inflated[:pos] + b"\xff" + inflated[pos + 1:])
        elif name == "digest-drop-field":
            doc = json.loads(inflated)
            if field not in doc:
                raise ValueError(f"digest has no field {field!r}")
            del doc[field]
            new = gz(json.dumps(doc, separators=(",", ":")).encode())
            detail = f"removed {field}"
        else:
            raise AssertionError(name)
        self._put(b, k, new, meta)
        self._record(name, arg, [(b, k)], detail, [e])

    def _deny_get(self, bucket: str, key: str) -> None:
        s3 = self.s3(bucket)
        try:
            doc = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError as e:
            if e.response["Error"].get("Code") != "NoSuchBucketPolicy":
                raise
            doc = {"Version": "2012-10-17", "Statement": []}
        stmts = doc.setdefault("Statement", [])
        if isinstance(stmts, dict):
            stmts = doc["Statement"] = [stmts]
        stmts.append({
            "Sid": f"TamperDenyGetObject{len(stmts)}",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/{key}",
        })
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc))


def build_chain(endpoint: str, **kwargs: Any) -> dict[str, Any]:
    """Module API: build one chain and return its manifest (see Chain for the arguments)."""
    return Chain(endpoint, **kwargs).build()


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def _range(value: str) -> tuple[int, int]:
    def num(s: str) -> int:
        s = s.strip().upper()
        mult = 1
        if s.endswith("K"):
            mult, s = 1024, s[:-1]
        elif s.endswith("M"):
            mult, s = 1024 * 1024, s[:-1]
        return int(float(s) * mult)

    lo, _, hi = value.partition(":")
    a = num(lo)
    b = num(hi) if hi else a
    if b < a:
        raise argparse.ArgumentTypeError(f"{value}: MIN must be <= MAX")
    return a, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a signed CloudTrail digest chain into the emulator's S3.")
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--account", default=None, help="log account id (default: from --trail-arn, else 123456789012)")
    parser.add_argument("--region", default=None, help="source region (default: the home region)")
    parser.add_argument("--trail", default=None, help="trail name (default: from --trail-arn)")
    parser.add_argument("--home-region", default=None, help="trail home region (default: from --trail-arn, else --region)")
    parser.add_argument("--org-id", default=None, help="o-... for an organization trail's key layout")
    parser.add_argument("--prefix", default=None, help="trail S3 key prefix")
    parser.add_argument("--hours", type=int, default=6, help="number of hourly digests (default 6)")
    parser.add_argument("--end-time", default=None, help="newest digest end (ISO 8601; default: hour boundary - 2m29s)")
    parser.add_argument("--logs-per-hour", type=_range, default=(1, 3), metavar="MIN:MAX")
    parser.add_argument("--log-size", type=_range, default=(4096, 32768), metavar="MIN:MAX",
                        help="log file size range in bytes (K/M suffixes), see --size-of")
    parser.add_argument("--size-of", choices=("compressed", "uncompressed"), default="compressed")
    parser.add_argument("--empty-hours", default=None,
                        help="comma-separated digest indexes with no log file, or 'none' (default: 2, 6, 10, ...)")
    parser.add_argument("--seed", type=int, default=0, help="content seed (logs, keys names, sizes)")
    parser.add_argument("--backfill", type=int, default=0, metavar="N", help="also N backfill digests (§1.3)")
    parser.add_argument("--private-key", default=None, help="PEM private key to sign with (default: a new one)")
    parser.add_argument("--write-private-key", default=None, metavar="PATH", help="write the signing key as PEM")
    parser.add_argument("--key-encoding", choices=("pkcs1", "spki"), default="pkcs1",
                        help="DER registered with ListPublicKeys (and fingerprinted)")
    parser.add_argument("--trail-arn", default=None,
                        help="set that trail's LatestDigestDeliveryTime to the newest digest's end time")
    parser.add_argument("--second-bucket", default=None, help="bucket for chain-cross-bucket / digest-copy=I:bucket")
    parser.add_argument("--create-bucket", action="store_true", help="create --bucket if missing (us-east-1)")
    parser.add_argument("--assume-account", default=None,
                        help="write as OrganizationAccountAccessRole of this account (bucket owner)")
    parser.add_argument("--threads", type=int, default=12, help="upload threads (default 12)")
    parser.add_argument("--workers", type=int, default=None,
                        help="log generator processes (default: 0 for small chains, up to 4 for big ones)")
    parser.add_argument("--tamper", action="append", default=[], metavar="NAME[=ARG]",
                        help="repeatable; see README.md: " + ", ".join(sorted(TAMPERS)))
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)

    host = urlsplit(args.endpoint).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        parser.error("--endpoint must be a loopback URL (the emulator), never real AWS")
    account, home, trail = args.account, args.home_region, args.trail
    if args.trail_arn:
        parts = args.trail_arn.split(":")
        if len(parts) < 6 or "/" not in parts[5]:
            parser.error(f"invalid trail ARN {args.trail_arn}")
        home = home or parts[3]
        account = account or parts[4]
        trail = trail or parts[5].split("/", 1)[1]
    if not trail:
        parser.error("--trail (or --trail-arn) is required")
    account = account or DEFAULT_ACCOUNT
    region = args.region or home
    if not region:
        parser.error("--region (or --home-region / --trail-arn) is required")
    try:
        for t in args.tamper:
            parse_tamper(t)
    except ValueError as exc:
        parser.error(str(exc))
    empty = None
    if args.empty_hours is not None:
        empty = [] if args.empty_hours.strip().lower() in ("none", "") else [int(x) for x in args.empty_hours.split(",")]
    try:
        manifest = build_chain(
            args.endpoint, bucket=args.bucket, account_id=account, source_region=region, trail_name=trail,
            home_region=home or region, org_id=args.org_id, prefix=args.prefix, hours=args.hours,
            end_time=parse_time(args.end_time) if args.end_time else None, logs_per_hour=args.logs_per_hour,
            log_size=args.log_size, size_of=args.size_of, empty_hours=empty, seed=args.seed, backfill=args.backfill,
            private_key=args.private_key, write_private_key=args.write_private_key, key_encoding=args.key_encoding,
            trail_arn=args.trail_arn, second_bucket=args.second_bucket, create_bucket=args.create_bucket,
            threads=args.threads, workers=args.workers, tampers=args.tamper, assume_account=args.assume_account,
            progress=not args.quiet)
    except Exception as exc:  # noqa: BLE001 - report any failure plainly
        print(f"chain.py: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(manifest, sort_keys=True) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
