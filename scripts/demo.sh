#!/usr/bin/env bash
# The sharing story on the local four-hospital network, told with the `medchain` command line:
# Hospital A keeps patient Ferdie's diagnosis; Ferdie shares part of it with Hospital B; B reads
# it over p2p with the token alone, and C cannot; B asks for more and Ferdie consents; A revokes
# the first share; Ferdie reads his own record; A's auditor sees every access, and whether it
# was really released, and exports it as FHIR. Each step prints its command and its output,
# and the script checks the output: it exits non-zero at the first step that goes wrong.
#
#   scripts/demo.sh [--no-build]
#
# It uses the network `scripts/start-network.sh` runs, if all four hospitals are up; otherwise
# it starts its own in a temporary directory (the same fixed ports) and stops it at the end.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$MEDCHAIN_ROOT/scripts/local-network.sh"

case "${1:-}" in
  --no-build) ;;
  "") bash "$MEDCHAIN_ROOT/scripts/setup.sh"; build_workspace ;;
  *) echo "unknown argument: $1 (usage: scripts/demo.sh [--no-build])" >&2; exit 2 ;;
esac
MEDCHAIN_CLI="${MEDCHAIN_CLI:-$CARGO_TARGET_DIR/release/medchain}"
[ -x "$MEDCHAIN_CLI" ] || { echo "no medchain at $MEDCHAIN_CLI: build the workspace first" >&2; exit 1; }
load_local_network

checks=0
fail() { echo "DEMO FAILED: $*" >&2; exit 1; }
check() { # check DESCRIPTION JQ_FILTER JSON: the filter must print true
  local result
  result=$(jq -r "$2" <<<"$3") || fail "$1: jq $2"
  [ "$result" = true ] || fail "$1 (expected $2 on: $3)"
  checks=$((checks + 1)); echo "    ✓ $1"
}
step() { echo; echo "=== $* ==="; }

# medchain_at AS ARGS...: runs `medchain --json ARGS` against hospital AS's node (index 0–3 for
# A–D) with the token of $ROLE (app by default); prints the command and its JSON, keeps it in $out.
out=""
cli_at() {
  local i=$1 token; shift
  token=$(hospital_token "$i" "${ROLE:-app}")
  [ -n "$token" ] || fail "no ${ROLE:-app} token for ${NAMES[i]} in $(hospital_tokens "$i")"
  MEDCHAIN_TOKEN=$token "$MEDCHAIN_CLI" \
    --node "http://127.0.0.1:${RPC_PORTS[i]}" --api "http://127.0.0.1:${APP_RPC_PORTS[i]}" "$@"
}
medchain_at() {
  local i=$1; shift
  echo "\$ medchain $*   # at ${NAMES[i]}${ROLE:+ as $ROLE}"
  out=$(cli_at "$i" --json "$@") || fail "medchain $* failed"
  jq . <<<"$out" | sed 's/^/    /'
}
# table_at AS ARGS...: a read, shown as the table a person sees; its JSON in $out.
table_at() {
  local i=$1; shift
  echo "\$ medchain $*   # at ${NAMES[i]}${ROLE:+ as $ROLE}"
  cli_at "$i" "$@" | sed 's/^/    /' || fail "medchain $* failed"
  out=$(cli_at "$i" --json "$@") || fail "medchain $* failed"
}
# refused AS REASON ARGS...: the command must fail with REASON in its message.
refused() {
  local i=$1 reason=$2; shift 2
  echo "\$ medchain $*   # at ${NAMES[i]}, expected to be refused"
  local error
  if error=$(cli_at "$i" "$@" 2>&1); then
    fail "medchain $* succeeded: $error"
  fi
  echo "    $error"
  [[ "$error" == *"$reason"* ]] || fail "medchain $* was refused without $reason"
  checks=$((checks + 1)); echo "    ✓ refused: $reason"
}

own_network=false
running=0
for i in "${!NAMES[@]}"; do hospital_running "$i" && running=$((running + 1)); done
if [ "$running" -eq 4 ]; then
  echo "using the running local network ($MEDCHAIN_DATA)"
else
  [ "$running" -eq 0 ] || fail "$running of 4 hospitals run: start all with scripts/start-network.sh, or stop them"
  own_network=true
  export MEDCHAIN_DATA; MEDCHAIN_DATA=$(mktemp -d -t medchain-demo-XXXXXX)
  stop_network() {
    for i in "${!NAMES[@]}"; do signal_hospital "$i"; done
    for i in "${!NAMES[@]}"; do wait_hospital_stopped "$i" || true; done
    rm -rf "$MEDCHAIN_DATA"
  }
  trap stop_network EXIT
  echo "starting Hospitals A-D in $MEDCHAIN_DATA"
  for i in "${!NAMES[@]}"; do start_hospital "$i"; done
fi
A=0 B=1 C=2
deadline=$((SECONDS + 240))
until [ "$(heights "${RPC_PORTS[A]}" | cut -d/ -f2)" -ge 1 ] 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "no finalized block after 240 s; see $(hospital_log $A)"
  sleep 1
done

patient=$("$MEDCHAIN_NODE" key inspect --output-type json //Ferdie | jq -r .ss58Address)

step "1. The consortium: four hospitals, each a validator"
table_at $A hospital list
check "four active validators" '[.hospitals[] | select(.status == "active" and .validator)] | length == 4' "$out"

step "2. Hospital A's operator registers patient Ferdie's pseudonym (no name, no data: an account id)"
if error=$(MEDCHAIN_SURI="${OPERATOR_SEEDS[A]}" "$MEDCHAIN_CLI" --node "http://127.0.0.1:${RPC_PORTS[A]}" \
    --json hospital register-patient "$patient" 2>&1); then
  echo "    registered $patient: $(jq -c .events <<<"$error")"
else
  [[ "$error" == *AlreadyRegistered* ]] || fail "register-patient: $error"
  echo "    $patient was registered by an earlier run"
fi

step "3. A's app stores Ferdie's diagnosis on A's node; only its salted hashes go on chain"
medchain_at $A record submit --patient "$patient" --type DIAGNOSIS --field "diagnosis=influenza A" \
  --field icd10_code=J10.1 --field severity=moderate --field "doctor=Dr. Lee" --field date=2026-11-30 \
  --field "notes=lives alone" --request-id "demo-diagnosis-$(date +%s)" --wait
check "the anchor is finalized" '.status == "finalized"' "$out"
record=$(jq -r .recordId <<<"$out")

step "4. Ferdie shares the diagnosis and its ICD-10 code (not the notes) with Hospital B for 24 hours"
echo "    (the CLI makes the VIC_ token; Ferdie's key signs the consent message A's node prepared)"
MEDCHAIN_SURI=//Ferdie medchain_at $A share create --patient "$patient" --record "$record" \
  --field diagnosis --field icd10_code --grantee 1 --hours 24
check "a grant with a token" '(.grantId | type == "number") and (.token | startswith("VIC_"))' "$out"
token=$(jq -r .token <<<"$out"); grant=$(jq -r .grantId <<<"$out")

step "5. B's app reads the record with the token alone: logged on chain, fetched from A over p2p, verified"
MEDCHAIN_SHARE_TOKEN=$token medchain_at $B share access --record "$record" --purpose TREAT
check "exactly the shared fields, verified against the anchor" \
  '(.fields | keys == ["diagnosis", "icd10_code"]) and .fields.diagnosis == "influenza A"' "$out"

step "6. Hospital C holds the same token, but the share names B"
MEDCHAIN_SHARE_TOKEN=$token refused $C ShareWrongHospital share access --record "$record"

step "7. B asks Ferdie for the severity too; Ferdie sees the request and approves it"
MEDCHAIN_SURI="${OPERATOR_SEEDS[B]}" medchain_at $B consent request --patient "$patient" --record "$record" \
  --field severity --hours 24
request=$(jq -r .request <<<"$out")
table_at $B consent pending --patient "$patient"
check "the request waits for Ferdie" "[.requests[].request] | index($request) != null" "$out"
MEDCHAIN_SURI=//Ferdie medchain_at $B consent approve "$request"
check "the approval created a grant" '.grantId | type == "number"' "$out"
MEDCHAIN_SHARE_TOKEN=$(jq -r .token <<<"$out") medchain_at $B share access --record "$record"
check "the severity, and nothing else" '.fields == {"severity": "moderate"}' "$out"

step "8. A revokes the first share; B's next read is refused"
medchain_at $A share revoke "$grant"
MEDCHAIN_SHARE_TOKEN=$token refused $B ShareRevoked share access --record "$record"

step "9. Ferdie reads his own record, every field, logged on chain and verified"
MEDCHAIN_SURI=//Ferdie medchain_at $A record get "$record"
check "all fields, the notes too" '.fields.notes == "lives alone"' "$out"

step "10. A's auditor: who saw this record, when, why, and was it really released?"
ROLE=auditor table_at $A audit log --record "$record" --all
check "two reads by B and Ferdie's own" \
  '([.rows[] | select(.outcome == "granted" and .kind == "share" and .accessorHospital == 1)] | length == 2) and ([.rows[] | select(.kind == "patient")] | length == 1)' "$out"
check "every read released or about to be" \
  '[.rows[] | select(.outcome == "granted") | .disclosure] | all(. == "released" or . == "awaitingRelease")' "$out"
export_file="$MEDCHAIN_DATA/demo-fhir-$$.json"
ROLE=auditor medchain_at $A audit export --kind audit-event --record "$record" --out "$export_file"
check "a FHIR R5 Bundle of AuditEvents" '.resourceType == "Bundle" and ([.entry[].resource.resourceType] | all(. == "AuditEvent"))' "$(cat "$export_file")"
rm -f "$export_file"

echo
echo "demo passed: $checks checks"
