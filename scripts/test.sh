#!/usr/bin/env bash
# The whole test suite: packages, the services the tests talk to, type check,
# lint, format check, then every test on SQLite and PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/ensure-deps.sh
bash scripts/ensure-services.sh
bash scripts/ensure-chromium.sh
bash scripts/ensure-mbsync.sh
bash scripts/ensure-web.sh
export PATH="$root/node_modules/.bin:$PATH"

echo "== type check"
tsc --noEmit -p .
tsc --noEmit -p web
echo "== lint"
eslint --max-warnings 0 .
echo "== format"
prettier --check . >/dev/null || { prettier --check . ; echo "run: npm run format" >&2; exit 1; }
echo "== tests"
node --test --test-concurrency=2 --test-timeout=300000 'src/**/*.test.ts' 'test/**/*.test.ts' 'web/src/**/*.test.ts' "$@"
