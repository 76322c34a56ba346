// Answers about the state, verified to the end (docs/PROTOCOL.md section
// 11; crates/api/src/verify.rs `verify_state`): steps 1 to 4, then the
// proven state (steps 5 and 6), then step 7: the answer recomputed from the
// proven records alone with the model's own rules must be the answer.
// Then the answer is the log's word, not the server's.

import { blockedBy, checkLicense, RuleError } from './check.js';
import { VerifyError } from './errors.js';
import { canonicalize } from './jcs.js';
import { ProvenState, UnprovenRead } from './provenstate.js';
import { jsonOf, readProven, shaped, verifyProvenEntries } from './proven.js';
import { any, hex32, list, option, readFields, string, withDefault } from './shape.js';
import { verifyStateProof } from './state.js';
import {
  DESIGN_REPORT,
  DESIGN_SUMMARY,
  EntryRef,
  GrantState,
  Identified,
  LICENSE_ANSWER,
  LicenseQuery,
} from './types.js';

const same = (a, b) => canonicalize(a) === canonicalize(b);
const differs = (what) => new VerifyError('differs', `the answer is not what the proven state gives: ${what}`);

/** Runs a recomputation, a read of an unproven record failing as `state`, a rule error as `differs`. */
function recomputing(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnprovenRead) throw new VerifyError('state', `the proven state does not verify: ${e.message}`);
    if (e instanceof RuleError) throw differs(`recomputing it fails: ${e.message}`);
    throw e;
  }
}

// --- what each answer rests on (`RestsOn`) ---

const grantRestsOn = (g) => [g.granted, ...(g.revoked ? [g.revoked.entry] : [])];

const designRestsOn = (a) => [
  a.registered,
  a.ownership,
  ...(a.blocked_by ? [a.blocked_by.raised] : []),
  ...a.grants.flatMap(grantRestsOn),
];

const checkRestsOn = (a) => [...a.rests_on, ...(a.blocked_by ? [a.blocked_by.raised] : [])];

// --- the answers' own members, and their recomputation (`Recompute`) ---

const summaryOf = (a) => Object.fromEntries(Object.keys(DESIGN_SUMMARY).map((k) => [k, a[k]]));

function recomputeGrant(state, g) {
  const proven = recomputing(() => state.grant(g.id));
  if (proven === null) throw differs(`grant ${g.id} is proven absent`);
  if (!same(proven, g)) throw differs(`grant ${g.id} is not as proven`);
}

function recomputeDesign(state, a) {
  const d = recomputing(() => state.design(a.id));
  if (d === null) throw differs(`design ${a.id} is proven absent`);
  const blocked = recomputing(() => blockedBy(state, d));
  const summary = {
    id: d.id,
    parents: d.parents,
    license_threshold_ppm: d.license_threshold_ppm,
    owners: d.owners,
    registered: d.registered,
    ownership: d.ownership,
    blocked_by: blocked,
  };
  if (!same(summary, summaryOf(a))) throw differs(`design ${a.id} is not as proven`);
  for (const g of a.grants) {
    recomputeGrant(state, g);
    if (g.design !== a.id) throw differs(`grant ${g.id} is not on design ${a.id}`);
  }
}

function recomputeCheck(state, a, question) {
  const again = recomputing(() => checkLicense(state, question));
  if (!same(again, a)) {
    const units = again.units_remaining ?? 'None';
    throw differs(
      `the proven records give allowed=${again.allowed} reasons=[${again.reasons.join(', ')}] grant=${again.grant ?? 'None'} units_remaining=${units}`,
    );
  }
}

function recomputeAbsence(state, a) {
  if (recomputing(() => state.design(a.design)) !== null) throw differs(`design ${a.design} is registered`);
}

// --- the kinds of answer ---

const KINDS = {
  design: { what: 'a design', fields: DESIGN_REPORT, restsOn: designRestsOn, recompute: recomputeDesign },
  grant: {
    what: 'a grant',
    // `GrantState` denies unknown members, but flattened into `Proven` it sees only its own.
    fields: GrantState.fields,
    restsOn: grantRestsOn,
    recompute: recomputeGrant,
  },
  check: { what: 'a license check', fields: LICENSE_ANSWER, restsOn: checkRestsOn, recompute: recomputeCheck },
  absence: { what: 'a proof that a design is not registered', fields: { design: hex32 }, restsOn: () => [], recompute: recomputeAbsence },
};

/** Steps 1 to 7 for an answer of `kind` already read. */
async function verifyRead(kind, proven, logKey, question) {
  const k = KINDS[kind];
  const checkpoint = await verifyProvenEntries(proven, k.restsOn(proven.answer), logKey, false);
  let state;
  if (proven.state !== null) {
    state = await verifyStateProof(proven.state, checkpoint, logKey);
  } else if (checkpoint.size === 0) {
    // A log with no entry has logged no commitment, and needs none: its
    // signed checkpoint of size 0 proves the state empty.
    state = ProvenState.ofEmptyLog();
  } else {
    throw new VerifyError('no-state', 'the answer carries no proof of the state it was computed from');
  }
  k.recompute(state, proven.answer, question);
  return { checkpoint, stateVerified: true, answer: proven.answer, state };
}

const read = (kind, answer) => readProven(KINDS[kind].what, KINDS[kind].fields, jsonOf(answer));

/** A design (`GET /v1/designs/{id}`), verified through its proven state. */
export async function verifyDesign(answer, logKey) {
  return verifyRead('design', read('design', answer), logKey);
}

/** A grant (`GET /v1/grants/{id}`), verified through its proven state. */
export async function verifyGrant(answer, logKey) {
  return verifyRead('grant', read('grant', answer), logKey);
}

/** A license check (`POST /v1/licenses/check`) for `question` (the query sent), recomputed from its proven state. */
export async function verifyCheck(answer, question, logKey) {
  const q = shaped('the question is not a license query', (v) => LicenseQuery.read(v, ''), jsonOf(question));
  return verifyRead('check', read('check', answer), logKey, q);
}

/**
 * A proof that no design has id `designId` (`{design}`, proven): with the
 * state, the map proves the design absent. `designId` (optional) is the
 * design asked about.
 */
export async function verifyAbsence(answer, designId, logKey) {
  const proven = read('absence', answer);
  if (designId !== undefined && designId !== null && proven.answer.design !== designId) {
    throw differs(`the answer is about design ${proven.answer.design}, not ${designId}`);
  }
  return verifyRead('absence', proven, logKey);
}

/** An identified upload's members; `design` and `absence` are read as proven answers below. */
const IDENTIFIED = {
  ...Identified,
  design: withDefault(option(any), () => null),
  absence: withDefault(option(any), () => null),
};

/**
 * An identified upload (`POST /v1/designs/identify`): the file's design
 * with its proven state when registered, or the proof that no design has
 * its id when not.
 */
export async function verifyIdentified(answer, logKey) {
  const value = jsonOf(answer);
  const id = shaped('the answer is not an identified upload', (v) => readFields(IDENTIFIED, v, ''), value);
  const design = id.design === null ? null : read('design', id.design);
  const absence = id.absence === null ? null : read('absence', id.absence);
  let result;
  if (design !== null && design.answer.id === id.blake3 && id.registered) {
    result = await verifyRead('design', design, logKey);
  } else if (design === null && absence !== null && absence.answer.design === id.blake3 && !id.registered) {
    result = await verifyRead('absence', absence, logKey);
  } else {
    throw differs("the answer neither proves the file's design nor its absence");
  }
  return { ...result, registered: id.registered, blake3: id.blake3, sha256: id.sha256, size: id.size };
}

/** A page of entries a key signed (`GET /v1/keys/{key}/entries`). */
const ENTRIES = { items: list(EntryRef), next: option(string) };

/** Where the entries of each kind of answer are named. */
const REST_ON = {
  design: designRestsOn,
  grant: grantRestsOn,
  check: checkRestsOn,
  absence: () => [],
  entries: (a) => a.items,
  split: () => [],
  statement: () => [],
};

/**
 * Every entry an answer names, as the protocol states it: each object
 * `{index, leaf_hash, logged_at}` among its members (not under the proof
 * members, nor a grant's `last_usage`, which no answer proves).
 */
function namedEntries(value) {
  const out = [];
  const walk = (v, name) => {
    if (name === 'last_usage' || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((item) => walk(item, name));
    if (Number.isSafeInteger(v.index) && typeof v.leaf_hash === 'string' && typeof v.logged_at === 'string') out.push(v);
    for (const [k, member] of Object.entries(v)) walk(member, k);
  };
  for (const [k, member] of Object.entries(value)) {
    if (!['tree_size', 'checkpoint', 'proofs', 'state'].includes(k)) walk(member, k);
  }
  return out;
}

/**
 * Steps 1 to 4 only, for an answer without a proven state (what it says
 * beyond the entries it proves is the server's word). `kind` (optional)
 * reads the answer as `design`, `grant`, `check`, `absence`, `entries` (a
 * page of entries a key signed), `split` or `statement`; without it, every
 * entry reference in the answer must be proven.
 *
 * @returns {{checkpoint, stateVerified: false, answer}}
 */
export async function verifyEntries(answer, logKey, kind) {
  const value = jsonOf(answer);
  let proven;
  let named;
  if (kind === undefined) {
    proven = readProven('a proven answer', {}, value);
    named = namedEntries(value);
  } else if (Object.hasOwn(REST_ON, kind)) {
    proven = Object.hasOwn(KINDS, kind) ? read(kind, value) : readProven(`a ${kind} answer`, kind === 'entries' ? ENTRIES : {}, value);
    named = REST_ON[kind](proven.answer);
  } else {
    throw new TypeError(`verifyEntries: unknown kind ${kind}`);
  }
  const checkpoint = await verifyProvenEntries(proven, named, logKey, true);
  return { checkpoint, stateVerified: false, answer: kind === undefined ? value : proven.answer };
}
