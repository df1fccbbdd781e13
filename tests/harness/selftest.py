#!/usr/bin/env python3
"""Self-test of the AWS emulator harness (moto_launcher.py + seed.py).

Usage:
    .venv/bin/python tests/harness/selftest.py [-k SUBSTRING] [-v]

For each scenario: starts a fresh launcher on a free loopback port, seeds the scenario,
then checks with boto3 AND raw SigV4-signed HTTP that the patched behaviours answer as
AWS does (XML roots and elements the Rust SDK validates, JSON member types against the
botocore service models, status codes and error codes). Prints one line per check and
closes with "N passed, M failed"; exits 1 if anything failed. The scope "proxy" (run unless -k
excludes it) checks fault_proxy.py in front of a fresh emulator (proxy_selftest.py).
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
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import boto3
import botocore.session
import cbor2
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


from local_only import isolate_from_real_aws  # noqa: E402 (the harness directory is on sys.path)

isolate_from_real_aws()

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

    def __init__(self, extra_args: list[str] | None = None) -> None:
        t0 = time.time()
        self.stderr = open(os.devnull, "w") if not os.environ.get("SELFTEST_LAUNCHER_LOG") else open(
            os.environ["SELFTEST_LAUNCHER_LOG"], "a")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "moto_launcher.py"), "--port", "0", *(extra_args or [])],
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


# --------------------------------------------------------------------------------------
# CloudWatch over Smithy RPC v2 CBOR (patch l), SNS confirmation (m), metric filters (n)
# --------------------------------------------------------------------------------------

CW_RPC_PATH = "/service/GraniteServiceVersion20100801/operation/"
LOGS_PREFIX = "Logs_20140328"


def cbor_call(aws: Aws, op: str, params: dict[str, Any] | None, region: str = "us-east-1",
              headers: dict[str, str] | None = None) -> tuple[requests.Response, Any]:
    """A raw, signed rpcv2Cbor request as the Rust aws-sdk-cloudwatch sends it."""
    body = cbor2.dumps(params) if params is not None else b""
    hdrs = {"Smithy-Protocol": "rpc-v2-cbor", "Accept": "application/cbor"}
    if params is not None:
        hdrs["Content-Type"] = "application/cbor"
    hdrs.update(headers or {})
    resp = aws.raw("POST", CW_RPC_PATH + op, "monitoring", body=body, headers=hdrs, region=region)
    try:
        data = cbor2.loads(resp.content) if resp.content else None
    except Exception:  # noqa: BLE001
        data = None
    return resp, data


def cbor_client(endpoint: str, region: str = "us-east-1") -> Any:
    """A botocore CloudWatch client forced onto smithy-rpc-v2-cbor (boto3 picks awsJson):
    a second, independent CBOR client (botocore's own encoder/parser) to read the answers."""
    import copy

    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    orig = loader.load_service_model

    def load(service_name: str, type_name: str, api_version: str | None = None) -> Any:
        data = orig(service_name, type_name, api_version)
        if service_name == "cloudwatch" and type_name == "service-2":
            data = copy.deepcopy(data)
            data["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
            data["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
        return data

    loader.load_service_model = load
    return session.create_client("cloudwatch", endpoint_url=endpoint, region_name=region,
                                 aws_access_key_id="testing", aws_secret_access_key="testing",
                                 config=Config(retries={"max_attempts": 1}))


def cbor_key_followed_by(body: bytes, key: str, head: bytes) -> bool:
    """Does the CBOR text key `key` appear directly followed by bytes `head`?"""
    return cbor2.dumps(key) + head in body


def check_cbor_cloudwatch(t: Results, emu: Emulator, seeded_alarms: list[str]) -> None:
    aws = Aws(emu.endpoint)
    cw = aws.client("cloudwatch")
    sent: list[dict[str, Any]] = []
    cw.meta.events.register("before-send", lambda request, **_: sent.append(dict(request.headers)))
    topic = f"arn:aws:sns:us-east-1:{ACCT}:selftest-alarms"
    cw.put_metric_alarm(
        AlarmName="selftest-json-alarm", MetricName="SelftestMetric", Namespace="Selftest/NS",
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
        Dimensions=[{"Name": "Trail", "Value": "cis-trail"}],
    )
    target = (sent[0].get("X-Amz-Target") or b"") if sent else b""
    target = target.decode() if isinstance(target, bytes) else target
    t.check("boto3 put_metric_alarm goes out as awsJson1.0 (not CBOR)",
            target == "GraniteServiceVersion20100801.PutMetricAlarm", sent[:1])

    r, data = cbor_call(aws, "DescribeAlarms", {"AlarmNames": ["selftest-json-alarm"]})
    t.check("CBOR DescribeAlarms -> 200", r.status_code == 200, (r.status_code, r.content[:200]))
    t.check("CBOR answer: Smithy-Protocol: rpc-v2-cbor, Content-Type: application/cbor",
            r.headers.get("Smithy-Protocol") == "rpc-v2-cbor" and r.headers.get("Content-Type") == "application/cbor",
            dict(r.headers))
    t.check("CBOR answer carries x-amzn-RequestId", bool(r.headers.get("x-amzn-RequestId")), dict(r.headers))
    alarms = (data or {}).get("MetricAlarms") or []
    a = alarms[0] if len(alarms) == 1 else {}
    t.check("CBOR DescribeAlarms returns the alarm boto3 created (shared state)",
            a.get("AlarmName") == "selftest-json-alarm", data)
    t.check("CBOR alarm: AlarmActions", a.get("AlarmActions") == [topic], a.get("AlarmActions"))
    t.check("CBOR alarm: MetricName / Namespace",
            (a.get("MetricName"), a.get("Namespace")) == ("SelftestMetric", "Selftest/NS"), a)
    t.check("CBOR alarm: Dimensions", a.get("Dimensions") == [{"Name": "Trail", "Value": "cis-trail"}], a.get("Dimensions"))
    t.check("CBOR alarm: AlarmArn in us-east-1",
            a.get("AlarmArn") == f"arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:selftest-json-alarm", a.get("AlarmArn"))
    for key in ("StateUpdatedTimestamp", "AlarmConfigurationUpdatedTimestamp"):
        t.check(f"CBOR {key} is tag 1 around a double (c1 fb)",
                cbor_key_followed_by(r.content, key, b"\xc1\xfb") and isinstance(a.get(key), datetime),
                r.content.hex()[:120])
    t.check("CBOR Threshold is a double (fb), Period an integer",
            cbor_key_followed_by(r.content, "Threshold", b"\xfb") and cbor_key_followed_by(r.content, "Period", cbor2.dumps(300)))
    t.check("CBOR ActionsEnabled is a CBOR boolean", cbor_key_followed_by(r.content, "ActionsEnabled", b"\xf5"))
    t.check("no CompositeAlarms in a default (MetricAlarm) query", (data or {}).get("CompositeAlarms") in ([], None), data)

    # PutMetricAlarm over CBOR (unit output: 200, no body, no Content-Type), in us-west-2.
    r, _ = cbor_call(aws, "PutMetricAlarm", {
        "AlarmName": "selftest-west-alarm", "MetricName": "SelftestMetric", "Namespace": "Selftest/NS",
        "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": [topic.replace("us-east-1", "us-west-2")],
        "Dimensions": [{"Name": "Trail", "Value": "cis-trail"}],
    }, region="us-west-2")
    t.check("CBOR PutMetricAlarm -> 200, empty body, no Content-Type, Smithy-Protocol set",
            r.status_code == 200 and r.content == b"" and "Content-Type" not in r.headers
            and r.headers.get("Smithy-Protocol") == "rpc-v2-cbor", (r.status_code, dict(r.headers), r.content[:100]))
    west = aws.client("cloudwatch", "us-west-2").describe_alarms(AlarmNames=["selftest-west-alarm"])["MetricAlarms"]
    t.check("boto3 sees the CBOR-created alarm in us-west-2",
            len(west) == 1 and west[0]["AlarmArn"] == f"arn:aws:cloudwatch:us-west-2:{ACCT}:alarm:selftest-west-alarm", west)
    _, east = cbor_call(aws, "DescribeAlarms", {"AlarmNamePrefix": "selftest-"})
    t.check("region isolation: us-east-1 DescribeAlarms does not list the us-west-2 alarm",
            [x["AlarmName"] for x in east["MetricAlarms"]] == ["selftest-json-alarm"], east)
    _, westd = cbor_call(aws, "DescribeAlarms", {"AlarmNamePrefix": "selftest-"}, region="us-west-2")
    t.check("region isolation: us-west-2 lists only its alarm",
            [x["AlarmName"] for x in westd["MetricAlarms"]] == ["selftest-west-alarm"], westd)
    metric_q = {"MetricName": "SelftestMetric", "Namespace": "Selftest/NS",
                "Dimensions": [{"Name": "Trail", "Value": "cis-trail"}]}
    _, e1 = cbor_call(aws, "DescribeAlarmsForMetric", metric_q)
    _, w1 = cbor_call(aws, "DescribeAlarmsForMetric", metric_q, region="us-west-2")
    t.check("DescribeAlarmsForMetric is per region",
            [x["AlarmName"] for x in e1["MetricAlarms"]] == ["selftest-json-alarm"]
            and [x["AlarmName"] for x in w1["MetricAlarms"]] == ["selftest-west-alarm"], (e1, w1))

    # DescribeAlarmsForMetric: exact dimension set, Statistic, Period.
    _, nodim = cbor_call(aws, "DescribeAlarmsForMetric", {"MetricName": "SelftestMetric", "Namespace": "Selftest/NS"})
    t.check("DescribeAlarmsForMetric without Dimensions does not match a dimensioned alarm",
            nodim == {"MetricAlarms": []}, nodim)
    _, stat = cbor_call(aws, "DescribeAlarmsForMetric", dict(metric_q, Statistic="Sum", Period=300))
    _, wrong = cbor_call(aws, "DescribeAlarmsForMetric", dict(metric_q, Statistic="Average"))
    _, wrongp = cbor_call(aws, "DescribeAlarmsForMetric", dict(metric_q, Period=60))
    t.check("DescribeAlarmsForMetric Statistic/Period filter",
            len(stat["MetricAlarms"]) == 1 and wrong["MetricAlarms"] == [] and wrongp["MetricAlarms"] == [],
            (stat, wrong, wrongp))

    # DescribeAlarms filters combine; AlarmTypes; paging.
    for i in range(3):
        cw.put_metric_alarm(AlarmName=f"page-{i}", MetricName="P", Namespace="Selftest/NS", Statistic="Sum",
                            Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                            AlarmActions=[topic] if i != 1 else [f"arn:aws:sns:us-east-1:{ACCT}:other"])
    cw.set_alarm_state(AlarmName="page-2", StateValue="ALARM", StateReason="selftest")
    cw.put_composite_alarm(AlarmName="page-composite", AlarmRule='ALARM("page-0")')
    _, r1 = cbor_call(aws, "DescribeAlarms", {"AlarmNamePrefix": "page-", "StateValue": "ALARM"})
    t.check("AlarmNamePrefix + StateValue combine", [x["AlarmName"] for x in r1["MetricAlarms"]] == ["page-2"], r1)
    _, r2 = cbor_call(aws, "DescribeAlarms", {"AlarmNamePrefix": "page-", "ActionPrefix": topic})
    t.check("AlarmNamePrefix + ActionPrefix combine",
            [x["AlarmName"] for x in r2["MetricAlarms"]] == ["page-0", "page-2"], r2)
    _, r3 = cbor_call(aws, "DescribeAlarms", {"AlarmNames": ["page-0", "page-1", "missing"], "ActionPrefix": topic})
    t.check("AlarmNames + ActionPrefix combine", [x["AlarmName"] for x in r3["MetricAlarms"]] == ["page-0"], r3)
    _, r4 = cbor_call(aws, "DescribeAlarms", {"AlarmTypes": ["CompositeAlarm"]})
    t.check("AlarmTypes=[CompositeAlarm] lists the composite alarm only",
            [x["AlarmName"] for x in r4.get("CompositeAlarms", [])] == ["page-composite"] and r4.get("MetricAlarms") == [], r4)
    pages, token, guard = [], None, 0
    while guard < 40:
        guard += 1
        params: dict[str, Any] = {"MaxRecords": 2, "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
        if token:
            params["NextToken"] = token
        _, page = cbor_call(aws, "DescribeAlarms", params)
        pages.append(sorted(x["AlarmName"] for x in page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])))
        token = page.get("NextToken")
        if not token:
            break
    flat = [n for p in pages for n in p]
    t.check("MaxRecords/NextToken page through every alarm once, by name",
            all(len(p) <= 2 for p in pages) and flat == sorted(flat)
            and sorted(flat) == sorted(["page-0", "page-1", "page-2", "page-composite", "selftest-json-alarm"]
                                       + seeded_alarms), pages)
    r, bad = cbor_call(aws, "DescribeAlarms", {"NextToken": "not-a-token"})
    t.check("invalid NextToken -> 400 com.amazonaws.cloudwatch#InvalidNextToken",
            r.status_code == 400 and (bad or {}).get("__type") == "com.amazonaws.cloudwatch#InvalidNextToken", (r.status_code, bad))
    r, both = cbor_call(aws, "DescribeAlarms", {"AlarmNames": ["a"], "AlarmNamePrefix": "a"})
    t.check("AlarmNames + AlarmNamePrefix -> 400 InvalidParameterCombination",
            r.status_code == 400 and "InvalidParameterCombinationException" in str((both or {}).get("__type")), both)

    # The Query protocol (XML) goes through the same patched handlers.
    r = aws.raw("POST", "/", "monitoring", body=b"Action=DescribeAlarms&Version=2010-08-01&AlarmNamePrefix=page-"
                b"&StateValue=ALARM&AlarmTypes.member.1=MetricAlarm&MaxRecords=5",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    names = re.findall(r"<AlarmName>([^<]+)</AlarmName>", r.text)
    t.check("Query DescribeAlarms: same combined filters (XML)", r.status_code == 200 and names == ["page-2"], r.text[:300])

    # Errors.
    r, err = cbor_call(aws, "NoSuchOperation", {})
    t.check("unknown operation -> 404 CBOR error with __type",
            r.status_code == 404 and r.headers.get("Smithy-Protocol") == "rpc-v2-cbor"
            and r.headers.get("Content-Type") == "application/cbor"
            and (err or {}).get("__type") == "com.amazon.coral.service#UnknownOperationException"
            and isinstance((err or {}).get("message"), str), (r.status_code, dict(r.headers), err))
    r, err = cbor_call(aws, "DeleteAlarms", {"AlarmNames": ["selftest-json-alarm", "does-not-exist"]})
    t.check("DeleteAlarms of a missing alarm -> 404 ResourceNotFound, x-amzn-query-error",
            r.status_code == 404 and (err or {}).get("__type") == "com.amazonaws.cloudwatch#ResourceNotFound"
            and r.headers.get("x-amzn-query-error") == "ResourceNotFound;Sender", (r.status_code, dict(r.headers), err))
    t.check("...and deletes nothing (all or nothing)",
            len(cw.describe_alarms(AlarmNames=["selftest-json-alarm"])["MetricAlarms"]) == 1)
    r, err = cbor_call(aws, "DescribeAlarms", {"StateValue": "BROKEN"})
    t.check("validation error -> 400 com.amazonaws.cloudwatch#ValidationException",
            r.status_code == 400 and (err or {}).get("__type") == "com.amazonaws.cloudwatch#ValidationException", err)
    r, err = cbor_call(aws, "DescribeAlarms", {}, headers={"Smithy-Protocol": "rpc-v2-json"})
    t.check("wrong Smithy-Protocol -> 400", r.status_code == 400 and "__type" in (err or {}), (r.status_code, err))
    r, err = cbor_call(aws, "DescribeAlarms", {}, headers={"X-Amz-Target": "GraniteServiceVersion20100801.DescribeAlarms"})
    t.check("rpcv2Cbor request with X-Amz-Target is rejected (400)", r.status_code == 400, r.status_code)
    resp = aws.raw("POST", CW_RPC_PATH + "DescribeAlarms", "monitoring", body=b"\xff\x00",
                   headers={"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"})
    t.check("malformed CBOR body -> 400 SerializationException",
            resp.status_code == 400 and "SerializationException" in cbor2.loads(resp.content).get("__type", ""), resp.status_code)
    import gzip

    resp = aws.raw("POST", CW_RPC_PATH + "DescribeAlarms", "monitoring",
                   body=gzip.compress(cbor2.dumps({"AlarmNames": ["page-0"]})),
                   headers={"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                            "Content-Encoding": "gzip"})
    t.check("gzip-compressed CBOR request body (requestCompression) is accepted",
            resp.status_code == 200 and [x["AlarmName"] for x in cbor2.loads(resp.content)["MetricAlarms"]] == ["page-0"],
            resp.status_code)
    r, _ = cbor_call(aws, "DeleteAlarms", {"AlarmNames": ["page-1"]})
    t.check("CBOR DeleteAlarms -> 200 empty body", r.status_code == 200 and r.content == b"", (r.status_code, r.content))
    r, data = cbor_call(aws, "DescribeAlarms", None)
    t.check("DescribeAlarms with no body at all -> 200",
            r.status_code == 200 and "page-1" not in [x["AlarmName"] for x in data["MetricAlarms"]], (r.status_code, data))
    # Accept the absolute service shape id in the path (Smithy RPC v2 SHOULD).
    resp = aws.raw("POST", "/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/DescribeAlarms",
                   "monitoring", body=cbor2.dumps({}), headers={"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"})
    t.check("absolute service id in the path is accepted", resp.status_code == 200, resp.status_code)

    # A second CBOR client implementation: botocore's own rpcv2Cbor serializer/parser.
    bc = cbor_client(emu.endpoint)
    got = bc.describe_alarms(AlarmNames=["selftest-json-alarm"])["MetricAlarms"]
    t.check("botocore's CBOR client parses DescribeAlarms (timestamps as datetimes)",
            len(got) == 1 and isinstance(got[0]["StateUpdatedTimestamp"], datetime) and got[0]["Threshold"] == 1.0, got)
    bc.put_metric_alarm(AlarmName="selftest-botocore-cbor", MetricName="M", Namespace="Selftest/NS", Statistic="Sum",
                        Period=60, EvaluationPeriods=1, Threshold=2.5, ComparisonOperator="GreaterThanThreshold")
    t.check("botocore CBOR PutMetricAlarm visible to boto3 JSON",
            cw.describe_alarms(AlarmNames=["selftest-botocore-cbor"])["MetricAlarms"][0]["Threshold"] == 2.5)
    code = error_code(lambda: bc.delete_alarms(AlarmNames=["nope"]))
    t.check("botocore CBOR client reads the error code", code == ("ResourceNotFound", 404), code)


def check_request_counter(t: Results, emu: Emulator) -> None:
    aws = Aws(emu.endpoint)
    requests.get(emu.endpoint + "/_trailwarden/requests", timeout=10)  # reset
    cbor_call(aws, "DescribeAlarms", {})
    cbor_call(aws, "DescribeAlarms", {"MaxRecords": 1})
    cbor_call(aws, "DescribeAlarmsForMetric", {"MetricName": "m", "Namespace": "n"})
    aws.client("cloudwatch").describe_alarms()
    counts = requests.get(emu.endpoint + "/_trailwarden/requests", timeout=10).json()
    t.check("--count-requests counts CBOR calls by operation (monitoring:DescribeAlarms)",
            counts.get("monitoring:DescribeAlarms") == 3 and counts.get("monitoring:DescribeAlarmsForMetric") == 1,
            counts)


def check_sns_confirmation(t: Results, emu: Emulator, topic_arn: str, confirmed_arn: str) -> None:
    import hashlib

    aws = Aws(emu.endpoint)
    sns = aws.client("sns")
    subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    t.check("seeded topic: one e-mail subscription, confirmed (real ARN listed)",
            [(s["Protocol"], s["SubscriptionArn"]) for s in subs] == [("email", confirmed_arn)], subs)
    r = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="oncall@example.com")
    t.check("Subscribe e-mail -> SubscriptionArn 'pending confirmation'", r["SubscriptionArn"] == "pending confirmation", r)
    subs = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]}
    t.check("ListSubscriptionsByTopic: pending one shows 'PendingConfirmation'",
            subs.get("oncall@example.com") == "PendingConfirmation" and subs.get("security-alerts@example.com") == confirmed_arn, subs)
    listed = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]}
    t.check("ListSubscriptions shows it pending too", listed.get("oncall@example.com") == "PendingConfirmation", listed)
    attrs = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    t.check("GetTopicAttributes: SubscriptionsConfirmed=1, SubscriptionsPending=1",
            (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("1", "1"), attrs)
    r = aws.raw("POST", "/", "sns", body=f"Action=GetTopicAttributes&Version=2010-03-31&TopicArn={topic_arn}".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    t.check("raw GetTopicAttributes XML: SubscriptionsPending entry = 1",
            re.search(r"<key>SubscriptionsPending</key>\s*<value>1</value>", r.text) is not None, r.text[:300])
    tokens = requests.get(emu.endpoint + "/_trailwarden/sns/confirmation-tokens",
                          params={"TopicArn": topic_arn}, timeout=10).json()["PendingSubscriptions"]
    t.check("harness route lists exactly the pending subscription",
            [p["Endpoint"] for p in tokens] == ["oncall@example.com"], tokens)
    pending_arn, token = tokens[0]["SubscriptionArn"], tokens[0]["Token"]
    t.check("token is the documented sha256('trailwarden-sns-confirm:' + ARN)",
            token == hashlib.sha256(f"trailwarden-sns-confirm:{pending_arn}".encode()).hexdigest())
    a = sns.get_subscription_attributes(SubscriptionArn=pending_arn)["Attributes"]
    t.check("GetSubscriptionAttributes: PendingConfirmation=true", a.get("PendingConfirmation") == "true", a)
    t.check("bad token -> InvalidParameter",
            error_code(lambda: sns.confirm_subscription(TopicArn=topic_arn, Token="0" * 64)) == ("InvalidParameter", 400))
    t.check("token of this topic, other topic -> NotFound",
            error_code(lambda: sns.confirm_subscription(TopicArn=topic_arn + "-nope", Token=token))[0] == "NotFound")
    r = sns.confirm_subscription(TopicArn=topic_arn, Token=token)
    t.check("ConfirmSubscription answers the real subscription ARN", r["SubscriptionArn"] == pending_arn, r)
    subs = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]}
    t.check("ListSubscriptionsByTopic shows the real ARN once confirmed", subs.get("oncall@example.com") == pending_arn, subs)
    attrs = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    t.check("GetTopicAttributes after confirmation: Confirmed=2, Pending=0",
            (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("2", "0"), attrs)
    a = sns.get_subscription_attributes(SubscriptionArn=pending_arn)["Attributes"]
    t.check("GetSubscriptionAttributes after confirmation: PendingConfirmation=false",
            a.get("PendingConfirmation") == "false" and a.get("ConfirmationWasAuthenticated") == "true", a)
    # Protocols: sqs / lambda confirmed at once; https / email-json pending; ReturnSubscriptionArn.
    sqs = aws.client("sqs")
    q = sqs.create_queue(QueueName="selftest-alarm-queue")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    r_sqs = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    r_https = sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint="https://hooks.example.com/alarm",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    r_ej = sns.subscribe(TopicArn=topic_arn, Protocol="email-json", Endpoint="json@example.com")["SubscriptionArn"]
    t.check("same-account sqs subscription is confirmed at once", r_sqs.startswith(topic_arn + ":"), r_sqs)
    t.check("https with ReturnSubscriptionArn=true answers the ARN, still pending",
            r_https.startswith(topic_arn + ":")
            and sns.get_subscription_attributes(SubscriptionArn=r_https)["Attributes"]["PendingConfirmation"] == "true", r_https)
    t.check("email-json subscription is pending", r_ej == "pending confirmation", r_ej)
    sns.publish(TopicArn=topic_arn, Message="selftest")  # must not contact hooks.example.com
    msgs = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get("Messages", [])
    t.check("publish reaches the confirmed sqs subscriber", len(msgs) == 1, msgs)
    attrs = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    t.check("GetTopicAttributes: Confirmed=3 (2 e-mail + sqs), Pending=2 (https, email-json)",
            (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("3", "2"), attrs)


def check_metric_filters(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    logs = aws.client("logs")
    chain = out["monitoring_chains"]["cis"]
    group = chain["log_group_name"]
    status, data = json_call(t, aws, "logs", LOGS_PREFIX, "DescribeMetricFilters", {"logGroupName": group})
    filters = {f["filterName"]: f for f in (data or {}).get("metricFilters", [])}
    t.check("DescribeMetricFilters(logGroupName): all 15 CIS filters", status == 200 and len(filters) == 15, (status, list(filters)))
    for control, c in sorted(chain["controls"].items(), key=lambda kv: [int(x) for x in kv[0].split(".")]):
        f = filters.get(c["filter_name"], {})
        t.check(f"CIS {control} filterPattern comes back verbatim", f.get("filterPattern") == c["pattern"],
                (f.get("filterPattern"), c["pattern"]))
        t.check(f"CIS {control} metricTransformations (name, namespace, value)",
                f.get("metricTransformations") == [{"metricName": c["metric_name"], "metricNamespace": "CISBenchmark",
                                                     "metricValue": "1"}] and f.get("logGroupName") == group,
                f.get("metricTransformations"))
    t.check("filters carry creationTime (epoch ms)",
            all(isinstance(f.get("creationTime"), int) and f["creationTime"] > 10**12 for f in filters.values()))
    t.check("CIS 5.1 pattern is the v6 text (delivery.logs / HeadBucket exclusions with &&)",
            '&& ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")'
            in chain["controls"]["5.1"]["pattern"])
    # Scoping and prefixes.
    logs.create_log_group(logGroupName="/selftest/other")
    logs.put_metric_filter(logGroupName="/selftest/other", filterName="cis-root-usage", filterPattern="{ $.x = 1 }",
                           metricTransformations=[{"metricName": "other-root", "metricNamespace": "Selftest",
                                                   "metricValue": "$.count", "defaultValue": 0.0,
                                                   "dimensions": {"Account": "$.recipientAccountId"}, "unit": "Count"}])
    mine = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="cis-root")["metricFilters"]
    t.check("filterNamePrefix + logGroupName: scoped to that group",
            [(f["logGroupName"], f["filterName"]) for f in mine] == [(group, "cis-root-usage")], mine)
    other = logs.describe_metric_filters(logGroupName="/selftest/other")["metricFilters"]
    t.check("same filter name in another group is a separate filter, dimensions/unit/defaultValue echoed",
            len(other) == 1 and other[0]["filterPattern"] == "{ $.x = 1 }"
            and other[0]["metricTransformations"][0].get("dimensions") == {"Account": "$.recipientAccountId"}
            and other[0]["metricTransformations"][0].get("unit") == "Count"
            and other[0]["metricTransformations"][0].get("defaultValue") == 0.0, other)
    all_f = logs.describe_metric_filters(filterNamePrefix="cis-root")["metricFilters"]
    t.check("filterNamePrefix without logGroupName is ignored (AWS), listing every filter", len(all_f) == 16, len(all_f))
    by_metric = logs.describe_metric_filters(metricName="root-usage", metricNamespace="CISBenchmark")["metricFilters"]
    t.check("metricName + metricNamespace filter", [f["filterName"] for f in by_metric] == ["cis-root-usage"], by_metric)
    logs.put_metric_filter(logGroupName="/selftest/other", filterName="cis-root-usage", filterPattern="{ $.x = 2 }",
                           metricTransformations=[{"metricName": "other-root", "metricNamespace": "Selftest", "metricValue": "1"}])
    other = logs.describe_metric_filters(logGroupName="/selftest/other")["metricFilters"]
    t.check("PutMetricFilter on an existing name replaces it (no duplicate)",
            len(other) == 1 and other[0]["filterPattern"] == "{ $.x = 2 }", other)
    west = aws.client("logs", "us-west-2")
    west.create_log_group(logGroupName=group)
    t.check("filters are per region: same group name in us-west-2 has none",
            west.describe_metric_filters(logGroupName=group)["metricFilters"] == [] and west.describe_metric_filters()["metricFilters"] == [])
    t.check("DescribeMetricFilters on a missing log group -> ResourceNotFoundException",
            error_code(lambda: logs.describe_metric_filters(logGroupName="/no/such/group"))[0] == "ResourceNotFoundException")
    t.check("PutMetricFilter on a missing log group -> ResourceNotFoundException",
            error_code(lambda: logs.put_metric_filter(logGroupName="/no/such/group", filterName="x", filterPattern="",
                                                      metricTransformations=[{"metricName": "x", "metricNamespace": "x",
                                                                              "metricValue": "1"}]))[0] == "ResourceNotFoundException")
    pages, token = [], None
    for _ in range(20):
        kw: dict[str, Any] = {"logGroupName": group, "limit": 4}
        if token:
            kw["nextToken"] = token
        page = logs.describe_metric_filters(**kw)
        pages.append([f["filterName"] for f in page["metricFilters"]])
        token = page.get("nextToken")
        if not token:
            break
    flat = [n for p in pages for n in p]
    t.check("limit/nextToken page through the 15 filters once, sorted by name",
            [len(p) for p in pages] == [4, 4, 4, 3] and flat == sorted(filters), pages)
    logs.delete_metric_filter(logGroupName="/selftest/other", filterName="cis-root-usage")
    t.check("DeleteMetricFilter of a missing filter -> ResourceNotFoundException",
            error_code(lambda: logs.delete_metric_filter(logGroupName="/selftest/other", filterName="cis-root-usage"))[0]
            == "ResourceNotFoundException")
    logs.put_metric_filter(logGroupName="/selftest/other", filterName="tmp", filterPattern="",
                           metricTransformations=[{"metricName": "t", "metricNamespace": "t", "metricValue": "1"}])
    logs.delete_log_group(logGroupName="/selftest/other")
    t.check("DeleteLogGroup deletes its metric filters",
            len(logs.describe_metric_filters()["metricFilters"]) == 15)


def t_cis_monitoring(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    chain = out["monitoring_chains"]["cis"]
    t.check("seed JSON: 15 controls 5.1-5.15", sorted(chain["controls"], key=lambda c: int(c.split(".")[1]))
            == [f"5.{i}" for i in range(1, 16)], sorted(chain["controls"]))
    t.check("seed JSON: alarms / metric_filters / sns_subscriptions recorded",
            len(out["alarms"]) == 15 and len(out["metric_filters"]) == 15
            and out["sns_subscriptions"]["cis-email"]["confirmed"] is True, (len(out["alarms"]), len(out["metric_filters"])))
    trail = aws.client("cloudtrail").get_trail(Name=chain["trail_name"])["Trail"]
    t.check("chain trail: multi-region, CloudWatch Logs group + role",
            trail["IsMultiRegionTrail"] and trail["CloudWatchLogsLogGroupArn"] == chain["log_group_arn"]
            and trail["CloudWatchLogsRoleArn"] == chain["cloudwatch_role_arn"], trail)
    st = aws.client("cloudtrail").get_trail_status(Name=chain["trail_name"])
    t.check("chain trail is logging and delivering to CloudWatch Logs",
            st["IsLogging"] and "LatestCloudWatchLogsDeliveryTime" in st, st)
    # Every control's metric has its alarm, read the way the scanner will (CBOR).
    ok = []
    for control, c in chain["controls"].items():
        r, data = cbor_call(aws, "DescribeAlarmsForMetric", {"MetricName": c["metric_name"], "Namespace": "CISBenchmark"})
        alarms = (data or {}).get("MetricAlarms") or []
        ok.append(r.status_code == 200 and [a["AlarmName"] for a in alarms] == [c["alarm_name"]]
                  and alarms[0]["AlarmActions"] == [chain["topic_arn"]] and alarms[0]["AlarmArn"] == c["alarm_arn"])
    t.check("CBOR DescribeAlarmsForMetric: each CIS metric has its alarm -> the chain topic", all(ok), ok)
    r, data = cbor_call(aws, "DescribeAlarms", {"ActionPrefix": chain["topic_arn"], "MaxRecords": 100})
    t.check("CBOR DescribeAlarms(ActionPrefix=topic) lists the 15 alarms",
            len((data or {}).get("MetricAlarms", [])) == 15 and "NextToken" not in (data or {}), data and len(data.get("MetricAlarms", [])))
    r, data = cbor_call(aws, "DescribeAlarmsForMetric", {"MetricName": "root-usage", "Namespace": "CISBenchmark"},
                        region="us-west-2")
    t.check("...and none of them in us-west-2", r.status_code == 200 and data == {"MetricAlarms": []}, data)
    check_metric_filters(t, emu, out)
    check_sns_confirmation(t, emu, chain["topic_arn"], chain["subscription_arn"])
    check_cbor_cloudwatch(t, emu, sorted(out["alarms"]))
    check_request_counter(t, emu)


# --------------------------------------------------------------------------------------
# integrity: ListPublicKeys (patch o), the harness key / digest-delivery routes, object
# reads under a bucket-policy Deny (h'), and chain.py's chains and tampers, verified
# independently of chain.py with `cryptography`
# --------------------------------------------------------------------------------------

PREV_FIELDS = ("previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
               "previousDigestHashAlgorithm", "previousDigestSignature")


def _public_key(der: bytes) -> Any:
    """PKCS#1 RSAPublicKey or SubjectPublicKeyInfo DER."""
    import base64

    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_der_public_key(der)
    except ValueError:
        pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END RSA PUBLIC KEY-----\n"
        return serialization.load_pem_public_key(pem)


def _signature_ok(pub: Any, doc: dict[str, Any], inflated: bytes, signature_hex: str | None) -> bool:
    import hashlib

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    prev = doc.get("previousDigestSignature")
    message = (f"{doc['digestEndTime']}\n{doc['digestS3Bucket']}/{doc['digestS3Object']}\n"
               f"{hashlib.sha256(inflated).hexdigest()}\n{'null' if prev is None else prev}").encode()
    try:
        pub.verify(bytes.fromhex(signature_hex or ""), message, padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


def _first_member(body: bytes) -> tuple[bytes, bytes, bool]:
    import zlib

    d = zlib.decompressobj(31)
    out = d.decompress(body) + d.flush()
    return out, d.unused_data, d.eof


class ChainReader:
    """Reads a chain back through S3 and checks it like validate-logs would (no chain.py code)."""

    def __init__(self, aws: Aws, region: str) -> None:
        self.s3 = aws.client("s3")
        self.ct = aws.client("cloudtrail", region)
        self.keys = {k["Fingerprint"]: k["Value"] for k in self.ct.list_public_keys(StartTime=0)["PublicKeyList"]}

    def get(self, bucket: str, key: str) -> tuple[bytes, dict[str, str]]:
        o = self.s3.get_object(Bucket=bucket, Key=key)
        return o["Body"].read(), o["Metadata"]

    def digest(self, entry: dict[str, Any]) -> tuple[dict[str, Any], bytes, dict[str, str], bool]:
        import gzip

        body, meta = self.get(entry["bucket"], entry["key"])
        inflated = gzip.decompress(body)
        doc = json.loads(inflated)
        der = self.keys.get(doc["digestPublicKeyFingerprint"])
        ok = der is not None and _signature_ok(_public_key(der), doc, inflated, meta.get("signature"))
        return doc, inflated, meta, ok

    def chain_problems(self, digests: list[dict[str, Any]], check_logs: bool = True) -> list[str]:
        """Everything wrong with an untampered chain: signatures, links, layout, log hashes."""
        import hashlib

        problems: list[str] = []
        prev = None
        for e in digests:
            doc, inflated, meta, ok = self.digest(e)
            k = e["key"]
            if not ok:
                problems.append(f"{k}: signature")
            if meta.get("signature-algorithm") != "SHA256withRSA":
                problems.append(f"{k}: signature-algorithm {meta.get('signature-algorithm')}")
            if doc["digestS3Object"] != k or doc["digestS3Bucket"] != e["bucket"]:
                problems.append(f"{k}: digestS3Bucket/Object")
            stamp = doc["digestEndTime"].replace("-", "").replace(":", "")
            folder = doc["digestEndTime"][:10].replace("-", "/")
            if not re.search(rf"/{folder}/[^/]+_{stamp}(_backfill)?\.json\.gz$", k):
                problems.append(f"{k}: stamp/folder != digestEndTime {doc['digestEndTime']}")
            if prev is None:
                if any(doc[f] is not None for f in PREV_FIELDS):
                    problems.append(f"{k}: first digest has previousDigest* set")
            else:
                pdoc, pinfl, pmeta, pe = prev
                want = {"previousDigestS3Bucket": pe["bucket"], "previousDigestS3Object": pe["key"],
                        "previousDigestHashValue": hashlib.sha256(pinfl).hexdigest(),
                        "previousDigestHashAlgorithm": "SHA-256", "previousDigestSignature": pmeta.get("signature")}
                bad = [f for f, v in want.items() if doc[f] != v]
                if bad:
                    problems.append(f"{k}: link fields {bad}")
                if doc["digestStartTime"] != pdoc["digestEndTime"]:
                    problems.append(f"{k}: start != previous end")
            if not doc["logFiles"] and (doc["newestEventTime"] is not None or doc["oldestEventTime"] is not None):
                problems.append(f"{k}: empty digest with event times")
            if check_logs:
                for lf in doc["logFiles"]:
                    body, _ = self.get(lf["s3Bucket"], lf["s3Object"])
                    raw, rest, eof = _first_member(body)
                    if not eof or rest or hashlib.sha256(raw).hexdigest() != lf["hashValue"]:
                        problems.append(f"{lf['s3Object']}: log hash/format")
                        continue
                    records = json.loads(raw)["Records"]
                    times = [r["eventTime"] for r in records]
                    if min(times) != lf["oldestEventTime"] or max(times) != lf["newestEventTime"]:
                        problems.append(f"{lf['s3Object']}: event time bounds")
                    if not doc["digestStartTime"] <= lf["oldestEventTime"] <= lf["newestEventTime"] <= doc["digestEndTime"]:
                        problems.append(f"{lf['s3Object']}: events outside the digest hour")
            prev = (doc, inflated, meta, e)
        return problems


def _route(emu: Emulator, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, emu.endpoint + path, json=body, timeout=30)


def check_public_keys(t: Results, emu: Emulator) -> None:
    import base64
    import hashlib

    aws = Aws(emu.endpoint)
    der = b"\x30\x82\x01\x0a" + bytes(range(200))
    fp = hashlib.md5(der).hexdigest()
    r = _route(emu, "POST", "/_trailwarden/cloudtrail/public-keys",
               {"region": "ap-south-1", "der_base64": base64.b64encode(der).decode(), "valid_from": 1000, "valid_to": 2000})
    t.check("POST public-keys registers the key, fingerprint = md5(DER) computed server side",
            r.status_code == 200 and r.json().get("fingerprint") == fp, r.text)

    def listed(region: str, params: dict[str, Any]) -> list[dict[str, Any]] | None:
        status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListPublicKeys", params, region=region)
        return data.get("PublicKeyList") if status == 200 else None

    got = listed("ap-south-1", {"StartTime": 1500, "EndTime": 1600})
    t.check("ListPublicKeys answers the key: base64 DER Value, epoch validity, md5 fingerprint",
            got == [{"Value": base64.b64encode(der).decode(), "ValidityStartTime": 1000, "ValidityEndTime": 2000,
                     "Fingerprint": fp}], got)
    for params, want, label in [
        ({"StartTime": 2001, "EndTime": 3000}, 0, "window after the key's"),
        ({"StartTime": 0, "EndTime": 999}, 0, "window before the key's"),
        ({"StartTime": 0, "EndTime": 1000}, 1, "window touching ValidityStartTime"),
        ({"StartTime": 2000, "EndTime": 2500}, 1, "window touching ValidityEndTime"),
        ({"EndTime": 1200}, 1, "no StartTime = everything before EndTime"),
        ({"StartTime": 1900}, 1, "no EndTime = now"),
        ({}, 1, "no parameters"),
    ]:
        got = listed("ap-south-1", params)
        t.check(f"ListPublicKeys overlap filter: {label} -> {want} key(s)", got is not None and len(got) == want, got)
    got = listed("ap-northeast-2", {"StartTime": 0})
    t.check("ListPublicKeys is per region: another region sees none of them", got == [], got)
    got = aws.client("cloudtrail", "ap-south-1").list_public_keys(StartTime=datetime.fromtimestamp(1500))["PublicKeyList"]
    t.check("boto3 ListPublicKeys decodes Value to the DER bytes", len(got) == 1 and got[0]["Value"] == der, got)
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListPublicKeys", {"StartTime": 3000, "EndTime": 2000},
                             region="ap-south-1")
    t.check("ListPublicKeys StartTime after EndTime -> 400 InvalidTimeRangeException",
            status == 400 and "InvalidTimeRangeException" in str((data or {}).get("__type")), (status, data))
    _route(emu, "POST", "/_trailwarden/cloudtrail/public-keys",
           {"region": "ap-south-1", "der_base64": base64.b64encode(der).decode(), "valid_from": 500, "valid_to": 1500})
    got = listed("ap-south-1", {"StartTime": 0})
    t.check("the same key registered twice is listed once, its window widened",
            got is not None and len(got) == 1 and got[0]["ValidityStartTime"] == 500 and got[0]["ValidityEndTime"] == 2000, got)
    r = _route(emu, "POST", "/_trailwarden/cloudtrail/public-keys",
               {"region": "ap-south-1", "der_base64": base64.b64encode(b"garbage").decode(), "valid_from": 0,
                "valid_to": 5000, "fingerprint": fp})
    got = listed("ap-south-1", {"StartTime": 0})
    t.check("a fingerprint given in the body overrides md5(DER) (fault tests)",
            r.json().get("fingerprint") == fp and got is not None and len(got) == 2
            and base64.b64decode(got[1]["Value"]) == b"garbage" and got[1]["Fingerprint"] == fp, got)
    r = _route(emu, "POST", "/_trailwarden/cloudtrail/public-keys", {"region": "ap-south-1", "der_base64": "!!"})
    t.check("POST public-keys with a bad body -> 400", r.status_code == 400, r.text)
    listing = _route(emu, "GET", "/_trailwarden/cloudtrail/public-keys").json()["PublicKeys"]
    t.check("GET public-keys lists the registered keys", any(k["fingerprint"] == fp for k in listing), listing)
    _route(emu, "DELETE", "/_trailwarden/cloudtrail/public-keys?region=ap-south-1")
    got = listed("ap-south-1", {"StartTime": 0})
    t.check("DELETE public-keys?region=R clears that region's keys", got == [], got)
    counts = requests.get(emu.endpoint + "/_trailwarden/requests", timeout=10).json()
    t.check("--count-requests names the call cloudtrail:ListPublicKeys and does not count harness routes",
            counts.get("cloudtrail:ListPublicKeys", 0) >= 10 and not any("public-keys" in k for k in counts), counts)


def check_digest_delivery(t: Results, emu: Emulator, trail_arn: str, newest_end: str) -> None:
    aws = Aws(emu.endpoint)
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": trail_arn})
    want = int(datetime.fromisoformat(newest_end.replace("Z", "+00:00")).timestamp())
    t.check("GetTrailStatus LatestDigestDeliveryTime = the newest digest's end (set by chain.py)",
            status == 200 and data.get("LatestDigestDeliveryTime") == want, (data, want))
    _route(emu, "POST", "/_trailwarden/cloudtrail/digest-delivery",
           {"trail_arn": trail_arn, "latest_digest_delivery_time": 1700000000})
    _, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": trail_arn})
    t.check("POST digest-delivery overrides LatestDigestDeliveryTime", data.get("LatestDigestDeliveryTime") == 1700000000, data)
    _route(emu, "POST", "/_trailwarden/cloudtrail/digest-delivery", {"trail_arn": trail_arn, "latest_digest_delivery_time": None})
    _, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "GetTrailStatus", {"Name": trail_arn})
    t.check("digest-delivery null -> back to now", abs(data.get("LatestDigestDeliveryTime", 0) - time.time()) < 60, data)
    r = _route(emu, "POST", "/_trailwarden/cloudtrail/digest-delivery", {"latest_digest_delivery_time": 1})
    t.check("POST digest-delivery without trail_arn -> 400", r.status_code == 400, r.text)


def check_chain_tampers(t: Results, emu: Emulator) -> None:
    """Each chain.py tamper, on its own small chain, produces the intended bytes / metadata / error."""
    import base64
    import gzip
    import hashlib

    sys.path.insert(0, str(HERE))
    import chain as chain_builder

    aws = Aws(emu.endpoint)
    s3 = aws.client("s3")
    counter = [0]

    def build(*tampers: str, region: str = "us-east-1", **kw: Any) -> dict[str, Any]:
        counter[0] += 1
        kw.setdefault("hours", 6)
        kw.setdefault("logs_per_hour", (1, 2))
        kw.setdefault("log_size", (2000, 6000))
        return chain_builder.build_chain(
            emu.endpoint, bucket=f"tamper-{counter[0]}-{tampers[0] if tampers else 'none'}"[:50].rstrip("-=:").replace("=", "-").replace(":", "-"),
            account_id=ACCT, source_region=region, trail_name="main-trail", create_bucket=True,
            seed=counter[0], tampers=list(tampers), progress=False, **kw)

    def err(bucket: str, key: str, head: bool = False) -> tuple[str | None, int | None]:
        return error_code(lambda: (s3.head_object if head else s3.get_object)(Bucket=bucket, Key=key))

    def body(obj: dict[str, Any]) -> bytes:
        return s3.get_object(Bucket=obj["bucket"], Key=obj["key"])["Body"].read()

    def meta(obj: dict[str, Any]) -> dict[str, str]:
        return s3.head_object(Bucket=obj["bucket"], Key=obj["key"])["Metadata"]

    def rd(region: str = "us-east-1") -> ChainReader:
        return ChainReader(aws, region)

    # Untampered, SPKI, shared key
    m = build(backfill=2, key_encoding="spki")
    problems = rd().chain_problems(m["digests"]) + rd().chain_problems(m["backfill"]["digests"])
    t.check("chain (SPKI key, 2 backfill): independently verified signatures, links, layout, log hashes",
            not problems, problems)
    der = base64.b64decode(m["public_key_der_base64"])
    t.check("--key-encoding spki registers SubjectPublicKeyInfo DER (30 82 01 22 30 0d ...), md5 fingerprint",
            der[:6] == bytes.fromhex("30820122300d") and hashlib.md5(der).hexdigest() == m["fingerprint"],
            der[:8].hex())
    bf = m["backfill"]["digests"]
    t.check("backfill digests: _backfill.json.gz names, generation timestamp metadata, own links",
            all(e["key"].endswith("_backfill.json.gz") for e in bf)
            and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta(e).get("backfill-generation-timestamp", "")) for e in bf)
            and bf[1]["previous_key"] == bf[0]["key"], bf)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        pem = os.path.join(tmp, "region.pem")
        a = build(region="ca-central-1", write_private_key=pem)
        b = build(region="ca-central-1", private_key=pem)
        keys = aws.client("cloudtrail", "ca-central-1").list_public_keys(StartTime=datetime.fromtimestamp(0))["PublicKeyList"]
        t.check("--private-key: two chains share one region key, listed once",
                a["fingerprint"] == b["fingerprint"] and [k["Fingerprint"] for k in keys] == [a["fingerprint"]]
                and a["private_key_pem"] == pem, keys)

    m = build(org_id="o-abc123def4", prefix="ct/logs", hours=2)
    t.check("org trail + prefix layout: prefix/AWSLogs/o-id/acct/CloudTrail-Digest/... and CloudTrail/...",
            all(e["key"].startswith(f"ct/logs/AWSLogs/o-abc123def4/{ACCT}/CloudTrail-Digest/us-east-1/") for e in m["digests"])
            and all(e["key"].startswith(f"ct/logs/AWSLogs/o-abc123def4/{ACCT}/CloudTrail/us-east-1/") for e in m["logs"])
            and not rd().chain_problems(m["digests"]), m["digests"][0]["key"])

    # Log tampers
    for name in ("log-byte", "log-append-member", "log-append-junk", "log-not-gzip", "log-truncated", "log-empty",
                 "log-no-trailer", "log-delete"):
        m = build(name)
        rec = m["tampers"][0]
        e = m["logs"][[x["index"] for x in m["logs"] if name in x["tampered"]][0]]
        ok_keys = rec["keys"] == [e["key"]]
        if name == "log-delete":
            t.check(f"{name}: GetObject -> NoSuchKey", ok_keys and err(e["bucket"], e["key"]) == ("NoSuchKey", 404))
            continue
        data = body(e)
        if name == "log-byte":
            raw = gzip.decompress(data)
            ok = len(raw) == e["size"] and hashlib.sha256(raw).hexdigest() != e["hash"]
            ok = ok and _first_member(data)[2]
        elif name in ("log-append-member", "log-append-junk"):
            raw, rest, eof = _first_member(data)
            ok = eof and hashlib.sha256(raw).hexdigest() == e["hash"] and rest
            if name == "log-append-member":
                ok = ok and gzip.decompress(rest) == b'{"Records":[]}'
            else:
                ok = ok and rest[:2] != b"\x1f\x8b"
        elif name == "log-not-gzip":
            ok = data[:1] == b"{" and hashlib.sha256(data).hexdigest() == e["hash"]
        elif name == "log-truncated":
            ok = len(data) == e["compressed_size"] // 2 and not _first_member(data)[2]
        elif name == "log-empty":
            ok = data == b""
        else:  # log-no-trailer
            raw, rest, eof = _first_member(data)
            ok = len(data) == e["compressed_size"] - 8 and not eof and hashlib.sha256(raw).hexdigest() == e["hash"]
        t.check(f"{name}: stored bytes are as intended, manifest names the key", ok and ok_keys, (rec, len(data)))

    # Digest tampers
    def tampered_digest(m: dict[str, Any], name: str) -> dict[str, Any]:
        return [d for d in m["digests"] if name in d["tampered"]][0]

    m = build("digest-edit")
    e = tampered_digest(m, "digest-edit")
    doc, _, md, ok = rd().digest(e)
    t.check("digest-edit: one logFiles entry dropped, signature kept and no longer verifying",
            len(doc["logFiles"]) == e["log_count"] - 1 and md["signature"] == e["signature"] and not ok
            and m["tampers"][0]["keys"] == [e["key"]], m["tampers"])
    m = build("digest-whitespace")
    e = tampered_digest(m, "digest-whitespace")
    doc, infl, md, ok = rd().digest(e)
    t.check("digest-whitespace: same JSON value, different bytes, signature fails",
            hashlib.sha256(infl).hexdigest() != e["hash"] and not ok and doc["digestS3Object"] == e["key"])
    m = build("digest-copy")
    e = tampered_digest(m, "digest-copy")
    dest = m["tampers"][0]["objects"][0]
    stamp = re.search(r"_(\d{8}T\d{6}Z)\.json\.gz$", dest["key"]).group(1)
    t.check("digest-copy: newest digest copied with its metadata to a later stamp in the same folder",
            e["index"] == 5 and body(dest) == body(e) and meta(dest) == meta(e)
            and dest["key"].rsplit("/", 1)[0] == e["key"].rsplit("/", 1)[0]
            and stamp > e["end"].replace("-", "").replace(":", ""), dest)
    m = build("digest-copy=2:bucket")
    e = tampered_digest(m, "digest-copy")
    dest = m["tampers"][0]["objects"][0]
    t.check("digest-copy=2:bucket: same key in the second bucket, metadata included",
            dest["bucket"] == m["second_bucket"] and dest["key"] == e["key"] and body(dest) == body(e)
            and meta(dest)["signature"] == e["signature"], dest)
    for name, check in [
        ("digest-drop-signature", lambda md: "signature" not in md and md.get("signature-algorithm") == "SHA256withRSA"),
        ("digest-drop-algorithm", lambda md: "signature-algorithm" not in md and "signature" in md),
        ("digest-signature-not-hex", lambda md: not re.fullmatch(r"[0-9a-f]+", md["signature"]) and len(md["signature"]) == 512),
    ]:
        m = build(name)
        e = tampered_digest(m, name)
        t.check(f"{name}: metadata as intended", check(meta(e)), meta(e))
    m = build("digest-attacker-genuine-fp")
    e = tampered_digest(m, "digest-attacker-genuine-fp")
    doc, infl, md, ok = rd().digest(e)
    t.check("digest-attacker-genuine-fp: same bytes and fingerprint, another key's signature (fails with the genuine key)",
            hashlib.sha256(infl).hexdigest() == e["hash"] and doc["digestPublicKeyFingerprint"] == m["fingerprint"]
            and md["signature"] != e["signature"] and len(md["signature"]) == 512 and not ok)
    m = build("digest-attacker-own-fp")
    e = tampered_digest(m, "digest-attacker-own-fp")
    doc, infl, md, ok = rd().digest(e)
    t.check("digest-attacker-own-fp: the attacker's fingerprint, not known to ListPublicKeys",
            doc["digestPublicKeyFingerprint"] == m["attacker_fingerprint"] != m["fingerprint"]
            and m["attacker_fingerprint"] not in rd().keys)
    m = build("key-garbage", region="eu-west-3")
    keys = aws.client("cloudtrail", "eu-west-3").list_public_keys(StartTime=datetime.fromtimestamp(0))["PublicKeyList"]
    t.check("key-garbage: the genuine fingerprint lists garbage DER (md5 differs, not a key)",
            len(keys) == 1 and keys[0]["Fingerprint"] == m["fingerprint"]
            and hashlib.md5(keys[0]["Value"]).hexdigest() != m["fingerprint"] and not m["key_registered"], keys)
    m = build("key-none", region="eu-north-1")
    keys = aws.client("cloudtrail", "eu-north-1").list_public_keys(StartTime=datetime.fromtimestamp(0))["PublicKeyList"]
    t.check("key-none: ListPublicKeys in the source region is empty", keys == [] and not m["key_registered"], keys)
    for name, check in [
        ("digest-not-gzip", lambda b: json.loads(b)["digestS3Object"]),
        ("digest-not-json", lambda b: not _is_json(gzip.decompress(b))),
        ("digest-not-utf8", lambda b: not _is_utf8(gzip.decompress(b))),
        ("digest-drop-field=digestStartTime", lambda b: "digestStartTime" not in json.loads(gzip.decompress(b))),
    ]:
        m = build(name)
        e = tampered_digest(m, name.split("=")[0])
        try:
            ok = bool(check(body(e))) and meta(e)["signature"] == e["signature"]
        except Exception as exc:  # noqa: BLE001
            ok = exc
        t.check(f"{name}: body as intended, metadata kept", ok is True, ok)
    m = build("digest-delete=2", "digest-delete=3")
    gone = [err(d["bucket"], d["key"]) for d in m["digests"]]
    t.check("digest-delete=2 + digest-delete=3: two adjacent digests gone, the others kept",
            [g[0] for g in gone] == [None, None, "NoSuchKey", "NoSuchKey", None, None]
            and [x["keys"] for x in m["tampers"]] == [[m["digests"][2]["key"]], [m["digests"][3]["key"]]], gone)
    m = build("digest-delete-newest=2")
    gone = [err(d["bucket"], d["key"])[0] for d in m["digests"]]
    t.check("digest-delete-newest=2: the two newest digests gone", gone == [None] * 4 + ["NoSuchKey"] * 2, gone)

    # Re-signed / re-linked at build time
    m = build("chain-restart=3")
    r_ = rd()
    doc3 = r_.digest(m["digests"][3])[0]
    t.check("chain-restart=3: digest 3 starts a chain (five nulls) and everything verifies",
            all(doc3[f] is None for f in PREV_FIELDS)
            and not r_.chain_problems(m["digests"][:3]) and not r_.chain_problems(m["digests"][3:]), doc3)
    m = build("chain-cross-bucket=3")
    second = m["second_bucket"]
    doc3 = rd().digest(m["digests"][3])[0]
    t.check("chain-cross-bucket=3: digests 0-2 and their logs in the second bucket, digest 3 links there, all valid",
            all(d["bucket"] == second for d in m["digests"][:3]) and all(d["bucket"] == m["bucket"] for d in m["digests"][3:])
            and all(x["bucket"] == second for x in m["logs"] if x["digest_index"] < 3)
            and doc3["previousDigestS3Bucket"] == second and not rd().chain_problems(m["digests"]),
            rd().chain_problems(m["digests"]))
    m = build("backfill-no-timestamp", backfill=2)
    e = [d for d in m["backfill"]["digests"] if "backfill-no-timestamp" in d["tampered"]][0]
    t.check("backfill-no-timestamp: the newest backfill digest lost backfill-generation-timestamp",
            e["index"] == 1 and "backfill-generation-timestamp" not in meta(e) and "signature" in meta(e))
    for name, field in (("link-wrong-hash=3", "previousDigestHashValue"), ("link-wrong-signature=3", "previousDigestSignature")):
        m = build(name)
        r_ = rd()
        problems = r_.chain_problems(m["digests"], check_logs=False)
        doc3, _, _, ok3 = r_.digest(m["digests"][3])
        t.check(f"{name}: only digest 3's {field} is wrong, and digest 3 still verifies (re-signed)",
                ok3 and problems == [f"{m['digests'][3]['key']}: link fields ['{field}']"], problems)
    m = build("algorithm-sha1=3")
    doc3, _, md3, ok3 = rd().digest(m["digests"][3])
    t.check("algorithm-sha1=3: metadata and digestSignatureAlgorithm say SHA1withRSA, signature is SHA-256",
            md3["signature-algorithm"] == "SHA1withRSA" and doc3["digestSignatureAlgorithm"] == "SHA1withRSA" and ok3)
    m = build("sibling-trail")
    sib = m["sibling"]
    t.check("sibling-trail: main-trail_us-east-1 writes its own valid chain into the same folder",
            sib["trail_name"] == "main-trail_us-east-1"
            and all("_CloudTrail-Digest_us-east-1_main-trail_us-east-1_us-east-1_" in d["key"] for d in sib["digests"])
            and {d["key"].rsplit("/", 1)[0] for d in sib["digests"]} == {d["key"].rsplit("/", 1)[0] for d in m["digests"]}
            and not rd().chain_problems(sib["digests"]) and not rd().chain_problems(m["digests"]))

    # Access errors: bucket-policy Deny on one object (h') and archived objects
    m = build("deny-object=log:0", "deny-object=digest:1", "archive=digest:2", "archive=log:-1")
    bucket = m["bucket"]
    d1, d2, l0, ll = m["digests"][1], m["digests"][2], m["logs"][0], m["logs"][-1]
    t.check("deny-object: GetObject of exactly that key -> 403 AccessDenied (XML code), HEAD 403",
            err(bucket, l0["key"]) == ("AccessDenied", 403) and err(bucket, d1["key"]) == ("AccessDenied", 403)
            and err(bucket, d1["key"], head=True)[1] == 403 and err(bucket, m["logs"][1]["key"]) == (None, None)
            and err(bucket, m["digests"][0]["key"]) == (None, None))
    t.check("archive: GetObject -> 403 InvalidObjectState; HEAD still answers (storage class GLACIER)",
            err(bucket, d2["key"]) == ("InvalidObjectState", 403) and err(bucket, ll["key"]) == ("InvalidObjectState", 403)
            and s3.head_object(Bucket=bucket, Key=d2["key"]).get("StorageClass") == "GLACIER"
            and meta(d2)["signature"] == d2["signature"])
    t.check("deny-object / archive: the manifest records the exact keys",
            [x["keys"] for x in m["tampers"]] == [[l0["key"]], [d1["key"]], [d2["key"]], [ll["key"]]], m["tampers"])
    r = aws.raw("GET", f"/{bucket}/{l0['key']}", "s3")
    t.check("denied GetObject body is <Error><Code>AccessDenied</Code>", r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text, r.text[:200])
    s3.put_object(Bucket=bucket, Key=l0["key"] + ".copy", Body=b"x")
    t.check("writes are never refused by the policy", err(bucket, l0["key"] + ".copy") == (None, None))


def _is_json(b: bytes) -> bool:
    try:
        json.loads(b)
        return True
    except ValueError:
        return False


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def t_integrity(t: Results, emu: Emulator, out: dict[str, Any]) -> None:
    aws = Aws(emu.endpoint)
    m = out["digest_chains"]["integrity"]
    trail = out["trails"]["integrity-trail"]
    t.check("integrity: trail has log file validation, chain is 6 digests into its bucket",
            trail["log_file_validation"] and len(m["digests"]) == 6 and m["bucket"] == trail["bucket"]
            and m["trail_arn"] == trail["arn"])
    problems = ChainReader(aws, "us-east-1").chain_problems(m["digests"])
    t.check("integrity: seeded chain verifies independently (signatures, links, layout, log hashes)", not problems, problems)
    newest = datetime.fromisoformat(m["digests"][-1]["end"].replace("Z", "+00:00")).timestamp()
    t.check("integrity: the newest digest ends now", abs(newest - time.time()) < 300, m["digests"][-1]["end"])
    t.check("integrity: some digests are empty, some have logs",
            any(d["log_count"] == 0 for d in m["digests"]) and any(d["log_count"] > 0 for d in m["digests"]))
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListPublicKeys", {})
    t.check("integrity: ListPublicKeys (raw JSON 1.1) lists the chain's key with md5 fingerprint",
            status == 200 and any(k["Fingerprint"] == m["fingerprint"] for k in data["PublicKeyList"]), data)
    check_digest_delivery(t, emu, trail["arn"], m["digests"][-1]["end"])
    check_public_keys(t, emu)
    check_chain_tampers(t, emu)
    # Last: --deny-action matches the operation by the counter's name (denies the account from now on).
    requests.post(emu.endpoint + f"/_trailwarden/deny-action?rule={ACCT}/cloudtrail:ListPublicKeys", timeout=10)
    status, data = json_call(t, aws, "cloudtrail", CT_PREFIX, "ListPublicKeys", {})
    t.check("deny-action ACCOUNT/cloudtrail:ListPublicKeys -> AccessDeniedException",
            status == 400 and (data or {}).get("__type") == "AccessDeniedException", (status, data))


SCENARIO_TESTS: list[tuple[str, Callable[[Results, Emulator, dict[str, Any]], None]]] = [
    ("compliant", t_compliant),
    ("compliant-advanced", t_compliant_advanced),
    ("failing", t_failing),
    ("org", t_org),
    ("unreadable-bucket", t_unreadable),
    ("demo", t_demo),
    ("cis-monitoring", t_cis_monitoring),
    ("integrity", t_integrity),
]

# Extra launcher flags per scenario (the counter check needs --count-requests).
SCENARIO_LAUNCHER_ARGS: dict[str, list[str]] = {"cis-monitoring": ["--count-requests"],
                                                "integrity": ["--count-requests"]}


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
            emu = Emulator(SCENARIO_LAUNCHER_ARGS.get(name))
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
    if args.k in "proxy":
        # fault_proxy.py in front of a fresh emulator (the checks live in proxy_selftest.py).
        import proxy_selftest

        t0 = time.time()
        try:
            proxy_selftest.run(t)
        except Exception as exc:  # noqa: BLE001
            t.scope = "proxy"
            t.check("proxy self-test ran without exception", False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        TIMINGS["proxy"] = time.time() - t0
    for k, v in TIMINGS.items():
        print(f"timing {k}: {v:.2f}s", file=sys.stderr)
    failed = len(t.failed)
    print(f"{t.passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
