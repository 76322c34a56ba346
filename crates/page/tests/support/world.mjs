// A ledger story for the tests, with the state records the model's rules
// write (crates/model/src/rules/, state.rs), kept by hand: registrations,
// grants, a production run, a revocation and a dispute, each followed by a
// `state.commit` as the sequencer writes one after every batch.
//
// Design ids stand in for BLAKE3 (the verifier never hashes content): the
// SHA-256 of the content text.

import { createHash } from 'node:crypto';

import { TestLog, key } from './ledger.mjs';

export const alice = key(1);
export const bob = key(2);
export const brand = key(3);
export const claimant = key(4);

export const designId = (content) => createHash('sha256').update(content).digest('hex');

/** The grant terms of crates/model/tests/support (canonical: lists present, absent options left out). */
export function terms(extra = {}) {
  return {
    commercial_use: true,
    derivatives_allowed: true,
    derivatives_reciprocal: false,
    derivatives_approval: false,
    attribution: true,
    royalty: { policy: 'LAP', rev_share_ppm: 50000 },
    territories: [],
    channels: [],
    categories: [],
    starts_at: '2025-01-01T00:00:00Z',
    exclusive: false,
    sublicensable: false,
    transferable: false,
    ai_training: false,
    ...extra,
  };
}

const byIdentity = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export class World {
  constructor() {
    this.log = new TestLog();
  }

  design(id) {
    return this.log.state.get(JSON.stringify({ kind: 'design', design: id }))?.record;
  }

  grantRecord(id) {
    return this.log.state.get(JSON.stringify({ kind: 'grant', grant: id }))?.record;
  }

  /** `design.register` of `content` by `creators` ([key, share_ppm]); returns the design id. */
  register(content, creators, parents = [], details = {}) {
    const id = designId(content);
    const payload = {
      content: { blake3: id, sha256: designId(`sha ${content}`), size: content.length, media_type: 'image/png' },
      title: `the ${content}`,
      creators: creators.map(([k, share]) => ({ key: k.identity, share_ppm: share, role: 'designer' })),
      ...(parents.length > 0 ? { parents } : {}),
      ...details,
    };
    const index = this.log.append('design.register', payload, creators.map(([k]) => k));
    const ref = this.log.ref(index);
    this.log.put({ kind: 'design', design: id }, {
      id,
      parents,
      license_threshold_ppm: 1_000_000,
      owners: creators.map(([k, share]) => ({ key: k.identity, share_ppm: share })).sort(byIdentity),
      registered: ref,
      ownership: ref,
      blocking_disputes: [],
    });
    return id;
  }

  /** `license.grant` on `design` to `licensee`, signed by `owners`; returns the grant id. */
  grant(design, owners, licensee, grantTerms) {
    const payload = { design, licensee: licensee.identity, terms: grantTerms };
    const id = TestLog.entryId('license.grant', payload);
    const index = this.log.append('license.grant', payload, [...owners, licensee]);
    this.log.put({ kind: 'grant', grant: id }, {
      id,
      design,
      licensee: licensee.identity,
      terms: grantTerms,
      granted: this.log.ref(index),
      units_used: 0,
      revoked: null,
    });
    const lk = { kind: 'licensee', design, licensee: licensee.identity };
    const held = this.log.state.get(JSON.stringify(lk))?.record.grants ?? [];
    this.log.put(lk, { grants: [...held, id].sort() });
    return id;
  }

  /** `usage.record` of `quantity` units under `grant` by its licensee. */
  usage(grant, licensee, quantity) {
    const payload = { grant, quantity, territory: 'FR', channel: 'online', category: 'footwear', batch_ref: 'run 1' };
    const index = this.log.append('usage.record', payload, [licensee]);
    const g = this.grantRecord(grant);
    this.log.put({ kind: 'grant', grant }, { ...g, units_used: g.units_used + quantity, last_usage: this.log.ref(index) });
  }

  /** `license.revoke` of `grant` by `owners`. */
  revoke(grant, owners) {
    const index = this.log.append('license.revoke', { grant, reason: 'breach' }, owners);
    const g = this.grantRecord(grant);
    this.log.put({ kind: 'grant', grant }, { ...g, revoked: { by: 'owners', reason: 'breach', entry: this.log.ref(index) } });
  }

  /** `dispute.raise` on `design` by `by`; returns the dispute id. */
  dispute(design, by, claim = 'copied') {
    const payload = { design, claim, evidence: 'ab'.repeat(32) };
    const id = TestLog.entryId('dispute.raise', payload);
    const index = this.log.append('dispute.raise', payload, [by]);
    this.log.put({ kind: 'dispute', dispute: id }, {
      id,
      design,
      claim,
      evidence: 'ab'.repeat(32),
      raised_by: [by.identity],
      raised: this.log.ref(index),
      resolution: null,
    });
    const d = this.design(design);
    this.log.put({ kind: 'design', design }, { ...d, blocking_disputes: [...d.blocking_disputes, id].sort() });
    return id;
  }

  commit() {
    return this.log.commit();
  }
}

/**
 * The story most tests read: alice registers P and grants bob a license
 * to derive; bob registers D from P and grants the brand FR/DE online and
 * retail footwear for 2025 with a cap of 100, and the brand records a run
 * of 10 units.
 */
export async function story() {
  const w = new World();
  const p = w.register('parent', [[alice, 1_000_000]]);
  const gp = w.grant(p, [alice], bob, terms());
  const d = w.register('design', [[bob, 600_000], [alice, 400_000]], [{ design: p, grant: gp }], {
    description: 'a shoe charm',
    ai: { digital_source_type: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia', software_agent: 'a model' },
  });
  await w.commit();
  const g = w.grant(
    d,
    [bob, alice],
    brand,
    terms({
      territories: ['FR', 'DE'],
      channels: ['online', 'retail'],
      categories: ['footwear'],
      ends_at: '2026-01-01T00:00:00Z',
      max_units: 100,
    }),
  );
  w.usage(g, brand, 10);
  await w.commit();
  return { w, log: w.log, p, gp, d, g };
}

/** A license question about `design` for the brand. */
export function question(design, extra = {}) {
  return {
    design,
    licensee: brand.identity,
    action: 'commercial',
    territory: 'FR',
    channel: 'online',
    category: 'footwear',
    date: '2025-07-01T00:00:00Z',
    quantity: 50,
    ...extra,
  };
}
