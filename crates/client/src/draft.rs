//! Unsigned envelopes ("drafts") for every entry kind, built from typed
//! inputs, and the small parsers the command line needs.
//!
//! Writes go draft -> sign -> submit: one person drafts an envelope, each
//! signer adds a signature on their own machine ([`sign`]), anyone submits
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

use std::collections::BTreeSet;
use std::io::{self, Read};
use std::path::Path;

use ed25519_dalek::SigningKey;
use provenant_model::payload::{
    AiDisclosure, Creator, DesignRegister, DisputeRaise, DisputeResolve, KeyRotate, LicenseGrant,
    LicenseRevoke, MAX_TEXT, Outcome, OwnershipTransfer, ParentLink, ShareMove, UsageRecord,
};
use provenant_model::{
    ContentHashes, CountryCode, DesignId, DisputeId, Envelope, EvidenceHash, GrantId, Identity,
    Kind, Label, LeafHash, LicenseTerms, MediaType, Payload, Ppm, Royalty, RoyaltyPolicy,
    RuleError, Timestamp, identity_of,
};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

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

// ---- shares ----------------------------------------------------------------

/// The role a creator gets when none is given.
pub const DEFAULT_ROLE: &str = "designer";

/// Decimals allowed in a percentage: `0.0001%` is 1 ppm.
const MAX_DECIMALS: usize = 4;

fn share_error(text: &str, why: &str) -> DraftError {
    DraftError::Share(format!("{text:?} is not a share: {why}"))
}

/// Digits only (no sign, no spaces), at most 12 of them.
fn digits(text: &str) -> Option<u64> {
    let ok = !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit());
    if ok { text.parse().ok() } else { None }
}

/// A percentage or ppm value between 0% and 100%, zero allowed.
fn parse_ppm(text: &str) -> Result<Ppm, DraftError> {
    let trimmed = text.trim();
    let value = if let Some(number) = trimmed.strip_suffix("ppm") {
        digits(number.trim_end())
            .ok_or_else(|| share_error(text, "expected a whole number of ppm, such as 600000ppm"))?
    } else if let Some(number) = trimmed.strip_suffix('%') {
        let number = number.trim_end();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        if fraction.len() > MAX_DECIMALS {
            return Err(share_error(
                text,
                "at most 4 decimals (0.0001% is 1 ppm); or give ppm, such as 333333ppm",
            ));
        }
        // 1% is 10_000 ppm; a fraction of n digits scales by 10^(4 - n).
        let scale = 10u64.pow(pad(fraction.len()));
        digits(whole)
            .zip(digits(fraction))
            .and_then(|(w, f)| w.checked_mul(10_000)?.checked_add(f * scale))
            .ok_or_else(|| share_error(text, "expected a percentage such as 60% or 33.3333%"))?
    } else {
        return Err(share_error(
            text,
            "write a percentage such as 60% or parts per million such as 600000ppm",
        ));
    };
    u32::try_from(value)
        .ok()
        .and_then(Ppm::new)
        .ok_or_else(|| share_error(text, "more than 100%"))
}

/// The power of ten that scales a fraction of `len` digits to four.
fn pad(len: usize) -> u32 {
    u32::try_from(MAX_DECIMALS.saturating_sub(len)).unwrap_or(0)
}

/// Parses a share of ownership: `60%`, `33.3333%` (at most four decimals)
/// or `600000ppm`. Exact integer math; more than 0 and at most 100%.
///
/// # Errors
/// [`DraftError::Share`] for anything else.
pub fn parse_share(text: &str) -> Result<Ppm, DraftError> {
    let ppm = parse_ppm(text)?;
    if ppm == Ppm::ZERO {
        return Err(share_error(text, "a share must be more than 0"));
    }
    Ok(ppm)
}

/// Parses a revenue share like [`parse_share`], but `0%` is allowed.
///
/// # Errors
/// [`DraftError::Share`] for anything but 0% to 100%.
pub fn parse_rev_share(text: &str) -> Result<Ppm, DraftError> {
    parse_ppm(text)
}

/// Splits `KEY=SHARE` at the last `=` whose right part is a share (ends
/// with `%` or `ppm`), since a base64 identity itself ends with `=`.
/// Returns the key's text (an identity, or whatever the caller accepts,
/// such as a key file's path) and the share.
///
/// # Errors
/// [`DraftError::Share`] when there is no `=SHARE`, no key, or a bad share.
pub fn split_key_share(text: &str) -> Result<(&str, Ppm), DraftError> {
    let expected = || {
        DraftError::Share(format!(
            "{text:?}: expected KEY=SHARE, the share ending in % or ppm \
             (ed25519:...=60%, alice.pem=600000ppm)"
        ))
    };
    let (key, share) = text
        .rmatch_indices('=')
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
        .find(|(_, right)| {
            let right = right.trim_end();
            right.ends_with('%') || right.ends_with("ppm")
        })
        .ok_or_else(expected)?;
    if key.trim().is_empty() {
        return Err(expected());
    }
    Ok((key.trim(), parse_share(share)?))
}

/// Parses `ed25519:...=SHARE` into an identity and its share.
///
/// # Errors
/// [`DraftError::Share`] or [`DraftError::Key`].
pub fn parse_key_share(text: &str) -> Result<(Identity, Ppm), DraftError> {
    let (key, share) = split_key_share(text)?;
    Ok((parse_identity(key)?, share))
}

/// Splits a creator, `KEY=SHARE` or `KEY=SHARE:ROLE`, into the key's text,
/// the share and the role ([`DEFAULT_ROLE`] when none is given). A role is
/// a label (`designer`, `customer`, `ai-operator`...).
///
/// # Errors
/// As [`split_key_share`], and [`DraftError::Invalid`] for a bad role.
pub fn split_creator(text: &str) -> Result<(&str, Ppm, Label), DraftError> {
    let (rest, role) = match text.rsplit_once(':') {
        // A role only ever follows a share, so `ed25519:` is never one.
        Some((rest, role)) if rest.ends_with('%') || rest.ends_with("ppm") => {
            (rest, role.parse::<Label>()?)
        }
        _ => (text, DEFAULT_ROLE.parse::<Label>()?),
    };
    let (key, share) = split_key_share(rest)?;
    Ok((key, share, role))
}

/// Parses an `ed25519:` identity.
///
/// # Errors
/// [`DraftError::Key`], saying what is wrong with it.
pub fn parse_identity(text: &str) -> Result<Identity, DraftError> {
    text.parse()
        .map_err(|e| DraftError::Key(format!("{text:?} is not an identity: {e}")))
}

// ---- design.register -------------------------------------------------------

/// The media type to assume for a design file, from its extension (any
/// case): common image, document and 3D formats, else
/// `application/octet-stream`.
#[must_use]
pub fn media_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("stl") => "model/stl",
        Some("obj") => "model/obj",
        Some("glb") => "model/gltf-binary",
        _ => "application/octet-stream",
    }
}

/// What a design registration says, before anyone signs it.
#[derive(Debug, Clone)]
pub struct DesignDraft {
    /// The content's hashes and size ([`provenant_model::hash_content`]).
    pub content: ContentHashes,
    /// The content's media type.
    pub media_type: MediaType,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Description, up to 4000 characters.
    pub description: String,
    /// Co-creators with their shares (summing to 100%) and roles.
    pub creators: Vec<Creator>,
    /// Parent designs, each with the grant it derives under.
    pub parents: Vec<(DesignId, GrantId)>,
    /// How AI was involved, if it was.
    pub ai: Option<AiDisclosure>,
    /// Ownership needed to sign for the design; `None` = 100%.
    pub threshold: Option<Ppm>,
}

/// An unsigned `design.register` envelope; every creator signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a draft the ledger would refuse on its face.
pub fn design_draft(draft: &DesignDraft) -> Result<Envelope, DraftError> {
    envelope(&Payload::DesignRegister(DesignRegister {
        content: draft.content.with_media_type(draft.media_type.clone()),
        title: draft.title.clone(),
        description: draft.description.clone(),
        creators: draft.creators.clone(),
        parents: draft
            .parents
            .iter()
            .map(|&(design, grant)| ParentLink { design, grant })
            .collect(),
        ai: draft.ai.clone(),
        license_threshold_ppm: draft.threshold.unwrap_or(Ppm::ONE),
    }))
}

// ---- license terms ---------------------------------------------------------

/// Ready-made license terms, after Story Protocol's PIL flavours.
///
/// Every preset asks for attribution and leaves `derivatives_reciprocal`,
/// `derivatives_approval`, `exclusive`, `sublicensable`, `transferable` and
/// `ai_training` off; overrides or a terms file turn them on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// No commercial use; derivatives allowed; no revenue share.
    NonCommercialRemix,
    /// Commercial use; no derivatives; no revenue share.
    CommercialUse,
    /// Commercial use; derivatives allowed, owing a revenue share (5% LAP
    /// unless overridden).
    CommercialRemix,
}

impl Preset {
    /// The revenue share of [`Preset::CommercialRemix`] when none is given.
    pub const DEFAULT_REV_SHARE: Ppm = Ppm::new(50_000).expect("5% is at most 100%");

    /// The preset's terms, starting at `starts_at`, worldwide, for any
    /// channel and category, without end or cap.
    #[must_use]
    pub fn terms(self, starts_at: Timestamp) -> LicenseTerms {
        let (commercial_use, derivatives_allowed, rev_share_ppm) = match self {
            Preset::NonCommercialRemix => (false, true, Ppm::ZERO),
            Preset::CommercialUse => (true, false, Ppm::ZERO),
            Preset::CommercialRemix => (true, true, Self::DEFAULT_REV_SHARE),
        };
        LicenseTerms {
            commercial_use,
            derivatives_allowed,
            derivatives_reciprocal: false,
            derivatives_approval: false,
            attribution: true,
            royalty: Royalty {
                policy: RoyaltyPolicy::Lap,
                rev_share_ppm,
            },
            minting_fee: None,
            territories: Vec::new(),
            channels: Vec::new(),
            categories: Vec::new(),
            starts_at,
            ends_at: None,
            max_units: None,
            exclusive: false,
            sublicensable: false,
            transferable: false,
            ai_training: false,
        }
    }
}

/// Changes to a preset's or a file's terms. Empty lists and `None` keep
/// what the terms say; `true` flags turn the flag on.
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)] // The PIL's own flags.
pub struct TermsOverrides {
    /// Allowed territories (replace the list when not empty).
    pub territories: Vec<CountryCode>,
    /// Allowed channels (replace the list when not empty).
    pub channels: Vec<Label>,
    /// Allowed product categories (replace the list when not empty).
    pub categories: Vec<Label>,
    /// Start of the license window.
    pub starts_at: Option<Timestamp>,
    /// End of the license window (exclusive).
    pub ends_at: Option<Timestamp>,
    /// Cumulative cap on recorded units.
    pub max_units: Option<u64>,
    /// Revenue share owed by derivatives.
    pub rev_share: Option<Ppm>,
    /// Royalty policy.
    pub policy: Option<RoyaltyPolicy>,
    /// Make the grant exclusive.
    pub exclusive: bool,
    /// Allow AI training on the design.
    pub ai_training: bool,
    /// Let the licensee sublicense.
    pub sublicensable: bool,
    /// Let the licensee transfer the license.
    pub transferable: bool,
}

/// Merges `overlay` into `base`: objects member by member, anything else
/// replaced.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// License terms from a preset and/or a terms file, then the overrides.
///
/// The file (a JSON object, or a TOML table the caller converted) holds
/// terms fields; with a preset it changes only the fields it names, without
/// one it must name every required field. `starts_at` defaults to `now`.
/// The result passes [`LicenseTerms::validate`].
///
/// # Errors
/// [`DraftError::Terms`] when neither a preset nor a file is given or the
/// file does not describe terms; [`DraftError::Invalid`] for terms that
/// contradict themselves.
pub fn terms_from(
    preset: Option<Preset>,
    file: Option<Value>,
    overrides: &TermsOverrides,
    now: Timestamp,
) -> Result<LicenseTerms, DraftError> {
    let mut value = match preset {
        Some(preset) => {
            serde_json::to_value(preset.terms(now)).map_err(|e| DraftError::Terms(e.to_string()))?
        }
        None if file.is_some() => serde_json::json!({"starts_at": now}),
        None => {
            return Err(DraftError::Terms(
                "give a preset or a terms file".to_owned(),
            ));
        }
    };
    if let Some(file) = file {
        if !file.is_object() {
            return Err(DraftError::Terms(
                "the terms file must hold an object (a table) of terms fields".to_owned(),
            ));
        }
        merge(&mut value, file);
    }
    let mut terms: LicenseTerms = serde_json::from_value(value).map_err(|e| {
        let hint = if preset.is_none() {
            " (without a preset, the terms file names every field)"
        } else {
            ""
        };
        DraftError::Terms(format!("{e}{hint}"))
    })?;
    apply_overrides(&mut terms, overrides);
    terms.validate()?;
    Ok(terms)
}

fn apply_overrides(terms: &mut LicenseTerms, o: &TermsOverrides) {
    if !o.territories.is_empty() {
        terms.territories.clone_from(&o.territories);
    }
    if !o.channels.is_empty() {
        terms.channels.clone_from(&o.channels);
    }
    if !o.categories.is_empty() {
        terms.categories.clone_from(&o.categories);
    }
    terms.starts_at = o.starts_at.unwrap_or(terms.starts_at);
    terms.ends_at = o.ends_at.or(terms.ends_at);
    terms.max_units = o.max_units.or(terms.max_units);
    terms.royalty.rev_share_ppm = o.rev_share.unwrap_or(terms.royalty.rev_share_ppm);
    terms.royalty.policy = o.policy.unwrap_or(terms.royalty.policy);
    terms.exclusive |= o.exclusive;
    terms.ai_training |= o.ai_training;
    terms.sublicensable |= o.sublicensable;
    terms.transferable |= o.transferable;
}

// ---- the other kinds -------------------------------------------------------

/// An unsigned `license.grant`: owners at the design's threshold and the
/// licensee sign it. Its id ([`Envelope::id`]) becomes the grant's id.
///
/// # Errors
/// [`DraftError::Invalid`] for terms that contradict themselves.
pub fn grant_draft(
    design: DesignId,
    licensee: Identity,
    terms: LicenseTerms,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::LicenseGrant(LicenseGrant {
        design,
        licensee,
        terms,
    }))
}

/// An unsigned `license.revoke`: owners at the threshold sign a
/// revocation; the licensee alone signs a release.
///
/// # Errors
/// [`DraftError::Invalid`] for a reason that is empty or too long.
pub fn revoke_draft(grant: GrantId, reason: &str) -> Result<Envelope, DraftError> {
    envelope(&Payload::LicenseRevoke(LicenseRevoke {
        grant,
        reason: reason.to_owned(),
    }))
}

/// An unsigned `usage.record`, a production run; the licensee signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a zero quantity or a bad batch reference.
pub fn usage_draft(
    grant: GrantId,
    quantity: u64,
    territory: CountryCode,
    channel: Label,
    category: Label,
    batch_ref: &str,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::UsageRecord(UsageRecord {
        grant,
        quantity,
        territory,
        channel,
        category,
        batch_ref: batch_ref.to_owned(),
    }))
}

/// An unsigned `ownership.transfer` of shares of `design` from the givers
/// to `to`; `prev` is the leaf hash of the design's latest ownership entry.
/// Every giver and the receiver sign it.
///
/// # Errors
/// [`DraftError::Invalid`] for no givers, a repeated giver, a zero share or
/// a giver who is the receiver.
pub fn transfer_draft(
    design: DesignId,
    from: &[(Identity, Ppm)],
    to: Identity,
    prev: LeafHash,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::OwnershipTransfer(OwnershipTransfer {
        design,
        from: from
            .iter()
            .map(|&(key, share_ppm)| ShareMove { key, share_ppm })
            .collect(),
        to,
        prev,
    }))
}

/// An unsigned `dispute.raise`; any identity signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a claim that is empty or too long.
pub fn dispute_raise_draft(
    design: DesignId,
    claim: &str,
    evidence: EvidenceHash,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::DisputeRaise(DisputeRaise {
        design,
        claim: claim.to_owned(),
        evidence,
    }))
}

/// The hash of a dispute's evidence: SHA-256 of its bytes. The evidence
/// itself stays off the log.
#[must_use]
pub fn evidence_hash(bytes: &[u8]) -> EvidenceHash {
    EvidenceHash(Sha256::digest(bytes).into())
}

/// [`evidence_hash`] of everything `reader` yields, without holding it in
/// memory.
///
/// # Errors
/// The reader's errors.
pub fn evidence_hash_reader<R: Read>(reader: R) -> io::Result<EvidenceHash> {
    let hashes = provenant_model::hash_content(reader)?;
    Ok(EvidenceHash(*hashes.sha256.as_bytes()))
}

/// An unsigned `dispute.resolve`; an arbiter key of the server signs it.
///
/// # Errors
/// [`DraftError::Invalid`] for a note that is too long.
pub fn dispute_resolve_draft(
    dispute: DisputeId,
    outcome: Outcome,
    note: &str,
) -> Result<Envelope, DraftError> {
    envelope(&Payload::DisputeResolve(DisputeResolve {
        dispute,
        outcome,
        note: note.to_owned(),
    }))
}

/// An unsigned `key.rotate` from `old` to `new`; both keys sign it.
///
/// # Errors
/// [`DraftError::Invalid`] when the two keys are the same.
pub fn rotate_draft(old: Identity, new: Identity) -> Result<Envelope, DraftError> {
    envelope(&Payload::KeyRotate(KeyRotate { old, new }))
}

/// The envelope of a payload, checked.
fn envelope(payload: &Payload) -> Result<Envelope, DraftError> {
    let envelope = Envelope::new(payload)?;
    check_draft(&envelope)?;
    Ok(envelope)
}

/// A text field's length in characters and the absence of control
/// characters (other than newline and tab), as the ledger checks them.
fn check_text(field: &str, text: &str, min: usize, max: usize) -> Result<(), RuleError> {
    let len = text.chars().count();
    if len < min || len > max {
        return Err(RuleError::TextLength {
            field: field.to_owned(),
            len,
            min,
            max,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(RuleError::Malformed {
            field: field.to_owned(),
            detail: "control characters are not allowed".to_owned(),
        });
    }
    Ok(())
}

/// The rules an envelope's payload must pass on its own, without the
/// ledger's state: the same checks the ledger makes first.
///
/// # Errors
/// [`DraftError::Invalid`] with the first rule broken.
pub fn check_draft(envelope: &Envelope) -> Result<(), DraftError> {
    match envelope.payload() {
        Payload::DesignRegister(p) => p.validate()?,
        Payload::LicenseGrant(p) => p.terms.validate()?,
        Payload::UsageRecord(p) => p.validate()?,
        Payload::OwnershipTransfer(p) => p.validate()?,
        Payload::LicenseRevoke(p) => check_text("reason", &p.reason, 1, MAX_TEXT)?,
        Payload::DisputeRaise(p) => check_text("claim", &p.claim, 1, MAX_TEXT)?,
        Payload::DisputeResolve(p) => check_text("note", &p.note, 0, MAX_TEXT)?,
        Payload::KeyRotate(p) if p.old == p.new => {
            return Err(RuleError::RotationSameKey { key: p.old }.into());
        }
        Payload::KeyRotate(_) => {}
    }
    Ok(())
}

// ---- signing ---------------------------------------------------------------

/// Adds `key`'s signature to the envelope, after checking the draft
/// ([`check_draft`]).
///
/// # Errors
/// [`DraftError::AlreadySigned`] when the key has signed it already;
/// [`DraftError::Invalid`] for a draft that breaks a rule.
pub fn sign(envelope: &mut Envelope, key: &SigningKey) -> Result<(), DraftError> {
    let signer = identity_of(key)?;
    if envelope.signatures().iter().any(|line| line.key == signer) {
        return Err(DraftError::AlreadySigned { key: signer });
    }
    check_draft(envelope)?;
    envelope.sign(key)?;
    Ok(())
}

/// Signs a `license.grant` draft as its licensee (accepting the license).
///
/// # Errors
/// [`DraftError::Signer`] when the envelope is not a grant or `key` is not
/// its licensee; otherwise as [`sign`].
pub fn sign_as_licensee(envelope: &mut Envelope, key: &SigningKey) -> Result<(), DraftError> {
    let Payload::LicenseGrant(grant) = envelope.payload() else {
        return Err(DraftError::Signer(format!(
            "this is a {} envelope, not a license grant",
            envelope.kind()
        )));
    };
    let signer = identity_of(key)?;
    if grant.licensee != signer {
        return Err(DraftError::Signer(format!(
            "{signer} is not the licensee of this grant ({})",
            grant.licensee
        )));
    }
    sign(envelope, key)
}

/// The keys that must sign, as far as the payload alone tells:
///
/// | kind | keys |
/// |---|---|
/// | `design.register` | every creator (parents' owners too under an approval grant: not in the payload) |
/// | `license.grant` | the licensee (the owners are on the ledger) |
/// | `ownership.transfer` | every giver, and the receiver |
/// | `key.rotate` | the old key and the new key |
/// | others | none known: the licensee of a grant (`usage.record`, a release), owners, any identity, an arbiter |
///
/// In payload order, each key once.
#[must_use]
pub fn expected_signers(envelope: &Envelope) -> Vec<Identity> {
    let keys: Vec<Identity> = match envelope.payload() {
        Payload::DesignRegister(p) => p.creators.iter().map(|c| c.key).collect(),
        Payload::LicenseGrant(p) => vec![p.licensee],
        Payload::OwnershipTransfer(p) => p
            .from
            .iter()
            .map(|m| m.key)
            .chain(std::iter::once(p.to))
            .collect(),
        Payload::KeyRotate(p) => vec![p.old, p.new],
        Payload::UsageRecord(_)
        | Payload::LicenseRevoke(_)
        | Payload::DisputeRaise(_)
        | Payload::DisputeResolve(_) => Vec::new(),
    };
    let mut seen = BTreeSet::new();
    keys.into_iter().filter(|k| seen.insert(*k)).collect()
}

/// The [`expected_signers`] who have not signed yet.
#[must_use]
pub fn pending_signers(envelope: &Envelope) -> Vec<Identity> {
    let signed: BTreeSet<Identity> = envelope.signatures().iter().map(|l| l.key).collect();
    expected_signers(envelope)
        .into_iter()
        .filter(|k| !signed.contains(k))
        .collect()
}

/// Who else signs an envelope of `kind`, beyond what [`expected_signers`]
/// can name; `None` when it names everyone.
#[must_use]
pub fn other_signers(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::DesignRegister | Kind::OwnershipTransfer | Kind::KeyRotate => None,
        Kind::LicenseGrant => Some("owners holding the design's license threshold"),
        Kind::UsageRecord => Some("the grant's licensee"),
        Kind::LicenseRevoke => {
            Some("owners holding the design's license threshold, or the licensee to release it")
        }
        Kind::DisputeRaise => Some("any identity (the one raising the dispute)"),
        Kind::DisputeResolve => Some("an arbiter key of the ledger"),
    }
}

#[cfg(test)]
mod tests {
    use provenant_model::hash_content;
    use provenant_model::testkit::{self, id, key};
    use serde_json::json;

    use super::*;

    fn ppm(v: u32) -> Ppm {
        Ppm::new(v).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn shares_parse_exactly() {
        let cases = [
            ("60%", 600_000),
            ("100%", 1_000_000),
            ("100.0000%", 1_000_000),
            ("33.3333%", 333_333),
            ("0.0001%", 1),
            ("12.5%", 125_000),
            ("600000ppm", 600_000),
            ("1ppm", 1),
            (" 40 % ", 400_000),
            ("1000000ppm", 1_000_000),
        ];
        for (text, want) in cases {
            assert_eq!(parse_share(text).unwrap(), ppm(want), "{text}");
        }
        let bad = [
            "0%",
            "0ppm",
            "0.0000%",
            "100.0001%",
            "101%",
            "1000001ppm",
            "60",
            "60.%",
            ".5%",
            "33.33333%",
            "-5%",
            "+5%",
            "5e1%",
            "%",
            "ppm",
            "",
            "sixty%",
            "1.5ppm",
            "99999999999999999999%",
        ];
        for text in bad {
            assert!(
                matches!(parse_share(text), Err(DraftError::Share(_))),
                "{text}"
            );
        }
        assert_eq!(parse_rev_share("0%").unwrap(), Ppm::ZERO);
        assert!(parse_rev_share("100.5%").is_err());
    }

    #[test]
    fn key_shares_split_at_the_share() {
        let alice = id(&key(1));
        let text = format!("{alice}=60%");
        // A base64 identity ends with '=': the split is at the last one.
        assert!(alice.to_string().ends_with('='));
        assert_eq!(parse_key_share(&text).unwrap(), (alice, ppm(600_000)));
        assert_eq!(
            parse_key_share(&format!("{alice}=250000ppm")).unwrap(),
            (alice, ppm(250_000))
        );
        assert_eq!(
            split_key_share("keys/alice.pem=40%").unwrap(),
            ("keys/alice.pem", ppm(400_000))
        );
        for bad in [
            alice.to_string(),
            format!("{alice}60%"),
            "=60%".to_owned(),
            format!("{alice}=60"),
            format!("{alice}=0%"),
        ] {
            assert!(parse_key_share(&bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_key_share("ed25519:AAAA=60%"),
            Err(DraftError::Key(_))
        ));
    }

    #[test]
    fn creators_take_an_optional_role() {
        let alice = id(&key(1)).to_string();
        let plain = format!("{alice}=60%");
        let (k, share, role) = split_creator(&plain).unwrap();
        assert_eq!(
            (k, share, role.as_str()),
            (alice.as_str(), ppm(600_000), "designer")
        );
        let with_role = format!("{alice}=40%:customer");
        let (k, _, role) = split_creator(&with_role).unwrap();
        assert_eq!((k, role.as_str()), (alice.as_str(), "customer"));
        let (k, _, role) = split_creator("C:/keys/a.pem=5ppm").unwrap();
        assert_eq!((k, role.as_str()), ("C:/keys/a.pem", "designer"));
        assert!(split_creator(&format!("{alice}=40%:Customer")).is_err());
    }

    fn creator(seed: u8, share: u32) -> Creator {
        Creator {
            key: id(&key(seed)),
            share_ppm: ppm(share),
            role: DEFAULT_ROLE.parse().unwrap(),
        }
    }

    fn charm(creators: Vec<Creator>) -> DesignDraft {
        DesignDraft {
            content: hash_content(&b"charm"[..]).unwrap(),
            media_type: "image/png".parse().unwrap(),
            title: "A shoe charm".to_owned(),
            description: String::new(),
            creators,
            parents: Vec::new(),
            ai: None,
            threshold: None,
        }
    }

    #[test]
    fn a_design_draft_signed_by_its_creators_verifies() {
        let (alice, bob) = (key(1), key(2));
        let mut env = design_draft(&charm(vec![creator(1, 600_000), creator(2, 400_000)])).unwrap();
        assert_eq!(env.kind(), Kind::DesignRegister);
        assert!(env.signatures().is_empty());
        assert_eq!(expected_signers(&env), vec![id(&alice), id(&bob)]);
        sign(&mut env, &alice).unwrap();
        assert_eq!(pending_signers(&env), vec![id(&bob)]);
        assert!(matches!(
            sign(&mut env, &alice),
            Err(DraftError::AlreadySigned { key }) if key == id(&alice)
        ));
        sign(&mut env, &bob).unwrap();
        assert!(pending_signers(&env).is_empty());
        let verified = env.verify().unwrap();
        assert_eq!(verified.signers().len(), 2);
        // The same payload as the testkit's registration of the same inputs.
        let expected = testkit::register(b"charm", &[(&alice, 600_000), (&bob, 400_000)]);
        assert_eq!(env.payload(), expected.payload());
        // And it survives the file round trip.
        let text = serde_json::to_vec_pretty(&env.to_value()).unwrap();
        let back = Envelope::from_json(&text).unwrap();
        assert_eq!(back, env);
        assert!(back.verify().is_ok());
    }

    #[test]
    fn a_bad_design_draft_fails_before_signing() {
        let short = design_draft(&charm(vec![creator(1, 600_000), creator(2, 300_000)]));
        assert!(matches!(
            short,
            Err(DraftError::Invalid(RuleError::SharesSum { sum: 900_000 }))
        ));
        let twice = design_draft(&charm(vec![creator(1, 500_000), creator(1, 500_000)]));
        assert!(matches!(
            twice,
            Err(DraftError::Invalid(RuleError::DuplicateCreator { .. }))
        ));
        let mut untitled = charm(vec![creator(1, 1_000_000)]);
        untitled.title = String::new();
        assert!(design_draft(&untitled).is_err());
        let mut zero = charm(vec![creator(1, 1_000_000)]);
        zero.threshold = Some(Ppm::ZERO);
        assert!(design_draft(&zero).is_err());
    }

    #[test]
    fn a_derivative_draft_carries_parents_and_ai() {
        let mut draft = charm(vec![creator(3, 1_000_000)]);
        let parent = testkit::design_of(b"parent");
        let grant = GrantId([7; 32]);
        draft.parents = vec![(parent, grant)];
        draft.threshold = Some(ppm(500_000));
        draft.ai = Some(AiDisclosure {
            digital_source_type: format!(
                "{}trainedAlgorithmicMedia",
                provenant_model::vocab::IPTC_DIGITAL_SOURCE_TYPE
            )
            .parse()
            .unwrap(),
            software_agent: Some("an image model".to_owned()),
            human_contribution: None,
        });
        let env = design_draft(&draft).unwrap();
        let Payload::DesignRegister(p) = env.payload() else {
            panic!("not a registration");
        };
        assert_eq!(
            p.parents,
            vec![ParentLink {
                design: parent,
                grant
            }]
        );
        assert_eq!(p.license_threshold_ppm, ppm(500_000));
        assert_eq!(
            env.payload_json()["ai"]["software_agent"],
            json!("an image model")
        );
    }

    #[test]
    fn presets_follow_the_pil() {
        let now = at("2025-01-01T00:00:00Z");
        let none = TermsOverrides::default();
        let remix = terms_from(Some(Preset::CommercialRemix), None, &none, now).unwrap();
        let expected: LicenseTerms = serde_json::from_value(testkit::terms()).unwrap();
        assert_eq!(remix, expected);
        let nc = terms_from(Some(Preset::NonCommercialRemix), None, &none, now).unwrap();
        assert!(!nc.commercial_use && nc.derivatives_allowed && nc.attribution);
        assert_eq!(nc.royalty.rev_share_ppm, Ppm::ZERO);
        let cu = terms_from(Some(Preset::CommercialUse), None, &none, now).unwrap();
        assert!(cu.commercial_use && !cu.derivatives_allowed);
        // A revenue share needs commercial use.
        let paid = TermsOverrides {
            rev_share: Some(ppm(10_000)),
            ..TermsOverrides::default()
        };
        assert!(matches!(
            terms_from(Some(Preset::NonCommercialRemix), None, &paid, now),
            Err(DraftError::Invalid(RuleError::TermsInconsistent { .. }))
        ));
        assert!(matches!(
            terms_from(None, None, &none, now),
            Err(DraftError::Terms(_))
        ));
    }

    #[test]
    fn overrides_and_files_change_the_terms() {
        let now = at("2026-03-01T12:00:00Z");
        let overrides = TermsOverrides {
            territories: vec!["FR".parse().unwrap(), "DE".parse().unwrap()],
            channels: vec!["retail".parse().unwrap()],
            ends_at: Some(at("2027-01-01T00:00:00Z")),
            max_units: Some(500),
            rev_share: Some(ppm(100_000)),
            policy: Some(RoyaltyPolicy::Lrp),
            exclusive: true,
            ..TermsOverrides::default()
        };
        let t = terms_from(Some(Preset::CommercialRemix), None, &overrides, now).unwrap();
        assert_eq!(t.starts_at, now);
        assert_eq!(t.territories.len(), 2);
        assert_eq!(t.max_units, Some(500));
        assert_eq!(
            t.royalty,
            Royalty {
                policy: RoyaltyPolicy::Lrp,
                rev_share_ppm: ppm(100_000)
            }
        );
        assert!(t.exclusive && !t.ai_training);

        // A file over a preset changes only what it names, deep.
        let file = json!({"royalty": {"rev_share_ppm": 20000}, "derivatives_reciprocal": true});
        let t = terms_from(
            Some(Preset::CommercialRemix),
            Some(file),
            &TermsOverrides::default(),
            now,
        )
        .unwrap();
        assert_eq!(t.royalty.policy, RoyaltyPolicy::Lap);
        assert_eq!(t.royalty.rev_share_ppm, ppm(20_000));
        assert!(t.derivatives_reciprocal);

        // A file alone names every field; starts_at defaults to now.
        let mut whole = testkit::terms();
        whole.as_object_mut().unwrap().remove("starts_at");
        let t = terms_from(None, Some(whole), &TermsOverrides::default(), now).unwrap();
        assert_eq!(t.starts_at, now);
        let partial = json!({"commercial_use": true});
        assert!(matches!(
            terms_from(None, Some(partial), &TermsOverrides::default(), now),
            Err(DraftError::Terms(_))
        ));
        let unknown = json!({"comercial_use": true});
        assert!(
            terms_from(
                Some(Preset::CommercialUse),
                Some(unknown),
                &TermsOverrides::default(),
                now
            )
            .is_err()
        );
        assert!(terms_from(None, Some(json!([1])), &TermsOverrides::default(), now).is_err());
        // An end before the start contradicts itself.
        let backwards = TermsOverrides {
            ends_at: Some(at("2020-01-01T00:00:00Z")),
            ..TermsOverrides::default()
        };
        assert!(terms_from(Some(Preset::CommercialUse), None, &backwards, now).is_err());
    }

    #[test]
    fn a_grant_draft_matches_the_testkit_and_needs_its_licensee() {
        let (owner, brand) = (key(1), key(9));
        let design = testkit::design_of(b"charm");
        let terms: LicenseTerms = serde_json::from_value(testkit::terms()).unwrap();
        let mut env = grant_draft(design, id(&brand), terms).unwrap();
        let expected = testkit::grant(design, &brand, &[&owner], &testkit::terms());
        assert_eq!(env.payload(), expected.payload());
        assert_eq!(expected_signers(&env), vec![id(&brand)]);
        assert!(other_signers(env.kind()).is_some());
        assert!(matches!(
            sign_as_licensee(&mut env, &owner),
            Err(DraftError::Signer(_))
        ));
        sign(&mut env, &owner).unwrap();
        sign_as_licensee(&mut env, &brand).unwrap();
        assert!(env.verify().is_ok());
        let mut rotate = rotate_draft(id(&owner), id(&brand)).unwrap();
        assert!(matches!(
            sign_as_licensee(&mut rotate, &brand),
            Err(DraftError::Signer(_))
        ));
    }

    #[test]
    fn the_other_kinds_draft_and_check() {
        let (a, b, c) = (id(&key(1)), id(&key(2)), id(&key(3)));
        let design = testkit::design_of(b"charm");
        let grant = GrantId([1; 32]);

        let usage = usage_draft(
            grant,
            100,
            "FR".parse().unwrap(),
            "retail".parse().unwrap(),
            "accessories".parse().unwrap(),
            "run-2026-001",
        )
        .unwrap();
        assert_eq!(usage.kind(), Kind::UsageRecord);
        assert!(expected_signers(&usage).is_empty());
        let zero = usage_draft(
            grant,
            0,
            "FR".parse().unwrap(),
            "retail".parse().unwrap(),
            "accessories".parse().unwrap(),
            "run",
        );
        assert!(matches!(
            zero,
            Err(DraftError::Invalid(RuleError::QuantityZero))
        ));

        assert!(revoke_draft(grant, "breach of terms").is_ok());
        assert!(revoke_draft(grant, "").is_err());
        assert!(revoke_draft(grant, "bell\u{7}").is_err());

        let prev = LeafHash([2; 32]);
        let moved =
            transfer_draft(design, &[(a, ppm(100_000)), (b, ppm(50_000))], c, prev).unwrap();
        assert_eq!(expected_signers(&moved), vec![a, b, c]);
        assert!(transfer_draft(design, &[(a, ppm(1))], a, prev).is_err());
        assert!(transfer_draft(design, &[], c, prev).is_err());

        let evidence = evidence_hash(b"abc");
        assert_eq!(
            evidence.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(evidence_hash_reader(&b"abc"[..]).unwrap(), evidence);
        let raised = dispute_raise_draft(design, "copied from my 2019 sketch", evidence).unwrap();
        assert!(dispute_raise_draft(design, "", evidence).is_err());
        let dispute = DisputeId(*raised.id().as_bytes());
        assert!(dispute_resolve_draft(dispute, Outcome::Dismissed, "").is_ok());
        assert!(
            dispute_resolve_draft(dispute, Outcome::Upheld, &"x".repeat(MAX_TEXT + 1)).is_err()
        );

        let rotate = rotate_draft(a, b).unwrap();
        assert_eq!(expected_signers(&rotate), vec![a, b]);
        assert!(matches!(
            rotate_draft(a, a),
            Err(DraftError::Invalid(RuleError::RotationSameKey { .. }))
        ));
    }

    #[test]
    fn a_hand_edited_bad_draft_is_not_signed() {
        let value = json!({
            "kind": "license.revoke",
            "payload": {"grant": GrantId([1; 32]), "reason": ""},
        });
        let mut env = Envelope::from_value(value).unwrap();
        assert!(matches!(
            sign(&mut env, &key(1)),
            Err(DraftError::Invalid(RuleError::TextLength { .. }))
        ));
        assert!(env.signatures().is_empty());
    }

    #[test]
    fn media_types_from_extensions() {
        for (name, want) in [
            ("charm.PNG", "image/png"),
            ("dial.jpeg", "image/jpeg"),
            ("a/b.glb", "model/gltf-binary"),
            ("x.stl", "model/stl"),
            ("README", "application/octet-stream"),
            ("x.tar.gz", "application/octet-stream"),
        ] {
            let guessed = media_type_for(Path::new(name));
            assert_eq!(guessed, want, "{name}");
            assert!(guessed.parse::<MediaType>().is_ok());
        }
    }
}
