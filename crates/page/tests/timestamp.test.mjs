// RFC 3339 timestamps as the model reads them (crates/model/src/values.rs
// tests, and the `time` crate's parser): offsets normalised to UTC,
// fractions truncated to nanoseconds, instants compared, not strings.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseTimestamp } from '../assets/js/verify/timestamp.js';

test('timestamps normalise to UTC, the fraction without trailing zeros', () => {
  for (const [input, canonical] of [
    ['2025-03-01T12:00:00Z', '2025-03-01T12:00:00Z'],
    ['2025-03-01T12:00:00+00:00', '2025-03-01T12:00:00Z'],
    ['2025-03-01T13:30:00+01:30', '2025-03-01T12:00:00Z'],
    ['2025-03-01T12:00:00.500Z', '2025-03-01T12:00:00.5Z'],
    ['2025-03-01T12:00:00.000Z', '2025-03-01T12:00:00Z'],
    ['2025-03-01t12:00:00.000000001z', '2025-03-01T12:00:00.000000001Z'],
    ['2025-03-01 12:00:00.1234567891Z', '2025-03-01T12:00:00.123456789Z'],
    ['2025-01-01T00:30:00+01:00', '2024-12-31T23:30:00Z'],
    ['1969-12-31T23:59:59Z', '1969-12-31T23:59:59Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999999999Z'],
    ['2017-01-01T00:59:60+01:00', '2016-12-31T23:59:59.999999999Z'],
  ]) {
    const t = parseTimestamp(input);
    assert.ok(t, input);
    assert.equal(t.toString(), canonical, input);
    assert.equal(parseTimestamp(canonical).compare(t), 0, input);
  }
});

test('anything else is refused', () => {
  for (const bad of [
    '2025-03-01',
    '2025-03-01T12:00Z',
    '2025-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-03-01T24:00:00Z',
    '2025-03-01T12:00:00',
    '2025-03-01T12:00:00+24:00',
    '2025-03-01T12:00:00+01:60',
    '2025-03-01T12:00:00+0100',
    '2025-03-01T12:00:00.Z',
    '2025-03-01T12:00:00Z ',
    '2025-03-01\u00e912:00:00Z',
    '2025-06-30T12:00:60Z',
    '0000-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59-00:01',
    'yesterday',
  ]) {
    assert.equal(parseTimestamp(bad), null, bad);
  }
});

test('instants compare across offsets', () => {
  const a = parseTimestamp('2026-01-01T00:30:00+01:00');
  const b = parseTimestamp('2026-01-01T00:00:00Z');
  assert.ok(a.compare(b) < 0);
  assert.ok(parseTimestamp('2025-01-01T00:00:00.000000001Z').compare(parseTimestamp('2025-01-01T00:00:00Z')) > 0);
});
