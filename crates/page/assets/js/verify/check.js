// The license check, recomputed from proven records: a faithful port of
// `check_license` (crates/model/src/check.rs) with its helpers from
// crates/model/src/coverage.rs, so that the same records give the same
// answer, member for member.
//
// Reasons come in this order; design reasons from the design (or its
// first blocked ancestor, breadth first), the others from the best of the
// licensee's grants on the design: an allowing grant if there is one,
// else the one with the fewest reasons, ties to the earliest grant entry.

import { parseTimestamp } from './timestamp.js';
import { REASONS } from './types.js';
import { covers } from './vocab.js';

/** The most ancestors a design may have (crates/model/src/payload.rs). */
const MAX_ANCESTORS = 1024;

/** A rule error met while recomputing (the model refusing what the records say). */
export class RuleError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RuleError';
  }
}

const time = (text) => parseTimestamp(text);

/** Every way `grant` does not cover the use, in reason order (`gaps`). */
function gaps(grant, use) {
  const t = grant.terms;
  const out = [];
  if (grant.revoked !== null) out.push('revoked');
  const date = time(use.date);
  if (date.compare(time(t.starts_at)) < 0) out.push('not-yet-valid');
  if (t.ends_at !== undefined && date.compare(time(t.ends_at)) >= 0) out.push('expired');
  if (t.territories.length > 0 && !t.territories.includes(use.territory)) out.push('territory');
  if (t.channels.length > 0 && !t.channels.includes(use.channel)) out.push('channel');
  if (t.categories.length > 0 && !t.categories.some((c) => covers(c, use.category))) out.push('category');
  if (t.max_units !== undefined && BigInt(grant.units_used) + BigInt(use.quantity) > BigInt(t.max_units)) {
    out.push('units-exceeded');
  }
  return out;
}

/** Whether the terms license the action. */
function licensedBy(action, terms) {
  switch (action) {
    case 'non-commercial':
      return true;
    case 'commercial':
      return terms.commercial_use;
    case 'derivative':
      return terms.derivatives_allowed;
    case 'ai-training':
      return terms.ai_training;
    default:
      throw new RuleError(`unknown action ${action}`);
  }
}

/** Every reason `grant` does not license the question. */
function grantReasons(grant, q) {
  const reasons = gaps(grant, q);
  if (!licensedBy(q.action, grant.terms)) reasons.push('action-not-licensed');
  return reasons;
}

/**
 * What blocks `design`: `{reason: 'disputed'}`, `{reason:
 * 'ancestor-disputed', ancestor}` (breadth first over the parent links),
 * or null.
 */
export function blocker(view, design) {
  if (design.blocking_disputes.length > 0) return { reason: 'disputed', design: design.id };
  const seen = new Set([design.id]);
  const queue = design.parents.map((p) => p.design);
  while (queue.length > 0) {
    const id = queue.shift();
    if (seen.has(id)) continue;
    seen.add(id);
    if (seen.size > MAX_ANCESTORS + 1) throw new RuleError(`more than ${MAX_ANCESTORS} ancestors`);
    const ancestor = view.design(id);
    if (ancestor === null) throw new RuleError(`parent design ${id} not found`);
    if (ancestor.blocking_disputes.length > 0) return { reason: 'ancestor-disputed', design: id };
    queue.push(...ancestor.parents.map((p) => p.design));
  }
  return null;
}

/** The first dispute (in id order) blocking `design` itself, and their number; null when clear. */
export function blockedBy(view, design) {
  const first = design.blocking_disputes[0];
  if (first === undefined) return null;
  const dispute = view.dispute(first);
  if (dispute === null) throw new RuleError('a design names a dispute that does not exist');
  return { design: design.id, dispute: dispute.id, raised: dispute.raised, disputes: design.blocking_disputes.length };
}

/** `check_license` over `view` for the question `q` (both in their canonical forms). */
export function checkLicense(view, q) {
  const design = view.design(q.design);
  if (design === null) {
    return { allowed: false, reasons: ['unknown-design'], grant: null, units_remaining: null, blocked_by: null, rests_on: [] };
  }
  const reasons = [];
  const restsOn = [design.registered];
  let blocked = null;
  const b = blocker(view, design);
  if (b !== null) {
    reasons.push(b.reason);
    if (b.design === design.id) {
      blocked = blockedBy(view, design);
    } else {
      const ancestor = view.design(b.design);
      if (ancestor === null) throw new RuleError(`parent design ${b.design} not found`);
      blocked = blockedBy(view, ancestor);
    }
  }
  if (blocked !== null) restsOn.push(blocked.raised);
  let best = null;
  for (const id of view.licenseeGrants(q.design, q.licensee)) {
    const grant = view.grant(id);
    if (grant === null) continue;
    const r = grantReasons(grant, q);
    const better =
      best === null ||
      r.length < best.reasons.length ||
      (r.length === best.reasons.length && grant.granted.index < best.grant.granted.index);
    if (better) best = { reasons: r, grant };
  }
  let grant = null;
  let unitsRemaining = null;
  if (best !== null) {
    reasons.push(...best.reasons);
    restsOn.push(best.grant.granted);
    if (best.grant.revoked !== null) restsOn.push(best.grant.revoked.entry);
    grant = best.grant.id;
    const max = best.grant.terms.max_units;
    if (max !== undefined) unitsRemaining = Math.max(0, max - best.grant.units_used);
  } else {
    reasons.push('no-grant');
  }
  reasons.sort((a, b2) => REASONS.indexOf(a) - REASONS.indexOf(b2));
  return { allowed: reasons.length === 0, reasons, grant, units_remaining: unitsRemaining, blocked_by: blocked, rests_on: restsOn };
}
