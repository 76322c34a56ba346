//! The payload of each entry kind. Unknown fields are refused everywhere.
//!
//! Each payload has a `validate` method for the rules that need no state
//! (lengths, counts, shares); [`crate::apply`] calls it before the rules that
//! read the state.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codec::{check_count, check_text};
use crate::{
    Category, Channel, ContentDescriptor, CountryCode, DesignId, DigitalSourceType, DisputeId,
    EvidenceHash, GrantId, Identity, Label, LeafHash, LicenseTerms, Ppm, RuleError, StateRoot,
};

/// Most creators of one design.
pub const MAX_CREATORS: usize = 64;
/// Most parents of one design.
pub const MAX_PARENTS: usize = 16;
/// Most ancestors (parents, their parents, ...) of one design.
pub const MAX_ANCESTORS: usize = 1024;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest description, claim, note or reason, in characters.
pub const MAX_TEXT: usize = 4000;
/// Longest short text (software agent, batch reference), in characters.
pub const MAX_SHORT_TEXT: usize = 200;

/// A co-creator and their share of the design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Creator {
    /// The creator's key.
    pub key: Identity,
    /// The share of ownership, positive.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub share_ppm: Ppm,
    /// What they did (`designer`, `customer`, `ai-operator`...).
    pub role: Label,
}

/// A design this one derives from, and the license grant it derives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ParentLink {
    /// The parent design.
    pub design: DesignId,
    /// A grant on the parent, held by one of the creators, that allows derivatives.
    pub grant: GrantId,
}

/// How AI was involved (C2PA / IPTC vocabulary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AiDisclosure {
    /// IPTC digital source type URI.
    pub digital_source_type: DigitalSourceType,
    /// The tool or model used, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_SHORT_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub software_agent: Option<String>,
    /// What the humans contributed, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub human_contribution: Option<String>,
}

fn default_threshold() -> Ppm {
    Ppm::ONE
}

/// `design.register`: signed by every creator (and, for a parent grant with
/// `derivatives_approval`, by that parent's owners at its threshold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DesignRegister {
    /// What identifies the content.
    pub content: ContentDescriptor,
    /// Title, 1 to 200 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_TITLE), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub title: String,
    /// Description, up to 4000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub description: String,
    /// Co-creators, 1 to 64, shares summing to `1_000_000`.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_CREATORS)))]
    pub creators: Vec<Creator>,
    /// Parent designs, at most 16.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_PARENTS)))]
    pub parents: Vec<ParentLink>,
    /// AI disclosure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai: Option<AiDisclosure>,
    /// Ownership needed to sign for the design (grants, revocations).
    #[serde(default = "default_threshold")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub license_threshold_ppm: Ppm,
}

impl DesignRegister {
    /// Lengths, counts, and creator shares (positive, no duplicate keys,
    /// checked sum of exactly `1_000_000`).
    ///
    /// # Errors
    /// The first broken rule.
    pub fn validate(&self) -> Result<(), RuleError> {
        check_text("title", &self.title, 1, MAX_TITLE)?;
        check_text("description", &self.description, 0, MAX_TEXT)?;
        if self.content.iscc.is_some() && !self.content.media_type.as_str().starts_with("image/") {
            return Err(RuleError::Malformed {
                field: "content.iscc".to_owned(),
                detail: format!(
                    "an ISCC Image-Code describes an image, not {}",
                    self.content.media_type
                ),
            });
        }
        if let Some(ai) = &self.ai {
            if let Some(agent) = &ai.software_agent {
                check_text("ai.software_agent", agent, 1, MAX_SHORT_TEXT)?;
            }
            if let Some(human) = &ai.human_contribution {
                check_text("ai.human_contribution", human, 1, MAX_TEXT)?;
            }
        }
        if self.creators.is_empty() {
            return Err(RuleError::EmptyList {
                field: "creators".to_owned(),
            });
        }
        check_count("creators", self.creators.len(), MAX_CREATORS)?;
        if self.parents.len() > MAX_PARENTS {
            return Err(RuleError::TooManyParents {
                count: self.parents.len(),
                max: MAX_PARENTS,
            });
        }
        let mut keys = BTreeSet::new();
        let mut sum: u64 = 0;
        for (i, creator) in self.creators.iter().enumerate() {
            if creator.share_ppm == Ppm::ZERO {
                return Err(RuleError::ShareNotPositive {
                    field: format!("creators[{i}].share_ppm"),
                });
            }
            if !keys.insert(creator.key) {
                return Err(RuleError::DuplicateCreator { key: creator.key });
            }
            sum = sum
                .checked_add(u64::from(creator.share_ppm.get()))
                .ok_or(RuleError::AmountOverflow)?;
        }
        if sum != u64::from(Ppm::SCALE) {
            return Err(RuleError::SharesSum { sum });
        }
        let mut parents = BTreeSet::new();
        for link in &self.parents {
            if !parents.insert(link.design) {
                return Err(RuleError::DuplicateParent {
                    design: link.design,
                });
            }
        }
        if self.license_threshold_ppm == Ppm::ZERO {
            return Err(RuleError::ThresholdRange);
        }
        Ok(())
    }
}

/// `license.grant`: signed by owners reaching the design's threshold and by
/// the licensee. The grant's id is the envelope's [`crate::EntryId`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LicenseGrant {
    /// The licensed design.
    pub design: DesignId,
    /// Who receives the license.
    pub licensee: Identity,
    /// The terms.
    pub terms: LicenseTerms,
}

/// `usage.record`: a production run under a grant, signed by the licensee.
/// Its time is the entry's `logged_at` (the server's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UsageRecord {
    /// The grant the run rests on.
    pub grant: GrantId,
    /// Units produced, positive.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = crate::MAX_SAFE_INTEGER)))]
    pub quantity: u64,
    /// Where they are sold.
    pub territory: CountryCode,
    /// Through which channel.
    pub channel: Channel,
    /// As which product category.
    pub category: Category,
    /// The brand's batch reference, 1 to 200 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_SHORT_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub batch_ref: String,
}

impl UsageRecord {
    /// A positive quantity and a bounded batch reference.
    ///
    /// # Errors
    /// The first broken rule.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.quantity == 0 {
            return Err(RuleError::QuantityZero);
        }
        check_text("batch_ref", &self.batch_ref, 1, MAX_SHORT_TEXT)
    }
}

/// One giver in a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareMove {
    /// The owner giving shares.
    pub key: Identity,
    /// How much it gives, positive.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub share_ppm: Ppm,
}

/// `ownership.transfer`: signed by every giver and by the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OwnershipTransfer {
    /// The design.
    pub design: DesignId,
    /// The givers and what each gives.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_CREATORS)))]
    pub from: Vec<ShareMove>,
    /// The receiver.
    pub to: Identity,
    /// Leaf hash of the latest entry that changed the design's ownership.
    pub prev: LeafHash,
}

impl OwnershipTransfer {
    /// At least one giver, at most 64, each unique with a positive share,
    /// none of them the receiver.
    ///
    /// # Errors
    /// The first broken rule.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.from.is_empty() {
            return Err(RuleError::EmptyList {
                field: "from".to_owned(),
            });
        }
        check_count("from", self.from.len(), MAX_CREATORS)?;
        let mut keys = BTreeSet::new();
        for (i, m) in self.from.iter().enumerate() {
            if m.share_ppm == Ppm::ZERO {
                return Err(RuleError::ShareNotPositive {
                    field: format!("from[{i}].share_ppm"),
                });
            }
            if m.key == self.to {
                return Err(RuleError::SelfTransfer { key: m.key });
            }
            if !keys.insert(m.key) {
                return Err(RuleError::DuplicateItem {
                    field: "from".to_owned(),
                    value: m.key.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// `license.revoke`: signed by owners at the threshold, or by the licensee
/// alone to release the grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LicenseRevoke {
    /// The grant.
    pub grant: GrantId,
    /// Why, 1 to 4000 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub reason: String,
}

/// `dispute.raise`: signed by any identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeRaise {
    /// The design disputed.
    pub design: DesignId,
    /// The claim, 1 to 4000 characters.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub claim: String,
    /// SHA-256 of the evidence, kept off the log.
    pub evidence: EvidenceHash,
}

/// How an arbiter resolves a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The claim holds: the design stays blocked for good, as infringing.
    Upheld,
    /// The claim fails: this dispute no longer blocks the design.
    Dismissed,
}

/// `dispute.resolve`: signed by an arbiter key from the server's config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeResolve {
    /// The dispute.
    pub dispute: DisputeId,
    /// The outcome.
    pub outcome: Outcome,
    /// The arbiter's note, up to 4000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TEXT), regex(pattern = crate::schema::TEXT_PATTERN)))]
    pub note: String,
}

/// `key.rotate`: signed by the old key and the new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRotate {
    /// The key that retires.
    pub old: Identity,
    /// Its successor, a key that holds nothing yet.
    pub new: Identity,
}

/// `state.commit`: the log's own entry committing to the state after every
/// entry before it. The sequencer appends one at the end of every batch
/// that changed the state, signed by the log's key; no client may submit
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StateCommit {
    /// The root of the state map after the first `size` entries.
    pub root: StateRoot,
    /// How many entries the state covers: this entry's own index.
    pub size: u64,
}
