// What an auditor checks offline: checkpoints and signed notes, RFC 9162
// proofs for every index and size of small trees, receipts, tlog-proof
// bundles, consistency between checkpoints, and a design's registration.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  parseLogKey,
  verifyBundle,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusionAnswer,
  verifyReceipt,
  verifyRegistration,
} from '../assets/js/verify/index.js';
import { fromHex, toBase64, utf8 } from '../assets/js/verify/bytes.js';
import { parseNote, readVerifierKey, verifyNote } from '../assets/js/verify/note.js';
import { verifyConsistency as consistent, verifyInclusion } from '../assets/js/verify/merkle.js';
import { TestLog, key } from './support/ledger.mjs';
import { code } from './support/verdict.mjs';
import { story } from './support/world.mjs';


const text = (v) => JSON.stringify(v);

test("Go's signed-note example verifies (golang.org/x/mod/sumdb/note)", async () => {
  const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const note =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n" +
    '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
  const k = await readVerifierKey(vkey);
  assert.equal(k.origin, 'PeterNeumann');
  assert.equal(k.keyId, 'c74f20a3');
  assert.equal((await verifyNote(parseNote(note), [k])).length, 1);
  await assert.rejects(verifyNote(parseNote(note.replace('cryptography', 'cryptographY')), [k]));
  // The same name under another key is an unknown key: nobody known signed.
  const other = await readVerifierKey(TestLog.verifierKey('PeterNeumann', key(5)));
  await assert.rejects(verifyNote(parseNote(note), [other]), /no known key/);
});

test('verifier keys and notes are read strictly', async () => {
  const good = TestLog.verifierKey('example.com/log', key(4));
  await assert.doesNotReject(parseLogKey(good));
  for (const bad of [
    good.replace('example', 'exbmple'),
    good.toUpperCase(),
    'name+0000+AQ==',
    'name',
    `a b+${good.split('+').slice(1).join('+')}`,
    good.replace('+A', '+B'),
  ]) {
    await assert.rejects(parseLogKey(bad), (e) => e.code === 'malformed', bad);
  }
  for (const bad of [
    'no blank line\n\u2014 a AAAAAAAA\n',
    'text\n\n',
    'text\n\n\u2014 a AAAAAAAA',
    'text\n\n- a AAAAAAAA\n',
    'text\n\n\u2014 a not-base64!\n',
    'text\n\n\u2014 a AAAA\n',
    'text\n\n\u2014 a+b AAAAAAAA\n',
    'te\u0007xt\n\n\u2014 a AAAAAAAA\n',
    'text\r\n\n\u2014 a AAAAAAAA\n',
  ]) {
    assert.throws(() => parseNote(bad), undefined, JSON.stringify(bad));
  }
});

test('checkpoints: signed by the key, of its origin, strictly written', async () => {
  const log = new TestLog();
  for (let i = 0; i < 3; i++) log.append('key.rotate', { old: key(10 + i).identity, new: key(20 + i).identity }, []);
  const k = await parseLogKey(log.verifierKey);
  const cp = await verifyCheckpoint(log.checkpoint(), k);
  assert.equal(cp.size, 3);
  assert.equal(cp.origin, log.origin);
  assert.equal(await code(verifyCheckpoint(log.checkpoint(3, key(9)), k)), 'checkpoint');
  assert.equal(await code(verifyCheckpoint(log.checkpoint(3, log.logKey, 'other'), k)), 'checkpoint');
  const otherOrigin = await parseLogKey(TestLog.verifierKey('other', log.logKey));
  assert.equal(await code(verifyCheckpoint(log.checkpoint(3, log.logKey, 'other'), otherOrigin)), 'ok');
  // A body the log's key signed but that is not a checkpoint.
  const signer = log.logKey;
  const sign = (body) => {
    const id = Buffer.from(k.keyId, 'hex');
    return `${body}\n\u2014 ${log.origin} ${toBase64(Buffer.concat([id, Buffer.from(signer.sign(utf8(body)))]))}\n`;
  };
  const root = toBase64(new Uint8Array(32));
  assert.equal(await code(verifyCheckpoint(sign(`${log.origin}\n3\n${root}\n`), k)), 'ok');
  for (const body of [`${log.origin}\n03\n${root}\n`, `${log.origin}\n3\nAAAA\n`, `${log.origin}\n3\n${root}\n\n`, `${log.origin}\n-1\n${root}\n`]) {
    assert.equal(await code(verifyCheckpoint(sign(body), k)), 'checkpoint', body);
  }
});

test('RFC 9162 inclusion and consistency: every index and size of trees up to 17 leaves', async () => {
  const log = new TestLog();
  for (let i = 0; i < 17; i++) log.append('license.revoke', { grant: 'ab'.repeat(32), reason: `r${i}` }, []);
  const root = (n) => new Uint8Array(Buffer.from(log.checkpoint(n).split('\n')[2], 'base64'));
  const hashes = (list) => list.map((h) => fromHex(h, 32));
  for (let n = 1; n <= 17; n++) {
    for (let i = 0; i < n; i++) {
      const leaf = log.entries[i].leaf;
      const proof = hashes(log.inclusion(i, n));
      await verifyInclusion(i, n, leaf, proof, root(n));
      await assert.rejects(verifyInclusion(i, n, log.entries[(i + 1) % 17].leaf, proof, root(n)));
      if (proof.length > 0) await assert.rejects(verifyInclusion(i, n, leaf, proof.slice(1), root(n)));
      // The proof of another size does not lead to that size's root.
      if (n < 17) await assert.rejects(verifyInclusion(i, n + 1, leaf, proof, root(n + 1)));
    }
    for (let m = 1; m <= n; m++) {
      const proof = hashes(log.consistency(m, n));
      await consistent(m, n, root(m), root(n), proof);
      if (m < n) {
        await assert.rejects(consistent(m, n, root(n), root(n), proof));
        await assert.rejects(consistent(m, n, root(m), root(n), [...proof, proof[0]]));
      }
    }
  }
});

test('receipts verify offline; a tampered entry, hash, proof or key does not', async () => {
  const { log } = await story();
  const k = await parseLogKey(log.verifierKey);
  const r = log.receipt(2);
  const ok = await verifyReceipt(text(r), k);
  assert.equal(ok.index, 2);
  assert.equal(ok.entry.kind, 'design.register');
  const cases = [
    ['the payload', (x) => (x.entry.payload.title = 'forged'), 'receipt'],
    ['the index', (x) => (x.index = 1), 'receipt'],
    ['the leaf hash', (x) => (x.leaf_hash = x.inclusion_proof[0]), 'receipt'],
    ['a proof hash', (x) => (x.inclusion_proof[0] = '00'.repeat(32)), 'receipt'],
    ['a fifth member of the entry', (x) => (x.entry.extra = 1), 'receipt'],
    ['an unknown kind', (x) => (x.entry.kind = 'design.forge'), 'receipt'],
    ['a payload of another shape', (x) => (x.entry.payload.content.size = -1), 'receipt'],
    ['logged_at not canonical', (x) => (x.entry.logged_at = x.entry.logged_at.replace('Z', '+00:00')), 'receipt'],
    ['an unknown member of the receipt', (x) => (x.extra = 1), 'malformed'],
  ];
  for (const [what, change, expected] of cases) {
    const x = structuredClone(r);
    change(x);
    assert.equal(await code(verifyReceipt(text(x), k)), expected, what);
  }
  // Re-spaced entry members are the same entry.
  const spaced = text(r).replace('"kind":', ' "kind" : ');
  assert.equal(await code(verifyReceipt(spaced, k)), 'ok');
  assert.equal(await code(verifyReceipt(text(r), await parseLogKey(TestLog.verifierKey(log.origin, key(8))))), 'receipt');
  assert.equal(await code(verifyReceipt(text(r).replace('{"entry":{', '{"entry":{"kind":"x",'), k)), 'malformed');
});

test('tlog-proof bundles verify for their entry alone', async () => {
  const { log } = await story();
  const k = await parseLogKey(log.verifierKey);
  const bundle = log.bundle(3);
  const cp = await verifyBundle(bundle, log.entries[3].bytes, k);
  assert.equal(cp.size, log.size);
  assert.equal(await code(verifyBundle(bundle, log.entries[2].bytes, k)), 'bundle');
  assert.equal(await code(verifyBundle(bundle, log.entries[3].bytes, await parseLogKey(TestLog.verifierKey('x', log.logKey)))), 'bundle');
  const extra = bundle.replace('index 3', `extra ${toBase64(utf8('context'))}\nindex 3`);
  assert.equal(await code(verifyBundle(extra, log.entries[3].bytes, k)), 'ok');
  for (const bad of [
    bundle.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
    bundle.replace('index 3', 'index 03'),
    bundle.replace('index 3', 'index -3'),
    bundle.replace('index 3', 'idx 3'),
    bundle.replace('\n\n', '\n'),
    bundle.replace('index 3\n', 'index 3\nnot-a-hash\n'),
    bundle.replace('index 3', 'extra !!\nindex 3'),
  ]) {
    assert.equal(await code(verifyBundle(bad, log.entries[3].bytes, k)), 'bundle', bad.split('\n\n')[0]);
  }
  // Flipping any byte of the bundle fails.
  const bytes = Buffer.from(bundle);
  for (let i = 0; i < bytes.length; i += 7) {
    const t = Buffer.from(bytes);
    t[i] ^= 1;
    const s = t.toString('utf8');
    if (s === bundle) continue;
    assert.notEqual(await code(verifyBundle(s, log.entries[3].bytes, k)), 'ok', `byte ${i}`);
  }
});

test('consistency between a saved checkpoint and a newer one', async () => {
  const { log } = await story();
  const k = await parseLogKey(log.verifierKey);
  const old = log.checkpoint(4);
  const cur = log.checkpoint();
  const answer = { from: 4, to: log.size, consistency_proof: log.consistency(4) };
  assert.equal(await code(verifyConsistency(old, cur, text(answer), k)), 'ok');
  assert.equal(await code(verifyConsistency(await verifyCheckpoint(old, k), await verifyCheckpoint(cur, k), answer)), 'ok');
  assert.equal(await code(verifyConsistency(old, cur, text({ ...answer, from: 3 }), k)), 'proof-size');
  assert.equal(await code(verifyConsistency(log.checkpoint(3), cur, text({ ...answer, from: 3 }), k)), 'inconsistent');
  // A fork: another log of the same size, signed by the same key.
  const fork = new TestLog(log.origin, 200);
  for (let i = 0; i < 4; i++) fork.append('license.revoke', { grant: 'cd'.repeat(32), reason: `f${i}` }, []);
  assert.equal(await code(verifyConsistency(fork.checkpoint(4), cur, text(answer), k)), 'inconsistent');
  assert.equal(await code(verifyConsistency(old, cur, text(answer), await parseLogKey(TestLog.verifierKey(log.origin, key(8))))), 'checkpoint');
  // A single inclusion proof answer.
  const inc = { index: 2, tree_size: log.size, inclusion_proof: log.inclusion(2) };
  const leaf = Buffer.from(log.entries[2].leaf).toString('hex');
  assert.equal(await code(verifyInclusionAnswer(text(inc), leaf, cur, k)), 'ok');
  assert.equal(await code(verifyInclusionAnswer(text({ ...inc, tree_size: 4 }), leaf, cur, k)), 'proof-size');
  assert.equal(await code(verifyInclusionAnswer(text({ ...inc, index: 3 }), leaf, cur, k)), 'proof');
});

test("a design's details are its registration's", async () => {
  const { w, log, d } = await story();
  const rec = w.design(d);
  const reg = log.entries[rec.registered.index];
  const answer = {
    ...rec,
    blocked_by: null,
    ...reg.value.payload,
    children: [],
    grants: [],
    history: [],
    tree_size: log.size,
    checkpoint: log.checkpoint(),
    proofs: [],
  };
  delete answer.blocking_disputes;
  const entryAnswer = { index: rec.registered.index, leaf_hash: rec.registered.leaf_hash, entry: reg.value };
  assert.equal((await verifyRegistration(text(answer), text(entryAnswer))).title, 'the design');
  const cases = [
    ['the title', (a) => (a.title = 'another'), 'differs'],
    ['the creators', (a) => a.creators.reverse(), 'differs'],
    ['the ai disclosure', (a) => (a.ai = null), 'differs'],
    ['the description', (a) => (a.description = ''), 'differs'],
    ['the content', (a) => (a.content.size += 1), 'differs'],
  ];
  for (const [what, change, expected] of cases) {
    const a = structuredClone(answer);
    change(a);
    assert.equal(await code(verifyRegistration(text(a), text(entryAnswer))), expected, what);
  }
  const other = log.entries[0];
  const wrong = [
    ['another entry', { index: 0, leaf_hash: log.ref(0).leaf_hash, entry: other.value }],
    ['another entry at the index', { ...entryAnswer, entry: other.value }],
    ['a forged payload', { ...entryAnswer, entry: { ...reg.value, payload: { ...reg.value.payload, title: 'x' } } }],
  ];
  for (const [what, e] of wrong) assert.equal(await code(verifyRegistration(text(answer), text(e))), 'differs', what);
  // A registration without description or ai reads as "" and null.
  const prec = w.design(log.entries[0].value.payload.content.blake3);
  const plain = log.entries[0].value;
  assert.equal(plain.payload.description, undefined);
  assert.equal(plain.payload.ai, undefined);
  const parent = { ...answer, ...prec, blocked_by: null, ...plain.payload, description: '', ai: null, parents: [] };
  delete parent.blocking_disputes;
  const parentEntry = { index: 0, leaf_hash: log.ref(0).leaf_hash, entry: plain };
  assert.equal(await code(verifyRegistration(text(parent), text(parentEntry))), 'ok');
  assert.equal(await code(verifyRegistration(text({ ...parent, description: 'x' }), text(parentEntry))), 'differs');
});
