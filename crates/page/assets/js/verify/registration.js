// A design answer's details (`content`, `title`, `description`,
// `creators`, `ai`) are what its registration entry says: the state map
// does not hold them (crates/api/src/design.rs, `DesignDetails`). The Rust
// verifier leaves them unchecked; the page checks them against the
// registration entry itself (`GET /v1/entries/{index}`), whose leaf hash
// the design's proven `registered` entry names.

import { toHex } from './bytes.js';
import { readEntry } from './entry.js';
import { VerifyError, reason } from './errors.js';
import { hashLeaf } from './hash.js';
import { canonicalize } from './jcs.js';
import { jsonOf, readProven, shaped } from './proven.js';
import { DESIGN_DETAILS, DESIGN_REST, DESIGN_SUMMARY, EntryAnswer } from './types.js';

const differs = (what) => new VerifyError('differs', `the design's details are not its registration's: ${what}`);

/**
 * Checks a design answer's details against `entryAnswer`, the answer of
 * `GET /v1/entries/{registered.index}`: its leaf hash, recomputed from
 * JCS(entry), is the design's proven `registered.leaf_hash`, at that index;
 * it is a `design.register` of this design id; and its payload's content,
 * title, description (default ""), creators and ai (default null) are the
 * answer's. Verify the design answer itself (`verifyDesign`) too: this
 * trusts its `registered` entry.
 *
 * @returns the registration's payload, as read.
 * @throws {VerifyError} `differs` (or `malformed` for shapes).
 */
export async function verifyRegistration(answer, entryAnswer) {
  const design = readProven('a design', { ...DESIGN_SUMMARY, ...DESIGN_DETAILS, ...DESIGN_REST }, jsonOf(answer)).answer;
  const e = shaped('the answer is not an entry', (v) => EntryAnswer.read(v, ''), jsonOf(entryAnswer));
  const registered = design.registered;
  if (e.index !== registered.index) throw differs(`entry ${e.index} is not the registration (entry ${registered.index})`);
  let entry;
  try {
    entry = readEntry(e.entry);
  } catch (err) {
    throw differs(`entry ${e.index}: ${reason(err)}`);
  }
  const leafHash = toHex(await hashLeaf(entry.leafBytes));
  if (leafHash !== registered.leaf_hash) throw differs(`entry ${e.index} is not the proven registration (its leaf hash is ${leafHash})`);
  if (e.leaf_hash !== leafHash) throw differs(`the entry answer names leaf hash ${e.leaf_hash}, its entry hashes to ${leafHash}`);
  if (entry.kind !== 'design.register') throw differs(`entry ${e.index} is a ${entry.kind}, not a design.register`);
  const p = entry.payload;
  if (p.content.blake3 !== design.id) throw differs(`the registration is of design ${p.content.blake3}, not ${design.id}`);
  const said = { content: p.content, title: p.title, description: p.description, creators: p.creators, ai: p.ai ?? null };
  for (const [name, value] of Object.entries(said)) {
    if (canonicalize(value) !== canonicalize(design[name])) throw differs(`the ${name} is not what the registration says`);
  }
  return p;
}
