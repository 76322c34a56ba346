//! Every rule's HTTP status and problem `type`.
//!
//! The list below is one macro input that yields both the samples and an
//! exhaustive match over [`RuleError`] (no wildcard arm): a new rule does
//! not compile until it has a row here, with the status and code a client
//! must see.

use provenant_api::problem::status;
use provenant_api::{Problem, TYPE_BASE, rule_status};
use provenant_model::{
    DesignId, DisputeId, EntryId, GrantId, LeafHash, RuleError, Timestamp, ViewError,
};
use provenant_testkit::{id, key};

macro_rules! every_rule {
    ($($variant:ident => $sample:expr, $status:expr, $code:literal;)*) => {
        /// One sample of each rule, with the status and code a client sees.
        fn rows() -> Vec<(&'static str, RuleError, u16, &'static str)> {
            vec![$((stringify!($variant), $sample, $status, $code)),*]
        }

        /// Fails to compile when a rule has no row above.
        #[allow(dead_code)]
        fn exhaustive(e: &RuleError) {
            match e {
                $(RuleError::$variant { .. } => {})*
            }
        }

        /// Whether `e` is the variant its row names.
        fn is_variant(name: &str, e: &RuleError) -> bool {
            match name {
                $(stringify!($variant) => matches!(e, RuleError::$variant { .. }),)*
                _ => false,
            }
        }
    };
}

fn design() -> DesignId {
    DesignId([1; 32])
}
fn grant() -> GrantId {
    GrantId([2; 32])
}
fn dispute() -> DisputeId {
    DisputeId([3; 32])
}
fn f() -> String {
    "field".to_owned()
}

use status::{
    BAD_REQUEST as B, CONFLICT as C, FORBIDDEN as F, PAYLOAD_TOO_LARGE as L, REQUEST_TIMEOUT as T,
    SERVICE_UNAVAILABLE as U, UNPROCESSABLE_ENTITY as R,
};

every_rule! {
    Malformed => RuleError::Malformed { field: f(), detail: "x".into() }, B, "malformed";
    UnknownLabel => RuleError::UnknownLabel { field: f(), vocabulary: "channel", value: "x".into(), allowed: "y".into() }, B, "unknown-label";
    NumberOutOfRange => RuleError::NumberOutOfRange { field: f() }, B, "number-out-of-range";
    TextLength => RuleError::TextLength { field: f(), len: 0, min: 1, max: 2 }, B, "text-length";
    TooManyItems => RuleError::TooManyItems { field: f(), count: 3, max: 2 }, B, "too-many-items";
    EntryTooLarge => RuleError::EntryTooLarge { size: 3, max: 2 }, L, "entry-too-large";
    EmptyList => RuleError::EmptyList { field: f() }, B, "empty-list";
    DuplicateItem => RuleError::DuplicateItem { field: f(), value: "x".into() }, B, "duplicate-item";
    TermsInconsistent => RuleError::TermsInconsistent { field: f(), detail: "x".into() }, B, "terms-inconsistent";
    NonCanonicalEntry => RuleError::NonCanonicalEntry, B, "non-canonical-entry";
    SignatureInvalid => RuleError::SignatureInvalid { key: id(&key(1)) }, F, "signature-invalid";
    DuplicateSignature => RuleError::DuplicateSignature { key: id(&key(1)) }, F, "duplicate-signature";
    MissingSignature => RuleError::MissingSignature { key: id(&key(1)) }, F, "missing-signature";
    NoSignatures => RuleError::NoSignatures, F, "no-signatures";
    UnexpectedSigner => RuleError::UnexpectedSigner { key: id(&key(1)) }, F, "unexpected-signer";
    ThresholdNotMet => RuleError::ThresholdNotMet { design: design(), have_ppm: 1, need_ppm: 2 }, F, "threshold-not-met";
    KeyRetired => RuleError::KeyRetired { key: id(&key(1)) }, F, "key-retired";
    NotArbiter => RuleError::NotArbiter { key: id(&key(1)) }, F, "not-arbiter";
    LogOnlyKind => RuleError::LogOnlyKind { kind: provenant_model::Kind::StateCommit }, F, "log-only-kind";
    StateCommitInvalid => RuleError::StateCommitInvalid { detail: "x".into() }, F, "state-commit-invalid";
    ShareNotPositive => RuleError::ShareNotPositive { field: f() }, R, "share-not-positive";
    SharesSum => RuleError::SharesSum { sum: 1 }, R, "shares-sum";
    DuplicateCreator => RuleError::DuplicateCreator { key: id(&key(1)) }, R, "duplicate-creator";
    ThresholdRange => RuleError::ThresholdRange, R, "threshold-range";
    DuplicateContent => RuleError::DuplicateContent { design: design(), index: 0 }, C, "duplicate-content";
    DuplicateEntry => RuleError::DuplicateEntry { id: EntryId([4; 32]), index: 0 }, R, "duplicate-entry";
    DesignNotFound => RuleError::DesignNotFound { design: design() }, R, "design-not-found";
    ParentNotFound => RuleError::ParentNotFound { design: design() }, R, "parent-not-found";
    DuplicateParent => RuleError::DuplicateParent { design: design() }, R, "duplicate-parent";
    TooManyParents => RuleError::TooManyParents { count: 17, max: 16 }, R, "too-many-parents";
    TooManyAncestors => RuleError::TooManyAncestors { max: 1024 }, R, "too-many-ancestors";
    Cycle => RuleError::Cycle { design: design() }, R, "cycle";
    RoyaltyStack => RuleError::RoyaltyStack { stack_ppm: 2_000_000 }, R, "royalty-stack";
    ParentDisputed => RuleError::ParentDisputed { design: design() }, R, "parent-disputed";
    GrantNotFound => RuleError::GrantNotFound { grant: grant() }, R, "grant-not-found";
    GrantDesignMismatch => RuleError::GrantDesignMismatch { grant: grant(), design: design() }, R, "grant-design-mismatch";
    GrantNotHeld => RuleError::GrantNotHeld { grant: grant() }, R, "grant-not-held";
    DerivativesNotAllowed => RuleError::DerivativesNotAllowed { grant: grant() }, R, "derivatives-not-allowed";
    ReciprocalTerms => RuleError::ReciprocalTerms { grant: grant() }, R, "reciprocal-terms";
    ExclusiveConflict => RuleError::ExclusiveConflict { grant: grant() }, C, "exclusive-conflict";
    GrantRevoked => RuleError::GrantRevoked { grant: grant() }, R, "grant-revoked";
    GrantNotYetValid => RuleError::GrantNotYetValid { grant: grant(), starts_at: Timestamp::from_unix(0).unwrap() }, R, "grant-not-yet-valid";
    GrantExpired => RuleError::GrantExpired { grant: grant(), ends_at: Timestamp::from_unix(0).unwrap() }, R, "grant-expired";
    TerritoryNotLicensed => RuleError::TerritoryNotLicensed { territory: "FR".into() }, R, "territory-not-licensed";
    ChannelNotLicensed => RuleError::ChannelNotLicensed { channel: "retail".into() }, R, "channel-not-licensed";
    CategoryNotLicensed => RuleError::CategoryNotLicensed { category: "toys".into() }, R, "category-not-licensed";
    UnitsExceeded => RuleError::UnitsExceeded { used: 1, requested: 2, max: 2 }, R, "units-exceeded";
    QuantityZero => RuleError::QuantityZero, R, "quantity-zero";
    DesignDisputed => RuleError::DesignDisputed { design: design() }, R, "design-disputed";
    AncestorDisputed => RuleError::AncestorDisputed { design: design(), ancestor: design() }, R, "ancestor-disputed";
    StalePrev => RuleError::StalePrev { current: LeafHash([5; 32]) }, C, "stale-prev";
    InsufficientShares => RuleError::InsufficientShares { key: id(&key(1)), held_ppm: 1, moving_ppm: 2 }, R, "insufficient-shares";
    TooManyOwners => RuleError::TooManyOwners { design: design(), max: 64 }, R, "too-many-owners";
    SelfTransfer => RuleError::SelfTransfer { key: id(&key(1)) }, R, "self-transfer";
    DisputeNotFound => RuleError::DisputeNotFound { dispute: dispute() }, R, "dispute-not-found";
    DisputeResolved => RuleError::DisputeResolved { dispute: dispute() }, C, "dispute-resolved";
    NoArbiters => RuleError::NoArbiters, F, "no-arbiters";
    TooManyDisputes => RuleError::TooManyDisputes { design: design(), max: 16 }, C, "too-many-disputes";
    DisputeAlreadyOpen => RuleError::DisputeAlreadyOpen { key: id(&key(1)), dispute: dispute() }, C, "dispute-already-open";
    RotationSameKey => RuleError::RotationSameKey { key: id(&key(1)) }, R, "rotation-same-key";
    RotationTargetInUse => RuleError::RotationTargetInUse { key: id(&key(1)) }, R, "rotation-target-in-use";
    AmountOverflow => RuleError::AmountOverflow, R, "amount-overflow";
    Cancelled => RuleError::Cancelled, T, "request-timeout";
    // Server-side failures: a generic retryable problem, internals kept
    // for the operator's log.
    View => RuleError::View(ViewError::Unavailable("disk on fire".into())), U, "unavailable";
    Invariant => RuleError::Invariant { detail: "a bug" }, U, "unavailable";
}

#[test]
fn every_rule_has_its_status_and_type() {
    for (name, rule, status, code) in rows() {
        assert!(
            is_variant(name, &rule),
            "the sample of {name} is another rule: {rule:?}"
        );
        let problem = Problem::from(&rule);
        assert_eq!(problem.status, status, "{name}");
        assert_eq!(problem.kind, format!("{TYPE_BASE}{code}"), "{name}");
        assert_eq!(problem.code(), code, "{name}");
        if status < 500 {
            // A refusal names its rule: the type is the rule's own code,
            // its detail the rule's message, and its field the rule's.
            assert_eq!(code, rule.code(), "{name}");
            assert_eq!(problem.detail, rule.to_string(), "{name}");
            assert_eq!(problem.field.as_deref(), rule.field(), "{name}");
            assert_eq!(rule_status(&rule), status, "{name}");
        } else {
            // A failure of the service is never a 4xx, and never shows
            // its internals.
            assert!(rule_status(&rule) >= 500, "{name}");
            assert!(problem.is_retryable(), "{name}");
            assert!(!problem.detail.contains("disk") && !problem.detail.contains("bug"));
        }
    }
}

#[test]
fn the_problem_body_keeps_its_wire_shape() {
    let p = Problem::from(&RuleError::QuantityZero);
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"type":"https://provenant.dev/problems/quantity-zero","title":"Unprocessable Entity","status":422,"detail":"quantity must be positive","field":"quantity"}"#
    );
    let bare = Problem::from(&RuleError::AmountOverflow);
    assert!(!serde_json::to_string(&bare).unwrap().contains("field"));
    // A problem from a proxy that omits members still decodes.
    let partial: Problem = serde_json::from_str(r#"{"status":503}"#).unwrap();
    assert!(partial.is_retryable());
    assert_eq!(partial.code(), "");
}
