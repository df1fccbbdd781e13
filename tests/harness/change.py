#!/usr/bin/env python3
"""Apply a named change to an already seeded emulator, through the AWS APIs only.

Usage:
    python tests/harness/change.py --endpoint http://127.0.0.1:PORT --change NAME

Used by the baseline tests: scan, change something the way an operator would, scan again.
Changes (on the `failing` scenario, account 123456789012):
  fix-bad-trail            start logging `bad-trail` and turn on its log file validation
  break-excluding-trail    turn off log file validation on `excluding-trail`
  create-audit-role        (on `org`) a read-only `TrailwardenAudit` role in every member account
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
            iam.create_role(RoleName="TrailwardenAudit", AssumeRolePolicyDocument=json.dumps(AUDIT_TRUST))
            iam.attach_role_policy(RoleName="TrailwardenAudit", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
            created.append(account["Id"])
        except Exception as exc:  # noqa: BLE001 - an account we cannot enter keeps no role
            skipped.append({"account": account["Id"], "reason": str(exc)})
    return {"created": created, "skipped": skipped}


CHANGES = {"fix-bad-trail": fix_bad_trail, "break-excluding-trail": break_excluding_trail, "create-audit-role": create_audit_role}


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
