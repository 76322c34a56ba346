// RFC 8785 against its authors' vectors (fixtures/jcs), and the strict
// JSON reader and byte encodings under it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

import { fromBase64, fromHex, toBase64, toHex } from '../assets/js/verify/bytes.js';
import { VerifyError } from '../assets/js/verify/errors.js';
import { OtherNumber, parseJson } from '../assets/js/verify/json.js';
import { canonicalize, jcs } from '../assets/js/verify/jcs.js';
import { fixturePath } from './support/files.mjs';

// `structures` and `values` hold fractions and exponents, which no signed
// payload or state record carries: Provenant's JCS refuses them (as
// crates/model/tests/jcs.rs does), so they are checked to be refused.
const FLOATS = new Set(['structures.json', 'values.json']);

test('RFC 8785 vectors: the canonical bytes, or a refusal for the float vectors', () => {
  const names = readdirSync(fixturePath('jcs/input')).sort();
  assert.deepEqual(names, ['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']);
  for (const name of names) {
    const input = parseJson(readFileSync(fixturePath(`jcs/input/${name}`), 'utf8'));
    const output = new Uint8Array(readFileSync(fixturePath(`jcs/output/${name}`)));
    if (FLOATS.has(name)) {
      assert.throws(() => jcs(input), TypeError, name);
    } else {
      assert.deepEqual(jcs(input), output, name);
    }
  }
});

test('members sort by UTF-16 code units, not code points or bytes', () => {
  // U+FB33 (one unit, 0xFB33) sorts after U+1F602 (surrogates 0xD83D...).
  assert.equal(canonicalize(parseJson('{"\\ufb33":1,"\\ud83d\\ude02":2,"a":3}')), '{"a":3,"\u{1F602}":2,"\uFB33":1}');
});

test('strings are escaped as JSON.stringify escapes them', () => {
  assert.equal(canonicalize('\u0000\u001f"\\/\u007f\u2028'), '"\\u0000\\u001f\\"\\\\/\u007f\u2028"');
});

const refused = (text) => assert.throws(() => parseJson(text), (e) => e instanceof VerifyError && e.code === 'malformed', text);

test('a member name repeated in one object is refused, at any depth', () => {
  refused('{"a":1,"a":1}');
  refused('{"x":[{"payload":{},"payload":{}}]}');
  assert.deepEqual(parseJson('{"a":{"a":1},"b":{"a":2}}'), { a: { a: 1 }, b: { a: 2 } });
});

test('only RFC 8259 is read', () => {
  for (const text of ['', ' ', '{', '[1,]', '{"a":1,}', '01', '1.', '.5', '+1', '"\\x"', '"\t"', "'a'", '[1] 2', 'nul', '{a:1}', '"\\ud800"', '"\\udc00x"', '1e400']) {
    refused(text);
  }
  assert.deepEqual(parseJson(' \t\r\n[true,false,null,"\\u00e9\\ud83d\\ude02"]\n'), [true, false, null, 'é😂']);
});

test('nesting stops at 127 levels, as serde_json does', () => {
  assert.doesNotThrow(() => parseJson('['.repeat(127) + ']'.repeat(127)));
  refused('['.repeat(128) + ']'.repeat(128));
});

test('numbers: plain integers up to 2^53 - 1 are numbers, any other is kept apart and not canonical', () => {
  assert.equal(parseJson('9007199254740991'), 9007199254740991);
  for (const text of ['9007199254740992', '-1', '-0', '1.0', '1e2', '18446744073709551615']) {
    const n = parseJson(text);
    assert.ok(n instanceof OtherNumber, text);
    assert.equal(n.text, text);
    assert.throws(() => canonicalize(n), TypeError, text);
  }
});

test('a member named __proto__ is an ordinary member', () => {
  const v = parseJson('{"__proto__":{"x":1}}');
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(canonicalize(v), '{"__proto__":{"x":1}}');
});

test('hex is lower-case, base64 canonical and padded', () => {
  assert.deepEqual(fromHex('00ff'), Uint8Array.of(0, 255));
  assert.equal(fromHex('00FF'), null);
  assert.equal(fromHex('0f0'), null);
  assert.equal(toHex(Uint8Array.of(1, 171)), '01ab');
  for (const bytes of [[], [1], [1, 2], [1, 2, 3], [255, 254, 253, 252]]) {
    const b = Uint8Array.from(bytes);
    assert.deepEqual(fromBase64(toBase64(b)), b);
  }
  assert.equal(toBase64(Uint8Array.of(0xfb, 0xff)), '+/8=');
  for (const text of ['AQ', 'AQ=', 'AR==', 'AQI', 'AQI=x', 'A===', ' AQ==', 'AQ==\n', '-_8=']) {
    assert.equal(fromBase64(text), null, text);
  }
  assert.equal(fromBase64('AQI=', 3), null);
});
