#!/usr/bin/env bash
# Set up the Python virtualenv that runs the AWS emulator used by trailwarden's tests
# (tests/harness/moto_launcher.py, seed.py, selftest.py).
#
#   scripts/setup-emulator.sh
#
# Idempotent: creates <repo>/.venv with `python3 -m venv` if it is missing and installs
# the pinned packages below; when they are already installed at exactly these versions
# it does no pip work at all. Needs only python3 (+ pip) and access to PyPI.
# TRAILWARDEN_VENV overrides the virtualenv location.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TRAILWARDEN_VENV:-$REPO_ROOT/.venv}"
PY="$VENV/bin/python"

# The harness patches moto 5.2.5 internals and validates answers against botocore's
# models, so both are pinned exactly; the server stack moto runs on is pinned too.
PINS=(
  "moto==5.2.5"
  "boto3==1.44.5"
  "botocore==1.44.5"
  "werkzeug==3.1.9"
  "flask==3.1.3"
  "flask-cors==6.0.5"
  "xmltodict==1.0.4"
  "requests==2.34.2"
  "PyYAML==6.0.3"      # parses docs/ci examples in tests/e2e_ci_examples.rs
  "cbor2==6.2.1"       # CloudWatch Smithy RPC v2 CBOR front (moto_launcher.py patch l)
  "cfn-lint==1.58.0"   # lints deploy/cloudformation/*.json in tests/e2e_deploy.rs
)

pins_satisfied() {
  [ -x "$PY" ] || return 1
  "$PY" - "${PINS[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import PackageNotFoundError, version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
import cbor2, flask_cors, moto.server  # moto[server] extras import
EOF
}

if pins_satisfied; then
  echo "emulator venv ready: $VENV (moto 5.2.5, boto3 1.44.5; nothing to do)"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || { echo "setup-emulator: python3 not found" >&2; exit 1; }

if [ ! -x "$PY" ]; then
  # Debian splits ensurepip into python3-venv; without it `python3 -m venv` fails.
  # Fall back to a pip-less venv and bootstrap pip into it with the system pip.
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    python3 -m venv --without-pip "$VENV"
    python3 -m pip --python "$PY" install --quiet --disable-pip-version-check pip
  fi
fi

"$PY" -m pip install --quiet --disable-pip-version-check "moto[server]==5.2.5" "${PINS[@]}"

if ! pins_satisfied; then
  echo "setup-emulator: pinned packages still missing after install in $VENV" >&2
  exit 1
fi
echo "emulator venv ready: $VENV (moto 5.2.5, boto3 1.44.5 installed)"
