#!/usr/bin/env bash
# Prints how many records per second the local four-hospital network stores and anchors end to
# end (medchain_submitRecords → finalized anchors, tests/src/bin/anchor-throughput.rs), then the
# capacity the weights allow for batched anchors (medchain-capacity), to compare. Starts its own
# network on free ports; a few minutes. Figures only.
#   scripts/anchor-throughput.sh [--no-build] [RECORDS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [ "${1:-}" = "--no-build" ]; then shift; else bash "$MEDCHAIN_ROOT/scripts/setup.sh"; build_workspace; fi
"$CARGO_TARGET_DIR/release/anchor-throughput" "$@"
echo
"$CARGO_TARGET_DIR/release/medchain-capacity"
