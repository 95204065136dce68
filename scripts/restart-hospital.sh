#!/usr/bin/env bash
# Restarts (or stops) one hospital of the running local network, leaving the others alone.
#
#   scripts/restart-hospital.sh C          # start Hospital C's node again (stopping it first)
#   scripts/restart-hospital.sh --stop C   # stop it, to watch the others carry on
#
# The hospital keeps its chain data, so it catches up from where it stopped; the terminal
# running scripts/start-network.sh reports it stopping and coming back.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$MEDCHAIN_ROOT/scripts/local-network.sh"

stop_only=false
case "${1:-}" in
  --stop) stop_only=true; shift ;;
  -h|--help|"") sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ]; exit $? ;;
esac
[ $# -eq 1 ] || { echo "usage: scripts/restart-hospital.sh [--stop] HOSPITAL" >&2; exit 2; }

[ -x "$MEDCHAIN_NODE" ] || build_workspace
load_local_network
i=$(hospital_index "$1")
stop_hospital "$i"
if $stop_only; then
  echo "${NAMES[i]} stopped"
  exit 0
fi
start_hospital "$i"
echo "${NAMES[i]} restarted (pid $(cat "$(hospital_pid_file "$i")"), log $(hospital_log "$i"))"
deadline=$((SECONDS + 60))
until [ "$(heights "${RPC_PORTS[i]}")" != down ]; do
  hospital_running "$i" || { echo "${NAMES[i]}'s node exited; see $(hospital_log "$i")" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || { echo "${NAMES[i]} did not answer in 60 s" >&2; exit 1; }
  sleep 1
done
echo "${NAMES[i]} answers: best/finalized $(heights "${RPC_PORTS[i]}")"
