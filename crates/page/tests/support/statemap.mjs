// A state map built from its leaves, as fixtures/state/README.md states
// the construction (for tests: the verifier never builds a map): the root,
// and a proof for any key in the proof bytes of the README.

import { concat } from '../../assets/js/verify/bytes.js';
import { mapLeafHash, mapParentHash } from '../../assets/js/verify/hash.js';

const EMPTY = new Uint8Array(32);
const bit = (key, i) => (key[i >> 3] >> (7 - (i % 8))) & 1;

/** The node hash of `leaves` ([key, value hash] pairs sharing a `depth`-bit prefix). */
async function node(leaves, depth) {
  if (leaves.length === 0) return EMPTY;
  if (leaves.length === 1) return mapLeafHash(leaves[0][0], leaves[0][1]);
  const left = leaves.filter(([k]) => bit(k, depth) === 0);
  const right = leaves.filter(([k]) => bit(k, depth) === 1);
  return mapParentHash(await node(left, depth + 1), await node(right, depth + 1));
}

/** The root of the map holding `leaves`. */
export function mapRoot(leaves) {
  return node(leaves, 0);
}

/** The proof bytes for `key` in the map holding `leaves`. */
export async function mapProof(leaves, key) {
  const siblings = [];
  let here = leaves;
  let depth = 0;
  while (here.length > 1) {
    const same = here.filter(([k]) => bit(k, depth) === bit(key, depth));
    const other = here.filter(([k]) => bit(k, depth) !== bit(key, depth));
    siblings.push(await node(other, depth + 1));
    here = same;
    depth++;
  }
  let terminal;
  if (here.length === 0) terminal = Uint8Array.of(0);
  else if (here[0][0].every((b, i) => b === key[i])) terminal = Uint8Array.of(1);
  else terminal = concat(Uint8Array.of(2), here[0][0], here[0][1]);
  const bitmap = new Uint8Array(Math.ceil(depth / 8));
  const given = [];
  siblings.forEach((s, i) => {
    if (s.some((b) => b !== 0)) {
      bitmap[i >> 3] |= 0x80 >> (i % 8);
      given.push(s);
    }
  });
  return concat(Uint8Array.of(depth >> 8, depth & 0xff), terminal, bitmap, ...given);
}
