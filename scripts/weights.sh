#!/usr/bin/env bash
# Regenerates the weights.rs of every custom pallet from its frame-benchmarking v2 benchmarks:
#   1. installs frame-omni-bencher 0.28.0 (stable2609) once, into ~/.cache/medchain/tools;
#   2. builds the runtime wasm with `--features runtime-benchmarks` (native dependencies shared
#      with the pallets' benchmark tests), copies it out of `wbuild/`, and touches
#      runtime/build.rs: the wasm builder writes every feature set's wasm to the same file, so
#      the next normal build must rebuild the node's runtime wasm rather than embed this one;
#   3. runs the bencher for each pallet on the `development` genesis preset and writes
#      pallets/<pallet>/src/weights.rs through scripts/weight-template.hbs.
# CI does not run this; it runs the benchmarks once each as tests (scripts/test.sh).
# Usage: scripts/weights.sh [pallet_name ...]   (default: all five)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$MEDCHAIN_ROOT"

BENCHER_VERSION=0.28.0
TOOLS="$HOME/.cache/medchain/tools"
BENCHER="$TOOLS/bin/frame-omni-bencher"
BENCH_WASM="$HOME/.cache/medchain/medchain_runtime_benchmarks.wasm"
STEPS="${STEPS:-25}"
REPEAT="${REPEAT:-10}"

if ! "$BENCHER" --version 2>/dev/null | grep -q "$BENCHER_VERSION"; then
  echo "==> installing frame-omni-bencher $BENCHER_VERSION (a long one-time build)"
  CARGO_TARGET_DIR="$HOME/.cache/medchain/bencher-target" \
    cargo install frame-omni-bencher --version "=$BENCHER_VERSION" --locked --root "$TOOLS"
fi

echo "==> building the runtime with runtime-benchmarks"
cargo build --release --locked -p medchain-runtime --features runtime-benchmarks
cp "$CARGO_TARGET_DIR/release/wbuild/medchain-runtime/medchain_runtime.compact.compressed.wasm" "$BENCH_WASM"
touch runtime/build.rs
WASM="$BENCH_WASM"

declare -A CRATE_DIR=(
  [pallet_hospitals]=hospitals
  [pallet_validator_set]=validator-set
  [pallet_records]=records
  [pallet_shares]=shares
  [pallet_access_log]=access-log
)
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_hospitals pallet_validator_set pallet_records pallet_shares pallet_access_log)

for pallet in "${pallets[@]}"; do
  dir="${CRATE_DIR[$pallet]:?unknown pallet $pallet (one of ${!CRATE_DIR[*]})}"
  echo "==> $pallet"
  "$BENCHER" v1 benchmark pallet \
    --runtime "$WASM" \
    --genesis-builder-preset development \
    --pallet "$pallet" --extrinsic '*' \
    --steps "$STEPS" --repeat "$REPEAT" \
    --template scripts/weight-template.hbs \
    --output "pallets/$dir/src/weights.rs"
done
