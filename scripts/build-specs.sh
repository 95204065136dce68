#!/usr/bin/env bash
# Regenerates the committed chain specs in chain-specs/ from the node's built-in presets:
#   local.json                 the four-hospital local network (plain)
#   local-raw.json             the same, as raw storage (what nodes start from)
#   consortium-template.json   a production genesis with placeholders for each hospital's keys
#
# Filling in the template: replace each <HOSPITAL_X_…> placeholder with that hospital's value:
#   NAME                  its name
#   ADMIN_SS58            governance admin account (kept offline)
#   OPERATOR_SS58         operator account (in the node's keystore)
#   AURA_SR25519_SS58     Aura public key     (`medchain-node key inspect --scheme sr25519 …`)
#   GRANDPA_ED25519_SS58  GRANDPA public key  (`medchain-node key inspect --scheme ed25519 …`)
#   PEER_ID               its node's peer id  (`medchain-node key inspect-node-key --file …`)
#   NODE_MULTIADDR        where members dial that node, e.g. /dns/medchain.hospital-a.org/tcp/30333
# then
#   medchain-node export-chain-spec --chain filled.json --raw > consortium-raw.json
# and give consortium-raw.json to every hospital.
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ "${1:-}" = "--no-build" ] || { bash "$MEDCHAIN_ROOT/scripts/setup.sh"; build_workspace; }

out="$MEDCHAIN_ROOT/chain-specs"
"$MEDCHAIN_NODE" export-chain-spec --chain local > "$out/local.json"
"$MEDCHAIN_NODE" export-chain-spec --chain local --raw > "$out/local-raw.json"
"$MEDCHAIN_NODE" export-chain-spec --chain consortium-template > "$out/consortium-template.json"
echo "chain specs written to $out"
