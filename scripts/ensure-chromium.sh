#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through
# playwright-core. Installs the package when missing and we are root;
# otherwise says what is missing and fails.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "coo: installing chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "coo: the browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install chromium)" >&2
exit 1
