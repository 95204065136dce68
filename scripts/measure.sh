#!/usr/bin/env bash
# Runs one measurement tool and prints its figures. Builds the workspace first unless --no-build.
#
#   scripts/measure.sh TOOL [--no-build] [ARGS...]
#
# TOOL is one of:
#   anchor-throughput [RECORDS]  records per second the local four-hospital network stores and
#                                anchors end to end (medchain_submitRecords → finalized anchors),
#                                then the capacity the weights allow, to compare. Starts its own
#                                network on free ports; a few minutes.
#   share-latency [ACCESSES]     latency of medchain_accessShared (call → verified fields, p50 and
#                                p99) beside the block time and finality lag of the same run; its
#                                own network; about ten minutes for 100 accesses.
#   capacity                     the chain's capacity per block and per second from the runtime's
#                                generated weights and block limits, and which limit binds.
#   block-fill                   fills blocks of a --dev node with anchors: per block, the weight
#                                charged beside the time the node took to author it.
#   db-weights                   ParityDB reads and writes on this machine against the
#                                ParityDbWeight the runtime charges.
#   store-bench                  the record store's submit and open rates on this disk.
# Figures only: nothing here asserts a time.
set -euo pipefail
source "$(dirname "$0")/common.sh"

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
tool="${1:-}"
[ -n "$tool" ] || { usage >&2; exit 2; }
shift
case "$tool" in
  -h|--help) usage; exit 0 ;;
  anchor-throughput|share-latency|capacity|block-fill|db-weights|store-bench) ;;
  *) echo "unknown tool: $tool (try --help)" >&2; exit 2 ;;
esac
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  bash "$MEDCHAIN_ROOT/scripts/setup.sh"
  build_workspace
fi
"$CARGO_TARGET_DIR/release/medchain-measure" "$tool" "$@"
if [ "$tool" = anchor-throughput ]; then
  echo
  "$CARGO_TARGET_DIR/release/medchain-measure" capacity
fi
