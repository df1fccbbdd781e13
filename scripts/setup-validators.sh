#!/usr/bin/env bash
# Validators the output-format tests use, pinned and installed into the project's .venv:
#  - the SARIF 2.1.0 JSON schema (OASIS, final "rtm.5" text), taken from the npm package
#    @microsoft/jest-sarif, which ships it as lib/schemas/sarif-2.1.0-rtm.5.json; fetched
#    from the npm registry with Python (no Node needed) and checked against its integrity hash;
#  - junitparser, a JUnit XML parser, from PyPI.
# Idempotent and quick when already done. Run after scripts/setup-emulator.sh (needs .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DEST=.venv/share/trailwarden
SCHEMA="$DEST/sarif-2.1.0-rtm.5.json"
[ -x "$PY" ] || { echo "setup-validators: run scripts/setup-emulator.sh first (.venv missing)" >&2; exit 1; }

if ! "$PY" -c 'import junitparser, sys; sys.exit(junitparser.version != "5.0.3")' 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check "junitparser==5.0.3"
fi

if [ ! -s "$SCHEMA" ]; then
  mkdir -p "$DEST"
  "$PY" - "$SCHEMA" <<'PY'
import base64, hashlib, io, sys, tarfile, urllib.request
url = "https://registry.npmjs.org/@microsoft/jest-sarif/-/jest-sarif-1.0.0-beta.0.tgz"
integrity = "A1fOhPd6Ic5iDk4F9YPw1qNB4XF+7+IviR7xl8r2F6QzQkx5cpY9LsGk2rExiFIEcBbjpVnSmwWGBukASkiQ9A=="
data = urllib.request.urlopen(url, timeout=120).read()
if base64.b64encode(hashlib.sha512(data).digest()).decode() != integrity:
    sys.exit("setup-validators: @microsoft/jest-sarif tarball does not match its pinned sha512")
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    schema = tar.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json").read()
open(sys.argv[1], "wb").write(schema)
PY
fi
echo "setup-validators: SARIF schema and junitparser ready"
