#!/usr/bin/env python3
"""AWS emulator for trailwarden's tests: moto 5.2.5 in server mode, patched in-process.

Usage:
    python tests/harness/moto_launcher.py [--port 0] [--host 127.0.0.1]
                                          [--random-seed N] [--verbose] [--watch-stdin]
                                          [--count-requests] [--without-account-api]

Once the socket listens, prints exactly one line ``READY http://HOST:PORT`` to stdout
and serves until killed (SIGTERM / SIGINT). Everything else goes to stderr.

moto is a faithful-enough AWS emulator for most calls, but trailwarden inspects the
corners where moto differs from AWS (XML roots the Rust SDK validates, account-wide
CloudTrail views, cross-account S3, trust policies...). Every patch below restores one
real-AWS behaviour; the comment on each says which one and why moto lacks it.
The patches are written against moto==5.2.5 (pinned by scripts/setup-emulator.sh);
``_check_moto_version`` refuses to start on any other version.

Never talks to real AWS: the server binds to loopback and moto is fully offline.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import sys
import time
from datetime import datetime, timezone
from typing import Any

# aws_request.py (next to this file) names operations for the request counter, --deny-action
# and fault_proxy.py alike.
if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_request  # noqa: E402
from aws_request import RPCV2_PATH_RE  # noqa: E402

MOTO_VERSION = "5.2.5"

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
S3_HOST_ID = "9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg="

# Commercial ("aws" partition) regions. Regions launched before March 2019 are enabled
# by default and cannot be disabled; later ones are opt-in and start DISABLED.
DEFAULT_ENABLED_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2",
    "sa-east-1",
]
OPT_IN_REGIONS = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
]


def log(msg: str) -> None:
    print(f"[moto_launcher] {msg}", file=sys.stderr, flush=True)


def _check_moto_version() -> None:
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise SystemExit(
            f"moto_launcher: moto=={moto.__version__} is installed but the patches target "
            f"moto=={MOTO_VERSION}; run scripts/setup-emulator.sh"
        )


_REQUEST_ID_RNG = None


def _request_id(length: int = 52) -> str:
    """Request ids from a generator of their own (see patch_request_ids)."""
    global _REQUEST_ID_RNG
    import random
    import string

    if _REQUEST_ID_RNG is None:
        _REQUEST_ID_RNG = random.Random()
    alphabet = string.ascii_letters + string.digits
    return "".join(_REQUEST_ID_RNG.choice(alphabet) for _ in range(length))


def patch_request_ids() -> None:
    # Not an AWS behaviour but a harness property: moto draws every response's request
    # id from the same seeded generator as account ids, key ids..., so any extra read
    # (a readiness probe, a retry) would shift every id created afterwards. Request ids
    # get their own generator; resource ids then depend only on the creating calls.
    import moto.core.responses as core_responses

    def gen_amzn_requestid_long(headerdict: dict[str, Any] | None = None) -> str:
        req_id = _request_id()
        if isinstance(headerdict, dict):
            headerdict["x-amzn-requestid"] = req_id
        return req_id

    core_responses.gen_amzn_requestid_long = gen_amzn_requestid_long


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _glob(value: str, pattern: str, case_insensitive: bool = False) -> bool:
    """IAM-style wildcard match: `*` any run of characters, `?` one character."""
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
    )
    flags = re.IGNORECASE if case_insensitive else 0
    return re.fullmatch(regex, value, flags) is not None


def _caller(access_key: str, account_id: str) -> dict[str, Any]:
    """Who is calling, the way IAM would see it.

    moto maps an access key to its account (``get_account_id_from``) and remembers, on
    keys minted by sts:AssumeRole, the role ARN (``AccessKey.role_arn``).
    """
    from moto.iam.models import iam_backends

    role_arn = None
    user_name = None
    iam_for_account = dict.get(iam_backends, account_id)
    if iam_for_account is not None and "aws" in dict.keys(iam_for_account):
        key = iam_for_account["aws"].access_keys.get(access_key)
        if key is not None:
            role_arn = getattr(key, "role_arn", None)
            user_name = getattr(key, "user_name", None)
    arns = set()
    if role_arn:
        arns.add(role_arn)
        # The assumed-role session ARN is also a valid principal for the caller.
        role_name = role_arn.split("/")[-1]
        arns.add(f"arn:aws:sts::{account_id}:assumed-role/{role_name}/")
    elif user_name:
        arns.add(f"arn:aws:iam::{account_id}:user/{user_name}")
    return {
        "account": account_id,
        "role_arn": role_arn,
        # Keys moto does not know (the dummy `testing` credentials) act as the account
        # root, as moto itself assumes.
        "is_root": role_arn is None and user_name is None,
        "arns": arns,
    }


def _principal_matches(principal: Any, caller: dict[str, Any]) -> bool:
    """Does a policy Principal cover the caller?

    AWS semantics: "*" / {"AWS": "*"} is everyone; an account id or
    ``arn:aws:iam::ACCT:root`` designates the whole account (every principal in it);
    a role ARN designates that role (and its sessions). Service and federated
    principals never designate an IAM caller.
    """
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get("AWS")):
        if value == "*":
            return True
        if value in (caller["account"], f"arn:aws:iam::{caller['account']}:root"):
            return True
        for arn in caller["arns"]:
            if value == arn or (arn.endswith("/") and value.startswith(arn)):
                return True
    return False


def _org_management_account(account_id: str) -> str | None:
    """The management account of the organization `account_id` belongs to, if any."""
    from moto.organizations.models import organizations_backends

    entry = organizations_backends.master_accounts.get(account_id)
    if entry:
        return entry[0]
    per_account = dict.get(organizations_backends, account_id)
    if per_account is not None:
        backend = dict.get(per_account, "aws")
        if backend is not None and backend.org is not None:
            return account_id
    return None


def _organization_of(management_account: str) -> Any:
    from moto.organizations.models import organizations_backends

    per_account = dict.get(organizations_backends, management_account)
    if per_account is None:
        return None
    backend = dict.get(per_account, "aws")
    return backend if backend is not None and backend.org is not None else None


# --------------------------------------------------------------------------------------
# a. + h. + i. + extra S3 patches
# --------------------------------------------------------------------------------------

# Bucket sub-resource (query key) -> IAM action it needs, for bucket-level reads.
S3_READ_ACTIONS = {
    "policy": "s3:GetBucketPolicy",
    "policyStatus": "s3:GetBucketPolicyStatus",
    "acl": "s3:GetBucketAcl",
    "versioning": "s3:GetBucketVersioning",
    "logging": "s3:GetBucketLogging",
    "lifecycle": "s3:GetLifecycleConfiguration",
    "object-lock": "s3:GetBucketObjectLockConfiguration",
    "publicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "location": "s3:GetBucketLocation",
    "encryption": "s3:GetEncryptionConfiguration",
    "tagging": "s3:GetBucketTagging",
    "notification": "s3:GetBucketNotification",
    "ownershipControls": "s3:GetBucketOwnershipControls",
    "replication": "s3:GetReplicationConfiguration",
    "website": "s3:GetBucketWebsite",
    "cors": "s3:GetBucketCORS",
    "accelerate": "s3:GetAccelerateConfiguration",
    "requestPayment": "s3:GetBucketRequestPayment",
    "versions": "s3:ListBucketVersions",
    "uploads": "s3:ListBucketMultipartUploads",
    "inventory": "s3:GetInventoryConfiguration",
    "analytics": "s3:GetAnalyticsConfiguration",
    "metrics": "s3:GetMetricsConfiguration",
    "intelligent-tiering": "s3:GetIntelligentTieringConfiguration",
}

# Object sub-resource (query key) -> IAM action of the read; a plain GET / HEAD is s3:GetObject.
S3_OBJECT_READ_ACTIONS = {
    "acl": "s3:GetObjectAcl",
    "tagging": "s3:GetObjectTagging",
    "legal-hold": "s3:GetObjectLegalHold",
    "retention": "s3:GetObjectRetention",
    "attributes": "s3:GetObjectAttributes",
    "uploadId": "s3:ListMultipartUploadParts",
}

# Root elements the AWS SDKs (the Rust one validates them strictly) expect for
# bucket reads whose botocore output shape is not a payload; moto's generic serializer
# names them "<Operation>Response".
S3_ROOT_FIX = {
    "notification": "NotificationConfiguration",
    "accelerate": "AccelerateConfiguration",
}


def _s3_read_action(method: str, querystring: dict[str, Any]) -> str:
    if method == "HEAD":
        return "s3:ListBucket"  # HeadBucket is authorised as s3:ListBucket
    for key, action in S3_READ_ACTIONS.items():
        if key in querystring:
            return action
    return "s3:ListBucket"


def _s3_error(code: str, message: str, status: int, method: str, extra_headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    headers = dict(extra_headers or {})
    if method == "HEAD":
        # S3 answers HEAD errors with the status only, no body.
        return status, headers, ""
    headers["content-type"] = "application/xml"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{_request_id(16).upper()}</RequestId><HostId>{S3_HOST_ID}</HostId></Error>"
    )
    return status, headers, body


def _bucket_policy_denies(bucket: Any, bucket_name: str, action: str, caller: dict[str, Any],
                          resource: str | None = None) -> bool:
    """Evaluate the explicit, unconditional Deny statements of a bucket policy.

    `resource` is the ARN the action applies to: the bucket (default) or, for object
    reads, ``arn:aws:s3:::BUCKET/KEY``.

    Statements with a Condition are ignored on purpose: the emulator speaks plain HTTP on
    loopback but stands in for TLS, so the ubiquitous aws:SecureTransport=false deny must
    not fire; other conditions cannot be evaluated faithfully here. NotPrincipal /
    NotAction / NotResource statements are ignored too.
    """
    raw = bucket.policy
    if not raw:
        return False
    try:
        policy = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        return False
    # AWS: the root user of the bucket-owning account can always read, write and delete
    # the bucket policy, whatever the policy denies (anti-lockout rule).
    if caller["is_root"] and action == "s3:GetBucketPolicy":
        return False
    bucket_arn = resource or f"arn:aws:s3:::{bucket_name}"
    for stmt in _as_list(policy.get("Statement")):
        if not isinstance(stmt, dict) or stmt.get("Effect") != "Deny":
            continue
        if stmt.get("Condition"):
            continue
        if "NotPrincipal" in stmt or "NotAction" in stmt or "NotResource" in stmt:
            continue
        if not _principal_matches(stmt.get("Principal"), caller):
            continue
        if not any(_glob(action, a, case_insensitive=True) for a in _as_list(stmt.get("Action"))):
            continue
        if not any(_glob(bucket_arn, r) for r in _as_list(stmt.get("Resource"))):
            continue
        return True
    return False


def patch_s3() -> None:
    from moto.s3.models import s3_backends
    from moto.s3.responses import S3Response

    orig_bucket_response = S3Response._bucket_response
    orig_get = S3Response._bucket_response_get
    orig_put = S3Response._bucket_response_put

    def _bucket_response(self: Any, request: Any, full_url: str) -> Any:
        method = request.method
        bucket_name = self.parse_bucket_name_from_url(request, full_url)
        if bucket_name and method in ("GET", "HEAD"):
            querystring = self._get_querystring(request, full_url)
            owner = s3_backends.bucket_accounts.get(bucket_name)
            if owner is not None:
                partition, owner_account = owner
                bucket = s3_backends[owner_account][partition].buckets.get(bucket_name)
                region_header = {"x-amz-bucket-region": bucket.region_name} if bucket else {}
                # i. Bucket names are global in AWS. A bucket read from an account that
                # does not own the bucket is refused with 403 AccessDenied (the bucket
                # exists, so never 404). moto resolves a foreign bucket through the
                # owner's backend and happily answers (S3_ALLOW_CROSSDOMAIN_ACCESS), so
                # the scanner would read other accounts' buckets. Simplification:
                # grants in the owner's bucket policy are not evaluated.
                if owner_account != self.current_account:
                    return _s3_error("AccessDenied", "Access Denied", 403, method, region_header)
                # h. moto does not enforce bucket policies. Explicit unconditional Deny
                # statements are enforced for reads so tests can model a bucket the
                # scanner is not allowed to read. Writes are never enforced (clean-up).
                action = _s3_read_action(method, querystring)
                caller = _caller(self.access_key, self.current_account)
                if bucket is not None and _bucket_policy_denies(bucket, bucket_name, action, caller):
                    return _s3_error("AccessDenied", "Access Denied", 403, method, region_header)
        return orig_bucket_response(self, request, full_url)

    def _bucket_response_get(self: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "versioning" in querystring:
            # a. AWS answers GetBucketVersioning with
            #   <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            #     <Status>..</Status><MfaDelete>..</MfaDelete></VersioningConfiguration>
            # omitting the elements that were never set. moto's generic serializer names
            # the root "GetBucketVersioningResponse" (botocore's output shape has no
            # payload/xmlName), which the Rust SDK rejects ("invalid XML root"), and moto
            # never stores MfaDelete at all.
            self._set_action("BUCKET", "GET", querystring)
            bucket = self.backend.get_bucket(bucket_name)  # NoSuchBucket if absent
            parts = ""
            if bucket.versioning_status:
                parts += f"<Status>{bucket.versioning_status}</Status>"
            mfa = getattr(bucket, "tw_mfa_delete", None)
            if mfa:
                parts += f"<MfaDelete>{mfa}</MfaDelete>"
            body = '<?xml version="1.0" encoding="UTF-8"?>\n'
            if parts:
                body += f'<VersioningConfiguration xmlns="{S3_NS}">{parts}</VersioningConfiguration>'
            else:
                body += f'<VersioningConfiguration xmlns="{S3_NS}"/>'
            return 200, {"content-type": "application/xml"}, body
        if "requestPayment" in querystring:
            # moto has no GetBucketRequestPayment: the request falls through to
            # ListObjects and answers <ListBucketResult>. AWS answers the payer
            # (always BucketOwner here, moto cannot change it).
            self.backend.get_bucket(bucket_name)
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<RequestPaymentConfiguration xmlns="{S3_NS}"><Payer>BucketOwner</Payer>'
                "</RequestPaymentConfiguration>"
            )
            return 200, {"content-type": "application/xml"}, body
        if "encryption" in querystring:
            # Since January 2023 every S3 bucket has default encryption (SSE-S3, AES256)
            # and GetBucketEncryption always answers it; moto still answers
            # ServerSideEncryptionConfigurationNotFoundError for buckets created
            # without an explicit configuration.
            bucket = self.backend.get_bucket(bucket_name)
            if not bucket.encryption:
                self._set_action("BUCKET", "GET", querystring)
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f'<ServerSideEncryptionConfiguration xmlns="{S3_NS}"><Rule>'
                    "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
                    "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"
                    "</Rule></ServerSideEncryptionConfiguration>"
                )
                return 200, {"content-type": "application/xml"}, body
        response = orig_get(self, bucket_name, querystring)
        if "object-lock" in querystring:
            # AWS's DefaultRetention carries either Days or Years, never both; moto
            # serialises the unset one as 0 (<Years>0</Years>), which an SDK reads as
            # "retention of 0 years".
            response = _rewrite_body(
                response, lambda b: re.sub(r"<(Days|Years)>0</\1>|<(Days|Years)/>", "", b)
            )
        for key, root in S3_ROOT_FIX.items():
            if key in querystring:
                # Same defect as (a): moto's root element is "<Operation>Response".
                response = _rewrite_body(response, lambda b, root=root: _rename_root(b, root))
        return response

    def _bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "versioning" in querystring:
            # a. AWS stores MfaDelete (Enabled/Disabled) with the versioning state;
            # moto keeps only <Status> and even answers 404 to a body without one.
            body = self.body.decode("utf-8") if isinstance(self.body, bytes) else (self.body or "")
            status = re.search(r"<Status>\s*([A-Za-z]+)\s*</Status>", body)
            mfa = re.search(r"<MfaDelete>\s*([A-Za-z]+)\s*</MfaDelete>", body)
            if status and status.group(1) not in ("Enabled", "Suspended"):
                return _s3_error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400, "PUT")
            if mfa and mfa.group(1) not in ("Enabled", "Disabled"):
                return _s3_error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400, "PUT")
            if not status and not mfa:
                return _s3_error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400, "PUT")
            bucket = self.backend.get_bucket(bucket_name)
            if status:
                self.backend.put_bucket_versioning(bucket_name, status.group(1))
            if mfa:
                bucket.tw_mfa_delete = mfa.group(1)
            self.data["Action"] = "PutBucketVersioning"
            return 200, {}, ""
        return orig_put(self, request, bucket_name, querystring)

    S3Response._bucket_response = _bucket_response
    S3Response._bucket_response_get = _bucket_response_get
    S3Response._bucket_response_put = _bucket_response_put

    # h'. Object reads. moto evaluates bucket policies on object requests with its IAM
    # policy engine, which ignores Principal and Condition: the ubiquitous SSL-only
    # statement (Deny s3:* when aws:SecureTransport=false) then refuses every GetObject,
    # PutObject and DeleteObject on the bucket, with a bodiless 403. AWS evaluates the
    # statement's principal and condition and answers a denied read with the XML error
    # <Code>AccessDenied</Code> (HEAD: the status only). Object requests now follow the
    # rule of (h): explicit unconditional Deny statements are enforced on object reads
    # (GetObject, HeadObject = s3:GetObject, and the ?acl / ?tagging / ... sub-resources)
    # against the object ARN arn:aws:s3:::BUCKET/KEY; writes are never enforced.
    # Archived objects (StorageClass GLACIER / DEEP_ARCHIVE, not restored) already answer
    # GetObject with 403 InvalidObjectState, as AWS does.
    orig_key_response = S3Response._key_response

    def _key_response(self: Any, request: Any, full_url: str) -> Any:
        method = request.method
        if method in ("GET", "HEAD"):
            from urllib.parse import parse_qs, urlparse

            bucket_name = self.parse_bucket_name_from_url(request, full_url)
            key_name = self.parse_key_name()
            owner = s3_backends.bucket_accounts.get(bucket_name)
            if owner is not None:
                partition, owner_account = owner
                bucket = s3_backends[owner_account][partition].buckets.get(bucket_name)
                if bucket is not None:
                    query = parse_qs(urlparse(full_url).query, keep_blank_values=True)
                    action = next((a for q, a in S3_OBJECT_READ_ACTIONS.items() if q in query), "s3:GetObject")
                    caller = _caller(self.access_key, self.current_account)
                    resource = f"arn:aws:s3:::{bucket_name}/{key_name}"
                    if _bucket_policy_denies(bucket, bucket_name, action, caller, resource=resource):
                        return _s3_error("AccessDenied", "Access Denied", 403, method)
        return orig_key_response(self, request, full_url)

    S3Response._key_response = _key_response

    # moto's PutBucketLogging target-permission check calls .get("Service") on every
    # statement's Principal and crashes (500) when a statement of the target bucket's
    # policy has the string principal "*" (e.g. the standard SSL-only deny). AWS accepts
    # such policies. Normalise the principal for the check only.
    from moto.s3.models import FakeBucket

    orig_policy_check = FakeBucket._log_permissions_enabled_policy

    def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        raw = target_bucket.policy
        if not raw:
            return False
        try:
            doc = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        except ValueError:
            return False
        stmts = [
            s for s in _as_list(doc.get("Statement"))
            if isinstance(s, dict) and isinstance(s.get("Principal"), dict)
        ]

        class _Shim:
            policy = json.dumps({"Statement": stmts}).encode()
            partition = target_bucket.partition
            name = target_bucket.name

        return orig_policy_check(_Shim, target_prefix)

    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)

    # h'. (continued) moto's own object-level policy check (FakeBucket.get_permission,
    # used by object requests and DeleteObjects) is replaced by the harness's evaluation
    # above: it reports NEUTRAL, so writes and deletes are never refused by a policy.
    from moto.iam.access_control import PermissionResult

    FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL


def _rewrite_body(response: Any, fn: Any) -> Any:
    if isinstance(response, tuple) and len(response) == 3:
        status, headers, body = response
        if isinstance(body, bytes):
            return status, headers, fn(body.decode("utf-8")).encode("utf-8")
        if isinstance(body, str):
            return status, headers, fn(body)
    return response


def _rename_root(body: str, root: str) -> str:
    m = re.search(r"<(?!\?)([A-Za-z0-9]+)([ />])", body)
    if not m or m.group(1) in (root, "Error"):
        return body
    old = m.group(1)
    body = body[: m.start(1)] + root + body[m.end(1):]
    closing = f"</{old}>"
    idx = body.rfind(closing)
    if idx >= 0:
        body = body[:idx] + f"</{root}>" + body[idx + len(closing):]
    return body


# --------------------------------------------------------------------------------------
# b. Account API: ListRegions / GetRegionOptStatus / EnableRegion / DisableRegion
# --------------------------------------------------------------------------------------


def patch_account() -> None:
    import moto.account.urls as account_urls
    from moto.account.models import account_backends
    from moto.account.responses import AccountResponse

    # moto implements only the alternate-contact operations of the Account API; the
    # region opt-in operations (REST-JSON, POST /listRegions ...) are missing, so the
    # scanner could not discover which regions an account has enabled. Routing: a
    # request signed for service "account" is sent by moto's dispatcher to the app built
    # from moto.account.urls (host account.<region>.amazonaws.com), whatever the Host
    # header, so adding the paths before the app is first built is enough.
    for op in ("listRegions", "getRegionOptStatus", "enableRegion", "disableRegion"):
        account_urls.url_paths["{0}/" + op + "$"] = AccountResponse.dispatch

    def _state(account_id: str) -> dict[str, str]:
        backend = account_backends[account_id]["aws"]
        state = getattr(backend, "tw_regions", None)
        if state is None:
            state = {r: "ENABLED_BY_DEFAULT" for r in DEFAULT_ENABLED_REGIONS}
            state.update({r: "DISABLED" for r in OPT_IN_REGIONS})
            backend.tw_regions = state
        return state

    def _params(self: Any) -> dict[str, Any]:
        try:
            return json.loads(self.body) if self.body else {}
        except ValueError:
            return {}

    def _target_account(self: Any, params: dict[str, Any]) -> tuple[str | None, Any]:
        """AccountId is only for the org management account acting on a member."""
        target = params.get("AccountId")
        if not target:
            return self.current_account, None
        if not re.fullmatch(r"\d{12}", str(target)):
            return None, _rest_json_error(400, "ValidationException", "Invalid AccountId", reason="fieldValidationFailed")
        if target == self.current_account:
            if _org_management_account(self.current_account) == self.current_account:
                return None, _rest_json_error(
                    400, "ValidationException",
                    "The management account can't specify its own AccountId.",
                    reason="fieldValidationFailed",
                )
            return target, None
        if _org_management_account(target) != self.current_account or target == _org_management_account(target):
            return None, _rest_json_error(
                403, "AccessDeniedException",
                f"User: arn:aws:iam::{self.current_account}:root is not authorized to perform: "
                f"account:{self._get_action()} on resource: arn:aws:account::{self.current_account}:account/{target}",
            )
        org_backend = _organization_of(self.current_account)
        services = [s.get("ServicePrincipal") for s in org_backend.services] if org_backend else []
        if "account.amazonaws.com" not in services:
            return None, _rest_json_error(
                403, "AccessDeniedException",
                "Trusted access for AWS Account Management is not enabled in the organization.",
            )
        return target, None

    def list_regions(self: Any) -> Any:
        params = _params(self)
        account_id, err = _target_account(self, params)
        if err:
            return err
        wanted = params.get("RegionOptStatusContains") or []
        regions = [
            {"RegionName": name, "RegionOptStatus": status}
            for name, status in sorted(_state(account_id).items())
            if not wanted or status in wanted
        ]
        start = 0
        if params.get("NextToken"):
            try:
                start = int(params["NextToken"])
            except ValueError:
                return _rest_json_error(400, "ValidationException", "Invalid NextToken", reason="fieldValidationFailed")
        max_results = int(params.get("MaxResults") or 50)
        if not 1 <= max_results <= 50:
            return _rest_json_error(400, "ValidationException", "MaxResults must be between 1 and 50", reason="fieldValidationFailed")
        page = regions[start:start + max_results]
        out: dict[str, Any] = {"Regions": page}
        if start + max_results < len(regions):
            out["NextToken"] = str(start + max_results)
        return json.dumps(out), {"Content-Type": "application/json"}

    def get_region_opt_status(self: Any) -> Any:
        params = _params(self)
        account_id, err = _target_account(self, params)
        if err:
            return err
        region = params.get("RegionName")
        state = _state(account_id)
        if region not in state:
            return _rest_json_error(400, "ValidationException", f"Invalid region: {region}", reason="fieldValidationFailed")
        return json.dumps({"RegionName": region, "RegionOptStatus": state[region]}), {"Content-Type": "application/json"}

    def _set(self: Any, new_status: str) -> Any:
        params = _params(self)
        account_id, err = _target_account(self, params)
        if err:
            return err
        region = params.get("RegionName")
        state = _state(account_id)
        if region not in state:
            return _rest_json_error(400, "ValidationException", f"Invalid region: {region}", reason="fieldValidationFailed")
        if state[region] == "ENABLED_BY_DEFAULT":
            return _rest_json_error(
                400, "ValidationException",
                f"{region} is enabled by default and cannot be enabled or disabled.",
                reason="invalidRegionOptTarget",
            )
        # Real AWS passes through ENABLING / DISABLING for minutes to hours; the
        # emulator settles at once so tests do not have to poll.
        state[region] = new_status
        return "", {"Content-Type": "application/json"}

    def enable_region(self: Any) -> Any:
        return _set(self, "ENABLED")

    def disable_region(self: Any) -> Any:
        return _set(self, "DISABLED")

    AccountResponse.list_regions = list_regions
    AccountResponse.get_region_opt_status = get_region_opt_status
    AccountResponse.enable_region = enable_region
    AccountResponse.disable_region = disable_region


def _rest_json_error(status: int, code: str, message: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    body = {"message": message}
    body.update(extra)
    return json.dumps(body), {
        "status": status,
        "Content-Type": "application/json",
        "x-amzn-ErrorType": code,
    }


# --------------------------------------------------------------------------------------
# c. STS AssumeRole honours role existence and trust policy
# --------------------------------------------------------------------------------------


def _condition_allows_external_id(condition: dict[str, Any], external_id: str | None) -> bool:
    """Evaluate only the sts:ExternalId keys of a trust-policy Condition block.

    Other condition keys (aws:PrincipalOrgID, MFA, source IP...) cannot be evaluated
    faithfully by an emulator; they are treated as satisfied.
    """
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            continue
        for key, expected in keys.items():
            if key.lower() != "sts:externalid":
                continue
            values = [str(v) for v in _as_list(expected)]
            op = operator.replace("IfExists", "")
            if operator.endswith("IfExists") and external_id is None:
                continue
            if op in ("StringEquals", "ForAnyValue:StringEquals"):
                ok = external_id is not None and external_id in values
            elif op == "StringEqualsIgnoreCase":
                ok = external_id is not None and external_id.lower() in [v.lower() for v in values]
            elif op == "StringLike":
                ok = external_id is not None and any(_glob(external_id, v) for v in values)
            elif op == "StringNotEquals":
                ok = external_id is None or external_id not in values
            elif op == "StringNotLike":
                ok = external_id is None or not any(_glob(external_id, v) for v in values)
            elif op == "Null":
                want_null = str(values[0]).lower() == "true"
                ok = (external_id is None) == want_null
            else:
                ok = external_id is not None and external_id in values
            if not ok:
                return False
    return True


def _trust_allows(document: Any, caller: dict[str, Any], external_id: str | None) -> bool:
    if isinstance(document, str):
        from urllib.parse import unquote

        try:
            document = json.loads(document)
        except ValueError:
            try:
                document = json.loads(unquote(document))
            except ValueError:
                return False
    allowed = False
    for stmt in _as_list(document.get("Statement")):
        if not isinstance(stmt, dict):
            continue
        if not any(_glob("sts:AssumeRole", a, case_insensitive=True) for a in _as_list(stmt.get("Action"))):
            continue
        if not _principal_matches(stmt.get("Principal"), caller):
            continue
        if not _condition_allows_external_id(stmt.get("Condition") or {}, external_id):
            continue
        if stmt.get("Effect") == "Deny":
            return False
        if stmt.get("Effect") == "Allow":
            allowed = True
    return allowed


def patch_sts(expiration_seconds: int | None = None) -> None:
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends
    from moto.sts.responses import TokenResponse

    orig_assume_role = TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        # moto lets anyone assume any role ARN, even one that does not exist ("the role
        # does not need to exist"). AWS refuses with 403 AccessDenied when the role is
        # missing from the target account's IAM, when its trust policy does not trust
        # the caller, or when an sts:ExternalId condition does not match the request's
        # ExternalId. The scanner relies on that to report accounts it cannot enter.
        role_arn = self._get_param("RoleArn") or ""
        external_id = self._get_param("ExternalId")
        caller = _caller(self.access_key, self.current_account)
        m = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)", role_arn)
        allowed = False
        if m:
            target_account, role_name = m.group(1), m.group(2)
            iam_for_account = dict.get(iam_backends, target_account)
            role = None
            if iam_for_account is not None:
                try:
                    role = iam_for_account["aws"].get_role(role_name)
                except Exception:  # NotFoundException
                    role = None
            if role is not None and role.arn == role_arn:
                allowed = _trust_allows(role.assume_role_policy_document, caller, external_id)
        if not allowed:
            _, user_arn, _ = sts_backends[self.current_account]["aws"].get_caller_identity(
                self.access_key, self.region
            )
            body = (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                "<Error><Type>Sender</Type><Code>AccessDenied</Code>"
                f"<Message>User: {user_arn} is not authorized to perform: sts:AssumeRole "
                f"on resource: {role_arn}</Message></Error>"
                f"<RequestId>{_request_id(36)}</RequestId></ErrorResponse>"
            )
            return body, {"status": 403, "Content-Type": "text/xml"}
        return orig_assume_role(self)

    TokenResponse.assume_role = assume_role

    if expiration_seconds is not None:
        # Test knob (--sts-expiration-seconds), not an AWS behaviour: credentials that expire
        # N seconds after they are issued, whatever DurationSeconds asked for, so a test can
        # prove the scanner fetches new ones instead of reading with expired ones.
        from moto.sts.models import STSBackend

        orig_backend_assume_role = STSBackend.assume_role

        def short_lived(self: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["duration"] = expiration_seconds
            return orig_backend_assume_role(self, *args, **kwargs)

        STSBackend.assume_role = short_lived


# --------------------------------------------------------------------------------------
# d. Organizations CreateAccount: OrganizationAccountAccessRole with AdministratorAccess
# --------------------------------------------------------------------------------------

_ADMIN_POLICY_DATA: dict[str, Any] | None = None


def _administrator_access_policy(iam_backend: Any) -> Any:
    """The AWS-managed AdministratorAccess policy, registered in that account's IAM."""
    global _ADMIN_POLICY_DATA
    from moto.iam.models import AWSManagedPolicy

    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    if arn in iam_backend.managed_policies:
        return iam_backend.managed_policies[arn]
    if _ADMIN_POLICY_DATA is None:
        from moto.iam.aws_managed_policies import aws_managed_policies_data

        _ADMIN_POLICY_DATA = json.loads(aws_managed_policies_data)["AdministratorAccess"]
    policy = AWSManagedPolicy.from_data(
        "AdministratorAccess", iam_backend.account_id, iam_backend.region_name, _ADMIN_POLICY_DATA
    )
    iam_backend.managed_policies[policy.arn] = policy
    return policy


def patch_organizations() -> None:
    from moto.iam.models import iam_backends
    from moto.organizations.models import OrganizationsBackend

    orig_create_account = OrganizationsBackend.create_account

    def create_account(self: Any, **kwargs: Any) -> Any:
        # AWS creates, in every account created through CreateAccount, the role
        # OrganizationAccountAccessRole (or the RoleName given) trusting the management
        # account and carrying the AWS-managed AdministratorAccess policy. moto 5.2.5
        # creates the role with the trust policy but attaches nothing (AWS-managed
        # policies are not even loaded unless MOTO_IAM_LOAD_MANAGED_POLICIES is set), so
        # ListAttachedRolePolicies / DetachRolePolicy would not match AWS.
        result = orig_create_account(self, **kwargs)
        account_id = result["CreateAccountStatus"]["AccountId"]
        role_name = kwargs.get("RoleName") or "OrganizationAccountAccessRole"
        iam = iam_backends[account_id]["aws"]
        try:
            role = iam.get_role(role_name)
        except Exception:
            role = iam.create_role(
                role_name=role_name,
                assume_role_policy_document=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{self.account_id}:root"},
                        "Action": "sts:AssumeRole",
                    }],
                }),
                path="/", permissions_boundary=None, description="", tags=[],
                max_session_duration="3600",
            )
        policy = _administrator_access_policy(iam)
        if policy.arn not in role.managed_policies:
            policy.attach_to(role)
        return result

    OrganizationsBackend.create_account = create_account


# --------------------------------------------------------------------------------------
# e. + f. CloudTrail: account-wide ListTrails, org trails, GetTrailStatus facts
# --------------------------------------------------------------------------------------

DEFAULT_EVENT_SELECTORS = [{
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}]

TRAIL_ARN_RE = re.compile(r"arn:(aws[a-z-]*):cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)")


def _all_trails(account_id: str) -> list[Any]:
    """Every trail of an account, whatever its home region."""
    from moto.cloudtrail.models import cloudtrail_backends

    per_account = dict.get(cloudtrail_backends, account_id)
    if per_account is None:
        return []
    trails = []
    for backend in list(dict.values(per_account)):
        trails.extend(list(backend.trails.values()))
    return trails


def _org_trails_visible_to(account_id: str) -> list[Any]:
    """Organization trails of the management account, as a member account sees them."""
    management = _org_management_account(account_id)
    if management is None or management == account_id:
        return []
    return [t for t in _all_trails(management) if t.is_org_trail]


def _visible_from_region(trail: Any, region: str) -> bool:
    # A multi-region trail has a shadow in every region; a single-region trail exists
    # only in its home region.
    return trail.region_name == region or bool(trail.is_multi_region)


def _find_trail(account_id: str, region: str, name_or_arn: str) -> Any:
    """Resolve a trail name or ARN the way CloudTrail read operations do.

    A name designates a trail homed in the caller's current region. Shadow trails
    (multi-region trails seen from another region) and the organization trails a member
    account receives must be designated by their full ARN.
    """
    m = TRAIL_ARN_RE.fullmatch(name_or_arn or "")
    if not m:
        for trail in _all_trails(account_id):
            if trail.trail_name == name_or_arn and trail.region_name == region:
                return trail
        return None
    _, home_region, owner, name = m.groups()
    candidates: list[Any] = []
    if owner == account_id:
        candidates = _all_trails(account_id)
    elif owner == _org_management_account(account_id):
        candidates = _org_trails_visible_to(account_id)
    for trail in candidates:
        if trail.arn == name_or_arn and _visible_from_region(trail, region):
            return trail
    return None


def _trail_not_found(account_id: str, region: str, name: str) -> Any:
    from moto.cloudtrail.exceptions import TrailNotFoundException

    arn = name if name and name.startswith("arn:") else f"arn:aws:cloudtrail:{region}:{account_id}:trail/{name}"
    return TrailNotFoundException(account_id=account_id, name=arn)


def _trail_description(trail: Any) -> dict[str, Any]:
    """GetTrail / DescribeTrails element as AWS returns it (unset fields omitted)."""
    desc: dict[str, Any] = {
        "Name": trail.trail_name,
        "S3BucketName": trail.bucket_name,
        "S3KeyPrefix": trail.s3_key_prefix,
        "SnsTopicName": trail.sns_topic_name,
        "SnsTopicARN": trail.topic_arn,
        "IncludeGlobalServiceEvents": bool(trail.include_global_service_events),
        "IsMultiRegionTrail": bool(trail.is_multi_region),
        "HomeRegion": trail.region_name,
        "TrailARN": trail.arn,
        "LogFileValidationEnabled": bool(trail.log_validation),
        "CloudWatchLogsLogGroupArn": trail.cw_log_group_arn,
        "CloudWatchLogsRoleArn": trail.cw_role_arn,
        "KmsKeyId": trail.kms_key_id,
        "HasCustomEventSelectors": bool(getattr(trail, "tw_custom_selectors", False)),
        "HasInsightSelectors": bool(trail.insight_selectors),
        "IsOrganizationTrail": bool(trail.is_org_trail),
    }
    return {k: v for k, v in desc.items() if v is not None and v != ""}


def _kms_key_problem(key_ref: str, trail: Any) -> str | None:
    """Why CloudTrail could not use this KMS key, in its LatestDeliveryError wording."""
    from moto.kms.models import kms_backends

    m = re.fullmatch(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)", key_ref)
    if m:
        region, account, kind, ident = m.groups()
        ref = ident if kind == "key" else f"alias/{ident}"
    else:
        region, account, ref = trail.region_name, trail.account_id, key_ref
    per_account = dict.get(kms_backends, account)
    backend = dict.get(per_account, region) if per_account is not None else None
    key = None
    if backend is not None:
        try:
            key = backend.keys.get(backend.any_id_to_key_id(ref))
        except Exception:
            key = None
    if key is None:
        return "KMS.NotFoundException"
    if key.key_state == "PendingDeletion":
        return "KMS.KMSInvalidStateException"
    if key.key_state != "Enabled" or not key.enabled:
        return "KMS.DisabledException"
    return None


def _log_group_exists(arn: str) -> bool:
    from moto.logs.models import logs_backends

    m = re.fullmatch(r"arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(:\*)?", arn or "")
    if not m:
        return False
    region, account, name = m.group(1), m.group(2), m.group(3)
    per_account = dict.get(logs_backends, account)
    backend = dict.get(per_account, region) if per_account is not None else None
    return backend is not None and name in backend.groups


def _topic_exists(trail: Any) -> bool:
    from moto.sns.models import sns_backends

    per_account = dict.get(sns_backends, trail.account_id)
    backend = dict.get(per_account, trail.region_name) if per_account is not None else None
    return backend is not None and trail.topic_arn in backend.topics


def _trail_status(trail: Any) -> dict[str, Any]:
    """GetTrailStatus derived from the resources the trail points at.

    moto only reports IsLogging / LatestDeliveryTime (always "now" while logging) and
    never the error / digest / CloudWatch Logs / notification facts, so every trail
    looks healthy. CloudTrail's real answers follow from whether the delivery targets
    exist: a deleted bucket gives LatestDeliveryError NoSuchBucket, an unusable KMS key
    a KMS.* error, a missing log group a CloudWatch Logs error, and so on.
    """
    from moto.s3.models import s3_backends

    st = trail.status
    out: dict[str, Any] = {
        "IsLogging": bool(st.is_logging),
        "LatestDeliveryAttemptTime": "",
        "LatestNotificationAttemptTime": "",
        "LatestNotificationAttemptSucceeded": "",
        "LatestDeliveryAttemptSucceeded": "",
        "TimeLoggingStarted": "",
        "TimeLoggingStopped": "",
    }
    if st.started:
        started = st.started.replace(tzinfo=timezone.utc).timestamp()
        out["StartLoggingTime"] = int(started)
        out["TimeLoggingStarted"] = _iso(started)
    if st.stopped:
        stopped = st.stopped.replace(tzinfo=timezone.utc).timestamp()
        out["StopLoggingTime"] = int(stopped)
        out["TimeLoggingStopped"] = _iso(stopped)
    if not st.is_logging:
        # A stopped (or never started) trail delivers nothing: no fresh delivery facts.
        return out
    now = int(time.time())
    bucket_error = None
    if trail.bucket_name not in s3_backends.bucket_accounts:
        bucket_error = "NoSuchBucket"
    delivery_error = bucket_error
    if not delivery_error and trail.kms_key_id:
        delivery_error = _kms_key_problem(trail.kms_key_id, trail)
    out["LatestDeliveryAttemptTime"] = _iso(now)
    if delivery_error:
        out["LatestDeliveryError"] = delivery_error
    else:
        out["LatestDeliveryTime"] = now
        out["LatestDeliveryAttemptSucceeded"] = _iso(now)
    if trail.log_validation:
        # Digest files are always SSE-S3 encrypted (never with the trail's KMS key),
        # so only a bucket problem stops them.
        if bucket_error:
            out["LatestDigestDeliveryError"] = bucket_error
        else:
            # o. CloudTrail reports when it last delivered a digest; tests that wrote a
            # digest chain (chain.py) set that time with
            # POST /_trailwarden/cloudtrail/digest-delivery, otherwise "now".
            out["LatestDigestDeliveryTime"] = _DIGEST_DELIVERY.get(trail.arn, now)
    if trail.cw_log_group_arn and trail.cw_role_arn:
        if _log_group_exists(trail.cw_log_group_arn):
            out["LatestCloudWatchLogsDeliveryTime"] = now
        else:
            out["LatestCloudWatchLogsDeliveryError"] = "ResourceNotFoundException"
    if trail.sns_topic_name and not delivery_error:
        out["LatestNotificationAttemptTime"] = _iso(now)
        if _topic_exists(trail):
            out["LatestNotificationTime"] = now
            out["LatestNotificationAttemptSucceeded"] = _iso(now)
        else:
            out["LatestNotificationError"] = "NotFound"
    return out


def _normalise_event_selector(sel: dict[str, Any]) -> dict[str, Any]:
    """Fill the defaults AWS fills in and echoes back on GetEventSelectors."""
    out = {
        "ReadWriteType": sel.get("ReadWriteType", "All"),
        "IncludeManagementEvents": sel.get("IncludeManagementEvents", True),
        "DataResources": sel.get("DataResources", []) or [],
        "ExcludeManagementEventSources": sel.get("ExcludeManagementEventSources", []) or [],
    }
    return out


def _ct_json(obj: Any) -> tuple[str, dict[str, str]]:
    # CloudTrail speaks awsJson1_1; moto's string returns go out as text/html.
    return json.dumps(obj), {"Content-Type": "application/x-amz-json-1.1"}


def patch_cloudtrail() -> None:
    from moto.cloudtrail.exceptions import InvalidParameterCombinationException
    from moto.cloudtrail.models import cloudtrail_backends
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    class _CTError(JsonRESTError):
        code = 400

    def _p(self: Any) -> dict[str, Any]:
        try:
            return json.loads(self.body) if self.body else {}
        except ValueError:
            return {}

    def _home_trail(self: Any, name_or_arn: str) -> Any:
        """Trail a mutating call addresses: must be the caller's own, in its home region."""
        m = TRAIL_ARN_RE.fullmatch(name_or_arn or "")
        name = m.group(4) if m else name_or_arn
        if m and m.group(3) != self.current_account:
            raise _trail_not_found(self.current_account, self.region, name_or_arn)
        backend = cloudtrail_backends[self.current_account][self.region]
        trail = backend.trails.get(name)
        if trail is not None and (not m or trail.arn == name_or_arn):
            return trail
        for other in _all_trails(self.current_account):
            if other.trail_name == name and (not m or other.arn == name_or_arn):
                # AWS: mutating operations must be called in the trail's home region.
                raise _CTError(
                    "InvalidHomeRegionException",
                    "This operation must be called from the trail's home region "
                    f"({other.region_name}).",
                )
        raise _trail_not_found(self.current_account, self.region, name_or_arn)

    def _read_trail(self: Any, name_or_arn: str) -> Any:
        trail = _find_trail(self.current_account, self.region, name_or_arn)
        if trail is None:
            raise _trail_not_found(self.current_account, self.region, name_or_arn)
        return trail

    orig_create_trail = CloudTrailResponse.create_trail

    def create_trail(self: Any) -> Any:
        params = _p(self)
        # AWS refuses a second trail of the same name (TrailAlreadyExistsException);
        # moto silently replaces the first one.
        for existing in _all_trails(self.current_account):
            if existing.trail_name == params.get("Name") and (
                existing.region_name == self.region or existing.is_multi_region
                or params.get("IsMultiRegionTrail")
            ):
                raise _CTError("TrailAlreadyExistsException",
                               f"Trail {existing.arn} already exists for customer: {self.current_account}")
        # AWS only lets the management account of an all-features organization, with
        # trusted access enabled for CloudTrail, create an organization trail; moto
        # accepts IsOrganizationTrail from anyone.
        if params.get("IsOrganizationTrail"):
            management = _org_management_account(self.current_account)
            if management is None:
                raise _CTError("OrganizationsNotInUseException",
                               "This account is not a member of an organization.")
            if management != self.current_account:
                raise _CTError("NotOrganizationMasterAccountException",
                               "The account is not the management account of the organization.")
            org_backend = _organization_of(management)
            if org_backend.org.feature_set != "ALL":
                raise _CTError("OrganizationNotInAllFeaturesModeException",
                               "The organization does not have all features enabled.")
            services = [s.get("ServicePrincipal") for s in org_backend.services]
            if "cloudtrail.amazonaws.com" not in services:
                raise _CTError("CloudTrailAccessNotEnabledException",
                               "Trusted access for CloudTrail is not enabled in the organization.")
        # AWS resolves KmsKeyId (key id, alias, ARN) to the key ARN, stores and returns
        # the ARN, and refuses a key that does not exist; moto stores the raw string.
        kms_arn = None
        if params.get("KmsKeyId"):
            kms_arn = _resolve_kms_arn(params["KmsKeyId"], self.current_account, self.region)
            if kms_arn is None:
                raise _CTError("KmsKeyNotFoundException",
                               f"KMS key {params['KmsKeyId']} does not exist.")
        if params.get("IsMultiRegionTrail") and params.get("IncludeGlobalServiceEvents") is False:
            raise InvalidParameterCombinationException(
                "Multi-Region trail must include global service events.")
        orig_create_trail(self)
        trail = cloudtrail_backends[self.current_account][self.region].trails[params["Name"]]
        if kms_arn:
            trail.kms_key_id = kms_arn
        # A new trail logs all management events (one default classic selector) and
        # has no custom selectors; moto starts with no selector at all.
        trail.event_selectors = [dict(s) for s in DEFAULT_EVENT_SELECTORS]
        trail.advanced_event_selectors = []
        trail.tw_custom_selectors = False
        desc = _trail_description(trail)
        desc.pop("HomeRegion", None)  # CreateTrail's response has no HomeRegion
        desc.pop("HasCustomEventSelectors", None)
        desc.pop("HasInsightSelectors", None)
        return _ct_json(desc)

    orig_update_trail = CloudTrailResponse.update_trail

    def update_trail(self: Any) -> Any:
        params = _p(self)
        trail = _home_trail(self, params.get("Name"))
        kms_arn = None
        if params.get("KmsKeyId"):
            kms_arn = _resolve_kms_arn(params["KmsKeyId"], self.current_account, self.region)
            if kms_arn is None:
                raise _CTError("KmsKeyNotFoundException",
                               f"KMS key {params['KmsKeyId']} does not exist.")
        if TRAIL_ARN_RE.fullmatch(params.get("Name") or ""):
            body = dict(params, Name=trail.trail_name)
            self.body = json.dumps(body)
        orig_update_trail(self)
        if kms_arn:
            trail.kms_key_id = kms_arn
        desc = _trail_description(trail)
        desc.pop("HomeRegion", None)
        desc.pop("HasCustomEventSelectors", None)
        desc.pop("HasInsightSelectors", None)
        return _ct_json(desc)

    def list_trails(self: Any) -> Any:
        # e. AWS ListTrails is account-wide: every trail of the account whatever its home
        # region, plus (in a member account) the organization trails of the management
        # account. moto lists only the current region's trails and multi-region shadows.
        trails = _all_trails(self.current_account) + _org_trails_visible_to(self.current_account)
        items = [
            {"TrailARN": t.arn, "Name": t.trail_name, "HomeRegion": t.region_name}
            for t in sorted(trails, key=lambda t: t.arn)
        ]
        return _ct_json({"Trails": items})

    def describe_trails(self: Any) -> Any:
        # AWS DescribeTrails: trails homed in this region, plus (includeShadowTrails,
        # default true) multi-region trails homed elsewhere and the organization trails
        # a member account receives; trailNameList filters by name or ARN. moto ignores
        # trailNameList, omits org trails and answers HomeRegion-less, null-filled items.
        params = _p(self)
        include_shadow = params.get("includeShadowTrails", True)
        names = params.get("trailNameList") or []
        own = _all_trails(self.current_account)
        org = _org_trails_visible_to(self.current_account)
        if names:
            found = []
            for name in names:
                t = _find_trail(self.current_account, self.region, name)
                if t is not None and t not in found and (include_shadow or t.region_name == self.region):
                    found.append(t)
            selected = found
        else:
            selected = [t for t in own if t.region_name == self.region]
            if include_shadow:
                selected += [t for t in own if t.region_name != self.region and t.is_multi_region]
                selected += [t for t in org if _visible_from_region(t, self.region)]
        return _ct_json({"trailList": [_trail_description(t) for t in selected]})

    # GetTrail / GetTrailStatus / GetEventSelectors / GetInsightSelectors: AWS resolves
    # a shadow trail or (from a member account) an organization trail given its full ARN
    # (see _find_trail); moto looks only at the caller's trails of the current region,
    # so a member account could not read the org trail it is subject to.
    def get_trail(self: Any) -> Any:
        # AWS's GetTrail carries HomeRegion and omits unset members; moto omits
        # HomeRegion and sends nulls.
        trail = _read_trail(self, _p(self).get("Name"))
        return _ct_json({"Trail": _trail_description(trail)})

    def get_trail_status(self: Any) -> Any:
        # f. delivery facts derived from the targets, see _trail_status.
        trail = _read_trail(self, _p(self).get("Name"))
        return _ct_json(_trail_status(trail))

    def get_event_selectors(self: Any) -> Any:
        trail = _read_trail(self, _p(self).get("TrailName"))
        out: dict[str, Any] = {"TrailARN": trail.arn}
        # AWS returns exactly one of the two selector kinds (moto returns both, empty
        # ones included), and a trail never given selectors has the default one.
        if trail.advanced_event_selectors:
            out["AdvancedEventSelectors"] = trail.advanced_event_selectors
        else:
            out["EventSelectors"] = trail.event_selectors
        return _ct_json(out)

    def put_event_selectors(self: Any) -> Any:
        params = _p(self)
        trail = _home_trail(self, params.get("TrailName"))
        classic = params.get("EventSelectors")
        advanced = params.get("AdvancedEventSelectors")
        if classic and advanced:
            raise InvalidParameterCombinationException(
                "You cannot use EventSelectors and AdvancedEventSelectors in the same request.")
        if not classic and not advanced:
            raise _CTError("InvalidEventSelectorsException",
                           "You must specify EventSelectors or AdvancedEventSelectors.")
        # AWS replaces whichever kind was set before (moto kept stale selectors of the
        # other kind) and echoes the stored selectors with their defaults filled in.
        if classic:
            trail.event_selectors = [_normalise_event_selector(s) for s in classic]
            trail.advanced_event_selectors = []
            out = {"TrailARN": trail.arn, "EventSelectors": trail.event_selectors}
        else:
            trail.event_selectors = []
            trail.advanced_event_selectors = advanced
            out = {"TrailARN": trail.arn, "AdvancedEventSelectors": advanced}
        trail.tw_custom_selectors = True
        return _ct_json(out)

    def put_insight_selectors(self: Any) -> Any:
        # AWS replaces the trail's insight selectors (an empty list turns Insights off);
        # moto appends to the previous list.
        params = _p(self)
        trail = _home_trail(self, params.get("TrailName"))
        selectors = params.get("InsightSelectors") or []
        trail.insight_selectors = list(selectors)
        return _ct_json({"TrailARN": trail.arn, "InsightSelectors": trail.insight_selectors})

    def get_insight_selectors(self: Any) -> Any:
        # AWS: GetInsightSelectors on a trail without Insights throws
        # InsightNotEnabledException; moto answers an empty success.
        trail = _read_trail(self, _p(self).get("TrailName"))
        if not trail.insight_selectors:
            raise _CTError(
                "InsightNotEnabledException",
                f"Trail {trail.arn} does not have Insights enabled. "
                "Enable Insights on the trail, and then try the operation again.",
            )
        return _ct_json({"TrailARN": trail.arn, "InsightSelectors": trail.insight_selectors})

    def start_logging(self: Any) -> Any:
        _home_trail(self, _p(self).get("Name")).start_logging()
        return _ct_json({})

    def stop_logging(self: Any) -> Any:
        _home_trail(self, _p(self).get("Name")).stop_logging()
        return _ct_json({})

    def delete_trail(self: Any) -> Any:
        # AWS accepts a name or an ARN, and answers TrailNotFoundException for an
        # unknown trail; moto accepts only names and silently succeeds.
        trail = _home_trail(self, _p(self).get("Name"))
        del cloudtrail_backends[self.current_account][self.region].trails[trail.trail_name]
        return _ct_json({})

    for fn in (create_trail, update_trail, list_trails, describe_trails, get_trail,
               get_trail_status, get_event_selectors, put_event_selectors,
               put_insight_selectors, get_insight_selectors, start_logging,
               stop_logging, delete_trail):
        setattr(CloudTrailResponse, fn.__name__, fn)


# --------------------------------------------------------------------------------------
# o. CloudTrail ListPublicKeys and the digest delivery time
# --------------------------------------------------------------------------------------

# Public keys per region, registered through POST /_trailwarden/cloudtrail/public-keys
# (see HarnessRoutes): {region: [{"der": bytes, "valid_from": int, "valid_to": int,
# "fingerprint": str}]}. Not per account: CloudTrail's signing keys belong to the region.
_PUBLIC_KEYS: dict[str, list[dict[str, Any]]] = {}
# LatestDigestDeliveryTime per trail ARN, set through POST /_trailwarden/cloudtrail/digest-delivery.
_DIGEST_DELIVERY: dict[str, int] = {}


def register_public_key(region: str, der: bytes, valid_from: int, valid_to: int,
                        fingerprint: str | None = None) -> dict[str, Any]:
    """Add one key to a region's ListPublicKeys answer; the fingerprint defaults to the
    lowercase hex MD5 of the DER bytes, as CloudTrail computes it."""
    import hashlib

    entry = {
        "der": der,
        "valid_from": int(valid_from),
        "valid_to": int(valid_to),
        "fingerprint": fingerprint if fingerprint is not None else hashlib.md5(der).hexdigest(),
    }
    for known in _PUBLIC_KEYS.setdefault(region, []):
        if known["der"] == der and known["fingerprint"] == entry["fingerprint"]:
            # The same key registered again (several chains sharing one region key):
            # one key, its validity window widened to cover both registrations.
            known["valid_from"] = min(known["valid_from"], entry["valid_from"])
            known["valid_to"] = max(known["valid_to"], entry["valid_to"])
            return known
    _PUBLIC_KEYS[region].append(entry)
    return entry


def clear_public_keys(region: str | None = None) -> None:
    if region is None:
        _PUBLIC_KEYS.clear()
    else:
        _PUBLIC_KEYS.pop(region, None)


def _epoch_param(value: Any) -> float | None:
    """A JSON 1.1 timestamp member: epoch seconds (botocore sends a number)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def patch_cloudtrail_public_keys() -> None:
    """ListPublicKeys, which moto does not implement (UnknownOperation / 404).

    AWS: ``ListPublicKeys(StartTime?, EndTime?, NextToken?)`` "returns all public keys whose
    private keys were used to sign the digest files within the specified time range", in
    the region called: CloudTrail signs digests with one key pair per region and rotates
    it (validity windows of about 30 days, which may overlap). Each element is
    ``{Value: blob (base64 on the wire), ValidityStartTime, ValidityEndTime, Fingerprint}``;
    Value is the DER PKCS#1 RSAPublicKey, Fingerprint the lowercase hex MD5 of those
    bytes. StartTime absent means "from the beginning", EndTime absent means now; a start
    after the end is InvalidTimeRangeException. NextToken is "reserved for future use":
    every answer is one page and carries no NextToken.

    The emulator answers the keys registered for the request's region (from the SigV4
    credential scope) whose validity window [ValidityStartTime, ValidityEndTime] overlaps
    [StartTime, EndTime]; keys are registered by the tests through the harness route
    ``POST /_trailwarden/cloudtrail/public-keys`` (chain.py does it).
    """
    import base64

    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    class _CTError(JsonRESTError):
        code = 400

    def list_public_keys(self: Any) -> Any:
        try:
            params = json.loads(self.body) if self.body else {}
        except ValueError:
            params = {}
        m = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        region = m.group(1) if m else self.region
        try:
            start = _epoch_param(params.get("StartTime"))
            end = _epoch_param(params.get("EndTime"))
        except ValueError:
            raise _CTError("InvalidTimeRangeException",
                           "Occurs if the timestamp values are not valid.")
        if end is None:
            end = time.time()
        if start is not None and start > end:
            raise _CTError(
                "InvalidTimeRangeException",
                "Occurs if the timestamp values are not valid. Either the start time occurs "
                "after the end time, or the time range is outside the range of possible values.",
            )
        keys = [
            {
                "Value": base64.b64encode(k["der"]).decode("ascii"),
                "ValidityStartTime": k["valid_from"],
                "ValidityEndTime": k["valid_to"],
                "Fingerprint": k["fingerprint"],
            }
            for k in _PUBLIC_KEYS.get(region, [])
            if k["valid_from"] <= end and (start is None or k["valid_to"] >= start)
        ]
        return _ct_json({"PublicKeyList": keys})

    CloudTrailResponse.list_public_keys = list_public_keys


def _resolve_kms_arn(key_ref: str, account_id: str, region: str) -> str | None:
    from moto.kms.models import kms_backends

    m = re.fullmatch(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)", key_ref)
    if m:
        region, account_id, kind, ident = m.groups()
        ref = ident if kind == "key" else f"alias/{ident}"
    else:
        ref = key_ref
    backend = kms_backends[account_id][region]
    try:
        key_id = backend.any_id_to_key_id(ref)
    except Exception:
        return None
    key = backend.keys.get(key_id) if key_id else None
    return key.arn if key is not None else None


# --------------------------------------------------------------------------------------
# KMS cross-account reads (DescribeKey / GetKeyRotationStatus by key ARN)
# --------------------------------------------------------------------------------------


def _key_policy_allows(policy_doc: str, action: str, caller: dict[str, Any]) -> bool:
    """Allow statements of a key policy that cover the caller for `action`.

    Evaluated condition keys: aws:PrincipalOrgID, aws:PrincipalAccount,
    kms:CallerAccount; any other condition key is treated as satisfied.
    """
    try:
        doc = json.loads(policy_doc)
    except (TypeError, ValueError):
        return False
    caller_org = None
    management = _org_management_account(caller["account"])
    if management:
        org_backend = _organization_of(management)
        caller_org = org_backend.org.id if org_backend else None
    facts = {
        "aws:principalorgid": caller_org,
        "aws:principalaccount": caller["account"],
        "kms:calleraccount": caller["account"],
    }
    for stmt in _as_list(doc.get("Statement")):
        if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow":
            continue
        if not _principal_matches(stmt.get("Principal"), caller):
            continue
        if not any(_glob(action, a, case_insensitive=True) for a in _as_list(stmt.get("Action"))):
            continue
        ok = True
        for operator, keys in (stmt.get("Condition") or {}).items():
            for key, expected in (keys or {}).items():
                if key.lower() in facts and operator.startswith("String"):
                    value = facts[key.lower()]
                    ok = ok and value is not None and any(_glob(value, str(e)) for e in _as_list(expected))
        if ok:
            return True
    return False


def patch_kms() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.kms.models import kms_backends
    from moto.kms.responses import KmsResponse

    class _KmsAccessDenied(JsonRESTError):
        code = 400

    def cross_account(method_name: str, action: str) -> None:
        orig = getattr(KmsResponse, method_name)

        def wrapper(self: Any) -> Any:
            # AWS lets DescribeKey / GetKeyRotationStatus name a key of another account by
            # its ARN, and answers AccessDeniedException unless that key's policy grants
            # the caller. moto strips the ARN to a bare key id and looks in the caller's
            # own account, answering NotFoundException for a key that does exist (e.g.
            # the management account's org-trail key seen from a member account).
            key_ref = self._get_param("KeyId") or ""
            m = re.fullmatch(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)", key_ref)
            if not m or m.group(2) == self.current_account:
                return orig(self)
            region, owner, key_id = m.groups()
            per_account = dict.get(kms_backends, owner)
            backend = dict.get(per_account, region) if per_account is not None else None
            key = backend.keys.get(key_id) if backend is not None else None
            if key is None:
                return orig(self)  # NotFoundException, as AWS
            caller = _caller(self.access_key, self.current_account)
            if not _key_policy_allows(key.policy, action, caller):
                from moto.sts.models import sts_backends

                _, user_arn, _ = sts_backends[self.current_account]["aws"].get_caller_identity(
                    self.access_key, self.region)
                raise _KmsAccessDenied(
                    "AccessDeniedException",
                    f"User: {user_arn} is not authorized to perform: {action} on resource: "
                    f"{key.arn} because no resource-based policy allows the {action} action",
                )
            saved = self.current_account, self.region
            self.current_account, self.region = owner, region
            try:
                return orig(self)
            finally:
                self.current_account, self.region = saved

        setattr(KmsResponse, method_name, wrapper)

    cross_account("describe_key", "kms:DescribeKey")
    cross_account("get_key_rotation_status", "kms:GetKeyRotationStatus")


# --------------------------------------------------------------------------------------
# k. CloudWatch alarm queries (DescribeAlarms / DescribeAlarmsForMetric / DeleteAlarms)
# --------------------------------------------------------------------------------------

ALARM_TYPES = ("CompositeAlarm", "MetricAlarm", "LogAlarm")


def _cw_error(code: str, message: str) -> Exception:
    """A CloudWatch error moto serialises with the model's status (code = error code)."""
    from moto.cloudwatch.exceptions import CloudWatchException

    return CloudWatchException(code, message)


def _page_token(kind: str, offset: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"trailwarden:{kind}:{offset}".encode()).decode()


def _page_offset(kind: str, token: str | None) -> int | None:
    """Offset encoded in a token from _page_token; None if the token is not one of ours."""
    import base64
    import binascii

    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    m = re.fullmatch(rf"trailwarden:{re.escape(kind)}:(\d+)", text)
    return int(m.group(1)) if m else None


def _dimension_set(dims: Any) -> set[tuple[str, str]]:
    out = set()
    for d in _as_list(dims):
        if isinstance(d, dict):
            out.add((str(d.get("Name")), str(d.get("Value"))))
        else:  # moto's Dimension object
            out.add((str(d.name), str(d.value)))
    return out


def patch_cloudwatch() -> None:
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult, EmptyResult

    def describe_alarms(self: Any) -> Any:
        # AWS DescribeAlarms combines its filters (AlarmNames or AlarmNamePrefix, with
        # StateValue and ActionPrefix), returns only metric alarms unless AlarmTypes asks
        # for composite ones, lists alarms by name and pages with MaxRecords (1-100,
        # default 50) / NextToken. moto applies only the first filter it finds, ignores
        # AlarmTypes (composite alarms always come back) and never pages, so a scanner
        # filtering by name prefix and state, or paging, would read the wrong set.
        names = self._get_param("AlarmNames") or []
        prefix = self._get_param("AlarmNamePrefix")
        types = self._get_param("AlarmTypes") or ["MetricAlarm"]
        state = self._get_param("StateValue")
        action_prefix = self._get_param("ActionPrefix")
        max_records = self._get_param("MaxRecords")
        token = self._get_param("NextToken")
        if names and prefix:
            raise _cw_error("InvalidParameterCombination",
                            "AlarmNamePrefix and AlarmNames cannot be specified at the same time.")
        for t in types:
            if t not in ALARM_TYPES:
                raise _cw_error("ValidationError",
                                f"1 validation error detected: Value '[{t}]' at 'alarmTypes' failed to satisfy "
                                f"constraint: Member must satisfy enum value set: [{', '.join(ALARM_TYPES)}]")
        if state is not None and state not in ("OK", "ALARM", "INSUFFICIENT_DATA"):
            raise _cw_error("ValidationError",
                            f"1 validation error detected: Value '{state}' at 'stateValue' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
        limit = 50 if max_records in (None, "") else int(max_records)
        if not 1 <= limit <= 100:
            raise _cw_error("ValidationError",
                            f"1 validation error detected: Value '{limit}' at 'maxRecords' failed to satisfy "
                            "constraint: Member must have value between 1 and 100")
        offset = _page_offset("alarms", token)
        if offset is None:
            raise _cw_error("InvalidNextToken", "The service returned an invalid next token.")
        selected = []
        for alarm in sorted(self.cloudwatch_backend.alarms.values(), key=lambda a: a.name):
            kind = "CompositeAlarm" if alarm.rule is not None else "MetricAlarm"
            if kind not in types:
                continue
            if names and alarm.name not in names:
                continue
            if prefix and not alarm.name.startswith(prefix):
                continue
            if state and alarm.state_value != state:
                continue
            if action_prefix and not any(a.startswith(action_prefix) for a in alarm.alarm_actions or []):
                continue
            selected.append(alarm)
        page = selected[offset:offset + limit]
        result: dict[str, Any] = {
            "MetricAlarms": [a for a in page if a.rule is None],
            "CompositeAlarms": [a for a in page if a.rule is not None],
        }
        if offset + limit < len(selected):
            result["NextToken"] = _page_token("alarms", offset + limit)
        return ActionResult(result)

    def describe_alarms_for_metric(self: Any) -> Any:
        # AWS matches the whole metric identity: namespace, name and exactly the given
        # dimension set (none given = the dimensionless metric), then narrows by
        # Statistic / ExtendedStatistic / Period / Unit. moto compares only the name and
        # namespace, so an alarm on {"Dimensions": [...]} answered a query for the
        # dimensionless metric and vice versa.
        metric_name = self._get_param("MetricName")
        namespace = self._get_param("Namespace")
        if not metric_name or not namespace:
            missing = "MetricName" if not metric_name else "Namespace"
            raise _cw_error("ValidationError",
                            f"1 validation error detected: Value null at '{missing[0].lower() + missing[1:]}' "
                            "failed to satisfy constraint: Member must not be null")
        dims = _dimension_set(self._get_param("Dimensions") or [])
        statistic = self._get_param("Statistic")
        extended = self._get_param("ExtendedStatistic")
        period = self._get_param("Period")
        unit = self._get_param("Unit")
        out = []
        for alarm in sorted(self.cloudwatch_backend.alarms.values(), key=lambda a: a.name):
            if alarm.rule is not None or alarm.metric_name != metric_name or alarm.namespace != namespace:
                continue
            if _dimension_set(alarm.dimensions) != dims:
                continue
            if statistic and alarm.statistic != statistic:
                continue
            if extended and alarm.extended_statistic != extended:
                continue
            if period not in (None, "") and int(alarm.period or 0) != int(period):
                continue
            if unit and alarm.unit != unit:
                continue
            out.append(alarm)
        return ActionResult({"MetricAlarms": out})

    def delete_alarms(self: Any) -> Any:
        # AWS DeleteAlarms is all or nothing: if any named alarm does not exist it
        # answers ResourceNotFound (404) and deletes none; moto silently skips them.
        names = self._get_param("AlarmNames") or []
        backend = self.cloudwatch_backend
        missing = [n for n in names if n not in backend.alarms]
        if missing:
            raise _cw_error("ResourceNotFound", f"{', '.join(missing)} does not exist")
        backend.delete_alarms(names)
        return EmptyResult()

    def put_composite_alarm(self: Any) -> Any:
        # AWS PutCompositeAlarm (AlarmName, AlarmRule, actions); moto 5.2.5 stores
        # composite alarms (an Alarm with a rule) but has no handler for the operation
        # (NotImplementedError, HTTP 500). Its PutMetricAlarm handler reads AlarmRule.
        if not self._get_param("AlarmRule"):
            raise _cw_error("ValidationError", "1 validation error detected: Value null at 'alarmRule' "
                                               "failed to satisfy constraint: Member must not be null")
        return CloudWatchResponse.put_metric_alarm(self)

    CloudWatchResponse.put_composite_alarm = put_composite_alarm
    CloudWatchResponse.describe_alarms = describe_alarms
    CloudWatchResponse.describe_alarms_for_metric = describe_alarms_for_metric
    CloudWatchResponse.delete_alarms = delete_alarms


# --------------------------------------------------------------------------------------
# l. CloudWatch over Smithy RPC v2 CBOR
# --------------------------------------------------------------------------------------

CW_TARGET_PREFIX = "GraniteServiceVersion20100801"
CW_SMITHY_NAMESPACE = "com.amazonaws.cloudwatch"
# The service segment may be the bare shape name or the absolute id with '#' -> '.'.
CW_RPCV2_SERVICE_NAMES = {CW_TARGET_PREFIX, f"{CW_SMITHY_NAMESPACE}.{CW_TARGET_PREFIX}"}
# RPCV2_PATH_RE (the Smithy RPC v2 path) comes from aws_request.py.
CORAL_NAMESPACE = "com.amazon.coral.service"

_CW_MODEL = None


def _cloudwatch_model() -> Any:
    global _CW_MODEL
    if _CW_MODEL is None:
        import botocore.session

        _CW_MODEL = botocore.session.get_session().get_service_model("cloudwatch")
    return _CW_MODEL


def _cbor_request_to_json(value: Any) -> Any:
    """A decoded CBOR request value as the awsJson document moto's JSON parser reads:
    tag-1 timestamps (cbor2 gives datetimes) -> epoch seconds, byte strings -> base64,
    undefined/null -> omitted."""
    import base64

    import cbor2

    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            conv = _cbor_request_to_json(v)
            if conv is not None:
                out[str(k)] = conv
        return out
    if isinstance(value, list):
        return [_cbor_request_to_json(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, cbor2.CBORTag):
        return _cbor_request_to_json(value.value)
    if value is cbor2.undefined:
        return None
    return value


def _json_to_cbor(shape: Any, value: Any) -> Any:
    """moto's awsJson answer re-typed by the botocore output shape for CBOR.

    The Rust decoder is strict: a double must be a CBOR float (never an integer), an
    integer a CBOR integer, a timestamp tag 1 around a float of epoch seconds.
    """
    import base64

    import cbor2

    if value is None or shape is None:
        return None
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return None
        out = {}
        for k, v in value.items():
            if k in shape.members:
                conv = _json_to_cbor(shape.members[k], v)
                if conv is not None:
                    out[k] = conv
        return out
    if t == "list":
        return [x for x in (_json_to_cbor(shape.member, v) for v in _as_list(value)) if x is not None]
    if t == "map":
        return {str(k): _json_to_cbor(shape.value, v) for k, v in (value or {}).items() if v is not None}
    if t == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if t in ("integer", "long", "short", "byte"):
        return int(value)
    if t in ("float", "double"):
        return float(value)
    if t == "timestamp":
        if isinstance(value, str):
            try:
                secs = float(value)
            except ValueError:
                secs = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        elif isinstance(value, datetime):
            secs = value.replace(tzinfo=value.tzinfo or timezone.utc).timestamp()
        else:
            secs = float(value)
        return cbor2.CBORTag(1, float(secs))
    if t == "blob":
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    return value if isinstance(value, str) else str(value)


class CloudWatchRpcV2Cbor:
    """l. WSGI front for CloudWatch's Smithy RPC v2 CBOR protocol.

    The AWS SDKs generated from CloudWatch's current model (the Rust aws-sdk-cloudwatch
    among them) speak smithy.protocols#rpcv2Cbor: ``POST /service/GraniteServiceVersion20100801/
    operation/<Op>`` with ``Smithy-Protocol: rpc-v2-cbor`` and a CBOR body, and expect
    CBOR back with the same header; errors carry ``__type`` (the error's absolute shape
    id) in the CBOR body, plus ``x-amzn-query-error: <Code>;<Sender|Receiver>`` because
    CloudWatch is awsQueryCompatible. moto 5.2.5 speaks only Query and awsJson1.0 for
    CloudWatch and answers these paths 404. The request is re-issued to moto as the
    equivalent awsJson1.0 call (same signature headers, so same account and region;
    same backend as boto3's calls), and its JSON answer re-encoded as CBOR, typed by
    the botocore output shape.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        m = RPCV2_PATH_RE.fullmatch(environ.get("PATH_INFO") or "")
        if (not m or m.group(1) not in CW_RPCV2_SERVICE_NAMES or environ.get("REQUEST_METHOD") != "POST"
                or "/s3/aws4_request" in environ.get("HTTP_AUTHORIZATION", "")):
            return self.app(environ, start_response)
        status, headers, body = self.handle(environ, m.group(2))
        reasons = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
                   429: "Too Many Requests", 500: "Internal Server Error"}
        start_response(f"{status} {reasons.get(status, 'Error')}", headers)
        return [body]

    @staticmethod
    def _error(status: int, type_id: str, message: str, query_error: str | None = None,
               request_id: str | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        import cbor2

        body = cbor2.dumps({"__type": type_id, "message": message})
        headers = [
            ("Smithy-Protocol", "rpc-v2-cbor"),
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", request_id or _request_id(36)),
        ]
        if query_error:
            headers.append(("x-amzn-query-error", query_error))
        return status, headers, body

    def handle(self, environ: dict[str, Any], op_name: str) -> tuple[int, list[tuple[str, str]], bytes]:
        import io

        import cbor2

        model = _cloudwatch_model()
        if environ.get("HTTP_X_AMZ_TARGET") or environ.get("HTTP_X_AMZN_TARGET"):
            # Smithy RPC v2: a request carrying X-Amz-Target is malformed and MUST be rejected.
            return self._error(400, f"{CORAL_NAMESPACE}#SerializationException",
                               "rpcv2Cbor requests must not carry X-Amz-Target")
        if (environ.get("HTTP_SMITHY_PROTOCOL") or "").strip() != "rpc-v2-cbor":
            return self._error(400, f"{CORAL_NAMESPACE}#SerializationException",
                               "Missing or unsupported Smithy-Protocol header (expected rpc-v2-cbor)")
        if op_name not in model.operation_names:
            return self._error(404, f"{CORAL_NAMESPACE}#UnknownOperationException",
                               f"Operation {op_name} is not supported by {CW_TARGET_PREFIX}")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            raw = environ["wsgi.input"].read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked upload without Content-Length
            raw = environ["wsgi.input"].read()
        else:
            raw = b""
        try:
            if raw and (environ.get("HTTP_CONTENT_ENCODING") or "").lower() == "gzip":
                # CloudWatch PutMetricData has @requestCompression: SDKs gzip large bodies.
                import gzip

                raw = gzip.decompress(raw)
            decoded = cbor2.loads(raw) if raw else {}
        except Exception as exc:  # noqa: BLE001 - any decode failure is the client's
            return self._error(400, f"{CORAL_NAMESPACE}#SerializationException", f"Invalid CBOR body: {exc}")
        if not isinstance(decoded, dict):
            return self._error(400, f"{CORAL_NAMESPACE}#SerializationException",
                               "The CBOR body must be a map (the operation's input structure)")
        payload = json.dumps(_cbor_request_to_json(decoded)).encode()

        inner = dict(environ)
        for key in ("HTTP_SMITHY_PROTOCOL", "HTTP_ACCEPT", "HTTP_CONTENT_ENCODING"):
            inner.pop(key, None)
        inner.update({
            "PATH_INFO": "/",
            "RAW_URI": "/",
            "REQUEST_URI": "/",
            "QUERY_STRING": "",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(payload)),
            "HTTP_X_AMZ_TARGET": f"{CW_TARGET_PREFIX}.{op_name}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.input": io.BytesIO(payload),
        })
        captured: dict[str, Any] = {}

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers
            return lambda _data: None

        try:
            chunks = self.app(inner, _start)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        except Exception as exc:  # noqa: BLE001 - e.g. NotImplementedError for an op moto lacks
            log(f"CloudWatch CBOR {op_name}: {type(exc).__name__}: {exc}")
            return self._error(500, f"{CW_SMITHY_NAMESPACE}#InternalServiceFault",
                               f"The emulator could not serve {op_name}: {exc}", "InternalServiceError;Receiver")
        status = captured.get("status", 500)
        hdrs = {k.lower(): v for k, v in captured.get("headers", [])}
        request_id = hdrs.get("x-amzn-requestid") or _request_id(36)
        op_model = model.operation_model(op_name)
        if status == 200:
            out_headers = [("Smithy-Protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id)]
            if op_model.output_shape is None:
                # Unit output: no body and no Content-Type (Smithy RPC v2).
                out_headers.append(("Content-Length", "0"))
                return 200, out_headers, b""
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                data = {}
            cbor_body = cbor2.dumps(_json_to_cbor(op_model.output_shape, data) or {})
            out_headers += [("Content-Type", "application/cbor"), ("Content-Length", str(len(cbor_body)))]
            return 200, out_headers, cbor_body
        # Error: moto's awsJson error is {"__type": "GraniteServiceVersion20100801#Shape", "message": ...}.
        try:
            err = json.loads(body or b"{}")
        except ValueError:
            err = {}
        code = str(err.get("__type") or "").split("#")[-1]
        message = err.get("message") or err.get("Message") or ""
        if not code:
            return self._error(500, f"{CW_SMITHY_NAMESPACE}#InternalServiceFault",
                               f"The emulator could not serve {op_name} (moto answered HTTP {status})",
                               "InternalServiceError;Receiver", request_id)
        # The error's shape: by name first, then by its awsQuery code, the operation's
        # own errors before the service's (ResourceNotFound is also the query code of
        # DashboardNotFoundError).
        candidates = list(op_model.error_shapes) + list(model.error_shapes)
        shape_name = next((s.name for s in candidates if s.name == code), None) or next(
            (s.name for s in candidates if s.metadata.get("error", {}).get("code") == code), code)
        return self._error(status, f"{CW_SMITHY_NAMESPACE}#{shape_name}", message,
                           hdrs.get("x-amzn-query-error"), request_id)


# --------------------------------------------------------------------------------------
# m. SNS subscriptions that need confirmation stay PendingConfirmation
# --------------------------------------------------------------------------------------

# AWS: "If the endpoint type is HTTP/S or email, or if the endpoint and the topic are
# not in the same AWS account, the endpoint owner must run ConfirmSubscription."
# sqs / lambda / firehose / application / sms endpoints of the topic's account (or
# subscribed by the endpoint's owner) are confirmed at once.
SNS_CONFIRMATION_PROTOCOLS = {"email", "email-json", "http", "https"}
SNS_ARN_ENDPOINT_PROTOCOLS = {"sqs", "lambda", "firehose"}
SNS_PENDING_ARN = "PendingConfirmation"        # what List* show for a pending subscription
SNS_PENDING_SUBSCRIBE = "pending confirmation"  # what Subscribe answers for one


def sns_confirmation_token(subscription_arn: str) -> str:
    """The confirmation token of a pending subscription (deterministic, documented in
    README.md): hex SHA-256 of ``trailwarden-sns-confirm:<subscription ARN>``."""
    import hashlib

    return hashlib.sha256(f"trailwarden-sns-confirm:{subscription_arn}".encode()).hexdigest()


def _sns_needs_confirmation(protocol: str, endpoint: str, topic_account: str, caller_account: str) -> bool:
    if protocol in SNS_CONFIRMATION_PROTOCOLS:
        return True
    if protocol in SNS_ARN_ENDPOINT_PROTOCOLS:
        m = re.match(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", endpoint or "")
        if m and m.group(1) not in (topic_account, caller_account):
            return True
    return False


def _all_sns_subscriptions() -> list[Any]:
    from moto.sns.models import sns_backends

    subs = []
    for per_account in list(dict.values(sns_backends)):
        for backend in list(dict.values(per_account)):
            subs.extend(list(backend.subscriptions.values()))
    return subs


def _sns_pending(sub: Any) -> bool:
    return bool(getattr(sub, "tw_pending", False))


def _is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def pending_confirmations(topic_arn: str | None = None) -> list[dict[str, str]]:
    """Pending subscriptions and their tokens, for GET /_trailwarden/sns/confirmation-tokens."""
    out = []
    for sub in _all_sns_subscriptions():
        if not _sns_pending(sub) or (topic_arn and sub.topic.arn != topic_arn):
            continue
        out.append({
            "SubscriptionArn": sub.arn,
            "TopicArn": sub.topic.arn,
            "Protocol": sub.protocol,
            "Endpoint": sub.endpoint,
            "Owner": sub.owner,
            "Token": sub.tw_token,
        })
    return sorted(out, key=lambda x: x["SubscriptionArn"])


def patch_sns() -> None:
    from moto.core.responses import ActionResult
    from moto.sns.exceptions import SNSInvalidParameter
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    orig_subscribe = SNSBackend.subscribe

    def backend_subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        # moto confirms every subscription at once (PendingConfirmation=false). AWS keeps
        # email / email-json / http / https subscriptions, and cross-account ones, pending
        # until the endpoint confirms with the token it was sent; they deliver nothing,
        # ListSubscriptions* show SubscriptionArn "PendingConfirmation", and
        # GetTopicAttributes counts them in SubscriptionsPending.
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        sub = orig_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None:
            topic_account = parse_arn_account(topic_arn) or self.account_id
            pending = _sns_needs_confirmation(protocol, endpoint, topic_account, self.account_id)
            sub.tw_pending = pending
            sub.tw_token = sns_confirmation_token(sub.arn) if pending else None
            sub.confirmed = not pending
            sub.attributes["PendingConfirmation"] = "true" if pending else "false"
            sub.attributes["ConfirmationWasAuthenticated"] = "false" if pending else "true"
        return sub

    SNSBackend.subscribe = backend_subscribe

    def subscribe(self: Any) -> Any:
        # AWS answers Subscribe with SubscriptionArn "pending confirmation" for a
        # subscription that needs confirmation, unless ReturnSubscriptionArn=true.
        topic_arn = self._get_param("TopicArn")
        endpoint = self._get_param("Endpoint")
        protocol = self._get_param("Protocol")
        return_arn = str(self._get_param("ReturnSubscriptionArn") or "false").lower() == "true"
        attributes = self._get_attributes()
        sub = self.backend.subscribe(topic_arn, endpoint, protocol)
        if attributes is not None:
            if "FilterPolicyScope" in attributes:
                self.backend.set_subscription_attributes(
                    sub.arn, "FilterPolicyScope", attributes.pop("FilterPolicyScope"))
            for name, value in attributes.items():
                self.backend.set_subscription_attributes(sub.arn, name, value)
        arn = SNS_PENDING_SUBSCRIBE if _sns_pending(sub) and not return_arn else sub.arn
        return ActionResult({"SubscriptionArn": arn})

    def _listing(subs: list[Any]) -> list[dict[str, Any]]:
        return [{
            "SubscriptionArn": SNS_PENDING_ARN if _sns_pending(s) else s.arn,
            "Owner": s.owner,
            "Protocol": s.protocol,
            "Endpoint": s.endpoint,
            "TopicArn": s.topic_arn,
        } for s in subs]

    def list_subscriptions(self: Any) -> Any:
        subs, token = self.backend.list_subscriptions(next_token=self._get_param("NextToken"))
        return ActionResult({"Subscriptions": _listing(subs), "NextToken": token})

    def list_subscriptions_by_topic(self: Any) -> Any:
        subs, token = self.backend.list_subscriptions_by_topic(
            self._get_param("TopicArn"), next_token=self._get_param("NextToken"))
        return ActionResult({"Subscriptions": _listing(subs), "NextToken": token})

    orig_get_topic_attributes = SNSResponse.get_topic_attributes

    def get_topic_attributes(self: Any) -> Any:
        # AWS counts the topic's subscriptions: SubscriptionsConfirmed /
        # SubscriptionsPending. moto never updates its counters (both always 0).
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        subs = [s for s in _all_sns_subscriptions() if s.topic.arn == topic.arn]
        topic.subscriptions_pending = sum(1 for s in subs if _sns_pending(s))
        topic.subscriptions_confimed = sum(1 for s in subs if not _sns_pending(s))
        return orig_get_topic_attributes(self)

    def confirm_subscription(self: Any) -> Any:
        # AWS ConfirmSubscription(TopicArn, Token) confirms the pending subscription the
        # token was issued for and answers its ARN; an unknown token is
        # InvalidParameter. moto ignores the token and answers an invented ARN.
        topic_arn = self._get_param("TopicArn")
        token = self._get_param("Token")
        self.backend.get_topic(topic_arn)  # NotFound if the topic does not exist
        for sub in _all_sns_subscriptions():
            if sub.topic.arn == topic_arn and token and getattr(sub, "tw_token", None) == token:
                if _sns_pending(sub):
                    sub.tw_pending = False
                    sub.confirmed = True
                    sub.attributes["PendingConfirmation"] = "false"
                    # Confirmed through a signed API call (not the e-mail link).
                    sub.attributes["ConfirmationWasAuthenticated"] = "true"
                return ActionResult({"SubscriptionArn": sub.arn})
        raise SNSInvalidParameter("Invalid parameter: Token")

    SNSResponse.subscribe = subscribe
    SNSResponse.list_subscriptions = list_subscriptions
    SNSResponse.list_subscriptions_by_topic = list_subscriptions_by_topic
    SNSResponse.get_topic_attributes = get_topic_attributes
    SNSResponse.confirm_subscription = confirm_subscription

    orig_publish = Subscription.publish

    def publish(self: Any, *args: Any, **kwargs: Any) -> None:
        # AWS delivers nothing to a subscription that is still pending. Harness safety
        # (not an AWS behaviour): moto POSTs to http(s) endpoints from the emulator
        # process; only loopback endpoints are ever contacted.
        if _sns_pending(self):
            return
        if self.protocol in ("http", "https") and not _is_loopback_url(self.endpoint):
            log(f"SNS: not delivering to non-loopback endpoint {self.endpoint}")
            return
        orig_publish(self, *args, **kwargs)

    Subscription.publish = publish


def parse_arn_account(arn: str) -> str | None:
    m = re.match(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", arn or "")
    return m.group(1) if m else None


# --------------------------------------------------------------------------------------
# n. CloudWatch Logs metric filters
# --------------------------------------------------------------------------------------


def patch_logs() -> None:
    from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    def put_metric_filter(self: Any, filter_name: str, filter_pattern: str, log_group_name: str,
                          metric_transformations: Any) -> None:
        # AWS refuses a filter on a log group that does not exist
        # (ResourceNotFoundException) and PutMetricFilter on an existing (log group,
        # filter name) replaces that filter; moto accepts any group name and appends a
        # duplicate. AWS also reports creationTime (epoch ms), which moto never stores.
        if log_group_name not in self.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        filters = self.filters.metric_filters
        created = int(time.time() * 1000)
        for f in list(filters):
            if f["logGroupName"] == log_group_name and f["filterName"] == filter_name:
                created = f.get("creationTime", created)
                filters.remove(f)
        filters.append({
            "filterName": filter_name,
            "filterPattern": filter_pattern,  # stored verbatim, as AWS echoes it
            "logGroupName": log_group_name,
            "metricTransformations": metric_transformations,
            "creationTime": created,
        })

    def delete_metric_filter(self: Any, filter_name: str | None = None, log_group_name: str | None = None) -> None:
        if log_group_name not in self.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        filters = self.filters.metric_filters
        match = [f for f in filters if f["logGroupName"] == log_group_name and f["filterName"] == filter_name]
        if not match:
            raise ResourceNotFoundException("The specified metric filter does not exist.")
        for f in match:
            filters.remove(f)

    orig_delete_log_group = LogsBackend.delete_log_group

    def delete_log_group(self: Any, log_group_name: str) -> None:
        # Deleting a log group deletes its metric filters in AWS; moto keeps them, so
        # DescribeMetricFilters without logGroupName still listed them.
        orig_delete_log_group(self, log_group_name)
        self.filters.metric_filters[:] = [
            f for f in self.filters.metric_filters if f["logGroupName"] != log_group_name]

    LogsBackend.put_metric_filter = put_metric_filter
    LogsBackend.delete_metric_filter = delete_metric_filter
    LogsBackend.delete_log_group = delete_log_group

    def describe_metric_filters(self: Any) -> Any:
        # AWS: a logGroupName that does not exist is ResourceNotFoundException;
        # filterNamePrefix is honoured only together with logGroupName; results come
        # sorted by log group then filter name and are paged by limit (1-50, default
        # 50) / nextToken. moto applies the prefix alone, returns unknown groups as
        # empty, never pages and echoes the request's nextToken back (a paginating
        # client would loop).
        params = json.loads(self.body) if self.body else {}
        group = params.get("logGroupName")
        prefix = params.get("filterNamePrefix")
        metric_name = params.get("metricName")
        metric_namespace = params.get("metricNamespace")
        if bool(metric_name) != bool(metric_namespace):
            missing = "metricNamespace" if metric_name else "metricName"
            raise InvalidParameterException(
                f"If you include the {'metricName' if metric_name else 'metricNamespace'} parameter "
                f"in your request, you must also include the {missing} parameter.")
        limit = params.get("limit", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InvalidParameterException(
                constraint="Member must have value less than or equal to 50", parameter="limit", value=limit)
        offset = _page_offset("metric-filters", params.get("nextToken"))
        if offset is None:
            raise InvalidParameterException("The specified nextToken is invalid.")
        backend = self.logs_backend
        if group is not None and group not in backend.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        selected = []
        for f in sorted(backend.filters.metric_filters, key=lambda f: (f["logGroupName"], f["filterName"])):
            if group is not None and f["logGroupName"] != group:
                continue
            if group is not None and prefix and not f["filterName"].startswith(prefix):
                continue
            if metric_name and not any(
                    t.get("metricName") == metric_name and t.get("metricNamespace") == metric_namespace
                    for t in f["metricTransformations"] or []):
                continue
            selected.append(f)
        out: dict[str, Any] = {"metricFilters": selected[offset:offset + limit]}
        if offset + limit < len(selected):
            out["nextToken"] = _page_token("metric-filters", offset + limit)
        return json.dumps(out)

    LogsResponse.describe_metric_filters = describe_metric_filters


# --------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------


class RequestCounter:
    """WSGI wrapper for the scan benchmark: counts requests per (service, operation), so
    the benchmark can show how many AWS calls a scan makes. Not a patch: it changes no answer.
    `GET /_trailwarden/requests` returns the counts as JSON and resets them."""

    def __init__(self, app: Any) -> None:
        import threading
        self.app = app
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    @staticmethod
    def operation(environ: dict[str, Any]) -> str:
        """`<signing service>:<operation>` (aws_request.operation over a WSGI environ)."""
        def form_body() -> bytes:
            # Query-protocol calls (STS, SNS, …) name their Action in the form body: read it
            # and put it back for moto.
            import io
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            return body

        return aws_request.operation(
            environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "/"), environ.get("QUERY_STRING", ""),
            environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_X_AMZ_TARGET"),
            environ.get("CONTENT_TYPE", ""), form_body)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_trailwarden/requests":
            with self.lock:
                body = json.dumps(self.counts, sort_keys=True).encode()
                self.counts = {}
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if (environ.get("PATH_INFO") or "").startswith("/_trailwarden/"):
            # Harness-only routes (incl. fault_proxy.py's account lookups) are not AWS calls: not counted.
            return self.app(environ, start_response)
        op = self.operation(environ)
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + 1
        return self.app(environ, start_response)



class HarnessRoutes:
    """Harness-only routes (not AWS APIs), answered before moto sees the request:

    ``GET /_trailwarden/sns/confirmation-tokens[?TopicArn=ARN]`` lists the pending SNS
    subscriptions with the token ConfirmSubscription expects (see patch m), as
    ``{"PendingSubscriptions": [{SubscriptionArn, TopicArn, Protocol, Endpoint, Owner, Token}]}``.

    ``POST /_trailwarden/cloudtrail/public-keys`` with JSON ``{"region": R, "der_base64": B64,
    "valid_from": EPOCH, "valid_to": EPOCH[, "fingerprint": HEX]}`` adds a key to region R's
    ListPublicKeys answer (patch o); the fingerprint is the MD5 of the DER unless given (fault
    tests). Answers ``{"region", "fingerprint", "valid_from", "valid_to"}``.
    ``GET`` on that route lists the registered keys ``{"PublicKeys": [{region, fingerprint,
    der_base64, valid_from, valid_to}]}``; ``DELETE`` (``?region=R`` for one region) removes them.

    ``POST /_trailwarden/cloudtrail/digest-delivery`` with JSON ``{"trail_arn": ARN,
    "latest_digest_delivery_time": EPOCH | null}`` makes GetTrailStatus of that trail report
    that LatestDigestDeliveryTime (null: back to "now").

    ``GET /_trailwarden/account-of?access_key_id=AKID`` answers ``{"account": "123456789012"}``:
    the account moto serves a request signed with that key from (``get_account_id_from``: the
    account holding the key, assumed-role keys included; the default account for a key moto
    does not know). fault_proxy.py runs in another process and asks this to count per account.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    @staticmethod
    def _reply(start_response: Any, status: str, obj: Any) -> list[bytes]:
        body = json.dumps(obj, sort_keys=True).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _json_body(environ: dict[str, Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        return json.loads(raw or b"{}")

    def _public_keys(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        import base64
        import binascii
        from urllib.parse import parse_qs

        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            keys = [
                {"region": region, "fingerprint": k["fingerprint"],
                 "der_base64": base64.b64encode(k["der"]).decode("ascii"),
                 "valid_from": k["valid_from"], "valid_to": k["valid_to"]}
                for region, entries in sorted(_PUBLIC_KEYS.items()) for k in entries
            ]
            return self._reply(start_response, "200 OK", {"PublicKeys": keys})
        if method == "DELETE":
            region = (parse_qs(environ.get("QUERY_STRING", "")).get("region") or [None])[0]
            clear_public_keys(region)
            return self._reply(start_response, "200 OK", {})
        if method != "POST":
            return self._reply(start_response, "405 Method Not Allowed", {"error": "GET, POST or DELETE"})
        try:
            body = self._json_body(environ)
            der = base64.b64decode(body["der_base64"], validate=True)
            entry = register_public_key(str(body["region"]), der, int(body["valid_from"]),
                                        int(body["valid_to"]), body.get("fingerprint"))
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            return self._reply(start_response, "400 Bad Request", {"error": f"{type(exc).__name__}: {exc}"})
        return self._reply(start_response, "200 OK", {
            "region": body["region"], "fingerprint": entry["fingerprint"],
            "valid_from": entry["valid_from"], "valid_to": entry["valid_to"],
        })

    def _digest_delivery(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self._reply(start_response, "405 Method Not Allowed", {"error": "POST"})
        try:
            body = self._json_body(environ)
            arn = str(body["trail_arn"])
            when = body.get("latest_digest_delivery_time")
            if when is None:
                _DIGEST_DELIVERY.pop(arn, None)
            else:
                _DIGEST_DELIVERY[arn] = int(when)
        except (ValueError, KeyError, TypeError) as exc:
            return self._reply(start_response, "400 Bad Request", {"error": f"{type(exc).__name__}: {exc}"})
        return self._reply(start_response, "200 OK", {"trail_arn": arn, "latest_digest_delivery_time": when})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO")
        if path == "/_trailwarden/cloudtrail/public-keys":
            return self._public_keys(environ, start_response)
        if path == "/_trailwarden/cloudtrail/digest-delivery":
            return self._digest_delivery(environ, start_response)
        if environ.get("PATH_INFO") == "/_trailwarden/account-of":
            from urllib.parse import parse_qs

            from moto.iam.models import get_account_id_from

            key = (parse_qs(environ.get("QUERY_STRING", "")).get("access_key_id") or [""])[0]
            if not key:
                body = json.dumps({"error": "access_key_id is required"}).encode()
                start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
                return [body]
            body = json.dumps({"account": get_account_id_from(key)}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") == "/_trailwarden/sns/confirmation-tokens":
            from urllib.parse import parse_qs

            query = parse_qs(environ.get("QUERY_STRING", ""))
            topic = (query.get("TopicArn") or [None])[0]
            body = json.dumps({"PendingSubscriptions": pending_confirmations(topic)}, sort_keys=True).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


class DenyActions:
    """Test knob (--deny-action ACCOUNT/SERVICE:Operation), not an AWS behaviour: answer
    AccessDenied, in the protocol's own shape, to that operation from that account, as an
    SCP or a missing permission would. Operations are named as the request counter names them
    (JSON, Query and CBOR protocols; S3 REST operations are not matched). Rules can also be
    added to a running emulator: `POST /_trailwarden/deny-action?rule=ACCOUNT/SERVICE:Operation`."""

    def __init__(self, app: Any, rules: list[str]) -> None:
        self.app = app
        self.rules = {tuple(r.split("/", 1)) for r in rules}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from urllib.parse import parse_qs

        from moto.iam.models import get_account_id_from
        if environ.get("PATH_INFO") == "/_trailwarden/deny-action":
            rule = (parse_qs(environ.get("QUERY_STRING", "")).get("rule") or [""])[0]
            if "/" not in rule:
                start_response("400 Bad Request", [("Content-Length", "0")])
                return [b""]
            self.rules.add(tuple(rule.split("/", 1)))
            start_response("204 No Content", [])
            return [b""]
        if not self.rules:
            return self.app(environ, start_response)
        op = RequestCounter.operation(environ)
        m = re.search(r"Credential=([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        account = get_account_id_from(m.group(1)) if m else ""
        if (account, op) not in self.rules:
            return self.app(environ, start_response)
        message = f"User is not authorized to perform: {op} (denied by the harness's --deny-action)"
        if environ.get("HTTP_X_AMZ_TARGET"):
            body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1")]
            status = "400 Bad Request"
        else:
            body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error>'
                    f'<RequestId>{_request_id(36)}</RequestId></ErrorResponse>').encode()
            headers = [("Content-Type", "text/xml")]
            status = "403 Forbidden"
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]


class RecordOperations:
    """Test knob (--record-operations DIR), not an AWS behaviour: every operation trailwarden
    itself calls (requests whose User-Agent is the AWS SDK for Rust's; the harness's own boto3
    seeding is not recorded) is appended once per launcher to DIR/operations-<pid>.txt, named
    as the request counter names it. scripts/test.sh checks the union over the whole test suite
    against `trailwarden iam-policy` (tests/harness/check_operations.py)."""

    def __init__(self, app: Any, directory: str) -> None:
        import threading
        self.app = app
        self.path = os.path.join(directory, f"operations-{os.getpid()}.txt")
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        agent = environ.get("HTTP_USER_AGENT", "") + " " + environ.get("HTTP_X_AMZ_USER_AGENT", "")
        if "aws-sdk-rust" in agent and not (environ.get("PATH_INFO") or "").startswith("/_trailwarden/"):
            path = environ.get("PATH_INFO") or ""
            if path.startswith("/v20180820/"):
                # S3 Control signs as "s3" too: name it apart from object reads.
                op = f"s3control:{environ.get('REQUEST_METHOD')} {path.rstrip('/').split('/')[-1]}"
            else:
                op = RequestCounter.operation(environ)
            with self.lock:
                if op not in self.seen:
                    self.seen.add(op)
                    with open(self.path, "a") as f:
                        f.write(op + "\n")
        return self.app(environ, start_response)


def build_app(count_requests: bool = False, deny_actions: list[str] | None = None, record_operations: str | None = None) -> Any:
    """moto's server app behind the harness's WSGI layers (patches must be applied)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app: Any = DomainDispatcherApplication(create_backend_app)
    app = CloudWatchRpcV2Cbor(app)
    app = DenyActions(app, deny_actions or [])
    app = HarnessRoutes(app)
    if count_requests:
        app = RequestCounter(app)
    if record_operations:
        app = RecordOperations(app, record_operations)
    return app


def apply_patches(without_account_api: bool = False, sts_expiration_seconds: int | None = None) -> None:
    _check_moto_version()
    patch_request_ids()
    patch_s3()
    if not without_account_api:
        patch_account()
    patch_sts(sts_expiration_seconds)
    patch_organizations()
    patch_cloudtrail()
    patch_cloudtrail_public_keys()
    patch_kms()
    patch_cloudwatch()
    patch_sns()
    patch_logs()
    # l. (CloudWatch over RPC v2 CBOR) is a WSGI front, installed by build_app().
    # g. S3 Control needs no code: moto's dispatcher routes a request signed for "s3"
    # whose path starts with /v20180820/ to the s3control backend (never to S3), and
    # it ignores the Host header for routing, so both Host 127.0.0.1:PORT and the
    # <account-id>.127.0.0.1:PORT form the SDKs build from an endpoint override work.
    # selftest.py checks both.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only)")
    parser.add_argument("--random-seed", type=int, default=20240601,
                        help="seed for moto's id generator, so generated ids (account ids, "
                             "key ids...) are the same from run to run")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--without-account-api", action="store_true",
                        help="leave moto's missing account:ListRegions missing (tests the ec2:DescribeRegions fallback)")
    parser.add_argument("--record-operations", metavar="DIR", default=None,
                        help="append every operation trailwarden (the Rust SDK) calls to DIR/operations-<pid>.txt")
    parser.add_argument("--count-requests", action="store_true",
                        help="count requests per operation; GET /_trailwarden/requests returns and resets the counts")
    parser.add_argument("--deny-action", action="append", default=[], metavar="ACCOUNT/SERVICE:Operation",
                        help="answer AccessDenied to that operation from that account (test knob, repeatable)")
    parser.add_argument("--sts-expiration-seconds", type=int, default=None,
                        help="AssumeRole credentials expire after N seconds (tests credential refresh)")
    parser.add_argument("--watch-stdin", action="store_true",
                        help="exit when stdin reaches EOF (spawn with a piped stdin: the server "
                             "then dies with the test process that started it)")
    args = parser.parse_args(argv)

    if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
        parser.error("--host must be a loopback address")
    if "MOTO_ACCOUNT_ID" in os.environ:
        # It would pin every request to one account and break cross-account scenarios.
        log("ignoring MOTO_ACCOUNT_ID from the environment")
        del os.environ["MOTO_ACCOUNT_ID"]
    # moto builds a boto3 Session (for region lists): keep the developer's AWS config,
    # profiles and instance metadata out of it.
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(var, None)

    apply_patches(without_account_api=args.without_account_api, sts_expiration_seconds=args.sts_expiration_seconds)

    from moto.moto_api._internal import mock_random
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    mock_random.seed(args.random_seed)
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    app = build_app(count_requests=args.count_requests, deny_actions=args.deny_action, record_operations=args.record_operations)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    host, port = server.server_address[:2]

    # Exactly one line on stdout, then route every later print (moto prints some
    # diagnostics with print()) to stderr so stdout stays machine-readable.
    shown_host = f"[{host}]" if ":" in str(host) else host
    sys.stdout.write(f"READY http://{shown_host}:{port}\n")
    sys.stdout.flush()
    sys.stdout = sys.stderr

    def _stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    if args.watch_stdin:
        import threading

        def _watch() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                os._exit(0)

        threading.Thread(target=_watch, name="stdin-watch", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
