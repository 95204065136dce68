#!/usr/bin/env bash
# Fuzzes each target of fuzz/targets for a bounded time with libFuzzer (nightly cargo-fuzz,
# installed on first use), starting from the seeds and the corpus in fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [seconds per target, default 300] [target ...]
#
# Inputs that reach new code go to $HOME/.cache/medchain/fuzz-corpus/<target>/ and are reused
# by the next run; copy the ones worth keeping into fuzz/corpus/<target>/ (the stable tests
# replay that directory). A crash is written to fuzz/regressions/<target>/: rename it after
# what it shows, fix the bug, and add a test naming it; the stable tests replay it from then on.
# Each target's final libFuzzer statistics (runs, seconds) are printed at the end.
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_with_default_signals "$@"
cd "$MEDCHAIN_ROOT"

seconds="${1:-300}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(commitment dispatch release rpc share_token)
cargo_fuzz_version=0.13.1

# The seeds, written from code (`medchain-fuzz`'s ignored test `write_seeds`).
cargo test --release --locked --workspace --lib -- --ignored --exact seeds::write_seeds

# cargo-fuzz itself builds with stable (its locked dependencies predate today's nightly); it
# builds the targets with nightly.
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  cargo +stable install cargo-fuzz --locked --version "=$cargo_fuzz_version"
fi
# Nightly and sanitizer flags rebuild everything: a target directory of their own. The fuzz
# targets call the runtime natively; its wasm is not needed.
export CARGO_TARGET_DIR="$HOME/.cache/medchain/fuzz-target"
export SKIP_WASM_BUILD=1
scratch="$HOME/.cache/medchain/fuzz-corpus"
logs=$(mktemp -d -t medchain-fuzz-XXXXXX)
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target" "fuzz/regressions/$target"
  echo "==> $target: $seconds s (log: $logs/$target)"
  if ! cargo +nightly fuzz run --fuzz-dir fuzz/targets "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -artifact_prefix="fuzz/regressions/$target/" -print_final_stats=1 \
      >"$logs/$target" 2>&1; then
    failed+=("$target")
    tail -n 60 "$logs/$target"
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$logs/$target" || true
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "crashed or failed: ${failed[*]} (inputs in fuzz/regressions/)" >&2
  exit 1
fi
