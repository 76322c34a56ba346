//! Small strict codecs shared by the value types: lower-case hex, canonical
//! base64, bounded text and the I-JSON integer range.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::RuleError;

/// The largest integer a signed payload may carry: 2^53 - 1.
///
/// RFC 8785 section 3.2.2.3 serialises numbers as IEEE 754 doubles, and
/// RFC 7493 (I-JSON) section 2.2 limits interoperable integers to this range,
/// so every integer in a signed payload stays at or below it and has exactly
/// one canonical text.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hexadecimal of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses exactly `2 * N` lower-case hex digits.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Standard padded base64 (RFC 4648 section 4).
pub(crate) fn to_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard padded base64 of exactly `N` bytes, refusing every
/// non-canonical spelling (the re-encoding must give back the same text).
pub(crate) fn from_base64<const N: usize>(text: &str) -> Option<[u8; N]> {
    // Room for the decoder's estimate of up to 64 bytes (keys and
    // signatures).
    const { assert!(N <= 64) };
    if text.len() != N.div_ceil(3) * 4 {
        return None;
    }
    // The STANDARD engine decodes canonical text only (padding as the
    // encoder writes it, zero trailing bits): `tests` checks it against
    // re-encoding.
    let mut decoded = [0u8; 66];
    let len = STANDARD.decode_slice(text, &mut decoded).ok()?;
    <[u8; N]>::try_from(decoded.get(..len)?).ok()
}

/// Checks that `text` has between `min` and `max` characters (Unicode scalar
/// values) and no control characters other than newline and tab: the rule
/// for every free-text field of a payload.
///
/// # Errors
/// [`RuleError::TextLength`] or [`RuleError::Malformed`], naming `field`.
pub fn check_text(field: &str, text: &str, min: usize, max: usize) -> Result<(), RuleError> {
    let len = text.chars().count();
    if len < min || len > max {
        return Err(RuleError::TextLength {
            field: field.to_owned(),
            len,
            min,
            max,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(RuleError::Malformed {
            field: field.to_owned(),
            detail: "control characters are not allowed".to_owned(),
        });
    }
    Ok(())
}

/// Checks that a list has at most `max` items.
pub(crate) fn check_count(field: &str, count: usize, max: usize) -> Result<(), RuleError> {
    if count > max {
        return Err(RuleError::TooManyItems {
            field: field.to_owned(),
            count,
            max,
        });
    }
    Ok(())
}

/// Walks a JSON value and refuses any number that is not an integer in
/// `0..=MAX_SAFE_INTEGER`: signed payloads carry no floats and no negative
/// numbers, and every integer must print identically under RFC 8785. The
/// error names the first such number by its path below `path`.
pub(crate) fn check_numbers(value: &serde_json::Value, path: &str) -> Result<(), RuleError> {
    match first_bad_number(value) {
        None => Ok(()),
        Some(steps) => {
            // The path is built only for the refusal, outermost step first.
            let mut field = path.to_owned();
            for step in steps.iter().rev() {
                match step {
                    Step::Index(i) => {
                        // Writing to a String cannot fail.
                        let _ = write!(field, "[{i}]");
                    }
                    Step::Name(name) => {
                        field.push('.');
                        field.push_str(name);
                    }
                }
            }
            Err(RuleError::NumberOutOfRange { field })
        }
    }
}

/// One step down a JSON value: an array index or an object member name.
enum Step<'a> {
    Index(usize),
    Name(&'a str),
}

/// The steps to the first number out of range, innermost first; `None`
/// when there is none. Allocates only on the way back from a bad number.
fn first_bad_number(value: &serde_json::Value) -> Option<Vec<Step<'_>>> {
    match value {
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(v) if v <= MAX_SAFE_INTEGER => None,
            _ => Some(Vec::new()),
        },
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mut steps = first_bad_number(item)?;
            steps.push(Step::Index(i));
            Some(steps)
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(name, item)| {
            let mut steps = first_bad_number(item)?;
            steps.push(Step::Name(name));
            Some(steps)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_strict() {
        assert_eq!(from_hex::<2>("0aff"), Some([0x0a, 0xff]));
        assert_eq!(from_hex::<2>("0AFF"), None);
        assert_eq!(from_hex::<2>("0af"), None);
        assert_eq!(to_hex(&[0x0a, 0xff]), "0aff");
    }

    #[test]
    fn base64_is_canonical() {
        assert_eq!(from_base64::<1>("AA=="), Some([0]));
        // Non-zero trailing bits and missing padding are refused.
        assert_eq!(from_base64::<1>("AB=="), None);
        assert_eq!(from_base64::<1>("AA"), None);
        assert_eq!(from_base64::<2>("AA=="), None);
    }

    /// Decoding as `from_base64` did before: decode, then require that
    /// re-encoding gives back the same text.
    fn by_reencoding<const N: usize>(text: &str) -> Option<[u8; N]> {
        let bytes = STANDARD.decode(text).ok()?;
        let out = <[u8; N]>::try_from(bytes.as_slice()).ok()?;
        (STANDARD.encode(out) == text).then_some(out)
    }

    #[test]
    fn base64_accepts_exactly_the_texts_that_reencode() {
        const SYMBOLS: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .";
        let each = |f: &mut dyn FnMut(char)| SYMBOLS.iter().for_each(|&c| f(char::from(c)));
        // Every 4-character text over the alphabet, `=` and some strangers
        // (the first character from a few: it carries no trailing bits),
        // as one and as two bytes.
        for a in ['A', '/', '=', '-', ' '] {
            each(&mut |b| {
                each(&mut |c| {
                    each(&mut |d| {
                        let text: String = [a, b, c, d].into_iter().collect();
                        assert_eq!(from_base64::<1>(&text), by_reencoding::<1>(&text), "{text}");
                        assert_eq!(from_base64::<2>(&text), by_reencoding::<2>(&text), "{text}");
                    });
                });
            });
        }
        // Keys and signatures with every last group and a changed length.
        let key = to_base64(&[0x5a; 32]);
        let sig = to_base64(&[0xa5; 64]);
        for base in [key, sig] {
            let stem = &base[..base.len() - 4];
            each(&mut |a| {
                each(&mut |b| {
                    for tail in [
                        format!("{a}{b}=="),
                        format!("{a}{b}A="),
                        format!("{a}{b}"),
                        format!("{a}{b}AA="),
                    ] {
                        let text = format!("{stem}{tail}");
                        assert_eq!(
                            from_base64::<32>(&text),
                            by_reencoding::<32>(&text),
                            "{text}"
                        );
                        assert_eq!(
                            from_base64::<64>(&text),
                            by_reencoding::<64>(&text),
                            "{text}"
                        );
                    }
                });
            });
        }
    }

    #[test]
    fn numbers_stay_in_the_safe_range() {
        let ok = serde_json::json!({"a": [1, MAX_SAFE_INTEGER]});
        assert!(check_numbers(&ok, "payload").is_ok());
        let big = serde_json::json!({"a": [1, MAX_SAFE_INTEGER + 1]});
        let err = check_numbers(&big, "payload").unwrap_err();
        assert_eq!(err.field(), Some("payload.a[1]"));
        let deep = serde_json::json!({"a": {"b": 1}, "c": [[0, {"d": 2.5}]]});
        let err = check_numbers(&deep, "payload").unwrap_err();
        assert_eq!(err.field(), Some("payload.c[0][1].d"));
        assert!(check_numbers(&serde_json::json!(-1), "p").is_err());
        assert!(check_numbers(&serde_json::json!(1.5), "p").is_err());
    }
}
