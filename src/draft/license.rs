//! `license grant`, `license revoke` and `usage record`: the drafts that
//! grant, end and use a license.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use provenant_client::draft::{self, Preset, TermsOverrides};
use provenant_model::{
    Category, Channel, CountryCode, DesignId, GrantId, Ppm, RoyaltyPolicy, Timestamp,
};
use serde_json::Value;

use super::io::{built, emit, identity, io_error, now};
use crate::args::PolicyArg;
use crate::error::CliError;
use crate::output::Output;

/// `--rev-share`: a share from 0% to 100%.
fn rev_share_arg(text: &str) -> Result<Ppm, String> {
    draft::parse_rev_share(text).map_err(|e| e.to_string())
}

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

/// Reads a terms file: TOML for `.toml`, JSON otherwise.
fn read_terms(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    let is_toml = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
    if is_toml {
        let table: toml::Table = toml::from_str(&text).map_err(|e| bad_file(path, &e))?;
        Ok(toml_to_json(toml::Value::Table(table)))
    } else {
        serde_json::from_str(&text).map_err(|e| bad_file(path, &e))
    }
}

/// A terms file that does not parse.
fn bad_file(path: &Path, e: &dyn std::fmt::Display) -> CliError {
    CliError::BadFile {
        path: path.to_owned(),
        detail: e.to_string(),
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
    /// An allowed sales channel: retail, online, marketplace, wholesale or
    /// events. Repeatable [default: any].
    #[arg(long = "channel", value_name = "CHANNEL")]
    channels: Vec<Channel>,
    /// An allowed product category, such as apparel or footwear (a Google
    /// product taxonomy top level, or a part of apparel; a category covers
    /// its subcategories). Repeatable [default: any].
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<Category>,
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
    pub fn run(&self) -> Result<Output, CliError> {
        let file = self.terms.as_deref().map(read_terms).transpose()?;
        let overrides = TermsOverrides {
            territories: self.territories.clone(),
            channels: self.channels.clone(),
            categories: self.categories.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            max_units: self.max_units,
            rev_share: self.rev_share,
            policy: self.policy.map(RoyaltyPolicy::from),
            exclusive: self.exclusive,
            ai_training: self.ai_training,
            sublicensable: self.sublicensable,
            transferable: self.transferable,
        };
        let terms = draft::terms_from(self.preset.map(Preset::from), file, &overrides, now()?)?;
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
    pub fn run(&self) -> Result<Output, CliError> {
        emit(
            &built(draft::revoke_draft(self.grant, &self.reason))?,
            self.out.as_deref(),
        )
    }
}

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
    /// Through which channel: retail, online, marketplace, wholesale or
    /// events.
    #[arg(long, value_name = "CHANNEL")]
    channel: Channel,
    /// As which product category, such as accessories.
    #[arg(long, value_name = "CATEGORY")]
    category: Category,
    /// The brand's batch reference, 1 to 200 characters.
    #[arg(long, value_name = "REF")]
    batch_ref: String,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl UsageArgs {
    /// Drafts the usage record.
    pub fn run(&self) -> Result<Output, CliError> {
        let envelope = built(draft::usage_draft(
            self.grant,
            self.quantity,
            self.territory,
            self.channel,
            self.category,
            &self.batch_ref,
        ))?;
        emit(&envelope, self.out.as_deref())
    }
}
