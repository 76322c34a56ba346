// RFC 3339 timestamps as the model reads them (crates/model/src/values.rs,
// the `time` crate's Rfc3339 parser): any offset, normalised to UTC; a
// fraction of any length, truncated to nanoseconds; a leap second only as
// the last second of a month in UTC; years 0000 to 9999 once in UTC.
// Printed `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the fraction without trailing
// zeros. Timestamps compare as instants, never as strings.

const DAY = 86400;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y, m, d) {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number: `[year, month, day]`. */
function civilFromDays(z) {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y, m) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** An instant: whole seconds since 1970 (UTC) and nanoseconds. */
export class Timestamp {
  constructor(seconds, nanos) {
    this.seconds = seconds;
    this.nanos = nanos;
    Object.freeze(this);
  }

  /** Negative, zero or positive as `this` is before, at or after `other`. */
  compare(other) {
    return this.seconds - other.seconds || this.nanos - other.nanos;
  }

  /** The canonical text. */
  toString() {
    const days = Math.floor(this.seconds / DAY);
    const secs = this.seconds - days * DAY;
    const [y, m, d] = civilFromDays(days);
    const two = (n) => String(n).padStart(2, '0');
    let out = `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}T${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}`;
    if (this.nanos !== 0) out += `.${String(this.nanos).padStart(9, '0').replace(/0+$/, '')}`;
    return `${out}Z`;
  }
}

const digits = (text, at, n) => {
  const part = text.slice(at, at + n);
  return part.length === n && /^[0-9]+$/.test(part) ? Number(part) : null;
};

/** The timestamp `text` denotes, or `null` when it is not one. */
export function parseTimestamp(text) {
  if (typeof text !== 'string') return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year === null || text[4] !== '-' || month === null || text[7] !== '-' || day === null) return null;
  // Any one ASCII character separates the date from the time (the `time`
  // crate skips one byte; a longer character leaves broken UTF-8 behind).
  if (!(text.charCodeAt(10) < 0x80)) return null;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  let second = digits(text, 17, 2);
  if (hour === null || text[13] !== ':' || minute === null || text[16] !== ':' || second === null) return null;
  let at = 19;
  let nanos = 0;
  if (text[at] === '.') {
    at++;
    const frac = /^[0-9]+/.exec(text.slice(at));
    if (!frac) return null;
    nanos = Number(frac[0].slice(0, 9).padEnd(9, '0'));
    at += frac[0].length;
  }
  let offset = 0;
  if (text[at] === 'Z' || text[at] === 'z') {
    at++;
  } else if (text[at] === '+' || text[at] === '-') {
    const oh = digits(text, at + 1, 2);
    const om = digits(text, at + 4, 2);
    if (oh === null || oh > 23 || text[at + 3] !== ':' || om === null || om > 59) return null;
    offset = (text[at] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return null;
  }
  if (at !== text.length) return null;
  const leapSecond = second === 60;
  if (leapSecond) {
    second = 59;
    nanos = 999_999_999;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const seconds = daysFromCivil(year, month, day) * DAY + hour * 3600 + minute * 60 + second - offset;
  const t = new Timestamp(seconds, nanos);
  const [utcYear, utcMonth, utcDay] = civilFromDays(Math.floor(seconds / DAY));
  if (leapSecond) {
    // Only 23:59:60 UTC on the last day of a month.
    const secs = seconds - Math.floor(seconds / DAY) * DAY;
    if (secs !== DAY - 1 || utcDay !== daysIn(utcYear, utcMonth)) return null;
  }
  if (utcYear < 0 || utcYear > 9999) return null;
  return t;
}
