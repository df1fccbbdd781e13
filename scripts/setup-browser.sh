#!/usr/bin/env bash
# Install what the HTML report's real-browser test needs (tests/browser/check_report.py):
# Debian's `chromium` package, and a pinned `websocket-client` in the project's venv (the
# driver talks to headless Chromium over the Chrome DevTools Protocol).
#
#   scripts/setup-browser.sh
#
# Idempotent and fast when everything is present: no apt-get and no pip work at all then.
# Runs as root (apt-get install). Needs the venv from scripts/setup-emulator.sh, which it
# creates by running that script when it is missing. TRAILWARDEN_VENV overrides the venv.
# Nothing is downloaded outside the Debian archive and PyPI (no browser builds).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TRAILWARDEN_VENV:-$REPO_ROOT/.venv}"
PY="$VENV/bin/python"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
WEBSOCKET_CLIENT="websocket-client==1.9.0"

if [ ! -x "$CHROMIUM" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "setup-browser: $CHROMIUM is missing and apt-get is not available; install Debian's chromium package" >&2; exit 1; }
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-browser: installing Debian's chromium (apt-get)" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  [ -x "$CHROMIUM" ] || { echo "setup-browser: chromium installed but $CHROMIUM is missing" >&2; exit 1; }
fi

if [ ! -x "$PY" ]; then
  bash "$REPO_ROOT/scripts/setup-emulator.sh"
fi

wanted="${WEBSOCKET_CLIENT#*==}"
have="$("$PY" -c 'from importlib.metadata import version; print(version("websocket-client"))' 2>/dev/null || true)"
if [ "$have" != "$wanted" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check "$WEBSOCKET_CLIENT"
fi

echo "browser ready: $("$CHROMIUM" --version 2>/dev/null | head -n1), websocket-client $wanted in $VENV"
