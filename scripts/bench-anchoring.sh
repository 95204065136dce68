#!/usr/bin/env bash
# Anchoring benchmark (issue 26): sustained finalized records per second through
# medchain_submitRecords on the local four-hospital network. Builds the workspace first unless
# --no-build.
#
#   scripts/bench-anchoring.sh [--no-build] [--hospitals 4|1|both] [--rate RECORDS_PER_SECOND]
#                              [--window SECONDS] [--warmup SECONDS]
#
# Two scenarios by default, each on a fresh network that it starts on free ports and stops at
# the end (the runtime limits each hospital's anchors per day): four hospitals submitting at
# once (--rate 900 records/s each by default) and Hospital A alone (3,600/s). The apps submit
# open loop, in calls of up to 500 records, through a warm-up (20 s) and a steady window
# (120 s), then stop; the network gets up to 90 s to drain. About 6–8 minutes for both. Run it
# alone: its nodes would peer with a local network on this machine's fixed ports
# (scripts/start-network.sh, or the start_network test), and they need the two cores.
#
# Prints per scenario: the finalized records per second over the window (by block timestamp),
# in all and per hospital; submit → finalized latency p50/p95/p99; records submitted, stored,
# anchored and refused; the capacity the weights allow at the chain's slot duration; every
# block of the window (authoring time, slot, extrinsics, anchors, charged weight) with the
# authoring times against the proposal budget, missed slots and empty blocks; the fullest
# blocks' charged weight beside their measured import time on the other nodes; each node's CPU
# over the window and memory. At the end, the capacity table (`scripts/measure.sh capacity`).
# Figures only: nothing here asserts a time.
#
# The node binary is $MEDCHAIN_NODE if set, so a baseline can be benchmarked with this build's
# tool: MEDCHAIN_NODE=/path/to/old/medchain-node scripts/bench-anchoring.sh --no-build
# (anchors are matched by record id in the raw events; counts that need this build's runtime
# types print "?" where the chain's runtime differs).
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
exec bash "$(dirname "$0")/measure.sh" bench-anchoring "$@"
