// Entries and envelopes against the signing and id fixtures: the signing
// input is "provenant:v1:" || kind || "\n" || JCS(payload), the entry id its
// SHA-256, the leaf hash SHA-256(0x00 || JCS(entry)); the fixtures'
// signatures verify and their payloads read as their kinds.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { toHex, utf8 } from '../assets/js/verify/bytes.js';
import { readEntry, signingInput, verifySigners } from '../assets/js/verify/entry.js';
import { hashLeaf, sha256 } from '../assets/js/verify/hash.js';
import { parseJson } from '../assets/js/verify/json.js';
import { canonicalize } from '../assets/js/verify/jcs.js';
import { fixture } from './support/files.mjs';

const golden = fixture('signing/golden.json');
const ids = fixture('ids/ids.json');

/** The golden envelope as the ledger logs it. */
function goldenEntry() {
  return {
    kind: golden.kind,
    payload: parseJson(golden.payload_text),
    signatures: [{ key: golden.identity, sig: golden.signature }],
    logged_at: golden.logged_at,
  };
}

test('signing/golden.json: canonical payload, signing input, entry id, signature, leaf hash', async () => {
  const entry = readEntry(goldenEntry());
  assert.equal(canonicalize(entry.rawPayload), golden.canonical_payload);
  const input = signingInput(entry);
  assert.equal(toHex(input), golden.signing_input_hex);
  assert.equal(toHex(await sha256(input)), golden.entry_id);
  assert.deepEqual(await verifySigners(entry), [golden.identity]);
  assert.equal(toHex(await hashLeaf(entry.leafBytes)), golden.leaf_hash);
});

test('a signature over another payload, or a key signing twice, is refused', async () => {
  const forged = goldenEntry();
  forged.payload.claim = 'Copied from my sketchbook, page 13';
  await assert.rejects(verifySigners(readEntry(forged)), /does not verify/);
  const twice = goldenEntry();
  twice.signatures.push(twice.signatures[0]);
  await assert.rejects(verifySigners(readEntry(twice)), /signs twice/);
});

test('ids/ids.json: grant and dispute ids are the SHA-256 of the signing input; every signature verifies', async () => {
  for (const [name, idField] of [
    ['design', 'registration_entry_id'],
    ['grant', 'grant_id'],
    ['dispute', 'dispute_id'],
  ]) {
    const env = ids[name].envelope;
    const entry = readEntry({ ...env, logged_at: '2025-06-01T00:00:00Z' });
    const input = signingInput(entry);
    if (ids[name].signing_input) assert.equal(new TextDecoder().decode(input), ids[name].signing_input, name);
    assert.equal(toHex(await sha256(input)), ids[name][idField], name);
    const signers = await verifySigners(entry);
    assert.deepEqual(signers, env.signatures.map((s) => s.key), name);
  }
  assert.notEqual(ids.design.registration_entry_id, ids.design.design_id, 'a registration\'s entry id is not the design id');
  assert.deepEqual(utf8(ids.design.content_text).length, ids.design.envelope.payload.content.size);
});

test('an entry is exactly its four members, a known kind and a payload of its shape', () => {
  const good = goldenEntry();
  assert.doesNotThrow(() => readEntry(good));
  const bad = [
    { ...good, extra: 1 },
    { ...good, kind: 'dispute.forge' },
    { ...good, payload: { ...good.payload, extra: 1 } },
    { ...good, payload: { ...good.payload, evidence: 'AB'.repeat(32) } },
    { ...good, payload: [] },
    { ...good, signatures: [{ ...good.signatures[0], sig: 'AAAA' }] },
    { ...good, logged_at: '2025-06-01T12:00:00.000Z' },
    { ...good, logged_at: '2025-06-01T14:00:00+02:00' },
    { kind: good.kind, payload: good.payload, signatures: good.signatures },
  ];
  for (const e of bad) assert.throws(() => readEntry(e), undefined, JSON.stringify(e).slice(0, 80));
  // A payload's defaults are filled in its reading, not in its bytes.
  const resolve = readEntry({ kind: 'dispute.resolve', payload: { dispute: 'ab'.repeat(32), outcome: 'upheld' }, signatures: [], logged_at: '2025-01-01T00:00:00Z' });
  assert.equal(resolve.payload.note, '');
  assert.equal(new TextDecoder().decode(resolve.leafBytes).includes('note'), false);
});

test('a registration may carry a canonical ISCC image code, and only that', () => {
  const content = {
    blake3: 'ab'.repeat(32),
    sha256: 'cd'.repeat(32),
    size: 10512,
    media_type: 'image/png',
  };
  const registration = (c) => ({
    kind: 'design.register',
    payload: { content: c, title: 'A shoe charm', creators: [{ key: golden.identity, share_ppm: 1000000, role: 'designer' }] },
    signatures: [],
    logged_at: '2026-12-01T00:00:00Z',
  });
  const coded = readEntry(registration({ ...content, iscc: 'ISCC:EEA4EOOSA4HSILP7' }));
  assert.equal(coded.payload.content.iscc, 'ISCC:EEA4EOOSA4HSILP7');
  assert.equal(new TextDecoder().decode(coded.leafBytes).includes('"iscc":"ISCC:EEA4EOOSA4HSILP7"'), true);
  // Absent stays absent in the leaf bytes.
  const plain = readEntry(registration(content));
  assert.equal(new TextDecoder().decode(plain.leafBytes).includes('iscc'), false);
  for (const iscc of ['ISCC:eea4eoosa4hsilp7', 'EEA4EOOSA4HSILP7', 'ISCC:AAA4EOOSA4HSILP7', 'ISCC:EEA4EOOSA4HSILP1']) {
    assert.throws(() => readEntry(registration({ ...content, iscc })), undefined, String(iscc));
  }
});
