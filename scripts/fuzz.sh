#!/usr/bin/env bash
# A bounded fuzz pass over every target in fuzz/: scenario, overrides, match_csv, sweep_spec.
#
#   scripts/fuzz.sh [SECONDS]      seconds per target (default 60)
#
# Uses cargo-fuzz (libFuzzer). It needs nightly compiler flags; on a stable toolchain the script
# sets RUSTC_BOOTSTRAP=1, which lets stable rustc accept them (cargo-fuzz is installed with
# `cargo install cargo-fuzz --locked` when missing). Each target starts from the committed seeds in
# fuzz/seeds/<target>/ plus its working corpus in fuzz/corpus/<target>/ (not committed), runs on one
# core, and the script fails if any target finds a crash (panic, abort, out-of-memory, timeout):
# libFuzzer writes the input to fuzz/artifacts/<target>/, and the script prints how to replay it.
# The last line per target is libFuzzer's count of executions.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-60}"
TARGETS=(scenario overrides match_csv sweep_spec)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

cargo fuzz build -O
failed=()
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/artifacts/$target.log"
    echo "== $target: ${SECONDS_PER_TARGET}s"
    # -rss_limit_mb: a run that validates stays far below it; -timeout: seconds per input.
    if cargo fuzz run -O "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=3072 -timeout=60 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec" "$log" || tail -n 2 "$log"
    else
        echo "!! $target found a crash; see $log and fuzz/artifacts/$target/"
        echo "   replay: RUSTC_BOOTSTRAP=1 cargo fuzz run -O $target fuzz/artifacts/$target/<file>"
        tail -n 30 "$log"
        failed+=("$target")
    fi
done
if ((${#failed[@]})); then
    echo "fuzzing failed: ${failed[*]}"
    exit 1
fi
echo "fuzzing passed: ${TARGETS[*]} (${SECONDS_PER_TARGET}s each)"
