#!/usr/bin/env bash
# A/B: old and new provenant, alternated on fresh logs, same load tool.
# Usage (from the repository root, after `cargo build --release`):
#   crates/loadgen/ab.sh OLD_PROVENANT NEW_PROVENANT target/release/provenant-loadgen [PAIRS]
# Each run: 30,000 signed writes (and, where the server has the route, the
# same in batches of 64), then the read mix and license checks on 20,000
# designs. The server's CPU per write is read from /proc/<pid>/stat around
# the single writes, so old binaries without process metrics compare too.
set -u
old=$1; new=$2; L=$3; pairs=${4:-2}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() {
  local bin=$1 name=$2 d; d=$(mktemp -d "${TMPDIR:-/tmp}/provenant-ab.XXXX")
  "$bin" serve --listen 127.0.0.1:0 --data-dir "$d/data" >"$d/out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 200); do grep -q '^listening on ' "$d/out" && break; sleep 0.1; done
  local url; url=$(sed -n 's/^listening on //p' "$d/out")
  local t0 t1 hz; hz=$(getconf CLK_TCK)
  t0=$(ticks $pid)
  w=$($L write --server "$url" --count 30000 --concurrency 256 --tag w 2>&1 | grep -E "signed writes:|of the HTTP floor|HTTP floor" | tr '\n' ' ')
  t1=$(ticks $pid)
  b=$($L write --server "$url" --count 30000 --concurrency 32 --batch 64 --tag b 2>&1 | grep -E "entries/s|of the HTTP floor" | tr '\n' ' ')
  $L fill --server "$url" --count 20000 --tag f >/dev/null 2>&1
  m=$($L read --server "$url" --kind mix --designs 20000 --tag f --concurrency 64 --duration 10 --count 100000000 2>&1 | grep -E "ok of|of the HTTP floor" | tr '\n' ' ')
  c=$($L read --server "$url" --kind checks --designs 20000 --tag f --concurrency 64 --duration 10 --count 100000000 2>&1 | grep -E "ok of|of the HTTP floor" | tr '\n' ' ')
  echo "$name | write: $w"
  echo "$name | write run, server CPU (setup, floor and writes): $(( (t1 - t0) * 1000000 / hz / 30000 )) µs per measured write"
  echo "$name | batch: $b"
  echo "$name | mix: $m"
  echo "$name | check: $c"
  kill -TERM $pid; wait $pid 2>/dev/null; rm -rf "$d"
}
for p in $(seq "$pairs"); do
  echo "== pair $p"
  run "$old" old; run "$new" new
done
