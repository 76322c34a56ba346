// Bytes and their text forms, strictly: lower-case hex, canonical padded
// base64 (RFC 4648 section 4), UTF-8. Each text form has one spelling, so
// one value has one text (docs/PROTOCOL.md, conventions).

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Lower-case hex of `bytes`. */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4] + HEX[b & 15];
  return out;
}

/**
 * The bytes of lower-case hex `text` (upper case is refused), or `null`;
 * with `length`, exactly that many bytes.
 */
export function fromHex(text, length) {
  if (typeof text !== 'string' || text.length % 2 !== 0) return null;
  if (length !== undefined && text.length !== 2 * length) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX.indexOf(text[2 * i]);
    const lo = HEX.indexOf(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Standard padded base64 of `bytes`. */
export function toBase64(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/**
 * The bytes of standard padded base64 `text`, or `null` unless it is the
 * canonical spelling (padding as written by the encoder, unused trailing
 * bits zero); with `length`, exactly that many bytes.
 */
export function fromBase64(text, length) {
  if (typeof text !== 'string' || text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const size = (text.length / 4) * 3 - pad;
  if (length !== undefined && size !== length) return null;
  const out = new Uint8Array(size);
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < text.length - pad; i++) {
    const v = B64_INDEX.get(text[i]);
    if (v === undefined) return null;
    value = ((value << 6) | v) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  // What is left over must be the zero bits of the last group.
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return at === size ? out : null;
}

const ENCODER = new TextEncoder();

/** UTF-8 of `text`; a lone surrogate is refused (it has no UTF-8). */
export function utf8(text) {
  if (!text.isWellFormed()) throw new TypeError('text with a lone surrogate has no UTF-8');
  return ENCODER.encode(text);
}

/** The text of UTF-8 `bytes`, or `null` when they are not UTF-8. */
export function fromUtf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The bytes of every argument, one after the other. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether two byte arrays are equal. */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
