// RFC 8785 (JSON Canonicalization Scheme) for the JSON Provenant signs and
// hashes, as crates/model/src/jcs.rs writes it:
//
// | JSON                    | canonical text                                      |
// |-------------------------|-----------------------------------------------------|
// | null, true, false       | as is                                               |
// | integer in 0..=2^53-1   | its decimal digits (ECMAScript's form of the double) |
// | string                  | JSON.stringify's escaping (RFC 8785 section 3.2.2.2) |
// | array                   | [items joined by ,]                                 |
// | object                  | {"name":value joined by ,}, names sorted by UTF-16 code units |
//
// No whitespace. Any other number is refused: signed payloads and state
// records hold none, and guessing its form would change what is hashed.

import { utf8 } from './bytes.js';

/** The canonical text of `value` (a value from `parseJson`). */
export function canonicalize(value) {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    throw new TypeError(`JCS here carries integers in 0..=2^53-1 only, not ${value}`);
  }
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new TypeError('a string with a lone surrogate');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    // JavaScript compares strings by UTF-16 code units: RFC 8785's order.
    const names = Object.keys(value).sort();
    return `{${names.map((n) => `${JSON.stringify(n)}:${canonicalize(value[n])}`).join(',')}}`;
  }
  throw new TypeError(`JCS here carries integers in 0..=2^53-1 only, not ${value?.text ?? typeof value}`);
}

/** `JCS(value)` as UTF-8 bytes. */
export function jcs(value) {
  return utf8(canonicalize(value));
}
