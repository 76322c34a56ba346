//! JSON text parsed with no repeated object member names.
//!
//! RFC 8259 leaves a repeated name's meaning to each parser: some keep the
//! first value, `serde_json` keeps the last. A signed envelope must mean one
//! thing to every reader (an auditor in another language, a witness), so an
//! envelope with a repeated name is refused rather than read one way here
//! and another way there. RFC 7493 (I-JSON) section 2.3 requires the same.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// Parses `bytes` as one JSON value, refusing repeated member names at any
/// depth (and everything `serde_json` refuses: trailing data, nesting past
/// 128 levels, invalid UTF-8).
///
/// # Errors
/// The parse error, naming the repeated member.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Deserializes one [`Value`] from any serde deserializer, refusing
/// repeated member names inside it: for `#[serde(deserialize_with)]` on a
/// `Value` field of a typed struct (serde's derive already refuses a
/// repeated field of the struct itself, but a `Value` keeps the last of
/// two members silently).
///
/// # Errors
/// The deserializer's error, naming the repeated member.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Strict.deserialize(d)
}

/// A seed that builds a [`Value`], checking each object's names.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            match members.entry(name) {
                Entry::Occupied(member) => {
                    return Err(de::Error::custom(format!(
                        "the member {:?} appears twice in one object",
                        member.key()
                    )));
                }
                Entry::Vacant(slot) => {
                    slot.insert(map.next_value_seed(Strict)?);
                }
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_refused_at_any_depth() {
        assert!(parse(br#"{"a":1,"b":[{"c":2}]}"#).is_ok());
        for text in [
            r#"{"a":1,"a":1}"#,
            r#"{"a":1,"b":{"c":1,"c":2}}"#,
            r#"[{"x":[{"y":0,"y":0}]}]"#,
        ] {
            let err = parse(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("appears twice"), "{text}: {err}");
        }
    }

    #[test]
    fn a_value_field_refuses_repeated_names_through_any_entry_point() {
        #[derive(Debug, serde::Deserialize)]
        struct Holder {
            #[serde(deserialize_with = "deserialize")]
            #[allow(dead_code)]
            v: Value,
        }
        assert!(serde_json::from_str::<Holder>(r#"{"v":{"a":1}}"#).is_ok());
        let err = serde_json::from_str::<Holder>(r#"{"v":{"a":1,"a":2}}"#).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn parses_like_serde_json_otherwise() {
        for text in [
            r#"{"n":-5,"u":18446744073709551615,"f":0.5,"s":"\u00e9","z":null,"t":true}"#,
            "[]",
            "\"x\"",
        ] {
            let ours = parse(text.as_bytes()).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs);
        }
        for text in ["", "{", "[1,]", "{} {}", "1e400"] {
            assert!(parse(text.as_bytes()).is_err(), "{text}");
        }
    }
}
