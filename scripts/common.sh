# Shared by the scripts: repository root, the cargo target directory, and the node binary.
# Source it; it defines no commands that run on their own.

MEDCHAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside the work tree, so a fresh clone reuses earlier builds (CI too).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain/target}"
MEDCHAIN_NODE="${MEDCHAIN_NODE:-$CARGO_TARGET_DIR/release/medchain-node}"
# The Python that validates FHIR exports in the tests (scripts/setup-fhir.sh makes it).
export MEDCHAIN_FHIR_PYTHON="${MEDCHAIN_FHIR_PYTHON:-$HOME/.cache/medchain/fhir-venv/bin/python}"

# The whole workspace is always built together, so every crate is compiled with one feature
# set and `cargo build` and `cargo test` share all artifacts.
build_workspace() {
  bash "$MEDCHAIN_ROOT/scripts/build-portal.sh"
  (cd "$MEDCHAIN_ROOT" && cargo build --release --locked --workspace)
}

# A script started as a background job (`nohup … &`) inherits SIGINT ignored, and bash can
# neither trap nor reset a signal ignored at its start: so Ctrl-C would not stop it. A script
# that stops on Ctrl-C calls this first (with "$@"); it runs again with the default
# dispositions. The marker holds the pid, which `exec` keeps, so the scripts it starts do the
# same for themselves.
run_with_default_signals() {
  if [ "${MEDCHAIN_DEFAULT_SIGNALS:-}" != "$$" ]; then
    export MEDCHAIN_DEFAULT_SIGNALS=$$
    exec env --default-signal=INT,QUIT,TERM bash "$0" "$@"
  fi
}
