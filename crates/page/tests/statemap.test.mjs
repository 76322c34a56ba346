// The state map against fixtures/state/map-vectors.json: every proof of
// every map verifies for its claim (presence or absence), every invalid
// proof is refused for the reason the file names, and each map's root is
// rebuilt from its leaves with the construction of the README.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { fromBase64, fromHex } from '../assets/js/verify/bytes.js';
import { MapError, decodeMapProof, mapKey, verifyMapProof } from '../assets/js/verify/statemap.js';
import { mapKey as nodeMapKey } from './support/ledger.mjs';
import { mapProof, mapRoot } from './support/statemap.mjs';
import { fixture } from './support/files.mjs';

const vectors = fixture('state/map-vectors.json');

/** The error kind a proof gets, or 'ok'. */
async function verdict(proofText, root, key, valueHash) {
  try {
    const bytes = fromBase64(proofText);
    assert.ok(bytes !== null, 'proofs are canonical base64');
    await verifyMapProof(decodeMapProof(bytes), root, key, valueHash);
    return 'ok';
  } catch (e) {
    if (e instanceof MapError) return e.kind;
    throw e;
  }
}

const hex = (h) => (h === null ? null : fromHex(h, 32));

test('the file holds the maps its README lists', () => {
  assert.deepEqual(vectors.maps.length, 5);
  assert.ok(vectors.maps.every((m) => m.proofs.length > 0 && m.invalid.length > 0));
});

for (const map of vectors.maps) {
  test(`map "${map.name}": every proof verifies`, async () => {
    for (const p of map.proofs) {
      assert.equal(await verdict(p.proof, hex(map.root), hex(p.key), hex(p.value_hash)), 'ok', p.key);
      // The same proof does not prove the opposite claim.
      const flipped = p.value_hash === null ? new Uint8Array(32).fill(1) : null;
      assert.notEqual(await verdict(p.proof, hex(map.root), hex(p.key), flipped), 'ok', p.key);
    }
  });

  test(`map "${map.name}": every invalid proof is refused for its reason`, async () => {
    for (const p of map.invalid) {
      assert.equal(await verdict(p.proof, hex(p.root), hex(p.key), hex(p.value_hash)), p.error, p.description);
    }
  });

  test(`map "${map.name}": the root and the proofs are rebuilt from the leaves`, async () => {
    const leaves = map.leaves.map((l) => [hex(l.key), hex(l.value_hash)]);
    assert.deepEqual(await mapRoot(leaves), hex(map.root));
    // The tests' own map builder (support/statemap.mjs) gives the file's bytes.
    for (const p of map.proofs) assert.deepEqual(await mapProof(leaves, hex(p.key)), fromBase64(p.proof), p.key);
  });
}

test('map keys of every record kind: SHA-256("provenant:v1:state\\n" || tag || ids)', async () => {
  const id = 'ab'.repeat(32);
  const who = 'ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
  const keys = [
    { kind: 'design', design: id },
    { kind: 'grant', grant: id },
    { kind: 'dispute', dispute: id },
    { kind: 'key', key: who },
    { kind: 'licensee', design: id, licensee: who },
  ];
  const seen = new Set();
  for (const k of keys) {
    const ours = await mapKey(k);
    // Computed apart, with node:crypto (support/ledger.mjs).
    assert.deepEqual(ours, nodeMapKey(k), k.kind);
    seen.add(Buffer.from(ours).toString('hex'));
  }
  assert.equal(seen.size, keys.length, 'the tag separates the kinds');
});
