// Reading JSON values into the shapes of the Rust types, with serde's
// rules, and writing them back as those types serialize: what
// `T::deserialize` then `serde_json::to_value` gives. The result is the
// canonical JSON of the typed value, so two values of a type are equal
// exactly when their JCS texts are, and a record's value hash is that of
// the record as the model re-serializes it.
//
// serde's rules kept here: a missing `Option` member is `None`, `null` is
// `None`; a member with a default may be missing (not `null`); any other
// missing member is refused; a struct marked `deny_unknown_fields` refuses
// unknown members, others ignore them; `BTreeSet`s come back sorted and
// without repeats.

import { fromBase64, fromHex } from './bytes.js';
import { keyProblem } from './ed25519.js';
import { parseTimestamp } from './timestamp.js';
import * as vocab from './vocab.js';

/** A value that is not of its type's shape: `.path` names the member. */
export class ShapeError extends Error {
  constructor(path, detail) {
    super(`${path || 'the value'}: ${detail}`);
    this.name = 'ShapeError';
    this.path = path;
  }
}

const bad = (path, detail) => {
  throw new ShapeError(path, detail);
};

const describe = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object or other number' : JSON.stringify(v));

/** A type from its reader `(value, path) => canonical value`. */
const type = (read, extra = {}) => Object.freeze({ read, ...extra });

/** Any JSON value, kept as is (serde_json's `Value`). */
export const any = type((v) => v);

export const bool = type((v, p) => (typeof v === 'boolean' ? v : bad(p, `expected a boolean, got ${describe(v)}`)));

export const string = type((v, p) => (typeof v === 'string' ? v : bad(p, `expected a string, got ${describe(v)}`)));

/** An integer in 0..=2^53-1 (a `u64` within what records and JSON numbers carry exactly). */
export const uint = type((v, p) =>
  Number.isSafeInteger(v) && v >= 0 ? v : bad(p, `expected an integer in 0..=2^53-1, got ${describe(v)}`),
);

/** Parts per million: an integer in 0..=1000000. */
export const ppm = type((v, p) =>
  Number.isSafeInteger(v) && v >= 0 && v <= 1_000_000 ? v : bad(p, `expected ppm (0..=1000000), got ${describe(v)}`),
);

/** A string one of `values`. */
export const oneOf = (...values) =>
  type((v, p) => (values.includes(v) ? v : bad(p, `expected one of ${values.join(', ')}, got ${describe(v)}`)));

/** A string `test` accepts, called `what`. */
const text = (what, test) =>
  type((v, p) => (typeof v === 'string' && test(v) ? v : bad(p, `expected ${what}, got ${describe(v)}`)));

/** 32 bytes as 64 lower-case hex digits: ids, hashes. */
export const hex32 = text('64 lower-case hex digits', (v) => fromHex(v, 32) !== null);

/** `ed25519:` + canonical base64 of a public key: a point of large order. */
export const identity = type((v, p) => {
  if (typeof v !== 'string' || !v.startsWith('ed25519:')) return bad(p, `expected an identity (ed25519:...), got ${describe(v)}`);
  const bytes = fromBase64(v.slice(8), 32);
  if (bytes === null) return bad(p, 'an identity is canonical base64 of 32 bytes');
  const problem = keyProblem(bytes);
  return problem === null ? v : bad(p, `not an identity: ${problem}`);
});

/** The 32 bytes of an identity already read. */
export const identityBytes = (text) => fromBase64(text.slice(8), 32);

/** Canonical base64 of a 64-byte signature. */
export const signature = text('base64 of 64 bytes', (v) => fromBase64(v, 64) !== null);

/** An RFC 3339 timestamp, written back in its canonical UTC form. */
export const timestamp = type((v, p) => {
  const t = typeof v === 'string' ? parseTimestamp(v) : null;
  return t === null ? bad(p, `expected an RFC 3339 timestamp, got ${describe(v)}`) : t.toString();
});

export const country = text('an ISO 3166-1 alpha-2 territory', vocab.isCountry);
export const channel = text('a channel', vocab.isChannel);
export const category = text('a category', vocab.isCategory);
export const label = text('a label', vocab.isLabel);
export const mediaType = text('a lower-case media type', vocab.isMediaType);
export const digitalSourceType = text('an IPTC digital source type URI', vocab.isDigitalSourceType);
/** A 64-bit ISCC Image-Code in canonical spelling (crates/model/src/iscc.rs). */
export const isccCode = text('a 64-bit ISCC Image-Code', (v) => /^ISCC:EEA[A-Z2-7]{13}$/.test(v));
export const currency = text('an ISO 4217 currency code', (v) => /^[A-Z]{3}$/.test(v));

/** `T` or `null` (`Option<T>`); a missing member reads as `null`. */
export const option = (t) => type((v, p) => (v === null ? null : t.read(v, p)), { optional: true });

/** An array of `T`. */
export const list = (t) =>
  type((v, p) => (Array.isArray(v) ? v.map((item, i) => t.read(item, `${p}[${i}]`)) : bad(p, `expected an array, got ${describe(v)}`)));

/** A `BTreeSet` of strings: sorted, without repeats. */
export const stringSet = (t) =>
  type((v, p) => [...new Set(list(t).read(v, p))].sort());

/** A member that may be missing: `def()` is its value then. */
export const withDefault = (t, def) => ({ t, def });

/** A member that is left out of the output when `None`. */
export const skipNone = (t) => ({ t, skip: true });

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads the `fields` of object `v`: each a type, or a `withDefault` /
 * `skipNone` wrapper. Returns the canonical object.
 */
export function readFields(fields, v, p) {
  if (!isObject(v)) return bad(p, `expected an object, got ${describe(v)}`);
  const out = {};
  for (const [name, spec] of Object.entries(fields)) {
    const t = spec.t ?? spec;
    const at = p ? `${p}.${name}` : name;
    let value;
    if (Object.hasOwn(v, name)) value = t.read(v[name], at);
    else if (spec.def) value = spec.def();
    else if (t.optional) value = null;
    else return bad(at, 'missing');
    if (!(spec.skip && value === null)) out[name] = value;
  }
  return out;
}

/** A struct; `deny` refuses unknown members (`#[serde(deny_unknown_fields)]`). */
export const struct = (fields, { deny = true } = {}) =>
  type((v, p) => {
    const out = readFields(fields, v, p);
    if (deny) {
      const unknown = Object.keys(v).find((k) => !Object.hasOwn(fields, k));
      if (unknown !== undefined) bad(p ? `${p}.${unknown}` : unknown, 'unknown member');
    }
    return out;
  }, { fields });
