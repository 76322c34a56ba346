// SHA-256 through WebCrypto, and the domain-separated hashes built on it.
//
// RFC 6962 section 2.1 (the log):
//   leaf hash = SHA-256(0x00 || leaf bytes)
//   node hash = SHA-256(0x01 || left || right)
// draft-ietf-keytrans-protocol, as docs/PROTOCOL.md section 15 (the state map):
//   map leaf   = SHA-256(0x02 || key (32) || value hash (32))
//   map parent = SHA-256(0x03 || left (32) || right (32))

import { concat } from './bytes.js';

/** SHA-256 of `bytes`. */
export async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

const byte = (b) => Uint8Array.of(b);

/** `SHA-256(0x00 || data)`: an RFC 6962 leaf. */
export function hashLeaf(data) {
  return sha256(concat(byte(0x00), data));
}

/** `SHA-256(0x01 || left || right)`: an RFC 6962 interior node. */
export function hashNode(left, right) {
  return sha256(concat(byte(0x01), left, right));
}

/** `SHA-256(0x02 || key || value hash)`: a state-map leaf. */
export function mapLeafHash(key, valueHash) {
  return sha256(concat(byte(0x02), key, valueHash));
}

/** `SHA-256(0x03 || left || right)`: a state-map parent. */
export function mapParentHash(left, right) {
  return sha256(concat(byte(0x03), left, right));
}
