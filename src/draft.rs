//! Commands that write drafts (unsigned envelopes), and `sign`.
//!
//! A draft is printed, or written to `--out FILE` as pretty JSON; each
//! signer then runs `provenant sign FILE --key KEY` on their own machine,
//! and anyone submits the file. The envelopes are built and checked by
//! [`provenant_client::draft`]; this module only reads files and keys.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use provenant_client::draft::{self, DesignDraft, Preset, TermsOverrides};
use provenant_ledger::keyfile;
use provenant_model::ids::IDENTITY_PREFIX;
use provenant_model::payload::{AiDisclosure, Creator, Outcome};
use provenant_model::{
    CountryCode, DesignId, DigitalSourceType, DisputeId, Envelope, GrantId, Identity, Label,
    LeafHash, MediaType, Payload, Ppm, RoyaltyPolicy, Timestamp, hash_content, identity_of,
};
use serde_json::{Value, json};

use crate::output::Output;

// ---- shared helpers --------------------------------------------------------

/// `--threshold` and the like: a share above 0, such as `60%` or `600000ppm`.
fn share_arg(text: &str) -> Result<Ppm, String> {
    draft::parse_share(text).map_err(|e| e.to_string())
}

/// `--rev-share`: a share from 0% to 100%.
fn rev_share_arg(text: &str) -> Result<Ppm, String> {
    draft::parse_rev_share(text).map_err(|e| e.to_string())
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// An identity given as `ed25519:...` or as a key file (its public half).
fn identity(text: &str) -> Result<Identity, String> {
    if text.starts_with(IDENTITY_PREFIX) {
        return draft::parse_identity(text).map_err(|e| e.to_string());
    }
    let path = Path::new(text);
    if path.is_file() {
        let key = keyfile::load(path).map_err(|e| e.to_string())?;
        return identity_of(&key).map_err(|e| e.to_string());
    }
    Err(format!(
        "{text:?} is neither an ed25519: identity nor a key file"
    ))
}

/// Now, to the second, in UTC.
fn now() -> Result<Timestamp, String> {
    Timestamp::from_unix(time::OffsetDateTime::now_utc().unix_timestamp())
        .ok_or_else(|| "the system clock is out of range".to_owned())
}

/// Writes `text` and a newline to `path` atomically: a temporary file in the
/// same directory, synced, then renamed over `path`.
fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        // Best effort: the temporary file may not even exist.
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(io_error(path))
}

fn pretty(value: &Value) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

/// What the envelope creates, when it has a name worth printing.
fn subject(envelope: &Envelope) -> Option<String> {
    match envelope.payload() {
        Payload::DesignRegister(p) => Some(format!("design {}", p.content.blake3)),
        Payload::LicenseGrant(_) => Some(format!("grant id {}", envelope.id())),
        Payload::DisputeRaise(_) => Some(format!("dispute id {}", envelope.id())),
        _ => None,
    }
}

fn join(keys: &[Identity]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who still has to sign, as far as the payload tells, and who else the
/// ledger requires.
fn to_sign(envelope: &Envelope) -> String {
    let pending = draft::pending_signers(envelope);
    let mut lines = Vec::new();
    if !pending.is_empty() {
        lines.push(format!("still to sign: {}", join(&pending)));
    }
    if let Some(others) = draft::other_signers(envelope.kind()) {
        lines.push(format!("the ledger checks for signatures by: {others}"));
    }
    if lines.is_empty() {
        lines.push("every signer has signed: submit it".to_owned());
    }
    lines.join("\n")
}

/// Prints the draft, or writes it to `out` and says what to do next.
fn emit(envelope: &Envelope, out: Option<&Path>) -> Result<Output, String> {
    let value = envelope.to_value();
    let json = pretty(&value)?;
    let Some(path) = out else {
        return Ok(Output::new(json, value));
    };
    write_atomic(path, &json)?;
    let mut lines = vec![format!(
        "wrote the {} draft to {}",
        envelope.kind(),
        path.display()
    )];
    lines.extend(subject(envelope));
    lines.push(to_sign(envelope));
    let text = lines.join("\n");
    Ok(Output::new(text, value))
}

fn built(result: Result<Envelope, draft::DraftError>) -> Result<Envelope, String> {
    result.map_err(|e| e.to_string())
}

// ---- design hash and design draft -----------------------------------------

/// Print a file's BLAKE3 (the design id), SHA-256 and size.
#[derive(Debug, Args)]
pub struct DesignHashArgs {
    /// The design file (read as a stream; it is never sent anywhere).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl DesignHashArgs {
    /// Hashes the file.
    pub fn run(&self) -> Result<Output, String> {
        let file = File::open(&self.file).map_err(io_error(&self.file))?;
        let hashes = hash_content(file).map_err(io_error(&self.file))?;
        let text = format!(
            "blake3 {}\nsha256 {}\nsize   {} bytes",
            hashes.blake3, hashes.sha256, hashes.size
        );
        let value = json!({
            "blake3": hashes.blake3,
            "sha256": hashes.sha256,
            "size": hashes.size,
        });
        Ok(Output::new(text, value))
    }
}

/// Draft a design registration; every co-creator signs it.
#[derive(Debug, Args)]
pub struct DesignDraftArgs {
    /// The design file: its hashes and size are registered, never its bytes.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The title, 1 to 200 characters.
    #[arg(long)]
    title: String,
    /// A description, up to 4000 characters.
    #[arg(long, default_value = "")]
    description: String,
    /// A co-creator: KEY=SHARE[:ROLE], KEY an `ed25519:` identity or a key
    /// file, SHARE such as 60%, 33.3333% or 600000ppm, ROLE a label such as
    /// customer [default role: designer]. Repeat for each; shares sum to 100%.
    #[arg(long = "creator", value_name = "KEY=SHARE[:ROLE]", required = true)]
    creators: Vec<String>,
    /// A design this one derives from (BLAKE3 hex). Repeatable; pair each
    /// with a --grant, in the same order.
    #[arg(long = "parent", value_name = "DESIGN")]
    parents: Vec<DesignId>,
    /// The grant on the matching --parent, held by a creator, that allows
    /// derivatives.
    #[arg(long = "grant", value_name = "GRANT")]
    grants: Vec<GrantId>,
    /// How AI was involved: an IPTC digital source type URI,
    /// `http://cv.iptc.org/newscodes/digitalsourcetype/` and a term such as
    /// trainedAlgorithmicMedia.
    #[arg(long, value_name = "IPTC-URI")]
    ai_source: Option<DigitalSourceType>,
    /// The AI tool or model used.
    #[arg(long, value_name = "NAME", requires = "ai_source")]
    ai_agent: Option<String>,
    /// What the humans contributed.
    #[arg(long, value_name = "TEXT", requires = "ai_source")]
    human_contribution: Option<String>,
    /// The media type [default: from the file's extension, else
    /// application/octet-stream].
    #[arg(long, value_name = "TYPE/SUBTYPE")]
    media_type: Option<MediaType>,
    /// Ownership needed to sign for the design (grants, revocations), such
    /// as 51% [default: 100%].
    #[arg(long, value_name = "SHARE", value_parser = share_arg)]
    threshold: Option<Ppm>,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DesignDraftArgs {
    /// Hashes the file and drafts the registration.
    pub fn run(&self) -> Result<Output, String> {
        if self.parents.len() != self.grants.len() {
            return Err(format!(
                "each --parent needs a --grant, in the same order (got {} --parent, {} --grant)",
                self.parents.len(),
                self.grants.len()
            ));
        }
        let creators = self
            .creators
            .iter()
            .map(|text| {
                let (key, share_ppm, role) =
                    draft::split_creator(text).map_err(|e| e.to_string())?;
                Ok(Creator {
                    key: identity(key)?,
                    share_ppm,
                    role,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let media_type = match &self.media_type {
            Some(media_type) => media_type.clone(),
            None => draft::media_type_for(&self.file)
                .parse()
                .map_err(|e: provenant_model::RuleError| e.to_string())?,
        };
        let file = File::open(&self.file).map_err(io_error(&self.file))?;
        let content = hash_content(file).map_err(io_error(&self.file))?;
        let envelope = built(draft::design_draft(&DesignDraft {
            content,
            media_type,
            title: self.title.clone(),
            description: self.description.clone(),
            creators,
            parents: self
                .parents
                .iter()
                .copied()
                .zip(self.grants.iter().copied())
                .collect(),
            ai: self
                .ai_source
                .clone()
                .map(|digital_source_type| AiDisclosure {
                    digital_source_type,
                    software_agent: self.ai_agent.clone(),
                    human_contribution: self.human_contribution.clone(),
                }),
            threshold: self.threshold,
        }))?;
        emit(&envelope, self.out.as_deref())
    }
}

// ---- license grant and revoke ----------------------------------------------

/// Ready-made license terms (Story PIL flavours).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum PresetArg {
    /// No commercial use; derivatives allowed; no revenue share.
    NonCommercialRemix,
    /// Commercial use; no derivatives.
    CommercialUse,
    /// Commercial use; derivatives allowed, owing a revenue share (5% LAP
    /// unless --rev-share or --policy say otherwise).
    CommercialRemix,
}

impl From<PresetArg> for Preset {
    fn from(arg: PresetArg) -> Preset {
        match arg {
            PresetArg::NonCommercialRemix => Preset::NonCommercialRemix,
            PresetArg::CommercialUse => Preset::CommercialUse,
            PresetArg::CommercialRemix => Preset::CommercialRemix,
        }
    }
}

/// How royalties flow up the derivative graph.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum PolicyArg {
    /// Liquid Absolute Percentage: every ancestor takes its share directly.
    #[value(name = "LAP")]
    Lap,
    /// Liquid Relative Percentage: percentages multiply along each path.
    #[value(name = "LRP")]
    Lrp,
}

/// Reads a terms file: TOML for `.toml`, JSON otherwise.
fn read_terms(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    let is_toml = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
    if is_toml {
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(toml_to_json(toml::Value::Table(table)))
    } else {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A TOML value as JSON; a TOML date-time becomes its RFC 3339 text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Draft a license grant; owners reaching the design's threshold and the
/// licensee sign it.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // The terms' own flags.
pub struct GrantArgs {
    /// The design to license (BLAKE3 hex).
    #[arg(long, value_name = "DESIGN")]
    design: DesignId,
    /// Who receives the license: an `ed25519:` identity or a key file.
    #[arg(long, value_name = "KEY")]
    licensee: String,
    /// Ready-made terms to start from.
    #[arg(long, value_enum, required_unless_present = "terms")]
    preset: Option<PresetArg>,
    /// A terms file (.toml, else JSON) with license terms fields; over a
    /// --preset it changes only the fields it names.
    #[arg(long, value_name = "FILE")]
    terms: Option<PathBuf>,
    /// An allowed territory, ISO 3166-1 alpha-2 such as FR. Repeatable
    /// [default: the terms' list; empty = worldwide].
    #[arg(long = "territory", value_name = "CODE")]
    territories: Vec<CountryCode>,
    /// An allowed sales channel, such as retail. Repeatable [default: any].
    #[arg(long = "channel", value_name = "LABEL")]
    channels: Vec<Label>,
    /// An allowed product category, such as footwear. Repeatable [default:
    /// any].
    #[arg(long = "category", value_name = "LABEL")]
    categories: Vec<Label>,
    /// When the license starts, RFC 3339 [default: now].
    #[arg(long, value_name = "RFC3339")]
    starts_at: Option<Timestamp>,
    /// When the license ends (exclusive), RFC 3339 [default: never].
    #[arg(long, value_name = "RFC3339")]
    ends_at: Option<Timestamp>,
    /// The most units the licensee may record in total [default: no cap].
    #[arg(long, value_name = "N")]
    max_units: Option<u64>,
    /// The share of a derivative's revenue owed, such as 5% (needs
    /// commercial use).
    #[arg(long, value_name = "SHARE", value_parser = rev_share_arg)]
    rev_share: Option<Ppm>,
    /// The royalty policy.
    #[arg(long, value_enum, ignore_case = true)]
    policy: Option<PolicyArg>,
    /// No other grant on the design may overlap this one.
    #[arg(long)]
    exclusive: bool,
    /// The design may be used to train AI models.
    #[arg(long)]
    ai_training: bool,
    /// The licensee may sublicense (recorded, not enforced).
    #[arg(long)]
    sublicensable: bool,
    /// The licensee may transfer the license (recorded, not enforced).
    #[arg(long)]
    transferable: bool,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl GrantArgs {
    /// Builds and checks the terms, then drafts the grant.
    pub fn run(&self) -> Result<Output, String> {
        let file = self.terms.as_deref().map(read_terms).transpose()?;
        let overrides = TermsOverrides {
            territories: self.territories.clone(),
            channels: self.channels.clone(),
            categories: self.categories.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            max_units: self.max_units,
            rev_share: self.rev_share,
            policy: self.policy.map(|p| match p {
                PolicyArg::Lap => RoyaltyPolicy::Lap,
                PolicyArg::Lrp => RoyaltyPolicy::Lrp,
            }),
            exclusive: self.exclusive,
            ai_training: self.ai_training,
            sublicensable: self.sublicensable,
            transferable: self.transferable,
        };
        let terms = draft::terms_from(self.preset.map(Preset::from), file, &overrides, now()?)
            .map_err(|e| e.to_string())?;
        let licensee = identity(&self.licensee)?;
        emit(
            &built(draft::grant_draft(self.design, licensee, terms))?,
            self.out.as_deref(),
        )
    }
}

/// Draft the revocation of a grant (owners at the threshold sign it) or its
/// release (the licensee signs it).
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The grant's id (hex).
    #[arg(long, value_name = "GRANT")]
    grant: GrantId,
    /// Why, 1 to 4000 characters.
    #[arg(long)]
    reason: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl RevokeArgs {
    /// Drafts the revocation.
    pub fn run(&self) -> Result<Output, String> {
        emit(
            &built(draft::revoke_draft(self.grant, &self.reason))?,
            self.out.as_deref(),
        )
    }
}

// ---- usage, transfer, disputes, rotation -----------------------------------

/// Draft a production run under a grant; the licensee signs it.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The grant the run rests on (hex id).
    #[arg(long, value_name = "GRANT")]
    grant: GrantId,
    /// Units produced, more than 0.
    #[arg(long, value_name = "N")]
    quantity: u64,
    /// Where they are sold: ISO 3166-1 alpha-2, such as FR.
    #[arg(long, value_name = "CODE")]
    territory: CountryCode,
    /// Through which channel, such as retail.
    #[arg(long, value_name = "LABEL")]
    channel: Label,
    /// As which product category, such as accessories.
    #[arg(long, value_name = "LABEL")]
    category: Label,
    /// The brand's batch reference, 1 to 200 characters.
    #[arg(long, value_name = "REF")]
    batch_ref: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl UsageArgs {
    /// Drafts the usage record.
    pub fn run(&self) -> Result<Output, String> {
        let envelope = built(draft::usage_draft(
            self.grant,
            self.quantity,
            self.territory,
            self.channel.clone(),
            self.category.clone(),
            &self.batch_ref,
        ))?;
        emit(&envelope, self.out.as_deref())
    }
}

/// Draft a transfer of ownership shares; every giver and the receiver sign
/// it.
#[derive(Debug, Args)]
pub struct TransferArgs {
    /// The design (BLAKE3 hex).
    #[arg(long, value_name = "DESIGN")]
    design: DesignId,
    /// A giver and the share it gives: KEY=SHARE, KEY an `ed25519:`
    /// identity or a key file, SHARE such as 10% or 100000ppm. Repeatable.
    #[arg(long = "from", value_name = "KEY=SHARE", required = true)]
    from: Vec<String>,
    /// The receiver: an `ed25519:` identity or a key file.
    #[arg(long, value_name = "KEY")]
    to: String,
    /// The leaf hash of the design's latest ownership entry (hex), as
    /// `design show` prints it.
    #[arg(long, value_name = "LEAF_HASH")]
    prev: LeafHash,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl TransferArgs {
    /// Drafts the transfer.
    pub fn run(&self) -> Result<Output, String> {
        let from = self
            .from
            .iter()
            .map(|text| {
                let (key, share) = draft::split_key_share(text).map_err(|e| e.to_string())?;
                Ok((identity(key)?, share))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let to = identity(&self.to)?;
        emit(
            &built(draft::transfer_draft(self.design, &from, to, self.prev))?,
            self.out.as_deref(),
        )
    }
}

/// Draft a dispute of a design; whoever raises it signs it.
#[derive(Debug, Args)]
pub struct DisputeRaiseArgs {
    /// The disputed design (BLAKE3 hex).
    #[arg(long, value_name = "DESIGN")]
    design: DesignId,
    /// The claim, 1 to 4000 characters.
    #[arg(long)]
    claim: String,
    /// The evidence file: only its SHA-256 goes on the log.
    #[arg(long, value_name = "FILE")]
    evidence: PathBuf,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DisputeRaiseArgs {
    /// Hashes the evidence and drafts the dispute.
    pub fn run(&self) -> Result<Output, String> {
        let file = File::open(&self.evidence).map_err(io_error(&self.evidence))?;
        let evidence = draft::evidence_hash_reader(file).map_err(io_error(&self.evidence))?;
        emit(
            &built(draft::dispute_raise_draft(
                self.design,
                &self.claim,
                evidence,
            ))?,
            self.out.as_deref(),
        )
    }
}

/// How the arbiter decides.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutcomeArg {
    /// The claim holds: the design stays blocked for good.
    Upheld,
    /// The claim fails: the dispute no longer blocks the design.
    Dismissed,
}

/// Draft an arbiter's resolution of a dispute; an arbiter key signs it.
#[derive(Debug, Args)]
pub struct DisputeResolveArgs {
    /// The dispute's id (hex).
    #[arg(long, value_name = "DISPUTE")]
    dispute: DisputeId,
    /// The decision.
    #[arg(long, value_enum)]
    outcome: OutcomeArg,
    /// The arbiter's note, up to 4000 characters.
    #[arg(long, default_value = "")]
    note: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DisputeResolveArgs {
    /// Drafts the resolution.
    pub fn run(&self) -> Result<Output, String> {
        let outcome = match self.outcome {
            OutcomeArg::Upheld => Outcome::Upheld,
            OutcomeArg::Dismissed => Outcome::Dismissed,
        };
        emit(
            &built(draft::dispute_resolve_draft(
                self.dispute,
                outcome,
                &self.note,
            ))?,
            self.out.as_deref(),
        )
    }
}

/// Draft a key rotation; the old key and the new key sign it.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The key that retires: an `ed25519:` identity or a key file.
    #[arg(long, value_name = "KEY")]
    old: String,
    /// Its successor, a key that holds nothing yet: an `ed25519:` identity
    /// or a key file.
    #[arg(long, value_name = "KEY")]
    new: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl RotateArgs {
    /// Drafts the rotation.
    pub fn run(&self) -> Result<Output, String> {
        let (old, new) = (identity(&self.old)?, identity(&self.new)?);
        emit(&built(draft::rotate_draft(old, new))?, self.out.as_deref())
    }
}

// ---- sign ------------------------------------------------------------------

/// Add your signature to an envelope file.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The envelope (JSON), as a draft command wrote it.
    #[arg(value_name = "ENVELOPE")]
    envelope: PathBuf,
    /// Your private key file (PKCS#8 PEM).
    #[arg(long, env = "PROVENANT_KEY", value_name = "FILE")]
    key: PathBuf,
    /// Write the signed envelope here [default: replace ENVELOPE, atomically].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl SignArgs {
    /// Signs the envelope.
    pub fn run(&self) -> Result<Output, String> {
        self.sign_with(draft::sign)
    }

    /// Signs a license grant as its licensee (`license accept`).
    pub fn run_as_licensee(&self) -> Result<Output, String> {
        self.sign_with(draft::sign_as_licensee)
    }

    fn sign_with(
        &self,
        sign: fn(&mut Envelope, &ed25519_dalek::SigningKey) -> Result<(), draft::DraftError>,
    ) -> Result<Output, String> {
        let bytes = std::fs::read(&self.envelope).map_err(io_error(&self.envelope))?;
        let mut envelope =
            Envelope::from_json(&bytes).map_err(|e| format!("{}: {e}", self.envelope.display()))?;
        let key = keyfile::load(&self.key).map_err(|e| e.to_string())?;
        let signer = identity_of(&key).map_err(|e| e.to_string())?;
        sign(&mut envelope, &key).map_err(|e| e.to_string())?;
        let path = self.out.as_deref().unwrap_or(&self.envelope);
        write_atomic(path, &pretty(&envelope.to_value())?)?;

        let mut lines = vec![format!(
            "signed the {} in {} as {signer}",
            envelope.kind(),
            path.display()
        )];
        if !listed(&envelope, &signer) {
            lines.push(format!(
                "note: {signer} is not among the signers this {} names; the ledger will refuse it",
                envelope.kind()
            ));
        }
        lines.push(to_sign(&envelope));
        let text = lines.join("\n");
        let value = json!({
            "signed_by": signer,
            "kind": envelope.kind().as_str(),
            "file": path.display().to_string(),
            "id": envelope.id(),
            "signatures": envelope.signatures().len(),
            "pending": draft::pending_signers(&envelope),
            "also_required": draft::other_signers(envelope.kind()),
        });
        Ok(Output::new(text, value))
    }
}

/// Whether `signer` may sign, as far as the payload tells: always true for
/// kinds whose signers it does not list in full (and for a derivative,
/// whose parents' owners may have to approve it).
fn listed(envelope: &Envelope, signer: &Identity) -> bool {
    let complete = match envelope.payload() {
        Payload::DesignRegister(p) => p.parents.is_empty(),
        _ => draft::other_signers(envelope.kind()).is_none(),
    };
    !complete || draft::expected_signers(envelope).contains(signer)
}
