#!/usr/bin/env bash
# The one test command: setup, the build (which lints every workspace crate), the runtime's other
# feature sets, unit tests, benchmark tests, multi-node tests with real node processes, the demo
# and the container network. Prints how long each phase took.
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_with_default_signals "$@"
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

phase setup bash -c "bash scripts/setup.sh && bash scripts/setup-fhir.sh"
phase build bash -c "source scripts/common.sh && build_workspace && cargo test --release --locked --workspace --no-run"
# Every workspace crate is compiled by clippy-driver (`.cargo/config.toml`), so the build above
# also lints the runtime crates (which deny panics, unchecked arithmetic and indexing: the
# workspace `[lints]`), the node, the custodian, the harness and every test, warnings as errors;
# the benchmark tests below lint the pallets' benchmarks. Left: the runtime with its two other
# feature sets, `try-runtime` (its `try_state` hooks and migration checks) and
# `runtime-benchmarks`, checked natively only (SKIP_WASM_BUILD): the node's wasm is untouched.
phase runtime-features env SKIP_WASM_BUILD=1 cargo clippy --release --locked -p medchain-runtime \
  --features try-runtime,runtime-benchmarks -- -D warnings
# Unit tests: every library and binary target (runtime presets, harness helpers); every pallet
# test ends with the pallet's `try_state` checks.
phase unit-tests cargo test --release --locked --workspace --lib --bins
# Each pallet's benchmarks, run once as tests (impl_benchmark_test_suite!); weights are not
# regenerated here. A separate feature set, compiled once and then cached.
phase benchmark-tests cargo test --release --locked -p pallet-hospitals -p pallet-validator-set -p pallet-records \
  -p pallet-shares -p pallet-access-log \
  --features runtime-benchmarks --lib benchmarking
# Multi-node tests start four nodes each (and `start_network` runs the main job's script); they
# mostly wait for blocks, so three test binaries run at once (scripts/multi-node-tests.sh), each
# one test at a time. The crates' own integration tests (tests/ of the store) run here too.
phase multi-node-tests bash scripts/multi-node-tests.sh
# The sharing story told with the medchain command line on the local network, checking its own
# output (the local network's fixed ports: after the multi-node tests).
phase demo bash scripts/demo.sh --no-build
# The container image and the compose network (Podman; skipped, with the reason, where no
# container engine can run).
phase container-network bash scripts/container-network.sh
