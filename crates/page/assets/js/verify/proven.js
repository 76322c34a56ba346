// Proven answers (docs/PROTOCOL.md section 11, steps 1 to 4;
// crates/api/src/verify.rs `verify_entries`): an answer's members plus
// `{tree_size, checkpoint, proofs, state?}`.
//
// 1. the checkpoint is signed by the log's key, under the log's origin;
// 2. `tree_size` is the checkpoint's size;
// 3. every proof verifies under the checkpoint's root for its index and leaf hash;
// 4. every entry the answer rests on has one of those proofs (same index, same leaf hash).

import { fromHex } from './bytes.js';
import { verifyCheckpoint } from './checkpoint.js';
import { VerifyError, inOrder, reason } from './errors.js';
import { parseJson } from './json.js';
import { verifyInclusion } from './merkle.js';
import { ShapeError, readFields } from './shape.js';
import { PROVEN } from './types.js';

/** A JSON answer: its text (read strictly) or a value from `parseJson`. */
export function jsonOf(answer) {
  return typeof answer === 'string' ? parseJson(answer) : answer;
}

/** Reads `value` with `read`, a shape failure becoming `malformed` under `what`. */
export function shaped(what, read, value) {
  try {
    return read(value);
  } catch (e) {
    if (e instanceof ShapeError) throw new VerifyError('malformed', `${what}: ${e.message}`);
    throw e;
  }
}

/**
 * Reads a proven answer: `{answer, tree_size, checkpoint, proofs, state}`,
 * `answer` the canonical reading of `fields` (the answer's own members;
 * unknown members are ignored, as serde's `flatten` does).
 */
export function readProven(what, fields, value) {
  return shaped(`the answer is not ${what}`, (v) => {
    const proven = readFields(PROVEN, v, '');
    return { ...proven, answer: readFields(fields, v, '') };
  }, value);
}

/**
 * Steps 1 to 4 for a proven answer already read, resting on the entries
 * `restsOn` ([{index, leaf_hash, ...}]); with `needProofs`, an answer that
 * names no entry and carries no proof is refused.
 *
 * @returns the verified checkpoint.
 */
export async function verifyProvenEntries(proven, restsOn, logKey, needProofs) {
  const checkpoint = await verifyCheckpoint(proven.checkpoint, logKey);
  if (proven.tree_size !== checkpoint.size) {
    throw new VerifyError('size-mismatch', `the answer says size ${proven.tree_size}, its checkpoint ${checkpoint.size}`);
  }
  await inOrder(
    proven.proofs.map(async (p) => {
      try {
        const proof = p.inclusion_proof.map((h) => fromHex(h, 32));
        await verifyInclusion(p.index, checkpoint.size, fromHex(p.leaf_hash, 32), proof, checkpoint.root);
      } catch (e) {
        throw new VerifyError('proof', `the proof of entry ${p.index} does not verify under the checkpoint's root: ${reason(e)}`);
      }
    }),
  );
  const provenSet = new Set(proven.proofs.map((p) => `${p.index} ${p.leaf_hash}`));
  if (needProofs && restsOn.length === 0 && provenSet.size === 0) {
    throw new VerifyError('no-proofs', 'the answer carries no proof');
  }
  const missing = restsOn.find((r) => !provenSet.has(`${r.index} ${r.leaf_hash}`));
  if (missing !== undefined) throw new VerifyError('unproven', `the answer names entry ${missing.index} without proving it`);
  return checkpoint;
}
