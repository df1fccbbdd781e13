#!/usr/bin/env python3
"""Every AWS operation trailwarden called during the test suite is in `trailwarden iam-policy`,
and is a read (Describe/Get/List/Lookup; sts:AssumeRole is the one exception: it enters the
member accounts).

Usage: python tests/harness/check_operations.py OPERATIONS_DIR TRAILWARDEN_BINARY

OPERATIONS_DIR holds the operations-<pid>.txt files the launchers wrote with
--record-operations (scripts/test.sh sets TRAILWARDEN_RECORD_OPERATIONS for every test's
emulator). Operation names are the request counter's (`cloudtrail:GetTrail`,
`s3:GET bucket?acl`, …); S3 REST and REST-JSON shapes are mapped to their IAM actions below.
Exit 1 naming every operation that is not allowed, not a read, or not known to the mapping.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

# S3 REST requests as the counter names them → the IAM action that authorises them.
S3 = {
    "GET service": "s3:ListAllMyBuckets",
    "GET bucket?acl": "s3:GetBucketAcl",
    "GET bucket?lifecycle": "s3:GetLifecycleConfiguration",
    "GET bucket?location": "s3:GetBucketLocation",
    "GET bucket?logging": "s3:GetBucketLogging",
    "GET bucket?object-lock": "s3:GetBucketObjectLockConfiguration",
    "GET bucket?policy": "s3:GetBucketPolicy",
    "GET bucket?policyStatus": "s3:GetBucketPolicyStatus",
    "GET bucket?publicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "GET bucket?versioning": "s3:GetBucketVersioning",
    "HEAD bucket": "s3:ListBucket",
    "GET path": "s3:GetObject",
    "HEAD path": "s3:GetObject",
}
S3_CONTROL = {"GET publicAccessBlock": "s3:GetAccountPublicAccessBlock"}
# The SigV4 signing name where it differs from the IAM prefix.
SIGNING_TO_IAM = {"monitoring": "cloudwatch"}
READ_VERBS = ("Describe", "Get", "List", "Lookup")
NOT_A_READ_BUT_NEEDED = {"sts:AssumeRole"}


def iam_action(operation: str) -> str | None:
    service, _, rest = operation.partition(":")
    if service == "s3":
        if rest.startswith("GET bucket?list-type"):
            return "s3:ListBucket"
        return S3.get(rest)
    if service == "s3control":
        return S3_CONTROL.get(rest)
    service = SIGNING_TO_IAM.get(service, service)
    if " " in rest:
        # REST-JSON (`account:POST listRegions`): the path's last segment is the operation.
        name = rest.split(" ", 1)[1]
        return f"{service}:{name[:1].upper()}{name[1:]}" if name and name != "/" else None
    return f"{service}:{rest}"


def policy_actions(binary: str) -> set[str]:
    actions: set[str] = set()
    for who in ("scanner", "member"):
        out = subprocess.run([binary, "iam-policy", "--for", who], check=True, capture_output=True, text=True).stdout
        for statement in json.loads(out)["Statement"]:
            listed = statement["Action"]
            actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    directory, binary = argv[1], argv[2]
    operations: set[str] = set()
    for path in glob.glob(os.path.join(directory, "operations-*.txt")):
        with open(path) as f:
            operations.update(line.strip() for line in f if line.strip())
    if not operations:
        print(f"check_operations: no operations recorded in {directory}: did the tests run with TRAILWARDEN_RECORD_OPERATIONS?", file=sys.stderr)
        return 1
    allowed = policy_actions(binary)
    problems = []
    for operation in sorted(operations):
        action = iam_action(operation)
        if action is None:
            problems.append(f"{operation}: not in this script's mapping of S3/REST requests to IAM actions; add it")
        elif action not in allowed:
            problems.append(f"{operation} ({action}): called by trailwarden but not in `trailwarden iam-policy`; add it to collect/iam.rs READ_ACTIONS")
        elif not action.split(":", 1)[1].startswith(READ_VERBS) and action not in NOT_A_READ_BUT_NEEDED:
            problems.append(f"{operation} ({action}): not a read-only operation (Describe/Get/List/Lookup)")
    actions = sorted({a for a in map(iam_action, operations) if a})
    print(f"check_operations: {len(operations)} operations called by trailwarden in the test suite, {len(actions)} IAM actions, all in iam-policy and read-only" if not problems else "check_operations: FAILED")
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
