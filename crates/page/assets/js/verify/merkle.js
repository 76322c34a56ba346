// RFC 9162 proof verification (crates/tlog/src/proof.rs): inclusion
// (section 2.1.3.2) and consistency (section 2.1.4.2), bit by bit, over
// RFC 6962 hashing. Indexes and sizes are numbers; the bit arithmetic runs
// on BigInt so that no size is cut to 32 bits.

import { equal } from './bytes.js';
import { hashNode } from './hash.js';

/** Why a proof does not verify. */
export class ProofError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProofError';
  }
}

const bad = (message) => {
  throw new ProofError(message);
};

/** The largest power of two strictly less than `n` (n >= 2). */
function split(n) {
  let k = 1n;
  while (k * 2n < n) k *= 2n;
  return k;
}

/** The length of the inclusion proof of `index` in a tree of `size`. */
export function inclusionProofLength(index, size) {
  let [m, n, len] = [BigInt(index), BigInt(size), 0];
  while (n > 1n) {
    const k = split(n);
    if (m < k) n = k;
    else [m, n] = [m - k, n - k];
    len++;
  }
  return len;
}

/** The length of the consistency proof from `old` to `size`. */
export function consistencyProofLength(old, size) {
  let [m, n, whole, len] = [BigInt(old), BigInt(size), true, 0];
  while (m !== n && m !== 0n) {
    const k = split(n);
    if (m <= k) n = k;
    else [m, n, whole] = [m - k, n - k, false];
    len++;
  }
  return len + (whole ? 0 : 1);
}

/**
 * Checks that `leaf` (a leaf hash) is at `index` in the tree of `size`
 * leaves whose root is `root`, with `proof` (leaf sibling first).
 *
 * @throws {ProofError}
 */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index < size)) bad(`index ${index} is beyond the tree of size ${size}`);
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) bad(`the proof has ${proof.length} hashes, not ${expected}`);
  let fnode = BigInt(index);
  let snode = BigInt(size) - 1n;
  let r = leaf;
  for (const p of proof) {
    if (snode === 0n) bad(`the proof has ${proof.length} hashes, not ${expected}`);
    if ((fnode & 1n) === 1n || fnode === snode) {
      r = await hashNode(p, r);
      while ((fnode & 1n) === 0n && fnode !== 0n) {
        fnode >>= 1n;
        snode >>= 1n;
      }
    } else {
      r = await hashNode(r, p);
    }
    fnode >>= 1n;
    snode >>= 1n;
  }
  if (!(snode === 0n && equal(r, root))) bad('the proof does not lead to the root');
}

/**
 * Checks that the tree of `size` leaves with root `newRoot` extends the
 * tree of `old` leaves with root `oldRoot`.
 *
 * @throws {ProofError}
 */
export async function verifyConsistency(old, size, oldRoot, newRoot, proof) {
  if (old === 0) bad('no consistency proof starts from the empty tree');
  if (old > size) bad(`sizes out of order: ${old} after ${size}`);
  const expected = consistencyProofLength(old, size);
  if (proof.length !== expected) bad(`the proof has ${proof.length} hashes, not ${expected}`);
  if (old === size) {
    if (!equal(oldRoot, newRoot)) bad('the roots of the same size differ');
    return;
  }
  const m = BigInt(old);
  // When the old tree is a complete subtree, its root is the proof's
  // implicit first element.
  const complete = (m & (m - 1n)) === 0n;
  const path = complete ? proof : proof.slice(1);
  if (!complete && proof.length === 0) bad('the proof does not lead to the roots');
  const first = complete ? oldRoot : proof[0];
  let fnode = m - 1n;
  let snode = BigInt(size) - 1n;
  while ((fnode & 1n) === 1n) {
    fnode >>= 1n;
    snode >>= 1n;
  }
  let [fr, sr] = [first, first];
  for (const c of path) {
    if (snode === 0n) bad('the proof does not lead to the roots');
    if ((fnode & 1n) === 1n || fnode === snode) {
      fr = await hashNode(c, fr);
      sr = await hashNode(c, sr);
      while ((fnode & 1n) === 0n && fnode !== 0n) {
        fnode >>= 1n;
        snode >>= 1n;
      }
    } else {
      sr = await hashNode(sr, c);
    }
    fnode >>= 1n;
    snode >>= 1n;
  }
  if (!(snode === 0n && equal(fr, oldRoot) && equal(sr, newRoot))) bad('the proof does not lead to the roots');
}
