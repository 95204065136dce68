# The local four-hospital network, for the scripts that run it. Source it after common.sh.
#
# The network itself is defined once, in the runtime (`runtime/src/local_network.rs`): names,
# dev keys, node keys, peer ids and ports. `medchain-node local-network` prints it, one
# hospital per line, tab-separated:
#   index  name  slug  keyring  node-key  peer-id  p2p-port  rpc-port  prometheus-port
#   operator-seed  medchain-rpc-port
# The genesis preset `local_testnet` and the test harness read the same table.

MEDCHAIN_DATA="${MEDCHAIN_DATA:-$HOME/.local/share/medchain/local-network}"

# Reads the table into the arrays NAMES, SLUGS, KEYRINGS, NODE_KEYS, PEER_IDS, P2P_PORTS,
# RPC_PORTS, PROMETHEUS_PORTS, OPERATOR_SEEDS and APP_RPC_PORTS, indexed by hospital (0 for A).
load_local_network() {
  NAMES=(); SLUGS=(); KEYRINGS=(); NODE_KEYS=(); PEER_IDS=(); P2P_PORTS=(); RPC_PORTS=(); PROMETHEUS_PORTS=()
  OPERATOR_SEEDS=(); APP_RPC_PORTS=()
  local table index name slug keyring node_key peer_id p2p rpc prometheus operator app_rpc
  table=$("$MEDCHAIN_NODE" local-network) || { echo "$MEDCHAIN_NODE local-network failed" >&2; return 1; }
  while IFS=$'\t' read -r index name slug keyring node_key peer_id p2p rpc prometheus operator app_rpc; do
    NAMES[index]=$name; SLUGS[index]=$slug; KEYRINGS[index]=$keyring; NODE_KEYS[index]=$node_key
    PEER_IDS[index]=$peer_id; P2P_PORTS[index]=$p2p; RPC_PORTS[index]=$rpc
    PROMETHEUS_PORTS[index]=$prometheus; OPERATOR_SEEDS[index]=$operator; APP_RPC_PORTS[index]=$app_rpc
  done <<<"$table"
  [ ${#NAMES[@]} -eq 4 ] || { echo "medchain-node local-network printed ${#NAMES[@]} hospitals, not 4" >&2; return 1; }
}

# The index of hospital $1, given as its letter (C), slug (hospital-c) or name ("Hospital C").
hospital_index() {
  local wanted=${1,,} i
  for i in "${!NAMES[@]}"; do
    local name=${NAMES[i],,}
    if [ "$wanted" = "${SLUGS[i]}" ] || [ "$wanted" = "$name" ] || [ "$wanted" = "${name##* }" ]; then
      echo "$i"; return 0
    fi
  done
  echo "no hospital $1 in the local network (one of: ${NAMES[*]})" >&2
  return 1
}

hospital_log() { echo "$MEDCHAIN_DATA/${SLUGS[$1]}.log"; }
# The medchain RPC tokens of hospital $1's node (dev only: a real node keeps only their hashes).
hospital_tokens() { echo "$MEDCHAIN_DATA/${SLUGS[$1]}.tokens"; }
hospital_pid_file() { echo "$MEDCHAIN_DATA/${SLUGS[$1]}.pid"; }

# Whether hospital $1's node process (as its pid file names it) is running: a live process
# whose command line is this hospital's node (so a stale pid file names no other process).
hospital_running() {
  local pid_file pid
  pid_file=$(hospital_pid_file "$1")
  [ -f "$pid_file" ] || return 1
  pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"--base-path $MEDCHAIN_DATA/${SLUGS[$1]} "* ]]
}

# Makes hospital $1's node its record custodian, once: its operator key in the keystore, and an
# app, auditor and admin token for its medchain RPC (hashes in the node's token file; the tokens
# themselves, for this dev network only, in hospital_tokens).
prepare_custodian() {
  local i=$1 base="$MEDCHAIN_DATA/${SLUGS[$1]}" role
  [ -f "$base/medchain-rpc-tokens" ] && return 0
  "$MEDCHAIN_NODE" key insert --base-path "$base" --chain local --key-type mdop --scheme sr25519 \
    --suri "${OPERATOR_SEEDS[i]}"
  : >"$(hospital_tokens "$i")"; chmod 600 "$(hospital_tokens "$i")"
  for role in app auditor admin; do
    echo "$role $("$MEDCHAIN_NODE" rpc-token --role "$role" --file "$base/medchain-rpc-tokens" --label dev)" \
      >>"$(hospital_tokens "$i")"
  done
}

# The token of role $2 for hospital $1's medchain RPC.
hospital_token() { awk -v role="$2" '$1 == role { print $2 }' "$(hospital_tokens "$1")"; }

# Starts hospital $1's validator in the background, dialing every other hospital; its pid goes
# to its pid file, its output to its log. It keeps its hospital's records and serves the medchain
# RPC on its APP_RPC_PORTS port.
start_hospital() {
  local i=$1 j bootnodes=()
  for j in "${!NAMES[@]}"; do
    [ "$i" = "$j" ] || bootnodes+=(--bootnodes "/ip4/127.0.0.1/tcp/${P2P_PORTS[j]}/p2p/${PEER_IDS[j]}")
  done
  mkdir -p "$MEDCHAIN_DATA"
  prepare_custodian "$i"
  "$MEDCHAIN_NODE" \
    --chain local --name "${NAMES[i]}" "--${KEYRINGS[i]}" \
    --base-path "$MEDCHAIN_DATA/${SLUGS[i]}" --node-key "${NODE_KEYS[i]}" \
    --listen-addr "/ip4/127.0.0.1/tcp/${P2P_PORTS[i]}" \
    --rpc-port "${RPC_PORTS[i]}" --prometheus-port "${PROMETHEUS_PORTS[i]}" \
    --no-mdns --no-telemetry \
    --medchain-rpc-tokens "$MEDCHAIN_DATA/${SLUGS[i]}/medchain-rpc-tokens" \
    --medchain-rpc-addr "127.0.0.1:${APP_RPC_PORTS[i]}" \
    "${bootnodes[@]}" >>"$(hospital_log "$i")" 2>&1 &
  echo $! >"$(hospital_pid_file "$i")"
}

# Asks hospital $1's node to stop (SIGTERM), if it runs.
signal_hospital() {
  if hospital_running "$1"; then kill "$(cat "$(hospital_pid_file "$1")")" 2>/dev/null || true; fi
}

# Waits up to 30 s for hospital $1's node to exit, then kills it (SIGKILL); removes its pid
# file once it is gone. Fails if it is still running.
wait_hospital_stopped() {
  local deadline=$((SECONDS + 30))
  while hospital_running "$1" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
  if hospital_running "$1"; then
    kill -9 "$(cat "$(hospital_pid_file "$1")")" 2>/dev/null || true
    sleep 1
  fi
  if hospital_running "$1"; then
    echo "${NAMES[$1]}'s node (pid $(cat "$(hospital_pid_file "$1")")) does not stop" >&2
    return 1
  fi
  rm -f "$(hospital_pid_file "$1")"
}

# Stops hospital $1's node, if it runs.
stop_hospital() {
  signal_hospital "$1"
  wait_hospital_stopped "$1"
}

# JSON-RPC call: rpc PORT METHOD [PARAMS_JSON]; prints the result as JSON.
rpc() {
  curl -sf -m 5 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" \
    "http://127.0.0.1:$1" | jq -ce '.result'
}

# "best/finalized" heights of the node on RPC port $1, or "down".
heights() {
  local best finalized_hash finalized
  best=$(rpc "$1" chain_getHeader | jq -r '.number') || { echo down; return; }
  finalized_hash=$(rpc "$1" chain_getFinalizedHead | jq -r '.') || { echo down; return; }
  finalized=$(rpc "$1" chain_getHeader "[\"$finalized_hash\"]" | jq -r '.number') || { echo down; return; }
  echo "$((best))/$((finalized))"
}
