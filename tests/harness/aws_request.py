"""What an AWS request is, from its wire form: shared by moto_launcher.py (request counter,
--deny-action) and fault_proxy.py, so both name operations the same way.

Only the standard library: the proxy imports this without moto.
"""

from __future__ import annotations

import re
from typing import Callable
from urllib.parse import parse_qs

# Smithy RPC v2 (CloudWatch CBOR): POST [<prefix>]/service/<Service>/operation/<Op>.
RPCV2_PATH_RE = re.compile(r"(?:/.*)?/service/([^/]+)/operation/([^/]+)")
_SCOPE_SERVICE_RE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_ACCESS_KEY_RE = re.compile(r"Credential=([^/,\s]+)/")


def signing_service(authorization: str) -> str:
    """The service of the SigV4 credential scope (`?` when unsigned)."""
    m = _SCOPE_SERVICE_RE.search(authorization or "")
    return m.group(1) if m else "?"


def access_key_id(authorization: str, query_string: str = "") -> str | None:
    """The SigV4 access key id: Authorization header, else a presigned URL's X-Amz-Credential."""
    m = _ACCESS_KEY_RE.search(authorization or "")
    if m:
        return m.group(1)
    if "X-Amz-Credential" in (query_string or ""):
        cred = (parse_qs(query_string).get("X-Amz-Credential") or [""])[0]
        if "/" in cred:
            return cred.split("/", 1)[0]
    return None


def operation(method: str, path: str, query_string: str, authorization: str, target: str | None,
              content_type: str, form_body: Callable[[], bytes]) -> str:
    """`<signing service>:<operation>`, as the harness counts requests.

    `path` is the decoded path (WSGI PATH_INFO); `form_body` returns the request body and is
    called only for a form-encoded request whose Action is not in the query string.
    """
    service = signing_service(authorization)
    rpc = RPCV2_PATH_RE.fullmatch(path)
    if rpc and method == "POST" and service != "s3":
        # Smithy RPC v2 (CloudWatch CBOR): the operation is the last path segment.
        return f"{service}:{rpc.group(2)}"
    if target:
        return f"{service}:{target.split('.')[-1]}"
    query = parse_qs(query_string, keep_blank_values=True)
    if "Action" in query:
        return f"{service}:{query['Action'][0]}"
    if content_type.startswith("application/x-www-form-urlencoded"):
        # Query-protocol calls (STS, SNS, …) name their Action in the form body.
        form = parse_qs(form_body().decode("utf-8", "replace"), keep_blank_values=True)
        if "Action" in form:
            return f"{service}:{form['Action'][0]}"
    if service == "s3":
        sub = sorted(k for k in query if k not in ("x-id", "max-buckets", "continuation-token", "prefix", "bucket-region"))
        depth = "bucket" if path.strip("/").count("/") == 0 and path.strip("/") else ("service" if path == "/" else "path")
        return f"s3:{method} {depth}{'?' + '&'.join(sub) if sub else ''}"
    return f"{service}:{method} {path.rstrip('/').split('/')[-1] or '/'}"
