//! Every route of the service, defined once: its method, its path template
//! (axum's syntax, `{id}` for a segment, `{*path}` for the rest), how the
//! request travels, and (through [`Endpoint`]) its request and answer
//! types. The server mounts these; clients build their URLs from them.
//!
//! A client calls an endpoint `E` as:
//!
//! ```text
//! method  E::ROUTE.method
//! path    E::ROUTE.path, or a builder below when it has a parameter
//!         (design_path(&id), grant_path(&id), entry_path(i), tile_path(&t))
//! input   E::ROUTE.input: Query  -> E::Request as the query string
//!                         Json   -> E::Request as the JSON body
//!                         Bytes  -> raw bytes as the body
//! answer  E::Response, decoded from JSON (text or bytes where it says so)
//! ```

use provenant_model::state::EntryRef;
use provenant_model::{
    DesignId, Envelope, GrantId, GrantState, Identity, LicenseAnswer, LicenseQuery, Receipt,
    RoyaltySplit, Statement,
};
use provenant_tlog::tile::Tile;

use crate::batch::{BatchAnswer, EntryBatch};
use crate::design::{DesignList, DesignReport, Identified, ListQuery, Similar, SimilarQuery};
use crate::keys::KeyEntriesQuery;
use crate::log::{
    ConsistencyAnswer, ConsistencyQuery, EntryAnswer, InclusionAnswer, InclusionQuery, LogInfo,
};
use crate::proven::{Page, Proven};
use crate::royalty::{SplitRequest, StatementRequest};

/// An HTTP method the service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: a read, safe to repeat.
    Get,
    /// `POST`: a write, or a question too large for a query string.
    Post,
}

impl Method {
    /// The method's name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// How a route's request travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// Nothing besides the path.
    None,
    /// The request type as the query string (`application/x-www-form-urlencoded`).
    Query,
    /// The request type as a JSON body.
    Json,
    /// Raw bytes as the body (an upload, streamed).
    Bytes,
}

/// One route: a method, a path template and how its request travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path template, axum's syntax: `{name}` for one segment,
    /// `{*name}` for the rest of the path.
    pub path: &'static str,
    /// How the request travels.
    pub input: Input,
}

impl Route {
    const fn new(method: Method, path: &'static str, input: Input) -> Self {
        Self {
            method,
            path,
            input,
        }
    }

    /// The path with its one parameter set to `value` (already a valid
    /// path segment: hex, digits, or a tile path). A route without a
    /// parameter is returned as it is.
    #[must_use]
    pub fn with(&self, value: &str) -> String {
        match (self.path.find('{'), self.path.find('}')) {
            (Some(open), Some(close)) if open < close => {
                format!("{}{value}{}", &self.path[..open], &self.path[close + 1..])
            }
            _ => self.path.to_owned(),
        }
    }
}

/// A route and the types of its request and answer.
pub trait Endpoint {
    /// The route.
    const ROUTE: Route;
    /// What the request carries, as [`Route::input`] says: `()` when only
    /// the path does.
    type Request;
    /// The answer of a success.
    type Response;
}

macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $name:ident: $method:ident $path:literal, $input:ident, $req:ty => $resp:ty;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name;

            impl Endpoint for $name {
                const ROUTE: Route = Route::new(Method::$method, $path, Input::$input);
                type Request = $req;
                type Response = $resp;
            }
        )*

        /// Every route of the service, in the order above.
        pub const ALL: &[Route] = &[$(<$name as Endpoint>::ROUTE),*];
    };
}

endpoints! {
    /// Write a signed envelope: `201` with the receipt of a new entry, `200`
    /// with the original receipt of one already logged.
    SubmitEntry: Post "/v1/entries", Json, Envelope => Receipt;
    /// Write up to [`crate::batch::MAX_BATCH_ENVELOPES`] signed envelopes,
    /// each answered on its own, in order.
    SubmitBatch: Post "/v1/entries/batch", Json, EntryBatch => BatchAnswer;
    /// Read entry `{index}` back ([`entry_path`]).
    GetEntry: Get "/v1/entries/{index}", None, () => EntryAnswer;
    /// What a client needs to verify the log.
    GetLog: Get "/v1/log", None, () => LogInfo;
    /// The latest signed checkpoint, as `text/plain`.
    GetCheckpoint: Get "/v1/checkpoint", None, () => String;
    /// The latest signed checkpoint where C2SP tlog-tiles clients look.
    GetTlogCheckpoint: Get "/checkpoint", None, () => String;
    /// The latest checkpoint cosigned by the server's witness quorum, as
    /// `text/plain` (see [`crate::witnessed`]).
    GetWitnessedCheckpoint: Get "/v1/checkpoint/witnessed", None, () => String;
    /// A C2SP hash tile or entry bundle, as bytes ([`tile_path`]).
    GetTile: Get "/tile/{*path}", None, () => Vec<u8>;
    /// The inclusion proof of an entry.
    ProveInclusion: Get "/v1/proofs/inclusion", Query, InclusionQuery => InclusionAnswer;
    /// The consistency proof between two sizes.
    ProveConsistency: Get "/v1/proofs/consistency", Query, ConsistencyQuery => ConsistencyAnswer;
    /// The designs a key owns a share of, or that are licensed to it.
    ListDesigns: Get "/v1/designs", Query, ListQuery => DesignList;
    /// Is this file registered, and by whom? The upload is hashed as it
    /// streams in.
    IdentifyFile: Post "/v1/designs/identify", Bytes, Vec<u8> => Identified;
    /// A design with its owners, parents, children, grants and history,
    /// proven ([`design_path`]).
    GetDesign: Get "/v1/designs/{id}", None, () => Proven<DesignReport>;
    /// Registered designs whose image looks like this design's
    /// ([`similar_path`]).
    GetSimilar: Get "/v1/designs/{id}/similar", Query, SimilarQuery => Similar;
    /// The design's C2PA Content Credential: a sidecar manifest store
    /// (`application/c2pa`) bound to its bytes by their SHA-256
    /// ([`credential_path`]).
    GetCredential: Get "/v1/designs/{id}/c2pa", None, () => Vec<u8>;
    /// A grant with its units used, proven ([`grant_path`]).
    GetGrant: Get "/v1/grants/{id}", None, () => Proven<GrantState>;
    /// The entries a key signed, in log order, each proven
    /// ([`key_entries_path`]): after a key is compromised, what it signed.
    /// The answer proves each listed entry is in the log, not that none
    /// was left out.
    KeyEntries: Get "/v1/keys/{key}/entries", Query, KeyEntriesQuery => Proven<Page<EntryRef>>;
    /// May this licensee do this, here, now, this many times?
    CheckLicense: Post "/v1/licenses/check", Json, LicenseQuery => Proven<LicenseAnswer>;
    /// Who gets what of one revenue, each link under its grant's policy.
    SplitRoyalty: Post "/v1/royalties/split", Json, SplitRequest => Proven<RoyaltySplit>;
    /// Payouts per payee over many sales (JSON, or CSV with the header
    /// `design,amount_minor,currency`).
    StateRoyalties: Post "/v1/royalties/statement", Json, StatementRequest => Proven<Statement>;
    /// This API's OpenAPI 3.1 document.
    GetOpenApi: Get "/v1/openapi.json", None, () => serde_json::Value;
    /// `ok` while the process serves.
    Health: Get "/healthz", None, () => String;
    /// `ready` while the ledger can write.
    Ready: Get "/readyz", None, () => String;
    /// Prometheus metrics, as text.
    Metrics: Get "/metrics", None, () => String;
}

/// The path of entry `index`: `/v1/entries/{index}`.
#[must_use]
pub fn entry_path(index: u64) -> String {
    GetEntry::ROUTE.with(&index.to_string())
}

/// The path of a design: `/v1/designs/{id}`.
#[must_use]
pub fn design_path(id: &DesignId) -> String {
    GetDesign::ROUTE.with(&id.to_hex())
}

/// The path of a design's near-duplicates: `/v1/designs/{id}/similar`.
#[must_use]
pub fn similar_path(id: &DesignId) -> String {
    GetSimilar::ROUTE.with(&id.to_hex())
}

/// The path of a design's Content Credential: `/v1/designs/{id}/c2pa`.
#[must_use]
pub fn credential_path(id: &DesignId) -> String {
    GetCredential::ROUTE.with(&id.to_hex())
}

/// The path of a grant: `/v1/grants/{id}`.
#[must_use]
pub fn grant_path(id: &GrantId) -> String {
    GetGrant::ROUTE.with(&id.to_hex())
}

/// The path of the entries `key` signed: `/v1/keys/{key}/entries`, the
/// key's `ed25519:` text percent-encoded (its base64 holds `/` and `+`).
#[must_use]
pub fn key_entries_path(key: &Identity) -> String {
    KeyEntries::ROUTE.with(&percent_encode(&key.to_string()))
}

/// `text` with every byte outside RFC 3986's unreserved set as `%XX`, so
/// that it is one path segment or one query value (an identity's base64
/// holds `+`, `/` and `=`).
#[must_use]
pub fn percent_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The path of a C2SP tile or entry bundle: `/tile/...`.
#[must_use]
pub fn tile_path(tile: &Tile) -> String {
    format!("/{}", tile.path())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_route_is_defined_once() {
        let unique: HashSet<(Method, &str)> = ALL.iter().map(|r| (r.method, r.path)).collect();
        assert_eq!(unique.len(), ALL.len());
        let paths: HashSet<&str> = ALL.iter().map(|r| r.path).collect();
        assert_eq!(paths.len(), ALL.len(), "one method per path");
    }

    #[test]
    fn builders_fill_the_templates() {
        let id = DesignId([0xab; 32]);
        assert_eq!(design_path(&id), format!("/v1/designs/{}", "ab".repeat(32)));
        assert_eq!(
            grant_path(&GrantId([1; 32])),
            format!("/v1/grants/{}", "01".repeat(32))
        );
        assert_eq!(entry_path(42), "/v1/entries/42");
        let tile = Tile::entries(1, 3).unwrap();
        assert_eq!(tile_path(&tile), "/tile/entries/001.p/3");
        assert_eq!(Tile::parse(&tile_path(&tile)[1..]).unwrap(), tile);
        assert_eq!(GetLog::ROUTE.with("x"), "/v1/log");
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let key = Identity::from_bytes(&signing.verifying_key().to_bytes()).unwrap();
        let path = key_entries_path(&key);
        let segment = path
            .strip_prefix("/v1/keys/")
            .and_then(|p| p.strip_suffix("/entries"))
            .unwrap();
        assert!(segment.starts_with("ed25519%3A"), "{path}");
        assert!(!segment.contains(['/', '+', '=', ':']), "{path}");
        assert_eq!(percent_encode("a+/=:~"), "a%2B%2F%3D%3A~");
    }
}
