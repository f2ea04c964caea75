#!/usr/bin/env bash
# Builds the web client into web/dist when it is missing or older than its
# sources (web/, the shared protocol types, the package lock).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# COO_WEB_DIR: build somewhere else (the server serves it from there too).
out=${COO_WEB_DIR:-$root/web/dist}
stamp=$out/.built
if [ -f "$stamp" ] && [ -z "$(find web/src web/public web/index.html web/vite.config.ts src/protocol package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  exit 0
fi
echo "coo: building the web client..." >&2
"$root/node_modules/.bin/node" "$root/node_modules/vite/bin/vite.js" build --config web/vite.config.ts --outDir "$out" --emptyOutDir --logLevel warn >&2
touch "$stamp"
