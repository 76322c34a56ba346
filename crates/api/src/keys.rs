//! Questions about one key: which entries it signed, the question after a
//! key is compromised.

use serde::{Deserialize, Serialize};

/// Query of `GET /v1/keys/{key}/entries`: `limit` entries at a time
/// ([`crate::DEFAULT_PAGE`] by default, at most [`crate::MAX_PAGE`]), in
/// log order, continuing `after` a page's `next`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyEntriesQuery {
    /// A previous page's `next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How many entries at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}
