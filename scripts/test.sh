#!/usr/bin/env bash
# The one test command: setup, build, unit tests, benchmark tests, then multi-node tests with
# real node processes. Prints how long each phase took.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$MEDCHAIN_ROOT"

timings=()
phase() {
  local name=$1; shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  timings+=("$(printf '%-18s %5ds' "$name" $((SECONDS - start)))")
}
report() {
  echo "==> phase timings"
  printf '    %s\n' "${timings[@]}"
}
trap report EXIT

phase setup bash scripts/setup.sh
phase build bash -c "source scripts/common.sh && build_workspace && cargo test --release --locked --workspace --no-run"
# Unit tests: every library and binary target (runtime presets, harness helpers).
phase unit-tests cargo test --release --locked --workspace --lib --bins
# Each pallet's benchmarks, run once as tests (impl_benchmark_test_suite!); weights are not
# regenerated here. A separate feature set, compiled once and then cached.
phase benchmark-tests cargo test --release --locked -p pallet-hospitals -p pallet-validator-set -p pallet-records \
  -p pallet-shares -p pallet-access-log \
  --features runtime-benchmarks --lib benchmarking
# Multi-node tests start four nodes each; one test at a time keeps the 2-core machine honest.
phase multi-node-tests cargo test --release --locked --workspace --test '*' -- --test-threads=1
