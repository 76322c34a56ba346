//! What a signer approves, in words: the shares, threshold, terms or
//! transfer of an envelope, one readable line per fact, so that `sign`
//! never signs blind.
//!
//! Everything shown comes from the payload the signature covers; nothing
//! is read from the ledger. Shares are exact percentages of parts per
//! million ([`percent`]).

use std::fmt::Write as _;

use provenant_model::payload::{
    DesignRegister, DisputeResolve, LicenseGrant, Outcome, OwnershipTransfer, UsageRecord,
};
use provenant_model::{Envelope, Payload, Ppm, RoyaltyPolicy};

/// Parts per million as an exact percentage: `600000` is `60%`, `333333`
/// is `33.3333%`.
#[must_use]
pub fn percent(ppm: Ppm) -> String {
    let ppm = ppm.get();
    let (whole, frac) = (ppm / 10_000, ppm % 10_000);
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{frac:04}").trim_end_matches('0'))
    }
}

/// A readable summary of what signing `envelope` approves: its kind, then
/// one indented line per fact, then the signatures it already carries.
#[must_use]
pub fn summary(envelope: &Envelope) -> String {
    let mut out = format!("{}\n", envelope.kind());
    let mut line = |label: &str, value: &dyn std::fmt::Display| {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "  {label:<14}{value}");
    };
    match envelope.payload() {
        Payload::DesignRegister(p) => design(p, &mut line),
        Payload::LicenseGrant(p) => grant(p, &mut line),
        Payload::UsageRecord(p) => usage(p, &mut line),
        Payload::OwnershipTransfer(p) => transfer(p, &mut line),
        Payload::LicenseRevoke(p) => {
            line("grant", &p.grant);
            line("revokes", &"the grant: no further use under it");
            line("reason", &p.reason);
        }
        Payload::DisputeRaise(p) => {
            line("design", &p.design);
            line(
                "disputes",
                &"the design: it and its derivatives fail every check",
            );
            line("claim", &p.claim);
            line("evidence", &p.evidence);
        }
        Payload::DisputeResolve(p) => resolve(p, &mut line),
        Payload::KeyRotate(p) => {
            line("old key", &p.old);
            line("new key", &p.new);
            line(
                "moves",
                &"every share and grant of the old key to the new key, for good",
            );
        }
        Payload::StateCommit(p) => {
            line("state root", &p.root);
            line("covers", &format!("the first {} entries", p.size));
        }
    }
    let signed = envelope.signatures();
    if signed.is_empty() {
        out.push_str("  no signatures yet\n");
    } else {
        for s in signed {
            let _ = writeln!(out, "  {:<14}{}", "signed by", s.key);
        }
    }
    out
}

type Line<'a> = dyn FnMut(&str, &dyn std::fmt::Display) + 'a;

fn design(p: &DesignRegister, line: &mut Line<'_>) {
    line("title", &p.title);
    line("design", &p.content.blake3);
    line(
        "content",
        &format!("{} bytes, {}", p.content.size, p.content.media_type),
    );
    for c in &p.creators {
        line(
            "creator",
            &format!("{} {} ({})", c.key, percent(c.share_ppm), c.role),
        );
    }
    line(
        "threshold",
        &format!(
            "{} of the ownership signs for the design",
            percent(p.license_threshold_ppm)
        ),
    );
    for parent in &p.parents {
        line(
            "derives from",
            &format!("{} under grant {}", parent.design, parent.grant),
        );
    }
    if let Some(ai) = &p.ai {
        line("ai", &ai.digital_source_type.term());
    }
}

fn grant(p: &LicenseGrant, line: &mut Line<'_>) {
    let t = &p.terms;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let list = |items: Vec<String>, empty: &str| {
        if items.is_empty() {
            empty.to_owned()
        } else {
            items.join(", ")
        }
    };
    line("design", &p.design);
    line("licensee", &p.licensee);
    line(
        "exclusive",
        &if t.exclusive {
            "YES: no other grant may overlap it"
        } else {
            "no"
        },
    );
    line("commercial", &yes_no(t.commercial_use));
    line(
        "derivatives",
        &match (
            t.derivatives_allowed,
            t.derivatives_reciprocal,
            t.derivatives_approval,
        ) {
            (false, _, _) => "no".to_owned(),
            (true, r, a) => format!(
                "yes{}{}",
                if r { ", on the same terms" } else { "" },
                if a {
                    ", each approved by the owners"
                } else {
                    ""
                }
            ),
        },
    );
    let policy = match t.royalty.policy {
        RoyaltyPolicy::Lap => "LAP",
        RoyaltyPolicy::Lrp => "LRP",
    };
    line(
        "royalty",
        &format!(
            "{} {policy} from each derivative",
            percent(t.royalty.rev_share_ppm)
        ),
    );
    line(
        "territories",
        &list(
            t.territories.iter().map(ToString::to_string).collect(),
            "worldwide",
        ),
    );
    line(
        "channels",
        &list(t.channels.iter().map(ToString::to_string).collect(), "any"),
    );
    line(
        "categories",
        &list(
            t.categories.iter().map(ToString::to_string).collect(),
            "any",
        ),
    );
    line(
        "window",
        &match t.ends_at {
            Some(end) => format!("from {} until {end}", t.starts_at),
            None => format!("from {}, no end", t.starts_at),
        },
    );
    line(
        "max units",
        &t.max_units
            .map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
    );
    if let Some(fee) = &t.minting_fee {
        line(
            "minting fee",
            &format!("{} {} (minor units)", fee.amount_minor, fee.currency),
        );
    }
    line("ai training", &yes_no(t.ai_training));
    line("sublicensable", &yes_no(t.sublicensable));
    line("transferable", &yes_no(t.transferable));
    line("attribution", &yes_no(t.attribution));
}

fn usage(p: &UsageRecord, line: &mut Line<'_>) {
    line("grant", &p.grant);
    line("quantity", &p.quantity);
    line("territory", &p.territory);
    line("channel", &p.channel);
    line("category", &p.category);
    line("batch", &p.batch_ref);
}

fn transfer(p: &OwnershipTransfer, line: &mut Line<'_>) {
    line("design", &p.design);
    for m in &p.from {
        line(
            "gives",
            &format!("{} of the design from {}", percent(m.share_ppm), m.key),
        );
    }
    line("to", &p.to);
    line("after entry", &p.prev);
}

fn resolve(p: &DisputeResolve, line: &mut Line<'_>) {
    line("dispute", &p.dispute);
    let outcome = match p.outcome {
        Outcome::Upheld => "upheld: the design stays blocked for good",
        Outcome::Dismissed => "dismissed: the dispute no longer blocks the design",
    };
    line("outcome", &outcome);
    if !p.note.is_empty() {
        line("note", &p.note);
    }
}

#[cfg(test)]
mod tests {
    use provenant_model::{LicenseTerms, Ppm};
    use provenant_testkit::{self as testkit, id, key};
    use serde_json::json;

    use super::*;
    use crate::draft::test_support::{charm, creator};
    use crate::draft::{design_draft, grant_draft, sign, transfer_draft};

    #[test]
    fn percentages_are_exact() {
        for (ppm, text) in [
            (1_000_000, "100%"),
            (600_000, "60%"),
            (333_333, "33.3333%"),
            (50_000, "5%"),
            (1, "0.0001%"),
            (0, "0%"),
        ] {
            assert_eq!(percent(Ppm::new(ppm).unwrap()), text);
        }
    }

    #[test]
    fn a_design_summary_names_the_shares_and_threshold() {
        let mut env = design_draft(&charm(vec![creator(1, 600_000), creator(2, 400_000)])).unwrap();
        let text = summary(&env);
        assert!(text.starts_with("design.register\n"), "{text}");
        assert!(text.contains(&format!("{} 60%", id(&key(1)))), "{text}");
        assert!(text.contains(&format!("{} 40%", id(&key(2)))), "{text}");
        assert!(
            text.contains("threshold     100% of the ownership"),
            "{text}"
        );
        assert!(text.contains("no signatures yet"), "{text}");
        sign(&mut env, &key(1)).unwrap();
        assert!(
            summary(&env).contains(&format!("signed by     {}", id(&key(1)))),
            "{text}"
        );
    }

    #[test]
    fn a_grant_summary_names_the_terms() {
        let mut terms = testkit::terms();
        terms["exclusive"] = json!(true);
        terms["territories"] = json!(["FR", "DE"]);
        terms["categories"] = json!(["footwear"]);
        terms["max_units"] = json!(500);
        let terms: LicenseTerms = serde_json::from_value(terms).unwrap();
        let env = grant_draft(testkit::design_of(b"charm"), id(&key(9)), terms).unwrap();
        let text = summary(&env);
        for part in [
            &format!("licensee      {}", id(&key(9))),
            "exclusive     YES",
            "territories   FR, DE",
            "channels      any",
            "categories    footwear",
            "max units     500",
            "royalty       5% LAP",
        ] {
            assert!(text.contains(part), "{part:?} in\n{text}");
        }
    }

    #[test]
    fn a_transfer_summary_names_the_shares_moved() {
        let env = transfer_draft(
            testkit::design_of(b"charm"),
            &[(id(&key(1)), Ppm::new(400_000).unwrap())],
            id(&key(2)),
            provenant_model::LeafHash([3; 32]),
        )
        .unwrap();
        let text = summary(&env);
        assert!(
            text.contains(&format!(
                "gives         40% of the design from {}",
                id(&key(1))
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("to            {}", id(&key(2)))),
            "{text}"
        );
    }
}
