#!/usr/bin/env bash
# Prints the latency of medchain_accessShared (call → verified fields, p50 and p99) on the local
# four-hospital network, next to the block time and finality lag of the same run
# (tests/src/bin/share-latency.rs). Starts its own network on free ports; about ten minutes for
# 100 accesses. Figures only.
#   scripts/share-latency.sh [--no-build] [ACCESSES]
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [ "${1:-}" = "--no-build" ]; then shift; else bash "$MEDCHAIN_ROOT/scripts/setup.sh"; build_workspace; fi
"$CARGO_TARGET_DIR/release/share-latency" "$@"
