// The license check recomputed in the browser agrees with the model on
// every vector of fixtures/license: each case's ledger is built as
// crates/model/tests/license.rs builds it (P by alice, D from P by bob, a
// grant from bob to the brand on the scoped terms with the case's changes,
// then its production run, revocation and disputes), the check runs over
// the records, and the answer must be the case's. Then the answer is
// served as the server serves it (proving the records the check read) and
// must verify.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

import { checkLicense } from '../assets/js/verify/check.js';
import { parseLogKey, verifyCheck } from '../assets/js/verify/index.js';
import { ProvenState } from '../assets/js/verify/provenstate.js';
import { LicenseQuery, LicenseTerms } from '../assets/js/verify/types.js';
import { key } from './support/ledger.mjs';
import { World, alice, bob, brand, claimant, designId, terms } from './support/world.mjs';
import { fixture, fixturePath } from './support/files.mjs';

/** The grant's default scope: FR/DE, online/retail, footwear, 2025, 100 units. */
const scoped = () => terms({ territories: ['FR', 'DE'], channels: ['online', 'retail'], categories: ['footwear'], ends_at: '2026-01-01T00:00:00Z', max_units: 100 });

/** Every record of the world, as proven; the keys read are noted. */
function recordingView(w) {
  const all = new ProvenState();
  for (const { key: k, record } of w.log.state.values()) all.insert(k, record);
  const read = [];
  const view = new ProvenState();
  const note = (k) => {
    read.push(k);
    try {
      view.insert(k, all.get(k));
    } catch {
      view.insert(k, null);
    }
  };
  return {
    read,
    design: (design) => (note({ kind: 'design', design }), view.design(design)),
    grant: (grant) => (note({ kind: 'grant', grant }), view.grant(grant)),
    dispute: (dispute) => (note({ kind: 'dispute', dispute }), view.dispute(dispute)),
    licenseeGrants: (design, licensee) => (note({ kind: 'licensee', design, licensee }), view.licenseeGrants(design, licensee)),
  };
}

async function run(name) {
  const c = fixture(`license/${name}`);
  const w = new World();
  const p = w.register('parent', [[alice, 1_000_000]]);
  const gp = w.grant(p, [alice], bob, terms());
  const d = w.register('design', [[bob, 1_000_000]], [{ design: p, grant: gp }]);
  const grant = c.terms === null || c.terms === undefined ? null : w.grant(d, [bob], brand, LicenseTerms.read({ ...scoped(), ...c.terms }, 'terms'));
  if (c.setup.units_used) w.usage(grant, brand, c.setup.units_used);
  if (c.setup.revoked) w.revoke(grant, [bob]);
  if (c.setup.dispute) {
    const target = c.setup.dispute === 'design' ? d : p;
    const claimants = [claimant, ...Array.from({ length: (c.setup.claimants ?? 1) - 1 }, (_, i) => key(101 + i))];
    claimants.forEach((by, n) => w.dispute(target, by, n === 0 ? 'copied' : `copied ${n}`));
  }
  await w.commit();
  const design = c.setup.design === 'unregistered' ? designId('unregistered') : d;
  const q = LicenseQuery.read({ ...c.query, design, licensee: brand.identity }, '');
  const view = recordingView(w);
  const answer = checkLicense(view, q);
  const e = c.expected;
  assert.deepEqual(answer.reasons, e.reasons, name);
  assert.equal(answer.allowed, e.allowed, name);
  assert.equal(answer.units_remaining, e.units_remaining, name);
  assert.equal(answer.grant, design === d ? grant : null, name);
  assert.equal(answer.blocked_by?.disputes, e.blocking_disputes, name);
  if (e.rests_on !== undefined) assert.equal(answer.rests_on.length, e.rests_on, name);
  if (answer.blocked_by) {
    const dispute = w.log.state.get(JSON.stringify({ kind: 'dispute', dispute: answer.blocked_by.dispute })).record;
    assert.deepEqual([dispute.design, dispute.raised], [answer.blocked_by.design, answer.blocked_by.raised], name);
  }
  // Served with the records it read, the answer verifies in full.
  const unique = [...new Map(view.read.map((k) => [JSON.stringify(k), k])).values()];
  const served = await w.log.proven(answer, answer.rests_on.map((r) => r.index), unique);
  const r = await verifyCheck(JSON.stringify(served), { ...c.query, design, licensee: brand.identity }, await parseLogKey(w.log.verifierKey));
  assert.equal(r.stateVerified, true, name);
}

const names = readdirSync(fixturePath('license')).filter((n) => n.endsWith('.json')).sort();

test('every reason has a fixture', () => {
  const seen = new Set(names.flatMap((n) => fixture(`license/${n}`).expected.reasons));
  assert.equal(seen.size, 12);
});

for (const name of names) test(`fixtures/license/${name}`, () => run(name));
