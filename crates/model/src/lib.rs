//! Provenant's domain model: entry kinds, canonical signing, validation
//! rules, license checks and royalty math. Pure: no I/O, no async, no
//! storage; the ledger reaches its state through [`StateView`].
//!
//! # Bytes signed and hashed
//!
//! ```text
//! JCS(x)         = RFC 8785 canonical JSON of x
//! signing input  = "provenant:v1:" || kind || "\n" || JCS(payload)
//! signature      = Ed25519(secret key, signing input)          RFC 8032 section 5.1.6
//! entry id       = SHA-256(signing input)                       (hex; grant and dispute ids)
//! leaf bytes     = JCS({kind, logged_at, payload, signatures})
//! leaf hash      = SHA-256(0x00 || leaf bytes)                  RFC 6962 section 2.1
//! design id      = BLAKE3(content bytes)                        (hex)
//! ```
//!
//! - `kind` is one of `design.register`, `license.grant`, `usage.record`,
//!   `ownership.transfer`, `license.revoke`, `dispute.raise`,
//!   `dispute.resolve`, `key.rotate`, and `state.commit`, which only the
//!   log writes and signs. The prefix and the kind separate the domains: a
//!   signature for one kind never verifies as another.
//! - `JCS(payload)` is computed from the payload as received (parsed, then
//!   canonicalised), so any spacing or member order of the same JSON value
//!   has one signing input; a signature over the non-canonical bytes fails.
//!   An envelope whose JSON repeats a member name in any object is refused
//!   ([`strict_json`]): readers disagree on which value such text means.
//!   Payload integers are at most 2^53 - 1, so RFC 8785's number form is
//!   the plain decimal integer; payloads carry no floats.
//! - Signatures verify with `verify_strict`'s verdicts (canonical `S`, no
//!   small-order `R` or key), computed by [`verify_signature`]. An
//!   identity is `ed25519:` + padded base64 of the key; a signature is
//!   padded base64 of its 64 bytes.
//! - `logged_at` is the server's clock, printed `YYYY-MM-DDTHH:MM:SS[.f]Z`.
//!
//! # Contents
//!
//! | module | what |
//! |---|---|
//! | [`ids`], [`values`], [`vocab`] | identities, hashes, ppm, money, times, territories, labels |
//! | [`content`] | BLAKE3 + SHA-256 of a design file in one pass |
//! | [`terms`], [`payload`] | license terms and the payload of each kind |
//! | [`envelope`], [`signing`], [`entry`] | envelopes, signing input, signatures, ledger entries and leaf bytes |
//! | [`bounds`] | [`Envelope::precheck`]: every bound checked before a signature is, and [`MAX_OWNERS`] |
//! | [`state`], [`memory`] | state records, the [`StateView`] trait, [`Changes`], [`MemoryState`] |
//! | [`rules`] | [`apply`]: validation and application of an entry, one code path |
//! | [`statemap`] | the state map's keys and records, `SHA-256(JCS(record))`, and which keys an entry's changes touch |
//! | `replay` | [`Replay`]: an auditor's replay with the map rebuilt, checking every `state.commit` |
//! | `proven_state` | [`ProvenState`]: a view of proven records only, to recompute an answer; [`Recording`]: the keys a computation reads |
//! | [`check`] | the license check with every reason; its predicates for grant coverage and disputes (`coverage`) are the usage rule's too |
//! | [`receipt`] | the receipt of a write and its offline verification |
//! | [`royalty`] | LAP and LRP splits and statements, exact to the minor unit |
//! | [`scope`] | the closed channel and category vocabularies, and category coverage |
//! | `schema` (feature `schema`) | JSON Schemas of the wire forms, with the limits the rules enforce |
//! | [`strict_json`] | JSON text with no repeated member names, for envelopes, receipts and answers |
//! | [`jcs`] | RFC 8785 canonical bytes of the JSON Provenant signs and hashes |
//! | [`error`] | [`RuleError`], each variant with a stable [`RuleError::code`] |

pub mod bounds;
pub mod check;
mod codec;
pub mod content;
mod coverage;
pub mod entry;
pub mod envelope;
pub mod error;
pub mod ids;
pub mod iscc;
pub mod jcs;
pub mod memory;
pub mod payload;
mod proven_state;
pub mod receipt;
mod replay;
pub mod royalty;
pub mod rules;
#[cfg(feature = "schema")]
pub mod schema;
pub mod scope;
pub mod signing;
pub mod state;
pub mod statemap;
pub mod strict_json;
pub mod terms;
pub mod values;
pub mod vocab;

pub use bounds::{MAX_ENTRY_BYTES, MAX_OWNERS, MAX_SIGNATURES};
pub use check::{Action, Blocked, LicenseAnswer, LicenseQuery, Reason, blocked_by, check_license};
pub use codec::{MAX_SAFE_INTEGER, check_text};
pub use content::{ContentDescriptor, ContentHasher, ContentHashes, hash_content};
pub use entry::Entry;
pub use envelope::{Envelope, Kind, Payload, SIGNING_PREFIX, SignatureLine};
pub use error::{RuleError, ViewError};
pub use ids::{
    ContentSha256, DesignId, DisputeId, EntryId, EvidenceHash, GrantId, Identity, LeafHash,
    StateRoot,
};
pub use iscc::{ImageCode, NearDuplicate};
pub use memory::MemoryState;
pub use proven_state::{ProvenState, Recording};
pub use receipt::{Receipt, ReceiptError};
pub use replay::Replay;
pub use royalty::{
    Cancel, CsvError, DetailPage, RoyaltySplit, SaleLine, Statement, parse_sales_csv,
    royalty_split, royalty_statement,
};
pub use rules::{Context, MAX_OPEN_DISPUTES, apply};
pub use scope::{Category, Channel};
pub use signing::{SignatureBytes, Verified, identity_of, verify_signature};
pub use state::{Changes, DesignState, DisputeState, EntryRef, GrantState, Owner, StateView};
pub use terms::{LicenseTerms, Royalty, RoyaltyPolicy};
pub use values::{Currency, Money, Ppm, Timestamp};
pub use vocab::{CountryCode, DigitalSourceType, Label, MediaType};
