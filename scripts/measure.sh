#!/usr/bin/env bash
# Runs one measurement tool and prints its figures. Builds the workspace first unless --no-build.
#
#   scripts/measure.sh TOOL [--no-build] [ARGS...]
#
# TOOL is one of:
#   bench-anchoring [OPTIONS]    sustained finalized records per second through
#                                medchain_submitRecords, four hospitals at once and one alone,
#                                with latency, block production, weights against import times,
#                                CPU and memory; its own networks; 6-8 minutes. Its script,
#                                scripts/bench-anchoring.sh, says more (--help).
#   bench-access [OPTIONS]       latency of medchain_accessShared (call → verified fields, p50,
#                                p95, p99) and accesses/s at 1, 8 and 32 concurrent requesters,
#                                beside the block time and finality lag of the same run; its own
#                                network; 7-20 minutes. scripts/bench-access.sh says more (--help).
#   capacity                     the chain's capacity per block and per second from the runtime's
#                                generated weights and block limits, and which limit binds.
#   block-fill                   fills blocks of a --dev node with anchors: per block, the weight
#                                charged beside the time the node took to author it.
#   db-weights                   ParityDB reads and writes on this machine against the
#                                MeasuredDbWeight the runtime charges.
#   store-bench                  the record store's submit and open rates on this disk.
#   soak [OPTIONS]               app clients against one node for minutes: p50/p99 and errors
#                                by code per method, the node's memory at the start and the end;
#                                its own network; about 7 minutes. scripts/soak.sh (--help).
# Figures only: nothing here asserts a time.
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_with_default_signals "$@"

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
tool="${1:-}"
[ -n "$tool" ] || { usage >&2; exit 2; }
shift
case "$tool" in
  -h|--help) usage; exit 0 ;;
  bench-access|bench-anchoring|capacity|block-fill|db-weights|soak|store-bench) ;;
  *) echo "unknown tool: $tool (try --help)" >&2; exit 2 ;;
esac
build=true
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    *) args+=("$arg") ;;
  esac
done
if $build; then
  bash "$MEDCHAIN_ROOT/scripts/setup.sh"
  build_workspace
fi
if [[ "$tool" == bench-* || "$tool" == soak ]]; then
  # The benchmarks start their nodes from $MEDCHAIN_NODE (tests/src/node.rs), default this build's.
  export MEDCHAIN_NODE
  [ -x "$MEDCHAIN_NODE" ] || { echo "no node binary at $MEDCHAIN_NODE (build it, or set MEDCHAIN_NODE)" >&2; exit 1; }
  echo "node: $MEDCHAIN_NODE ($("$MEDCHAIN_NODE" --version))"
fi
"$CARGO_TARGET_DIR/release/medchain-measure" "$tool" "${args[@]}"
