// A small ledger built in the test, to make answers the verifier must
// accept and tamper with them: entries signed with Node's own Ed25519
// (node:crypto, not WebCrypto), an RFC 6962 tree with the recursive PATH
// and PROOF of RFC 6962 section 2.1 (not the verifier's bit-by-bit
// algorithms), checkpoints signed as C2SP notes, and a state map built
// from its records with the construction of fixtures/state/README.md.

import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';

import { concat, toBase64, toHex, utf8 } from '../../assets/js/verify/bytes.js';
import { jcs } from '../../assets/js/verify/jcs.js';
import { mapProof, mapRoot } from './statemap.mjs';

const sha = (...parts) => new Uint8Array(createHash('sha256').update(concat(...parts)).digest());
const leafHash = (bytes) => sha(Uint8Array.of(0), bytes);
const nodeHash = (l, r) => sha(Uint8Array.of(1), l, r);

/** A signing key from a 32-byte seed: `{priv, pub, identity}`. */
export function key(seed) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, seed)]);
  const priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const pub = new Uint8Array(createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32));
  return { priv, pub, identity: `ed25519:${toBase64(pub)}`, sign: (msg) => new Uint8Array(sign(null, msg, priv)) };
}

const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[lo:hi]) over leaf hashes. */
function mth(leaves, lo = 0, hi = leaves.length) {
  if (hi - lo === 0) return sha(new Uint8Array(0));
  if (hi - lo === 1) return leaves[lo];
  const k = split(hi - lo);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

/** PATH(m, D[lo:hi]), RFC 6962 section 2.1.1. */
function path(m, leaves, lo, hi) {
  if (hi - lo <= 1) return [];
  const k = split(hi - lo);
  return m < k
    ? [...path(m, leaves, lo, lo + k), mth(leaves, lo + k, hi)]
    : [...path(m - k, leaves, lo + k, hi), mth(leaves, lo, lo + k)];
}

/** SUBPROOF(m, D[lo:hi], b), RFC 6962 section 2.1.2. */
function subproof(m, leaves, lo, hi, b) {
  const n = hi - lo;
  if (m === n) return b ? [] : [mth(leaves, lo, hi)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves, lo, lo + k, b), mth(leaves, lo + k, hi)]
    : [...subproof(m - k, leaves, lo + k, hi, false), mth(leaves, lo, lo + k)];
}

export const ORIGIN = 'example.com/log';

const identityBytes = (text) => new Uint8Array(Buffer.from(text.slice('ed25519:'.length), 'base64'));
const hexBytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));

/** `SHA-256("provenant:v1:state\n" || typed key)`, docs/PROTOCOL.md section 15. */
export function mapKey(k) {
  const typed = {
    design: () => [1, hexBytes(k.design)],
    grant: () => [2, hexBytes(k.grant)],
    dispute: () => [3, hexBytes(k.dispute)],
    key: () => [4, identityBytes(k.key)],
    licensee: () => [5, hexBytes(k.design), identityBytes(k.licensee)],
  }[k.kind]();
  return sha(utf8('provenant:v1:state\n'), Uint8Array.of(typed[0]), ...typed.slice(1));
}

/** The canonical key text of a state key. */
const keyText = (k) => JSON.stringify(k);

const T0 = Date.UTC(2025, 5, 1);
export const stamp = (i) => new Date(T0 + i * 60_000).toISOString().replace('.000Z', 'Z');

export class TestLog {
  constructor(origin = ORIGIN, seed = 200) {
    this.origin = origin;
    this.logKey = key(seed);
    this.entries = [];
    this.state = new Map();
    this.commits = [];
  }

  /** The C2SP verifier key text of a key under a name. */
  static verifierKey(name, k) {
    const id = sha(utf8(name), Uint8Array.of(0x0a, 0x01), k.pub).subarray(0, 4);
    return `${name}+${toHex(id)}+${toBase64(concat(Uint8Array.of(1), k.pub))}`;
  }

  get verifierKey() {
    return TestLog.verifierKey(this.origin, this.logKey);
  }

  get size() {
    return this.entries.length;
  }

  /** `SHA-256(signing input)`: the entry id (a grant's or dispute's id). */
  static entryId(kind, payload) {
    return toHex(sha(utf8(`provenant:v1:${kind}\n`), jcs(payload)));
  }

  /** Appends an entry of `kind` signed by `signers`; returns its index. */
  append(kind, payload, signers) {
    const input = concat(utf8(`provenant:v1:${kind}\n`), jcs(payload));
    const value = {
      kind,
      payload,
      signatures: signers.map((s) => ({ key: s.identity, sig: toBase64(s.sign(input)) })),
      logged_at: stamp(this.entries.length),
    };
    const bytes = jcs(value);
    this.entries.push({ value, bytes, leaf: leafHash(bytes) });
    return this.entries.length - 1;
  }

  /** Where entry `index` is: `{index, leaf_hash, logged_at}`. */
  ref(index) {
    const e = this.entries[index];
    return { index, leaf_hash: toHex(e.leaf), logged_at: e.value.logged_at };
  }

  /** Sets (or with null removes) the record under a state key. */
  put(stateKey, record) {
    if (record === null) this.state.delete(keyText(stateKey));
    else this.state.set(keyText(stateKey), { key: stateKey, record });
  }

  /** The map's leaves `[map key, value hash]`. */
  leaves() {
    return [...this.state.values()].map(({ key: k, record }) => [mapKey(k), sha(jcs(record))]);
  }

  /** Appends a `state.commit` of the current state, signed by the log's key; returns its index. */
  async commit() {
    const root = await mapRoot(this.leaves());
    const index = this.append('state.commit', { root: toHex(root), size: this.entries.length }, [this.logKey]);
    this.commits.push({ index, state: new Map(this.state) });
    return index;
  }

  /** The signed checkpoint of the first `size` entries. */
  checkpoint(size = this.size, signer = this.logKey, origin = this.origin) {
    const root = mth(this.entries.slice(0, size).map((e) => e.leaf));
    const text = `${origin}\n${size}\n${toBase64(root)}\n`;
    const id = sha(utf8(origin), Uint8Array.of(0x0a, 0x01), signer.pub).subarray(0, 4);
    return `${text}\n\u2014 ${origin} ${toBase64(concat(id, signer.sign(utf8(text))))}\n`;
  }

  /** The inclusion proof of `index` in the tree of `size`, hex. */
  inclusion(index, size = this.size) {
    return path(index, this.entries.slice(0, size).map((e) => e.leaf), 0, size).map(toHex);
  }

  /** The consistency proof from `old` to `size`, hex. */
  consistency(old, size = this.size) {
    return subproof(old, this.entries.slice(0, size).map((e) => e.leaf), 0, size, true).map(toHex);
  }

  /** `{index, leaf_hash, inclusion_proof}` of entry `index` at `size`. */
  proof(index, size = this.size) {
    return { index, leaf_hash: toHex(this.entries[index].leaf), inclusion_proof: this.inclusion(index, size) };
  }

  /** The `state` member of an answer at the latest commitment, proving `keys` (present or absent). */
  async stateProof(keys) {
    const last = this.commits.at(-1);
    const saved = this.state;
    this.state = last.state;
    const leaves = this.leaves();
    this.state = saved;
    const records = [];
    for (const k of keys) {
      const found = last.state.get(keyText(k));
      records.push({ key: k, record: found ? found.record : null, proof: toBase64(await mapProof(leaves, mapKey(k))) });
    }
    return {
      commit: { entry: this.entries[last.index].value, index: last.index, inclusion_proof: this.inclusion(last.index) },
      records,
    };
  }

  /** A proven answer: `members` plus the checkpoint, proofs of `indexes` and the state proving `keys`. */
  async proven(members, indexes, keys) {
    const out = { ...members, tree_size: this.size, checkpoint: this.checkpoint(), proofs: indexes.map((i) => this.proof(i)) };
    if (keys !== undefined) out.state = await this.stateProof(keys);
    // As it travels: no object shared between the members and the records.
    return JSON.parse(JSON.stringify(out));
  }

  /** A receipt for entry `index` at the current size. */
  receipt(index) {
    const e = this.entries[index];
    return { entry: e.value, index, leaf_hash: toHex(e.leaf), inclusion_proof: this.inclusion(index), checkpoint: this.checkpoint() };
  }

  /** A tlog-proof bundle for entry `index` at the current size. */
  bundle(index) {
    const proof = this.inclusion(index).map((h) => toBase64(Buffer.from(h, 'hex')));
    return `c2sp.org/tlog-proof@v1\nindex ${index}\n${proof.map((l) => `${l}\n`).join('')}\n${this.checkpoint()}`;
  }
}
