// Consistency proofs from published tiles: a tree of 4,200 leaves laid
// out as C2SP tiles in memory; every proof computed from them verifies
// against the roots computed from the leaves, and altered tiles make it
// fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { hashLeaf, hashNode } from '../assets/js/verify/hash.js';
import { verifyConsistency } from '../assets/js/verify/merkle.js';
import { consistencyFromTiles, indexPath, tilePath, tileWidth } from '../assets/js/verify/tiles.js';

/** Every level of the tree's complete subtrees: levels[l][n]. */
async function levelsOf(leaves) {
  const levels = [leaves];
  while (levels.at(-1).length > 1) {
    const below = levels.at(-1);
    const up = [];
    for (let i = 0; i + 1 < below.length; i += 2) up.push(await hashNode(below[i], below[i + 1]));
    levels.push(up);
  }
  return levels;
}

async function rootOf(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
  return hashNode(await rootOf(leaves.slice(0, k)), await rootOf(leaves.slice(k)));
}

/** The tiles of the tree of `size` leaves, by path. */
function tilesOf(levels, size) {
  const tiles = new Map();
  for (let level = 0; 8 * level < levels.length; level++) {
    const hashes = levels[8 * level].slice(0, Math.floor(size / 2 ** (8 * level)));
    for (let index = 0; tileWidth(level, index, size) > 0; index++) {
      const width = tileWidth(level, index, size);
      const bytes = new Uint8Array(width * 32);
      hashes.slice(index * 256, index * 256 + width).forEach((h, i) => bytes.set(h, i * 32));
      tiles.set(tilePath(level, index, width), bytes);
    }
  }
  return tiles;
}

test('tile paths are the C2SP ones', () => {
  assert.equal(indexPath(0), '000');
  assert.equal(indexPath(1234067), 'x001/x234/067');
  assert.equal(tilePath(0, 1, 256), 'tile/0/001');
  assert.equal(tilePath(1, 0, 17), 'tile/1/000.p/17');
  assert.equal(tileWidth(0, 1, 300), 44);
  assert.equal(tileWidth(1, 0, 300), 1);
  assert.equal(tileWidth(2, 0, 300), 0);
});

test('proofs from tiles verify against the roots, and altered tiles fail them', async () => {
  const size = 4_200;
  const leaves = [];
  for (let i = 0; i < size; i++) leaves.push(await hashLeaf(new TextEncoder().encode(`entry ${i}`)));
  const levels = await levelsOf(leaves);
  for (const [from, to] of [[1, 2], [3, 300], [255, 257], [256, 512], [300, 4_096], [4_099, 4_200], [4_200, 4_200]]) {
    const tiles = tilesOf(levels, to);
    let fetched = 0;
    const fetchTile = async (path) => {
      fetched += 1;
      const bytes = tiles.get(path);
      if (!bytes) throw new Error(`${path} is not published`);
      return bytes;
    };
    const proof = await consistencyFromTiles(from, to, fetchTile);
    const [oldRoot, newRoot] = [await rootOf(leaves.slice(0, from)), await rootOf(leaves.slice(0, to))];
    await verifyConsistency(from, to, oldRoot, newRoot, proof);
    assert.ok(fetched <= 8, `${fetched} tiles for ${from} -> ${to}`);

    // With the partials gone, as after a publisher's clean-up, proofs read
    // the full tiles' starts where the full tile exists.
    const later = tilesOf(levels, size);
    const cleaned = async (path) => {
      if (path.includes('.p/') && later.has(path.replace(/\.p\/\d+$/, ''))) throw new Error(`${path} is gone`);
      return tiles.get(path) ?? later.get(path);
    };
    await verifyConsistency(from, to, oldRoot, newRoot, await consistencyFromTiles(from, to, cleaned));

    if (proof.length > 0) {
      const altered = new Map([...tiles].map(([p, b]) => [p, b.slice()]));
      for (const bytes of altered.values()) bytes.forEach((b, i) => { bytes[i] = b ^ 1; });
      const bad = await consistencyFromTiles(from, to, async (p) => altered.get(p));
      await assert.rejects(verifyConsistency(from, to, oldRoot, newRoot, bad));
    }
  }
});
