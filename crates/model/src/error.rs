//! The one error type of the model: every way an envelope, an entry or a
//! query can break a rule, each with a stable machine name ([`RuleError::code`])
//! that the HTTP layer turns into the RFC 9457 problem type
//! `https://provenant.dev/problems/<code>`.

use crate::{DesignId, DisputeId, EntryId, GrantId, Identity, LeafHash, Timestamp};

/// A failure of the state view (the ledger's store), carried through rule
/// evaluation unchanged. The model never produces one itself. It says
/// whether retrying may help; the store's own error is kept as text (a
/// rule error is plain data), in full for operators' logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// The store could not be read now (its backend failed): the same
    /// question may be answered later.
    #[error("the state could not be read: {0}")]
    Unavailable(String),
    /// A record of the state is missing or does not decode: the store is
    /// damaged, and asking again gives the same answer.
    #[error("the state is corrupt: {0}")]
    Corrupt(String),
    /// A view over proven records only ([`crate::ProvenState`]) was asked
    /// for a record that the answer did not prove.
    #[error("the answer does not prove {0}")]
    Unproven(String),
}

/// A rule that an envelope, an entry or a query breaks.
///
/// Nothing is written when an entry fails a rule: [`crate::apply`] returns
/// the error instead of any [`crate::Changes`].
///
/// Not `#[non_exhaustive]`: the HTTP status of each rule comes from an
/// exhaustive match (`provenant_api::rule_status`), so that a new rule
/// does not compile until it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    // ---- encoding -------------------------------------------------------
    /// The JSON does not have the expected shape (unknown field, wrong type,
    /// bad encoding of an identity, a hash, a time...).
    #[error("malformed {field}: {detail}")]
    Malformed {
        /// Where: `kind`, `payload`, `signatures`, a payload field...
        field: String,
        /// What the parser said.
        detail: String,
    },
    /// A channel or category that is not in its closed vocabulary
    /// ([`crate::scope`]).
    #[error("{field}: {value:?} is not a known {vocabulary}; allowed: {allowed}")]
    UnknownLabel {
        /// The JSON path (`channel`, `terms.categories[1]`).
        field: String,
        /// Which vocabulary: `channel` or `category`.
        vocabulary: &'static str,
        /// The label given (at most 64 characters of it).
        value: String,
        /// The vocabulary's labels, comma separated.
        allowed: String,
    },
    /// A number that is not an integer in `0..=2^53-1` (RFC 8785, I-JSON).
    #[error("{field}: numbers must be integers between 0 and 2^53-1")]
    NumberOutOfRange {
        /// The JSON path of the number.
        field: String,
    },
    /// A text that is too short or too long.
    #[error("{field}: {len} characters, allowed {min}..={max}")]
    TextLength {
        /// The field.
        field: String,
        /// Its length in characters.
        len: usize,
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
    },
    /// A list with too many items.
    #[error("{field}: {count} items, at most {max} allowed")]
    TooManyItems {
        /// The field.
        field: String,
        /// Its item count.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// The entry, as it would be logged, is over [`crate::MAX_ENTRY_BYTES`].
    #[error("the entry is {size} bytes; the most is {max}")]
    EntryTooLarge {
        /// The entry's size in leaf bytes.
        size: usize,
        /// The bound.
        max: usize,
    },
    /// A list that must not be empty is empty.
    #[error("{field} must not be empty")]
    EmptyList {
        /// The field.
        field: String,
    },
    /// A list that must not repeat a value repeats one.
    #[error("{field}: {value} appears twice")]
    DuplicateItem {
        /// The field.
        field: String,
        /// The repeated value.
        value: String,
    },
    /// License terms that contradict themselves (Story PIL constraints).
    #[error("terms.{field}: {detail}")]
    TermsInconsistent {
        /// The offending terms field.
        field: String,
        /// Why.
        detail: String,
    },
    /// A ledger entry's bytes are not the canonical encoding of the entry.
    #[error("entry bytes are not canonical RFC 8785 JSON")]
    NonCanonicalEntry,

    // ---- signatures -----------------------------------------------------
    /// A signature that does not verify over the signing input.
    #[error("signature by {key} does not verify")]
    SignatureInvalid {
        /// The claimed signer.
        key: Identity,
    },
    /// The same key signed twice.
    #[error("{key} signed twice")]
    DuplicateSignature {
        /// The key.
        key: Identity,
    },
    /// A required signature is absent.
    #[error("missing signature by {key}")]
    MissingSignature {
        /// The key that must sign.
        key: Identity,
    },
    /// An envelope that needs at least one signature has none.
    #[error("the envelope carries no signature")]
    NoSignatures,
    /// A key signed that has no role in this entry.
    #[error("{key} has no role in this entry and must not sign it")]
    UnexpectedSigner {
        /// The key.
        key: Identity,
    },
    /// The owners who signed hold less than the design's license threshold.
    #[error("owners signing for {design} hold {have_ppm} ppm, {need_ppm} ppm needed")]
    ThresholdNotMet {
        /// The design.
        design: DesignId,
        /// The signing owners' total share.
        have_ppm: u32,
        /// The design's threshold.
        need_ppm: u32,
    },
    /// A key that was rotated away signed.
    #[error("{key} was rotated to a new key and can no longer sign")]
    KeyRetired {
        /// The retired key.
        key: Identity,
    },
    /// A dispute resolution signed by a key that is not a configured arbiter.
    #[error("{key} is not an arbiter")]
    NotArbiter {
        /// The key.
        key: Identity,
    },
    /// An envelope of a kind that only the log itself writes
    /// (`state.commit`) was submitted.
    #[error("only the log writes {kind} entries")]
    LogOnlyKind {
        /// The kind.
        kind: crate::Kind,
    },
    /// A `state.commit` entry is not where it must be, is not signed by
    /// the log's key alone, or commits to a root other than the state's:
    /// what an auditor's replay finds in a log that is not well formed.
    #[error("invalid state commitment: {detail}")]
    StateCommitInvalid {
        /// What is wrong with it.
        detail: String,
    },

    // ---- registration ---------------------------------------------------
    /// A creator's share is zero.
    #[error("{field} must be positive")]
    ShareNotPositive {
        /// The offending field, e.g. `creators[1].share_ppm`.
        field: String,
    },
    /// Creator shares do not sum to exactly `1_000_000`.
    #[error("shares sum to {sum} ppm, not 1000000")]
    SharesSum {
        /// The actual sum.
        sum: u64,
    },
    /// The same key is listed twice as a creator.
    #[error("creator {key} is listed twice")]
    DuplicateCreator {
        /// The key.
        key: Identity,
    },
    /// The license threshold is zero.
    #[error("license_threshold_ppm must be between 1 and 1000000")]
    ThresholdRange,
    /// The content is already registered.
    #[error("design {design} is already registered at entry {index}")]
    DuplicateContent {
        /// The design id (BLAKE3 of the content).
        design: DesignId,
        /// The index of the first entry that registered it.
        index: u64,
    },
    /// The very same envelope is already in the log (idempotency).
    #[error("envelope {id} is already logged at entry {index}")]
    DuplicateEntry {
        /// The envelope id.
        id: EntryId,
        /// The index of the entry that holds it.
        index: u64,
    },
    /// A design that the entry names does not exist.
    #[error("design {design} is not registered")]
    DesignNotFound {
        /// The design.
        design: DesignId,
    },
    /// A parent design does not exist.
    #[error("parent {design} is not registered")]
    ParentNotFound {
        /// The parent.
        design: DesignId,
    },
    /// The same parent is listed twice.
    #[error("parent {design} is listed twice")]
    DuplicateParent {
        /// The parent.
        design: DesignId,
    },
    /// More than 16 parents.
    #[error("{count} parents, at most {max}")]
    TooManyParents {
        /// The number given.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// More than 1024 ancestors.
    #[error("more than {max} ancestors")]
    TooManyAncestors {
        /// The bound.
        max: usize,
    },
    /// The design would be its own ancestor.
    #[error("{design} would be its own ancestor")]
    Cycle {
        /// The design.
        design: DesignId,
    },
    /// Upstream royalties would exceed 100% of a derivative's revenue.
    #[error("royalty stack of {stack_ppm} ppm exceeds 1000000")]
    RoyaltyStack {
        /// The stack (saturated at `u64::MAX`).
        stack_ppm: u64,
    },
    /// A parent is under dispute.
    #[error("parent {design} is disputed")]
    ParentDisputed {
        /// The parent.
        design: DesignId,
    },

    // ---- grants ---------------------------------------------------------
    /// A grant that the entry names does not exist.
    #[error("grant {grant} does not exist")]
    GrantNotFound {
        /// The grant.
        grant: GrantId,
    },
    /// A parent link names a grant on another design.
    #[error("grant {grant} is not a license on {design}")]
    GrantDesignMismatch {
        /// The grant.
        grant: GrantId,
        /// The design the link names.
        design: DesignId,
    },
    /// A parent link names a grant whose licensee is not a creator.
    #[error("grant {grant} is not held by any creator of the derivative")]
    GrantNotHeld {
        /// The grant.
        grant: GrantId,
    },
    /// The grant does not allow derivatives.
    #[error("grant {grant} does not allow derivatives")]
    DerivativesNotAllowed {
        /// The grant.
        grant: GrantId,
    },
    /// Reciprocal terms are not carried to the derivative.
    #[error("grant {grant} is reciprocal: the derivative must be licensed on the same terms")]
    ReciprocalTerms {
        /// The parent grant whose terms must be repeated.
        grant: GrantId,
    },
    /// An exclusive grant overlaps another grant.
    #[error("overlaps grant {grant} and one of the two is exclusive")]
    ExclusiveConflict {
        /// The existing grant.
        grant: GrantId,
    },
    /// The grant is revoked or released.
    #[error("grant {grant} is revoked")]
    GrantRevoked {
        /// The grant.
        grant: GrantId,
    },
    /// The grant's window has not started.
    #[error("grant {grant} starts at {starts_at}")]
    GrantNotYetValid {
        /// The grant.
        grant: GrantId,
        /// Its start.
        starts_at: Timestamp,
    },
    /// The grant's window has ended.
    #[error("grant {grant} ended at {ends_at}")]
    GrantExpired {
        /// The grant.
        grant: GrantId,
        /// Its end.
        ends_at: Timestamp,
    },
    /// The territory is not in the grant's allow list.
    #[error("territory {territory} is not licensed")]
    TerritoryNotLicensed {
        /// The territory.
        territory: String,
    },
    /// The channel is not in the grant's allow list.
    #[error("channel {channel} is not licensed")]
    ChannelNotLicensed {
        /// The channel.
        channel: String,
    },
    /// The category is not in the grant's allow list.
    #[error("category {category} is not licensed")]
    CategoryNotLicensed {
        /// The category.
        category: String,
    },
    /// The cumulative unit cap would be exceeded.
    #[error("{used} units used, {requested} requested, cap {max}")]
    UnitsExceeded {
        /// Units already recorded.
        used: u64,
        /// Units in this record.
        requested: u64,
        /// The grant's cap.
        max: u64,
    },
    /// A usage record of zero units.
    #[error("quantity must be positive")]
    QuantityZero,
    /// The design is under dispute.
    #[error("design {design} is disputed")]
    DesignDisputed {
        /// The design.
        design: DesignId,
    },
    /// An ancestor of the design is under dispute.
    #[error("ancestor {ancestor} of {design} is disputed")]
    AncestorDisputed {
        /// The design.
        design: DesignId,
        /// The disputed ancestor.
        ancestor: DesignId,
    },

    // ---- transfers --------------------------------------------------------
    /// `prev` is not the design's latest ownership entry.
    #[error("prev is stale: the latest ownership entry is {current}")]
    StalePrev {
        /// The current ownership entry's leaf hash.
        current: LeafHash,
    },
    /// A giver moves more than it holds.
    #[error("{key} holds {held_ppm} ppm and cannot move {moving_ppm}")]
    InsufficientShares {
        /// The giver.
        key: Identity,
        /// What it holds.
        held_ppm: u32,
        /// What it tries to move.
        moving_ppm: u32,
    },
    /// The transfer would give the design more than [`crate::MAX_OWNERS`] owners.
    #[error("{design} would have more than {max} owners")]
    TooManyOwners {
        /// The design.
        design: DesignId,
        /// The bound.
        max: usize,
    },
    /// The receiver is also a giver.
    #[error("{key} cannot transfer to itself")]
    SelfTransfer {
        /// The key.
        key: Identity,
    },

    // ---- disputes and keys --------------------------------------------------
    /// A dispute that the entry names does not exist.
    #[error("dispute {dispute} does not exist")]
    DisputeNotFound {
        /// The dispute.
        dispute: DisputeId,
    },
    /// The dispute is already resolved.
    #[error("dispute {dispute} is already resolved")]
    DisputeResolved {
        /// The dispute.
        dispute: DisputeId,
    },
    /// The ledger has no arbiter, so nobody could resolve a dispute: one
    /// would freeze the design for ever.
    #[error("this ledger has no arbiter to resolve disputes, so it accepts none")]
    NoArbiters,
    /// The design already has the most open disputes a design may have.
    #[error(
        "design {design} already has {max} open disputes, the most it may have; \
         an arbiter must resolve one first"
    )]
    TooManyDisputes {
        /// The design.
        design: DesignId,
        /// The bound, [`crate::MAX_OPEN_DISPUTES`].
        max: usize,
    },
    /// A signer already has an open dispute against the design.
    #[error("{key} already has open dispute {dispute} against this design")]
    DisputeAlreadyOpen {
        /// The signer.
        key: Identity,
        /// Its open dispute.
        dispute: DisputeId,
    },
    /// A rotation from a key to itself.
    #[error("cannot rotate {key} to itself")]
    RotationSameKey {
        /// The key.
        key: Identity,
    },
    /// The rotation's new key already holds shares or grants, or was retired.
    #[error("{key} is already in use and cannot receive a rotation")]
    RotationTargetInUse {
        /// The key.
        key: Identity,
    },

    // ---- queries and internals ---------------------------------------------
    /// A money total does not fit in 64 bits.
    #[error("amount overflows 64 bits")]
    AmountOverflow,
    /// The computation was stopped before it finished (its deadline passed).
    #[error("the computation was cancelled: it outlived the request's deadline")]
    Cancelled,
    /// The state view failed.
    #[error(transparent)]
    View(#[from] ViewError),
    /// An internal invariant does not hold (a bug, never the caller's fault).
    #[error("internal invariant broken: {detail}")]
    Invariant {
        /// Which invariant.
        detail: &'static str,
    },
}

impl RuleError {
    /// The stable, kebab-case name of the rule, for
    /// `https://provenant.dev/problems/<code>`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::UnknownLabel { .. } => "unknown-label",
            Self::NumberOutOfRange { .. } => "number-out-of-range",
            Self::TextLength { .. } => "text-length",
            Self::TooManyItems { .. } => "too-many-items",
            Self::EntryTooLarge { .. } => "entry-too-large",
            Self::EmptyList { .. } => "empty-list",
            Self::DuplicateItem { .. } => "duplicate-item",
            Self::TermsInconsistent { .. } => "terms-inconsistent",
            Self::NonCanonicalEntry => "non-canonical-entry",
            Self::SignatureInvalid { .. } => "signature-invalid",
            Self::DuplicateSignature { .. } => "duplicate-signature",
            Self::MissingSignature { .. } => "missing-signature",
            Self::NoSignatures => "no-signatures",
            Self::UnexpectedSigner { .. } => "unexpected-signer",
            Self::ThresholdNotMet { .. } => "threshold-not-met",
            Self::KeyRetired { .. } => "key-retired",
            Self::NotArbiter { .. } => "not-arbiter",
            Self::LogOnlyKind { .. } => "log-only-kind",
            Self::StateCommitInvalid { .. } => "state-commit-invalid",
            Self::ShareNotPositive { .. } => "share-not-positive",
            Self::SharesSum { .. } => "shares-sum",
            Self::DuplicateCreator { .. } => "duplicate-creator",
            Self::ThresholdRange => "threshold-range",
            Self::DuplicateContent { .. } => "duplicate-content",
            Self::DuplicateEntry { .. } => "duplicate-entry",
            Self::DesignNotFound { .. } => "design-not-found",
            Self::ParentNotFound { .. } => "parent-not-found",
            Self::DuplicateParent { .. } => "duplicate-parent",
            Self::TooManyParents { .. } => "too-many-parents",
            Self::TooManyAncestors { .. } => "too-many-ancestors",
            Self::Cycle { .. } => "cycle",
            Self::RoyaltyStack { .. } => "royalty-stack",
            Self::ParentDisputed { .. } => "parent-disputed",
            Self::GrantNotFound { .. } => "grant-not-found",
            Self::GrantDesignMismatch { .. } => "grant-design-mismatch",
            Self::GrantNotHeld { .. } => "grant-not-held",
            Self::DerivativesNotAllowed { .. } => "derivatives-not-allowed",
            Self::ReciprocalTerms { .. } => "reciprocal-terms",
            Self::ExclusiveConflict { .. } => "exclusive-conflict",
            Self::GrantRevoked { .. } => "grant-revoked",
            Self::GrantNotYetValid { .. } => "grant-not-yet-valid",
            Self::GrantExpired { .. } => "grant-expired",
            Self::TerritoryNotLicensed { .. } => "territory-not-licensed",
            Self::ChannelNotLicensed { .. } => "channel-not-licensed",
            Self::CategoryNotLicensed { .. } => "category-not-licensed",
            Self::UnitsExceeded { .. } => "units-exceeded",
            Self::QuantityZero => "quantity-zero",
            Self::DesignDisputed { .. } => "design-disputed",
            Self::AncestorDisputed { .. } => "ancestor-disputed",
            Self::StalePrev { .. } => "stale-prev",
            Self::InsufficientShares { .. } => "insufficient-shares",
            Self::TooManyOwners { .. } => "too-many-owners",
            Self::SelfTransfer { .. } => "self-transfer",
            Self::DisputeNotFound { .. } => "dispute-not-found",
            Self::DisputeResolved { .. } => "dispute-resolved",
            Self::NoArbiters => "no-arbiters",
            Self::TooManyDisputes { .. } => "too-many-disputes",
            Self::DisputeAlreadyOpen { .. } => "dispute-already-open",
            Self::RotationSameKey { .. } => "rotation-same-key",
            Self::RotationTargetInUse { .. } => "rotation-target-in-use",
            Self::AmountOverflow => "amount-overflow",
            Self::Cancelled => "request-timeout",
            Self::View(_) => "state-unavailable",
            Self::Invariant { .. } => "internal",
        }
    }

    /// The offending field of the request, as a JSON path relative to the
    /// envelope's payload (or `signatures`), where there is one.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        Some(match self {
            Self::Malformed { field, .. }
            | Self::UnknownLabel { field, .. }
            | Self::NumberOutOfRange { field }
            | Self::TextLength { field, .. }
            | Self::TooManyItems { field, .. }
            | Self::EmptyList { field }
            | Self::DuplicateItem { field, .. }
            | Self::ShareNotPositive { field } => field,
            Self::SignatureInvalid { .. }
            | Self::DuplicateSignature { .. }
            | Self::MissingSignature { .. }
            | Self::NoSignatures
            | Self::UnexpectedSigner { .. }
            | Self::ThresholdNotMet { .. }
            | Self::KeyRetired { .. }
            | Self::NotArbiter { .. }
            | Self::StateCommitInvalid { .. }
            | Self::DisputeAlreadyOpen { .. } => "signatures",
            Self::SharesSum { .. } | Self::DuplicateCreator { .. } => "creators",
            Self::ThresholdRange => "license_threshold_ppm",
            Self::DuplicateContent { .. } => "content.blake3",
            Self::ParentNotFound { .. }
            | Self::DuplicateParent { .. }
            | Self::TooManyParents { .. }
            | Self::TooManyAncestors { .. }
            | Self::Cycle { .. }
            | Self::RoyaltyStack { .. }
            | Self::ParentDisputed { .. }
            | Self::GrantDesignMismatch { .. }
            | Self::GrantNotHeld { .. }
            | Self::DerivativesNotAllowed { .. } => "parents",
            Self::TermsInconsistent { .. }
            | Self::ReciprocalTerms { .. }
            | Self::ExclusiveConflict { .. } => "terms",
            Self::GrantNotFound { .. } | Self::GrantRevoked { .. } => "grant",
            Self::TerritoryNotLicensed { .. } => "territory",
            Self::ChannelNotLicensed { .. } => "channel",
            Self::CategoryNotLicensed { .. } => "category",
            Self::UnitsExceeded { .. } | Self::QuantityZero => "quantity",
            Self::DesignNotFound { .. }
            | Self::TooManyDisputes { .. }
            | Self::DesignDisputed { .. }
            | Self::AncestorDisputed { .. } => "design",
            Self::StalePrev { .. } => "prev",
            Self::InsufficientShares { .. } => "from",
            Self::SelfTransfer { .. } | Self::TooManyOwners { .. } => "to",
            Self::DisputeNotFound { .. } | Self::DisputeResolved { .. } => "dispute",
            Self::RotationSameKey { .. } | Self::RotationTargetInUse { .. } => "new",
            Self::LogOnlyKind { .. } => "kind",
            Self::NonCanonicalEntry
            | Self::NoArbiters
            | Self::EntryTooLarge { .. }
            | Self::DuplicateEntry { .. }
            | Self::GrantNotYetValid { .. }
            | Self::GrantExpired { .. }
            | Self::AmountOverflow
            | Self::Cancelled
            | Self::View(_)
            | Self::Invariant { .. } => return None,
        })
    }
}
