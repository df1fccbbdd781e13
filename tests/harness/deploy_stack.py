#!/usr/bin/env python3
"""Deploy a CloudFormation template into one account of a seeded emulator, through the AWS
APIs (sts:AssumeRole into OrganizationAccountAccessRole, then cloudformation:CreateStack), as
a StackSet instance would, and print the created role as JSON (name, trust policy, inline
policies).

Usage: deploy_stack.py --endpoint URL --account ID --template FILE [--param KEY=VALUE]...
"""

from __future__ import annotations

import argparse
import ast
import json
import sys

import boto3
from botocore.config import Config


def _document(doc: object) -> object:
    """moto returns an inline policy that CloudFormation created as the Python repr of a
    dict (AWS returns JSON, which boto3 decodes): read either."""
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            return ast.literal_eval(doc)
    return doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--param", action="append", default=[])
    args = parser.parse_args()
    if not args.endpoint.startswith(("http://127.", "http://localhost")):
        parser.error("--endpoint must be the local emulator")
    common = {"endpoint_url": args.endpoint, "region_name": "us-east-1", "config": Config(retries={"max_attempts": 1})}
    sts = boto3.client("sts", aws_access_key_id="testing", aws_secret_access_key="testing", **common)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{args.account}:role/OrganizationAccountAccessRole", RoleSessionName="stackset")["Credentials"]
    session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]}
    cfn = boto3.client("cloudformation", **session, **common)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in (p.split("=", 1) for p in args.param)]
    with open(args.template) as f:
        body = f.read()
    cfn.create_stack(StackName="trailwarden-audit", TemplateBody=body, Parameters=params, Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cfn.describe_stacks(StackName="trailwarden-audit")["Stacks"][0]
    iam = boto3.client("iam", **session, **common)
    out = {"status": stack["StackStatus"], "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}}
    for resource in cfn.list_stack_resources(StackName="trailwarden-audit")["StackResourceSummaries"]:
        if resource["ResourceType"] == "AWS::IAM::Role":
            name = resource["PhysicalResourceId"]
            role = iam.get_role(RoleName=name)["Role"]
            policies = {p: _document(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]) for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}
            out["role"] = {"name": role["RoleName"], "arn": role["Arn"], "max_session_duration": role.get("MaxSessionDuration"),
                           "trust": role["AssumeRolePolicyDocument"], "policies": policies}
    sys.stdout.write(json.dumps(out, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
