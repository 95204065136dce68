#!/usr/bin/env bash
# The one test command: setup, the build (which lints every workspace crate), unit tests, the
# multi-node tests with real node processes (beside them: the runtime's other feature sets and
# the benchmark tests), the demo (beside it: the container network). Prints how long each phase
# took.
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
# A phase that runs beside the next ones: `beside NAME CMD…` starts it in its own process group
# (which the exit trap stops if the run ends first) with its output in a log; `await NAME`
# waits for it, prints the log and fails if it failed.
declare -A beside_pid beside_log
beside() {
  local name=$1; shift
  local log
  log=$(mktemp -t "medchain-$name-XXXXXX")
  beside_log[$name]=$log
  echo "==> $name (beside the next phases)"
  set -m
  (
    trap 'echo "$SECONDS" >"$log.seconds"' EXIT
    SECONDS=0
    "$@"
  ) </dev/null >"$log" 2>&1 &
  beside_pid[$name]=$!
  set +m
}
await() {
  local name=$1 status=0
  wait "${beside_pid[$name]}" || status=$?
  unset "beside_pid[$name]"
  echo "==> $name (finished)"
  cat "${beside_log[$name]}"
  timings+=("$(printf '%-18s %5ds, beside others' "$name" "$(cat "${beside_log[$name]}.seconds")")")
  return "$status"
}
report() {
  echo "==> phase timings"
  printf '    %s\n' "${timings[@]}"
}
# A run that ends early stops what still runs beside it, and waits (a minute at most) for the
# group to go: the container network tears itself down on SIGTERM.
finish() {
  report
  local name pgid tries
  for name in "${!beside_pid[@]}"; do
    pgid=${beside_pid[$name]}
    kill -- -"$pgid" 2>/dev/null || true
    for ((tries = 0; tries < 60; tries++)); do kill -0 -- -"$pgid" 2>/dev/null || break; sleep 1; done
    echo "==> $name stopped unfinished; its output: ${beside_log[$name]}"
  done
}
trap finish EXIT

phase setup bash -c "bash scripts/setup.sh && bash scripts/setup-fhir.sh"
phase build bash -c "source scripts/common.sh && build_workspace && cargo test --release --locked --workspace --no-run"
# The integration-test binaries, listed now, before the feature checks take cargo's lock.
test_binaries=$(mktemp -t medchain-test-binaries-XXXXXX)
bash scripts/multi-node-tests.sh --list >"$test_binaries"
# Unit tests: every library and binary target that has them (the node's RPC bounds, the
# custodian against its test doubles, the harness helpers; the runtime's library, the node's
# binary and medchain-measure have `test = false`); every pallet test ends with the pallet's
# `try_state` checks.
phase unit-tests cargo test --release --locked --workspace --lib --bins

# Every workspace crate is compiled by clippy-driver (`.cargo/config.toml`), so the build above
# also linted the runtime crates (which deny panics, unchecked arithmetic and indexing: the
# workspace `[lints]`), the node, the custodian, the harness and every test, warnings as errors.
# Left: the runtime's two other feature sets. `try-runtime` (its `try_state` hooks and migration
# checks) and `runtime-benchmarks` are checked natively only (SKIP_WASM_BUILD), and each pallet's
# benchmarks run once as tests (impl_benchmark_test_suite!; weights are not regenerated here).
# About 6 minutes of compiling cold, with no node and no port: they run beside the multi-node
# tests, which mostly wait for blocks, at the lowest CPU priority, so they only take the cycles
# the nodes leave.
feature_checks() {
  timings=()
  renice -n 19 -p "$BASHPID" >/dev/null
  phase runtime-features env SKIP_WASM_BUILD=1 cargo clippy --release --locked -p medchain-runtime \
    --features try-runtime,runtime-benchmarks -- -D warnings
  phase benchmark-tests cargo test --release --locked -p pallet-hospitals -p pallet-validator-set \
    -p pallet-records -p pallet-shares -p pallet-access-log --features runtime-benchmarks --lib benchmarking
  report
}
beside feature-checks feature_checks
# Multi-node tests start four nodes each (and `start_network` runs the main job's script); they
# mostly wait for blocks, so three lanes run at once (scripts/multi-node-tests.sh), each one test
# module at a time. The crates' own integration tests (the runtime's, the store's) run here too.
phase multi-node-tests env MEDCHAIN_TEST_BINARIES="$test_binaries" bash scripts/multi-node-tests.sh
# The container image and the compose network (Podman; skipped, with the reason, where no
# container engine can run), beside the demo: the containers have their own network namespaces
# and publish their ports at the local network's + 20000.
beside container-network bash scripts/container-network.sh
# The sharing story told with the medchain command line on the local network, checking its own
# output (the local network's fixed ports: after the multi-node tests).
phase demo bash scripts/demo.sh --no-build
# Both awaited (and shown) even when one failed.
background_status=0
await container-network || background_status=1
await feature-checks || background_status=1
exit "$background_status"
