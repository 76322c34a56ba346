// The page's closed lists (assets/js/ui/vocabulary.js) against the model's
// Rust source, so a term added to the model without its words here fails.

import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';

import {
  ACTIONS, CATEGORIES, CHANNELS, DIGITAL_SOURCE_TYPES, IPTC_BASE, TERRITORIES, digitalSourceWords,
} from '../assets/js/ui/vocabulary.js';

const model = (file) => readFileSync(new URL(`../../model/src/${file}`, import.meta.url), 'utf8');

/** The string literals of a Rust `const NAME: ... = ...;` item. */
function constStrings(source, name) {
  const start = source.indexOf(`const ${name}:`);
  assert.ok(start >= 0, `${name} is in the model`);
  const body = source.slice(start, source.indexOf('];', start));
  return [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

/** The labels of a scope.rs table: the first string of each `top(...)` or `under(...)`. */
function scopeLabels(source, name) {
  const start = source.indexOf(`const ${name}: &[Term]`);
  assert.ok(start >= 0, `${name} is in scope.rs`);
  const body = source.slice(start, source.indexOf('];', start));
  return [...body.matchAll(/(?:top|under)\(\s*(?:[A-Z]+,\s*)?"([^"]+)"/g)].map((m) => m[1]);
}

test('every IPTC digital source type the model accepts has words', () => {
  const terms = constStrings(model('vocab.rs'), 'IPTC_TERMS');
  assert.ok(terms.length >= 20);
  assert.deepEqual(Object.keys(DIGITAL_SOURCE_TYPES).sort(), [...terms].sort());
  for (const term of terms) assert.doesNotMatch(digitalSourceWords(IPTC_BASE + term), /unknown/);
  assert.match(digitalSourceWords(`${IPTC_BASE}madeUp`), /unknown source type/);
});

test('channels and categories are the model\u2019s, in its order', () => {
  const scope = model('scope.rs');
  assert.deepEqual(CHANNELS.map(([label]) => label), scopeLabels(scope, 'CHANNELS'));
  assert.deepEqual(CATEGORIES.map(([label]) => label), scopeLabels(scope, 'CATEGORIES'));
});

test('territories are the model\u2019s ISO 3166-1 codes', () => {
  const source = model('vocab.rs');
  const start = source.indexOf('const ISO_3166_ALPHA2');
  const text = source.slice(source.indexOf('"', start) + 1, source.indexOf('";', start)).replace(/\\\n/g, ' ');
  assert.deepEqual(TERRITORIES, text.split(/\s+/).filter(Boolean));
});

test('actions are the model\u2019s', () => {
  const check = model('check.rs');
  const body = check.slice(check.indexOf('pub enum Action'), check.indexOf('}', check.indexOf('pub enum Action')));
  const kebab = [...body.matchAll(/^\s+([A-Z][A-Za-z]+),$/gm)].map((m) => m[1].replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase()));
  assert.deepEqual(ACTIONS.map(([value]) => value), kebab);
});
