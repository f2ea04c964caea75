#!/usr/bin/env bash
# ensure-debian-package.sh PACKAGE BINARY PURPOSE
# A tool the tests drive (Chromium, mbsync) comes from Debian's packages.
# Installs PACKAGE when BINARY is missing and we are root; otherwise says
# what is missing and fails.
set -euo pipefail
package=$1 binary=$2 purpose=$3
if [ -x "$binary" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "coo: installing $package for $purpose..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$package" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$package" >/dev/null; }
  [ -x "$binary" ] && exit 0
fi
echo "coo: $purpose need $binary (Debian: apt-get install $package)" >&2
exit 1
