#!/usr/bin/env bash
# Adds a hospital to the running local network (scripts/start-network.sh) end to end:
#
#   scripts/add-hospital.sh [--name "Hospital E"] [--admin //Eve] [--operator //Eve//stash]
#                           [--index 4] [--proposer //Alice] [--voters "//Bob //Charlie"]
#
# 1. generates the new hospital's node key, and starts its node as a validator;
# 2. asks that node to generate its session keys (Aura, GRANDPA) with proofs of possession
#    over the new admin account (author_rotateKeysWithOwner, on its own localhost RPC);
# 3. the proposer (an existing hospital's admin) proposes it with its keys, peer id and
#    address; the voters approve until two thirds of the active hospitals agree;
# 4. waits until the hospital is in the validator set (the next session boundary).
# The node keeps running in the background; its data, log and pid file are
# $MEDCHAIN_DATA/<slug>{/,.log,.pid} (default ~/.local/share/medchain/local-network). Hospital number
# --index (4 for E) uses Hospital A's ports plus the index (30333+index p2p, 9944+index RPC, ...).
# On a real consortium each step runs at a different hospital: see docs/governance.md ("Admitting a
# hospital"); `medchain hospital` is the same tool.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$MEDCHAIN_ROOT/scripts/local-network.sh"

name="Hospital E"; admin="//Eve"; operator="//Eve//stash"; index=4
proposer="//Alice"; voters="//Bob //Charlie"
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --admin) admin="$2"; shift 2 ;;
    --operator) operator="$2"; shift 2 ;;
    --index) index="$2"; shift 2 ;;
    --proposer) proposer="$2"; shift 2 ;;
    --voters) voters="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done

MEDCHAIN_CLI="${MEDCHAIN_CLI:-$CARGO_TARGET_DIR/release/medchain}"
[ -x "$MEDCHAIN_NODE" ] && [ -x "$MEDCHAIN_CLI" ] || build_workspace
load_local_network
slug="$(echo "$name" | tr '[:upper:] ' '[:lower:]-')"
dir="$MEDCHAIN_DATA/$slug"
mkdir -p "$dir"
rpc_port=$((RPC_PORTS[0] + index)); p2p_port=$((P2P_PORTS[0] + index)); prom_port=$((PROMETHEUS_PORTS[0] + index))
first_rpc="http://127.0.0.1:${RPC_PORTS[0]}"

ss58_of() { "$MEDCHAIN_NODE" key inspect "$1" --output-type json | jq -r '.ss58Address'; }
field() { jq -er "$1"; }
# medchain URL ARGS...: the command line against the node whose chain RPC is URL, as JSON.
medchain() { local url=$1; shift; "$MEDCHAIN_CLI" --node "$url" --json "$@"; }

medchain "$first_rpc" node status >/dev/null \
  || { echo "no node answers at $first_rpc: start the network first (scripts/start-network.sh)" >&2; exit 1; }

# 1. Node key and node.
[ -f "$dir/node-key" ] || "$MEDCHAIN_NODE" key generate-node-key --file "$dir/node-key" 2>/dev/null
peer_id="$("$MEDCHAIN_NODE" key inspect-node-key --file "$dir/node-key")"
bootnode="/ip4/127.0.0.1/tcp/${P2P_PORTS[0]}/p2p/${PEER_IDS[0]}"
"$MEDCHAIN_NODE" --chain local --name "$name" --validator \
  --base-path "$dir" --node-key-file "$dir/node-key" \
  --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" --rpc-port "$rpc_port" --prometheus-port "$prom_port" \
  --no-mdns --no-telemetry --bootnodes "$bootnode" >>"$dir.log" 2>&1 &
echo $! > "$MEDCHAIN_DATA/$slug.pid"
echo "$name: node pid $(cat "$MEDCHAIN_DATA/$slug.pid"), peer id $peer_id, RPC $rpc_port, log $dir.log"
deadline=$((SECONDS + 60))
until medchain "http://127.0.0.1:$rpc_port" node status >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "$name's node did not answer in 60 s; see $dir.log" >&2; exit 1; }
  sleep 1
done

# 2. Session keys whose proofs sign the whole admission (chain, name, accounts, node).
admin_ss58="$(ss58_of "$admin")"; operator_ss58="$(ss58_of "$operator")"
admission=(--name "$name" --admin "$admin_ss58" --operator "$operator_ss58" \
  --peer-id "$peer_id" --address "/ip4/127.0.0.1/tcp/$p2p_port")
keys_json="$(medchain "http://127.0.0.1:$rpc_port" hospital session-keys "${admission[@]}" \
  --node-key-file "$dir/node-key")"

# 3. Proposal and votes.
validators_before="$(medchain "$first_rpc" node status | field '.validators | length')"
proposal="$(MEDCHAIN_SURI=$proposer medchain "$first_rpc" hospital propose admit "${admission[@]}" \
  --keys "$(field '.keys' <<<"$keys_json")" --proof "$(field '.proof' <<<"$keys_json")" \
  --node-proof "$(field '.nodeProof' <<<"$keys_json")")"
id="$(field '.proposal' <<<"$proposal")"
echo "proposal $id by $proposer"
for voter in $voters; do
  MEDCHAIN_SURI=$voter medchain "$first_rpc" hospital vote "$id" | field '.events'
done

# 4. In the validator set from the next session.
echo "waiting for $name to enter the validator set (next session boundary)"
deadline=$((SECONDS + 120))
until [ "$(medchain "$first_rpc" node status | field '.validators | length' || echo 0)" -gt "$validators_before" ]; do
  [ $SECONDS -lt $deadline ] || { echo "$name not in the validator set after 120 s" >&2; exit 1; }
  sleep 3
done
"$MEDCHAIN_CLI" --node "$first_rpc" node status
echo "$name validates. Stop its node with: kill \$(cat $MEDCHAIN_DATA/$slug.pid)"
