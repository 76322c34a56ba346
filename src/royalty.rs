//! `royalty split` and `royalty statement`: who gets what of a sale, or of
//! a CSV of sales, each answer's proofs verified before it is shown.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use provenant_api::{DetailQuery, SplitRequest};
use provenant_model::{Currency, DesignId, Money, RoyaltySplit, Statement};
use serde_json::Value;

use crate::error::CliError;
use crate::output::Output;
use crate::remote::{ServerArg, Verified, json_of, verified, verified_state};
use crate::trust::{TrustArgs, asking_again};

/// Split one sale's revenue among the design's owners and its ancestors.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The design that earned the revenue.
    #[arg(long)]
    design: DesignId,
    /// Revenue in minor units (cents).
    #[arg(long)]
    amount: u64,
    /// ISO 4217 currency.
    #[arg(long, default_value = "EUR")]
    currency: Currency,
    /// Also list why each payee is paid (designs, fractions, paths), a
    /// page of holdings at a time, following every page.
    #[arg(long)]
    detail: bool,
    #[command(flatten)]
    trust: TrustArgs,
}

/// Most detail pages `royalty split --detail` follows.
const MAX_DETAIL_PAGES: usize = 10_000;

/// Holdings asked for in one page of a split's detail.
const DETAIL_PAGE: usize = 100;

impl SplitArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let client = server.client()?;
        let ask = |after: Option<String>| -> Result<(RoyaltySplit, Verified, Value), CliError> {
            let request = SplitRequest {
                design: self.design,
                revenue: Money {
                    amount_minor: self.amount,
                    currency: self.currency,
                },
                detail: self.detail.then_some(DetailQuery {
                    after,
                    limit: Some(DETAIL_PAGE),
                }),
            };
            let answer = client.split(&request)?;
            let proven = verified_state(&client, &self.trust, &answer, &request)?;
            let mut json = json_of(&answer)?;
            json["verified"] = proven.json();
            Ok((answer.answer, proven, json))
        };
        let (mut split, proven, mut json) = asking_again(|| ask(None))?;
        if let Some(detail) = &mut split.detail {
            for _ in 0..MAX_DETAIL_PAGES {
                let Some(after) = detail.next.take() else {
                    break;
                };
                let (page, _, _) = ask(Some(after))?;
                if let Some(more) = page.detail {
                    detail.holdings.extend(more.holdings);
                    detail.next = more.next;
                }
            }
            // The JSON shows every page's holdings, as one page.
            json["detail"] = json_of(&detail)?;
        }
        Ok(Output::new(show_split(&split, &proven), json))
    }
}

/// A split for people: the payouts, then the holdings behind them.
fn show_split(split: &RoyaltySplit, proven: &Verified) -> String {
    let mut text = format!(
        "{} {}, each link under its grant's policy ({}):",
        split.revenue.amount_minor,
        split.revenue.currency,
        proven.text()
    );
    for p in &split.payouts {
        let _ = write!(text, "\n  {} {}", p.payee, p.amount_minor);
    }
    for h in split.detail.iter().flat_map(|d| &d.holdings) {
        let _ = write!(
            text,
            "\n  {} holds {} ppm of {}, paid {}/{} of the revenue over {} path(s)",
            h.payee,
            h.holding.share_ppm.get(),
            h.holding.design,
            h.holding.design_fraction.numerator,
            h.holding.design_fraction.denominator,
            h.holding.paths_total
        );
    }
    text
}

/// Split many sales lines (CSV: `design,amount_minor,currency`) per payee.
#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The sales CSV.
    file: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
}

impl StatementArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let csv = std::fs::read_to_string(&self.file).map_err(CliError::file(&self.file))?;
        let client = server.client()?;
        let (answer, size) = asking_again(|| {
            let answer = client.statement_csv(csv.clone())?;
            let size = verified(&client, &self.trust, &answer)?;
            Ok((answer, size))
        })?;
        Ok(Output::new(
            show_statement(&answer.answer, size),
            json_of(&answer)?,
        ))
    }
}

/// A statement for people: one line per payee and currency.
fn show_statement(statement: &Statement, size: u64) -> String {
    let mut text = format!("verified at size {size}\npayee, currency, amount_minor");
    for l in &statement.lines {
        let _ = write!(text, "\n{}, {}, {}", l.payee, l.currency, l.amount_minor);
    }
    text
}
