#!/usr/bin/env bash
# Sustained writes, then the server's resident size at about 1M and 2M
# entries, each after a 20 s read mix (docs/BENCHMARKS.md, issue 7).
# Needs about 3 GiB of disk in DIR and 15 minutes on 2 cores.
#
# Usage (from the repository root, after `cargo build --release`):
#   crates/loadgen/memory.sh [DIR] [BIN]
set -u
d=${1:-/tmp/provenant-memory}
bin=${2:-target/release/provenant}
L=target/release/provenant-loadgen
rm -rf "$d"; mkdir -p "$d"
"$bin" serve --listen 127.0.0.1:0 --data-dir "$d/data" >"$d/out" 2>/dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$d/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$d/out")
rss() { grep -E "VmRSS" "/proc/$pid/status" | tr -s ' '; }
# What the ledger says it holds, by part (bytes).
parts() { curl -s "$url/metrics" | sed -n 's/^provenant_memory_bytes{part="\(.*\)"} /  \1 /p'; }
size() { curl -s "$url/v1/log" | sed 's/.*"size":\([0-9]*\).*/\1/'; }
echo "== 60 s of signed writes"
$L write --server "$url" --duration 60 --count 500000 --concurrency 256 --tag s60 2>&1 | grep "signed writes:"
n=$((1000000 - $(size)))
echo "== fill to 1M"
$L fill --server "$url" --count "$n" --tag fill1 2>&1 | grep -E "statuses|error"
$L read --server "$url" --kind mix --designs "$n" --tag fill1 --concurrency 64 --duration 20 --count 100000000 2>&1 | grep "ok of"
echo "at $(size) entries: $(rss)"; parts
echo "== fill 1M more"
$L fill --server "$url" --count 1000000 --tag fill2 2>&1 | grep -E "statuses|error"
$L read --server "$url" --kind mix --designs "$n" --tag fill1 --concurrency 64 --duration 20 --count 100000000 2>&1 | grep "ok of"
echo "at $(size) entries: $(rss)"; parts
du -sh "$d/data"
