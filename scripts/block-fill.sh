#!/usr/bin/env bash
# Checks the weights against reality: fills blocks of a --dev node with anchors and prints, per
# block, the weight the runtime charged beside the time the node took to author it.
# Usage: scripts/block-fill.sh [--no-build]
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "${1:-}" = "--no-build" ] || build_workspace
"$CARGO_TARGET_DIR/release/block-fill"
