// Consistency proofs computed from a log's published tiles alone (a bucket,
// a CDN: docs/PROTOCOL.md sections 9 and 19), where no server answers
// /v1/proofs/consistency.
//
// A hash at Merkle level 8L + k, position n, is the root of the 2^k
// adjacent hashes n*2^k .. (n+1)*2^k - 1 of the level-L tile that holds
// them. The proof is RFC 9162's (section 2.1.4.1), built from such hashes;
// nothing fetched is trusted: the proof is then verified against both
// signed roots, so altered tiles make it fail, never pass.

import { hashNode } from './hash.js';

const WIDTH = 256;
const HEIGHT = 8;

/** C2SP tile index path: 1234067 is x001/x234/067. */
export function indexPath(n) {
  const digits = String(n);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/\d{3}/g);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The width of hash tile `index` at tile `level` in a tree of `size` leaves (0: none). */
export function tileWidth(level, index, size) {
  const count = Math.floor(size / 2 ** (HEIGHT * level));
  return Math.max(0, Math.min(WIDTH, count - index * WIDTH));
}

/** The path of hash tile `index` at `level` with `width` hashes. */
export function tilePath(level, index, width) {
  return `tile/${level}/${indexPath(index)}${width === WIDTH ? '' : `.p/${width}`}`;
}

/**
 * The hashes of the tree of `size` leaves, read through
 * `fetchTile(path) -> Promise<Uint8Array>`; each tile fetched once.
 */
export function tileHashes(size, fetchTile) {
  const tiles = new Map();
  const tile = (level, index, width) => {
    const path = tilePath(level, index, width);
    if (!tiles.has(path)) {
      // A partial that is gone (deleted once its full tile was published)
      // is the start of the full tile (C2SP tlog-tiles).
      const fetched = fetchTile(path).catch(async (error) => {
        if (width === WIDTH) throw error;
        return (await fetchTile(tilePath(level, index, WIDTH))).subarray(0, width * 32);
      });
      tiles.set(path, fetched.then((bytes) => {
        if (!(bytes instanceof Uint8Array) || bytes.length !== width * 32) {
          throw new Error(`${path} is not ${width} hashes`);
        }
        return bytes;
      }));
    }
    return tiles.get(path);
  };
  /** The hash at Merkle `level`, position `n`. */
  return async function hashAt(level, n) {
    const tileLevel = Math.floor(level / HEIGHT);
    const below = 2 ** (level % HEIGHT);
    const first = n * below;
    const index = Math.floor(first / WIDTH);
    const start = first % WIDTH;
    const width = tileWidth(tileLevel, index, size);
    if (width < start + below) throw new Error(`hash ${n} at level ${level} is not in the tree of ${size}`);
    const bytes = await tile(tileLevel, index, width);
    let hashes = [];
    for (let i = start; i < start + below; i++) hashes.push(bytes.subarray(i * 32, (i + 1) * 32));
    while (hashes.length > 1) {
      const up = [];
      for (let i = 0; i < hashes.length; i += 2) up.push(await hashNode(hashes[i], hashes[i + 1]));
      hashes = up;
    }
    return hashes[0];
  };
}

const largestPowerBelow = (n) => 2 ** Math.floor(Math.log2(n - 1));

/** MTH of the `size` leaves from `start` (aligned as RFC 9162's recursion aligns them). */
async function subtreeHash(hashAt, start, size) {
  if (Number.isInteger(Math.log2(size))) {
    const level = Math.log2(size);
    return hashAt(level, start / size);
  }
  const k = largestPowerBelow(size);
  return hashNode(await subtreeHash(hashAt, start, k), await subtreeHash(hashAt, start + k, size - k));
}

async function subproof(hashAt, m, start, n, complete) {
  if (m === n) return complete ? [] : [await subtreeHash(hashAt, start, n)];
  const k = largestPowerBelow(n);
  if (m <= k) {
    return [...(await subproof(hashAt, m, start, k, complete)), await subtreeHash(hashAt, start + k, n - k)];
  }
  return [...(await subproof(hashAt, m - k, start + k, n - k, false)), await subtreeHash(hashAt, start, k)];
}

/**
 * The consistency proof from the tree of `from` leaves to the tree of `to`
 * leaves (0 < from <= to), from `to`'s tiles: RFC 9162 section 2.1.4.1.
 */
export async function consistencyFromTiles(from, to, fetchTile) {
  if (!(from > 0 && from <= to)) throw new Error(`no consistency proof from ${from} to ${to}`);
  return subproof(tileHashes(to, fetchTile), from, 0, to, true);
}
