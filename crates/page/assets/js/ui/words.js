// Answers in words: shares, dates, license check reasons, license terms.

import {actionWords, categoryWords, territoryWords} from './vocabulary.js';

/** A share in parts per million as a percentage: 600000 -> "60%", 333333 -> "33.3333%". */
export function shareWords(ppm) {
  const whole = Math.floor(ppm / 10000);
  const rest = String(ppm % 10000).padStart(4, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}%` : `${whole}%`;
}

/** A timestamp as the ledger wrote it, shortened to what matters: "2026-01-01 00:00 UTC". */
export function dateWords(timestamp) {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(\.\d+)?Z$/.exec(timestamp ?? '');
  return match ? `${match[1]} ${match[2]}${match[3] && match[3] !== ':00' ? match[3] : ''} UTC` : String(timestamp);
}

/** A number with thousands separated: 1000 -> "1,000". */
export function count(n) {
  return Number(n).toLocaleString('en');
}

/** Each reason of a denied license check in words, given the question asked. */
export function reasonWords(reason, question, answer) {
  switch (reason) {
    case 'unknown-design': return 'The design is not registered on this log.';
    case 'disputed': return 'The design is under dispute: nothing may be made from it until an arbiter dismisses the dispute.';
    case 'ancestor-disputed': return 'A design it derives from is under dispute.';
    case 'no-grant': return 'This licensee holds no license on the design.';
    case 'revoked': return 'The license was revoked (or released by the licensee).';
    case 'not-yet-valid': return `The license has not started on ${question.date.slice(0, 10)}.`;
    case 'expired': return `The license had ended by ${question.date.slice(0, 10)}.`;
    case 'territory': return `The license does not cover the territory ${territoryWords(question.territory)}.`;
    case 'channel': return `The license does not cover the sales channel "${question.channel}".`;
    case 'category': return `The license does not cover the product category "${question.category}" (${categoryWords(question.category)}).`;
    case 'units-exceeded':
      return answer.units_remaining === null || answer.units_remaining === undefined
        ? `${count(question.quantity)} units are more than the license allows.`
        : `${count(question.quantity)} units are more than the ${count(answer.units_remaining)} left under the license\u2019s cap.`;
    case 'action-not-licensed': return `The license does not allow this use: ${actionWords(question.action).toLowerCase()}.`;
    default: return `A reason this page does not know: ${reason}.`;
  }
}

/** Money in its currency's own minor digits: {amount_minor: 1250, currency: 'EUR'} -> "12.50 EUR". */
export function moneyWords({amount_minor: minor, currency}) {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits;
  } catch {
    // An unknown currency code: assume cents.
  }
  const text = String(minor).padStart(digits + 1, '0');
  const major = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return `${major} ${currency}`;
}

function yesNo(flag) {
  return flag ? 'yes' : 'no';
}

function list(items, words, empty) {
  return items && items.length ? items.map(words).join(', ') : empty;
}

/** A grant's terms as [term, words] pairs, in the order a brand reads them. */
export function termsSummary(terms, unitsUsed) {
  const window = `from ${dateWords(terms.starts_at)}${terms.ends_at ? ` until ${dateWords(terms.ends_at)} (exclusive)` : ', no end'}`;
  const cap = terms.max_units === undefined || terms.max_units === null
    ? `no cap (${count(unitsUsed)} made so far)`
    : `${count(terms.max_units)} in all; ${count(unitsUsed)} made, ${count(Math.max(0, terms.max_units - unitsUsed))} left`;
  const royalty = terms.royalty
    ? `${shareWords(terms.royalty.rev_share_ppm)} of derivatives\u2019 revenue (${terms.royalty.policy})`
    : 'none';
  const fee = terms.minting_fee ? `${moneyWords(terms.minting_fee)} (recorded, not collected)` : null;
  return [
    ['Commercial use', yesNo(terms.commercial_use)],
    ['Territories', list(terms.territories, territoryWords, 'worldwide')],
    ['Channels', list(terms.channels, (c) => c, 'any channel')],
    ['Categories', list(terms.categories, (c) => c, 'any category')],
    ['When', window],
    ['Units', cap],
    ['Exclusive', yesNo(terms.exclusive)],
    ['Derivatives', terms.derivatives_allowed
      ? `allowed${terms.derivatives_reciprocal ? ', on the same terms' : ''}${terms.derivatives_approval ? ', with the owners\u2019 approval' : ''}`
      : 'not allowed'],
    ['Royalty', royalty],
    ['AI training', yesNo(terms.ai_training)],
    ['Attribution', yesNo(terms.attribution)],
    ['Minting fee', fee],
  ];
}
