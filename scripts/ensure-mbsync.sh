#!/usr/bin/env bash
# The IMAP tests sync a mailbox with a real desktop sync client, isync's mbsync.
exec bash "$(dirname "$0")/ensure-debian-package.sh" isync /usr/bin/mbsync "the IMAP tests"
