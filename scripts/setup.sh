#!/usr/bin/env bash
# Installs what a fresh machine lacks to build medchain. Safe to run again: each step checks first.
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# The scripts read JSON-RPC answers with jq.
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
dpkg -s libclang-dev >/dev/null 2>&1 || need_apt+=(libclang-dev)
# The system OpenSSL replaces a 4-minute vendored OpenSSL build (.cargo/config.toml).
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The node's allocator (jemalloc) is built from C with its configure script and make.
command -v make >/dev/null 2>&1 || need_apt+=(make)
# The wrong-clock drill runs a node under libfaketime.
dpkg -s libfaketime >/dev/null 2>&1 || need_apt+=(libfaketime)
# The partition and slow-link drills make network namespaces and veth links, and turn the
# slow link's offloads off.
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v ethtool >/dev/null 2>&1 || need_apt+=(ethtool)
# The portal is built with npm (Node 20 is on the machine) and tested in Debian's Chromium.
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for target in wasm32v1-none wasm32-unknown-unknown; do
  grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
installed_components=$(rustup component list --installed)
for component in rust-src clippy rustfmt; do
  grep -q "^$component" <<<"$installed_components" || rustup component add "$component"
done

echo "setup: toolchain ready ($(rustc --version), $(protoc --version))"
