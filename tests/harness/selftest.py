#!/usr/bin/env python3
"""Self-test of the AWS emulator harness (moto_launcher.py + seed.py).

Usage:
    .venv/bin/python tests/harness/selftest.py [-k SUBSTRING] [-v]

For each scenario: starts a fresh launcher on a free loopback port, seeds the scenario,
then checks with boto3 AND raw SigV4-signed HTTP that the patched behaviours answer as
AWS does (XML roots and elements the Rust SDK validates, JSON member types against the
botocore service models, status codes and error codes). Prints one line per check and
closes with "N passed, M failed"; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

import boto3
import botocore.session
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


def _isolate_from_real_aws() -> None:
    """Only the emulator is ever contacted: ignore the developer's AWS config and proxies."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    for var in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(var, "")
        os.environ[var] = ",".join(x for x in (current, "127.0.0.1,localhost") if x)


_isolate_from_real_aws()

HERE = Path(__file__).resolve().parent
ACCT = "123456789012"
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
ORG_ROLE = "OrganizationAccountAccessRole"
TIMINGS: dict[str, float] = {}


# --------------------------------------------------------------------------------------
# Harness plumbing
# --------------------------------------------------------------------------------------


class Results:
    def __init__(self, verbose: bool):
        self.passed = 0
        self.failed: list[str] = []
        self.verbose = verbose
        self.scope = ""

    def check(self, name: str, cond: Any, detail: Any = "") -> bool:
        label = f"{self.scope}: {name}" if self.scope else name
        if cond:
            self.passed += 1
            if self.verbose:
                print(f"ok    {label}")
        else:
            self.failed.append(label)
            print(f"FAIL  {label}  {detail}")
        return bool(cond)


class Emulator:
    """A fresh launcher process on a free port."""

    def __init__(self) -> None:
        t0 = time.time()
        self.stderr = open(os.devnull, "w") if not os.environ.get("SELFTEST_LAUNCHER_LOG") else open(
            os.environ["SELFTEST_LAUNCHER_LOG"], "a")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "moto_launcher.py"), "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        m = re.fullmatch(r"READY (http://127\.0\.0\.1:(\d+))\n", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"launcher did not print READY (got {line!r})")
        self.endpoint = m.group(1)
        self.port = m.group(2)
        self.startup = time.time() - t0

    def seed(self, scenario: str) -> tuple[dict[str, Any], float]:
        t0 = time.time()
        res = subprocess.run(
            [sys.executable, str(HERE / "seed.py"), "--endpoint", self.endpoint, "--scenario", scenario],
            capture_output=True, text=True, timeout=300,
        )
        elapsed = time.time() - t0
        if res.returncode != 0:
            raise RuntimeError(f"seed.py {scenario} failed:\n{res.stderr}")
        lines = res.stdout.splitlines()
        if len(lines) != 1:
            raise RuntimeError(f"seed.py {scenario} printed {len(lines)} lines on stdout")
        return json.loads(lines[0]), elapsed

    def stop(self) -> str:
        self.proc.terminate()
        try:
            rest, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        self.stderr.close()
        return rest or ""


class Aws:
    """boto3 clients and raw signed requests against one emulator, as one identity."""

    def __init__(self, endpoint: str, key: str = "testing", secret: str = "testing", token: str | None = None):
        self.endpoint = endpoint
        self.creds = dict(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
            **self.creds,
        )

    def raw(self, method: str, path: str, service: str, body: bytes = b"", headers: dict[str, str] | None = None,
            region: str = "us-east-1", host: str | None = None) -> requests.Response:
        url = self.endpoint + path
        hdrs = dict(headers or {})
        if host:
            hdrs["Host"] = host
        req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
        SigV4Auth(Credentials(self.creds["aws_access_key_id"], self.creds["aws_secret_access_key"],
                              self.creds["aws_session_token"]), service, region).add_auth(req)
        return requests.request(method, url, data=body, headers=dict(req.headers.items()), timeout=30)

    def assume(self, account: str, role: str = ORG_ROLE, external_id: str | None = None) -> "Aws":
        kw: dict[str, Any] = {"RoleArn": f"arn:aws:iam::{account}:role/{role}", "RoleSessionName": "selftest"}
        if external_id is not None:
            kw["ExternalId"] = external_id
        c = self.client("sts").assume_role(**kw)["Credentials"]
        return Aws(self.endpoint, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def error_code(fn: Callable[[], Any]) -> tuple[str | None, int | None]:
    try:
        fn()
    except ClientError as e:
        return e.response["Error"].get("Code"), e.response["ResponseMetadata"].get("HTTPStatusCode")
    return None, None


def xml_root(resp: requests.Response) -> ET.Element:
    return ET.fromstring(resp.content)


def local(tag: str) -> str:
    return tag.split("}", 1)[-1]


def child_text(el: ET.Element, name: str) -> str | None:
    for c in el:
        if local(c.tag) == name:
            return c.text
    return None


# --------------------------------------------------------------------------------------
# Strict type check of JSON responses against botocore's output shapes
# (the Rust SDK fails hard on a wrongly typed member; botocore is lenient)
# --------------------------------------------------------------------------------------

_BOTOCORE = botocore.session.get_session()


def shape_errors(service: str, operation: str, data: Any) -> list[str]:
    model = _BOTOCORE.get_service_model(service)
    shape = model.operation_model(operation).output_shape
    errors: list[str] = []

    def walk(shape: Any, value: Any, path: str) -> None:
        if value is None:
            return
        t = shape.type_name
        if t == "structure":
            if not isinstance(value, dict):
                errors.append(f"{path}: expected object, got {type(value).__name__}")
                return
            for k, v in value.items():
                if k in shape.members:
                    walk(shape.members[k], v, f"{path}.{k}")
        elif t == "list":
            if not isinstance(value, list):
                errors.append(f"{path}: expected list, got {type(value).__name__}")
                return
            for i, v in enumerate(value):
                walk(shape.member, v, f"{path}[{i}]")
        elif t == "map":
            if not isinstance(value, dict):
                errors.append(f"{path}: expected map")
        elif t == "string":
            if not isinstance(value, str):
                errors.append(f"{path}: expected string, got {value!r}")
        elif t == "boolean":
            if not isinstance(value, bool):
                errors.append(f"{path}: expected boolean, got {value!r}")
        elif t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(f"{path}: expected integer, got {value!r}")
        elif t in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(f"{path}: expected number, got {value!r}")
        elif t == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(f"{path}: expected epoch-seconds number, got {value!r}")

    if shape is not None:
        walk(shape, data, operation)
    return errors


def json_call(t: Results, aws: Aws, service: str, target_prefix: str, operation: str,
              params: dict[str, Any], region: str = "us-east-1", signing: str | None = None) -> tuple[int, Any]:
    """Raw awsJson1.1 call; checks member types of a 200 answer."""
    resp = aws.raw(
        "POST", "/", signing or service, body=json.dumps(params).encode(), region=region,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{target_prefix}.{operation}"},
    )
    try:
        data = resp.json()
    except ValueError:
        data = None
    if resp.status_code == 200:
        errs = shape_errors(service, operation, data)
        t.check(f"{service} {operation} JSON member types match the model", not errs, errs)
    return resp.status_code, data


CT_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"


# --------------------------------------------------------------------------------------
# Checks shared by several scenarios
# --------------------------------------------------------------------------------------

# Root element the Rust SDK requires for each bucket sub-resource read.
RUST_S3_ROOTS = {
    "versioning": "VersioningConfiguration",
    "acl": "AccessControlPolicy",
    "logging": "BucketLoggingStatus",
    "lifecycle": "LifecycleConfiguration",
    "object-lock": "ObjectLockConfiguration",
    "publicAccessBlock": "PublicAccessBlockConfiguration",
    "policyStatus": "PolicyStatus",
    "location": "LocationConstraint",
    "encryption": "ServerSideEncryptionConfiguration",
    "notification": "NotificationConfiguration",
    "accelerate": "AccelerateConfiguration",
    "requestPayment": "RequestPaymentConfiguration",
}


def check_s3_roots(t: Results, aws: Aws, bucket: str, subresources: list[str]) -> None:
    for sub in subresources:
        r = aws.raw("GET", f"/{bucket}?{sub}", "s3")
        ok = r.status_code == 200
        root = xml_root(r) if ok else None
        t.check(f"GET {bucket}?{sub} -> 200 <{RUST_S3_ROOTS[sub]}>",
                ok and local(root.tag) == RUST_S3_ROOTS[sub] and root.tag.startswith("{" + S3_NS),
                f"{r.status_code} {r.text[:200]}")


def check_launcher_stdout(t: Results, leftover: str) -> None:
    t.check("launcher printed nothing on stdout after READY", leftover.strip() == "", repr(leftover[:200]))


# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------


def t_compliant(t: Results, emu: Emulator, out: dict[str, Any], advanced: bool = False) -> None:
    aws = Aws(emu.endpoint)
    s3 = aws.client("s3")
    bucket = f"compliant-trail-logs-{ACCT}"
    access = f"compliant-access-logs-{ACCT}"
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/main-trail"
    t.check("seed JSON names the trail", out["trails"]["main-trail"]["arn"] == trail_arn, out["trails"])

    # a. GetBucketVersioning raw XML
    r = aws.raw("GET", f"/{bucket}?versioning", "s3")
    root = xml_root(r)
    t.check("versioning root is <VersioningConfiguration xmlns=S3>",
            r.status_code == 200 and root.tag == f"{{{S3_NS}}}VersioningConfiguration", r.text)
    t.check("versioning Status=Enabled, MfaDelete=Enabled",
            child_text(root, "Status") == "Enabled" and child_text(root, "MfaDelete") == "Enabled", r.text)
    t.check("versioning body has nothing but Status and MfaDelete",
            [local(c.tag) for c in root] == ["Status", "MfaDelete"], r.text)
    r = aws.raw("GET", f"/{access}?versioning", "s3")
    root = xml_root(r)
    t.check("MfaDelete omitted when never set", [local(c.tag) for c in root] == ["Status"], r.text)
    s3.create_bucket(Bucket="selftest-never-versioned")
    r = aws.raw("GET", "/selftest-never-versioned?versioning", "s3")
    root = xml_root(r)
    t.check("never-versioned bucket: empty <VersioningConfiguration/>",
            local(root.tag) == "VersioningConfiguration" and len(root) == 0, r.text)
    v = s3.get_bucket_versioning(Bucket=bucket)
    t.check("boto3 GetBucketVersioning sees MFADelete", v.get("MFADelete") == "Enabled" and v.get("Status") == "Enabled", v)
    s3.put_bucket_versioning(Bucket="selftest-never-versioned",
                             VersioningConfiguration={"Status": "Suspended", "MFADelete": "Disabled"},
                             MFA="arn:aws:iam::123456789012:mfa/root 000000")
    v = s3.get_bucket_versioning(Bucket="selftest-never-versioned")
    t.check("MfaDelete Disabled is stored per bucket", v.get("MFADelete") == "Disabled" and v.get("Status") == "Suspended", v)
    r = aws.raw("GET", "/no-such-bucket-selftest?versioning", "s3")
    t.check("versioning of a missing bucket: 404 NoSuchBucket",
            r.status_code == 404 and child_text(xml_root(r), "Code") == "NoSuchBucket", r.text)

    # Every bucket read the scanner does parses with the Rust SDK's root checks.
    check_s3_roots(t, aws, bucket, list(RUST_S3_ROOTS))
    r = aws.raw("GET", "/", "s3")
    t.check("ListBuckets root <ListAllMyBucketsResult>", local(xml_root(r).tag) == "ListAllMyBucketsResult", r.text[:200])
    r = aws.raw("GET", f"/{bucket}?object-lock", "s3")
    root = xml_root(r)
    ret = root.find(f"{{{S3_NS}}}Rule/{{{S3_NS}}}DefaultRetention")
    t.check("object lock: GOVERNANCE 365 days, no <Years>",
            ret is not None and child_text(ret, "Mode") == "GOVERNANCE" and child_text(ret, "Days") == "365"
            and child_text(ret, "Years") is None, r.text)
    enc = s3.get_bucket_encryption(Bucket="selftest-never-versioned")["ServerSideEncryptionConfiguration"]
    t.check("default bucket encryption is SSE-S3 (AES256)",
            enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", enc)
    lc = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    t.check("lifecycle: GLACIER after 90 days, expire after 2555",
            lc["Transitions"][0] == {"Days": 90, "StorageClass": "GLACIER"} and lc["Expiration"]["Days"] == 2555, lc)
    lg = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    t.check("server access logging to the access-logs bucket", lg["TargetBucket"] == access, lg)
    pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    t.check("bucket PAB all true", all(pab.values()) and len(pab) == 4, pab)
    s3.create_bucket(Bucket="selftest-log-target")
    s3.put_bucket_policy(Bucket="selftest-log-target", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::selftest-log-target", "arn:aws:s3:::selftest-log-target/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::selftest-log-target/*"}]}))
    t.check("PutBucketLogging to a target whose policy starts with a '*' principal statement",
            error_code(lambda: s3.put_bucket_logging(Bucket="selftest-never-versioned", BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": "selftest-log-target", "TargetPrefix": "p/"}})) == (None, None))
    acl = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    t.check("bucket ACL private (owner only)", len(acl) == 1 and acl[0]["Permission"] == "FULL_CONTROL", acl)

    # h. The SSL-only deny (has a Condition) must not block the scanner.
    pol = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    t.check("bucket policy has CloudTrail grants + SecureTransport deny",
            any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for s in pol["Statement"])
            and any(s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"} for s in pol["Statement"]), pol)
    t.check("HEAD on the SSL-only bucket -> 200", aws.raw("HEAD", f"/{bucket}", "s3").status_code == 200)

    # g. S3 Control account PAB, signed for "s3", both Host forms.
    for host in (f"127.0.0.1:{emu.port}", f"{ACCT}.127.0.0.1:{emu.port}"):
        r = aws.raw("GET", "/v20180820/configuration/publicAccessBlock", "s3",
                    headers={"x-amz-account-id": ACCT}, host=host)
        root = xml_root(r) if r.status_code == 200 else None
        t.check(f"s3control GetPublicAccessBlock (Host {host.split(':')[0]}) -> all true",
                root is not None and local(root.tag) == "PublicAccessBlockConfiguration"
                and all(child_text(root, k) == "true" for k in
                        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")),
                f"{r.status_code} {r.text[:300]}")

    # e/f. CloudTrail
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListTrails", {})
    t.check("ListTrails lists main-trail", status == 200 and data["Trails"] == [
        {"TrailARN": trail_arn, "Name": "main-trail", "HomeRegion": "us-east-1"}], data)
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrail", {"Name": "main-trail"})
    tr = data["Trail"]
    key_arn = out["kms_keys"]["trail"]["arn"]
    t.check("GetTrail: HomeRegion, KMS key ARN, CW Logs, SNS, validation, multi-region",
            tr["HomeRegion"] == "us-east-1" and tr["KmsKeyId"] == key_arn and tr["IsMultiRegionTrail"]
            and tr["LogFileValidationEnabled"] and tr["IncludeGlobalServiceEvents"]
            and tr["CloudWatchLogsLogGroupArn"] == out["log_groups"]["/trail/main"]["arn"]
            and tr["SnsTopicARN"] == out["sns_topics"]["trail-notifications"]["arn"], tr)
    t.check("GetTrail: HasCustomEventSelectors and HasInsightSelectors true",
            tr["HasCustomEventSelectors"] is True and tr["HasInsightSelectors"] is True, tr)
    t.check("GetTrail: no null members", all(v is not None for v in tr.values()), tr)
    status, st = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": trail_arn})
    now = time.time()
    t.check("GetTrailStatus: logging with fresh delivery, digest, CW Logs and SNS times",
            st["IsLogging"] is True
            and all(isinstance(st.get(k), (int, float)) and abs(st[k] - now) < 120 for k in
                    ("LatestDeliveryTime", "LatestDigestDeliveryTime", "LatestCloudWatchLogsDeliveryTime",
                     "LatestNotificationTime", "StartLoggingTime")), st)
    t.check("GetTrailStatus: no delivery errors",
            not any(k.endswith("Error") for k in st), st)
    status, es = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetEventSelectors", {"TrailName": "main-trail"})
    if advanced:
        adv = es.get("AdvancedEventSelectors") or []
        t.check("advanced selectors: Management + Data/AWS::S3::Object, no EventSelectors",
                "EventSelectors" not in es and len(adv) == 2
                and adv[0]["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]
                and {"Field": "resources.type", "Equals": ["AWS::S3::Object"]} in adv[1]["FieldSelectors"]
                and all(f["Field"] not in ("readOnly", "resources.ARN") for s in adv for f in s["FieldSelectors"]), es)
    else:
        sel = es.get("EventSelectors") or []
        t.check("classic selectors: All + mgmt + S3 objects, no AdvancedEventSelectors",
                "AdvancedEventSelectors" not in es and len(sel) == 1 and sel[0]["ReadWriteType"] == "All"
                and sel[0]["IncludeManagementEvents"] is True
                and sel[0]["DataResources"] == [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}], es)
    status, ins = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetInsightSelectors", {"TrailName": "main-trail"})
    t.check("insight selectors: ApiCallRate + ApiErrorRate",
            sorted(i["InsightType"] for i in ins["InsightSelectors"]) == ["ApiCallRateInsight", "ApiErrorRateInsight"], ins)
    # Shadow trail from another region: visible by ARN and in DescribeTrails, not by name.
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "DescribeTrails", {}, region="eu-west-1")
    t.check("DescribeTrails in eu-west-1 shows the multi-region shadow",
            [x["TrailARN"] for x in data["trailList"]] == [trail_arn] and data["trailList"][0]["HomeRegion"] == "us-east-1", data)
    status, _ = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": trail_arn}, region="eu-west-1")
    t.check("GetTrailStatus of the shadow by ARN from eu-west-1 -> 200", status == 200)
    ct_eu = aws.client("cloudtrail", "eu-west-1")
    t.check("GetTrailStatus of the shadow by name -> TrailNotFoundException",
            error_code(lambda: ct_eu.get_trail_status(Name="main-trail"))[0] == "TrailNotFoundException")

    # b. Account API
    r = aws.raw("POST", "/listRegions", "account", body=b"{}", headers={"Content-Type": "application/json"})
    data = r.json()
    regions = {x["RegionName"]: x["RegionOptStatus"] for x in data["Regions"]}
    t.check("account ListRegions raw: us-east-1 ENABLED_BY_DEFAULT, af-south-1 DISABLED",
            r.status_code == 200 and regions.get("us-east-1") == "ENABLED_BY_DEFAULT"
            and regions.get("af-south-1") == "DISABLED" and regions.get("me-south-1") == "DISABLED"
            and regions.get("eu-west-1") == "ENABLED_BY_DEFAULT" and "NextToken" not in data, data)
    t.check("account ListRegions JSON types", not shape_errors("account", "ListRegions", data))
    acc = aws.client("account")
    pages = [p["Regions"] for p in acc.get_paginator("list_regions").paginate(PaginationConfig={"PageSize": 10})]
    t.check("ListRegions paginates (MaxResults/NextToken)",
            len(pages) > 1 and sum(len(p) for p in pages) == len(regions), [len(p) for p in pages])
    dis = acc.list_regions(RegionOptStatusContains=["DISABLED"])["Regions"]
    t.check("ListRegions filter DISABLED -> only opt-in regions",
            dis and all(x["RegionOptStatus"] == "DISABLED" for x in dis) and "us-east-1" not in [x["RegionName"] for x in dis])
    acc.enable_region(RegionName="af-south-1")
    t.check("EnableRegion af-south-1 -> ENABLED",
            acc.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLED")
    acc.disable_region(RegionName="af-south-1")
    t.check("DisableRegion af-south-1 -> DISABLED",
            acc.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLED")
    t.check("DisableRegion us-east-1 -> ValidationException",
            error_code(lambda: acc.disable_region(RegionName="us-east-1")) == ("ValidationException", 400))

    # c. STS: nonexistent role, ExternalId condition
    r = aws.raw("POST", "/", "sts", body=(
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn="
        f"arn%3Aaws%3Aiam%3A%3A{ACCT}%3Arole%2Fdoes-not-exist").encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    root = xml_root(r)
    err = root.find("{https://sts.amazonaws.com/doc/2011-06-15/}Error")
    t.check("AssumeRole of a missing role: raw 403 AccessDenied",
            r.status_code == 403 and err is not None and child_text(err, "Code") == "AccessDenied"
            and "is not authorized to perform: sts:AssumeRole on resource: "
                f"arn:aws:iam::{ACCT}:role/does-not-exist" in (child_text(err, "Message") or ""), r.text)
    iam = aws.client("iam")
    iam.create_role(RoleName="selftest-vendor", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                       "Action": "sts:AssumeRole",
                       "Condition": {"StringEquals": {"sts:ExternalId": "expected-external-id"}}}]}))
    t.check("AssumeRole without the required ExternalId -> AccessDenied 403",
            error_code(lambda: aws.assume(ACCT, "selftest-vendor")) == ("AccessDenied", 403))
    t.check("AssumeRole with a wrong ExternalId -> AccessDenied 403",
            error_code(lambda: aws.assume(ACCT, "selftest-vendor", "wrong")) == ("AccessDenied", 403))
    t.check("AssumeRole with the right ExternalId succeeds",
            error_code(lambda: aws.assume(ACCT, "selftest-vendor", "expected-external-id")) == (None, None))
    iam.create_role(RoleName="selftest-service-only", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}))
    t.check("AssumeRole of a role trusting only a service -> AccessDenied",
            error_code(lambda: aws.assume(ACCT, "selftest-service-only"))[0] == "AccessDenied")

    # Other JSON services the scanner reads: member types match the models.
    kms_key = out["kms_keys"]["trail"]["key_id"]
    status, data = json_call(t, aws, "kms", "TrentService", "DescribeKey", {"KeyId": key_arn})
    t.check("KMS DescribeKey: enabled", status == 200 and data["KeyMetadata"]["KeyState"] == "Enabled", data)
    status, data = json_call(t, aws, "kms", "TrentService", "GetKeyRotationStatus", {"KeyId": kms_key})
    t.check("KMS rotation enabled", status == 200 and data["KeyRotationEnabled"] is True, data)
    status, data = json_call(t, aws, "logs", "Logs_20140328", "DescribeLogGroups", {"logGroupNamePrefix": "/trail/main"})
    t.check("Logs retention 365", status == 200 and data["logGroups"][0]["retentionInDays"] == 365, data)
    t.check("SNS topic exists", aws.client("sns").get_topic_attributes(
        TopicArn=out["sns_topics"]["trail-notifications"]["arn"])["Attributes"]["TopicArn"])


def t_compliant_advanced(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    t_compliant(t, emu, out, advanced=True)


def t_failing(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    s3 = aws.client("s3")
    ct = aws.client("cloudtrail")
    bucket = f"failing-trail-logs-{ACCT}"
    arns = {n: v["arn"] for n, v in out["trails"].items()}

    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListTrails", {})
    listed = {x["Name"]: x["HomeRegion"] for x in data["Trails"]}
    t.check("ListTrails (us-east-1) is account-wide: includes eu-west-1 orphan-trail",
            listed == {"bad-trail": "us-east-1", "excluding-trail": "us-east-1", "orphan-trail": "eu-west-1"}, listed)
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "DescribeTrails", {})
    t.check("DescribeTrails (us-east-1) excludes the single-region eu-west-1 trail",
            sorted(x["Name"] for x in data["trailList"]) == ["bad-trail", "excluding-trail"], data)

    status, st = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": "bad-trail"})
    t.check("bad-trail: not logging, stopped, no fresh delivery times",
            st["IsLogging"] is False and "StopLoggingTime" in st and "StartLoggingTime" in st
            and not any(k in st for k in ("LatestDeliveryTime", "LatestDigestDeliveryTime",
                                          "LatestCloudWatchLogsDeliveryTime", "LatestNotificationTime")), st)
    tr = ct.get_trail(Name="bad-trail")["Trail"]
    t.check("bad-trail: single-region, no validation, no KMS, no CW Logs, deleted topic still named",
            not tr["IsMultiRegionTrail"] and not tr["LogFileValidationEnabled"] and "KmsKeyId" not in tr
            and "CloudWatchLogsLogGroupArn" not in tr and tr.get("SnsTopicName") == "bad-trail-notifications", tr)
    topics = [x["TopicArn"] for x in aws.client("sns").list_topics()["Topics"]]
    t.check("bad-trail's SNS topic no longer exists", tr.get("SnsTopicARN") not in topics, topics)
    t.check("GetInsightSelectors without insights -> InsightNotEnabledException",
            error_code(lambda: ct.get_insight_selectors(TrailName="bad-trail"))[0] == "InsightNotEnabledException")
    es = ct.get_event_selectors(TrailName="bad-trail")
    t.check("untouched trail has AWS's default selector (all management events)",
            es.get("EventSelectors") == [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                          "DataResources": [], "ExcludeManagementEventSources": []}]
            and "AdvancedEventSelectors" not in es, es)

    status, st = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": "excluding-trail"})
    t.check("excluding-trail: disabled KMS key -> KMS.DisabledException, digests (SSE-S3) still delivered",
            st["IsLogging"] is True and st.get("LatestDeliveryError") == "KMS.DisabledException"
            and "LatestDeliveryTime" not in st and "LatestDigestDeliveryTime" in st
            and "LatestDigestDeliveryError" not in st, st)
    es = ct.get_event_selectors(TrailName="excluding-trail")["AdvancedEventSelectors"]
    t.check("excluding-trail: eventSource NotEquals kms.amazonaws.com",
            {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]} in es[0]["FieldSelectors"], es)
    kms = aws.client("kms")
    key = out["kms_keys"]["excluding-trail"]["arn"]
    t.check("excluding-trail key disabled, rotation off",
            kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
            and kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is False)

    status, st = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": "orphan-trail"}, region="eu-west-1")
    t.check("orphan-trail: LatestDeliveryError NoSuchBucket, no delivery time",
            st["IsLogging"] is True and st.get("LatestDeliveryError") == "NoSuchBucket" and "LatestDeliveryTime" not in st, st)
    r = aws.raw("HEAD", f"/orphan-trail-logs-{ACCT}", "s3")
    t.check("orphan bucket: HEAD -> 404 with empty body", r.status_code == 404 and r.text == "", r.status_code)

    r = aws.raw("GET", f"/{bucket}?versioning", "s3")
    root = xml_root(r)
    t.check("failing bucket: versioning never set -> empty VersioningConfiguration",
            local(root.tag) == "VersioningConfiguration" and len(root) == 0, r.text)
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    t.check("failing bucket ACL grants READ to AllUsers",
            any(g["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers" and g["Permission"] == "READ"
                for g in grants), grants)
    t.check("failing bucket: no PAB -> NoSuchPublicAccessBlockConfiguration",
            error_code(lambda: s3.get_public_access_block(Bucket=bucket))[0] == "NoSuchPublicAccessBlockConfiguration")
    t.check("failing bucket: no logging",
            "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket))
    t.check("failing bucket: no object lock",
            error_code(lambda: s3.get_object_lock_configuration(Bucket=bucket))[0] == "ObjectLockConfigurationNotFoundError")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    t.check("failing bucket: lifecycle expires after 30 days", rules[0]["Expiration"]["Days"] == 30, rules)
    pol = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    t.check("failing bucket: no SSL-only deny", all(s["Effect"] == "Allow" for s in pol["Statement"]), pol)
    r = aws.raw("GET", "/v20180820/configuration/publicAccessBlock", "s3", headers={"x-amz-account-id": ACCT})
    t.check("no account-level PAB -> 404 NoSuchPublicAccessBlockConfiguration",
            r.status_code == 404 and "NoSuchPublicAccessBlockConfiguration" in r.text, r.text)
    t.check("delete of an unknown trail -> TrailNotFoundException",
            error_code(lambda: ct.delete_trail(Name="no-such-trail"))[0] == "TrailNotFoundException")
    t.check("StopLogging from a non-home region -> InvalidHomeRegionException",
            error_code(lambda: aws.client("cloudtrail", "us-west-2").stop_logging(Name=arns["excluding-trail"]))[0]
            == "InvalidHomeRegionException")


def t_org(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    acc = out["accounts"]
    org_trail = out["trails"]["org-trail"]["arn"]
    t.check("org trail ARN carries the management account id", f":{ACCT}:trail/org-trail" in org_trail, org_trail)
    t.check("organization has 5 accounts",
            len(aws.client("organizations").list_accounts()["Accounts"]) == 5)

    # c. member-norole cannot be entered.
    norole = acc["member-norole"]["id"]
    r = aws.raw("POST", "/", "sts", body=(
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=scan&RoleArn="
        f"arn%3Aaws%3Aiam%3A%3A{norole}%3Arole%2F{ORG_ROLE}").encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    t.check("AssumeRole into member-norole -> raw 403 AccessDenied",
            r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
            and f"on resource: arn:aws:iam::{norole}:role/{ORG_ROLE}" in r.text, r.text)
    t.check("boto3 AssumeRole into member-norole -> AccessDenied",
            error_code(lambda: aws.assume(norole)) == ("AccessDenied", 403))

    # d. OrganizationAccountAccessRole with AdministratorAccess
    ma = aws.assume(acc["member-a"]["id"])
    role = ma.client("iam").get_role(RoleName=ORG_ROLE)["Role"]
    attached = ma.client("iam").list_attached_role_policies(RoleName=ORG_ROLE)["AttachedPolicies"]
    t.check("member role trusts the management account and has AdministratorAccess",
            f"arn:aws:iam::{ACCT}:root" in json.dumps(role["AssumeRolePolicyDocument"])
            and [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"], (role, attached))
    ident = ma.client("sts").get_caller_identity()
    t.check("assumed credentials act in member-a", ident["Account"] == acc["member-a"]["id"], ident)

    # e. Member accounts see the org trail.
    status, data = json_call(t, ma, "cloudtrail", CT_PREFIX, "ListTrails", {})
    t.check("ListTrails in member-a shows only the org trail (management account ARN)",
            status == 200 and data["Trails"] == [{"TrailARN": org_trail, "Name": "org-trail", "HomeRegion": "us-east-1"}], data)
    status, data = json_call(t, ma, "cloudtrail", CT_PREFIX, "GetTrail", {"Name": org_trail})
    t.check("member-a GetTrail(org ARN): IsOrganizationTrail", status == 200 and data["Trail"]["IsOrganizationTrail"] is True, data)
    status, st = json_call(t, ma, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": org_trail})
    t.check("member-a GetTrailStatus(org ARN): logging, delivered, digests delivered",
            status == 200 and st["IsLogging"] is True and "LatestDeliveryTime" in st
            and "LatestDigestDeliveryTime" in st and not any(k.endswith("Error") for k in st), st)
    status, _ = json_call(t, ma, "cloudtrail", CT_PREFIX, "GetEventSelectors", {"TrailName": org_trail})
    t.check("member-a GetEventSelectors(org ARN) -> 200", status == 200)
    status, data = json_call(t, ma, "cloudtrail", CT_PREFIX, "GetInsightSelectors", {"TrailName": org_trail})
    t.check("member-a GetInsightSelectors(org ARN) -> InsightNotEnabledException",
            status == 400 and data.get("__type") == "InsightNotEnabledException", data)
    status, _ = json_call(t, ma, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": org_trail}, region="ap-southeast-2")
    t.check("member-a GetTrailStatus(org ARN) from another region -> 200 (multi-region)", status == 200)
    t.check("member-a GetTrail by bare name 'org-trail' -> TrailNotFoundException",
            error_code(lambda: ma.client("cloudtrail").get_trail(Name="org-trail"))[0] == "TrailNotFoundException")
    status, data = json_call(t, ma, "cloudtrail", CT_PREFIX, "DescribeTrails", {})
    t.check("member-a DescribeTrails includes the org trail",
            [x["TrailARN"] for x in data["trailList"]] == [org_trail], data)
    mb = aws.assume(acc["member-b"]["id"])
    listed = mb.client("cloudtrail").list_trails()["Trails"]
    t.check("member-b ListTrails: org trail + its own us-west-2 trail",
            sorted((x["Name"], x["HomeRegion"]) for x in listed) == [("member-b-local", "us-west-2"), ("org-trail", "us-east-1")], listed)
    listed = aws.client("cloudtrail").list_trails()["Trails"]
    t.check("management ListTrails: only its own org trail", [x["Name"] for x in listed] == ["org-trail"], listed)
    t.check("a member cannot create an organization trail",
            error_code(lambda: ma.client("cloudtrail").create_trail(
                Name="rogue", S3BucketName=out["trails"]["org-trail"]["bucket"], IsOrganizationTrail=True))[0]
            == "NotOrganizationMasterAccountException")

    # KMS: the org trail's key, named by ARN from a member account.
    key_arn = out["trails"]["org-trail"]["kms_key_arn"]
    status, data = json_call(t, ma, "kms", "TrentService", "DescribeKey", {"KeyId": key_arn})
    t.check("member-a DescribeKey(management key ARN) -> AccessDeniedException (key policy grants nothing)",
            status == 400 and data.get("__type") == "AccessDeniedException"
            and "is not authorized to perform: kms:DescribeKey" in data.get("message", ""), data)
    status, data = json_call(t, aws, "kms", "TrentService", "GetKeyRotationStatus", {"KeyId": key_arn})
    t.check("management GetKeyRotationStatus(org key) -> enabled", status == 200 and data["KeyRotationEnabled"] is True, data)
    status, data = json_call(t, ma, "kms", "TrentService", "DescribeKey",
                             {"KeyId": f"arn:aws:kms:us-east-1:{ACCT}:key/00000000-0000-0000-0000-000000000000"})
    t.check("member-a DescribeKey(missing foreign key) -> NotFoundException",
            status == 400 and data.get("__type") == "NotFoundException", data)

    # Organizations answers parse strictly.
    for op, params in (("DescribeOrganization", {}), ("ListAccounts", {}), ("ListRoots", {}),
                       ("DescribeAccount", {"AccountId": acc["member-a"]["id"]})):
        status, data = json_call(t, aws, "organizations", "AWSOrganizationsV20161128", op, params)
        t.check(f"organizations {op} -> 200", status == 200, data)
    status, data = json_call(t, ma, "organizations", "AWSOrganizationsV20161128", "DescribeOrganization", {})
    t.check("member-a DescribeOrganization names the management account",
            status == 200 and data["Organization"]["MasterAccountId"] == ACCT, data)

    # i. Cross-account S3
    bucket = out["trails"]["org-trail"]["bucket"]
    r = aws.raw("HEAD", f"/{bucket}", "s3")
    t.check("HeadBucket on the log-archive bucket from management -> 403, empty body",
            r.status_code == 403 and r.text == "", (r.status_code, r.text))
    r = aws.raw("GET", f"/{bucket}?versioning", "s3")
    t.check("GetBucketVersioning cross-account -> 403 AccessDenied XML",
            r.status_code == 403 and child_text(xml_root(r), "Code") == "AccessDenied", r.text)
    r = aws.raw("HEAD", "/no-account-has-this-bucket", "s3")
    t.check("HeadBucket of a bucket no account has -> 404", r.status_code == 404 and r.text == "", r.status_code)
    t.check("boto3 head_bucket cross-account -> 403",
            error_code(lambda: aws.client("s3").head_bucket(Bucket=bucket))[1] == 403)
    la = aws.assume(acc["log-archive"]["id"])
    r = la.raw("GET", f"/{bucket}?versioning", "s3")
    t.check("owner (log-archive) reads versioning -> Enabled",
            r.status_code == 200 and child_text(xml_root(r), "Status") == "Enabled", r.text)
    mgmt_buckets = [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    la_buckets = [b["Name"] for b in la.client("s3").list_buckets()["Buckets"]]
    t.check("ListBuckets lists only the caller account's buckets",
            bucket not in mgmt_buckets and la_buckets == [bucket], (mgmt_buckets, la_buckets))
    r = ma.raw("GET", "/v20180820/configuration/publicAccessBlock", "s3",
               headers={"x-amz-account-id": acc["member-a"]["id"]}, host=f"{acc['member-a']['id']}.127.0.0.1:{emu.port}")
    t.check("member-a s3control GetPublicAccessBlock (assumed creds) -> 404 (none set)",
            r.status_code == 404 and "NoSuchPublicAccessBlockConfiguration" in r.text, r.text)
    r = aws.raw("POST", "/listRegions", "account", body=json.dumps({"AccountId": acc["member-a"]["id"]}).encode(),
                headers={"Content-Type": "application/json"})
    t.check("management ListRegions for a member (AccountId) -> 200", r.status_code == 200 and r.json()["Regions"], r.text)
    r = ma.raw("POST", "/listRegions", "account", body=json.dumps({"AccountId": acc["member-b"]["id"]}).encode(),
               headers={"Content-Type": "application/json"})
    t.check("member ListRegions for another member -> 403 AccessDeniedException",
            r.status_code == 403 and r.headers.get("x-amzn-ErrorType") == "AccessDeniedException", (r.status_code, r.text))


def t_unreadable(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    bucket = f"locked-trail-logs-{ACCT}"
    for sub in ("versioning", "acl", "logging", "lifecycle", "object-lock", "publicAccessBlock",
                "policyStatus", "location", "encryption"):
        r = aws.raw("GET", f"/{bucket}?{sub}", "s3")
        t.check(f"GET {sub} on the locked bucket -> 403 AccessDenied",
                r.status_code == 403 and child_text(xml_root(r), "Code") == "AccessDenied", (r.status_code, r.text[:200]))
    t.check("boto3 get_bucket_versioning -> AccessDenied 403",
            error_code(lambda: aws.client("s3").get_bucket_versioning(Bucket=bucket)) == ("AccessDenied", 403))
    r = aws.raw("GET", f"/{bucket}?policy", "s3")
    t.check("GetBucketPolicy by the account root still works (AWS anti-lockout rule)", r.status_code == 200, r.status_code)
    r = aws.raw("HEAD", f"/{bucket}", "s3")
    t.check("HEAD (s3:ListBucket, not denied by s3:Get*) -> 200", r.status_code == 200, r.status_code)
    s3 = aws.client("s3")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    t.check("writes are never enforced (PutBucketTagging succeeded)", True)
    r = aws.raw("GET", f"/{bucket}?tagging", "s3")
    t.check("...but GetBucketTagging is denied", r.status_code == 403, r.status_code)
    st = aws.client("cloudtrail").get_trail_status(Name="locked-trail")
    t.check("locked-trail still delivers (bucket exists)", st["IsLogging"] and "LatestDeliveryTime" in st, st)


def t_demo(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    acc = out["accounts"]
    t.check("demo has management + 5 accounts", sorted(acc) == sorted(
        ["management", "log-archive", "security-tooling", "prod-payments", "dev-sandbox", "legacy-analytics"]), sorted(acc))
    pay = aws.assume(acc["prod-payments"]["id"])
    st = pay.client("account").get_region_opt_status(RegionName="eu-south-1")["RegionOptStatus"]
    t.check("prod-payments enabled eu-south-1", st == "ENABLED", st)
    t.check("other accounts keep eu-south-1 disabled",
            aws.client("account").get_region_opt_status(RegionName="eu-south-1")["RegionOptStatus"] == "DISABLED")
    t.check("legacy-analytics cannot be assumed",
            error_code(lambda: aws.assume(acc["legacy-analytics"]["id"]))[0] == "AccessDenied")
    dev = aws.assume(acc["dev-sandbox"]["id"])
    names = sorted(x["Name"] for x in dev.client("cloudtrail").list_trails()["Trails"])
    t.check("dev-sandbox sees org-trail + sandbox-debug-trail", names == ["org-trail", "sandbox-debug-trail"], names)
    st = aws.client("cloudtrail").get_trail_status(Name="org-trail")
    t.check("org trail delivers to CloudWatch Logs", "LatestCloudWatchLogsDeliveryTime" in st, st)


SCENARIO_TESTS: list[tuple[str, Callable[[Results, Emulator, dict[str, Any]], None]]] = [
    ("compliant", t_compliant),
    ("compliant-advanced", t_compliant_advanced),
    ("failing", t_failing),
    ("org", t_org),
    ("unreadable-bucket", t_unreadable),
    ("demo", t_demo),
]


def main() -> int:
    parser = argparse.ArgumentParser(description="Self-test of the AWS emulator harness.")
    parser.add_argument("-k", default="", help="only scenarios whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = parser.parse_args()
    t = Results(args.verbose)
    seeded_demo: list[dict[str, Any]] = []
    for name, fn in SCENARIO_TESTS:
        if args.k not in name:
            continue
        t.scope = name
        emu = None
        try:
            emu = Emulator()
            out, seconds = emu.seed(name)
            TIMINGS[f"startup:{name}"] = emu.startup
            TIMINGS[f"seed:{name}"] = seconds
            if name == "demo":
                seeded_demo.append(out)
            fn(t, emu, out)
        except Exception as exc:  # noqa: BLE001
            t.check("scenario ran without exception", False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        finally:
            if emu is not None:
                check_launcher_stdout(t, emu.stop())
    if seeded_demo:
        # Determinism: a second fresh emulator seeded with demo gives the same ids.
        t.scope = "demo"
        emu = Emulator()
        try:
            # Reads before seeding (a readiness probe, say) must not shift generated ids.
            probe = Aws(emu.endpoint)
            probe.client("s3").list_buckets()
            probe.client("cloudtrail").list_trails()
            probe.raw("HEAD", "/probe-bucket", "s3")
            again, _ = emu.seed("demo")
        finally:
            emu.stop()
        strip = lambda d: {k: v for k, v in d.items() if k != "endpoint"}  # noqa: E731
        t.check("demo seeding is deterministic across fresh emulators (reads before seeding)",
                strip(again) == strip(seeded_demo[0]))
    for k, v in TIMINGS.items():
        print(f"timing {k}: {v:.2f}s", file=sys.stderr)
    failed = len(t.failed)
    print(f"{t.passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
