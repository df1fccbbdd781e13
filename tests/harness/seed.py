#!/usr/bin/env python3
"""Seed a trailwarden test scenario into the AWS emulator, through AWS APIs only.

Usage:
    python tests/harness/seed.py --endpoint http://127.0.0.1:PORT --scenario NAME

Scenarios: compliant, compliant-advanced, failing, org, unreadable-bucket, demo, cis-monitoring,
integrity (and scale, for the benchmark).

Every resource is created with boto3 clients pointed at the endpoint (S3 path-style,
dummy credentials testing/testing, region us-east-1 unless a resource lives elsewhere).
The dummy credentials map to moto's default account 123456789012; other accounts are
entered with sts:AssumeRole into OrganizationAccountAccessRole, as in a real organization.

stdout: exactly one JSON object describing what was created (see README.md);
stderr: progress. Exit status 1 with a message on any failure.
Run each scenario against a fresh emulator: names are fixed and would collide.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config


from local_only import isolate_from_real_aws  # noqa: E402 (the harness directory is on sys.path)

isolate_from_real_aws()

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
ORG_ROLE = "OrganizationAccountAccessRole"
# The read-only audit role a StackSet of deploy/cloudformation/member-role.json puts in every
# member (trailwarden's default --role-name), trusting the management account.
AUDIT_ROLE = "TrailwardenAudit"
MFA_SERIAL = f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/root-account-mfa-device 123456"


def log(msg: str) -> None:
    print(f"[seed] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------------------


class World:
    """boto3 clients for the emulator, per account and region, and the result record."""

    def __init__(self, endpoint: str, scenario: str):
        self.endpoint = endpoint.rstrip("/")
        self.scenario = scenario
        self._creds: dict[str, dict[str, str]] = {
            DEFAULT_ACCOUNT: {
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",
            }
        }
        self._clients: dict[tuple[str, str, str], Any] = {}
        self.out: dict[str, Any] = {
            "scenario": scenario,
            "endpoint": self.endpoint,
            "region": DEFAULT_REGION,
            "account_id": DEFAULT_ACCOUNT,
            "organization": None,
            "accounts": {},
            "trails": {},
            "buckets": {},
            "kms_keys": {},
            "sns_topics": {},
            "log_groups": {},
            "roles": {},
            "account_public_access_block": {},
            "enabled_opt_in_regions": {},
            "sns_subscriptions": {},
            "metric_filters": {},
            "alarms": {},
            "monitoring_chains": {},
            "digest_chains": {},
        }
        # CloudTrail signs digests with one key pair per region (not per trail or account):
        # region -> PEM path of its private key, shared by every digest_chain() of the run.
        # The PEM files live in a temporary directory removed by close().
        self._region_keys: dict[str, str] = {}
        self._key_dir: str | None = None
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()  # client() from many threads (parallel())

    def close(self) -> None:
        if self._key_dir:
            shutil.rmtree(self._key_dir, ignore_errors=True)
            self._key_dir = None
            self._region_keys.clear()

    def client(self, service: str, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> Any:
        key = (service, account, region)
        if key in self._clients:
            return self._clients[key]
        creds = self._creds.get(account) or self._assume(account)
        with self._client_lock:  # boto3.client() on the default session is not thread-safe
            return self._clients.get(key) or self._make_client(key, creds)

    def _make_client(self, key: tuple[str, str, str], creds: dict[str, str]) -> Any:
        service, account, region = key
        if key not in self._clients:
            client = boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=region,
                config=Config(
                    s3={"addressing_style": "path"},
                    retries={"max_attempts": 2, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                ),
                **creds,
            )
            if service == "s3control":
                # The S3 Control endpoint rules prefix the host with the account id
                # (http://<acct>.127.0.0.1:PORT), which does not resolve. Send to the
                # endpoint itself but keep that Host header, as a real client would.
                client.meta.events.register("before-send", self._s3control_to_endpoint)
            self._clients[key] = client
        return self._clients[key]

    def _s3control_to_endpoint(self, request: Any, **_: Any) -> None:
        url = urlsplit(request.url)
        ep = urlsplit(self.endpoint)
        if url.netloc != ep.netloc:
            request.headers["Host"] = url.netloc
            request.url = urlunsplit((url.scheme, ep.netloc, url.path, url.query, url.fragment))

    def _assume(self, account: str) -> dict[str, str]:
        sts = self.client("sts")
        resp = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}",
            RoleSessionName="trailwarden-seed",
        )
        c = resp["Credentials"]
        self._creds[account] = {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }
        return self._creds[account]


def step(msg: str) -> None:
    log(msg)


# --------------------------------------------------------------------------------------
# Policies, the way real setups write them
# --------------------------------------------------------------------------------------


def cloudtrail_bucket_statements(bucket: str, trail_arns: list[str], log_accounts: list[str],
                                 org_id: str | None = None) -> list[dict[str, Any]]:
    """AWS's documented bucket policy for CloudTrail delivery (with aws:SourceArn)."""
    source = trail_arns[0] if len(trail_arns) == 1 else trail_arns
    write_resources = [f"arn:aws:s3:::{bucket}/AWSLogs/{acct}/*" for acct in log_accounts]
    if org_id:
        write_resources.append(f"arn:aws:s3:::{bucket}/AWSLogs/{org_id}/*")
    return [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringEquals": {"aws:SourceArn": source}},
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": write_resources[0] if len(write_resources) == 1 else write_resources,
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceArn": source,
                }
            },
        },
    ]


def ssl_only_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def kms_key_policy(account: str, allow_cloudtrail: bool, org_id: str | None = None) -> str:
    stmts: list[dict[str, Any]] = [{
        "Sid": "EnableIAMUserPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }]
    if allow_cloudtrail:
        stmts += [
            {
                "Sid": "AllowCloudTrailToEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {"StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"
                }},
            },
            {
                "Sid": "AllowCloudTrailToDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
            },
            {
                "Sid": "AllowLogDecryptionInOrganization",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": (
                        {"aws:PrincipalOrgID": org_id} if org_id else {"kms:CallerAccount": account}
                    ),
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"
                    },
                },
            },
        ]
    return policy(stmts)


# --------------------------------------------------------------------------------------
# Resource builders (each records what it made in world.out)
# --------------------------------------------------------------------------------------


def make_kms_key(w: World, logical: str, account: str, *, rotation: bool, description: str,
                 alias: str | None = None, allow_cloudtrail: bool = True,
                 org_id: str | None = None, region: str = DEFAULT_REGION) -> str:
    kms = w.client("kms", account, region)
    key = kms.create_key(
        Description=description,
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
        Policy=kms_key_policy(account, allow_cloudtrail, org_id),
        Tags=[{"TagKey": "owner", "TagValue": "platform-security"}],
    )["KeyMetadata"]
    if rotation:
        kms.enable_key_rotation(KeyId=key["KeyId"])
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    w.out["kms_keys"][logical] = {
        "arn": key["Arn"],
        "key_id": key["KeyId"],
        "account_id": account,
        "region": region,
        "alias": alias,
        "rotation_enabled": rotation,
        "state": "Enabled",
    }
    return key["Arn"]


def disable_kms_key(w: World, logical: str) -> None:
    k = w.out["kms_keys"][logical]
    w.client("kms", k["account_id"], k["region"]).disable_key(KeyId=k["key_id"])
    k["state"] = "Disabled"


def make_bucket(w: World, name: str, account: str, *, region: str = DEFAULT_REGION,
                purpose: str, object_lock: bool = False) -> Any:
    s3 = w.client("s3", account, region)
    kwargs: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if object_lock:
        kwargs["ObjectLockEnabledForBucket"] = True
    s3.create_bucket(**kwargs)
    w.out["buckets"][name] = {
        "name": name,
        "account_id": account,
        "region": region,
        "purpose": purpose,
        "deleted": False,
        # What the scenario configured; updated by the helpers below.
        "versioning": None,
        "mfa_delete": None,
        "object_lock": object_lock,
        "access_log_bucket": None,
        "public_access_block": False,
        "ssl_only_policy": False,
        "lifecycle": False,
        "public_read_acl": False,
        "readable_by_scanner": True,
    }
    return s3


def block_public_access(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def make_access_log_bucket(w: World, name: str, account: str, region: str = DEFAULT_REGION) -> None:
    s3 = make_bucket(w, name, account, region=region, purpose="server-access-logs")
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, name)
    s3.put_bucket_policy(Bucket=name, Policy=policy([
        {
            "Sid": "S3ServerAccessLogsPolicy",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{name}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        ssl_only_statement(name),
    ]))
    w.out["buckets"][name].update({"versioning": "Enabled", "public_access_block": True,
                                   "ssl_only_policy": True})


def hardened_trail_bucket(w: World, s3: Any, name: str, account: str, *, statements: list[dict[str, Any]],
                          access_log_bucket: str | None, object_lock: bool, mfa_delete: bool,
                          lifecycle: bool) -> None:
    """Versioning (+MFA delete), object lock, access logs, PAB, SSL-only policy, lifecycle."""
    vc: dict[str, Any] = {"Status": "Enabled"}
    kwargs: dict[str, Any] = {}
    if mfa_delete:
        vc["MFADelete"] = "Enabled"
        kwargs["MFA"] = MFA_SERIAL
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=vc, **kwargs)
    if object_lock:
        s3.put_object_lock_configuration(
            Bucket=name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
            },
        )
    if access_log_bucket:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {
                "TargetBucket": access_log_bucket,
                "TargetPrefix": f"{name}/",
            }},
        )
    block_public_access(s3, name)
    s3.put_bucket_policy(Bucket=name, Policy=policy(statements + [ssl_only_statement(name)]))
    if lifecycle:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={"Rules": [{
                "ID": "archive-then-expire-trail-logs",
                "Status": "Enabled",
                "Filter": {"Prefix": "AWSLogs/"},
                "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                "Expiration": {"Days": 2555},
                "NoncurrentVersionExpiration": {"NoncurrentDays": 2555},
            }]},
        )
    s3.put_bucket_acl(Bucket=name, ACL="private")
    w.out["buckets"][name].update({
        "versioning": "Enabled",
        "mfa_delete": "Enabled" if mfa_delete else None,
        "object_lock": object_lock,
        "access_log_bucket": access_log_bucket,
        "public_access_block": True,
        "ssl_only_policy": True,
        "lifecycle": lifecycle,
        "public_read_acl": False,
    })


def make_topic(w: World, logical: str, name: str, account: str, region: str = DEFAULT_REGION) -> str:
    sns = w.client("sns", account, region)
    arn = sns.create_topic(Name=name)["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=arn,
        AttributeName="Policy",
        AttributeValue=policy([{
            "Sid": "AWSCloudTrailSNSPolicy",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": arn,
        }]),
    )
    w.out["sns_topics"][logical] = {"arn": arn, "name": name, "account_id": account,
                                    "region": region, "deleted": False}
    return arn


def make_log_group(w: World, name: str, account: str, retention: int, region: str = DEFAULT_REGION) -> str:
    logs = w.client("logs", account, region)
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    arn = f"arn:aws:logs:{region}:{account}:log-group:{name}:*"
    w.out["log_groups"][name] = {"arn": arn, "name": name, "account_id": account,
                                 "region": region, "retention_days": retention}
    return arn


def make_cloudwatch_role(w: World, logical: str, name: str, account: str, log_group_arn: str) -> str:
    iam = w.client("iam", account)
    arn = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=policy([{
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }]),
        Description="Lets CloudTrail deliver events to CloudWatch Logs",
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="cloudtrail-to-cloudwatch-logs",
        PolicyDocument=policy([{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": log_group_arn.replace(":*", ":log-stream:*"),
        }]),
    )
    w.out["roles"][logical] = {"name": name, "arn": arn, "account_id": account}
    return arn


def make_trail(w: World, name: str, account: str, *, bucket: str, region: str = DEFAULT_REGION,
               multi_region: bool, validation: bool, kms_key_arn: str | None = None,
               log_group_arn: str | None = None, cw_role_arn: str | None = None,
               sns_topic_name: str | None = None, org_trail: bool = False,
               global_events: bool = True, start: bool = True) -> str:
    ct = w.client("cloudtrail", account, region)
    kwargs: dict[str, Any] = {
        "Name": name,
        "S3BucketName": bucket,
        "IncludeGlobalServiceEvents": global_events,
        "IsMultiRegionTrail": multi_region,
        "EnableLogFileValidation": validation,
        "IsOrganizationTrail": org_trail,
        "TagsList": [{"Key": "managed-by", "Value": "trailwarden-seed"}],
    }
    if kms_key_arn:
        kwargs["KmsKeyId"] = kms_key_arn
    if log_group_arn:
        kwargs["CloudWatchLogsLogGroupArn"] = log_group_arn
        kwargs["CloudWatchLogsRoleArn"] = cw_role_arn
    if sns_topic_name:
        kwargs["SnsTopicName"] = sns_topic_name
    arn = ct.create_trail(**kwargs)["TrailARN"]
    if start:
        ct.start_logging(Name=name)
    w.out["trails"][name] = {
        "name": name,
        "arn": arn,
        "account_id": account,
        "home_region": region,
        "bucket": bucket,
        "is_multi_region": multi_region,
        "is_organization_trail": org_trail,
        "log_file_validation": validation,
        "include_global_service_events": global_events,
        "kms_key_arn": kms_key_arn,
        "log_group_arn": log_group_arn,
        "cloudwatch_role_arn": cw_role_arn,
        "sns_topic_name": sns_topic_name,
        "is_logging": start,
        "event_selectors": "default",
        "insight_types": [],
    }
    return arn


def set_classic_selectors(w: World, trail: str, selectors: list[dict[str, Any]]) -> None:
    t = w.out["trails"][trail]
    w.client("cloudtrail", t["account_id"], t["home_region"]).put_event_selectors(
        TrailName=trail, EventSelectors=selectors)
    t["event_selectors"] = "classic"


def set_advanced_selectors(w: World, trail: str, selectors: list[dict[str, Any]]) -> None:
    t = w.out["trails"][trail]
    w.client("cloudtrail", t["account_id"], t["home_region"]).put_event_selectors(
        TrailName=trail, AdvancedEventSelectors=selectors)
    t["event_selectors"] = "advanced"


def set_insights(w: World, trail: str, types: list[str]) -> None:
    t = w.out["trails"][trail]
    w.client("cloudtrail", t["account_id"], t["home_region"]).put_insight_selectors(
        TrailName=trail, InsightSelectors=[{"InsightType": x} for x in types])
    t["insight_types"] = types


def account_public_access_block(w: World, account: str) -> None:
    w.client("s3control", account).put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    w.out["account_public_access_block"][account] = True


def public_read_acl(s3: Any, bucket: str) -> None:
    """Grant READ to AllUsers the way it is done today: ACLs re-enabled first."""
    s3.put_bucket_ownership_controls(
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    s3.put_bucket_acl(
        Bucket=bucket,
        AccessControlPolicy={
            "Owner": owner,
            "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                 "Permission": "READ"},
            ],
        },
    )


# --------------------------------------------------------------------------------------
# Organizations
# --------------------------------------------------------------------------------------


def create_organization(w: World) -> dict[str, Any]:
    org_client = w.client("organizations")
    org = org_client.create_organization(FeatureSet="ALL")["Organization"]
    # Trusted access: required for organization trails and delegated account management.
    for principal in ("cloudtrail.amazonaws.com", "account.amazonaws.com"):
        org_client.enable_aws_service_access(ServicePrincipal=principal)
    root_id = org_client.list_roots()["Roots"][0]["Id"]
    w.out["organization"] = {
        "id": org["Id"],
        "arn": org["Arn"],
        "feature_set": org["FeatureSet"],
        "management_account_id": org["MasterAccountId"],
        "root_id": root_id,
        "organizational_units": {},
    }
    mgmt = org_client.describe_account(AccountId=DEFAULT_ACCOUNT)["Account"]
    w.out["accounts"]["management"] = {
        "id": DEFAULT_ACCOUNT,
        "name": mgmt["Name"],
        "email": mgmt["Email"],
        "role_name": None,
        "assumable": False,
        "ou": None,
    }
    return org


def create_ou(w: World, name: str, parent: str | None = None) -> str:
    """An OU under the root, or under the OU named `parent` (created before it)."""
    org = w.out["organization"]
    parent_id = org["organizational_units"][parent] if parent else org["root_id"]
    ou = w.client("organizations").create_organizational_unit(ParentId=parent_id, Name=name)
    org["organizational_units"][name] = ou["OrganizationalUnit"]["Id"]
    org.setdefault("ou_parents", {})[name] = parent
    return ou["OrganizationalUnit"]["Id"]


def create_account(w: World, name: str, ou: str | None = None) -> str:
    orgs = w.client("organizations")
    email = f"aws+{name}@example.com"
    status = orgs.create_account(AccountName=name, Email=email, RoleName=ORG_ROLE)["CreateAccountStatus"]
    deadline = time.time() + 30
    while status["State"] == "IN_PROGRESS":
        if time.time() > deadline:
            raise RuntimeError(f"CreateAccount {name} did not finish")
        time.sleep(0.2)
        status = orgs.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"CreateAccount {name}: {status}")
    account_id = status["AccountId"]
    ou_name = None
    if ou:
        ou_name = ou
        orgs.move_account(
            AccountId=account_id,
            SourceParentId=w.out["organization"]["root_id"],
            DestinationParentId=w.out["organization"]["organizational_units"][ou],
        )
    make_audit_role(w, account_id)
    w.out["accounts"][name] = {
        "id": account_id,
        "name": name,
        "email": email,
        "role_name": AUDIT_ROLE,
        "assumable": True,
        "ou": ou_name,
    }
    return account_id


def make_audit_role(w: World, account_id: str) -> None:
    """The member audit role as the StackSet creates it: the template's own policy."""
    template = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "cloudformation", "member-role.json")
    with open(template) as f:
        props = json.load(f)["Resources"]["AuditRole"]["Properties"]
    iam = w.client("iam", account_id)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName=AUDIT_ROLE, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=3600)
    policy = props["Policies"][0]
    document = resolve_sub(policy["PolicyDocument"], {"AWS::Partition": "aws", "AWS::AccountId": account_id})
    iam.put_role_policy(RoleName=AUDIT_ROLE, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document))


def resolve_sub(value: Any, names: dict[str, str]) -> Any:
    """A template value with its `{"Fn::Sub": "…${AWS::Partition}…"}` resolved, as CloudFormation would."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            text = value["Fn::Sub"]
            for name, resolved in names.items():
                text = text.replace("${" + name + "}", resolved)
            return text
        return {k: resolve_sub(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_sub(v, names) for v in value]
    return value


def remove_org_role(w: World, name: str) -> None:
    """Delete the audit role and OrganizationAccountAccessRole from inside the member (it
    can't be entered after)."""
    account = w.out["accounts"][name]["id"]
    iam = w.client("iam", account)  # assumes the role while it still exists
    for p in iam.list_role_policies(RoleName=AUDIT_ROLE)["PolicyNames"]:
        iam.delete_role_policy(RoleName=AUDIT_ROLE, PolicyName=p)
    iam.delete_role(RoleName=AUDIT_ROLE)
    for p in iam.list_attached_role_policies(RoleName=ORG_ROLE)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=ORG_ROLE, PolicyArn=p["PolicyArn"])
    for p in iam.list_role_policies(RoleName=ORG_ROLE)["PolicyNames"]:
        iam.delete_role_policy(RoleName=ORG_ROLE, PolicyName=p)
    iam.delete_role(RoleName=ORG_ROLE)
    w.out["accounts"][name]["role_name"] = None
    w.out["accounts"][name]["assumable"] = False


def enable_opt_in_region(w: World, account: str, region: str) -> None:
    acct = w.client("account", account)
    acct.enable_region(RegionName=region)
    status = acct.get_region_opt_status(RegionName=region)["RegionOptStatus"]
    if status not in ("ENABLED", "ENABLING"):
        raise RuntimeError(f"EnableRegion {region} in {account}: {status}")
    w.out["enabled_opt_in_regions"].setdefault(account, []).append(region)


# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------


def _compliant_world(w: World, advanced: bool) -> None:
    acct = DEFAULT_ACCOUNT
    trail_name = "main-trail"
    trail_arn = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{acct}:trail/{trail_name}"
    bucket = f"compliant-trail-logs-{acct}"
    access_logs = f"compliant-access-logs-{acct}"

    step("KMS key for trail encryption")
    key_arn = make_kms_key(w, "trail", acct, rotation=True, alias="alias/cloudtrail-main",
                           description="CloudTrail log encryption (main-trail)")
    step("S3 buckets")
    make_access_log_bucket(w, access_logs, acct)
    s3 = make_bucket(w, bucket, acct, purpose="trail-logs", object_lock=True)
    hardened_trail_bucket(
        w, s3, bucket, acct,
        statements=cloudtrail_bucket_statements(bucket, [trail_arn], [acct]),
        access_log_bucket=access_logs, object_lock=True, mfa_delete=True, lifecycle=True,
    )
    step("SNS topic, log group, CloudWatch Logs role")
    make_topic(w, "trail-notifications", "cloudtrail-main-notifications", acct)
    lg_arn = make_log_group(w, "/trail/main", acct, 365)
    role_arn = make_cloudwatch_role(w, "cloudwatch-logs", "CloudTrail_CloudWatchLogs_Role", acct, lg_arn)
    step("trail main-trail")
    make_trail(w, trail_name, acct, bucket=bucket, multi_region=True, validation=True,
               kms_key_arn=key_arn, log_group_arn=lg_arn, cw_role_arn=role_arn,
               sns_topic_name="cloudtrail-main-notifications")
    if advanced:
        set_advanced_selectors(w, trail_name, [
            {"Name": "Log all management events",
             "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "Log all S3 object events",
             "FieldSelectors": [
                 {"Field": "eventCategory", "Equals": ["Data"]},
                 {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
             ]},
        ])
    else:
        set_classic_selectors(w, trail_name, [{
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
        }])
    set_insights(w, trail_name, ["ApiCallRateInsight", "ApiErrorRateInsight"])
    step("CIS monitoring: metric filters, alarms, confirmed subscriber on /trail/main")
    alarm_chain(w, "main", acct, "/trail/main", controls=CIS_V6_MONITORING)
    step("account-level S3 Block Public Access")
    account_public_access_block(w, acct)
    w.out["accounts"]["main"] = {"id": acct, "name": "main", "email": None,
                                 "role_name": None, "assumable": False, "ou": None}


def scenario_compliant(w: World) -> None:
    _compliant_world(w, advanced=False)


def scenario_compliant_advanced(w: World) -> None:
    _compliant_world(w, advanced=True)


def scenario_failing(w: World) -> None:
    acct = DEFAULT_ACCOUNT
    w.out["accounts"]["main"] = {"id": acct, "name": "main", "email": None,
                                 "role_name": None, "assumable": False, "ou": None}

    # bad-trail: every bucket/trail control off, logging stopped, SNS topic deleted.
    step("bad-trail")
    bucket = f"failing-trail-logs-{acct}"
    arn = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{acct}:trail/bad-trail"
    s3 = make_bucket(w, bucket, acct, purpose="trail-logs")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(cloudtrail_bucket_statements(bucket, [arn], [acct])))
    public_read_acl(s3, bucket)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{
            "ID": "expire-after-30-days",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Expiration": {"Days": 30},
        }]},
    )
    w.out["buckets"][bucket].update({
        "versioning": None, "mfa_delete": None, "object_lock": False, "access_log_bucket": None,
        "public_access_block": False, "ssl_only_policy": False, "lifecycle": True,
        "lifecycle_expiration_days": 30, "public_read_acl": True,
    })
    make_topic(w, "bad-trail-notifications", "bad-trail-notifications", acct)
    make_trail(w, "bad-trail", acct, bucket=bucket, multi_region=False, validation=False,
               sns_topic_name="bad-trail-notifications", start=True)
    ct = w.client("cloudtrail")
    ct.stop_logging(Name="bad-trail")
    w.out["trails"]["bad-trail"]["is_logging"] = False
    topic = w.out["sns_topics"]["bad-trail-notifications"]
    w.client("sns").delete_topic(TopicArn=topic["arn"])
    topic["deleted"] = True

    # excluding-trail: multi-region and logging, but KMS events excluded and key disabled.
    step("excluding-trail")
    bucket2 = f"excluding-trail-logs-{acct}"
    arn2 = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{acct}:trail/excluding-trail"
    key_arn = make_kms_key(w, "excluding-trail", acct, rotation=False, alias="alias/excluding-trail",
                           description="CloudTrail log encryption (excluding-trail)")
    s3 = make_bucket(w, bucket2, acct, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket2, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, bucket2)
    s3.put_bucket_policy(Bucket=bucket2, Policy=policy(
        cloudtrail_bucket_statements(bucket2, [arn2], [acct]) + [ssl_only_statement(bucket2)]))
    w.out["buckets"][bucket2].update({
        "versioning": "Enabled", "mfa_delete": None, "object_lock": False, "access_log_bucket": None,
        "public_access_block": True, "ssl_only_policy": True, "lifecycle": False, "public_read_acl": False,
    })
    make_trail(w, "excluding-trail", acct, bucket=bucket2, multi_region=True, validation=True,
               kms_key_arn=key_arn)
    set_advanced_selectors(w, "excluding-trail", [{
        "Name": "Management events except KMS",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
        ],
    }])
    disable_kms_key(w, "excluding-trail")

    # orphan-trail: eu-west-1 trail whose bucket was deleted after the trail was created.
    step("orphan-trail (eu-west-1)")
    region = "eu-west-1"
    bucket3 = f"orphan-trail-logs-{acct}"
    arn3 = f"arn:aws:cloudtrail:{region}:{acct}:trail/orphan-trail"
    s3eu = make_bucket(w, bucket3, acct, region=region, purpose="trail-logs")
    s3eu.put_bucket_policy(Bucket=bucket3, Policy=policy(cloudtrail_bucket_statements(bucket3, [arn3], [acct])))
    make_trail(w, "orphan-trail", acct, bucket=bucket3, region=region, multi_region=False,
               validation=False)
    log_key = f"AWSLogs/{acct}/CloudTrail/{region}/2024/01/01/{acct}_CloudTrail_{region}_20240101T0000Z_seed.json.gz"
    s3eu.put_object(Bucket=bucket3, Key=log_key, Body=b"{}")
    s3eu.delete_object(Bucket=bucket3, Key=log_key)
    s3eu.delete_bucket(Bucket=bucket3)
    w.out["buckets"][bucket3]["deleted"] = True
    # No account-level Block Public Access on purpose.


def _org_common(w: World, members: list[tuple[str, str | None]], ous: list[tuple[str, str | None]]) -> str:
    """The organization, its OUs as (name, parent OU name or None for the root), parents
    first, and its member accounts as (name, OU name or None for the root)."""
    org = create_organization(w)
    for ou, parent in ous:
        create_ou(w, ou, parent)
    for name, ou in members:
        step(f"account {name}")
        create_account(w, name, ou)
    return org["Id"]


def _org_trail(w: World, org_id: str, log_archive: str, bucket: str, *, key_logical: str,
               log_group: bool, mfa_delete: bool, object_lock: bool) -> None:
    mgmt = DEFAULT_ACCOUNT
    trail_arn = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{mgmt}:trail/org-trail"
    step("log-archive bucket")
    s3 = make_bucket(w, bucket, log_archive, purpose="organization-trail-logs", object_lock=object_lock)
    statements = cloudtrail_bucket_statements(bucket, [trail_arn], [mgmt], org_id=org_id)
    vc: dict[str, Any] = {"Status": "Enabled"}
    kwargs: dict[str, Any] = {}
    if mfa_delete:
        vc["MFADelete"] = "Enabled"
        kwargs["MFA"] = f"arn:aws:iam::{log_archive}:mfa/root-account-mfa-device 123456"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=vc, **kwargs)
    block_public_access(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statements + [ssl_only_statement(bucket)]))
    w.out["buckets"][bucket].update({
        "versioning": "Enabled", "mfa_delete": "Enabled" if mfa_delete else None,
        "object_lock": object_lock, "access_log_bucket": None, "public_access_block": True,
        "ssl_only_policy": True, "lifecycle": False, "public_read_acl": False,
    })
    step("organization trail")
    key_arn = make_kms_key(w, key_logical, mgmt, rotation=True, alias="alias/org-cloudtrail",
                           description="Organization CloudTrail log encryption", org_id=org_id)
    lg_arn = role_arn = None
    if log_group:
        lg_arn = make_log_group(w, "/org/cloudtrail", mgmt, 365)
        role_arn = make_cloudwatch_role(w, "org-cloudwatch-logs", "CloudTrail_CloudWatchLogs_Role", mgmt, lg_arn)
    make_trail(w, "org-trail", mgmt, bucket=bucket, multi_region=True, validation=True,
               kms_key_arn=key_arn, log_group_arn=lg_arn, cw_role_arn=role_arn, org_trail=True)


def scenario_org(w: World) -> None:
    org_id = _org_common(
        w,
        # Root → Core (log-archive), Members (member-b) → Team-A (member-a); member-norole and
        # the management account at the root.
        [("log-archive", "Core"), ("member-a", "Team-A"), ("member-b", "Members"), ("member-norole", None)],
        [("Core", None), ("Members", None), ("Team-A", "Members")],
    )
    accounts = w.out["accounts"]
    step("member-norole loses OrganizationAccountAccessRole")
    remove_org_role(w, "member-norole")
    log_archive = accounts["log-archive"]["id"]
    _org_trail(w, org_id, log_archive, f"org-trail-logs-{log_archive}", key_logical="org-trail",
               log_group=False, mfa_delete=False, object_lock=False)

    step("member-b local trail (us-west-2)")
    member_b = accounts["member-b"]["id"]
    region = "us-west-2"
    bucket = f"member-b-local-trail-logs-{member_b}"
    arn = f"arn:aws:cloudtrail:{region}:{member_b}:trail/member-b-local"
    s3 = make_bucket(w, bucket, member_b, region=region, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(cloudtrail_bucket_statements(bucket, [arn], [member_b])))
    w.out["buckets"][bucket].update({
        "versioning": "Enabled", "mfa_delete": None, "object_lock": False, "access_log_bucket": None,
        "public_access_block": False, "ssl_only_policy": False, "lifecycle": False, "public_read_acl": False,
    })
    make_trail(w, "member-b-local", member_b, bucket=bucket, region=region, multi_region=False,
               validation=True)


def scenario_unreadable_bucket(w: World) -> None:
    acct = DEFAULT_ACCOUNT
    w.out["accounts"]["main"] = {"id": acct, "name": "main", "email": None,
                                 "role_name": None, "assumable": False, "ou": None}
    bucket = f"locked-trail-logs-{acct}"
    arn = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{acct}:trail/locked-trail"
    step("locked bucket")
    s3 = make_bucket(w, bucket, acct, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, bucket)
    statements = cloudtrail_bucket_statements(bucket, [arn], [acct]) + [{
        "Sid": "DenyConfigurationReadsToAccount",
        "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
        "Action": "s3:Get*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }]
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statements))
    w.out["buckets"][bucket].update({
        "versioning": "Enabled", "public_access_block": True, "readable_by_scanner": False,
    })
    step("locked-trail")
    make_trail(w, "locked-trail", acct, bucket=bucket, multi_region=True, validation=True)


def scenario_demo(w: World) -> None:
    org_id = _org_common(
        w,
        [
            ("log-archive", "Security"),
            ("security-tooling", "Security"),
            ("prod-payments", "Prod"),
            ("dev-sandbox", "Sandbox"),
            ("legacy-analytics", "Non-prod"),
        ],
        # Root → Security, Workloads → (Prod, Non-prod), Sandbox; the management account at the root.
        [("Security", None), ("Workloads", None), ("Prod", "Workloads"), ("Non-prod", "Workloads"), ("Sandbox", None)],
    )
    accounts = w.out["accounts"]
    mgmt = DEFAULT_ACCOUNT
    log_archive = accounts["log-archive"]["id"]

    # Organization trail: compliant except no MFA delete / object lock on its bucket.
    _org_trail(w, org_id, log_archive, f"acme-org-cloudtrail-{log_archive}", key_logical="org-trail",
               log_group=True, mfa_delete=False, object_lock=False)
    set_insights(w, "org-trail", ["ApiCallRateInsight"])
    account_public_access_block(w, mgmt)
    account_public_access_block(w, log_archive)
    # CIS monitoring on the organization trail's log group, as a team half-way through it:
    # the first ten CIS v6.0 alarms reach a confirmed subscriber; the network ones (5.11-5.15)
    # were never set up. Every member covered by the org trail is judged by this chain.
    step("CIS monitoring on /org/cloudtrail: 10 of 15 filters and alarms")
    alarm_chain(w, "org", mgmt, "/org/cloudtrail", controls=CIS_V6_MONITORING[:10])

    step("security-tooling: compliant findings bucket and key")
    sec = accounts["security-tooling"]["id"]
    account_public_access_block(w, sec)
    make_kms_key(w, "security-findings", sec, rotation=True, alias="alias/security-findings",
                 description="Security Hub findings export", allow_cloudtrail=False)
    findings = f"security-findings-export-{sec}"
    access_logs = f"security-access-logs-{sec}"
    make_access_log_bucket(w, access_logs, sec)
    s3 = make_bucket(w, findings, sec, purpose="security-findings", object_lock=True)
    hardened_trail_bucket(w, s3, findings, sec, statements=[], access_log_bucket=access_logs,
                          object_lock=True, mfa_delete=False, lifecycle=True)

    step("prod-payments: opt-in region, key without rotation, suspended versioning")
    pay = accounts["prod-payments"]["id"]
    enable_opt_in_region(w, pay, "eu-south-1")
    make_kms_key(w, "payments-data", pay, rotation=False, alias="alias/payments-data",
                 description="Payments data at rest", allow_cloudtrail=False)
    pay_bucket = f"prod-payments-exports-{pay}"
    s3 = make_bucket(w, pay_bucket, pay, purpose="application-data")
    s3.put_bucket_versioning(Bucket=pay_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=pay_bucket, VersioningConfiguration={"Status": "Suspended"})
    block_public_access(s3, pay_bucket)
    w.out["buckets"][pay_bucket].update({"versioning": "Suspended", "public_access_block": True})

    step("dev-sandbox: its own non-compliant trail in us-west-2")
    dev = accounts["dev-sandbox"]["id"]
    region = "us-west-2"
    dev_bucket = f"sandbox-debug-trail-{dev}"
    dev_arn = f"arn:aws:cloudtrail:{region}:{dev}:trail/sandbox-debug-trail"
    s3 = make_bucket(w, dev_bucket, dev, region=region, purpose="trail-logs")
    s3.put_bucket_policy(Bucket=dev_bucket, Policy=policy(cloudtrail_bucket_statements(dev_bucket, [dev_arn], [dev])))
    public_read_acl(s3, dev_bucket)
    w.out["buckets"][dev_bucket].update({
        "versioning": None, "public_access_block": False, "ssl_only_policy": False,
        "public_read_acl": True,
    })
    make_trail(w, "sandbox-debug-trail", dev, bucket=dev_bucket, region=region,
               multi_region=False, validation=False, global_events=False)
    set_classic_selectors(w, "sandbox-debug-trail", [{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": [],
    }])

    step("legacy-analytics: OrganizationAccountAccessRole removed")
    remove_org_role(w, "legacy-analytics")

    # Last, so that nothing written for the chains can shift the ids recorded above.
    step("digest chains: 6 hourly digests per log account x delivering region of every validating trail")
    validating_trail_chains(w, org_id, tampered={("org-trail", "prod-payments", DEFAULT_REGION): DEMO_TAMPERS})


# The demo's tampering story (prod-payments, us-east-1, org-trail; one log file per hour there):
# the digests of hours 2 and 3 deleted, and the log file of hour 4 altered after delivery.
DEMO_TAMPERS = ["digest-delete=2", "digest-delete=3", "log-byte=4"]


def validating_trail_chains(w: World, org_id: str | None, *, hours: int = 6,
                            tampered: dict[tuple[str, str, str], list[str]] | None = None) -> list[dict[str, Any]]:
    """What CloudTrail would have delivered over the last `hours` for every seeded trail with
    log file validation and logging on: one chain per log account (every account of the
    organization for an organization trail, the owner otherwise) x delivering region (the
    account's enabled regions, account:ListRegions, for a multi-region trail; the home region
    otherwise), the newest digest ending now. Quiet accounts: most hours have no log file or
    one small one (CloudTrail still delivers an empty digest every hour). Every chain of a region
    is signed with that region's one key. tampered: {(trail, account key, region): tampers}; a
    tampered chain gets exactly one log file per hour, so the tampers' log indexes are its hours.
    The chains are recorded under digest_chains["<trail>/<account key>/<region>"] as summaries;
    each trail's LatestDigestDeliveryTime is the newest digest end of all its chains."""
    tampered = tampered or {}
    end = int(time.time())
    regions_of: dict[str, list[str]] = {}
    specs = []
    for trail_name, t in sorted(w.out["trails"].items()):
        if not (t["log_file_validation"] and t["is_logging"]):
            continue
        if t["is_organization_trail"]:
            log_accounts = sorted(w.out["accounts"].items(), key=lambda kv: kv[1]["id"])
        else:
            log_accounts = [(k, a) for k, a in w.out["accounts"].items() if a["id"] == t["account_id"]][:1]
        for key, acct in log_accounts:
            if t["is_multi_region"]:
                if acct["id"] not in regions_of:
                    regions_of[acct["id"]] = enabled_regions(w, acct["id"])
                regions = regions_of[acct["id"]]
            else:
                regions = [t["home_region"]]
            for region in regions:
                tampers = tampered.get((trail_name, key, region))
                specs.append({
                    "name": f"{trail_name}/{key}/{region}", "trail": trail_name, "account_id": acct["id"],
                    "source_region": region, "org_id": org_id if t["is_organization_trail"] else None,
                    "hours": hours, "end_time": end, "seed": 11,
                    "logs_per_hour": (1, 1) if tampers else (0, 1), "empty_hours": [] if tampers else None,
                    "log_size": (1024, 6144), "size_of": "uncompressed", "threads": 4,
                    "tampers": tampers or [], "set_delivery_time": False,
                    "summary": {"account": key},
                })
    manifests = digest_chains(w, specs)
    newest: dict[str, int] = {}
    for spec, m in zip(specs, manifests):
        arn = w.out["trails"][spec["trail"]]["arn"]
        end_of_chain = int(datetime.fromisoformat(m["digests"][-1]["end"].replace("Z", "+00:00")).timestamp())
        newest[arn] = max(newest.get(arn, 0), end_of_chain)
    for arn, when in newest.items():
        set_digest_delivery(w, arn, when)
    return manifests


# The scale scenario's members with a trail of their own take these kinds in turn (so even a
# small organization has a broken one): multi-region / single-region trails that are fine, and
# three broken ones: logging stopped, no log file validation, bucket deleted after the trail.
SCALE_OWN_TRAILS = ["multi-region", "single-region", "stopped", "multi-region",
                    "no-validation", "single-region", "multi-region", "bucket-missing"]
SCALE_TRAIL_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
# What the "noisy" member holds that no trail uses (all in us-east-1).
SCALE_NOISE = {"log_groups": 10_000, "buckets": 1_000, "kms_keys": 1_000}
SCALE_THREADS = 8


def parallel(fn: Callable[[Any], Any], items: list[Any], threads: int = SCALE_THREADS) -> list[Any]:
    """fn over items on a thread pool (the emulator serves requests concurrently; boto3 clients
    are thread-safe once made, and World.client makes them under a lock). Results in order;
    the first exception is raised."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(fn, items))


def create_accounts(w: World, names: list[str]) -> list[str]:
    """create_account() for many accounts: the CreateAccount calls one after the other (so the
    seeded id generator gives every name the same id from run to run), then the audit roles on
    a thread pool."""
    orgs = w.client("organizations")
    ids = []
    for name in names:
        status = orgs.create_account(AccountName=name, Email=f"aws+{name}@example.com",
                                     RoleName=ORG_ROLE)["CreateAccountStatus"]
        while status["State"] == "IN_PROGRESS":
            time.sleep(0.2)
            status = orgs.describe_create_account_status(
                CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise RuntimeError(f"CreateAccount {name}: {status}")
        ids.append(status["AccountId"])
    parallel(lambda acct: make_audit_role(w, acct), ids)
    for name, acct in zip(names, ids):
        w.out["accounts"][name] = {"id": acct, "name": name, "email": f"aws+{name}@example.com",
                                   "role_name": AUDIT_ROLE, "assumable": True, "ou": None}
    return ids


def scale_own_trail(w: World, index: int, name: str) -> None:
    """Member `name`'s own trail, of kind SCALE_OWN_TRAILS[index % 8], in one of four regions."""
    kind = SCALE_OWN_TRAILS[index % len(SCALE_OWN_TRAILS)]
    acct = w.out["accounts"][name]["id"]
    region = SCALE_TRAIL_REGIONS[index % len(SCALE_TRAIL_REGIONS)]
    trail = f"local-{name}"
    bucket = f"local-trail-logs-{acct}"
    arn = f"arn:aws:cloudtrail:{region}:{acct}:trail/{trail}"
    s3 = make_bucket(w, bucket, acct, region=region, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(cloudtrail_bucket_statements(bucket, [arn], [acct])))
    w.out["buckets"][bucket].update({"versioning": "Enabled", "public_access_block": True})
    make_trail(w, trail, acct, bucket=bucket, region=region,
               multi_region=kind in ("multi-region", "stopped", "bucket-missing"),
               validation=kind != "no-validation", start=kind != "stopped")
    w.out["trails"][trail]["scale_kind"] = kind
    if kind == "bucket-missing":
        s3.delete_bucket(Bucket=bucket)
        w.out["buckets"][bucket]["deleted"] = True


def scale_noise(w: World, name: str) -> dict[str, float]:
    """Member `name` gets SCALE_NOISE's log groups, buckets and KMS keys (us-east-1), which no
    trail references, through the API on a thread pool; returns the seconds each kind took."""
    acct = w.out["accounts"][name]["id"]
    region = DEFAULT_REGION
    took: dict[str, float] = {}

    t = time.monotonic()
    logs = w.client("logs", acct, region)
    groups = [f"/aws/lambda/noise-{i:05d}" for i in range(SCALE_NOISE["log_groups"])]
    parallel(lambda g: logs.create_log_group(logGroupName=g), groups)
    for g in groups:
        w.out["log_groups"][g] = {"arn": f"arn:aws:logs:{region}:{acct}:log-group:{g}:*", "name": g,
                                  "account_id": acct, "region": region, "retention_days": None}
    took["log_groups"] = time.monotonic() - t

    t = time.monotonic()
    w.client("s3", acct, region)  # made once, before the threads share it
    parallel(lambda i: make_bucket(w, f"noise-{i:04d}-{acct}", acct, region=region, purpose="unrelated"),
             list(range(SCALE_NOISE["buckets"])))
    took["buckets"] = time.monotonic() - t

    t = time.monotonic()
    w.client("kms", acct, region)
    parallel(lambda i: make_kms_key(w, f"noise-{i:04d}", acct, rotation=False, allow_cloudtrail=False,
                                    description=f"unrelated application key {i}", region=region),
             list(range(SCALE_NOISE["kms_keys"])))
    took["kms_keys"] = time.monotonic() - t
    return took


def scenario_scale(w: World) -> None:
    """A large organization for the scan benchmark (scripts/bench-scan.sh). Size from
    TRAILWARDEN_SCALE_ACCOUNTS (default 50): that many members `member-NNNN`, plus `log-archive`
    and `noisy`. The organization trail (management account, multi-region, validation, CMK)
    delivers to a log-archive bucket and covers everyone; every tenth member (member-0000,
    member-0010, ...) also has a trail of its own (SCALE_OWN_TRAILS, in one of four regions);
    `noisy` holds SCALE_NOISE (10,000 log groups, 1,000 buckets, 1,000 KMS keys in us-east-1)
    that no trail uses. Every member has the audit role TrailwardenAudit. The seconds each phase
    took are logged (stderr line `[seed] seeding times (s): {...}`)."""
    n = int(os.environ.get("TRAILWARDEN_SCALE_ACCOUNTS", "50"))
    members = [f"member-{i:04d}" for i in range(n)]
    took: dict[str, Any] = {}

    t = time.monotonic()
    org_id = create_organization(w)["Id"]
    step(f"{n + 2} accounts (CreateAccount one by one, audit roles on {SCALE_THREADS} threads)")
    create_accounts(w, ["log-archive", "noisy"] + members)
    took["accounts"] = time.monotonic() - t

    t = time.monotonic()
    log_archive = w.out["accounts"]["log-archive"]["id"]
    _org_trail(w, org_id, log_archive, f"org-trail-logs-{log_archive}", key_logical="org-trail",
               log_group=False, mfa_delete=False, object_lock=False)
    own = [(i, name) for i, name in enumerate(members[::10])]
    step(f"{len(own)} members' own trails")
    parallel(lambda item: scale_own_trail(w, *item), own)
    took["trails"] = time.monotonic() - t

    step("noisy: {log_groups} log groups, {buckets} buckets, {kms_keys} KMS keys no trail uses".format(**SCALE_NOISE))
    took["noise"] = scale_noise(w, "noisy")
    took = {k: ({kk: round(vv, 1) for kk, vv in v.items()} if isinstance(v, dict) else round(v, 1))
            for k, v in took.items()}
    step(f"seeding times (s): {json.dumps(took)}")


# --------------------------------------------------------------------------------------
# CIS monitoring chain: trail -> CloudWatch Logs -> metric filter -> alarm -> SNS -> e-mail
# --------------------------------------------------------------------------------------

CIS_METRIC_NAMESPACE = "CISBenchmark"

# CIS AWS Foundations Benchmark v6.0.0, section 5 "Monitoring", controls 5.1-5.15: the
# filter patterns of the remediation procedures. The published text loses the quotes
# around string values in places; they are restored here as earlier releases print them
# (CloudWatch Logs matches `= "Root"` and `= Root` alike). Changes against the v1.x/v3.0
# texts: 5.1 adds `&& ($.sourceIPAddress!="delivery.logs.amazonaws.com") &&
# ($.eventName!="HeadBucket")` (v3.0 printed these with `||`); 5.10 adds
# ModifySecurityGroupRules; 5.13 drops the `$.eventSource = ec2.amazonaws.com` guard.
CIS_V6_MONITORING: list[tuple[str, str, str, str]] = [
    ("5.1", "unauthorized-api-calls", "Ensure unauthorized API calls are monitored",
     '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
     '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }'),
    ("5.2", "no-mfa-console-signin", "Ensure management console sign-in without MFA is monitored",
     '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
    ("5.3", "root-usage", "Ensure usage of the 'root' account is monitored",
     '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'),
    ("5.4", "iam-policy-changes", "Ensure IAM policy changes are monitored",
     "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
     "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
     "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
     "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
     "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
     "($.eventName=DetachGroupPolicy)}"),
    ("5.5", "cloudtrail-config-changes", "Ensure CloudTrail configuration changes are monitored",
     "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
     "($.eventName = StartLogging) || ($.eventName = StopLogging) }"),
    ("5.6", "console-signin-failures", "Ensure AWS Management Console authentication failures are monitored",
     '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'),
    ("5.7", "disable-or-delete-cmk", "Ensure disabling or scheduled deletion of customer created CMKs is monitored",
     "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"),
    ("5.8", "s3-bucket-policy-changes", "Ensure S3 bucket policy changes are monitored",
     "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
     "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
     "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
     "($.eventName = DeleteBucketReplication)) }"),
    ("5.9", "aws-config-changes", "Ensure AWS Config configuration changes are monitored",
     "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
     "($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"),
    ("5.10", "security-group-changes", "Ensure security group changes are monitored",
     "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
     "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
     "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || "
     "($.eventName = ModifySecurityGroupRules) }"),
    ("5.11", "nacl-changes", "Ensure Network Access Control List (NACL) changes are monitored",
     "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || "
     "($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || "
     "($.eventName = ReplaceNetworkAclAssociation) }"),
    ("5.12", "network-gateway-changes", "Ensure changes to network gateways are monitored",
     "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
     "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
     "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"),
    ("5.13", "route-table-changes", "Ensure route table changes are monitored",
     "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
     "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
     "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"),
    ("5.14", "vpc-changes", "Ensure VPC changes are monitored",
     "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
     "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
     "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
     "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || "
     "($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"),
    ("5.15", "organizations-changes", "Ensure AWS Organizations changes are monitored",
     '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
     '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || '
     '($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
     '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || '
     '($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || '
     '($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || '
     '($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || '
     '($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }'),
]


def pending_confirmation_tokens(w: World, topic_arn: str) -> list[dict[str, str]]:
    """Pending subscriptions of a topic with their tokens (harness-only route, see README)."""
    import urllib.parse
    import urllib.request

    url = f"{w.endpoint}/_trailwarden/sns/confirmation-tokens?{urllib.parse.urlencode({'TopicArn': topic_arn})}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    with opener.open(url, timeout=10) as resp:
        return json.loads(resp.read())["PendingSubscriptions"]


def make_alarm_topic(w: World, logical: str, name: str, account: str, region: str = DEFAULT_REGION) -> str:
    sns = w.client("sns", account, region)
    arn = sns.create_topic(Name=name)["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=arn,
        AttributeName="Policy",
        AttributeValue=policy([{
            "Sid": "AllowCloudWatchAlarms",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }]),
    )
    w.out["sns_topics"][logical] = {"arn": arn, "name": name, "account_id": account,
                                    "region": region, "deleted": False}
    return arn


def subscribe(w: World, logical: str, topic_arn: str, *, protocol: str, endpoint: str,
              confirmed: bool, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> str | None:
    """Subscribe an endpoint; confirm it (token from the harness route) when asked.

    Returns the subscription ARN (also for a pending one: ReturnSubscriptionArn)."""
    sns = w.client("sns", account, region)
    arn = sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    pending = any(p["SubscriptionArn"] == arn for p in pending_confirmation_tokens(w, topic_arn))
    if pending and confirmed:
        token = next(p["Token"] for p in pending_confirmation_tokens(w, topic_arn) if p["SubscriptionArn"] == arn)
        sns.confirm_subscription(TopicArn=topic_arn, Token=token)
        pending = False
    if confirmed and pending:
        raise RuntimeError(f"subscription {arn} is still pending")
    w.out["sns_subscriptions"][logical] = {
        "arn": arn, "topic_arn": topic_arn, "protocol": protocol, "endpoint": endpoint,
        "confirmed": not pending, "account_id": account, "region": region,
    }
    return arn


def alarm_chain(w: World, name: str, account: str, log_group: str, *, controls: list[tuple[str, str, str, str]],
                region: str = DEFAULT_REGION, email: str = "security-alerts@example.com",
                confirmed: bool = True) -> tuple[str, str, dict[str, Any]]:
    """On an existing log group: one metric filter per control, one alarm per filter metric
    notifying topic `<name>-alarms`, and one e-mail subscription (confirmed or pending).
    Returns (topic ARN, subscription ARN, controls as recorded in the scenario output)."""
    step(f"monitoring chain {name}: topic and {'confirmed' if confirmed else 'pending'} e-mail subscription")
    topic_name = f"{name}-alarms"
    topic_arn = make_alarm_topic(w, f"{name}-alarms", topic_name, account, region)
    sub_arn = subscribe(w, f"{name}-email", topic_arn, protocol="email", endpoint=email,
                        confirmed=confirmed, account=account, region=region)

    step(f"monitoring chain {name}: {len(controls)} metric filters and alarms")
    logs = w.client("logs", account, region)
    cw = w.client("cloudwatch", account, region)
    out_controls: dict[str, Any] = {}
    for control, slug, title, pattern in controls:
        filter_name = f"{name}-{slug}"
        logs.put_metric_filter(
            logGroupName=log_group,
            filterName=filter_name,
            filterPattern=pattern,
            metricTransformations=[{"metricName": slug, "metricNamespace": CIS_METRIC_NAMESPACE,
                                    "metricValue": "1"}],
        )
        w.out["metric_filters"][filter_name] = {
            "name": filter_name, "log_group": log_group, "account_id": account, "region": region,
            "pattern": pattern, "metric_name": slug, "metric_namespace": CIS_METRIC_NAMESPACE,
            "metric_value": "1", "control": control,
        }
        alarm_name = f"{name}-{slug}"
        cw.put_metric_alarm(
            AlarmName=alarm_name,
            AlarmDescription=f"CIS {control}: {title}",
            MetricName=slug,
            Namespace=CIS_METRIC_NAMESPACE,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            ActionsEnabled=True,
            AlarmActions=[topic_arn],
        )
        out_controls[control] = {"title": title, "filter_name": filter_name, "pattern": pattern,
                                 "metric_name": slug, "alarm_name": alarm_name}
    names = [c["alarm_name"] for c in out_controls.values()]
    arns = {}
    for i in range(0, len(names), 100):
        for a in cw.describe_alarms(AlarmNames=names[i:i + 100], MaxRecords=100)["MetricAlarms"]:
            arns[a["AlarmName"]] = a["AlarmArn"]
    for control, c in out_controls.items():
        c["alarm_arn"] = arns[c["alarm_name"]]
        w.out["alarms"][c["alarm_name"]] = {
            "name": c["alarm_name"], "arn": c["alarm_arn"], "account_id": account, "region": region,
            "metric_name": c["metric_name"], "namespace": CIS_METRIC_NAMESPACE,
            "alarm_actions": [topic_arn], "control": control,
        }
    return topic_arn, sub_arn, out_controls


def monitoring_chain(w: World, name: str, account: str, *, controls: list[tuple[str, str, str, str]],
                     region: str = DEFAULT_REGION, email: str = "security-alerts@example.com",
                     confirmed: bool = True) -> dict[str, Any]:
    """One CIS monitoring chain in `account`: a CloudWatch Logs log group, a multi-region
    logging trail delivering to it (CloudWatchLogsLogGroupArn + CloudWatchLogsRoleArn),
    one metric filter per control (pattern on that group, metric in CISBenchmark), one
    alarm per filter metric (Sum >= 1 over 300 s) notifying one SNS topic, and one e-mail
    subscription to the topic, confirmed or left pending. `controls` rows are
    (control id, slug, title, filter pattern), e.g. CIS_V6_MONITORING or a slice of it.
    Names: trail `<name>-trail`, log group `/<name>/cloudtrail`, filters and alarms
    `<name>-<slug>`, metric `<slug>`, topic `<name>-alarms`."""
    trail_name = f"{name}-trail"
    trail_arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name}"
    bucket = f"{name}-trail-logs-{account}"
    step(f"monitoring chain {name}: bucket, log group, role, trail")
    s3 = make_bucket(w, bucket, account, region=region, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        cloudtrail_bucket_statements(bucket, [trail_arn], [account]) + [ssl_only_statement(bucket)]))
    w.out["buckets"][bucket].update({"versioning": "Enabled", "public_access_block": True,
                                     "ssl_only_policy": True})
    log_group = f"/{name}/cloudtrail"
    lg_arn = make_log_group(w, log_group, account, 365, region=region)
    role_arn = make_cloudwatch_role(w, f"{name}-cloudwatch-logs", f"{name}-CloudTrail-CloudWatchLogs",
                                    account, lg_arn)
    make_trail(w, trail_name, account, bucket=bucket, region=region, multi_region=True, validation=True,
               log_group_arn=lg_arn, cw_role_arn=role_arn)

    topic_arn, sub_arn, out_controls = alarm_chain(w, name, account, log_group, controls=controls, region=region,
                                                   email=email, confirmed=confirmed)
    chain = {
        "name": name, "account_id": account, "region": region,
        "trail_name": trail_name, "trail_arn": trail_arn, "bucket": bucket,
        "log_group_name": log_group, "log_group_arn": lg_arn, "cloudwatch_role_arn": role_arn,
        "topic_name": f"{name}-alarms", "topic_arn": topic_arn,
        "subscription_arn": sub_arn, "subscription_endpoint": email, "subscription_confirmed": confirmed,
        "metric_namespace": CIS_METRIC_NAMESPACE, "controls": out_controls,
    }
    w.out["monitoring_chains"][name] = chain
    return chain


def scenario_integrity(w: World) -> None:
    """A trail with log file validation and 6 hours of signed digests ending now."""
    acct = DEFAULT_ACCOUNT
    w.out["accounts"]["main"] = {"id": acct, "name": "main", "email": None,
                                 "role_name": None, "assumable": False, "ou": None}
    trail_name = "integrity-trail"
    bucket = f"integrity-trail-logs-{acct}"
    arn = f"arn:aws:cloudtrail:{DEFAULT_REGION}:{acct}:trail/{trail_name}"
    step("trail bucket")
    s3 = make_bucket(w, bucket, acct, purpose="trail-logs")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    block_public_access(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        cloudtrail_bucket_statements(bucket, [arn], [acct]) + [ssl_only_statement(bucket)]))
    w.out["buckets"][bucket].update({"versioning": "Enabled", "public_access_block": True,
                                     "ssl_only_policy": True})
    step("integrity-trail with log file validation")
    make_trail(w, trail_name, acct, bucket=bucket, multi_region=True, validation=True)
    step("6 hourly signed digests and their log files, ending now")
    digest_chain(w, "integrity", trail_name, hours=6, end_time=int(time.time()), seed=1)


def scenario_cis_monitoring(w: World) -> None:
    acct = DEFAULT_ACCOUNT
    w.out["accounts"]["main"] = {"id": acct, "name": "main", "email": None,
                                 "role_name": None, "assumable": False, "ou": None}
    monitoring_chain(w, "cis", acct, controls=CIS_V6_MONITORING, email="security-alerts@example.com",
                     confirmed=True)


# Private keys this run generated, by PEM bytes (see _chain_module).
_LOADED_KEYS: dict[bytes, Any] = {}


def _chain_module() -> Any:
    """chain.py, its SigningKey.load taught to reuse the keys this run generated: loading a
    PEM RSA key checks it (~50 ms of CPU under the GIL), which for a hundred chains sharing
    eighteen region keys would be most of the seeding time."""
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import chain as chain_builder

    key_class = chain_builder.SigningKey
    if not getattr(key_class, "_seed_cached_load", False):
        original = key_class.load.__func__

        def load(cls: Any, pem_path: str, encoding: str = "pkcs1") -> Any:
            with open(pem_path, "rb") as f:
                known = _LOADED_KEYS.get(f.read())
            return cls(known, encoding) if known is not None else original(cls, pem_path, encoding)

        key_class.load = classmethod(load)
        key_class._seed_cached_load = True
    return chain_builder


def region_signing_keys(w: World, regions: list[str]) -> dict[str, str]:
    """The PEM path of each region's CloudTrail signing key, generating the missing ones (in
    parallel: key generation releases the GIL). One key per region for the whole run, as in
    AWS: every chain whose digests come from that region is signed with it, and ListPublicKeys
    in that region lists exactly that key (the launcher merges re-registrations of one key)."""
    chain_builder = _chain_module()
    with w._lock:
        missing = sorted({r for r in regions if r not in w._region_keys})
        if missing:
            if w._key_dir is None:
                w._key_dir = tempfile.mkdtemp(prefix="trailwarden-seed-keys-")
            with ThreadPoolExecutor(max_workers=min(4, len(missing))) as pool:
                keys = list(pool.map(lambda _: chain_builder.SigningKey.generate(), missing))
            for region, key in zip(missing, keys):
                path = os.path.join(w._key_dir, f"cloudtrail-{region}.pem")
                pem = key.pem()
                with open(path, "wb") as f:
                    f.write(pem)
                _LOADED_KEYS[pem] = key.private_key
                w._region_keys[region] = path
        return {r: w._region_keys[r] for r in regions}


def set_digest_delivery(w: World, trail_arn: str, when: int | None) -> None:
    """GetTrailStatus LatestDigestDeliveryTime of the trail (launcher route, patch o)."""
    import urllib.request

    req = urllib.request.Request(
        w.endpoint + "/_trailwarden/cloudtrail/digest-delivery", method="POST",
        data=json.dumps({"trail_arn": trail_arn, "latest_digest_delivery_time": when}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=30) as resp:
        resp.read()


def enabled_regions(w: World, account: str) -> list[str]:
    """account:ListRegions (ENABLED + ENABLED_BY_DEFAULT), as the scanner asks it; for a
    member asked by the management account with AccountId (trusted access), so it works for
    a member that can no longer be entered too."""
    acct = w.client("account")
    kwargs: dict[str, Any] = {"RegionOptStatusContains": ["ENABLED", "ENABLED_BY_DEFAULT"]}
    if account != DEFAULT_ACCOUNT:
        kwargs["AccountId"] = account
    regions: list[str] = []
    while True:
        page = acct.list_regions(**kwargs)
        regions.extend(r["RegionName"] for r in page.get("Regions", []))
        if not page.get("NextToken"):
            return sorted(regions)
        kwargs["NextToken"] = page["NextToken"]


def chain_summary(manifest: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What a scenario records of a chain when the full manifests would be too big: the
    deterministic facts (no key names with time stamps, no fingerprints, no times)."""
    digests = manifest["digests"]
    logs = manifest["logs"]
    tampers = []
    for t in manifest["tampers"]:
        keys = set(t["keys"])
        tampers.append({
            "name": t["name"], "arg": t["arg"],
            "digest_indexes": [d["index"] for d in digests if d["key"] in keys],
            "log_indexes": [x["index"] for x in logs if x["key"] in keys],
            "log_digest_indexes": [x["digest_index"] for x in logs if x["key"] in keys],
        })
    out = {
        "trail_name": manifest["trail_name"],
        "account_id": manifest["account_id"],
        "source_region": manifest["source_region"],
        "home_region": manifest["home_region"],
        "bucket": manifest["bucket"],
        "org_id": manifest["org_id"],
        "digest_list_prefix": manifest["digest_list_prefix"],
        "digests": len(digests),
        "logs": len(logs),
        "logs_per_digest": [d["log_count"] for d in digests],
        "tampers": tampers,
    }
    out.update(extra)
    return out


def digest_chain(w: World, name: str, trail: str, *, hours: int = 6, end_time: int | None = None,
                 account_id: str | None = None, source_region: str | None = None, org_id: str | None = None,
                 private_key: str | None = None, writer: str | None = None, set_delivery_time: bool = True,
                 summary: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Signed CloudTrail digests and log files for a seeded trail, written by chain.py into
    the trail's bucket, its public key registered with the launcher and (set_delivery_time)
    the trail's LatestDigestDeliveryTime set to the newest digest's end.

    account_id: the log account (default: the trail owner); source_region: the delivering
    region (default: the home region); org_id: the o-... folder of an organization trail's
    layout (default: none). private_key: a PEM path to sign with (default: the run's key of
    the source region, region_signing_keys(), so chains of one region share one key).
    writer: the account whose credentials write the objects (default: the bucket's owner when
    seeded, else the trail owner). summary: record chain_summary(manifest, **summary) under
    digest_chains[name] instead of the full manifest. Extra keyword arguments go to
    chain.build_chain (seed, logs_per_hour, tampers, backfill, threads, ...). Safe to call from
    several threads once the writer's credentials are known (see digest_chains()). The key
    tampers (key-none, key-garbage) act on the region's ListPublicKeys answer: another chain
    of the same region still registers that region's key, so use such a tamper only in a
    region no other chain of the scenario writes to."""
    chain_builder = _chain_module()
    t = w.out["trails"][trail]
    source_region = source_region or t["home_region"]
    writer = writer or (w.out["buckets"].get(t["bucket"]) or {}).get("account_id") or t["account_id"]
    with w._lock:
        creds = w._creds.get(writer)
    if creds is None:
        creds = w._assume(writer)
    if private_key is None:
        private_key = region_signing_keys(w, [source_region])[source_region]
    manifest = chain_builder.build_chain(
        w.endpoint, bucket=t["bucket"], account_id=account_id or t["account_id"], source_region=source_region,
        trail_name=t["name"], home_region=t["home_region"], org_id=org_id,
        trail_arn=t["arn"] if set_delivery_time else None, hours=hours, end_time=end_time,
        private_key=private_key, credentials=creds, progress=False, **kwargs)
    with w._lock:
        w.out["digest_chains"][name] = manifest if summary is None else chain_summary(manifest, **summary)
    return manifest


@contextlib.contextmanager
def _shared_boto3_clients() -> Any:
    """chain.py makes its own boto3 clients per chain; creating one costs tens of ms of CPU
    (under the GIL), which for a hundred chains is most of the seeding time, and boto3.client()
    on the default session is not thread-safe. While many chains are built at once, hand out one
    client (thread-safe once made) per service, endpoint, region and credentials, created under a
    lock with a connection pool big enough for every thread sharing it."""
    original = boto3.client
    lock = threading.Lock()
    made: dict[tuple[Any, ...], Any] = {}

    def client(service: str, *args: Any, **kwargs: Any) -> Any:
        key = (service, args, tuple(sorted((k, v) for k, v in kwargs.items() if k != "config")))
        with lock:
            if key not in made:
                config = kwargs.get("config")
                pool = Config(max_pool_connections=64)
                kwargs["config"] = config.merge(pool) if config is not None else pool
                made[key] = original(service, *args, **kwargs)
            return made[key]

    boto3.client = client
    try:
        yield
    finally:
        boto3.client = original


def digest_chains(w: World, specs: list[dict[str, Any]], *, parallel: int = 6) -> list[dict[str, Any]]:
    """Many digest_chain() calls at once (each spec: its keyword arguments, name and trail
    included), in-process on a thread pool. The region keys and the writers' credentials are
    prepared first; the manifests come back in spec order."""
    regions = sorted({s.get("source_region") or w.out["trails"][s["trail"]]["home_region"] for s in specs})
    region_signing_keys(w, regions)
    for s in specs:
        t = w.out["trails"][s["trail"]]
        writer = s.get("writer") or (w.out["buckets"].get(t["bucket"]) or {}).get("account_id") or t["account_id"]
        if writer not in w._creds:
            w._assume(writer)
    with _shared_boto3_clients(), ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(lambda s=s: digest_chain(w, s["name"], s["trail"],
                                                        **{k: v for k, v in s.items() if k not in ("name", "trail")}))
                   for s in specs]
        return [f.result() for f in futures]


SCENARIOS: dict[str, Callable[[World], None]] = {
    "scale": scenario_scale,
    "compliant": scenario_compliant,
    "compliant-advanced": scenario_compliant_advanced,
    "failing": scenario_failing,
    "org": scenario_org,
    "unreadable-bucket": scenario_unreadable_bucket,
    "demo": scenario_demo,
    "cis-monitoring": scenario_cis_monitoring,
    "integrity": scenario_integrity,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed a trailwarden scenario into the AWS emulator.")
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    args = parser.parse_args(argv)

    host = urlsplit(args.endpoint).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        parser.error("--endpoint must be a loopback URL (the emulator), never real AWS")

    started = time.time()
    w = World(args.endpoint, args.scenario)
    try:
        existing = [b["Name"] for b in w.client("s3").list_buckets().get("Buckets", [])]
        if existing:
            raise RuntimeError(
                f"the emulator already holds buckets {existing[:5]}; seed each scenario into "
                "a fresh moto_launcher.py (resource names are fixed)")
        SCENARIOS[args.scenario](w)
    except Exception as exc:  # noqa: BLE001 - report any failure plainly
        print(f"seed.py: scenario {args.scenario!r} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        w.close()
    log(f"scenario {args.scenario} seeded in {time.time() - started:.2f}s")
    sys.stdout.write(json.dumps(w.out, sort_keys=True) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
