//! Unsigned envelopes ("drafts") for every entry kind, built from typed
//! inputs, and the small parsers the command line needs.
//!
//! Writes go draft -> sign -> submit: one person drafts an envelope, each
//! signer adds a signature on their own machine ([`sign`](fn@sign)), anyone submits
//! it. Every draft is checked with the model's own stateless rules
//! ([`check_draft`]) before it is returned and again before it is signed,
//! so a bad draft (shares that do not sum to 100%, an empty claim, terms that
//! contradict themselves) fails before anyone signs it. The rules that need
//! the ledger's state (who owns a design, what a grant allows) are the
//! server's to check.
//!
//! Pure: no I/O. The caller reads files and keys and passes what they hold.
//!
//! Shares are written `60%` (at most four decimals: `33.3333%`) or
//! `600000ppm`; both are exact integers in parts per million, never floats.

mod kinds;
mod parse;
mod sign;
mod summary;
mod terms;
#[cfg(test)]
mod test_support;

use provenant_model::{Identity, RuleError};

pub use kinds::{
    DesignDraft, check_draft, design_draft, dispute_raise_draft, dispute_resolve_draft,
    evidence_hash, evidence_hash_reader, grant_draft, revoke_draft, rotate_draft, transfer_draft,
    usage_draft,
};
pub use parse::{
    DEFAULT_ROLE, media_type_for, parse_identity, parse_key_share, parse_rev_share, parse_share,
    split_creator, split_key_share,
};
pub use sign::{expected_signers, other_signers, pending_signers, sign, sign_as_licensee};
pub use summary::{percent, summary};
pub use terms::{Preset, TermsOverrides, terms_from};

/// Why a draft could not be built or signed.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// A share or percentage that does not parse.
    #[error("{0}")]
    Share(String),
    /// A key that is not an `ed25519:` identity.
    #[error("{0}")]
    Key(String),
    /// License terms that cannot be built (no preset or file, a bad file).
    #[error("license terms: {0}")]
    Terms(String),
    /// The draft breaks one of the model's rules.
    #[error("invalid draft: {0}")]
    Invalid(#[from] RuleError),
    /// The key has signed this envelope already.
    #[error("{key} has already signed this envelope")]
    AlreadySigned {
        /// The signer.
        key: Identity,
    },
    /// The key may not sign this envelope in the role asked for.
    #[error("{0}")]
    Signer(String),
}
