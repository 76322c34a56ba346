//! A signature binds to its kind and payload, not to one log
//! (`docs/PROTOCOL.md`, "Signatures and logs"): an envelope logged in one
//! log is accepted by another, each log vouches for it only under its own
//! key, and whatever depends on state is judged against the receiving
//! log's own state.

mod support;

use ed25519_dalek::SigningKey;
use provenant_ledger::store::MemoryStore;
use provenant_ledger::{BatchConfig, Ledger, LedgerConfig, Outcome, SubmitError};
use provenant_model::{Kind, Receipt, RuleError};
use serde_json::json;
use support::*;

const OTHER_ORIGIN: &str = "other.provenant.example/log";

/// A second log: another origin, another key, the same rules.
fn other_ledger() -> Ledger {
    let config = LedgerConfig {
        origin: OTHER_ORIGIN.to_owned(),
        ..config(BatchConfig::default())
    };
    Ledger::open(
        MemoryStore::new(),
        SigningKey::from_bytes(&[201; 32]),
        config,
    )
    .expect("the second log opens")
}

fn verifies_under(receipt: &Receipt, ledger: &Ledger) -> bool {
    receipt.verify(ledger.origin(), ledger.verifier()).is_ok()
}

#[test]
fn an_envelope_signed_once_is_accepted_by_two_logs_each_vouching_under_its_own_key() {
    let (first, second) = (memory_ledger(), other_ledger());
    let (alice, bob) = (key(1), key(2));
    let env = register(b"dial", &[(&alice, 700_000), (&bob, 300_000)]);

    let (in_first, outcome) = first.submit_blocking(env.clone()).expect("first log");
    assert_eq!(outcome, Outcome::Appended);
    let (in_second, outcome) = second.submit_blocking(env).expect("second log");
    assert_eq!(outcome, Outcome::Appended);

    // The same signed statement in both.
    let (a, b) = (
        in_first.entry_value().unwrap(),
        in_second.entry_value().unwrap(),
    );
    assert_eq!(a["payload"], b["payload"]);
    assert_eq!(a["signatures"], b["signatures"]);
    // Each receipt verifies under its own log only.
    assert!(verifies_under(&in_first, &first));
    assert!(verifies_under(&in_second, &second));
    assert!(!verifies_under(&in_first, &second));
    assert!(!verifies_under(&in_second, &first));
}

#[test]
fn entries_that_rest_on_state_are_judged_by_the_receiving_log() {
    let (first, second) = (memory_ledger(), other_ledger());
    let (alice, brand) = (key(1), key(3));
    let registration = register(b"charm", &[(&alice, 1_000_000)]);
    let design = design_of(b"charm");
    let granted = grant(design, &brand, &[&alice], None);
    let grant = grant_id(&granted);
    let revoke = envelope(
        Kind::LicenseRevoke,
        json!({"grant": grant, "reason": "the campaign ended"}),
        &[&alice],
    );

    for env in [registration.clone(), granted, revoke.clone()] {
        first
            .submit_blocking(env)
            .expect("the first log takes its story");
    }

    // The second log holds the design but not the grant: the revocation,
    // replayed there, names a grant that log never saw.
    second
        .submit_blocking(registration)
        .expect("the registration is accepted");
    let refused = second.submit_blocking(revoke);
    assert!(
        matches!(
            refused,
            Err(SubmitError::Rejected(RuleError::GrantNotFound { .. }))
        ),
        "{refused:?}"
    );
    // The registration and its batch's commitment; nothing since.
    assert_eq!(second.head().size.0, 2, "nothing was written");
}
