//! The envelope `{kind, payload, signatures}` and its signing input.
//!
//! ```text
//! signing input = "provenant:v1:" || kind || "\n" || JCS(payload)
//! entry id      = SHA-256(signing input)
//! ```
//!
//! `JCS(payload)` is RFC 8785 applied to the payload exactly as received
//! (parsed to a JSON value, then canonicalised), so a re-ordered or
//! re-spaced payload has the same signing input, while a signature made over
//! the non-canonical bytes themselves does not verify. [`crate::jcs`]
//! writes the canonical bytes; the signing input and the id are computed
//! once, when the envelope is built.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::codec::check_numbers;
use crate::ids::serde_via_str;
use crate::payload::{
    DesignRegister, DisputeRaise, DisputeResolve, KeyRotate, LicenseGrant, LicenseRevoke,
    OwnershipTransfer, StateCommit, UsageRecord,
};
use crate::{EntryId, Identity, RuleError, SignatureBytes};

/// The domain-separation prefix of every signing input.
pub const SIGNING_PREFIX: &[u8] = b"provenant:v1:";

macro_rules! kinds {
    ($($variant:ident = $text:literal => $payload:ident),* $(,)?) => {
        /// The kind of an entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(#[doc = concat!("`", $text, "`")] $variant,)*
        }

        impl Kind {
            /// Every kind.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The kind's text, as in JSON and in the signing input.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $text,)* }
            }
        }

        impl FromStr for Kind {
            type Err = RuleError;
            fn from_str(text: &str) -> Result<Self, RuleError> {
                match text {
                    $($text => Ok(Kind::$variant),)*
                    _ => Err(RuleError::Malformed {
                        field: "kind".to_owned(),
                        detail: format!("unknown kind {text:?}"),
                    }),
                }
            }
        }

        /// A typed payload, one variant per kind.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Payload {
            $(#[doc = concat!("`", $text, "`")] $variant($payload),)*
        }

        impl Payload {
            /// The payload's kind.
            #[must_use]
            pub fn kind(&self) -> Kind {
                match self { $(Payload::$variant(_) => Kind::$variant,)* }
            }

            /// Parses the payload of `kind` strictly (unknown fields refused).
            ///
            /// # Errors
            /// [`RuleError::Malformed`] or [`RuleError::NumberOutOfRange`].
            pub fn from_value(kind: Kind, value: &Value) -> Result<Payload, RuleError> {
                check_numbers(value, "payload")?;
                Payload::from_checked_value(kind, value)
            }

            /// [`Payload::from_value`] for a value whose numbers are known
            /// to be in range (its canonical bytes were written).
            fn from_checked_value(kind: Kind, value: &Value) -> Result<Payload, RuleError> {
                crate::scope::check_payload(kind, value)?;
                let malformed = |e: serde_json::Error| RuleError::Malformed {
                    field: "payload".to_owned(),
                    detail: e.to_string(),
                };
                Ok(match kind {
                    $(Kind::$variant => Payload::$variant(
                        $payload::deserialize(value).map_err(malformed)?,
                    ),)*
                })
            }

            /// The payload as a JSON value.
            ///
            /// # Errors
            /// [`RuleError::Malformed`] if serialisation fails (it does not for
            /// the types of this crate).
            pub fn to_value(&self) -> Result<Value, RuleError> {
                let r = match self { $(Payload::$variant(p) => serde_json::to_value(p),)* };
                r.map_err(|e| RuleError::Malformed {
                    field: "payload".to_owned(),
                    detail: e.to_string(),
                })
            }
        }
    };
}

kinds! {
    DesignRegister = "design.register" => DesignRegister,
    LicenseGrant = "license.grant" => LicenseGrant,
    UsageRecord = "usage.record" => UsageRecord,
    OwnershipTransfer = "ownership.transfer" => OwnershipTransfer,
    LicenseRevoke = "license.revoke" => LicenseRevoke,
    DisputeRaise = "dispute.raise" => DisputeRaise,
    DisputeResolve = "dispute.resolve" => DisputeResolve,
    KeyRotate = "key.rotate" => KeyRotate,
    StateCommit = "state.commit" => StateCommit,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serde_via_str!(Kind);

/// One signature on an envelope: `{key, sig}` with `sig` the padded base64
/// of the 64-byte Ed25519 signature (RFC 8032 section 5.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatureLine {
    /// The signer.
    pub key: Identity,
    /// The signature over the signing input.
    pub sig: SignatureBytes,
}

/// A write: a kind, its payload and the signatures over its signing input.
///
/// Keeps the payload as received (for the signing input and the ledger
/// entry) alongside its typed form, and the signing input and id, computed
/// once when the envelope is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    payload: Payload,
    payload_json: Value,
    /// `"provenant:v1:" || kind || "\n" || JCS(payload)`.
    signing_input: Vec<u8>,
    /// `SHA-256(signing_input)`.
    id: EntryId,
    signatures: Vec<SignatureLine>,
}

/// An envelope's members once its payload is taken out of the object:
/// reading a `Value` field from a `Value` rebuilds it member by member,
/// moving it out does not.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    kind: Kind,
    #[serde(default, rename = "payload")]
    _payload: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    signatures: Vec<SignatureLine>,
}

impl Envelope {
    /// An unsigned envelope (a draft) for a typed payload.
    ///
    /// # Errors
    /// Whatever [`Envelope::from_parts`] refuses.
    pub fn new(payload: &Payload) -> Result<Envelope, RuleError> {
        Envelope::from_parts(payload.kind(), payload.to_value()?, Vec::new())
    }

    /// An envelope from its parts, the payload as received.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] or [`RuleError::NumberOutOfRange`] when the
    /// payload does not parse strictly as `kind`'s payload.
    pub fn from_parts(
        kind: Kind,
        payload_json: Value,
        signatures: Vec<SignatureLine>,
    ) -> Result<Envelope, RuleError> {
        if !payload_json.is_object() {
            return Err(RuleError::Malformed {
                field: "payload".to_owned(),
                detail: "a payload is a JSON object".to_owned(),
            });
        }
        let signing_input = signing_input(kind, &payload_json)?;
        let payload = Payload::from_checked_value(kind, &payload_json)?;
        let id = EntryId(Sha256::digest(&signing_input).into());
        Ok(Envelope {
            payload,
            payload_json,
            signing_input,
            id,
            signatures,
        })
    }

    /// Parses an envelope from JSON text, refusing a member name repeated
    /// in any object (see [`crate::strict_json`]).
    ///
    /// # Errors
    /// [`RuleError::Malformed`] for anything but a well-formed envelope.
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, RuleError> {
        let value = crate::strict_json::parse(bytes).map_err(|e| RuleError::Malformed {
            field: "envelope".to_owned(),
            detail: e.to_string(),
        })?;
        Envelope::from_value(value)
    }

    /// Parses an envelope from a JSON value.
    ///
    /// # Errors
    /// [`RuleError::Malformed`] for anything but a well-formed envelope;
    /// [`RuleError::TooManyItems`] for more than [`crate::MAX_SIGNATURES`]
    /// signature lines, before any of them is decoded.
    pub fn from_value(value: Value) -> Result<Envelope, RuleError> {
        crate::bounds::check_signature_lines(&value)?;
        let malformed = |e: serde_json::Error| RuleError::Malformed {
            field: "envelope".to_owned(),
            detail: e.to_string(),
        };
        // serde reads a struct from a JSON array too; an envelope, its
        // payload and its signature lines are objects only.
        let Value::Object(mut members) = value else {
            return Err(RuleError::Malformed {
                field: "envelope".to_owned(),
                detail: "an envelope is a JSON object".to_owned(),
            });
        };
        let payload = members.remove("payload");
        let head = RawHead::deserialize(Value::Object(members)).map_err(malformed)?;
        let payload =
            payload.ok_or_else(|| malformed(serde::de::Error::missing_field("payload")))?;
        Envelope::from_parts(head.kind, payload, head.signatures)
    }

    /// The entry kind.
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.payload.kind()
    }

    /// The typed payload.
    #[must_use]
    pub fn payload(&self) -> &Payload {
        &self.payload
    }

    /// The payload as received.
    #[must_use]
    pub fn payload_json(&self) -> &Value {
        &self.payload_json
    }

    /// `JCS(payload)`: the RFC 8785 canonical bytes of the payload.
    #[must_use]
    pub fn canonical_payload(&self) -> &[u8] {
        let header = SIGNING_PREFIX.len() + self.kind().as_str().len() + 1;
        &self.signing_input[header..]
    }

    /// The signatures, in the order given.
    #[must_use]
    pub fn signatures(&self) -> &[SignatureLine] {
        &self.signatures
    }

    /// Adds a signature line, replacing any earlier line by the same key.
    pub fn push_signature(&mut self, line: SignatureLine) {
        self.signatures.retain(|l| l.key != line.key);
        self.signatures.push(line);
    }

    /// `"provenant:v1:" || kind || "\n" || JCS(payload)`: the bytes every
    /// signer signs with Ed25519 (RFC 8032 section 5.1.6).
    #[must_use]
    pub fn signing_input(&self) -> Vec<u8> {
        self.signing_input.clone()
    }

    /// The signing input, borrowed: [`Envelope::signing_input`] without
    /// the copy.
    #[must_use]
    pub fn signing_bytes(&self) -> &[u8] {
        &self.signing_input
    }

    /// `SHA-256(signing input)`: the envelope's id, its idempotency key, and
    /// the id of the grant or dispute it creates.
    #[must_use]
    pub fn id(&self) -> EntryId {
        self.id
    }

    /// The envelope as JSON: `{kind, payload, signatures}`.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let signatures = self
            .signatures
            .iter()
            .map(|l| serde_json::json!({"key": l.key.to_string(), "sig": l.sig.to_string()}))
            .collect();
        serde_json::json!({
            "kind": self.kind().as_str(),
            "payload": self.payload_json.clone(),
            "signatures": Value::Array(signatures),
        })
    }
}

/// `"provenant:v1:" || kind || "\n" || JCS(payload)`, refusing a payload
/// with a number that is not an integer in `0..=2^53-1` (naming it).
fn signing_input(kind: Kind, payload: &Value) -> Result<Vec<u8>, RuleError> {
    let kind = kind.as_str().as_bytes();
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(SIGNING_PREFIX);
    out.extend_from_slice(kind);
    out.push(b'\n');
    if crate::jcs::write(payload, &mut out).is_ok() {
        return Ok(out);
    }
    // Find the number to name it: the writer refuses exactly the numbers
    // `check_numbers` does.
    check_numbers(payload, "payload")?;
    Err(RuleError::Invariant {
        detail: "a payload refused by JCS has its numbers in range",
    })
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Envelope::from_value(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>().unwrap(), *kind);
        }
        assert!("design.Register".parse::<Kind>().is_err());
    }

    #[test]
    fn envelope_is_strict() {
        let ok = br#"{"kind":"key.rotate","payload":{"old":"ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","new":"ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}}"#;
        let env = Envelope::from_json(ok).unwrap();
        assert_eq!(env.kind(), Kind::KeyRotate);
        assert!(env.signatures().is_empty());
        let extra = br#"{"kind":"key.rotate","payload":{},"x":1}"#;
        assert!(Envelope::from_json(extra).is_err());
        let unknown_field = br#"{"kind":"key.rotate","payload":{"old":"ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","new":"ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","z":0}}"#;
        assert_eq!(
            Envelope::from_json(unknown_field).unwrap_err().code(),
            "malformed"
        );
    }

    /// serde reads a struct from a JSON array as well: an envelope, a
    /// payload or a signature line written as one is refused.
    #[test]
    fn arrays_are_not_objects() {
        let key = "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
        let sig = "A".repeat(86) + "==";
        let object = format!(
            r#"{{"kind":"key.rotate","payload":{{"old":"{key}","new":"{key}"}},"signatures":[{{"key":"{key}","sig":"{sig}"}}]}}"#
        );
        assert!(Envelope::from_json(object.as_bytes()).is_ok());
        for text in [
            format!(r#"["key.rotate",{{"old":"{key}","new":"{key}"}},[]]"#),
            format!(r#"{{"kind":"key.rotate","payload":["{key}","{key}"]}}"#),
            format!(
                r#"{{"kind":"key.rotate","payload":{{"old":"{key}","new":"{key}"}},"signatures":[["{key}","{sig}"]]}}"#
            ),
        ] {
            let err = Envelope::from_json(text.as_bytes()).unwrap_err();
            assert_eq!(err.code(), "malformed", "{text}: {err}");
        }
    }
}
