// The state map (docs/PROTOCOL.md section 15; crates/model/src/statemap.rs,
// crates/tlog/src/map/): every record of the current state under a
// 256-bit key in a sparse Merkle prefix tree.
//
//   map key    = SHA-256("provenant:v1:state\n" || typed key)
//   value hash = SHA-256(JCS(record))          the record as the model serializes it
//   typed key  = 0x01 || design id | 0x02 || grant id | 0x03 || dispute id
//              | 0x04 || public key | 0x05 || design id || public key
//
// Proof bytes: depth (u16 BE) || terminal (0 empty, 1 the key, 2 another
// key) || [terminal 2: key (32) || value hash (32)] || bitmap (ceil(depth/8)
// bytes, bit i most significant first: sibling i is not empty) || the
// non-empty siblings (32 each). Read strictly: one encoding per proof.

import { concat, equal, fromHex, utf8 } from './bytes.js';
import { mapLeafHash, mapParentHash, sha256 } from './hash.js';
import { jcs } from './jcs.js';
import { identityBytes } from './shape.js';
import { DesignState, DisputeState, GrantState, KeySuccession, LicenseeGrants } from './types.js';

/** Why a map proof or a record does not verify: `.kind` is 'malformed', 'wrong-terminal' or 'root-mismatch' for proofs. */
export class MapError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'MapError';
    this.kind = kind;
  }
}

const EMPTY = new Uint8Array(32);
const MAX_DEPTH = 256;
const PREFIX = utf8('provenant:v1:state\n');

const TAGS = { design: 0x01, grant: 0x02, dispute: 0x03, key: 0x04, licensee: 0x05 };

/** The typed key bytes of a state key (`{"kind", ...}`, already read). */
export function typedKey(key) {
  const tag = Uint8Array.of(TAGS[key.kind]);
  switch (key.kind) {
    case 'design':
      return concat(tag, fromHex(key.design, 32));
    case 'grant':
      return concat(tag, fromHex(key.grant, 32));
    case 'dispute':
      return concat(tag, fromHex(key.dispute, 32));
    case 'key':
      return concat(tag, identityBytes(key.key));
    case 'licensee':
      return concat(tag, fromHex(key.design, 32), identityBytes(key.licensee));
    default:
      throw new TypeError(`no state key of kind ${key.kind}`);
  }
}

/** `SHA-256("provenant:v1:state\n" || typed key)`. */
export function mapKey(key) {
  return sha256(concat(PREFIX, typedKey(key)));
}

/** What a state key is about, in words. */
export function describeKey(key) {
  switch (key.kind) {
    case 'licensee':
      return `the grants of ${key.licensee} on design ${key.design}`;
    default:
      return `${key.kind} ${key[key.kind]}`;
  }
}

const RECORDS = { design: DesignState, grant: GrantState, dispute: DisputeState, key: KeySuccession, licensee: LicenseeGrants };

/**
 * Reads the record stored under `key` from its JSON form into its typed
 * canonical form, refusing one about other ids than the key's.
 *
 * @throws {MapError} kind 'record'.
 */
export function readRecord(key, value) {
  let record;
  try {
    record = RECORDS[key.kind].read(value, 'record');
  } catch (e) {
    throw new MapError('record', e.message);
  }
  const about =
    key.kind === 'key' ||
    (key.kind === 'licensee'
      ? record.grants.length > 0 && record.grants.every((g, i) => i === 0 || record.grants[i - 1] < g)
      : record.id === key[key.kind]);
  if (!about) throw new MapError('record', `the record is not about ${describeKey(key)}`);
  return record;
}

/** `SHA-256(JCS(record))` of a record read by `readRecord`. */
export function valueHash(record) {
  return sha256(jcs(record));
}

const mask = (i) => 0x80 >> (i % 8);

/**
 * Reads a proof's bytes: `{siblings, terminal}`, terminal `{tag: 0 | 1}` or
 * `{tag: 2, key, valueHash}`.
 *
 * @throws {MapError} kind 'malformed'.
 */
export function decodeMapProof(bytes) {
  const bad = (why) => {
    throw new MapError('malformed', `the map proof is malformed: ${why}`);
  };
  if (bytes.length < 3) bad('shorter than its 3-byte header');
  const depth = (bytes[0] << 8) | bytes[1];
  if (depth > MAX_DEPTH) bad('depth over 256');
  const tag = bytes[2];
  let at = 3;
  let terminal;
  if (tag === 0 || tag === 1) {
    terminal = { tag };
  } else if (tag === 2) {
    if (bytes.length < at + 64) bad('other leaf truncated');
    terminal = { tag, key: bytes.slice(at, at + 32), valueHash: bytes.slice(at + 32, at + 64) };
    at += 64;
  } else {
    bad('unknown terminal tag');
  }
  const bitmapLength = Math.ceil(depth / 8);
  if (bytes.length < at + bitmapLength) bad('bitmap truncated');
  const bitmap = bytes.subarray(at, at + bitmapLength);
  at += bitmapLength;
  for (let i = depth; i < bitmapLength * 8; i++) {
    if (bitmap[i >> 3] & mask(i)) bad('a bitmap bit past the depth is set');
  }
  let given = 0;
  for (let i = 0; i < depth; i++) if (bitmap[i >> 3] & mask(i)) given++;
  if (bytes.length - at !== given * 32) bad('length does not match the bitmap');
  const siblings = [];
  for (let i = 0; i < depth; i++) {
    if (!(bitmap[i >> 3] & mask(i))) {
      siblings.push(EMPTY);
      continue;
    }
    const sibling = bytes.slice(at, at + 32);
    at += 32;
    if (equal(sibling, EMPTY)) bad('a sibling given explicitly is empty');
    siblings.push(sibling);
  }
  return { siblings, terminal };
}

const bit = (key, i) => (key[i >> 3] >> (7 - (i % 8))) & 1;

/**
 * Checks `proof` (decoded) for `key` under `root`: present with
 * `valueHash`, or absent when `valueHash` is null.
 *
 * @throws {MapError} kind 'wrong-terminal' or 'root-mismatch'.
 */
export async function verifyMapProof(proof, root, key, valueHash) {
  const wrong = (why) => {
    throw new MapError('wrong-terminal', why);
  };
  const { siblings, terminal } = proof;
  const depth = siblings.length;
  if (depth > MAX_DEPTH) throw new MapError('malformed', 'depth over 256');
  if (depth > 0 && equal(siblings[depth - 1], EMPTY)) wrong('the last sibling is empty: the path is not canonical');
  let hash;
  if (valueHash !== null) {
    if (terminal.tag !== 1) wrong('the key is absent');
    hash = await mapLeafHash(key, valueHash);
  } else if (terminal.tag === 1) {
    wrong('the key is present');
  } else if (terminal.tag === 0) {
    hash = EMPTY;
  } else {
    if (equal(terminal.key, key)) wrong('the other leaf is the key itself');
    for (let i = 0; i < depth; i++) {
      if (bit(terminal.key, i) !== bit(key, i)) wrong("the other leaf is not on the key's path");
    }
    hash = await mapLeafHash(terminal.key, terminal.valueHash);
  }
  for (let i = depth - 1; i >= 0; i--) {
    hash = bit(key, i) === 0 ? await mapParentHash(hash, siblings[i]) : await mapParentHash(siblings[i], hash);
  }
  if (!equal(hash, root)) throw new MapError('root-mismatch', 'the path does not lead to the root');
}

