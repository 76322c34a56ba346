#!/usr/bin/env bash
# Writes the fuzz seed corpora (fuzz/seeds/) from a real log: runs the
# README's story (examples/demo.sh) against a fresh server, then saves its
# checkpoint, receipts, proof bundles, tile paths and entry bundles, and
# the verifier key the targets check signatures against.
#
# Usage (from the repository root, after `cargo build --release`):
#   fuzz/seed.sh
set -euo pipefail

P=${PROVENANT_BIN:-target/release/provenant}
out=fuzz/seeds
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$P" serve --listen 127.0.0.1:0 --data-dir "$work/data" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$work/server.out" && break
    sleep 0.1
done
S=$(sed -n 's/^listening on //p' "$work/server.out")
PROVENANT_SERVER=$S examples/demo.sh >/dev/null

rm -rf "$out"
mkdir -p "$out"/{envelope,note,tile_path,proof_bundle,receipt,sales_csv}
curl -sf "$S/v1/log" | jq -r .verifier_key >"$out/verifier.txt"
curl -sf "$S/checkpoint" >"$out/note/checkpoint"
size=$(curl -sf "$S/v1/log" | jq -r .size)
for i in $(seq 0 $((size - 1))); do
    # Submitting a logged envelope again answers its original receipt.
    curl -sf "$S/v1/entries/$i" | jq -c '.entry | {kind, payload, signatures}' >"$out/envelope/$i.json"
    curl -sf -X POST -H 'content-type: application/json' --data-binary @"$out/envelope/$i.json" \
        "$S/v1/entries" >"$out/receipt/$i.json"
    jq -r .checkpoint "$out/receipt/$i.json" >"$out/note/receipt-$i"
    leaf=$(jq -cj .entry "$out/receipt/$i.json" | od -An -tx1 -v | tr -d ' \n')
    { echo "$leaf"; PROVENANT_SERVER=$S "$P" export-proof "$i"; } >"$out/proof_bundle/$i"
done
printf 'tile/0/000.p/%s\n' "$size" >"$out/tile_path/hashes"
{ printf 'tile/entries/000.p/%s\n' "$size"; curl -sf "$S/tile/entries/000.p/$size"; } >"$out/tile_path/entries"
printf 'tile/1/x001/x234/067.p/8\n' >"$out/tile_path/deep"
design=$(jq -r .payload.content.blake3 "$out/envelope/0.json")
printf 'design,amount_minor,currency\n%s,100000,EUR\n\n%s, 5 ,USD\n' "$design" "$design" >"$out/sales_csv/two-lines.csv"
echo "seeds in $out for the log $(cat "$out/verifier.txt")"
