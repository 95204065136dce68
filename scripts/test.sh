#!/usr/bin/env bash
# The one test command: setup, build, unit tests, benchmark tests, then multi-node tests with
# real node processes. Prints how long each phase took.
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
# Runtime crates deny panics, unchecked arithmetic and indexing (the workspace `[lints]`), and
# every warning: clippy over them with their benchmarks and tests, then the runtime with
# `try-runtime` (its `try_state` hooks and migration checks must build). A native check only
# (SKIP_WASM_BUILD), so the node's runtime wasm is untouched.
RUNTIME_CRATES=(-p medchain-primitives -p medchain-runtime-api -p medchain-token
  -p medchain-pallet-support -p medchain-pallet-testing
  -p pallet-hospitals -p pallet-validator-set -p pallet-records -p pallet-shares -p pallet-access-log
  -p medchain-runtime)
# The node's std crates with them: the record store, the app API, the FHIR export, the client
# library and the medchain command line.
NODE_CRATES=(-p medchain-store -p medchain-app-api -p medchain-fhir -p medchain-client -p medchain-cli)
phase clippy env SKIP_WASM_BUILD=1 cargo clippy --release --locked "${RUNTIME_CRATES[@]}" "${NODE_CRATES[@]}" \
  --all-targets --features runtime-benchmarks -- -D warnings
# The node, the custodian and the test harness (their own feature set: no benchmarks).
phase clippy-node env SKIP_WASM_BUILD=1 cargo clippy --release --locked -p medchain-custodian \
  -p medchain-node -p medchain-tests --all-targets -- -D warnings
phase try-runtime-build env SKIP_WASM_BUILD=1 cargo clippy --release --locked -p medchain-runtime \
  --features try-runtime -- -D warnings
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
