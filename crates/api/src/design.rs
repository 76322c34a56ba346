//! Designs as readers see them: `GET /v1/designs/{id}`, the lists of
//! `GET /v1/designs`, and `POST /v1/designs/identify`.

use provenant_model::payload::{AiDisclosure, Creator, DesignRegister, ParentLink};
use provenant_model::state::EntryRef;
use provenant_model::{
    Blocked, ContentDescriptor, ContentSha256, DesignId, DesignState, GrantId, GrantState,
    Identity, ImageCode, NearDuplicate, Owner, Ppm,
};
use serde::{Deserialize, Serialize};

use crate::proven::{Page, Proven};

/// What a design's registration said about it, which no later entry
/// changes: read from the registration entry, not kept as state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignDetails {
    /// The content descriptor.
    pub content: ContentDescriptor,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The creators as registered (ownership now is `owners`).
    pub creators: Vec<Creator>,
    /// AI disclosure.
    pub ai: Option<AiDisclosure>,
}

impl DesignDetails {
    /// What the registration `payload` said.
    #[must_use]
    pub fn registered(payload: DesignRegister) -> DesignDetails {
        DesignDetails {
            content: payload.content,
            title: payload.title,
            description: payload.description,
            creators: payload.creators,
            ai: payload.ai,
        }
    }
}

/// A design's state as a reader sees it: the record without the list of
/// blocking disputes, which a stranger's disputes could make long; one of
/// them is cited instead, with their number ([`Blocked`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignSummary {
    /// The design id (BLAKE3 of the content).
    pub id: DesignId,
    /// The parent links.
    pub parents: Vec<ParentLink>,
    /// Ownership needed to sign for the design.
    pub license_threshold_ppm: Ppm,
    /// Current owners, sorted by key.
    pub owners: Vec<Owner>,
    /// The registration entry.
    pub registered: EntryRef,
    /// The latest entry that changed ownership.
    pub ownership: EntryRef,
    /// The first dispute blocking the design and their number; `None`
    /// when the design itself is clear.
    pub blocked_by: Option<Blocked>,
}

impl DesignSummary {
    /// The summary of `state`, whose first blocking dispute is `blocked_by`
    /// ([`provenant_model::blocked_by`]).
    #[must_use]
    pub fn new(state: DesignState, blocked_by: Option<Blocked>) -> DesignSummary {
        DesignSummary {
            id: state.id,
            parents: state.parents,
            license_threshold_ppm: state.license_threshold_ppm,
            owners: state.owners,
            registered: state.registered,
            ownership: state.ownership,
            blocked_by,
        }
    }
}

/// A design as a user sees it: the answer of `GET /v1/designs/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignReport {
    /// The design's state.
    #[serde(flatten)]
    pub state: DesignSummary,
    /// What its registration said.
    #[serde(flatten)]
    pub details: DesignDetails,
    /// Designs that derive from it.
    pub children: Vec<DesignId>,
    /// Grants on it, with units used.
    pub grants: Vec<GrantState>,
    /// Indexes of every entry concerning it.
    pub history: Vec<u64>,
    /// Designs registered before it whose image code is within the
    /// server's near-duplicate distance: a flag for a reader, advisory (no
    /// proof covers the list; see `GET /v1/designs/{id}/similar`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub near_duplicates: Vec<NearDuplicate>,
}

/// What is known of an uploaded file: the answer of
/// `POST /v1/designs/identify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identified {
    /// BLAKE3 of the bytes: the design id they would have.
    pub blake3: DesignId,
    /// SHA-256 of the bytes.
    pub sha256: ContentSha256,
    /// Length in bytes.
    pub size: u64,
    /// The file's ISCC Image-Code, when it is an image this service
    /// decodes (PNG, JPEG, WebP, GIF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscc: Option<ImageCode>,
    /// Registered designs whose image code is within the server's
    /// near-duplicate distance of the file's, nearest first (advisory).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub near_duplicates: Vec<NearDuplicate>,
    /// Whether a design with this content is registered.
    pub registered: bool,
    /// The design, with proofs, when registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<Proven<DesignReport>>,
    /// When not registered: the proof that the state holds no design with
    /// this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<Proven<NotRegistered>>,
}

/// No design has this id: proven by the state map's proof of absence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotRegistered {
    /// The design id the content would have.
    pub design: DesignId,
}

/// Query of `GET /v1/designs`: exactly one of `creator` (designs the key
/// owns a share of) and `licensee` (designs licensed to it, with the
/// grant), `limit` at a time ([`crate::DEFAULT_PAGE`] by default, at most
/// [`crate::MAX_PAGE`]), continuing `after` a page's `next`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// List the designs this key owns a share of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<Identity>,
    /// List the designs licensed to this key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licensee: Option<Identity>,
    /// A previous page's `next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How many items at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// A design licensed to a key, and the grant it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Licensed {
    /// The grant.
    pub grant: GrantId,
    /// The design it licenses.
    pub design: DesignId,
}

/// The answer of `GET /v1/designs`: design ids for `creator`, designs and
/// grants for `licensee`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum DesignList {
    /// `?creator=`: the designs the key owns a share of, in id order.
    Owned(Page<DesignId>),
    /// `?licensee=`: the grants the key holds and their designs, in grant
    /// id order.
    Licensed(Page<Licensed>),
}

/// Query of `GET /v1/designs/{id}/similar`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    /// The largest distance, in bits of the 64, that counts as near
    /// [default: the server's, at most 12].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = provenant_model::iscc::MAX_DISTANCE))]
    pub distance: Option<u32>,
}

/// The answer of `GET /v1/designs/{id}/similar`: registered designs whose
/// image looks like this design's. Advisory: found by the ledger's index
/// of image codes, which no proof covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Similar {
    /// The design searched for.
    pub design: DesignId,
    /// Its Image-Code.
    pub iscc: ImageCode,
    /// The distance searched, in bits.
    pub distance: u32,
    /// The designs within it (registered before or after this one), nearest
    /// first, then in registration order; at most 100.
    pub near_duplicates: Vec<NearDuplicate>,
    /// Whether designs may be missing: more than 100 matched, or a band of
    /// codes held more than 4096 designs (thousands of near-blank images).
    pub partial: bool,
}
