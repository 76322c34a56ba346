//! RFC 8785 (JSON Canonicalization Scheme) for the JSON Provenant signs and
//! hashes: every signing input, leaf and state-map value.
//!
//! Provenant's signed JSON holds no floats and no negative numbers, and its
//! integers stay at or below [`MAX_SAFE_INTEGER`] (2^53 - 1), so the whole
//! of RFC 8785 it needs is:
//!
//! | JSON | canonical text | RFC 8785 |
//! |---|---|---|
//! | `null`, `true`, `false` | as is | section 3.2.2.1 |
//! | integer in `0..=2^53-1` | shortest decimal, which is what ECMAScript prints for the double | section 3.2.2.3 |
//! | string | `"`, the text with `"` `\` and U+0000..U+001F escaped (`\b \t \n \f \r`, else `\u00xx` in lower-case hex), `"`; every other character as its UTF-8 bytes | section 3.2.2.2 |
//! | array | `[` items joined by `,` `]` | section 3.2.1 |
//! | object | `{` `"name":value` joined by `,` `}`, members sorted by their names' UTF-16 code units | section 3.2.3 |
//!
//! No whitespace anywhere. Any other number (a float, a negative number,
//! an integer above 2^53 - 1) is refused with [`UnsupportedNumber`] rather
//! than printed: its ECMAScript form is not needed, and a wrong guess would
//! change a signing input.
//!
//! UTF-16 order is byte order of the UTF-8 text except between a character
//! from U+E000 to U+FFFF and one above U+FFFF (UTF-16 writes the latter
//! with a surrogate, 0xD800 to 0xDBFF, which sorts first): [`utf16_cmp`]
//! compares the bytes and corrects that one case.
//!
//! `tests/jcs.rs` checks the bytes against RFC 8785's reference vectors and
//! against `serde_jcs` on random values.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::MAX_SAFE_INTEGER;

/// A number that Provenant's canonical JSON does not carry: anything but
/// an integer in `0..=2^53-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a number other than an integer in 0..=2^53-1")]
pub struct UnsupportedNumber;

/// `JCS(value)`: the RFC 8785 canonical bytes of `value`.
///
/// # Errors
/// [`UnsupportedNumber`] for a float, a negative number or an integer
/// above 2^53 - 1 anywhere in `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, UnsupportedNumber> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out)?;
    Ok(out)
}

/// Appends `JCS(value)` to `out`. On an error, `out` holds a prefix of the
/// bytes.
///
/// # Errors
/// [`UnsupportedNumber`], as [`to_vec`].
pub fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), UnsupportedNumber> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => match n.as_u64() {
            Some(v) if v <= MAX_SAFE_INTEGER => write_integer(v, out),
            _ => return Err(UnsupportedNumber),
        },
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, out)?,
    }
    Ok(())
}

fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>) -> Result<(), UnsupportedNumber> {
    out.push(b'{');
    let start = out.len();
    // `serde_json`'s map iterates in byte order (or, with its
    // `preserve_order` feature, as received), which is nearly always the
    // canonical order: write in that order, and start again sorted at the
    // first pair out of order.
    let mut previous: Option<&str> = None;
    let mut sorted = true;
    for (i, (name, member)) in map.iter().enumerate() {
        if previous.is_some_and(|p| utf16_cmp(p, name) != Ordering::Less) {
            sorted = false;
            break;
        }
        write_member(i, name, member, out)?;
        previous = Some(name);
    }
    if !sorted {
        out.truncate(start);
        let mut members: Vec<(&String, &Value)> = map.iter().collect();
        members.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
        for (i, (name, member)) in members.into_iter().enumerate() {
            write_member(i, name, member, out)?;
        }
    }
    out.push(b'}');
    Ok(())
}

fn write_member(
    i: usize,
    name: &str,
    member: &Value,
    out: &mut Vec<u8>,
) -> Result<(), UnsupportedNumber> {
    if i > 0 {
        out.push(b',');
    }
    write_string(name, out);
    out.push(b':');
    write(member, out)
}

/// Compares two texts by their UTF-16 code units, the member order of
/// RFC 8785 section 3.2.3.
#[must_use]
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let (left, right) = (a.as_bytes(), b.as_bytes());
    let Some(at) = left.iter().zip(right).position(|(l, r)| l != r) else {
        return left.len().cmp(&right.len());
    };
    // The texts agree before `at`, so `at` starts a character in both or
    // in neither; only lead bytes of different UTF-8 lengths can disagree
    // with UTF-16. 0xEE and 0xEF lead U+E000..=U+FFFF, one code unit at or
    // above 0xE000; 0xF0 to 0xF4 lead a character above U+FFFF, whose
    // first code unit is a surrogate below 0xE000.
    let (l, r) = (left[at], right[at]);
    let high_bmp = |lead: u8| lead == 0xEE || lead == 0xEF;
    if high_bmp(l) && r >= 0xF0 {
        Ordering::Greater
    } else if l >= 0xF0 && high_bmp(r) {
        Ordering::Less
    } else {
        l.cmp(&r)
    }
}

/// A string as RFC 8785 section 3.2.2.2 (ECMAScript's `JSON.stringify`)
/// writes it.
fn write_string(text: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight bytes at a time while none needs an escape.
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !needs_escape(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let c = bytes[i];
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0x0f)],
            ],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is below 0x20, `"` or `\`
/// (the classic zero-byte test: `x - 0x01.. & !x & 0x80..` is non-zero
/// exactly when some byte of `x` is zero, and `w - n*0x01.. & !w & 0x80..`
/// when some byte is below `n`, for `n` up to 0x80).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGHS;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (below(word, 0x20) | below(quote, 1) | below(backslash, 1)) != 0
}

/// A non-negative integer in decimal, without leading zeros.
fn write_integer(mut v: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // `v % 10` is below 10.
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(value: &Value) -> String {
        String::from_utf8(to_vec(value).expect("canonical")).expect("UTF-8")
    }

    #[test]
    fn writes_each_form() {
        assert_eq!(
            text(&json!({"b": [0, 7, MAX_SAFE_INTEGER], "a": {"y": null, "x": true}, "c": false})),
            format!(r#"{{"a":{{"x":true,"y":null}},"b":[0,7,{MAX_SAFE_INTEGER}],"c":false}}"#)
        );
        assert_eq!(
            text(&json!("\"\\\u{8}\t\n\u{c}\r\u{0}\u{1f}\u{7f}/é")),
            "\"\\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001f\u{7f}/é\""
        );
        assert_eq!(text(&json!({})), "{}");
        assert_eq!(text(&json!([])), "[]");
    }

    #[test]
    fn the_word_test_finds_every_byte_to_escape() {
        for c in 0..=u8::MAX {
            let escaped = c < 0x20 || c == b'"' || c == b'\\';
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = c;
                assert_eq!(
                    needs_escape(u64::from_le_bytes(word)),
                    escaped,
                    "{c:#x} at {at}"
                );
                // Next to bytes that borrow in the subtraction.
                let mut word = [0xff; 8];
                word[at] = c;
                assert_eq!(
                    needs_escape(u64::from_le_bytes(word)),
                    escaped,
                    "{c:#x} at {at}"
                );
            }
        }
        let long = "a long text with \"quotes\" and \\ and a tab\t past eight bytes\u{1}";
        assert_eq!(
            to_vec(&json!(long)).expect("text"),
            serde_jcs::to_vec(&json!(long)).expect("jcs")
        );
    }

    #[test]
    fn refuses_numbers_it_does_not_carry() {
        for bad in [
            json!(-1),
            json!(0.5),
            json!(1.0),
            json!(MAX_SAFE_INTEGER + 1),
            json!(u64::MAX),
            json!({"a": [1, {"b": -0.0}]}),
        ] {
            assert_eq!(to_vec(&bad), Err(UnsupportedNumber), "{bad}");
        }
    }

    #[test]
    fn members_sort_by_utf16_code_units() {
        // U+FB33 (one unit, 0xFB33) sorts after U+1F602 (0xD83D 0xDE02),
        // though its UTF-8 bytes sort first.
        assert_eq!(utf16_cmp("\u{fb33}", "\u{1f602}"), Ordering::Greater);
        assert_eq!(utf16_cmp("\u{1f602}", "\u{fb33}"), Ordering::Less);
        assert_eq!(utf16_cmp("\u{d7ff}", "\u{1f602}"), Ordering::Less);
        assert_eq!(utf16_cmp("a\u{e000}", "a\u{10000}"), Ordering::Greater);
        assert_eq!(utf16_cmp("ab", "a"), Ordering::Greater);
        assert_eq!(utf16_cmp("é", "è"), Ordering::Greater);
        assert_eq!(
            text(&json!({"\u{fb33}": 1, "\u{1f602}": 2, "z": 3})),
            "{\"z\":3,\"\u{1f602}\":2,\"\u{fb33}\":1}"
        );
    }
}
