//! JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of the wire forms,
//! behind the `schema` feature.
//!
//! The structs derive [`JsonSchema`] beside their serde derives, with their
//! limits taken from the constants the rules enforce ([`MAX_TITLE`],
//! [`MAX_CREATORS`], [`MAX_TERM_LIST`], [`Ppm::SCALE`]...). The value types
//! whose text form is parsed by hand get their schema here, from the same
//! tables their parsers read (the ISO 3166-1 codes, the IPTC terms, the
//! channel and category vocabularies). An [`Envelope`] and an [`Entry`] are
//! a `oneOf` of one branch per [`Kind`], keyed by `kind`.
//!
//! What a schema cannot say, and only the rules check: creator shares that
//! sum to `1_000_000`, a creator or giver named twice, `ends_at` after
//! `starts_at`, valid signatures, and every rule that reads the state.
//!
//! [`MAX_TITLE`]: crate::payload::MAX_TITLE
//! [`MAX_CREATORS`]: crate::payload::MAX_CREATORS
//! [`MAX_TERM_LIST`]: crate::terms::MAX_TERM_LIST

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::ids::IDENTITY_PREFIX;
use crate::payload::{
    DesignRegister, DisputeRaise, DisputeResolve, KeyRotate, LicenseGrant, LicenseRevoke,
    OwnershipTransfer, StateCommit, UsageRecord,
};
use crate::vocab::{IPTC_DIGITAL_SOURCE_TYPE, IPTC_TERMS, ISO_3166_ALPHA2, MEDIA_NAME_MAX};
use crate::{
    Category, Channel, ContentSha256, CountryCode, Currency, DesignId, DigitalSourceType,
    DisputeId, Entry, EntryId, Envelope, EvidenceHash, GrantId, Identity, ImageCode, Kind, Label,
    LeafHash, MAX_SIGNATURES, MediaType, Ppm, SignatureBytes, SignatureLine, StateRoot, Timestamp,
};

/// Free text: no control characters other than tab and newline (the
/// Unicode `Cc` category is U+0000 to U+001F and U+007F to U+009F), as
/// [`crate::check_text`] requires. Lengths count characters, as JSON
/// Schema's `maxLength` does.
pub const TEXT_PATTERN: &str = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*$";

/// A named string schema: `pattern` and a description.
macro_rules! string_schema {
    ($ty:ty, $name:literal, $schema:expr) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

/// A 32-byte identifier as 64 lower-case hex digits.
macro_rules! hex_schema {
    ($ty:ty, $name:literal, $what:literal) => {
        string_schema!(
            $ty,
            $name,
            json_schema!({
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": concat!($what, ": 64 lower-case hex digits."),
            })
        );
    };
}

hex_schema!(
    DesignId,
    "DesignId",
    "A design's id, the BLAKE3 hash of its content"
);
hex_schema!(
    ContentSha256,
    "ContentSha256",
    "The SHA-256 hash of a design's content"
);
hex_schema!(
    EntryId,
    "EntryId",
    "An envelope's id, SHA-256 of its signing input"
);
hex_schema!(
    GrantId,
    "GrantId",
    "A license grant's id, the entry id of its license.grant envelope"
);
hex_schema!(
    DisputeId,
    "DisputeId",
    "A dispute's id, the entry id of its dispute.raise envelope"
);
hex_schema!(
    EvidenceHash,
    "EvidenceHash",
    "The SHA-256 hash of a dispute's evidence"
);
hex_schema!(
    LeafHash,
    "LeafHash",
    "An entry's RFC 6962 leaf hash, SHA-256(0x00 || leaf bytes)"
);
hex_schema!(
    StateRoot,
    "StateRoot",
    "The root of the state map, as a state.commit entry commits to it"
);

/// An RFC 6962 node hash in a proof, for the schemas of proofs (the
/// hashes are `provenant_tlog::Hash`, written as hex).
pub struct NodeHash;

hex_schema!(
    NodeHash,
    "NodeHash",
    "A SHA-256 node hash of the Merkle tree (RFC 6962 section 2.1)"
);

string_schema!(
    Identity,
    "Identity",
    json_schema!({
        "type": "string",
        // 32 bytes are 43 base64 characters and one `=` of padding.
        "pattern": format!("^{IDENTITY_PREFIX}[A-Za-z0-9+/]{{42}}[AEIMQUYcgkosw048]=$"),
        "description": "An Ed25519 public key: `ed25519:` and the padded base64 of its 32 bytes \
            (a point on the curve, not of small order).",
    })
);

string_schema!(
    SignatureBytes,
    "Signature",
    json_schema!({
        "type": "string",
        // 64 bytes are 86 base64 characters and `==`.
        "pattern": "^[A-Za-z0-9+/]{85}[AQgw]==$",
        "description": "An Ed25519 signature (RFC 8032 section 5.1.6): padded base64 of its 64 bytes.",
    })
);

string_schema!(
    Timestamp,
    "Timestamp",
    json_schema!({
        "type": "string",
        "format": "date-time",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$",
        "description": "An RFC 3339 date-time, years 0000 to 9999; printed in UTC as \
            `YYYY-MM-DDTHH:MM:SS[.f]Z`.",
    })
);

string_schema!(
    Currency,
    "Currency",
    json_schema!({
        "type": "string",
        "pattern": "^[A-Z]{3}$",
        "description": "An ISO 4217 currency code: three upper-case letters.",
    })
);

string_schema!(
    CountryCode,
    "CountryCode",
    json_schema!({
        "type": "string",
        "enum": ISO_3166_ALPHA2.split(' ').collect::<Vec<_>>(),
        "description": "A territory: an officially assigned ISO 3166-1 alpha-2 code.",
    })
);

string_schema!(
    Label,
    "Label",
    json_schema!({
        "type": "string",
        "minLength": 1,
        "maxLength": Label::MAX_LEN,
        "pattern": "^[a-z0-9][a-z0-9._-]*$",
        "description": "A label such as a creator's role (`designer`, `ai-operator`): \
            a-z, 0-9, `-`, `_` and `.`, starting with a letter or digit.",
    })
);

string_schema!(
    MediaType,
    "MediaType",
    json_schema!({
        "type": "string",
        "maxLength": 2 * MEDIA_NAME_MAX + 1,
        "pattern": format!(
            "^{name}/{name}$",
            name = format!("[a-z0-9][a-z0-9!#$&^_.+-]{{0,{}}}", MEDIA_NAME_MAX - 1)
        ),
        "description": "A media type (RFC 6838) in lower case without parameters, \
            such as `image/png`.",
    })
);

string_schema!(
    ImageCode,
    "ImageCode",
    json_schema!({
        "type": "string",
        "pattern": "^ISCC:EEA[A-Z2-7]{13}$",
        "description": "A 64-bit ISCC Image-Code (ISO 24138 Content-Code, image, version 0) \
            in canonical upper-case base32: a perceptual fingerprint, near for images that \
            look alike.",
    })
);

string_schema!(
    DigitalSourceType,
    "DigitalSourceType",
    json_schema!({
        "type": "string",
        "enum": IPTC_TERMS
            .iter()
            .map(|term| format!("{IPTC_DIGITAL_SOURCE_TYPE}{term}"))
            .collect::<Vec<_>>(),
        "description": "How the design came to be: an IPTC digital source type URI (C2PA's \
            `digitalSourceType`).",
    })
);

string_schema!(
    Channel,
    "Channel",
    json_schema!({
        "type": "string",
        "enum": Channel::all().map(Channel::as_str).collect::<Vec<_>>(),
        "description": "A sales channel, from a closed vocabulary: ".to_owned()
            + &Channel::all()
                .map(|c| format!("`{c}` ({})", c.means()))
                .collect::<Vec<_>>()
                .join(", ")
            + ".",
    })
);

string_schema!(
    Category,
    "Category",
    json_schema!({
        "type": "string",
        "enum": Category::all().map(Category::as_str).collect::<Vec<_>>(),
        "description": "A product category, from a closed vocabulary (Google product taxonomy \
            paths); a category covers its subcategories: ".to_owned()
            + &Category::all()
                .map(|c| format!("`{c}` ({})", c.means()))
                .collect::<Vec<_>>()
                .join(", ")
            + ".",
    })
);

string_schema!(
    Kind,
    "Kind",
    json_schema!({
        "type": "string",
        "enum": Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "description": "The kind of an entry.",
    })
);

impl JsonSchema for Ppm {
    // Inline, so that a field can narrow the range (`share_ppm` >= 1).
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Ppm".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "minimum": 0,
            "maximum": Ppm::SCALE,
            "description": "Parts per million (1000000 = 100%).",
        })
    }
}

/// The payload schema of `kind`: a new kind does not compile without one.
fn payload_schema(kind: Kind, g: &mut SchemaGenerator) -> Schema {
    match kind {
        Kind::DesignRegister => g.subschema_for::<DesignRegister>(),
        Kind::LicenseGrant => g.subschema_for::<LicenseGrant>(),
        Kind::UsageRecord => g.subschema_for::<UsageRecord>(),
        Kind::OwnershipTransfer => g.subschema_for::<OwnershipTransfer>(),
        Kind::LicenseRevoke => g.subschema_for::<LicenseRevoke>(),
        Kind::DisputeRaise => g.subschema_for::<DisputeRaise>(),
        Kind::DisputeResolve => g.subschema_for::<DisputeResolve>(),
        Kind::KeyRotate => g.subschema_for::<KeyRotate>(),
        Kind::StateCommit => g.subschema_for::<StateCommit>(),
    }
}

/// `design.register` -> `DesignRegister`.
fn camel(kind: Kind) -> String {
    kind.as_str()
        .split('.')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// One branch per kind, `{Kind}Envelope` or `{Kind}Entry`, each a named
/// schema so that the `discriminator` can map `kind` to it; the union is
/// a `oneOf` of them.
fn union(g: &mut SchemaGenerator, logged: bool, description: &str) -> Schema {
    let defs = g
        .settings()
        .definitions_path
        .trim_start_matches('#')
        .trim_end_matches('/')
        .to_owned();
    let suffix = if logged { "Entry" } else { "Envelope" };
    let line = g.subschema_for::<SignatureLine>();
    let stamp = g.subschema_for::<Timestamp>();
    let mut refs = Vec::new();
    let mut mapping = Map::new();
    for &kind in Kind::ALL {
        let name = format!("{}{suffix}", camel(kind));
        let reference = format!("#{defs}/{name}");
        let payload = payload_schema(kind, g);
        let mut properties = json!({
            "kind": {"type": "string", "const": kind.as_str()},
            "payload": payload,
            "signatures": {
                "type": "array",
                "items": line,
                "maxItems": MAX_SIGNATURES,
                "description": "Signatures over the signing input, one per key.",
            },
        });
        let mut required = vec!["kind", "payload"];
        if logged {
            properties["logged_at"] = json!(stamp);
            required.extend(["logged_at", "signatures"]);
        }
        let branch = json!({
            "type": "object",
            "description": format!("A `{kind}` {}.", suffix.to_lowercase()),
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        });
        g.definitions_mut().insert(name, branch);
        mapping.insert(kind.as_str().to_owned(), Value::String(reference.clone()));
        refs.push(json!({"$ref": reference}));
    }
    json_schema!({
        "description": description,
        "oneOf": refs,
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    })
}

impl JsonSchema for Envelope {
    fn schema_name() -> Cow<'static, str> {
        "Envelope".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        union(
            g,
            false,
            "A write: a kind, the kind's payload and the signatures over \
             `provenant:v1:` || kind || `\\n` || JCS(payload). Unknown fields are refused.",
        )
    }
}

impl JsonSchema for Entry {
    fn schema_name() -> Cow<'static, str> {
        "Entry".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        union(
            g,
            true,
            "An envelope as logged, stamped with the server's clock; its leaf bytes are \
             JCS({kind, logged_at, payload, signatures}).",
        )
    }
}

/// The PIL's own constraints on [`crate::LicenseTerms`], as `if`/`then`: no
/// revenue share without `commercial_use`; no reciprocity or approval
/// without `derivatives_allowed` (see [`crate::LicenseTerms::validate`]).
pub fn pil_constraints(schema: &mut Schema) {
    let when_false =
        |field: &str| json!({"properties": {field: {"const": false}}, "required": [field]});
    let constraints = json!([
        {
            "if": when_false("commercial_use"),
            "then": {"properties": {"royalty": {"properties": {"rev_share_ppm": {"const": 0}}}}},
        },
        {
            "if": when_false("derivatives_allowed"),
            "then": {"properties": {
                "derivatives_reciprocal": {"const": false},
                "derivatives_approval": {"const": false},
            }},
        },
    ]);
    schema.insert("allOf".to_owned(), constraints);
}
