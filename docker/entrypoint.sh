#!/bin/sh
# Entrypoint of the medchain-node image. Prepares the node's data directory on first start,
# idempotently, then runs the node in its place (exec: the node gets the signals):
#
#   medchain-entrypoint [NODE FLAGS…]   prepare /data, then medchain-node --chain "$MEDCHAIN_CHAIN"
#                                       --base-path /data [--node-key-file …] [--medchain-rpc-tokens …] FLAGS…
#   medchain-entrypoint healthcheck     exit 0 if the node's RPC answers system_health with ≥ 1 peer
#   medchain-entrypoint SUBCOMMAND …    any medchain-node subcommand (key, rpc-token, local-network, …)
#
# Secrets never go on the node's command line; they come from files (production: mount them,
# e.g. as compose/podman secrets) or, for the local dev network only, from the environment:
#
#   MEDCHAIN_CHAIN                 chain spec: `local` (default) or a file path
#   MEDCHAIN_NODE_KEY_FILE         the p2p node key (64 hex digits); the node reads it itself
#   MEDCHAIN_NODE_KEY              DEV ONLY: the node key itself; written once to /data/node-key (0600)
#   MEDCHAIN_OPERATOR_SEED_FILE    the operator key's secret URI (key type `mdop`); inserted into the
#                                  keystore on first start
#   MEDCHAIN_OPERATOR_SEED         DEV ONLY: that secret URI itself (e.g. `//Alice//stash`)
#   MEDCHAIN_RPC_TOKENS            the medchain RPC token file (hashes only, `medchain-node rpc-token`);
#                                  default /data/medchain-rpc-tokens. The node serves the medchain RPC
#                                  (and keeps records) when this file exists.
#   MEDCHAIN_DEV_TOKENS=1          DEV ONLY: on first start, make an app, auditor and admin token and
#                                  keep them in plain text in /data/dev-tokens (0600), as
#                                  scripts/local-network.sh does for the local network
#   MEDCHAIN_RPC_PORT              the JSON-RPC port the healthcheck asks (default 9944)
#
# The DEV ONLY secrets are taken out of the environment before the node starts, and a temporary
# copy of the seed is removed whether or not its step succeeds.
set -eu

NODE=${MEDCHAIN_NODE_BIN:-/usr/local/bin/medchain-node}
DATA=${MEDCHAIN_DATA_DIR:-/data}
CHAIN=${MEDCHAIN_CHAIN:-local}

log() { echo "medchain-entrypoint: $*" >&2; }

healthcheck() {
  health=$(curl -sf -m 4 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:${MEDCHAIN_RPC_PORT:-9944}") || { echo "RPC not answering"; exit 1; }
  peers=$(printf '%s' "$health" | sed -n 's/.*"peers":\([0-9]*\).*/\1/p')
  [ "${peers:-0}" -ge 1 ] || { echo "no peers: $health"; exit 1; }
  echo "$health"
}

case "${1:-}" in
  healthcheck) healthcheck; exit 0 ;;
  ""|-*) ;;                      # node flags (or none): prepare, then run the node
  *) exec "$NODE" "$@" ;;        # a subcommand: run it as it is
esac

umask 077
set --  --chain "$CHAIN" --base-path "$DATA" "$@"

# The node key: a file the node reads itself (never `--node-key`, which shows in `ps`).
if [ -n "${MEDCHAIN_NODE_KEY_FILE:-}" ]; then
  set -- "$@" --node-key-file "$MEDCHAIN_NODE_KEY_FILE"
elif [ -n "${MEDCHAIN_NODE_KEY:-}" ]; then
  if [ ! -s "$DATA/node-key" ]; then
    printf '%s' "$MEDCHAIN_NODE_KEY" >"$DATA/node-key"
    log "wrote the node key to $DATA/node-key (dev)"
  fi
  set -- "$@" --node-key-file "$DATA/node-key"
fi

# The operator key (`mdop`), once: `key insert` reads the secret URI from a file, so the seed is
# on no command line. A keystore file's name starts with the key type in hex (6d646f70).
seed_file=${MEDCHAIN_OPERATOR_SEED_FILE:-}
tmp_seed=""
trap 'rm -f "$tmp_seed"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "$seed_file" ] && [ -n "${MEDCHAIN_OPERATOR_SEED:-}" ]; then
  # In memory (tmpfs) where there is one: a file there never reaches a disk. `key insert`
  # reads only regular files, so a pipe won't do.
  if [ -d /dev/shm ] && [ -w /dev/shm ] && [ -z "${TMPDIR:-}" ]; then
    tmp_seed=$(mktemp -p /dev/shm)
  else
    tmp_seed=$(mktemp)
  fi
  printf '%s' "$MEDCHAIN_OPERATOR_SEED" >"$tmp_seed"
  seed_file=$tmp_seed
fi
unset MEDCHAIN_OPERATOR_SEED MEDCHAIN_NODE_KEY
if [ -n "$seed_file" ]; then
  if ls "$DATA"/chains/*/keystore/6d646f70* >/dev/null 2>&1; then
    :
  else
    "$NODE" key insert --base-path "$DATA" --chain "$CHAIN" --key-type mdop --scheme sr25519 \
      --suri "$seed_file"
    log "inserted the operator key (mdop) into the keystore"
  fi
fi
[ -z "$tmp_seed" ] || rm -f "$tmp_seed"
tmp_seed=""

# The medchain RPC tokens. DEV ONLY: make one of each role on first start, plain text kept.
tokens=${MEDCHAIN_RPC_TOKENS:-$DATA/medchain-rpc-tokens}
if [ "${MEDCHAIN_DEV_TOKENS:-0}" = 1 ] && [ ! -s "$tokens" ]; then
  : >"$DATA/dev-tokens"
  for role in app auditor admin; do
    echo "$role $("$NODE" rpc-token --role "$role" --file "$tokens" --label dev)" >>"$DATA/dev-tokens"
  done
  log "made dev medchain RPC tokens (app, auditor, admin) in $DATA/dev-tokens"
fi
if [ -s "$tokens" ]; then
  set -- "$@" --medchain-rpc-tokens "$tokens"
fi

exec "$NODE" "$@"
