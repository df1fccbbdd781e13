#!/usr/bin/env python3
"""Apply a named change to an already seeded emulator, through the AWS APIs only.

Usage:
    python tests/harness/change.py --endpoint http://127.0.0.1:PORT --change NAME

Used by the baseline tests: scan, change something the way an operator would, scan again.
Changes (on the `failing` scenario, account 123456789012):
  fix-bad-trail            start logging `bad-trail` and turn on its log file validation
  break-excluding-trail    turn off log file validation on `excluding-trail`
  create-audit-role        (on `org`) a read-only `TrailwardenAudit` role in every member account
On the `cis-monitoring` scenario (trail `cis-trail`, log group `/cis/cloudtrail`, filters and
alarms `cis-<slug>`, topic `cis-alarms`), faults the way operators and AWS produce them:
  rewrite-filters          5.2, 5.7, 5.8 re-put with equivalent patterns (spacing, quoting,
                           order of || terms and && operands, extra parentheses)
  break-iam-filter         5.4 loses DeleteGroupPolicy from its pattern
  alarm-without-action     5.3's alarm notifies nobody (no alarm actions)
  alarm-in-other-region    5.5's alarm moves to us-west-2 (the log group is in us-east-1)
  alarm-in-other-namespace 5.6's alarm watches the metric name in another namespace
  stop-trail / start-trail stop or start logging on cis-trail
  single-region-trail      cis-trail becomes single-region; multi-region-trail undoes it
  write-only-trail         cis-trail records only write management events
  data-only-trail          cis-trail records only S3 data events (advanced selectors)
  pending-subscriber       the confirmed e-mail subscriber leaves; a new one stays pending
  delete-topic             the alarms' topic `cis-alarms` is deleted
On the `integrity` scenario (trail `integrity-trail`, bucket `integrity-trail-logs-123456789012`,
a 6-hour chain), tampering the way an intruder with write access to the bucket would:
  delete-newest-digests    the 2 newest digest files deleted (LatestDigestDeliveryTime unchanged)
  delete-middle-digest     the 4th-newest digest file deleted
  alter-log                one byte of the newest non-empty hour's first log file changed, re-gzipped
Prints one JSON object naming what changed.
"""

from __future__ import annotations

import argparse
import json
import sys

from seed import World  # same isolation from real AWS and the same client plumbing


def fix_bad_trail(w: World) -> dict:
    ct = w.client("cloudtrail")
    ct.update_trail(Name="bad-trail", EnableLogFileValidation=True)
    ct.start_logging(Name="bad-trail")
    return {"fixed": ["CT108", "CT201"], "trail": "bad-trail"}


def break_excluding_trail(w: World) -> dict:
    w.client("cloudtrail").update_trail(Name="excluding-trail", EnableLogFileValidation=False)
    return {"broken": ["CT201"], "trail": "excluding-trail"}


AUDIT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}],
}


def create_audit_role(w: World) -> dict:
    """A dedicated read-only scan role `TrailwardenAudit` in every member account that the
    management account can still enter (as a StackSet or an AFT customization would)."""
    created, skipped = [], []
    pages = w.client("organizations").get_paginator("list_accounts").paginate()
    for account in (a for page in pages for a in page["Accounts"]):
        if account["Id"] == "123456789012":
            continue
        try:
            iam = w.client("iam", account=account["Id"])
            if any(r["RoleName"] == "TrailwardenAudit" for r in iam.list_roles()["Roles"]):
                created.append(account["Id"])  # the seed's StackSet stand-in already made it
                continue
            iam.create_role(RoleName="TrailwardenAudit", AssumeRolePolicyDocument=json.dumps(AUDIT_TRUST))
            iam.attach_role_policy(RoleName="TrailwardenAudit", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
            created.append(account["Id"])
        except Exception as exc:  # noqa: BLE001 - an account we cannot enter keeps no role
            skipped.append({"account": account["Id"], "reason": str(exc)})
    return {"created": created, "skipped": skipped}


ACCOUNT, REGION, TRAIL, LOG_GROUP, NAMESPACE = "123456789012", "us-east-1", "cis-trail", "/cis/cloudtrail", "CISBenchmark"


def _put_filter(w: World, slug: str, pattern: str) -> None:
    w.client("logs").put_metric_filter(
        logGroupName=LOG_GROUP, filterName=f"cis-{slug}", filterPattern=pattern,
        metricTransformations=[{"metricName": slug, "metricNamespace": NAMESPACE, "metricValue": "1"}])


def _alarm(w: World, slug: str, *, region: str = REGION, namespace: str = NAMESPACE, actions: list[str] | None = None) -> None:
    w.client("cloudwatch", region=region).put_metric_alarm(
        AlarmName=f"cis-{slug}", MetricName=slug, Namespace=namespace, Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
        ActionsEnabled=True, AlarmActions=actions or [])


def _topic_arn() -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:cis-alarms"


def rewrite_filters(w: World) -> dict:
    _put_filter(w, "no-mfa-console-signin", '{($.additionalEventData.MFAUsed!=Yes)&&($.eventName=ConsoleLogin)}')
    _put_filter(w, "disable-or-delete-cmk", '{ ( ($.eventName = "ScheduleKeyDeletion") || ($.eventName = "DisableKey") ) && ($.eventSource = "kms.amazonaws.com") }')
    _put_filter(w, "s3-bucket-policy-changes",
                '{ (($.eventName = DeleteBucketReplication) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketCors) || '
                '($.eventName = DeleteBucketPolicy) || ($.eventName = PutBucketReplication) || ($.eventName = PutBucketLifecycle) || '
                '($.eventName = PutBucketCors) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketAcl)) && ($.eventSource = "s3.amazonaws.com") }')
    return {"rewritten": ["5.2", "5.7", "5.8"]}


def break_iam_filter(w: World) -> dict:
    names = ["DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy",
             "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
             "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]
    _put_filter(w, "iam-policy-changes", "{" + "||".join(f"($.eventName={n})" for n in names) + "}")
    return {"broken": ["5.4"], "missing": "DeleteGroupPolicy"}


def alarm_without_action(w: World) -> dict:
    _alarm(w, "root-usage", actions=[])
    return {"broken": ["5.3"]}


def alarm_in_other_region(w: World) -> dict:
    w.client("cloudwatch").delete_alarms(AlarmNames=["cis-cloudtrail-config-changes"])
    _alarm(w, "cloudtrail-config-changes", region="us-west-2", actions=[_topic_arn()])
    return {"broken": ["5.5"]}


def alarm_in_other_namespace(w: World) -> dict:
    _alarm(w, "console-signin-failures", namespace="SomethingElse", actions=[_topic_arn()])
    return {"broken": ["5.6"]}


def stop_trail(w: World) -> dict:
    w.client("cloudtrail").stop_logging(Name=TRAIL)
    return {"trail": TRAIL, "logging": False}


def start_trail(w: World) -> dict:
    w.client("cloudtrail").start_logging(Name=TRAIL)
    return {"trail": TRAIL, "logging": True}


def single_region_trail(w: World) -> dict:
    w.client("cloudtrail").update_trail(Name=TRAIL, IsMultiRegionTrail=False)
    return {"trail": TRAIL, "multi_region": False}


def multi_region_trail(w: World) -> dict:
    w.client("cloudtrail").update_trail(Name=TRAIL, IsMultiRegionTrail=True)
    return {"trail": TRAIL, "multi_region": True}


def write_only_trail(w: World) -> dict:
    w.client("cloudtrail").put_event_selectors(TrailName=TRAIL, EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    return {"trail": TRAIL, "management_events": "WriteOnly"}


def data_only_trail(w: World) -> dict:
    w.client("cloudtrail").put_event_selectors(TrailName=TRAIL, AdvancedEventSelectors=[{
        "Name": "S3 data events only",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}],
    }])
    return {"trail": TRAIL, "management_events": None}


def pending_subscriber(w: World) -> dict:
    sns = w.client("sns")
    for sub in sns.list_subscriptions_by_topic(TopicArn=_topic_arn())["Subscriptions"]:
        if sub["SubscriptionArn"].startswith("arn:"):
            sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    sns.subscribe(TopicArn=_topic_arn(), Protocol="email", Endpoint="new-oncall@example.com")
    return {"topic": _topic_arn(), "confirmed": 0, "pending": 1}


def delete_topic(w: World) -> dict:
    w.client("sns").delete_topic(TopicArn=_topic_arn())
    return {"deleted": _topic_arn()}


INTEGRITY_BUCKET = "integrity-trail-logs-123456789012"


def _digest_keys(w: World) -> list[str]:
    s3 = w.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=INTEGRITY_BUCKET, Prefix="AWSLogs/123456789012/CloudTrail-Digest/")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def delete_newest_digests(w: World) -> dict:
    keys = _digest_keys(w)[-2:]
    for key in keys:
        w.client("s3").delete_object(Bucket=INTEGRITY_BUCKET, Key=key)
    return {"deleted": keys}


def delete_middle_digest(w: World) -> dict:
    key = _digest_keys(w)[-4]
    w.client("s3").delete_object(Bucket=INTEGRITY_BUCKET, Key=key)
    return {"deleted": [key]}


def alter_log(w: World) -> dict:
    import gzip
    s3 = w.client("s3")
    for digest_key in reversed(_digest_keys(w)):
        digest = json.loads(gzip.decompress(s3.get_object(Bucket=INTEGRITY_BUCKET, Key=digest_key)["Body"].read()))
        if digest["logFiles"]:
            log = digest["logFiles"][0]
            body = bytearray(gzip.decompress(s3.get_object(Bucket=log["s3Bucket"], Key=log["s3Object"])["Body"].read()))
            at = body.index(b'"eventName"') + 14
            body[at] = ord("X") if body[at] != ord("X") else ord("Y")
            s3.put_object(Bucket=log["s3Bucket"], Key=log["s3Object"], Body=gzip.compress(bytes(body), mtime=0))
            return {"altered": [log["s3Object"]]}
    raise SystemExit("alter-log: no digest lists a log file")


CHANGES = {
    "delete-newest-digests": delete_newest_digests,
    "delete-middle-digest": delete_middle_digest,
    "alter-log": alter_log,
    "fix-bad-trail": fix_bad_trail,
    "break-excluding-trail": break_excluding_trail,
    "create-audit-role": create_audit_role,
    "rewrite-filters": rewrite_filters,
    "break-iam-filter": break_iam_filter,
    "alarm-without-action": alarm_without_action,
    "alarm-in-other-region": alarm_in_other_region,
    "alarm-in-other-namespace": alarm_in_other_namespace,
    "stop-trail": stop_trail,
    "start-trail": start_trail,
    "single-region-trail": single_region_trail,
    "multi-region-trail": multi_region_trail,
    "write-only-trail": write_only_trail,
    "data-only-trail": data_only_trail,
    "pending-subscriber": pending_subscriber,
    "delete-topic": delete_topic,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--change", required=True, choices=sorted(CHANGES))
    args = parser.parse_args()
    try:
        result = CHANGES[args.change](World(args.endpoint, f"change:{args.change}"))
    except Exception as exc:  # noqa: BLE001 - report any failure in one line
        print(f"change {args.change} failed: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
