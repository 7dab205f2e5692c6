#!/usr/bin/env bash
# Set up budgetopt on a fresh Debian-like machine: the system packages it needs (Pango for the
# PDF papers; with --tests also Chromium, which the browser test drives through Playwright, and
# LibreOffice Calc, which saves a workbook the way a team's spreadsheet would) and a virtual
# environment .venv/ installed from the pinned versions in requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-}" = "--tests" ] && [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
if [ "${1:-}" = "--tests" ] && ! command -v soffice >/dev/null; then
  need+=(libreoffice-calc-nogui)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi

python3 -m venv .venv
.venv/bin/pip install -q -r requirements.lock -e .
