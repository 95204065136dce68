#!/usr/bin/env bash
# Runs every integration-test binary of the workspace in three lanes at once: the end-to-end
# binary (tests/tests/end_to_end, real node processes) one module at a time per lane, the
# crates' own tests/ binaries whole. The end-to-end tests spend most of their time waiting for
# blocks and finality, so three of them share the two cores well; together they take well
# under half as long as one after the other.
#
#   scripts/multi-node-tests.sh            # everything (needs the workspace built)
#   MEDCHAIN_TEST_LANES=1 scripts/multi-node-tests.sh   # one at a time
#   scripts/multi-node-tests.sh --list     # the binaries, as the run reads them (cargo)
#
# With MEDCHAIN_TEST_BINARIES naming a file that `--list` wrote, the run calls no cargo (so it
# can run beside another cargo command). Each module's or binary's output goes to
# $MEDCHAIN_TEST_LOGS (default: a temporary directory); a failing one's output is printed in
# full at the end. Exits non-zero if any failed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$MEDCHAIN_ROOT"

lanes="${MEDCHAIN_TEST_LANES:-3}"

# A run killed mid-drill leaves its full-disk tmpfs mounted (in RAM) under a network's data
# directory: unmount those first.
if [ "$(id -u)" = 0 ]; then
  awk '$3 == "tmpfs" && $2 ~ /\/medchain-net-/ { print $2 }' /proc/mounts | xargs -r -n1 umount --lazy
fi

# Modules that must run alone, after the others: start_network runs the main job's script on
# the local network's fixed ports (30333–30336, the addresses in the local chain's registry),
# which every other local-network test's nodes dial through the peer allowlist: run beside
# them, nodes of two networks with the same keys and genesis would peer with each other.
serial=(start_network)

# Seconds each module or binary took on the 2-core machine, so the lanes come out even (longest
# first); one not listed counts as 30 s.
declare -A expected=([sharing]=300 [rolling_restart]=145 [partition]=130 [validator_set]=230
  [custodian_crash]=230 [node_security]=220 [pharmacy]=155 [slow_link]=100 [runtime_upgrade]=55 [wrong_clock]=57 [full_disk]=105
  [cli]=220 [custodian]=170 [stall_recovery]=170 [shares]=105 [rpc_docs]=100 [backup]=75 [start_network]=50
  [portal]=120 [finality]=50 [metrics]=40 [store-integration]=40 [chain_specs]=8 [fhir_export]=2 [node_flags]=1
  [rogue_endpoint]=1 [entrypoint]=1 [runtime-integration]=1 [cli-offline]=1 [app-api-signed_messages]=1
  [core-commitment]=1 [token-token]=1)

# name <TAB> executable <TAB> package directory, from cargo's build plan.
list_binaries() {
  cargo test --release --locked --workspace --test '*' --no-run --message-format=json \
    | jq -r 'select(.reason == "compiler-artifact" and .profile.test and (.target.kind | index("test")))
        | [.target.name, .executable, (.manifest_path | sub("/Cargo.toml$"; ""))] | @tsv'
}
if [ "${1:-}" = --list ]; then list_binaries; exit; fi
# Captured whole first, so that a failing cargo or test binary stops the run here.
if [ -n "${MEDCHAIN_TEST_BINARIES:-}" ]; then
  listing=$(<"$MEDCHAIN_TEST_BINARIES")
else
  listing=$(list_binaries)
fi
mapfile -t binaries <<<"$listing"
[ -n "$listing" ] || { echo "no test binaries found" >&2; exit 1; }
logs="${MEDCHAIN_TEST_LOGS:-$(mktemp -d -t medchain-tests-XXXXXX)}"
mkdir -p "$logs"
# Tests that leave files to look at (the portal's screenshots) put them beside the logs.
export MEDCHAIN_TEST_LOGS="$logs"

# The units the lanes run: name <TAB> executable <TAB> directory <TAB> test names (none: all).
# The end-to-end binary is split into its modules, each run by its tests' full names; another
# binary is one unit, named by its crate's directory and its own name.
units=()
end_to_end_modules=()
end_to_end_tests=0
for line in "${binaries[@]}"; do
  IFS=$'\t' read -r name executable dir <<<"$line"
  if [ "$name" != end_to_end ]; then
    units+=("${dir##*/}-$name"$'\t'"$executable"$'\t'"$dir"$'\t') # e.g. store-integration
    continue
  fi
  tests=$("$executable" --list --format terse </dev/null | sed -n 's/: test$//p')
  end_to_end_tests=$(grep -c . <<<"$tests" || true)
  while IFS=$'\t' read -r module names; do
    units+=("$module"$'\t'"$executable"$'\t'"$dir"$'\t'"$names")
    end_to_end_modules+=("$module")
  done < <(awk -F'::' '{ names[$1] = names[$1] " " $0 } END { for (m in names) printf "%s\t%s\n", m, substr(names[m], 2) }' <<<"$tests")
done
# The end-to-end modules must be there, start_network among them (it decides what runs alone).
[ "$end_to_end_tests" -gt 0 ] && [[ " ${end_to_end_modules[*]} " == *" start_network "* ]] \
  || { echo "no end-to-end tests (or no start_network module) found" >&2; exit 1; }
binaries=("${units[@]}")

is_serial() { local name; for name in "${serial[@]}"; do [ "$name" = "$1" ] && return 0; done; return 1; }
serial_lines=""
parallel=()
for line in "${binaries[@]}"; do
  if is_serial "${line%%$'\t'*}"; then serial_lines+="$line"$'\n'; else parallel+=("$line"); fi
done
binaries=("${parallel[@]}")

# Longest first, each to the lane with the least expected time so far.
mapfile -t binaries < <(for line in "${binaries[@]}"; do
  name=${line%%$'\t'*}; printf '%s\t%s\n' "${expected[$name]:-30}" "$line"
done | sort -t$'\t' -k1,1nr | cut -f2-)
declare -a lane_load lane_list
for ((l = 0; l < lanes; l++)); do lane_load[l]=0; lane_list[l]=""; done
for line in "${binaries[@]}"; do
  name=${line%%$'\t'*}; best=0
  for ((l = 1; l < lanes; l++)); do [ "${lane_load[l]}" -lt "${lane_load[best]}" ] && best=$l; done
  lane_load[best]=$(( lane_load[best] + ${expected[$name]:-30} ))
  lane_list[best]+="$line"$'\n'
done

run_lane() {
  local name executable dir tests started status
  local -a filter
  while IFS=$'\t' read -r name executable dir tests; do
    [ -n "$name" ] || continue
    started=$SECONDS
    filter=()
    [ -z "$tests" ] || { read -ra filter <<<"$tests"; filter=(--exact "${filter[@]}"); }
    # stdin from /dev/null: a test reading stdin would eat the rest of this lane's list.
    if (cd "$dir" && "$executable" --test-threads=1 "${filter[@]}" </dev/null) >"$logs/$name.log" 2>&1; then
      status=ok
    else
      status=FAILED
    fi
    echo "$status $name $((SECONDS - started))s" | tee -a "$logs/summary"
  done <<<"$1"
}

echo "running ${#binaries[@]} test modules and binaries in $lanes lanes, then $(printf '%s' "$serial_lines" | grep -c . || true) alone; logs in $logs"
: >"$logs/summary"
pids=()
for ((l = 0; l < lanes; l++)); do
  run_lane "${lane_list[l]}" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
run_lane "$serial_lines"

failed=$(grep -c '^FAILED' "$logs/summary" || true)
if [ "$failed" -gt 0 ]; then
  for name in $(awk '$1 == "FAILED" { print $2 }' "$logs/summary"); do
    echo "==================== $name ===================="
    cat "$logs/$name.log"
  done
  echo "$failed test modules or binaries failed: $(awk '$1 == "FAILED" { print $2 }' "$logs/summary" | tr '\n' ' ')" >&2
  exit 1
fi
grep -h '^test result' "$logs"/*.log | awk '{ passed += $4; failed += $6 } END { print passed " tests passed, " failed " failed" }'
# Every unit ran, and every end-to-end test the binary lists passed (none filtered away).
planned=$(( ${#binaries[@]} + $(printf '%s' "$serial_lines" | grep -c . || true) ))
ran=$(grep -c . "$logs/summary" || true)
[ "$ran" -eq "$planned" ] || { echo "$ran of $planned test modules and binaries ran" >&2; exit 1; }
passed=$(for module in "${end_to_end_modules[@]}"; do grep -h '^test result' "$logs/$module.log"; done \
  | awk '{ n += $4 + $8 } END { print n + 0 }')
[ "$passed" -eq "$end_to_end_tests" ] \
  || { echo "$passed of the $end_to_end_tests end-to-end tests passed or were ignored" >&2; exit 1; }
