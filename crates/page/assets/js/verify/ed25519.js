// Ed25519 as Provenant accepts it (docs/PROTOCOL.md section 2): the
// verdicts of ed25519-dalek's `verify_strict`, as the service computes
// them in `provenant_model::verify_signature` (crates/model/src/signing.rs):
// refuse an `R` that is one of the 8 canonical encodings of the
// small-order points, refuse a small-order (or undecodable) public key,
// refuse `S` at or above the group order, then run the RFC 8032
// cofactorless check, here WebCrypto's.
//
// Decoding a public key follows curve25519-dalek's decompression: `y` is
// the low 255 bits reduced mod p (a non-canonical `y` is read, not
// refused), `x` the square root of (y^2 - 1) / (d y^2 + 1) whose parity is
// the sign bit (x = 0 is accepted with either sign bit). BigInt arithmetic;
// only decoding and the small-order test, never secret data.

import { fromHex, toHex } from './bytes.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const mod = (a) => ((a % P) + P) % P;

function pow(base, exp) {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

const inv = (a) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

/** The little-endian integer of `bytes`. */
function le(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** The point `bytes` encode, `{x, y}`, or `null` when they are no point. */
export function decodePoint(bytes) {
  if (bytes.length !== 32) return null;
  const sign = bytes[31] >> 7;
  const low = Uint8Array.from(bytes);
  low[31] &= 0x7f;
  const y = mod(le(low));
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  // x = (u v^3) (u v^7)^((p - 5) / 8), then fixed up by sqrt(-1).
  const v3 = (v * v % P) * v % P;
  let x = (u * v3 % P) * pow(u * (v3 * v3 % P) * v, (P - 5n) / 8n) % P;
  const vxx = v * x % P * x % P;
  if (vxx === mod(-u)) x = x * SQRT_M1 % P;
  else if (vxx !== u) return null;
  if (Number(x & 1n) !== sign) x = mod(-x);
  return { x, y };
}

/** `a + b` on the curve (unified formula for a = -1, complete since d is not a square). */
function add(a, b) {
  const t = D * a.x % P * b.x % P * a.y % P * b.y % P;
  const x = (a.x * b.y + a.y * b.x) % P * inv(mod(1n + t)) % P;
  const y = (a.y * b.y + a.x * b.x) % P * inv(mod(1n - t)) % P;
  return { x, y };
}

/** Whether `point` has small order: 8 times it is the identity (0, 1). */
export function isSmallOrder(point) {
  let q = point;
  for (let i = 0; i < 3; i++) q = add(q, q);
  return q.x === 0n && q.y === 1n;
}

/** What public-key bytes were found to be, by their hex: a cache, keys recur. */
const KEYS = new Map();
const KEY_CACHE = 4096;

/**
 * Why 32 bytes are not a usable public key ('not a point on Ed25519',
 * 'small-order public key'), or `null` when they are one.
 */
export function keyProblem(bytes) {
  const hex = toHex(bytes);
  let problem = KEYS.get(hex);
  if (problem === undefined) {
    const point = decodePoint(bytes);
    problem = point === null ? 'not a point on Ed25519' : isSmallOrder(point) ? 'small-order public key' : null;
    if (KEYS.size >= KEY_CACHE) KEYS.clear();
    KEYS.set(hex, problem);
  }
  return problem;
}

/**
 * The canonical encodings of the eight small-order points (C2SP CCTV's
 * Ed25519 README): refused as `R`. Their other encodings are
 * non-canonical and never equal a computed `R`.
 */
const SMALL_ORDER_R = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map((h) => fromHex(h, 32));

/**
 * Whether `signature` (64 bytes) is the Ed25519 signature of `message` by
 * `publicKey` (32 bytes), with the verdicts of `verify_strict`.
 */
export async function verifySignature(publicKey, message, signature) {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  if (SMALL_ORDER_R.some((small) => small.every((b, i) => b === r[i]))) return false;
  if (le(signature.subarray(32)) >= L) return false;
  if (keyProblem(publicKey) !== null) return false;
  const subtle = globalThis.crypto.subtle;
  try {
    const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch {
    return false;
  }
}
