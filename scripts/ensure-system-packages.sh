#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: numpy (the reference
# implementation) and Chromium (webview and VS Code UI tests). Does nothing when all are there.
set -euo pipefail

missing=()
if ! python3 -c 'import numpy' 2>/dev/null && ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  missing+=(python3 python3-numpy)
fi
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) and rerun." >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
