#!/usr/bin/env bash
# Tests the container image and the compose file of the local four-hospital network
# (docker/Dockerfile, docker/compose.yaml) end to end with Podman:
#
#   scripts/container-network.sh
#
# 1. sets up Podman as the project's container notes says (idempotent): apt-get install podman,
#    podman-compose, runc, debootstrap; an engine config of its own ($CONTAINERS_CONF: runc, no
#    default ulimits); a Debian bookworm base imported once as localhost/debian-base:bookworm;
# 2. builds localhost/medchain-node:dev from a temporary context holding the prebuilt release
#    binary (it never runs cargo: build the node first, e.g. `cargo build --release --workspace`);
# 3. makes each hospital's medchain RPC certificate (scripts/make-rpc-cert.sh, a CA of this run);
#    `podman-compose up -d` as project medchain-ci; waits (bounded) until the four containers are
#    healthy and Hospital A's finalized head is at least 3; no node keeps the operator seed in
#    its environment;
# 4. with the `medchain` command line, over https to the published medchain RPC: registers patient Ferdie with Hospital A's operator key
#    (`hospital register-patient`), submits a record to Hospital A's node with its app token and
#    waits until its anchor is finalized (`record submit --wait`), and reads it back as Ferdie
#    (`record get`: logged on chain, every field verified against the anchor);
# 5. tears everything down (`podman-compose down -v`), also on failure, and prints each phase's time.
#
# When no container engine can run here it fails, or, if MEDCHAIN_ALLOW_SKIP names
# `container-network`, prints `SKIPPED: <reason>` and exits 0. Exits non-zero on any real
# failure, with the last log lines of every container.
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_with_default_signals "$@"

PROJECT=medchain-ci
IMAGE=localhost/medchain-node:dev
BASE_IMAGE=localhost/debian-base:bookworm
COMPOSE=(podman-compose -f "$MEDCHAIN_ROOT/docker/compose.yaml" -p "$PROJECT")
MEDCHAIN_CLI="${MEDCHAIN_CLI:-$CARGO_TARGET_DIR/release/medchain}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HOME/.cache/medchain/containers.conf}"
HEALTH_TIMEOUT=240   # seconds for all four healthy and finalized head >= 3
RECORD_TIMEOUT=120   # seconds for the record's finality (the CLI bounds its own transactions)
# Published on the host's 127.0.0.1 by docker/compose.yaml (the local-network ports + 20000).
RPC_A=29944
APP_RPC_A=29955

# ---------------------------------------------------------------------------------------------
# Phases and their timings.
PHASES=()
phase_start=$SECONDS
phase_name=""
phase() {
  local now=$SECONDS
  [ -z "$phase_name" ] || PHASES+=("$(printf '%-22s %4d s' "$phase_name" $((now - phase_start)))")
  phase_name=$1; phase_start=$now
  [ "$1" = end ] || echo "== $1"
}
step() { echo "   $(date +%T) $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
# A machine that can't run containers fails the phase, unless MEDCHAIN_ALLOW_SKIP names it.
skip() {
  if [[ ",${MEDCHAIN_ALLOW_SKIP:-}," == *",container-network,"* ]]; then echo "SKIPPED: $*"; exit 0; fi
  fail "$* (set MEDCHAIN_ALLOW_SKIP=container-network to skip)"
}

# ---------------------------------------------------------------------------------------------
phase "install"
missing=()
for tool in podman podman-compose runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || skip "${missing[*]} missing, and installing needs root (no sudo)"
    sudo_cmd="sudo -n"
  fi
  step "apt-get install ${missing[*]}"
  apt_log=$(mktemp)
  if ! { $sudo_cmd apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq podman podman-compose runc debootstrap; \
      } >"$apt_log" 2>&1; then
    tail -n 5 "$apt_log"; rm -f "$apt_log"; skip "could not install ${missing[*]} with apt-get"
  fi
  rm -f "$apt_log"
else
  step "podman, podman-compose, runc and debootstrap are installed"
fi
for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (scripts/setup.sh installs it)"; done

mkdir -p "$(dirname "$CONTAINERS_CONF")"
cat >"$CONTAINERS_CONF" <<'EOF'
# Written by scripts/container-network.sh (the project's container notes): the sandbox refuses
# crun's rlimit and cgroup calls, so runc and no default ulimits.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
EOF
podman info >/dev/null 2>&1 || skip "podman info fails: $(podman info 2>&1 | tail -n 1)"
step "$(podman --version), $(podman-compose version 2>/dev/null | grep -i 'podman-compose' | head -n 1), CONTAINERS_CONF=$CONTAINERS_CONF"

[ -x "$MEDCHAIN_NODE" ] || fail "no node binary at $MEDCHAIN_NODE: build it first (cargo build --release --locked --workspace)"
[ -x "$MEDCHAIN_CLI" ] || fail "no medchain at $MEDCHAIN_CLI: build it first (cargo build --release --locked --workspace)"

# ---------------------------------------------------------------------------------------------
phase "debootstrap"
if podman image exists "$BASE_IMAGE"; then
  step "$BASE_IMAGE exists"
else
  rootfs=$(mktemp -d /var/tmp/medchain-rootfs.XXXXXX)
  step "debootstrap --variant=minbase bookworm $rootfs"
  if ! debootstrap --variant=minbase bookworm "$rootfs" >"$rootfs.log" 2>&1; then
    tail -n 20 "$rootfs.log" >&2; rm -rf "$rootfs" "$rootfs.log"; fail "debootstrap failed"
  fi
  # No cached .debs in the base image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import - "$BASE_IMAGE" >"$rootfs.log" 2>&1 ||
    { tail -n 20 "$rootfs.log" >&2; rm -rf "$rootfs" "$rootfs.log"; fail "podman import failed"; }
  rm -rf "$rootfs" "$rootfs.log"
  step "imported $BASE_IMAGE"
fi

# ---------------------------------------------------------------------------------------------
phase "image build"
context=$(mktemp -d /var/tmp/medchain-image.XXXXXX)
cp "$MEDCHAIN_NODE" "$context/medchain-node"
cp "$MEDCHAIN_ROOT/docker/entrypoint.sh" "$context/entrypoint.sh"
chmod 755 "$context/medchain-node" "$context/entrypoint.sh"
old_image=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
step "podman build -t $IMAGE (node $("$MEDCHAIN_NODE" --version | awk '{print $2}'))"
if ! podman build -q --build-arg "BASE=$BASE_IMAGE" -t "$IMAGE" -f "$MEDCHAIN_ROOT/docker/Dockerfile" \
    "$context" >"$context.log" 2>&1; then
  tail -n 30 "$context.log" >&2; rm -rf "$context" "$context.log"; fail "podman build failed"
fi
rm -rf "$context" "$context.log"
# The previous build of the tag (another node binary) would stay as a dangling image.
if [ -n "$old_image" ] && [ "$old_image" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$old_image" >/dev/null 2>&1 || true
fi
image_size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
step "built $IMAGE: $((image_size / 1000000)) MB (base $((base_size / 1000000)) MB, node binary $(($(stat -c %s "$MEDCHAIN_NODE") / 1000000)) MB)"

# ---------------------------------------------------------------------------------------------
containers() {
  podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | sort
}
# The container of compose service $1.
container_of() {
  podman ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -n 1
}

teardown() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" -ne 0 ]; then
    echo "the containers' last log lines:" >&2
    for c in $(containers); do
      echo "--- $c ($(podman inspect --format '{{.State.Status}}' "$c" 2>/dev/null))" >&2
      podman logs --tail 25 "$c" 2>&1 | sed 's/^/    /' >&2
    done
  fi
  phase "teardown"
  timeout 180 "${COMPOSE[@]}" down -v >/dev/null 2>&1 || echo "podman-compose down -v failed" >&2
  rm -rf "$MEDCHAIN_TLS_DIR"
  # podman-compose 1.0.3 leaves the project's network behind.
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  phase end
  echo "== timings"
  printf '   %s\n' "${PHASES[@]}"
  echo "   image $IMAGE: ${image_size:+$((image_size / 1000000)) MB}"
  if [ "$status" -eq 0 ]; then echo "PASSED: container network"; else echo "FAILED: container network" >&2; fi
  exit "$status"
}

phase "certificates"
export MEDCHAIN_TLS_DIR=/var/tmp/$PROJECT-tls
rm -rf "$MEDCHAIN_TLS_DIR"
for hospital in a b c d; do
  bash "$MEDCHAIN_ROOT/scripts/make-rpc-cert.sh" "$MEDCHAIN_TLS_DIR" "hospital-$hospital" \
    localhost 127.0.0.1 "hospital-$hospital" 2>/dev/null
done
# The containers' user (uid 1000) reads them through a read-only mount.
if [ "$(id -u)" -eq 0 ]; then
  chown -R 1000:1000 "$MEDCHAIN_TLS_DIR"
else
  podman unshare chown -R 1000:1000 "$MEDCHAIN_TLS_DIR"
fi
CA="$MEDCHAIN_TLS_DIR/ca.pem"
step "CA $CA and a certificate per hospital (localhost, 127.0.0.1, its service name)"

phase "up"
# Leftovers of an earlier run (e.g. killed before its teardown) would keep their chain data.
timeout 180 "${COMPOSE[@]}" down -v >/dev/null 2>&1 || true
podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if ! timeout 300 "${COMPOSE[@]}" up -d >"/var/tmp/$PROJECT-up.log" 2>&1; then
  tail -n 30 "/var/tmp/$PROJECT-up.log" >&2; fail "podman-compose up failed"
fi
rm -f "/var/tmp/$PROJECT-up.log"
step "started: $(containers | tr '\n' ' ')"
[ "$(containers | wc -l)" -eq 4 ] || fail "expected 4 containers"

# JSON-RPC over the published port: rpc PORT METHOD [PARAMS_JSON] prints the result.
rpc() {
  curl -sf -m 5 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" \
    "http://127.0.0.1:$1" | jq -ce '.result'
}
finalized_number() {
  local hash
  hash=$(rpc "$RPC_A" chain_getFinalizedHead | jq -r .) || return 1
  rpc "$RPC_A" chain_getHeader "[\"$hash\"]" | jq -r '.number' | xargs printf '%d\n'
}
exited() {
  local c
  for c in $(containers); do
    [ "$(podman inspect --format '{{.State.Status}}' "$c")" = running ] || { echo "$c"; return 0; }
  done
  return 1
}

deadline=$((SECONDS + HEALTH_TIMEOUT))
healthy=()
until [ ${#healthy[@]} -eq 4 ]; do
  if down=$(exited); then fail "container $down is not running"; fi
  [ $SECONDS -lt $deadline ] || fail "not all healthy after ${HEALTH_TIMEOUT} s (healthy: ${healthy[*]:-none})"
  sleep 2
  # Podman runs no healthcheck timers without systemd: run each container's healthcheck here.
  healthy=()
  for c in $(containers); do
    podman healthcheck run "$c" >/dev/null 2>&1 && healthy+=("$c")
  done
done
step "all four healthy: $(for c in $(containers); do printf '%s=%s ' "${c}" "$(podman inspect --format '{{.State.Health.Status}}' "$c" 2>/dev/null || podman inspect --format '{{.State.Healthcheck.Status}}' "$c")"; done)"
step "Hospital A system_health: $(rpc "$RPC_A" system_health)"
for c in $(containers); do
  if podman exec "$c" sh -c 'tr "\0" "\n" </proc/1/environ' | grep -q '^MEDCHAIN_OPERATOR_SEED=\|^MEDCHAIN_NODE_KEY='; then
    fail "$c's node keeps a secret in its environment"
  fi
done
step "no node keeps the operator seed or node key in its environment"

phase "finality"
until f=$(finalized_number) && [ "$f" -ge 3 ]; do
  if down=$(exited); then fail "container $down is not running"; fi
  [ $SECONDS -lt $deadline ] || fail "finalized head below 3 after ${HEALTH_TIMEOUT} s (${f:-no answer})"
  sleep 2
done
step "finalized head #$f (best #$(rpc "$RPC_A" chain_getHeader | jq -r .number | xargs printf '%d'))"

# ---------------------------------------------------------------------------------------------
phase "register patient"
container_a=$(container_of hospital-a)
app_token=$(podman exec "$container_a" cat /data/dev-tokens | awk '$1 == "app" { print $2 }')
[ -n "$app_token" ] || fail "no app token in $container_a:/data/dev-tokens"
step "Hospital A's app token: ${app_token:0:6}… (from /data/dev-tokens)"

patient_ss58=$(podman exec "$container_a" medchain-node key inspect --output-type json "//Ferdie" | jq -r .ss58Address)
# The medchain command line against Hospital A's published ports.
medchain() {
  "$MEDCHAIN_CLI" --node "http://127.0.0.1:$RPC_A" --api "https://localhost:$APP_RPC_A" --ca-file "$CA" --json "$@"
}
registered=$(MEDCHAIN_SURI="//Alice//stash" medchain hospital register-patient "$patient_ss58") ||
  fail "medchain hospital register-patient failed"
step "registered patient Ferdie ($patient_ss58) with Hospital A's operator key, in finalized block $(jq -r .block <<<"$registered")"

# ---------------------------------------------------------------------------------------------
phase "record from the CLI"
unauthorized=$(curl -s -o /dev/null -w '%{http_code}' -m 5 --cacert "$CA" -H 'Content-Type: application/json' \
  -d '{"id":1,"jsonrpc":"2.0","method":"medchain_recordStatus","params":["0x00"]}' "https://localhost:$APP_RPC_A")
[ "$unauthorized" = 401 ] || fail "the medchain RPC answered HTTP $unauthorized without a token, not 401"
step "medchain RPC over https without a token: HTTP 401"
if curl -s -o /dev/null -m 5 "http://127.0.0.1:$APP_RPC_A"; then fail "the medchain RPC answered plain http"; fi
step "medchain RPC over plain http: no answer"
submitted=$(MEDCHAIN_TOKEN=$app_token timeout "$RECORD_TIMEOUT" "$MEDCHAIN_CLI" --node "http://127.0.0.1:$RPC_A" \
  --api "https://localhost:$APP_RPC_A" --ca-file "$CA" --json record submit --patient "$patient_ss58" --type DIAGNOSIS \
  --field "diagnosis=influenza A" --field icd10_code=J10.1 --field treatment=oseltamivir \
  --field "doctor=Dr A" --field date=2026-11-30 --field "notes=private notes" \
  --request-id container-network-1 --wait) || fail "medchain record submit --wait failed"
record_id=$(jq -er .recordId <<<"$submitted") || fail "record submit printed no record id: $submitted"
[ "$(jq -r .status <<<"$submitted")" = finalized ] || fail "record $record_id is not finalized: $submitted"
step "record $record_id finalized in block #$(jq -r .blockNumber <<<"$submitted") (medchain record submit --wait)"
read_back=$(MEDCHAIN_TOKEN=$app_token MEDCHAIN_SURI=//Ferdie medchain record get "$record_id") ||
  fail "medchain record get failed"
[ "$(jq -r '.fields.diagnosis == "influenza A" and .fields.notes == "private notes"' <<<"$read_back")" = true ] ||
  fail "record get returned other fields: $read_back"
step "Ferdie read it back from the container's store, verified: access entry $(jq -r .accessId <<<"$read_back")"
