// What an auditor checks offline (docs/PROTOCOL.md sections 9 and 10):
// receipts, consistency between two checkpoints, and single inclusion
// proofs.
//
// A receipt (crates/model/src/receipt.rs) verifies when JCS(entry) is the
// canonical encoding of a ledger entry, SHA-256(0x00 || JCS(entry)) is its
// `leaf_hash`, the checkpoint is signed by the log's key under its origin,
// and the inclusion proof leads from the leaf at `index` to the
// checkpoint's root.

import { fromHex, toHex } from './bytes.js';
import { verifyCheckpoint } from './checkpoint.js';
import { readEntry } from './entry.js';
import { VerifyError, reason } from './errors.js';
import { hashLeaf } from './hash.js';
import { verifyConsistency as verifyConsistencyProof, verifyInclusion } from './merkle.js';
import { parseNote } from './note.js';
import { jsonOf, shaped } from './proven.js';
import { ConsistencyAnswer, InclusionAnswer, Receipt } from './types.js';

const receiptError = (message) => new VerifyError('receipt', message);

/**
 * Checks a receipt (`POST /v1/entries`' answer, its text or a value from
 * `parseJson`) offline against the log's key.
 *
 * @returns {{checkpoint, index, leafHash, entry: {kind, payload, signatures, loggedAt}}}
 * @throws {VerifyError} code `receipt` (`malformed` when it is not a receipt's shape).
 */
export async function verifyReceipt(receipt, logKey) {
  const r = shaped('the receipt is not a receipt', (v) => Receipt.read(v, ''), jsonOf(receipt));
  let entry;
  try {
    entry = readEntry(r.entry);
  } catch (e) {
    throw receiptError(reason(e));
  }
  if (toHex(await hashLeaf(entry.leafBytes)) !== r.leaf_hash) {
    throw receiptError('the leaf hash is not SHA-256(0x00 || JCS(entry))');
  }
  try {
    parseNote(r.checkpoint);
  } catch (e) {
    throw receiptError(reason(e));
  }
  let checkpoint;
  try {
    checkpoint = await verifyCheckpoint(r.checkpoint, logKey);
  } catch (e) {
    throw receiptError(reason(e));
  }
  try {
    const proof = r.inclusion_proof.map((h) => fromHex(h, 32));
    await verifyInclusion(r.index, checkpoint.size, fromHex(r.leaf_hash, 32), proof, checkpoint.root);
  } catch (e) {
    throw receiptError(`the inclusion proof of entry ${r.index}: ${reason(e)}`);
  }
  const { kind, rawPayload, signatures, loggedAt } = entry;
  return { checkpoint, index: r.index, leafHash: r.leaf_hash, entry: { kind, payload: rawPayload, signatures, loggedAt } };
}

/** A checkpoint given as text (verified here under `logKey`) or as `verifyCheckpoint` returned it. */
function checkpointOf(c, logKey) {
  return typeof c === 'string' ? verifyCheckpoint(c, logKey) : c;
}

/**
 * Checks that the log of checkpoint `newer` extends the log of checkpoint
 * `older` with `proofAnswer` (`GET /v1/proofs/consistency`'s answer). The
 * checkpoints are texts (then `logKey` is needed) or verified checkpoints.
 *
 * @throws {VerifyError} `checkpoint`, `proof-size`, `inconsistent` (or `malformed`).
 */
export async function verifyConsistency(older, newer, proofAnswer, logKey) {
  const old = await checkpointOf(older, logKey);
  const cur = await checkpointOf(newer, logKey);
  const a = shaped('the answer is not a consistency proof', (v) => ConsistencyAnswer.read(v, ''), jsonOf(proofAnswer));
  for (const [said, cp] of [
    [a.from, old],
    [a.to, cur],
  ]) {
    if (said !== cp.size) throw new VerifyError('proof-size', `the proof is for size ${said}, the checkpoint is of size ${cp.size}`);
  }
  try {
    const proof = a.consistency_proof.map((h) => fromHex(h, 32));
    await verifyConsistencyProof(a.from, a.to, old.root, cur.root, proof);
  } catch (e) {
    throw new VerifyError('inconsistent', `the log at size ${a.to} does not extend the log at size ${a.from}: ${reason(e)}`);
  }
  return { old, new: cur };
}

/**
 * Checks that `inclusionAnswer` (`GET /v1/proofs/inclusion`'s answer) puts
 * `leafHash` (hex) at its index in the tree of `checkpoint` (text, with
 * `logKey`, or verified).
 *
 * @throws {VerifyError} `checkpoint`, `proof-size`, `proof` (or `malformed`).
 */
export async function verifyInclusionAnswer(inclusionAnswer, leafHash, checkpoint, logKey) {
  const cp = await checkpointOf(checkpoint, logKey);
  const a = shaped('the answer is not an inclusion proof', (v) => InclusionAnswer.read(v, ''), jsonOf(inclusionAnswer));
  if (a.tree_size !== cp.size) throw new VerifyError('proof-size', `the proof is for size ${a.tree_size}, the checkpoint is of size ${cp.size}`);
  const leaf = fromHex(leafHash, 32);
  if (leaf === null) throw new VerifyError('malformed', 'the leaf hash is not 64 lower-case hex digits');
  try {
    await verifyInclusion(a.index, cp.size, leaf, a.inclusion_proof.map((h) => fromHex(h, 32)), cp.root);
  } catch (e) {
    throw new VerifyError('proof', `the proof of entry ${a.index} does not verify under the checkpoint's root: ${reason(e)}`);
  }
  return cp;
}
