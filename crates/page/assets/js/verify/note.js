// C2SP signed-note (crates/tlog/src/note.rs): text signed by named keys.
//
//   <text, ending in \n>
//   \n
//   — <key name> base64(key id (4 bytes, big-endian) || signature)\n
//
// Ed25519 keys (type 0x01): key id = SHA-256(name || 0x0A || 0x01 || public
// key)[:4]; the signature is over the text, final newline included. A
// verifier key is written `<name>+<key id, 8 hex>+base64(0x01 || key)`.
// A note is refused when a known key's signature fails or no known key
// signed; signatures of unknown keys are ignored.

import { concat, fromBase64, toHex, utf8 } from './bytes.js';
import { decodePoint, verifySignature } from './ed25519.js';
import { sha256 } from './hash.js';

const MAX_SIGNATURES = 64;
const SIG_PREFIX = '\u2014 ';
const CONTROL = /\p{Cc}/u;
const SPACE = /\p{White_Space}/u;

/** Why a note, a key or a checkpoint cannot be read or does not verify. */
export class NoteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NoteError';
  }
}

const bad = (message) => {
  throw new NoteError(message);
};

/** Key names: non-empty, no Unicode space, no `+`, no control character. */
function validName(name) {
  return name.length > 0 && !SPACE.test(name) && !name.includes('+') && !CONTROL.test(name);
}

/** `SHA-256(name || 0x0A || 0x01 || key)[:4]` as 8 hex digits. */
export async function keyId(name, publicKey) {
  const digest = await sha256(concat(utf8(name), Uint8Array.of(0x0a, 0x01), publicKey));
  return toHex(digest.subarray(0, 4));
}

/**
 * Reads a verifier key text `<name>+<8 hex>+base64(0x01 || key)`.
 * Returns `{origin, keyId, publicKey, text}`: the name is the log's origin.
 *
 * @throws {NoteError} naming what is wrong.
 */
export async function readVerifierKey(text) {
  if (typeof text !== 'string') bad('a verifier key is text');
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) bad('expected name+id+key');
  const [name, id, key] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (!validName(name)) bad('invalid key name');
  if (!/^[0-9a-f]{8}$/.test(id)) bad('key id must be 8 lower-case hex digits');
  const bytes = fromBase64(key);
  if (bytes === null) bad('key is not base64');
  if (bytes.length === 0 || bytes[0] !== 0x01) bad('not an Ed25519 (type 0x01) key');
  const publicKey = bytes.subarray(1);
  if (publicKey.length !== 32 || decodePoint(publicKey) === null) bad('not a valid Ed25519 public key');
  if ((await keyId(name, publicKey)) !== id) bad('key id does not match the key');
  return Object.freeze({ origin: name, keyId: id, publicKey: Uint8Array.from(publicKey), text });
}

/** The note text must end in a newline and hold no control character but newline. */
function checkText(text) {
  if (!text.endsWith('\n')) bad('text must end with a newline');
  if (CONTROL.test(text.replaceAll('\n', ''))) bad('control character');
}

/**
 * Parses a note strictly: `{text, signatures: [{name, id, sig}]}`.
 *
 * @throws {NoteError} naming what is wrong.
 */
export function parseNote(all) {
  if (typeof all !== 'string' || !all.isWellFormed()) bad('not UTF-8 text');
  const split = all.lastIndexOf('\n\n');
  if (split < 0) bad('no blank line before the signatures');
  const text = all.slice(0, split + 1);
  const sigs = all.slice(split + 2);
  checkText(text);
  if (!sigs.endsWith('\n')) bad('signatures must end with a newline');
  const signatures = [];
  for (const line of sigs.slice(0, -1).split('\n')) {
    if (signatures.length === MAX_SIGNATURES) bad('too many signatures');
    if (!line.startsWith(SIG_PREFIX)) bad('signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) bad('signature line needs a name and a signature');
    const name = rest.slice(0, space);
    if (!validName(name)) bad('invalid key name on a signature line');
    const raw = fromBase64(rest.slice(space + 1));
    if (raw === null) bad('signature is not base64');
    if (raw.length < 5) bad('signature too short');
    signatures.push({ name, id: toHex(raw.subarray(0, 4)), sig: raw.subarray(4) });
  }
  return { text, signatures };
}

/**
 * Verifies `note` against `known` verifier keys; returns those that signed.
 *
 * @throws {NoteError} when a known key's signature fails or none signed.
 */
export async function verifyNote(note, known) {
  const verified = [];
  const message = utf8(note.text);
  for (const s of note.signatures) {
    const key = known.find((k) => k.keyId === s.id && k.origin === s.name);
    if (key === undefined) continue;
    const ok = s.sig.length === 64 && (await verifySignature(key.publicKey, message, s.sig));
    if (!ok) bad(`the signature of ${s.name} (key id ${s.id}) does not verify`);
    if (!verified.includes(key)) verified.push(key);
  }
  if (verified.length === 0) bad('no known key signed the note');
  return verified;
}
