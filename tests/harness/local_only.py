"""Keep the harness's own AWS clients (boto3) on the emulator: shared by seed.py, chain.py and
selftest.py, which call it before creating any client. Only the standard library."""

from __future__ import annotations

import os


def isolate_from_real_aws() -> None:
    """Only the emulator is ever contacted: ignore the developer's AWS config and proxies."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    for var in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(var, "")
        os.environ[var] = ",".join(x for x in (current, "127.0.0.1,localhost") if x)
