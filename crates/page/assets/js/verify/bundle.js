// C2SP tlog-proof bundles (crates/tlog/src/bundle.rs):
//
//   c2sp.org/tlog-proof@v1\n
//   [extra <base64 opaque data>\n]
//   index <decimal leaf index>\n
//   <base64 hash>\n ...            the inclusion proof, leaf sibling first
//   \n
//   <the signed checkpoint note, verbatim>
//
// Verifying needs the entry's leaf bytes and the log's key: the
// checkpoint's signature, then the inclusion of SHA-256(0x00 || entry) at
// the index under the checkpoint's root.

import { fromBase64, toBase64 } from './bytes.js';
import { verifyCheckpoint, parseDecimal } from './checkpoint.js';
import { VerifyError, reason } from './errors.js';
import { hashLeaf } from './hash.js';
import { verifyInclusion } from './merkle.js';
import { parseNote } from './note.js';

const HEADER = 'c2sp.org/tlog-proof@v1';
const MAX_PROOF_HASHES = 63;

function bad(message) {
  throw new VerifyError('bundle', `the proof bundle does not verify: ${message}`);
}

/** Parses a bundle strictly: `{extra, index, proof, checkpoint}` (checkpoint: the note text). */
export function parseBundle(text) {
  if (typeof text !== 'string') bad('a proof bundle is text');
  const blank = text.indexOf('\n\n');
  if (blank < 0) bad('no blank line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (lines.shift() !== HEADER) bad(`first line must be ${HEADER}`);
  let line = lines.shift();
  if (line === undefined) bad('missing index line');
  let extra = null;
  if (line.startsWith('extra ')) {
    const data = line.slice('extra '.length);
    extra = fromBase64(data);
    if (extra === null) bad('extra is not canonical base64');
    line = lines.shift();
    if (line === undefined) bad('missing index line');
  }
  const index = line.startsWith('index ') ? parseDecimal(line.slice('index '.length)) : null;
  if (index === null) bad('index must be `index` and a decimal with no leading zeros');
  const proof = [];
  for (const l of lines) {
    if (proof.length === MAX_PROOF_HASHES) bad('too many proof hashes');
    const h = fromBase64(l, 32);
    if (h === null || toBase64(h) !== l) bad('proof lines must be base64 hashes');
    proof.push(h);
  }
  try {
    parseNote(checkpoint);
  } catch (e) {
    bad(`the checkpoint: ${reason(e)}`);
  }
  if (index > BigInt(Number.MAX_SAFE_INTEGER)) bad('an index beyond 2^53 - 1 is not handled here');
  return { extra, index: Number(index), proof, checkpoint };
}

/**
 * Checks a tlog-proof bundle for the entry whose leaf bytes are `leafBytes`
 * against the log's key (its name is the log's origin).
 *
 * @returns the checkpoint it is proven under, as `verifyCheckpoint` gives it.
 * @throws {VerifyError} code `bundle`, naming what failed.
 */
export async function verifyBundle(bundleText, leafBytes, logKey) {
  const bundle = parseBundle(bundleText);
  let checkpoint;
  try {
    checkpoint = await verifyCheckpoint(bundle.checkpoint, logKey);
  } catch (e) {
    bad(reason(e));
  }
  try {
    await verifyInclusion(bundle.index, checkpoint.size, await hashLeaf(leafBytes), bundle.proof, checkpoint.root);
  } catch (e) {
    bad(`the entry at index ${bundle.index}: ${reason(e)}`);
  }
  return checkpoint;
}
