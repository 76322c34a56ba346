//! Provenant's HTTP API as types: the wire format in one crate.
//!
//! | module | what |
//! |---|---|
//! | [`routes`] | every route, defined once: method, path, request and answer types ([`Endpoint`]), and the path builders clients use |
//! | [`batch`] | many envelopes in one write: [`EntryBatch`], [`BatchAnswer`] |
//! | [`log`] | the log: [`LogInfo`], inclusion and consistency proofs, entries, [`Submitted`] |
//! | [`design`] | designs: [`DesignReport`], the lists of `GET /v1/designs`, [`Identified`] |
//! | [`keys`] | what one key signed: [`KeyEntriesQuery`] |
//! | [`royalty`] | royalty questions: [`SplitRequest`], [`StatementRequest`] |
//! | [`proven`] | [`Proven`] answers and their [`EntryProof`]s, [`Page`]s and cursors |
//! | [`openapi`] | the OpenAPI 3.1 document, generated from the routes and the types' JSON Schemas |
//! | [`problem`] | the RFC 9457 [`Problem`] body, its `type` URIs, and the status of every rule |
//! | [`state`] | the state an answer rests on: the log's commitment and the records with their map proofs |
//! | [`verify`] | the one verifier of answers, receipts and proof bundles |
//! | [`fresh`] | the freshness rules: a per-log memory of the largest checkpoint verified, forks, stale answers, the quorum's age |
//! | [`witnessed`] | answers held to a witness policy: cosigned checkpoints, upgrades, `?wait=witnessed` |
//! | [`hex`] | the hex encoding of hashes |
//!
//! Answers computed from the state (designs, grants, license checks,
//! royalties) are [`Proven`]: they carry the signed checkpoint they were
//! computed at and the inclusion proofs of the entries they rest on, and
//! [`Proven::verify`] checks both with only the log's key. Those computed
//! from the state also carry the records they rest on with their proofs in
//! the state map ([`StateProof`]), and [`Proven::verify_state`] recomputes
//! the answer from them with the model's own functions.
//!
//! ## What's in scope
//! The JSON shape of every request and answer, the routes, the problem
//! body and the status of each rule, and verification of what the service
//! answers. Pure: it depends on `provenant-model`, `provenant-tlog` and
//! serde only, so a browser page, a witness or a third-party client can
//! build on it.
//!
//! ## What's out of scope
//! HTTP itself (no server, no client, no async runtime), storage, and the
//! rules: those are `provenant-model`'s, which this crate names in its
//! types but never re-implements.

pub mod batch;
pub mod design;
pub mod fresh;
pub mod hex;
pub mod keys;
pub mod log;
pub mod openapi;
pub mod problem;
pub mod proven;
pub mod routes;
pub mod royalty;
pub mod state;
pub mod verify;
pub mod witnessed;

pub use batch::{BatchAnswer, BatchResult, EntryBatch, MAX_BATCH_BYTES, MAX_BATCH_ENVELOPES};
pub use design::{
    DesignDetails, DesignList, DesignReport, DesignSummary, Identified, Licensed, ListQuery,
    NotRegistered, Similar, SimilarQuery,
};
pub use keys::KeyEntriesQuery;
pub use log::{
    ConsistencyAnswer, ConsistencyQuery, EntryAnswer, InclusionAnswer, InclusionQuery, LogInfo,
    Submitted,
};
pub use problem::{Problem, TYPE_BASE, rule_status};
pub use proven::{DEFAULT_PAGE, EntryProof, MAX_PAGE, Page, Proven};
pub use routes::{Endpoint, Input, Method, Route};
pub use royalty::{DetailQuery, SplitRequest, StatementRequest};
pub use state::{CommitProof, ProvenRecord, StateProof};
pub use verify::{
    Recompute, RestsOn, VerifyError, verify_bundle, verify_checkpoint, verify_receipt,
    verify_registration,
};
pub use witnessed::{Upgrade, Wait, WriteQuery, verify_receipt_with_policy, verify_witnessed};
