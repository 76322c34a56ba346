// An answer's proven state (docs/PROTOCOL.md section 11, steps 5 and 6;
// crates/api/src/state.rs): the log's latest `state.commit` with its
// inclusion proof, and each record with its proof in the state map under
// the committed root.
//
// 5. the commitment is the last entry of the checkpoint's tree, its
//    inclusion proof verifies, it is a `state.commit` signed by the log's
//    key alone, and its `size` is its own index;
// 6. every record's map proof verifies under the committed root, with the
//    record's value hash when present, as absence when it is null.

import { fromBase64, fromHex, toBase64 } from './bytes.js';
import { VerifyError, inOrder, reason } from './errors.js';
import { readEntry, verifySigners } from './entry.js';
import { hashLeaf } from './hash.js';
import { verifyInclusion } from './merkle.js';
import { ProvenState } from './provenstate.js';
import { keyProblem } from './ed25519.js';
import { readVerifierKey } from './note.js';
import { decodeMapProof, describeKey, mapKey, readRecord, valueHash, verifyMapProof } from './statemap.js';

const stateError = (message) => new VerifyError('state', `the proven state does not verify: ${message}`);

/** The commitment, checked against `checkpoint` (already verified under `logKey`); returns its root. */
async function verifyCommit(commit, checkpoint, logKey) {
  if (commit.index + 1 !== checkpoint.size) {
    throw stateError(`the commitment is entry ${commit.index}, not the last entry of the tree of size ${checkpoint.size}`);
  }
  let entry;
  try {
    entry = readEntry(commit.entry);
  } catch (e) {
    throw stateError(`the commitment entry: ${reason(e)}`);
  }
  try {
    const proof = commit.inclusion_proof.map((h) => fromHex(h, 32));
    await verifyInclusion(commit.index, checkpoint.size, await hashLeaf(entry.leafBytes), proof, checkpoint.root);
  } catch (e) {
    throw new VerifyError('proof', `the proof of entry ${commit.index} does not verify under the checkpoint's root: ${reason(e)}`);
  }
  if (entry.kind !== 'state.commit') throw stateError(`entry ${commit.index} is a ${entry.kind}, not a state.commit`);
  const problem = keyProblem(logKey.publicKey);
  if (problem !== null) throw stateError(`the log key: ${problem}`);
  const log = `ed25519:${toBase64(logKey.publicKey)}`;
  let signers;
  try {
    signers = await verifySigners(entry);
  } catch (e) {
    throw stateError(`the commitment's signature: ${reason(e)}`);
  }
  if (signers.length !== 1 || signers[0] !== log) throw stateError("the commitment is not signed by the log's key alone");
  if (entry.payload.size !== commit.index) {
    throw stateError(`the commitment at index ${commit.index} commits to ${entry.payload.size} entries`);
  }
  return fromHex(entry.payload.root, 32);
}

/** One record's proof under `root`: its key and record (null: absent), once checked. */
async function verifyRecord(r, root) {
  const what = describeKey(r.key);
  const bytes = fromBase64(r.proof);
  if (bytes === null) throw stateError(`the proof of ${what} is not base64`);
  let proof;
  let record = null;
  try {
    proof = decodeMapProof(bytes);
  } catch (e) {
    throw stateError(`the proof of ${what}: ${reason(e)}`);
  }
  try {
    if (r.record !== null) record = readRecord(r.key, r.record);
  } catch (e) {
    throw stateError(`the record of ${what}: ${reason(e)}`);
  }
  const value = record === null ? null : await valueHash(record);
  try {
    await verifyMapProof(proof, root, await mapKey(r.key), value);
  } catch (e) {
    const kind = record === null ? 'absence' : 'record';
    throw stateError(`the ${kind} of ${what} does not verify under the committed state root: ${reason(e)}`);
  }
  return record;
}

/**
 * Checks a proven state (the `state` member of an answer, read) against
 * `checkpoint` (verified under `logKey`) and returns the proven records.
 *
 * @throws {VerifyError} code `state` (or `proof` for the commitment's inclusion).
 */
export async function verifyStateProof(state, checkpoint, logKey) {
  const key = typeof logKey === 'string' ? await readVerifierKey(logKey) : logKey;
  const root = await verifyCommit(state.commit, checkpoint, key);
  const records = await inOrder(state.records.map((r) => verifyRecord(r, root)));
  const proven = new ProvenState();
  state.records.forEach((r, i) => proven.insert(r.key, records[i]));
  return proven;
}
