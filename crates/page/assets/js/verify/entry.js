// Ledger entries (crates/model/src/entry.rs, envelope.rs): the envelope
// plus the server's clock, and its leaf bytes.
//
//   leaf bytes    = JCS({"kind", "logged_at", "payload", "signatures"})   RFC 8785
//   leaf hash     = SHA-256(0x00 || leaf bytes)                           RFC 6962 section 2.1
//   signing input = "provenant:v1:" || kind || "\n" || JCS(payload)
//
// An entry is read as `Entry::from_leaf_bytes` reads it: exactly those
// four members, a known kind, a payload of that kind's shape, signature
// lines `{key, sig}`, and `logged_at` in its canonical form (so that the
// bytes are the canonical encoding of the entry they describe).

import { concat, fromBase64, utf8 } from './bytes.js';
import { verifySignature } from './ed25519.js';
import { hashLeaf } from './hash.js';
import { jcs } from './jcs.js';
import { identityBytes, list, struct, any, oneOf, timestamp } from './shape.js';
import { PAYLOADS, SignatureLine } from './types.js';

/** Why an entry is not a ledger entry, or its signatures do not verify. */
export class EntryError extends Error {
  constructor(message) {
    super(message);
    this.name = 'EntryError';
  }
}

const RawEntry = struct({
  kind: oneOf(...Object.keys(PAYLOADS)),
  payload: any,
  signatures: list(SignatureLine),
  logged_at: timestamp,
});

/**
 * Reads the ledger entry `value` (a parsed JSON value) and returns
 * `{kind, payload, signatures, loggedAt, leafBytes}`, `payload` the typed
 * reading of the payload (defaults filled in), `leafBytes` = JCS(value).
 *
 * @throws {EntryError} for anything but a canonical ledger entry.
 */
export function readEntry(value) {
  let leafBytes;
  try {
    leafBytes = jcs(value);
  } catch (e) {
    throw new EntryError(`the entry is not canonical JSON: ${e.message}`);
  }
  let raw;
  let payload;
  try {
    raw = RawEntry.read(value, 'entry');
    if (raw.payload === null || typeof raw.payload !== 'object' || Array.isArray(raw.payload)) {
      throw new Error('payload: a payload is a JSON object');
    }
    payload = PAYLOADS[raw.kind].read(raw.payload, 'payload');
  } catch (e) {
    throw new EntryError(`the entry is not a valid ledger entry: ${e.message}`);
  }
  if (raw.logged_at !== value.logged_at) {
    throw new EntryError('the entry is not in its canonical encoding (logged_at)');
  }
  return { kind: raw.kind, payload, rawPayload: value.payload, signatures: raw.signatures, loggedAt: raw.logged_at, leafBytes };
}

/** `SHA-256(0x00 || leaf bytes)` of an entry read by `readEntry`. */
export function leafHashOf(entry) {
  return hashLeaf(entry.leafBytes);
}

/** The signing input of an entry read by `readEntry`. */
export function signingInput(entry) {
  return concat(utf8(`provenant:v1:${entry.kind}\n`), jcs(entry.rawPayload));
}

/**
 * Checks every signature line of `entry` (no key twice, each verifies) and
 * returns the signers' identities.
 *
 * @throws {EntryError}
 */
export async function verifySigners(entry) {
  const message = signingInput(entry);
  const signers = [];
  for (const line of entry.signatures) {
    if (signers.includes(line.key)) throw new EntryError(`${line.key} signs twice`);
    signers.push(line.key);
  }
  for (const line of entry.signatures) {
    const ok = await verifySignature(identityBytes(line.key), message, fromBase64(line.sig, 64));
    if (!ok) throw new EntryError(`the signature by ${line.key} does not verify`);
  }
  return signers;
}
