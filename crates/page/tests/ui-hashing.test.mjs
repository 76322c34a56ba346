// The page's file hashing (assets/js/ui/hashing.js): a file in memory
// (WebCrypto's SHA-256) and a file streamed in chunks (hash-wasm's) give the
// same hashes, the design id of fixtures/ids is its BLAKE3, and the SHA-256
// is Node's own.

import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import {test} from 'node:test';

import {hashFile, hashersReady} from '../assets/js/ui/hashing.js';

const ids = JSON.parse(fs.readFileSync(new URL('../../../fixtures/ids/ids.json', import.meta.url), 'utf8'));

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('a design file hashes to its design id and its SHA-256', async () => {
  assert.equal(await hashersReady, true);
  const bytes = new TextEncoder().encode(ids.design.content_text);
  const hashes = await hashFile(new Blob([bytes]));
  assert.deepEqual(hashes, {blake3: ids.design.design_id, sha256: sha256(bytes), size: bytes.byteLength});
});

test('a file too large to hold is streamed, with the same hashes as in memory', async () => {
  // 64 MiB is the most held in memory: one byte more is streamed.
  const big = new Uint8Array((64 << 20) + 1).map((_, i) => (i * 7) % 253);
  const seen = [];
  const streamed = await hashFile(new Blob([big]), (done) => seen.push(done));
  assert.equal(streamed.sha256, sha256(big));
  assert.equal(streamed.size, big.byteLength);
  assert.equal(seen.at(-1), big.byteLength, 'progress reaches the end');
  // Both paths agree with hash-wasm's one-shot BLAKE3 and Node's SHA-256;
  // the same bytes less the last one are held in memory.
  const lib = globalThis.hashwasm;
  assert.equal(streamed.blake3, await lib.blake3(big));
  const held = await hashFile(new Blob([big.subarray(0, big.byteLength - 1)]));
  assert.equal(held.sha256, sha256(big.subarray(0, big.byteLength - 1)));
  assert.equal(held.blake3, await lib.blake3(big.subarray(0, big.byteLength - 1)));
});
