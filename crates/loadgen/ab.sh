#!/usr/bin/env bash
# A/B: old and new provenant, alternated on fresh logs, same load tool.
# Usage (from the repository root, after `cargo build --release`):
#   crates/loadgen/ab.sh OLD_PROVENANT NEW_PROVENANT target/release/provenant-loadgen [PAIRS]
set -u
old=$1; new=$2; L=$3; pairs=${4:-2}
run() {
  local bin=$1 name=$2 d; d=$(mktemp -d "${TMPDIR:-/tmp}/provenant-ab.XXXX")
  "$bin" serve --listen 127.0.0.1:0 --data-dir "$d/data" >"$d/out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 200); do grep -q '^listening on ' "$d/out" && break; sleep 0.1; done
  local url; url=$(sed -n 's/^listening on //p' "$d/out")
  w=$($L write --server "$url" --count 30000 --concurrency 256 --tag w 2>&1 | grep "signed writes:")
  $L fill --server "$url" --count 20000 --tag f >/dev/null 2>&1
  m=$($L read --server "$url" --kind mix --designs 20000 --tag f --concurrency 64 --duration 10 --count 100000000 2>&1 | grep -E "ok of|reads" | head -2 | tr '\n' ' ')
  c=$($L read --server "$url" --kind checks --designs 20000 --tag f --concurrency 64 --duration 10 --count 100000000 2>&1 | grep -E "ok of|reads" | head -2 | tr '\n' ' ')
  echo "$name | write: $w"
  echo "$name | mix: $m"
  echo "$name | check: $c"
  kill -TERM $pid; wait $pid 2>/dev/null; rm -rf "$d"
}
for p in $(seq "$pairs"); do
  echo "== pair $p"
  run "$old" old; run "$new" new
done
