#!/usr/bin/env bash
# Installs the tools that run Clipwise inside a real VS Code: Node 24 (code-server requires it),
# code-server (VS Code 1.139 for the browser, with a node extension host) and playwright-core,
# at the versions pinned in versions.json, into a cache folder outside the project's dependencies:
#   ${CLIPWISE_TOOLS:-$HOME/.cache/clipwise-vscode-tools}/<hash of versions.json>
# A finished install is marked by a .ready file, so a second run only checks and returns.
# Also installs the Debian packages the tools need when they are missing (root only).
#
# Usage: bash scripts/vscode-tools/setup.sh      (prints the tools folder on its last line)
set -euo pipefail

# Everything is in main, so that bash has read the whole file before running any of it.
main() {
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  versions="$here/versions.json"
  root=${CLIPWISE_TOOLS:-$HOME/.cache/clipwise-vscode-tools}
  hash=$(sha256sum "$versions" | cut -c1-12)
  tools="$root/$hash"
  started=$SECONDS

  say() { echo "[vscode-tools] $*" >&2; }
  pinned() { sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" "$versions"; }
  node_version=$(pinned node)
  code_server_version=$(pinned code-server)
  playwright_version=$(pinned playwright-core)

  # chromium hosts the workbench; libkrb5-dev, pkg-config, g++, make and python3 build
  # code-server's native modules (kerberos among them) with node-gyp.
  debian_packages=(chromium libkrb5-dev pkg-config g++ make python3)
  missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      say "missing Debian packages: ${missing[*]}; install them (apt-get install ${missing[*]}) and rerun"
      exit 1
    fi
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi

  is_ready() { [ -f "$tools/.ready" ] && cmp -s "$tools/.ready" "$versions"; }

  mkdir -p "$root"
  exec 9>"$root/$hash.lock"
  flock 9   # concurrent setups of the same versions wait for the first one
  if is_ready; then
    say "cached: $tools ($((SECONDS - started)) s)"
    echo "$tools"
    exit 0
  fi

  rm -rf "$tools"   # an unfinished install is never reused
  mkdir -p "$tools"
  cd "$tools"
  # npm 11 asks for the install scripts a project allows: node fetches its platform binary,
  # code-server installs VS Code's own modules, argon2 builds its binding.
  cat > package.json <<JSON
{
  "name": "clipwise-vscode-tools",
  "private": true,
  "version": "0.0.0",
  "allowScripts": { "node": true, "code-server": true, "argon2": true }
}
JSON
  export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

  say "node@$node_version"
  npm install --save-exact "node@$node_version" >node-install.log 2>&1 || { tail -30 node-install.log >&2; exit 1; }
  export PATH="$tools/node_modules/.bin:$PATH"
  hash -r
  [ "$(node -v)" = "v$node_version" ] || { say "node on PATH is $(node -v), expected v$node_version"; exit 1; }

  # node-gyp cannot download Node's headers here. VS Code's native modules use N-API, so the headers
  # of the system's Node (the nodejs package puts them, with common.gypi, in /usr/include/node) serve.
  if [ -f /usr/include/node/node_api.h ] && [ -f /usr/include/node/common.gypi ]; then
    export npm_config_nodedir=/usr
  else
    say "warning: /usr/include/node has no Node headers; node-gyp may try to download them"
  fi

  say "code-server@$code_server_version (builds native modules, about 2 minutes)"
  npm install --save-exact --foreground-scripts "code-server@$code_server_version" >code-server-install.log 2>&1 || {
    tail -40 code-server-install.log >&2; say "code-server install failed; log: $tools/code-server-install.log"; exit 1; }

  say "playwright-core@$playwright_version"
  npm install --save-exact "playwright-core@$playwright_version" >playwright-install.log 2>&1 || { tail -30 playwright-install.log >&2; exit 1; }

  "$tools/node_modules/.bin/code-server" --version >/dev/null
  cp "$versions" "$tools/.ready"
  say "installed into $tools in $((SECONDS - started)) s"
  echo "$tools"
}

main "$@"
