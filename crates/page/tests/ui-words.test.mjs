// The page's words for shares, money and license check reasons
// (assets/js/ui/words.js).

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';

import {dateWords, moneyWords, reasonWords, shareWords, termsSummary} from '../assets/js/ui/words.js';

test('shares in parts per million read as percentages, exactly', () => {
  assert.equal(shareWords(1_000_000), '100%');
  assert.equal(shareWords(600_000), '60%');
  assert.equal(shareWords(333_333), '33.3333%');
  assert.equal(shareWords(50_500), '5.05%');
  assert.equal(shareWords(1), '0.0001%');
  assert.equal(shareWords(0), '0%');
});

test('money keeps its currency\u2019s minor digits', () => {
  assert.equal(moneyWords({amount_minor: 1250, currency: 'EUR'}), '12.50 EUR');
  assert.equal(moneyWords({amount_minor: 5, currency: 'EUR'}), '0.05 EUR');
  assert.equal(moneyWords({amount_minor: 1250, currency: 'JPY'}), '1250 JPY');
});

test('timestamps shorten to the minute, seconds kept when not zero', () => {
  assert.equal(dateWords('2026-01-01T00:00:00Z'), '2026-01-01 00:00 UTC');
  assert.equal(dateWords('2026-01-01T10:20:30Z'), '2026-01-01 10:20:30 UTC');
});

test('every reason the model gives has words naming what was asked', () => {
  const check = readFileSync(new URL('../../model/src/check.rs', import.meta.url), 'utf8');
  const codes = [...check.matchAll(/Reason::\w+ => "([a-z-]+)"/g)].map((m) => m[1]);
  assert.equal(codes.length, 12);
  const question = {design: 'a'.repeat(64), licensee: 'ed25519:x', action: 'ai-training', territory: 'US',
    channel: 'online', category: 'footwear', date: '2026-06-15T00:00:00Z', quantity: 1500};
  for (const code of codes) {
    const words = reasonWords(code, question, {units_remaining: 990});
    assert.doesNotMatch(words, /does not know/, code);
  }
  assert.match(reasonWords('territory', question, {}), /territory US/);
  assert.match(reasonWords('channel', question, {}), /"online"/);
  assert.match(reasonWords('units-exceeded', question, {units_remaining: 990}), /1,500 units are more than the 990 left/);
  assert.match(reasonWords('made-up', question, {}), /does not know: made-up/);
});

test('terms read in words, with the units left under a cap', () => {
  const terms = {commercial_use: true, derivatives_allowed: false, derivatives_reciprocal: false,
    derivatives_approval: false, attribution: true, royalty: {policy: 'LAP', rev_share_ppm: 50_000},
    territories: ['FR'], channels: [], starts_at: '2026-01-01T00:00:00Z', max_units: 1000,
    exclusive: false, sublicensable: false, transferable: false, ai_training: false};
  const summary = Object.fromEntries(termsSummary(terms, 250));
  assert.equal(summary.Units, '1,000 in all; 250 made, 750 left');
  assert.equal(summary.Channels, 'any channel');
  assert.equal(summary.Categories, 'any category');
  assert.match(summary.Territories, /^FR/);
  assert.equal(summary.Royalty, '5% of derivatives\u2019 revenue (LAP)');
  assert.equal(summary['Minting fee'], null);
});
