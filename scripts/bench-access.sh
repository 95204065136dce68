#!/usr/bin/env bash
# Access-latency benchmark (issue 26): how long medchain_accessShared takes, from the call to
# verified fields, at 1, 8 and 32 concurrent requesters, with the block time and the finality
# lag measured in the same run. Builds the workspace first unless --no-build.
#
#   scripts/bench-access.sh [--no-build] [--accesses-per-level N] [--levels 1,8,32]
#
# It starts its own four-hospital network (fresh base paths, free ports) and stops it at the
# end. Hospital A keeps a DIAGNOSIS record of each of four patients; every requester has a
# grant of its own (a grant serves one access at a time), and requesters are spread round robin
# over Hospitals B, C and D. A level's requesters start staggered over one slot, then each
# makes its accesses back to back. Accesses per level: N with --accesses-per-level, else 60 at
# 1 requester and 30 per requester above (240 at 8, 960 at 32).
#
# Prints per level: verified accesses, errors, latency p50/p95/p99/min/max and accesses/s (over
# the level's wall time); per level and for the whole run, from Hospital B's node's new and
# finalized heads: blocks, block time, empty slots, the finality lag in blocks (best −
# finalized, averaged over time) and in seconds (a block's arrival to its finality, p50/p99);
# then every error with its message (the first 50 per level). Figures only: nothing here
# asserts a time, and errors don't stop the run.
#
# Time: one to two minutes of setup, then the levels: about 7 minutes in all when an access takes
# ~2.5 s, about 20 minutes at ~9 s (the 3-s-slot chain before issue 26).
#
# The node binary is $MEDCHAIN_NODE if set, so a baseline can be benchmarked with this build's
# tool: MEDCHAIN_NODE=/path/to/old/medchain-node scripts/bench-access.sh --no-build. The tool
# signs its setup transactions (patients, grants) with this build's runtime types, so the
# baseline's runtime must encode those calls the same way.
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
exec bash "$(dirname "$0")/measure.sh" bench-access "$@"
