#!/usr/bin/env bash
# Measures ParityDB reads and writes on this machine (as the node's state column) and compares
# them with the ParityDbWeight the runtime charges.
# Usage: scripts/db-weights.sh [--no-build]
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "${1:-}" = "--no-build" ] || build_workspace
"$CARGO_TARGET_DIR/release/db-weights"
