#!/usr/bin/env bash
# The main job: a local network of four hospital validators (Hospitals A to D) on 127.0.0.1.
#
#   scripts/start-network.sh [--purge]
#
# Builds the node if needed, starts the four validators with fixed node keys so they find each
# other, waits until blocks finalize, then prints every hospital's heights until Ctrl-C, which
# stops all four. --purge deletes the chain data first and starts from genesis.
# Data and logs live in $MEDCHAIN_DATA (default ~/.local/share/medchain/local-network).
set -euo pipefail
source "$(dirname "$0")/common.sh"

purge=false
for arg in "$@"; do
  case "$arg" in
    --purge) purge=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

data_dir="${MEDCHAIN_DATA:-$HOME/.local/share/medchain/local-network}"
names=("Hospital A" "Hospital B" "Hospital C" "Hospital D")
keyrings=(alice bob charlie dave)

bash "$MEDCHAIN_ROOT/scripts/setup.sh"
build_workspace

if $purge; then
  echo "purging $data_dir"
  rm -rf "$data_dir"
fi
mkdir -p "$data_dir"

# Hospital i (0 for A) uses node key byte i+1 repeated 32 times and ports 30333+i (p2p),
# 9944+i (RPC) and 9615+i (Prometheus). tests/src/network.rs uses the same node keys.
node_key() { printf '%02x' $(($1 + 1)) | awk '{ for (i = 0; i < 32; i++) printf "%s", $0 }'; }
peer_ids=()
for i in 0 1 2 3; do
  peer_ids+=("$(node_key "$i" | "$MEDCHAIN_NODE" key inspect-node-key)")
done

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping the four hospital nodes"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all INT TERM EXIT

printf '%-11s %-6s %-6s %-10s %-52s %s\n' HOSPITAL RPC P2P PROMETHEUS PEER-ID LOG
for i in 0 1 2 3; do
  bootnodes=()
  for j in 0 1 2 3; do
    [ "$i" = "$j" ] || bootnodes+=(--bootnodes "/ip4/127.0.0.1/tcp/$((30333 + j))/p2p/${peer_ids[$j]}")
  done
  slug="hospital-$(echo "${names[$i]}" | awk '{print tolower($2)}')"
  log="$data_dir/$slug.log"
  "$MEDCHAIN_NODE" \
    --chain local --name "${names[$i]}" "--${keyrings[$i]}" \
    --base-path "$data_dir/$slug" --node-key "$(node_key "$i")" \
    --listen-addr "/ip4/127.0.0.1/tcp/$((30333 + i))" \
    --rpc-port $((9944 + i)) --prometheus-port $((9615 + i)) \
    --no-mdns --no-telemetry \
    "${bootnodes[@]}" >>"$log" 2>&1 &
  pids+=($!)
  printf '%-11s %-6s %-6s %-10s %-52s %s\n' "${names[$i]}" $((9944 + i)) $((30333 + i)) \
    $((9615 + i)) "${peer_ids[$i]}" "$log"
done

rpc() { # rpc PORT METHOD [PARAMS_JSON]
  curl -sf -m 5 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"
}
json_field() { python3 -c "import json,sys; r=json.load(sys.stdin)['result']; print(r$1)"; }
heights() { # prints "best/finalized" for the node on RPC port $1, or "down"
  local best fin_hash fin
  best=$(rpc "$1" chain_getHeader | json_field "['number']" 2>/dev/null) || { echo down; return; }
  fin_hash=$(rpc "$1" chain_getFinalizedHead | json_field "" 2>/dev/null) || { echo down; return; }
  fin=$(rpc "$1" chain_getHeader "[\"$fin_hash\"]" | json_field "['number']" 2>/dev/null) || { echo down; return; }
  echo "$((best))/$((fin))"
}
check_alive() {
  for i in 0 1 2 3; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "${names[$i]} exited; last log lines:" >&2
      tail -n 20 "$data_dir/hospital-$(echo "${names[$i]}" | awk '{print tolower($2)}').log" >&2
      exit 1
    fi
  done
}

all_finalized() {
  local i h
  for i in 0 1 2 3; do
    h=$(heights $((9944 + i)))
    [ "$h" != down ] && [ "${h#*/}" -gt 0 ] || return 1
  done
}

echo "waiting for all four hospitals to finalize a block (up to 180 s)"
deadline=$((SECONDS + 180))
until all_finalized; do
  check_alive
  [ $SECONDS -lt $deadline ] || { echo "no finality after 180 s; see the logs above" >&2; exit 1; }
  sleep 1
done
echo "the network is finalizing. Ctrl-C stops all four nodes."
echo "polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944"

while true; do
  check_alive
  line="$(date +%T)"
  for i in 0 1 2 3; do line+="  ${names[$i]#Hospital } best/finalized $(heights $((9944 + i)))"; done
  echo "$line"
  sleep 6
done
