//! RFC 9457 problem details: the body of every error a client sees.
//!
//! Each problem has a stable `type` URI naming the rule
//! (`https://provenant.dev/problems/<code>`), the HTTP status, a short
//! `title`, a human `detail`, and the offending `field` where there is
//! one. It is served as `application/problem+json`; a `503` also carries
//! `Retry-After`.
//!
//! The status of a rule comes from [`rule_status`], an exhaustive match on
//! [`RuleError`]: a new rule does not compile until it has a status.

use provenant_model::RuleError;
use serde::{Deserialize, Serialize};

/// The base of every problem type URI.
pub const TYPE_BASE: &str = "https://provenant.dev/problems/";

/// The media type of a problem body.
pub const CONTENT_TYPE: &str = "application/problem+json";

/// The HTTP statuses the service answers problems with.
pub mod status {
    /// A request malformed before any rule applies.
    pub const BAD_REQUEST: u16 = 400;
    /// A signature, signer or threshold refused.
    pub const FORBIDDEN: u16 = 403;
    /// Something that does not exist (yet).
    pub const NOT_FOUND: u16 = 404;
    /// A method the route does not take.
    pub const METHOD_NOT_ALLOWED: u16 = 405;
    /// A request, or its body, too slow.
    pub const REQUEST_TIMEOUT: u16 = 408;
    /// A write that conflicts with the state (already done, stale).
    pub const CONFLICT: u16 = 409;
    /// A body, entry or upload over its limit.
    pub const PAYLOAD_TOO_LARGE: u16 = 413;
    /// A body in a media type the route does not take.
    pub const UNSUPPORTED_MEDIA_TYPE: u16 = 415;
    /// A well-formed request that a rule of the ledger refuses.
    pub const UNPROCESSABLE_ENTITY: u16 = 422;
    /// Too many requests from one client.
    pub const TOO_MANY_REQUESTS: u16 = 429;
    /// A bug: never the caller's fault.
    pub const INTERNAL_SERVER_ERROR: u16 = 500;
    /// Busy, shutting down or storage failing: retry after `Retry-After`.
    pub const SERVICE_UNAVAILABLE: u16 = 503;

    /// The standard reason phrase of `status` (RFC 9110 section 15), as
    /// problem titles use it.
    #[must_use]
    pub fn reason(status: u16) -> &'static str {
        match status {
            BAD_REQUEST => "Bad Request",
            FORBIDDEN => "Forbidden",
            NOT_FOUND => "Not Found",
            METHOD_NOT_ALLOWED => "Method Not Allowed",
            REQUEST_TIMEOUT => "Request Timeout",
            CONFLICT => "Conflict",
            PAYLOAD_TOO_LARGE => "Payload Too Large",
            UNSUPPORTED_MEDIA_TYPE => "Unsupported Media Type",
            UNPROCESSABLE_ENTITY => "Unprocessable Entity",
            TOO_MANY_REQUESTS => "Too Many Requests",
            INTERNAL_SERVER_ERROR => "Internal Server Error",
            SERVICE_UNAVAILABLE => "Service Unavailable",
            _ => "Error",
        }
    }
}

/// An RFC 9457 problem body.
///
/// Every member has a default when read, so that a problem from a proxy
/// that omits one still decodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(transform = crate::openapi::problem_members)]
pub struct Problem {
    /// The stable type URI naming the rule: [`TYPE_BASE`] + its code.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// A short human title.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What went wrong, for a human.
    #[serde(default)]
    pub detail: String,
    /// The offending field, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On the `404` of `GET /v1/designs/{id}`: the proof that no design
    /// has the id (an RFC 9457 extension member), so that "not registered"
    /// is the log's word, not the server's (its `state` is missing only
    /// while the log has no state commitment). Absent on every other
    /// problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<Box<crate::Proven<crate::NotRegistered>>>,
}

impl Problem {
    /// A problem with `status`, stable `code` and human text.
    #[must_use]
    pub fn new(status: u16, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{TYPE_BASE}{code}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            field: None,
            absence: None,
        }
    }

    /// The same problem naming the offending field.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The rule's stable code: the last segment of the type URI.
    #[must_use]
    pub fn code(&self) -> &str {
        self.kind.rsplit('/').next().unwrap_or_default()
    }

    /// Whether the same request may succeed later (a `503`: busy, shutting
    /// down, storage failing), as opposed to a refusal that will not change.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.status == status::SERVICE_UNAVAILABLE
    }

    /// A request that is malformed before any rule applies.
    #[must_use]
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(status::BAD_REQUEST, code, "Bad request", detail)
    }

    /// Something that does not exist.
    #[must_use]
    pub fn not_found(what: &str) -> Self {
        Self::new(
            status::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no such {what}"),
        )
    }

    /// A `503`; `code` tells a full queue (`overloaded`) from a ledger
    /// that cannot serve (`unavailable`). Served with `Retry-After`.
    #[must_use]
    pub fn unavailable(code: &str, detail: impl Into<String>) -> Self {
        Self::new(
            status::SERVICE_UNAVAILABLE,
            code,
            "Service unavailable",
            detail,
        )
    }
}

/// The HTTP status of a rule: `400` for a malformed request, `403` for a
/// signature, signer or threshold refused, `409` for a conflict with the
/// state, `413` for an entry too large, `422` for any other rule, and `5xx`
/// for failures that are never the caller's fault.
#[must_use]
pub fn rule_status(e: &RuleError) -> u16 {
    use status::{
        BAD_REQUEST, CONFLICT, FORBIDDEN, INTERNAL_SERVER_ERROR, PAYLOAD_TOO_LARGE,
        REQUEST_TIMEOUT, SERVICE_UNAVAILABLE, UNPROCESSABLE_ENTITY,
    };
    match e {
        RuleError::Malformed { .. }
        | RuleError::UnknownLabel { .. }
        | RuleError::NumberOutOfRange { .. }
        | RuleError::TextLength { .. }
        | RuleError::TooManyItems { .. }
        | RuleError::EmptyList { .. }
        | RuleError::DuplicateItem { .. }
        | RuleError::NonCanonicalEntry
        | RuleError::TermsInconsistent { .. } => BAD_REQUEST,
        RuleError::SignatureInvalid { .. }
        | RuleError::DuplicateSignature { .. }
        | RuleError::MissingSignature { .. }
        | RuleError::NoSignatures
        | RuleError::UnexpectedSigner { .. }
        | RuleError::ThresholdNotMet { .. }
        | RuleError::KeyRetired { .. }
        | RuleError::NotArbiter { .. }
        | RuleError::LogOnlyKind { .. }
        | RuleError::StateCommitInvalid { .. }
        | RuleError::NoArbiters => FORBIDDEN,
        RuleError::DuplicateContent { .. }
        | RuleError::ExclusiveConflict { .. }
        | RuleError::StalePrev { .. }
        | RuleError::DisputeResolved { .. }
        | RuleError::TooManyDisputes { .. }
        | RuleError::DisputeAlreadyOpen { .. } => CONFLICT,
        RuleError::EntryTooLarge { .. } => PAYLOAD_TOO_LARGE,
        RuleError::ShareNotPositive { .. }
        | RuleError::SharesSum { .. }
        | RuleError::DuplicateCreator { .. }
        | RuleError::ThresholdRange
        | RuleError::DuplicateEntry { .. }
        | RuleError::DesignNotFound { .. }
        | RuleError::ParentNotFound { .. }
        | RuleError::DuplicateParent { .. }
        | RuleError::TooManyParents { .. }
        | RuleError::TooManyAncestors { .. }
        | RuleError::Cycle { .. }
        | RuleError::RoyaltyStack { .. }
        | RuleError::ParentDisputed { .. }
        | RuleError::GrantNotFound { .. }
        | RuleError::GrantDesignMismatch { .. }
        | RuleError::GrantNotHeld { .. }
        | RuleError::DerivativesNotAllowed { .. }
        | RuleError::ReciprocalTerms { .. }
        | RuleError::GrantRevoked { .. }
        | RuleError::GrantNotYetValid { .. }
        | RuleError::GrantExpired { .. }
        | RuleError::TerritoryNotLicensed { .. }
        | RuleError::ChannelNotLicensed { .. }
        | RuleError::CategoryNotLicensed { .. }
        | RuleError::UnitsExceeded { .. }
        | RuleError::QuantityZero
        | RuleError::DesignDisputed { .. }
        | RuleError::AncestorDisputed { .. }
        | RuleError::InsufficientShares { .. }
        | RuleError::TooManyOwners { .. }
        | RuleError::SelfTransfer { .. }
        | RuleError::DisputeNotFound { .. }
        | RuleError::RotationSameKey { .. }
        | RuleError::RotationTargetInUse { .. }
        | RuleError::AmountOverflow => UNPROCESSABLE_ENTITY,
        RuleError::Cancelled => REQUEST_TIMEOUT,
        RuleError::View(_) => SERVICE_UNAVAILABLE,
        RuleError::Invariant { .. } => INTERNAL_SERVER_ERROR,
    }
}

/// The problem a client sees for a rule. A server-side failure (a state
/// view that failed, a broken invariant) is a generic retryable `503
/// unavailable`: its text is for the operator's log, never the client.
impl From<&RuleError> for Problem {
    fn from(e: &RuleError) -> Self {
        let status = rule_status(e);
        if status >= status::INTERNAL_SERVER_ERROR {
            return Self::unavailable(
                "unavailable",
                "the ledger could not evaluate the request; retry shortly",
            );
        }
        let mut p = Self::new(status, e.code(), status::reason(status), e.to_string());
        p.field = e.field().map(str::to_owned);
        p
    }
}
