// Proven answers built from a ledger made in the test (support/world.mjs):
// each verifies as served, and each tampering fails with the code the Rust
// verifier gives (crates/api/src/verify.rs): a wrong key or origin, another
// size, an unproven entry, a tampered or dropped record, a record the
// answer leaned on without proving it, an answer that is not what the
// records give.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  parseLogKey,
  verifyAbsence,
  verifyCheck,
  verifyDesign,
  verifyEntries,
  verifyGrant,
  verifyIdentified,
} from '../assets/js/verify/index.js';
import { TestLog, key } from './support/ledger.mjs';
import { code } from './support/verdict.mjs';
import { alice, bob, brand, claimant, designId, question, story } from './support/world.mjs';

const clone = (v) => structuredClone(v);
const text = (v) => JSON.stringify(v);


const s = await story();
const { w, log, p, d, g } = s;
const logKey = await parseLogKey(log.verifierKey);
const designKey = (id) => ({ kind: 'design', design: id });
const grantKey = (id) => ({ kind: 'grant', grant: id });
const licenseeKey = (design, who) => ({ kind: 'licensee', design, licensee: who.identity });

/** `GET /v1/designs/{d}` as the server answers it. */
async function designAnswer() {
  const rec = w.design(d);
  const reg = log.entries[rec.registered.index].value.payload;
  const grant = w.grantRecord(g);
  const members = {
    id: d,
    parents: rec.parents,
    license_threshold_ppm: rec.license_threshold_ppm,
    owners: rec.owners,
    registered: rec.registered,
    ownership: rec.ownership,
    blocked_by: null,
    content: reg.content,
    title: reg.title,
    description: reg.description,
    creators: reg.creators,
    ai: reg.ai,
    children: [],
    grants: [grant],
    history: [rec.registered.index, grant.granted.index],
  };
  return log.proven(members, [rec.registered.index, grant.granted.index], [designKey(d), grantKey(g)]);
}

async function grantAnswer() {
  const grant = w.grantRecord(g);
  return log.proven(grant, [grant.granted.index], [grantKey(g)]);
}

const checkKeys = () => [designKey(d), designKey(p), grantKey(g), licenseeKey(d, brand)];

/** `POST /v1/licenses/check` for `q`, with the answer the rules give (worked out here by hand). */
async function checkAnswer(members, keys = checkKeys()) {
  const indexes = members.rests_on.map((r) => r.index);
  return log.proven(members, indexes, keys);
}

const allowed = () => ({
  allowed: true,
  reasons: [],
  grant: g,
  units_remaining: 90,
  blocked_by: null,
  rests_on: [w.design(d).registered, w.grantRecord(g).granted],
});

test('a design answer verifies, and its details are not part of the state', async () => {
  const a = await designAnswer();
  const r = await verifyDesign(text(a), logKey);
  assert.equal(r.stateVerified, true);
  assert.equal(r.checkpoint.size, log.size);
  assert.equal(r.answer.id, d);
  // Also given as the key's text.
  assert.equal((await verifyDesign(text(a), log.verifierKey)).stateVerified, true);
});

test('a design answer: each tampering fails with its code', async () => {
  const a = await designAnswer();
  const cases = [
    ['owners differ from the record', (x) => (x.owners[0].share_ppm = 1), 'differs'],
    ['a dispute is hidden', (x) => (x.blocked_by = { design: d, dispute: 'cd'.repeat(32), raised: x.registered, disputes: 1 }), 'differs'],
    ['the record is tampered', (x) => (x.state.records[0].record.license_threshold_ppm = 1), 'state'],
    ['the record is dropped', (x) => x.state.records.splice(0, 1), 'state'],
    ['a listed grant is not proven', (x) => x.state.records.splice(1, 1), 'state'],
    ['a listed grant differs', (x) => (x.grants[0].units_used = 0), 'differs'],
    ['the registration is not proven', (x) => x.proofs.splice(0, 1), 'unproven'],
    ['a proof is tampered', (x) => (x.proofs[1].inclusion_proof[0] = '00'.repeat(32)), 'proof'],
    ['another size', (x) => (x.tree_size -= 1), 'size-mismatch'],
    ['no state', (x) => delete x.state, 'no-state'],
    ['state null', (x) => (x.state = null), 'no-state'],
    ['an owner key off the curve', (x) => (x.owners[0].key = `ed25519:${Buffer.alloc(32, 0).fill(2, 0, 1).toString('base64')}`), 'malformed'],
    ['upper-case hex', (x) => (x.id = x.id.toUpperCase()), 'malformed'],
    ['an unknown member of an entry ref', (x) => (x.registered.extra = 1), 'malformed'],
    ['a commitment that is not the last entry', (x) => (x.state.commit.index -= 1), 'state'],
  ];
  for (const [what, change, expected] of cases) {
    const x = clone(a);
    change(x);
    assert.equal(await code(verifyDesign(text(x), logKey)), expected, what);
  }
  // Unknown members of the answer itself are ignored (serde's flatten).
  assert.equal(await code(verifyDesign(text({ ...a, extra: 1 }), logKey)), 'ok');
  // A member twice in one object is refused before anything else.
  assert.equal(await code(verifyDesign(text(a).replace('{"id":', '{"id":"x","id":'), logKey)), 'malformed');
});

test('wrong key, wrong origin: the checkpoint', async () => {
  const a = text(await designAnswer());
  const otherKey = await parseLogKey(TestLog.verifierKey(log.origin, key(201)));
  const otherOrigin = await parseLogKey(TestLog.verifierKey('other.example/log', log.logKey));
  assert.equal(await code(verifyDesign(a, otherKey)), 'checkpoint');
  assert.equal(await code(verifyDesign(a, otherOrigin)), 'checkpoint');
});

test('a grant answer verifies; a dropped usage record or revocation does not', async () => {
  const a = await grantAnswer();
  assert.equal((await verifyGrant(text(a), logKey)).stateVerified, true);
  const older = clone(a);
  older.units_used = 0;
  delete older.last_usage;
  assert.equal(await code(verifyGrant(text(older), logKey)), 'differs');
  // An unknown member inside the grant's record shape is refused.
  const extra = clone(a);
  extra.terms.unknown = true;
  assert.equal(await code(verifyGrant(text(extra), logKey)), 'malformed');
});

test('a license check verifies when allowed and when denied, recomputed from the records', async () => {
  const yes = await checkAnswer(allowed());
  assert.equal((await verifyCheck(text(yes), question(d), logKey)).stateVerified, true);
  const us = { ...allowed(), allowed: false, reasons: ['territory'] };
  const no = await checkAnswer(us);
  assert.equal(await code(verifyCheck(text(no), question(d, { territory: 'US' }), logKey)), 'ok');
  // The same answer to another question is not what the records give.
  assert.equal(await code(verifyCheck(text(no), question(d), logKey)), 'differs');
  assert.equal(await code(verifyCheck(text(yes), question(d, { quantity: 91 }), logKey)), 'differs');
  const over = { ...allowed(), allowed: false, reasons: ['units-exceeded'] };
  assert.equal(await code(verifyCheck(text(await checkAnswer(over)), question(d, { quantity: 91 }), logKey)), 'ok');
  const apparel = await checkAnswer(allowed());
  assert.equal(await code(verifyCheck(text(apparel), question(d, { category: 'apparel' }), logKey)), 'differs');
  const late = { ...allowed(), allowed: false, reasons: ['expired'] };
  // Offsets are instants: 2026-01-01T00:30:00+01:00 is before the end.
  assert.equal(await code(verifyCheck(text(await checkAnswer(allowed())), question(d, { date: '2026-01-01T00:30:00+01:00' }), logKey)), 'ok');
  assert.equal(await code(verifyCheck(text(await checkAnswer(late)), question(d, { date: '2026-01-01T01:00:00+01:00' }), logKey)), 'ok');
});

test('a license check leaning on a record it does not prove fails as state', async () => {
  // Without the parent design, the ancestor walk reads what is not proven.
  const a = await checkAnswer(allowed(), [designKey(d), grantKey(g), licenseeKey(d, brand)]);
  assert.equal(await code(verifyCheck(text(a), question(d), logKey)), 'state');
  const b = await checkAnswer(allowed(), [designKey(d), designKey(p), licenseeKey(d, brand)]);
  assert.equal(await code(verifyCheck(text(b), question(d), logKey)), 'state');
  // No grant, proven by absence of the brand's list.
  const stranger = key(50);
  const none = { allowed: false, reasons: ['no-grant'], grant: null, units_remaining: null, blocked_by: null, rests_on: [w.design(d).registered] };
  const c = await checkAnswer(none, [designKey(d), designKey(p), licenseeKey(d, stranger)]);
  assert.equal(await code(verifyCheck(text(c), question(d, { licensee: stranger.identity }), logKey)), 'ok');
  // Saying "no grant" to the brand, whose list is proven, is not what the records give.
  const d2 = await checkAnswer(none);
  assert.equal(await code(verifyCheck(text(d2), question(d), logKey)), 'differs');
  // A question that is not a license query.
  assert.equal(await code(verifyCheck(text(await checkAnswer(allowed())), { ...question(d), channel: 'shop' }, logKey)), 'malformed');
});

test('an unregistered design: proven absent, and a registered one cannot be', async () => {
  const x = designId('nothing');
  const a = await log.proven({ design: x }, [], [designKey(x)]);
  assert.equal((await verifyAbsence(text(a), x, logKey)).stateVerified, true);
  assert.equal(await code(verifyAbsence(text(a), d, logKey)), 'differs');
  const lie = await log.proven({ design: d }, [], [designKey(d)]);
  assert.equal(await code(verifyAbsence(text(lie), d, logKey)), 'differs');
  const forged = clone(lie);
  forged.state.records[0].record = null;
  assert.equal(await code(verifyAbsence(text(forged), d, logKey)), 'state');
});

test('identified uploads: the design, or its absence', async () => {
  const design = await designAnswer();
  const reg = { blake3: d, sha256: 'aa'.repeat(32), size: 6, registered: true, design };
  assert.equal((await verifyIdentified(text(reg), logKey)).registered, true);
  assert.equal(await code(verifyIdentified(text({ ...reg, registered: false }), logKey)), 'differs');
  const x = designId('nothing');
  const absence = await log.proven({ design: x }, [], [designKey(x)]);
  const not = { blake3: x, sha256: 'aa'.repeat(32), size: 7, registered: false, absence };
  assert.equal((await verifyIdentified(text(not), logKey)).registered, false);
  assert.equal(await code(verifyIdentified(text({ ...not, blake3: d }), logKey)), 'differs');
  assert.equal(await code(verifyIdentified(text({ ...not, absence: undefined }), logKey)), 'differs');
});

test('steps 1 to 4 alone: the server says, with its entries proven', async () => {
  const a = await designAnswer();
  delete a.state;
  const r = await verifyEntries(text(a), logKey, 'design');
  assert.equal(r.stateVerified, false);
  assert.equal(await code(verifyEntries(text({ ...a, proofs: [] }), logKey, 'design')), 'unproven');
  const split = { design: d, payouts: [], tree_size: log.size, checkpoint: log.checkpoint(), proofs: [] };
  assert.equal(await code(verifyEntries(text(split), logKey, 'split')), 'no-proofs');
  // Without a kind, every entry reference in the answer must be proven
  // (a grant's last production run is not).
  assert.equal(await code(verifyEntries(text(a), logKey)), 'ok');
  assert.ok(a.grants[0].last_usage);
  const hidden = structuredClone(a);
  hidden.proofs.pop();
  assert.equal(await code(verifyEntries(text(hidden), logKey)), 'unproven');
  assert.equal(await code(verifyEntries(text(split), logKey)), 'no-proofs');
});

test('a dispute on the parent: the check cites it and the design is blocked through it', async () => {
  const t = await story();
  const k = await parseLogKey(t.log.verifierKey);
  const dispute = t.w.dispute(t.p, claimant);
  await t.w.commit();
  const raised = t.log.ref(t.log.size - 2);
  const blocked = { design: t.p, dispute, raised, disputes: 1 };
  const members = {
    allowed: false,
    reasons: ['ancestor-disputed'],
    grant: t.g,
    units_remaining: 90,
    blocked_by: blocked,
    rests_on: [t.w.design(t.d).registered, raised, t.w.grantRecord(t.g).granted],
  };
  const keys = [designKey(t.d), designKey(t.p), grantKey(t.g), licenseeKey(t.d, brand), { kind: 'dispute', dispute }];
  const a = await t.log.proven(members, members.rests_on.map((r) => r.index), keys);
  assert.equal(await code(verifyCheck(text(a), question(t.d), k)), 'ok');
  // Without the dispute's record the citation cannot be recomputed.
  const b = await t.log.proven(members, members.rests_on.map((r) => r.index), keys.slice(0, 4));
  assert.equal(await code(verifyCheck(text(b), question(t.d), k)), 'state');
  // Hiding the dispute: allowed, as the state before it.
  const hidden = { ...members, allowed: true, reasons: [], blocked_by: null, rests_on: [members.rests_on[0], members.rests_on[2]] };
  const c = await t.log.proven(hidden, hidden.rests_on.map((r) => r.index), keys);
  assert.equal(await code(verifyCheck(text(c), question(t.d), k)), 'differs');
});

test('a revocation dropped by the server fails', async () => {
  const t = await story();
  const k = await parseLogKey(t.log.verifierKey);
  const before = t.w.grantRecord(t.g);
  t.w.revoke(t.g, [bob, alice]);
  await t.w.commit();
  const grant = t.w.grantRecord(t.g);
  const a = await t.log.proven(grant, [grant.granted.index, grant.revoked.entry.index], [grantKey(t.g)]);
  assert.equal(await code(verifyGrant(text(a), k)), 'ok');
  // The grant as it was before, with the current commitment.
  const dropped = clone(a);
  for (const m of ['revoked']) dropped[m] = before[m];
  dropped.state.records[0].record = before;
  dropped.proofs = [a.proofs[0]];
  assert.equal(await code(verifyGrant(text(dropped), k)), 'state');
  // The answer without the revocation, the record with it.
  const partial = clone(a);
  partial.revoked = null;
  partial.proofs = [a.proofs[0]];
  assert.equal(await code(verifyGrant(text(partial), k)), 'differs');
  // The check after the revocation: revoked.
  const members = {
    allowed: false,
    reasons: ['revoked'],
    grant: t.g,
    units_remaining: 90,
    blocked_by: null,
    rests_on: [t.w.design(t.d).registered, grant.granted, grant.revoked.entry],
  };
  const keys = [designKey(t.d), designKey(t.p), grantKey(t.g), licenseeKey(t.d, brand)];
  const c = await t.log.proven(members, members.rests_on.map((r) => r.index), keys);
  assert.equal(await code(verifyCheck(text(c), question(t.d), k)), 'ok');
});
