//! Royalty requests no longer choose a policy: each derivation link pays
//! under the policy its grant signed. A client still naming `policy` (in a
//! split or statement body, or the CSV statement's query) is told so with
//! `400 policy-not-accepted`, not answered under a policy it did not get.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Problem;

/// `400 policy-not-accepted`, naming the field.
#[must_use]
pub fn policy_refused() -> Problem {
    Problem::bad_request(
        "policy-not-accepted",
        "the royalty policy is a signed term of each grant and every link pays under its own: \
         remove `policy` from the request",
    )
    .field("policy")
}

/// The request in `body`, or the problem: `policy-not-accepted` when the
/// body is an object naming `policy` (any value, `null` included),
/// `malformed` for anything else the request type refuses.
///
/// # Errors
/// The problem.
pub fn royalty_request<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        let names_policy =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
                .is_ok_and(|object| object.contains_key("policy"));
        if names_policy {
            policy_refused()
        } else {
            Problem::bad_request("malformed", e.to_string())
        }
    })
}

/// Query of the statement route: it takes none, and names `policy` only
/// to refuse it clearly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementQuery {
    #[serde(default, rename = "policy", deserialize_with = "present")]
    names_policy: bool,
}

impl StatementQuery {
    /// The query's own problem, if any.
    ///
    /// # Errors
    /// `policy-not-accepted` when it names `policy`.
    pub fn check(&self) -> Result<(), Problem> {
        if self.names_policy {
            Err(policy_refused())
        } else {
            Ok(())
        }
    }
}

/// `true` for a member that is present, whatever its value.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

#[cfg(test)]
mod tests {
    use provenant_api::SplitRequest;

    use super::*;

    #[test]
    fn a_body_naming_a_policy_is_refused_by_name() {
        let design = "ab".repeat(32);
        for policy in ["\"LAP\"", "\"LRP\"", "null", "7"] {
            let body = format!(
                r#"{{"design":"{design}","revenue":{{"amount_minor":100,"currency":"EUR"}},"policy":{policy}}}"#
            );
            let e = royalty_request::<SplitRequest>(body.as_bytes()).unwrap_err();
            assert_eq!(e.code(), "policy-not-accepted", "{body}");
        }
        let e = royalty_request::<SplitRequest>(br#"{"design":"x","policies":1}"#).unwrap_err();
        assert_eq!(e.code(), "malformed");
        let ok =
            format!(r#"{{"design":"{design}","revenue":{{"amount_minor":100,"currency":"EUR"}}}}"#);
        assert!(royalty_request::<SplitRequest>(ok.as_bytes()).is_ok());
    }
}
