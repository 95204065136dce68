#!/usr/bin/env bash
# Soak (issue 27): app clients against Hospital B's node of its own four-hospital network for
# minutes on end: a mix of submitRecords, recordStatus, accessShared, accessLog and createShare.
# Builds the workspace first unless --no-build.
#
#   scripts/soak.sh [--no-build] [--clients N] [--seconds S]     (32 clients, 300 s by default)
#
# Prints per method the calls, p50 and p99 and the errors by code, and the node's resident
# memory at the start and the end. About 7 minutes with the setup. Run it alone: it needs the
# two cores. Figures only: nothing here asserts a time.
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
exec bash "$(dirname "$0")/measure.sh" soak "$@"
