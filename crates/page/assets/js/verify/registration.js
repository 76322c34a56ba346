// A design answer's details (`content`, `title`, `description`,
// `creators`, `ai`) are what its registration entry says: the state map
// does not hold them (crates/api/src/design.rs, `DesignDetails`). They are
// checked against the registration entry itself (`GET /v1/entries/{index}`),
// whose leaf hash the design's proven `registered` entry names, as the Rust
// `verify_registration` (crates/api/src/verify.rs) checks them.

import { toHex } from './bytes.js';
import { readEntry } from './entry.js';
import { VerifyError, reason } from './errors.js';
import { hashLeaf } from './hash.js';
import { canonicalize } from './jcs.js';
import { jsonOf, shaped } from './proven.js';
import { readFields } from './shape.js';
import { DESIGN_REPORT, EntryAnswer } from './types.js';

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
  const design = shaped('the answer is not a design', (v) => readFields(DESIGN_REPORT, v, ''), jsonOf(answer));
  const e = shaped('the answer is not an entry', (v) => EntryAnswer.read(v, ''), jsonOf(entryAnswer));
  const registered = design.registered;
  if (e.index !== registered.index || e.leaf_hash !== registered.leaf_hash) {
    throw differs(`entry ${e.index} is not the registration the answer proves (entry ${registered.index})`);
  }
  let entry;
  try {
    entry = readEntry(e.entry);
  } catch (err) {
    throw differs(`the registration entry: ${reason(err)}`);
  }
  if (toHex(await hashLeaf(entry.leafBytes)) !== registered.leaf_hash) {
    throw differs('the registration entry does not hash to its leaf hash');
  }
  if (entry.kind !== 'design.register') throw differs(`entry ${e.index} is a ${entry.kind}, not a design.register`);
  const p = entry.payload;
  if (p.content.blake3 !== design.id) throw differs(`entry ${e.index} registers another design`);
  const said = { content: p.content, title: p.title, description: p.description, creators: p.creators, ai: p.ai ?? null };
  for (const [name, value] of Object.entries(said)) {
    if (canonicalize(value) !== canonicalize(design[name])) throw differs(`the ${name} shown is not what the design registered`);
  }
  return p;
}
