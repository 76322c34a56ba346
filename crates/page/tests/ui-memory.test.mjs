// This browser's memory of a log (assets/js/ui/memory.js): the first
// checkpoint is remembered, a larger one must extend it (the consistency
// proof is fetched and checked), a smaller one is a stale answer, and one
// of the same size with another root is a fork shown with both. The
// browser's localStorage, location and fetch are stood in for.

import assert from 'node:assert/strict';
import {afterEach, beforeEach, test} from 'node:test';

import {ago, hold} from '../assets/js/ui/memory.js';
import {parseLogKey, verifyCheckpoint} from '../assets/js/verify/index.js';
import {TestLog} from './support/ledger.mjs';

/** A log of `n` entries whose leaves start with `salt`. */
function logOf(n, salt) {
  const log = new TestLog();
  for (let i = 0; i < n; i++) log.append('usage.record', {salt, i}, []);
  return log;
}

let served; // the log the stand-in server answers proofs from
let asked; // the proof requests it answered

beforeEach(() => {
  const store = new Map();
  globalThis.localStorage = {
    getItem: (k) => store.get(k) ?? null,
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  };
  globalThis.location = new URL('http://ledger.test/verify/');
  asked = [];
  globalThis.fetch = async (url) => {
    const u = new URL(url);
    const from = Number(u.searchParams.get('from'));
    const to = Number(u.searchParams.get('to'));
    asked.push([from, to]);
    const body = JSON.stringify({from, to, consistency_proof: served.consistency(from, to)});
    return {status: 200, ok: true, headers: {get: () => 'application/json'}, text: async () => body};
  };
});

afterEach(() => {
  delete globalThis.localStorage;
  delete globalThis.location;
  delete globalThis.fetch;
});

async function at(log, size, key) {
  return verifyCheckpoint(log.checkpoint(size), key);
}

test('a larger checkpoint must extend the remembered one; a smaller one is stale', async () => {
  const log = logOf(9, 'a');
  served = log;
  const key = await parseLogKey(log.verifierKey);
  const t0 = Date.UTC(2026, 11, 1);
  assert.match(await hold(await at(log, 5, key), key, t0), /first time/);
  assert.match(await hold(await at(log, 5, key), key, t0 + 3 * 60_000), /first saw it 3 minutes ago/);
  assert.match(await hold(await at(log, 9, key), key, t0 + 3_600_000), /extends the log this browser verified at size 5 \(1 hour ago\)/);
  assert.deepEqual(asked, [[5, 9]]);
  await assert.rejects(hold(await at(log, 5, key), key, t0 + 3_700_000), /stale: the answer is at log size 5, and this browser already verified the log at size 9/);
});

test('a fork is reported with both checkpoints', async () => {
  const honest = logOf(6, 'a');
  const forked = logOf(6, 'b');
  const key = await parseLogKey(honest.verifierKey);
  served = honest;
  await hold(await at(honest, 6, key), key);
  const other = await at(forked, 6, key);
  await assert.rejects(hold(other, key), (error) => {
    assert.match(error.message, /fork: two different trees of size 6/);
    assert.ok(error.message.includes(honest.checkpoint(6)));
    assert.ok(error.message.includes(forked.checkpoint(6)));
    return true;
  });
  // Larger, with no consistency proof from the remembered tree: a fork too.
  const longer = logOf(8, 'b');
  served = longer;
  await assert.rejects(hold(await at(longer, 8, key), key), /fork: /);
});

test('ages read as people say them', () => {
  const now = 1_000_000_000;
  assert.equal(ago(now, now), 'just now');
  assert.equal(ago(now - 42_000, now), '42 seconds ago');
  assert.equal(ago(now - 60_000, now), '1 minute ago');
  assert.equal(ago(now - 7_200_000, now), '2 hours ago');
  assert.equal(ago(now - 3 * 86_400_000, now), '3 days ago');
});
