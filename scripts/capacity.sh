#!/usr/bin/env bash
# Prints the chain's capacity (anchors, batched anchors, grants and accesses per block and per
# second, and which limit binds) from the runtime's generated weights and block limits.
# Usage: scripts/capacity.sh [--no-build]
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "${1:-}" = "--no-build" ] || build_workspace
"$CARGO_TARGET_DIR/release/medchain-capacity"
