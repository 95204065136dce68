#!/usr/bin/env bash
# The main job: a local network of four hospital validators (Hospitals A to D) on 127.0.0.1.
#
#   scripts/start-network.sh [--purge]
#
# Builds the node if needed, starts the four validators, waits until blocks finalize, then
# prints every hospital's best and finalized heights every 6 seconds until Ctrl-C, which stops
# them all. When a hospital's node dies, the script reports it with the end of its log and the
# other three carry on finalizing: the consortium works without it. Restart it from another
# terminal with `scripts/restart-hospital.sh C` (or stop one with `--stop C`) and watch it here.
# --purge deletes the chain data first and starts from genesis.
# Data, logs and pid files live in $MEDCHAIN_DATA (default ~/.local/share/medchain/local-network).
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_with_default_signals "$@"
source "$MEDCHAIN_ROOT/scripts/local-network.sh"

purge=false
for arg in "$@"; do
  case "$arg" in
    --purge) purge=true ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

# The multi-node test that runs this script has built everything already (and in CI the
# runtime's feature checks hold cargo's lock on the target directory meanwhile).
if [ -z "${MEDCHAIN_SKIP_BUILD:-}" ]; then
  bash "$MEDCHAIN_ROOT/scripts/setup.sh"
  build_workspace
fi
load_local_network

for i in "${!NAMES[@]}"; do
  if hospital_running "$i"; then
    echo "stopping ${NAMES[i]}'s node left running by an earlier start"
    stop_hospital "$i"
  fi
done
if $purge; then
  echo "purging $MEDCHAIN_DATA"
  rm -rf "$MEDCHAIN_DATA"
fi
mkdir -p "$MEDCHAIN_DATA"

stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping the hospital nodes"
  for i in "${!NAMES[@]}"; do signal_hospital "$i"; done
  for i in "${!NAMES[@]}"; do wait_hospital_stopped "$i" || true; done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

printf '%-11s %-6s %-9s %-6s %-10s %-52s %s\n' HOSPITAL RPC MEDCHAIN P2P PROMETHEUS PEER-ID LOG
for i in "${!NAMES[@]}"; do
  start_hospital "$i"
  printf '%-11s %-6s %-9s %-6s %-10s %-52s %s\n' "${NAMES[i]}" "${RPC_PORTS[i]}" "${APP_RPC_PORTS[i]}" \
    "${P2P_PORTS[i]}" "${PROMETHEUS_PORTS[i]}" "${PEER_IDS[i]}" "$(hospital_log "$i")"
done
echo "medchain RPC tokens (app, auditor, admin) of each hospital: $MEDCHAIN_DATA/<hospital>.tokens"

# Reports each hospital whose node stopped since the last look, once, and each that came back.
declare -A reported_down=()
report_changes() {
  local i
  for i in "${!NAMES[@]}"; do
    if hospital_running "$i"; then
      if [ -n "${reported_down[$i]:-}" ]; then
        echo "${NAMES[i]} is running again"
        unset "reported_down[$i]"
      fi
    elif [ -z "${reported_down[$i]:-}" ]; then
      reported_down[$i]=1
      echo "${NAMES[i]}'s node stopped; the last lines of $(hospital_log "$i"):" >&2
      tail -n 15 "$(hospital_log "$i")" | sed 's/^/    /' >&2
      echo "the others carry on. Restart it with: scripts/restart-hospital.sh ${NAMES[i]##* }" >&2
    fi
  done
}

all_finalized() {
  local i h
  for i in "${!NAMES[@]}"; do
    h=$(heights "${RPC_PORTS[i]}")
    [ "$h" != down ] && [ "${h#*/}" -gt 0 ] || return 1
  done
}

echo "waiting for all four hospitals to finalize a block (up to 180 s)"
deadline=$((SECONDS + 180))
until all_finalized; do
  report_changes
  if [ ${#reported_down[@]} -gt 0 ]; then
    echo "a hospital stopped before the network finalized; see its log above" >&2
    exit 1
  fi
  [ $SECONDS -lt $deadline ] || { echo "no finality after 180 s; see the logs in $MEDCHAIN_DATA" >&2; exit 1; }
  sleep 1
done
echo "the network is finalizing. Ctrl-C stops every node."
echo "polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A${RPC_PORTS[0]}"

while true; do
  report_changes
  line="$(date +%T)"
  for i in "${!NAMES[@]}"; do
    line+="  ${NAMES[i]#Hospital } best/finalized $(heights "${RPC_PORTS[i]}")"
  done
  echo "$line"
  sleep 6
done
