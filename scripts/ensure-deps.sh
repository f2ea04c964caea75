#!/usr/bin/env bash
# Installs the project's npm packages (and with them the pinned Node.js 24)
# when they are missing or older than package-lock.json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
stamp=node_modules/.package-lock.json
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "coo: npm is needed to install Coo's packages (Debian: apt-get install npm)" >&2
    exit 1
  fi
  echo "coo: installing packages (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
