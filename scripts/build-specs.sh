#!/usr/bin/env bash
# Regenerates the committed chain specs in chain-specs/ from the node's built-in presets:
#   local.json                 the four-hospital local network (plain)
#   local-raw.json             the same, as raw storage (what nodes start from)
#   consortium-template.json   a production genesis with placeholders for each hospital's keys
#
# Filling in the template: replace every <HOSPITAL_X_AURA_SR25519_SS58> with the hospital's
# Aura (sr25519) public key and every <HOSPITAL_X_GRANDPA_ED25519_SS58> with its GRANDPA
# (ed25519) public key, as SS58 (`medchain-node key inspect --scheme … <key>`), then
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
