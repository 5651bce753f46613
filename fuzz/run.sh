#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60) and prints, per target, the
# executions and crashes. Exits non-zero if any target crashed. Works on stable Rust:
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its unstable flags, and the targets are built without
# a sanitizer (crowdlens has no unsafe code; what fuzzing looks for here is panics, hangs and
# runaway memory, which libFuzzer catches by itself).
#
#   fuzz/run.sh 600            # ten minutes per target
#   FUZZ_TARGETS="ping_csv tc_string" fuzz/run.sh 30
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz from crates.io" >&2
    cargo install cargo-fuzz --locked
fi
# A target directory outside the clone can be kept between runs, like the main build's.
target_dir="${CARGO_FUZZ_TARGET_DIR:-$PWD/target}"
targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
cargo fuzz build --sanitizer none --release --target-dir "$target_dir" >&2
mkdir -p logs
failed=0
printf '%-18s %8s %14s %8s\n' target seconds executions crashes
for t in $targets; do
    mkdir -p "corpus/$t"
    log="logs/$t.log"
    set +e
    seeds=()
    if [ -d "seeds/$t" ]; then seeds=("seeds/$t"); fi
    cargo fuzz run --sanitizer none --release --target-dir "$target_dir" "$t" "corpus/$t" "${seeds[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    crashes=0
    if [ "$status" -ne 0 ]; then
        crashes=1
        failed=1
        echo "--- $t failed (exit $status); the end of its log ($PWD/$log):" >&2
        tail -30 "$log" >&2
    fi
    printf '%-18s %8s %14s %8s\n' "$t" "$seconds" "${executions:-?}" "$crashes"
done
exit "$failed"
