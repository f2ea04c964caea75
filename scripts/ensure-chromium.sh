#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core.
exec bash "$(dirname "$0")/ensure-debian-package.sh" chromium /usr/bin/chromium "the browser tests"
