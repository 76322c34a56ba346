// C2SP tlog-checkpoint (crates/tlog/src/checkpoint.rs): the signed note
//
//   <origin>\n
//   <tree size, decimal, no leading zeros>\n
//   <root hash, canonical base64 of 32 bytes>\n
//   [<extension line>\n]...
//
// signed by the log's key, whose name is the origin.

import { fromBase64, toBase64 } from './bytes.js';
import { VerifyError } from './errors.js';
import { NoteError, parseNote, readVerifierKey, verifyNote } from './note.js';

const CONTROL = /\p{Cc}/u;
const U64_MAX = 2n ** 64n - 1n;

function bad(message) {
  throw new NoteError(message);
}

function checkLine(line, what) {
  if (line.length === 0) bad(what === 'origin' ? 'origin must not be empty' : 'extension lines must not be empty');
  if (CONTROL.test(line)) bad('control character in a line');
}

/** ASCII decimal with no sign and no leading zeros, as a BigInt within u64; else `null`. */
export function parseDecimal(text) {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null;
  const n = BigInt(text);
  return n <= U64_MAX ? n : null;
}

/** The checkpoint body of `text`: `{origin, size, root, extensions}`. */
export function parseCheckpointBody(text) {
  if (!text.endsWith('\n')) bad('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  checkLine(origin, 'origin');
  if (sizeLine === undefined) bad('missing size line');
  const size = parseDecimal(sizeLine);
  if (size === null) bad('size must be a decimal with no leading zeros');
  if (rootLine === undefined) bad('missing root hash line');
  const root = fromBase64(rootLine, 32);
  if (root === null || toBase64(root) !== rootLine) bad('root must be base64 of 32 bytes');
  for (const line of extensions) checkLine(line, 'extension line');
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) bad('a tree size beyond 2^53 - 1 is not handled here');
  return { origin, size: Number(size), root, extensions };
}

/** A verifier key: the result of `parseLogKey`, or its text. */
async function keyOf(logKey) {
  return typeof logKey === 'string' ? readVerifierKey(logKey) : logKey;
}

/**
 * Reads the log's verifier key text `<origin>+<key id>+base64(0x01 || key)`
 * (as `GET /v1/log` gives it in `verifier_key`).
 *
 * @returns {{origin: string, keyId: string, publicKey: Uint8Array, text: string}}
 * @throws {VerifyError} code `malformed`.
 */
export async function parseLogKey(text) {
  try {
    return await readVerifierKey(typeof text === 'string' ? text.trim() : text);
  } catch (e) {
    throw new VerifyError('malformed', `the log key is not a verifier key: ${e.message}`);
  }
}

/**
 * Checks a signed checkpoint: signed by `logKey`, naming its origin.
 *
 * @returns {{origin: string, size: number, root: Uint8Array, text: string}}
 * @throws {VerifyError} code `checkpoint`, naming what failed.
 */
export async function verifyCheckpoint(text, logKey) {
  try {
    const key = await keyOf(logKey);
    const note = parseNote(text);
    await verifyNote(note, [key]);
    const body = parseCheckpointBody(note.text);
    if (body.origin !== key.origin) {
      bad(`the checkpoint is of the log ${JSON.stringify(body.origin)}, not ${JSON.stringify(key.origin)}`);
    }
    return Object.freeze({ origin: body.origin, size: body.size, root: body.root, text });
  } catch (e) {
    if (e instanceof VerifyError) throw e;
    throw new VerifyError('checkpoint', `the checkpoint is not signed by the log's key: ${e.message}`);
  }
}
