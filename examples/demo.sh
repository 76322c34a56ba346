#!/usr/bin/env bash
# The whole Provenant story with the real command line: two creators
# co-register a design and get its Content Credential, a fan's remix is
# flagged as a near-duplicate, a brand is granted a license, checks it,
# records a production run, a royalty split is computed, and an auditor
# audits.
#
# Usage: examples/demo.sh                 (starts a fresh server, stops it after)
#        PROVENANT_SERVER=http://HOST:PORT examples/demo.sh   (uses that server)
# PROVENANT_BIN names the binary [default: target/release/provenant].
# Exits non-zero at the first step that fails.
set -euo pipefail

P=${PROVENANT_BIN:-target/release/provenant}
examples=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# The value of a string field in the pretty JSON that --json prints.
field() { sed -n "s/^ *\"$1\": \"\([^\"]*\)\".*/\1/p" | head -n 1; }

if [ -z "${PROVENANT_SERVER:-}" ]; then
    step "A fresh ledger"
    "$P" serve --listen 127.0.0.1:0 --data-dir "$work/data" >"$work/server.out" 2>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$work/server.out" && break
        sleep 0.1
    done
    PROVENANT_SERVER=$(sed -n 's/^listening on //p' "$work/server.out")
    [ -n "$PROVENANT_SERVER" ] || { cat "$work/server.log"; exit 1; }
fi
export PROVENANT_SERVER
echo "server: $PROVENANT_SERVER"

step "Keys for two creators, a brand and a fan"
alice=$("$P" key generate --out "$work/alice.pem")
bob=$("$P" key generate --out "$work/bob.pem")
brand=$("$P" key generate --out "$work/brand.pem")
fan=$("$P" key generate --out "$work/fan.pem")
echo "alice $alice"; echo "bob   $bob"; echo "brand $brand"; echo "fan   $fan"

step "Alice and Bob co-register a shoe charm, 60/40 (its ISCC image code included)"
cp "$examples/charm.png" "$work/charm.png"
"$P" design hash "$work/charm.png"
design=$("$P" design hash "$work/charm.png" --json | field blake3)
"$P" design draft "$work/charm.png" --title "Shoe charm" \
    --creator "$alice=60%" --creator "$bob=40%" \
    --ai-source http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia \
    --ai-agent "an image model" --out "$work/charm.json"
"$P" sign "$work/charm.json" --key "$work/alice.pem" --yes
"$P" sign "$work/charm.json" --key "$work/bob.pem" --yes
"$P" submit "$work/charm.json"

step "Anyone verifies the receipt offline, with only the log's key"
log_key=$("$P" log)
"$P" verify "$work/charm.receipt.json" --log-key "$log_key"
"$P" design show "$design"

step "Its Content Credential (C2PA), validated against the file"
trust=()
# A server started here signs with its own local test CA: trust it.
[ -n "$server_pid" ] && trust=(--trust "$work/data/c2pa/ca.pem")
"$P" design c2pa "$work/charm.png" --out "$work/charm.png.c2pa" "${trust[@]}"

step "A fan registers a remix with a sticker: flagged as near the charm, registered all the same"
cp "$examples/charm-remix.png" "$work/remix.png"
"$P" design similar "$work/remix.png"
"$P" design draft "$work/remix.png" --title "Charm with a sticker" \
    --creator "$fan=100%" --out "$work/remix.json"
"$P" sign "$work/remix.json" --key "$work/fan.pem" --yes
submitted=$("$P" submit "$work/remix.json")
echo "$submitted"
case "$submitted" in
    *"looks like 1 design(s)"*"$design"*) ;;
    *) echo "the remix should have been flagged as near the charm"; exit 1 ;;
esac
"$P" design similar "$design"

step "The brand is granted a commercial license for France, retail, 500 units"
"$P" license grant --design "$design" --licensee "$brand" --preset commercial-use \
    --territory FR --channel retail --max-units 500 --out "$work/grant.json"
"$P" sign "$work/grant.json" --key "$work/alice.pem" --yes
"$P" sign "$work/grant.json" --key "$work/bob.pem" --yes
"$P" license accept "$work/grant.json" --key "$work/brand.pem" --yes
grant=$("$P" submit "$work/grant.json" --json | field id)

step "The brand checks before manufacturing"
"$P" license check --design "$design" --licensee "$brand" \
    --territory FR --channel retail --category accessories --quantity 100
status=0
"$P" license check --design "$design" --licensee "$brand" \
    --territory DE --channel retail --category accessories --quantity 100 || status=$?
if [ "$status" -ne 1 ]; then
    echo "Germany is not licensed: the check should have been denied (exit 1), got exit $status"; exit 1
fi

step "The brand records a production run of 100"
"$P" usage record --grant "$grant" --quantity 100 --territory FR --channel retail \
    --category accessories --batch-ref run-2026-001 --out "$work/run.json"
"$P" sign "$work/run.json" --key "$work/brand.pem" --yes
"$P" submit "$work/run.json"

step "EUR 100.00 of revenue splits 60/40"
"$P" royalty split --design "$design" --amount 10000 --currency EUR

step "An auditor follows the log and re-validates every entry"
"$P" audit --state "$work/audit" --full --log-key "$log_key"
"$P" audit --state "$work/audit"

step "Done"
