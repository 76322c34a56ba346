// The browser's Ed25519 check against the third-party vectors of
// fixtures/ed25519: it must give the verdicts of ed25519-dalek's
// `verify_strict`, as `provenant_model::verify_signature` does
// (crates/model/tests/strict_verification.rs checks the Rust side on the
// same files; fixtures/ed25519/README.md says what the sources document).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';

import { fromHex, utf8 } from '../assets/js/verify/bytes.js';
import { decodePoint, isSmallOrder, keyProblem, verifySignature } from '../assets/js/verify/ed25519.js';
import { fixture } from './support/files.mjs';

test('speccheck: only case 3 verifies, as "Dalek strict" in its results.md', async () => {
  const cases = fixture('ed25519/speccheck-cases.json');
  assert.equal(cases.length, 12);
  const accepted = [];
  for (const [i, c] of cases.entries()) {
    if (await verifySignature(fromHex(c.pub_key), fromHex(c.message), fromHex(c.signature))) accepted.push(i);
  }
  assert.deepEqual(accepted, [3]);
});

test('C2SP CCTV: exactly the vectors whose only flags are low-order components verify', async () => {
  const vectors = fixture('ed25519/cctv-ed25519vectors.json');
  assert.equal(vectors.length, 914);
  let accepted = 0;
  const wrong = [];
  for (const v of vectors) {
    const flags = v.flags ?? [];
    const documented = flags.every((f) => f === 'low_order_component_A' || f === 'low_order_component_R');
    const verdict = await verifySignature(fromHex(v.key), utf8(v.msg), fromHex(v.sig));
    if (verdict !== documented) wrong.push(`${v.number} ${flags.join(',')}: ${verdict}`);
    if (verdict) accepted++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(accepted > 0 && accepted < vectors.length);
});

/** A Node key pair from a 32-byte seed (RFC 8032 secret key). */
function keyPair(seed) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  const priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { priv, pub: new Uint8Array(pub) };
}

test('honest signatures verify and every flipped bit fails', async () => {
  const { priv, pub } = keyPair(new Uint8Array(32).fill(7));
  const message = utf8('a message');
  const sig = new Uint8Array(sign(null, message, priv));
  assert.equal(await verifySignature(pub, message, sig), true);
  for (let bit = 0; bit < 512; bit += 13) {
    const bad = Uint8Array.from(sig);
    bad[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(await verifySignature(pub, message, bad), false, `signature bit ${bit}`);
  }
  assert.equal(await verifySignature(pub, utf8('another'), sig), false);
});

test('S plus the group order is refused', async () => {
  const { priv, pub } = keyPair(new Uint8Array(32).fill(9));
  const message = utf8('m');
  const sig = new Uint8Array(sign(null, message, priv));
  const l = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = sig[32 + i] + l[i] + carry;
    sig[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  assert.equal(carry, 0, "S + l fits in 256 bits");
  assert.equal(await verifySignature(pub, message, sig), false);
});

test('public keys: small-order and off-curve bytes are refused, honest keys decode', () => {
  const identity = new Uint8Array(32);
  identity[0] = 1;
  assert.equal(keyProblem(identity), 'small-order public key');
  const notAPoint = new Uint8Array(32);
  notAPoint[0] = 2;
  assert.equal(keyProblem(notAPoint), 'not a point on Ed25519');
  assert.equal(keyProblem(keyPair(new Uint8Array(32).fill(1)).pub), null);
  // The RFC 8032 base point has large order.
  const base = fromHex('5866666666666666666666666666666666666666666666666666666666666666');
  assert.equal(isSmallOrder(decodePoint(base)), false);
});
