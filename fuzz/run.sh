#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), starting from the
# seeds in fuzz/seeds/ and keeping what it learns in fuzz/corpus/ (not
# committed). Prints one line per target: executions, corpus size, and
# whether it found a crash (a crash leaves its input in fuzz/artifacts/ and
# makes this script exit non-zero).
#
# Usage (from the repository root): fuzz/run.sh [SECONDS] [TARGET...]
# Needs the nightly toolchain and `cargo install cargo-fuzz`.
set -uo pipefail

secs=${1:-60}
shift || true
cd "$(dirname "$0")"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -O >/dev/null || exit 2
failed=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log=$(mktemp)
    cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -max_len=65536 -print_final_stats=1 >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(ls "corpus/$t" | wc -l)
    if [ $status -eq 0 ]; then
        printf '%-14s %10s executions in %ss, corpus %s, no crash\n' "$t" "${runs:-?}" "$secs" "$corpus"
    else
        failed=1
        printf '%-14s CRASH after %s executions (exit %s):\n' "$t" "${runs:-?}" "$status"
        grep -E '^(==|thread|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -n 20
    fi
    rm -f "$log"
done
exit $failed
