//! Commands that ask a server: submit, design show, license check, royalty
//! split and statement, export-proof. Every read answer's checkpoint and
//! proofs are verified before it is shown.

use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use clap::Args;
use provenant_api::{DesignReport, Proven, RestsOn};
use provenant_client::Client;
use provenant_model::{Envelope, LicenseAnswer, RoyaltySplit, Statement};
use provenant_tlog::{LeafIndex, Note, NoteVerifier};
use serde_json::{Value, json};

use crate::draft::hash_file;
use crate::draft::io::{now, pretty, write_atomic};
use crate::output::Output;

/// Where the server is.
#[derive(Debug, Args)]
pub struct ServerArg {
    /// The ledger's base URL.
    #[arg(
        long,
        env = "PROVENANT_SERVER",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub server: String,
}

impl ServerArg {
    pub fn client(&self) -> Result<Client, String> {
        Client::new(&self.server).map_err(|e| e.to_string())
    }
}

/// The log key to check answers with: the one given, else the server's
/// (which proves the answer consistent with the log that server signs, but
/// not that it is the log you trust: pin the key with `--log-key`).
fn log_key(client: &Client, given: Option<&str>) -> Result<NoteVerifier, String> {
    match given {
        Some(text) => parse_log_key(text),
        None => verifier(&client.log().map_err(|e| e.to_string())?.verifier_key),
    }
}

/// A log's C2SP verifier key given as its text or as a file holding it.
pub fn parse_log_key(given: &str) -> Result<NoteVerifier, String> {
    if Path::new(given).is_file() {
        verifier(&std::fs::read_to_string(given).map_err(|e| format!("{given}: {e}"))?)
    } else {
        verifier(given)
    }
}

fn verifier(text: &str) -> Result<NoteVerifier, String> {
    NoteVerifier::from_text(text.trim()).map_err(|e| format!("the log key: {e}"))
}

/// Verifies an answer of type `T`'s checkpoint and proofs; the answer is
/// kept as JSON to be shown as the server sent it.
fn proven<T: RestsOn + serde::de::DeserializeOwned>(
    client: &Client,
    key: Option<&str>,
    answer: Value,
) -> Result<(Value, u64), String> {
    let key = log_key(client, key)?;
    let typed: Proven<T> = serde_json::from_value(answer.clone())
        .map_err(|e| format!("the answer is not what the API promises: {e}"))?;
    let checkpoint = typed
        .verify(&key)
        .map_err(|e| format!("the answer does not verify: {e}"))?;
    Ok((answer, checkpoint.size.0))
}

/// Send a signed envelope to the ledger and save its receipt.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The signed envelope (JSON).
    envelope: PathBuf,
    /// Where to save the receipt [default: the envelope's name with `.receipt.json`].
    #[arg(long, value_name = "FILE")]
    receipt: Option<PathBuf>,
    /// The log's verifier key (text or file) to check the receipt with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

impl SubmitArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let bytes = std::fs::read(&self.envelope)
            .map_err(|e| format!("{}: {e}", self.envelope.display()))?;
        let envelope = Envelope::from_json(&bytes).map_err(|e| e.to_string())?;
        let client = server.client()?;
        let submitted = client.submit(&envelope).map_err(|e| e.to_string())?;
        let key = log_key(&client, self.log_key.as_deref())?;
        provenant_client::verify_receipt(&submitted.receipt, &key)
            .map_err(|e| format!("the server's receipt does not verify: {e}"))?;
        // The receipt must be for this envelope, not any entry of the log.
        let logged = submitted
            .receipt
            .leaf_bytes()
            .ok()
            .and_then(|bytes| provenant_model::Entry::from_leaf_bytes(&bytes).ok())
            .map(|entry| entry.envelope.id());
        if logged != Some(envelope.id()) {
            return Err("the server's receipt is for another entry than the one sent".to_owned());
        }
        let path = self
            .receipt
            .clone()
            .unwrap_or_else(|| self.envelope.with_extension("receipt.json"));
        let receipt = serde_json::to_value(&submitted.receipt).map_err(|e| e.to_string())?;
        write_atomic(&path, &pretty(&receipt)?)?;
        let what = if submitted.created {
            "logged"
        } else {
            "already in the log"
        };
        // The envelope's id is the grant's or the dispute's id.
        let id = envelope.id().to_string();
        Ok(Output::new(
            format!(
                "{} {what} at index {} (id {id}); receipt verified and saved to {}",
                envelope.kind().as_str(),
                submitted.receipt.index,
                path.display()
            ),
            json!({"id": id, "created": submitted.created, "receipt_file": path, "receipt": receipt}),
        ))
    }
}

/// Print the log's verifier key (what `verify` and `audit` trust) and size.
#[derive(Debug, Args)]
pub struct LogArgs {}

impl LogArgs {
    #[allow(clippy::unused_self)] // Every command runs from its arguments.
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let info = server.client()?.log().map_err(|e| e.to_string())?;
        Ok(Output::new(
            info.verifier_key.clone(),
            json!({"origin": info.origin, "verifier_key": info.verifier_key,
                   "public_key": info.public_key, "size": info.size, "arbiters": info.arbiters}),
        ))
    }
}

/// Show a design: owners, parents, disputes, grants, history.
#[derive(Debug, Args)]
pub struct DesignShowArgs {
    /// The design's id (BLAKE3 hex), or a file whose bytes are the design.
    design: String,
    /// The log's verifier key (text or file) to check the answer with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

impl DesignShowArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let id = if Path::new(&self.design).is_file() {
            hash_file(Path::new(&self.design))?.blake3.to_string()
        } else {
            self.design.clone()
        };
        let client = server.client()?;
        let answer = client
            .get(&format!("/v1/designs/{id}"))
            .map_err(|e| e.to_string())?;
        let (d, size) = proven::<DesignReport>(&client, self.log_key.as_deref(), answer)?;
        let mut text = format!(
            "design {id}\n  title     {}\n  registered at index {} (proofs verified at size {size})\n",
            d["title"].as_str().unwrap_or_default(),
            d["registered"]["index"]
        );
        for owner in d["owners"].as_array().into_iter().flatten() {
            let _ = writeln!(
                text,
                "  owner     {} {}",
                owner["key"].as_str().unwrap_or_default(),
                percent(owner["share_ppm"].as_u64().unwrap_or_default())
            );
        }
        for parent in d["parents"].as_array().into_iter().flatten() {
            let _ = writeln!(
                text,
                "  parent    {} under grant {}",
                parent["design"].as_str().unwrap_or_default(),
                parent["grant"].as_str().unwrap_or_default()
            );
        }
        let disputes = d["blocked_by"]["disputes"].as_u64().unwrap_or_default();
        let _ = write!(
            text,
            "  grants    {}\n  disputes  {disputes} blocking\n  latest ownership entry {}\n  history   {}",
            d["grants"].as_array().map_or(0, Vec::len),
            d["ownership"]["leaf_hash"].as_str().unwrap_or_default(),
            d["history"]
        );
        Ok(Output::new(text, d))
    }
}

/// Parts per million as a percentage, exactly.
fn percent(ppm: u64) -> String {
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
    design: String,
    /// The licensee's identity (`ed25519:...`).
    #[arg(long)]
    licensee: String,
    /// commercial, non-commercial, derivative or ai-training.
    #[arg(long, default_value = "commercial")]
    action: String,
    /// Country (ISO 3166-1 alpha-2).
    #[arg(long)]
    territory: String,
    /// Sales channel: retail, online, marketplace, wholesale or events.
    #[arg(long)]
    channel: provenant_model::Channel,
    /// Product category, such as apparel, footwear or accessories.
    #[arg(long)]
    category: provenant_model::Category,
    /// When (RFC 3339) [default: now].
    #[arg(long)]
    date: Option<String>,
    /// Units to make.
    #[arg(long, default_value_t = 1)]
    quantity: u64,
    /// The log's verifier key (text or file) to check the answer with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

impl CheckArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let date = match &self.date {
            Some(d) => d.clone(),
            None => now()?.to_string(),
        };
        let question = json!({"design": self.design, "licensee": self.licensee,
            "action": self.action, "territory": self.territory, "channel": self.channel,
            "category": self.category, "date": date, "quantity": self.quantity});
        let client = server.client()?;
        let answer = client
            .post("/v1/licenses/check", &question)
            .map_err(|e| e.to_string())?;
        let (a, size) = proven::<LicenseAnswer>(&client, self.log_key.as_deref(), answer)?;
        let left = a["units_remaining"]
            .as_u64()
            .map_or("unlimited".to_owned(), |u| u.to_string());
        if a["allowed"] == json!(true) {
            Ok(Output::new(
                format!(
                    "allowed under grant {} ({left} units left before this run; verified at size {size})",
                    a["grant"].as_str().unwrap_or_default()
                ),
                a,
            ))
        } else {
            let reasons: Vec<&str> = a["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let blocked = &a["blocked_by"];
            let cited = match blocked["dispute"].as_str() {
                Some(dispute) => format!(
                    "; dispute {dispute} on design {}, {} blocking it",
                    blocked["design"].as_str().unwrap_or_default(),
                    blocked["disputes"]
                ),
                None => String::new(),
            };
            Ok(Output::new(
                format!(
                    "denied: {}{cited} (verified at size {size})",
                    reasons.join(", ")
                ),
                a,
            )
            .denied())
        }
    }
}

/// Split one sale's revenue among the design's owners and its ancestors.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The design that earned the revenue.
    #[arg(long)]
    design: String,
    /// Revenue in minor units (cents).
    #[arg(long)]
    amount: u64,
    /// ISO 4217 currency.
    #[arg(long, default_value = "EUR")]
    currency: String,
    /// LAP or LRP.
    #[arg(long, default_value = "LAP")]
    policy: String,
    /// Also list why each payee is paid (designs, fractions, paths), a
    /// page of holdings at a time, following every page.
    #[arg(long)]
    detail: bool,
    /// The log's verifier key (text or file) to check the answer with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

/// Most detail pages `royalty split --detail` follows.
const MAX_DETAIL_PAGES: usize = 10_000;

impl SplitArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let client = server.client()?;
        let ask = |after: Option<&str>| -> Result<(Value, u64), String> {
            let mut body = json!({"design": self.design, "policy": self.policy,
                "revenue": {"amount_minor": self.amount, "currency": self.currency}});
            if self.detail {
                body["detail"] = json!({"after": after, "limit": 100});
            }
            let answer = client
                .post("/v1/royalties/split", &body)
                .map_err(|e| e.to_string())?;
            proven::<RoyaltySplit>(&client, self.log_key.as_deref(), answer)
        };
        let (mut split, size) = ask(None)?;
        if self.detail {
            let mut holdings = split["detail"]["holdings"].take();
            let mut next = split["detail"]["next"].as_str().map(str::to_owned);
            for _ in 0..MAX_DETAIL_PAGES {
                let Some(after) = next.take() else { break };
                let (mut page, _) = ask(Some(&after))?;
                if let (Some(all), Some(more)) = (
                    holdings.as_array_mut(),
                    page["detail"]["holdings"].as_array_mut(),
                ) {
                    all.append(more);
                }
                next = page["detail"]["next"].as_str().map(str::to_owned);
            }
            split["detail"]["holdings"] = holdings;
            split["detail"]["next"] = Value::Null;
        }
        let mut text = format!(
            "{} {} under {} (verified at size {size}):",
            self.amount, self.currency, self.policy
        );
        for p in split["payouts"].as_array().into_iter().flatten() {
            let _ = write!(
                text,
                "\n  {} {}",
                p["payee"].as_str().unwrap_or_default(),
                p["amount_minor"]
            );
        }
        for h in split["detail"]["holdings"].as_array().into_iter().flatten() {
            let _ = write!(
                text,
                "\n  {} holds {} ppm of {}, paid {}/{} of the revenue over {} path(s)",
                h["payee"].as_str().unwrap_or_default(),
                h["share_ppm"],
                h["design"].as_str().unwrap_or_default(),
                h["design_fraction"]["numerator"]
                    .as_str()
                    .unwrap_or_default(),
                h["design_fraction"]["denominator"]
                    .as_str()
                    .unwrap_or_default(),
                h["paths_total"]
            );
        }
        Ok(Output::new(text, split))
    }
}

/// Split many sales lines (CSV: `design,amount_minor,currency`) per payee.
#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The sales CSV.
    file: PathBuf,
    /// LAP or LRP.
    #[arg(long, default_value = "LAP")]
    policy: String,
    /// The log's verifier key (text or file) to check the answer with [default: the server's].
    #[arg(long, env = "PROVENANT_LOG_KEY")]
    log_key: Option<String>,
}

impl StatementArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let csv = std::fs::read_to_string(&self.file)
            .map_err(|e| format!("{}: {e}", self.file.display()))?;
        let client = server.client()?;
        let answer: Value = client
            .post_csv(
                &format!("/v1/royalties/statement?policy={}", self.policy),
                csv,
            )
            .map_err(|e| e.to_string())?;
        let (statement, size) = proven::<Statement>(&client, self.log_key.as_deref(), answer)?;
        let mut text = format!("verified at size {size}\npayee, currency, amount_minor");
        for l in statement["lines"].as_array().into_iter().flatten() {
            let _ = write!(
                text,
                "\n{}, {}, {}",
                l["payee"].as_str().unwrap_or_default(),
                l["currency"].as_str().unwrap_or_default(),
                l["amount_minor"]
            );
        }
        Ok(Output::new(text, statement))
    }
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
    pub fn run(&self, server: &ServerArg) -> Result<Output, String> {
        let client = server.client()?;
        let text = client.checkpoint().map_err(|e| e.to_string())?;
        let checkpoint = Note::parse(text.as_bytes()).map_err(|e| e.to_string())?;
        let size = provenant_tlog::Checkpoint::parse(checkpoint.text())
            .map_err(|e| e.to_string())?
            .size;
        let proof = client
            .inclusion_proof(self.index, size)
            .map_err(|e| e.to_string())?;
        let bundle = provenant_tlog::bundle::ProofBundle {
            extra: None,
            index: LeafIndex(self.index),
            proof,
            checkpoint,
        }
        .to_text();
        match &self.out {
            Some(path) => {
                std::fs::write(path, &bundle).map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(Output::new(
                    format!(
                        "proof of entry {} at size {} written to {}",
                        self.index,
                        size.0,
                        path.display()
                    ),
                    json!({"index": self.index, "tree_size": size.0, "bundle": bundle}),
                ))
            }
            None => Ok(Output::new(
                bundle.trim_end().to_owned(),
                json!({"index": self.index, "tree_size": size.0, "bundle": bundle}),
            )),
        }
    }
}
