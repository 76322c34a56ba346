// JSON text parsed strictly, as crates/model/src/strict_json.rs does:
// RFC 8259 and nothing more, and a member name repeated in one object is
// refused (two readers could disagree on which value such text means).
//
// Numbers: a plain non-negative integer up to 2^53 - 1 (what every record
// and signed payload holds) becomes a JS number; any other number (a
// fraction, an exponent, a sign, a larger integer) parses into an
// `OtherNumber`, which keeps its text and which nothing downstream accepts
// (RFC 8785 as Provenant uses it carries integers only), so no precision is
// ever silently lost.

import { VerifyError } from './errors.js';

/** A JSON number that is not an integer in 0..=2^53-1. */
export class OtherNumber {
  constructor(text) {
    this.text = text;
    Object.freeze(this);
  }
}

/** serde_json's nesting limit: 128 levels refused, 127 accepted. */
const MAX_DEPTH = 127;

const INTEGER = /^(0|[1-9][0-9]*)$/;
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

function bad(what, at) {
  return new VerifyError('malformed', `not strict JSON: ${what} at character ${at}`);
}

/**
 * Parses `text` as one JSON value. Objects come back as plain objects
 * (a member named `__proto__` is an ordinary own member).
 *
 * @throws {VerifyError} code `malformed`, naming what is wrong and where.
 */
export function parseJson(text) {
  if (typeof text !== 'string') throw new VerifyError('malformed', 'not JSON text');
  let at = 0;

  const space = () => {
    while (at < text.length) {
      const c = text[at];
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r') at++;
      else break;
    }
  };

  const value = (depth) => {
    space();
    const c = text[at];
    if (c === '{') return object(depth + 1);
    if (c === '[') return array(depth + 1);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return v;
      }
    }
    throw bad(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`, at);
  };

  const object = (depth) => {
    if (depth > MAX_DEPTH) throw bad('nesting too deep', at);
    at++; // {
    const out = {};
    const seen = new Set();
    space();
    if (text[at] === '}') {
      at++;
      return out;
    }
    for (;;) {
      space();
      if (text[at] !== '"') throw bad('expected a member name', at);
      const name = string();
      if (seen.has(name)) throw bad(`the member ${JSON.stringify(name)} appears twice in one object`, at);
      seen.add(name);
      space();
      if (text[at] !== ':') throw bad("expected ':'", at);
      at++;
      Object.defineProperty(out, name, {
        value: value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      space();
      if (text[at] === ',') {
        at++;
      } else if (text[at] === '}') {
        at++;
        return out;
      } else {
        throw bad("expected ',' or '}'", at);
      }
    }
  };

  const array = (depth) => {
    if (depth > MAX_DEPTH) throw bad('nesting too deep', at);
    at++; // [
    const out = [];
    space();
    if (text[at] === ']') {
      at++;
      return out;
    }
    for (;;) {
      out.push(value(depth));
      space();
      if (text[at] === ',') {
        at++;
      } else if (text[at] === ']') {
        at++;
        return out;
      } else {
        throw bad("expected ',' or ']'", at);
      }
    }
  };

  const hex4 = () => {
    const digits = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw bad('invalid \\u escape', at);
    at += 4;
    return parseInt(digits, 16);
  };

  const string = () => {
    at++; // "
    let out = '';
    let start = at;
    for (;;) {
      if (at >= text.length) throw bad('unterminated string', at);
      const code = text.charCodeAt(at);
      if (code === 0x22) {
        out += text.slice(start, at);
        at++;
        break;
      }
      if (code < 0x20) throw bad('control character in a string', at);
      if (code >= 0xd800 && code <= 0xdfff) {
        // Raw text: only a well-formed surrogate pair (UTF-8 has no other).
        const next = text.charCodeAt(at + 1);
        if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) throw bad('lone surrogate', at);
        at += 2;
        continue;
      }
      if (code !== 0x5c) {
        at++;
        continue;
      }
      out += text.slice(start, at);
      at++;
      const e = text[at++];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === 'u') {
        const unit = hex4();
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (text[at] !== '\\' || text[at + 1] !== 'u') throw bad('lone leading surrogate in a \\u escape', at);
          at += 2;
          const low = hex4();
          if (low < 0xdc00 || low > 0xdfff) throw bad('lone leading surrogate in a \\u escape', at);
          out += String.fromCharCode(unit, low);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          throw bad('lone trailing surrogate in a \\u escape', at);
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        throw bad('invalid escape', at - 1);
      }
      start = at;
    }
    return out;
  };

  const number = () => {
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (!m) throw bad('invalid number', at);
    const lit = m[0];
    const next = text[at + lit.length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) throw bad('invalid number', at);
    at += lit.length;
    if (INTEGER.test(lit)) {
      const n = Number(lit);
      if (Number.isSafeInteger(n)) return n;
    }
    if (!Number.isFinite(Number(lit))) throw bad('number out of range', at);
    return new OtherNumber(lit);
  };

  const result = value(0);
  space();
  if (at !== text.length) throw bad('trailing characters', at);
  return result;
}
