// The brand's flow: "may this licensee make this, here, now, this many?"
// The answer is shown as verified only when verifyCheck recomputes it, in
// this browser, from the state records the log proves, for the very
// question asked.

import {verifyCheck, verifyEntries} from '../verify/index.js';
import {postJson} from './api.js';
import {byId, code, facts, h} from './dom.js';
import {trustedKey} from './keys.js';
import {hold} from './memory.js';
import {record, timed} from './timing.js';
import {latestOnly, setBody, setVerdict, startCheck} from './verdict.js';
import {ACTIONS, CATEGORIES, CHANNELS, TERRITORIES, territoryWords} from './vocabulary.js';
import {count, dateWords, reasonWords} from './words.js';

const region = () => byId('check-result');
const latest = latestOnly();
const MAX_INTEGER = 2 ** 53 - 1;

function fill(select, options, chosen) {
  select.replaceChildren(...options.map(([value, words]) =>
    h('option', {value, selected: value === chosen}, words === value ? value : `${value} \u2014 ${words}`)));
}

/** The question the form asks, or throws with what to fix. */
function question() {
  const value = (id) => byId(id).value.trim();
  const date = value('check-date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error('choose a date');
  const quantityText = value('check-quantity');
  const quantity = Number(quantityText);
  if (!/^\d+$/.test(quantityText) || quantity > MAX_INTEGER) throw new Error('the quantity is a whole number of units, 0 or more');
  if (!/^[0-9a-f]{64}$/.test(value('check-design'))) throw new Error('the design id is 64 lower-case hex digits (its BLAKE3)');
  if (!value('check-licensee').startsWith('ed25519:')) throw new Error('the licensee is a key, ed25519:\u2026');
  return {
    design: value('check-design'),
    licensee: value('check-licensee'),
    action: value('check-action'),
    territory: value('check-territory'),
    channel: value('check-channel'),
    category: value('check-category'),
    date: `${date}T00:00:00Z`,
    quantity,
  };
}

async function judge(answer, asked, key) {
  try {
    const [result, ms] = await timed(() => verifyCheck(answer, asked, key));
    record('verifyCheckMs', ms);
    const size = result.checkpoint?.size === undefined ? '' : ` at log size ${count(result.checkpoint.size)}`;
    let fresh;
    try {
      fresh = await hold(result.checkpoint, key);
    } catch (error) {
      return ['not-verified', `${error.message.replace(/\.?$/, '.')} Do not rely on this answer.`];
    }
    return ['verified', `recomputed in this browser from the records the log proves${size}, for the question you asked, against the key of ${key.origin}. ${fresh}`];
  } catch (error) {
    if (error.code !== 'no-state') return ['not-verified', `${error.message.replace(/\.?$/, '.')} Do not rely on this answer.`];
    try {
      await verifyEntries(answer, key, 'check');
      return ['server-says', 'this answer is its word. The entries it rests on are proven in the log, but the log has no state commitment yet to prove the answer.'];
    } catch (inner) {
      return ['not-verified', `${inner.message.replace(/\.?$/, '.')} Do not rely on this answer.`];
    }
  }
}

function answerView(answer, asked, verdict) {
  const allowed = answer.allowed === true;
  const reasons = Array.isArray(answer.reasons) ? answer.reasons : [];
  const units = answer.units_remaining === null || answer.units_remaining === undefined
    ? (answer.grant ? 'no cap' : null)
    : `${count(answer.units_remaining)} before this run${allowed ? `, ${count(answer.units_remaining - asked.quantity)} after it` : ''}`;
  const blocked = answer.blocked_by
    ? ['dispute ', code(answer.blocked_by.dispute), ` raised ${dateWords(answer.blocked_by.raised?.logged_at)}`]
    : null;
  return [
    verdict === 'verified' ? null : h('p', {class: 'claim-note'}, verdict === 'server-says' ? 'The server\u2019s answer:' : 'The server\u2019s answer, which did not verify:'),
    h('p', {id: 'check-verdict', class: `decision ${allowed ? 'allowed' : 'denied'}${verdict === 'verified' ? '' : ' unproven'}`}, allowed ? 'Allowed' : 'Denied'),
    h('ul', {id: 'check-reasons', class: 'reasons'}, reasons.map((reason) =>
      h('li', {'data-reason': reason}, reasonWords(reason, asked, answer)))),
    facts([
      ['Asked', `${count(asked.quantity)} units, ${asked.action}, in ${territoryWords(asked.territory)}, ${asked.channel}, ${asked.category}, on ${asked.date.slice(0, 10)}`],
      ['Units left', units ? h('span', {id: 'check-units'}, units) : null],
      ['License used', answer.grant ? code(answer.grant) : 'none'],
      ['Blocked by', blocked ? h('span', {}, blocked) : null],
    ]),
  ];
}

async function run() {
  const node = region();
  let asked;
  try {
    asked = question();
  } catch (error) {
    setVerdict(node, 'not-verified', `nothing was asked: ${error.message}.`);
    setBody(node);
    return;
  }
  const trusted = trustedKey();
  if (!trusted) {
    setVerdict(node, 'not-verified', 'no log key is trusted yet: pin the log\u2019s key above, then ask again.');
    setBody(node);
    return;
  }
  await latest(async (current) => {
    startCheck(node, 'Asking the log\u2026');
    let answer;
    try {
      answer = (await postJson('/v1/licenses/check', asked)).body;
    } catch (error) {
      if (current()) {
        setVerdict(node, 'not-verified', error.message);
        setBody(node);
      }
      return;
    }
    const [verdict, detail] = await judge(answer, asked, trusted.key);
    if (!current()) return;
    setVerdict(node, verdict, detail);
    setBody(node, answerView(answer, asked, verdict));
  });
}

/** Fills the form's lists and wires it. */
export function initCheck() {
  fill(byId('check-action'), ACTIONS, 'commercial');
  fill(byId('check-territory'), TERRITORIES.map((code) => [code, territoryWords(code).replace(/^.. \((.*)\)$/, '$1')]), 'FR');
  fill(byId('check-channel'), CHANNELS, 'retail');
  fill(byId('check-category'), CATEGORIES, 'apparel');
  byId('check-date').value = new Date().toISOString().slice(0, 10);
  byId('check-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
}
