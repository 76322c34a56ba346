//! Commands that ask a server: submit, log, design show, license check,
//! export-proof (the royalty questions are in [`crate::royalty`]). Every
//! answer is typed ([`provenant_api`]) and every proven answer's checkpoint
//! and proofs are verified ([`provenant_api::verify`]) before it is shown.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use provenant_api::verify::{Recompute, RestsOn, VerifyError, verify_registration};
use provenant_api::{DesignReport, Problem, Proven};
use provenant_client::fresh::Freshness;
use provenant_client::{Client, ClientError};
use provenant_model::{
    Category, Channel, CountryCode, DesignId, Identity, LicenseAnswer, LicenseQuery, Timestamp,
};
use provenant_tlog::{LeafIndex, Note, NoteVerifier, Policy};
use serde::Serialize;
use serde_json::Value;

use crate::args::ActionArg;
use crate::draft::hash_file;
use crate::draft::io::now;
use crate::error::CliError;
use crate::output::Output;
use crate::trust::{TrustArgs, asking_again};

/// Where the server is.
#[derive(Debug, Args)]
pub struct ServerArg {
    /// The ledger's base URL.
    #[arg(
        long,
        env = "PROVENANT_SERVER",
        default_value_t = format!("http://{}", crate::settings::DEFAULT_LISTEN),
        global = true
    )]
    pub server: String,
}

impl ServerArg {
    pub fn client(&self) -> Result<Client, CliError> {
        Ok(Client::new(&self.server)?)
    }
}

/// The log key to check answers with: the one given, else the server's
/// (which proves the answer consistent with the log that server signs, but
/// not that it is the log you trust: pin the key with `--log-key`).
pub fn log_key(client: &Client, given: Option<&str>) -> Result<NoteVerifier, CliError> {
    match given {
        Some(text) => parse_log_key(text),
        None => verifier(&client.log()?.verifier_key),
    }
}

/// A log's C2SP verifier key given as its text or as a file holding it.
pub fn parse_log_key(given: &str) -> Result<NoteVerifier, CliError> {
    if Path::new(given).is_file() {
        verifier(&std::fs::read_to_string(given).map_err(CliError::file(given))?)
    } else {
        verifier(given)
    }
}

fn verifier(text: &str) -> Result<NoteVerifier, CliError> {
    NoteVerifier::from_text(text.trim()).map_err(CliError::LogKey)
}

/// Verifies a proven answer under the log key and holds it to the
/// freshness rules ([`TrustArgs`]): the size it is proven at.
pub fn verified<T: RestsOn>(
    client: &Client,
    trust: &TrustArgs,
    answer: &Proven<T>,
) -> Result<u64, CliError> {
    let key = trust.key(client, &answer.checkpoint)?;
    let checkpoint = answer.verify(&key).map_err(|source| CliError::Unverified {
        what: "answer",
        source,
    })?;
    trust.check(client, &key, &answer.checkpoint, &checkpoint)?;
    Ok(checkpoint.size.0)
}

/// What verifying an answer with its proven state established.
pub struct Verified {
    /// The log size it is proven at.
    pub size: u64,
    /// What the freshness rules established.
    pub fresh: Freshness,
    /// The index of the `state.commit` entry the records are proven under.
    pub commit: u64,
    /// How many state records (present or proven absent) it rests on.
    pub records: usize,
}

impl Verified {
    /// For people.
    pub fn text(&self) -> String {
        let mut text = format!(
            "verified down to the log key at size {}: recomputed from {} state record(s) \
             proven under the state committed at entry {}",
            self.size, self.records, self.commit
        );
        match self.fresh.remembered {
            Some(before) if before < self.size => {
                let _ = write!(
                    text,
                    "\n  extends the log this client verified at size {before}"
                );
            }
            Some(before) if before > self.size && self.fresh.overtaken => {
                let _ = write!(
                    text,
                    "\n  another process of this client verified the log at size {before} meanwhile; \
                     this answer is a prefix of it"
                );
            }
            Some(before) if before > self.size => {
                let _ = write!(
                    text,
                    "\n  STALE (allowed): this client verified the log at size {before} before"
                );
            }
            Some(_) => text += "\n  the checkpoint this client verified last",
            None => text += "\n  the first checkpoint of this log this client remembers",
        }
        if let Some(w) = self.fresh.witnessed {
            let _ = write!(
                text,
                "\n  consistent with the witnessed checkpoint at size {w}"
            );
            if let Some(age) = self.fresh.age {
                let _ = write!(text, ", cosigned by the quorum {age} s ago");
            }
        }
        text
    }

    /// For `--json`, as the answer's `verified` member.
    pub fn json(&self) -> Value {
        serde_json::json!({
            "tree_size": self.size,
            "state_commit_index": self.commit,
            "state_records": self.records,
            "recomputed": true,
            "remembered_size": self.fresh.remembered,
            "witnessed_size": self.fresh.witnessed,
            "witnessed_age_seconds": self.fresh.age,
        })
    }
}

/// Verifies a proven answer and its proven state under the log key (given,
/// else the server's), and recomputes the answer to `question` from the
/// proven records ([`Proven::verify_state`]): nothing of it is the
/// server's word. Then holds it to the freshness rules ([`TrustArgs`]).
pub fn verified_state<T: RestsOn + Recompute>(
    client: &Client,
    trust: &TrustArgs,
    answer: &Proven<T>,
    question: &T::Question,
) -> Result<Verified, CliError> {
    let key = trust.key(client, &answer.checkpoint)?;
    let (checkpoint, state) =
        answer
            .verify_state(&key, question)
            .map_err(|source| CliError::Unverified {
                what: "answer",
                source,
            })?;
    let fresh = trust.check(client, &key, &answer.checkpoint, &checkpoint)?;
    Ok(Verified {
        size: checkpoint.size.0,
        fresh,
        commit: answer.state.as_ref().map_or(0, |s| s.commit.index),
        records: state.len(),
    })
}

/// A typed answer as JSON, for `--json`.
pub fn json_of<T: Serialize>(answer: &T) -> Result<Value, CliError> {
    Ok(serde_json::to_value(answer)?)
}

/// Print the log's verifier key (what `verify` and `audit` trust) and size.
#[derive(Debug, Args)]
pub struct LogArgs {}

impl LogArgs {
    #[allow(clippy::unused_self)] // Every command runs from its arguments.
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let info = server.client()?.log()?;
        Ok(Output::new(info.verifier_key.clone(), json_of(&info)?))
    }
}

/// Show a design: owners, parents, disputes, grants, history.
#[derive(Debug, Args)]
pub struct DesignShowArgs {
    /// The design's id (BLAKE3 hex), or a file whose bytes are the design.
    design: String,
    #[command(flatten)]
    trust: TrustArgs,
}

impl DesignShowArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let id: DesignId = if Path::new(&self.design).is_file() {
            hash_file(Path::new(&self.design))?.blake3
        } else {
            self.design.parse()?
        };
        let client = server.client()?;
        asking_again(|| self.show(&client, id))
    }

    fn show(&self, client: &Client, id: DesignId) -> Result<Output, CliError> {
        let answer = match client.design(&id) {
            Ok(answer) => answer,
            Err(ClientError::Refused { problem }) if problem.absence.is_some() => {
                return not_registered(client, &self.trust, id, &problem);
            }
            Err(e) => return Err(e.into()),
        };
        let proven = verified_state(client, &self.trust, &answer, &())?;
        // The title, creators and AI disclosure are the registration's, not
        // state: checked against the registration entry itself.
        let entry = client.entry(answer.answer.state.registered.index)?;
        verify_registration(&answer.answer, &entry).map_err(|source| CliError::Unverified {
            what: "registration",
            source,
        })?;
        let mut json = json_of(&answer)?;
        json["verified"] = proven.json();
        Ok(Output::new(show_design(&answer.answer, &proven), json))
    }
}

/// A design the server says is not registered: "no" (exit 1) once its
/// proof of absence verifies, refused as unverified otherwise.
fn not_registered(
    client: &Client,
    trust: &TrustArgs,
    id: DesignId,
    problem: &Problem,
) -> Result<Output, CliError> {
    let Some(absence) = &problem.absence else {
        return Err(CliError::Server(ClientError::Refused {
            problem: Box::new(problem.clone()),
        }));
    };
    if absence.answer.design != id {
        return Err(CliError::Unverified {
            what: "absence",
            source: VerifyError::Differs {
                what: format!(
                    "the proof of absence is about design {}",
                    absence.answer.design
                ),
            },
        });
    }
    let proven = verified_state(client, trust, absence, &())?;
    let mut json = json_of(absence)?;
    json["verified"] = proven.json();
    Ok(Output::new(
        format!("design {id} is not registered\n  {}", proven.text()),
        json,
    )
    .denied())
}

/// A design report for people.
fn show_design(d: &DesignReport, proven: &Verified) -> String {
    let s = &d.state;
    let mut text = format!(
        "design {}\n  title     {}\n  registered at index {}\n",
        s.id, d.details.title, s.registered.index
    );
    for owner in &s.owners {
        let _ = writeln!(
            text,
            "  owner     {} {}",
            owner.key,
            percent(owner.share_ppm.get())
        );
    }
    for parent in &s.parents {
        let _ = writeln!(
            text,
            "  parent    {} under grant {}",
            parent.design, parent.grant
        );
    }
    if let Some(code) = d.details.content.iscc {
        let _ = writeln!(text, "  iscc      {code}");
    }
    for near in &d.near_duplicates {
        let _ = writeln!(
            text,
            "  looks like an earlier design (the server's flag, not proven): {}",
            crate::similar::flag(near)
        );
    }
    let disputes = s.blocked_by.as_ref().map_or(0, |b| b.disputes);
    let history: Vec<String> = d.history.iter().map(u64::to_string).collect();
    let _ = write!(
        text,
        "  grants    {}\n  disputes  {disputes} blocking\n  latest ownership entry {}\n  history   [{}]\n  {}",
        d.grants.len(),
        s.ownership.leaf_hash,
        history.join(","),
        proven.text()
    );
    text
}

/// Parts per million as a percentage, exactly.
fn percent(ppm: u32) -> String {
    let whole = ppm / 10_000;
    let frac = ppm % 10_000;
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{frac:04}").trim_end_matches('0'))
    }
}

/// Ask whether a licensee may act on a design (exit 0 allowed, 1 denied).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The design's id.
    #[arg(long)]
    design: DesignId,
    /// The licensee's identity (`ed25519:...`).
    #[arg(long)]
    licensee: Identity,
    /// What the licensee wants to do.
    #[arg(long, value_enum, default_value = "commercial")]
    action: ActionArg,
    /// Country (ISO 3166-1 alpha-2).
    #[arg(long)]
    territory: CountryCode,
    /// Sales channel: retail, online, marketplace, wholesale or events.
    #[arg(long)]
    channel: Channel,
    /// Product category, such as apparel, footwear or accessories.
    #[arg(long)]
    category: Category,
    /// When (RFC 3339) [default: now].
    #[arg(long)]
    date: Option<Timestamp>,
    /// Units to make.
    #[arg(long, default_value_t = 1)]
    quantity: u64,
    #[command(flatten)]
    trust: TrustArgs,
}

impl CheckArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let question = LicenseQuery {
            design: self.design,
            licensee: self.licensee,
            action: self.action.into(),
            territory: self.territory,
            channel: self.channel,
            category: self.category,
            date: match self.date {
                Some(date) => date,
                None => now()?,
            },
            quantity: self.quantity,
        };
        let client = server.client()?;
        let (answer, proven) = asking_again(|| {
            let answer = client.check_license(&question)?;
            let proven = verified_state(&client, &self.trust, &answer, &question)?;
            Ok((answer, proven))
        })?;
        let text = show_check(&answer.answer, &proven);
        let mut json = json_of(&answer)?;
        json["verified"] = proven.json();
        let output = Output::new(text, json);
        Ok(if answer.answer.allowed {
            output
        } else {
            output.denied()
        })
    }
}

/// A license check's answer for people.
fn show_check(a: &LicenseAnswer, proven: &Verified) -> String {
    if a.allowed {
        let left = a
            .units_remaining
            .map_or("unlimited".to_owned(), |u| u.to_string());
        let grant = a.grant.map(|g| g.to_string()).unwrap_or_default();
        return format!(
            "allowed under grant {grant} ({left} units left before this run)\n{}",
            proven.text()
        );
    }
    let reasons: Vec<&str> = a.reasons.iter().map(|r| r.code()).collect();
    let cited = match &a.blocked_by {
        Some(b) => format!(
            "; dispute {} on design {}, {} blocking it",
            b.dispute, b.design, b.disputes
        ),
        None => String::new(),
    };
    format!("denied: {}{cited}\n{}", reasons.join(", "), proven.text())
}

/// Write a C2SP tlog-proof bundle for an entry, at the current checkpoint.
#[derive(Debug, Args)]
pub struct ExportProofArgs {
    /// The entry's index.
    index: u64,
    /// Where to write the bundle [default: standard output].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl ExportProofArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let client = server.client()?;
        let text = client.checkpoint()?;
        let malformed = |e: provenant_tlog::Error| CliError::Unverified {
            what: "checkpoint",
            source: provenant_api::VerifyError::Checkpoint(e),
        };
        let checkpoint = Note::parse(text.as_bytes()).map_err(malformed)?;
        let size = provenant_tlog::Checkpoint::parse(checkpoint.text())
            .map_err(malformed)?
            .size;
        let proof = client.inclusion_proof(self.index, size)?;
        let bundle = provenant_tlog::bundle::ProofBundle {
            extra: None,
            index: LeafIndex(self.index),
            proof,
            checkpoint,
        }
        .to_text();
        let json = serde_json::json!({"index": self.index, "tree_size": size.0, "bundle": bundle});
        match &self.out {
            Some(path) => {
                std::fs::write(path, &bundle).map_err(CliError::file(path))?;
                Ok(Output::new(
                    format!(
                        "proof of entry {} at size {} written to {}",
                        self.index,
                        size.0,
                        path.display()
                    ),
                    json,
                ))
            }
            None => Ok(Output::new(bundle.trim_end().to_owned(), json)),
        }
    }
}

/// A C2SP tlog-policy file, read and parsed.
pub fn read_policy(path: &Path) -> Result<Policy, CliError> {
    let bytes = std::fs::read(path).map_err(CliError::file(path))?;
    Policy::parse(&bytes).map_err(|e| CliError::BadFile {
        path: path.to_owned(),
        detail: format!("not a witness policy: {e}"),
    })
}
