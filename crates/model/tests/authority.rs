//! Who may sign what: for every entry kind, every combination of signers
//! (everyone needed, a threshold of owners, below it, an outsider, the
//! licensee in an owner's place, an extra signer, nobody) gets exactly the
//! expected acceptance or the named refusal, and a refusal changes nothing.

mod support;

use ed25519_dalek::SigningKey;
use provenant_model::{DesignId, GrantId, LeafHash, StateView as _};
use serde_json::{Value, json};
use support::*;

/// The parties of every row.
#[derive(Clone, Copy, Debug)]
enum Role {
    /// Owner of 60% of the design.
    Major,
    /// Owner of 40%.
    Minor,
    /// Holder of the design's grant.
    Licensee,
    /// The new party: a co-creator, a new licensee, a transfer's recipient,
    /// a rotation's new key.
    Newcomer,
    /// Nobody in particular.
    Outsider,
    /// The log's dispute arbiter.
    Arbiter,
}
use Role::{Arbiter, Licensee, Major, Minor, Newcomer, Outsider};

impl Role {
    fn key(self) -> SigningKey {
        match self {
            Major => key(1),
            Minor => key(2),
            Licensee => key(3),
            Newcomer => key(4),
            Outsider => key(9),
            Arbiter => arbiter(),
        }
    }
}

/// A design owned 60/40 with a license threshold of 50%, a grant of it to
/// the licensee, and a dispute raised on a second design.
struct Setup {
    world: World,
    design: DesignId,
    grant: GrantId,
    prev: LeafHash,
    dispute: String,
}

fn setup() -> Setup {
    let mut world = World::new();
    let (major, minor, licensee) = (Major.key(), Minor.key(), Licensee.key());
    let reg = with(
        &register_json(b"dial", &[(&major, 600_000), (&minor, 400_000)], &[]),
        &json!({"license_threshold_ppm": 500_000}),
    );
    world
        .submit("design.register", reg, &[&major, &minor])
        .unwrap();
    let design = design_of(b"dial");
    let grant = world.grant(design, &[&major, &minor], &licensee, &terms());
    let prev = world
        .state
        .design(&design)
        .unwrap()
        .unwrap()
        .ownership
        .leaf_hash;
    world.register(b"contested", &[(&major, 1_000_000)], &[]);
    let raised = world
        .submit(
            "dispute.raise",
            json!({"design": design_of(b"contested"), "claim": "copied", "evidence": "11".repeat(32)}),
            &[&Outsider.key()],
        )
        .unwrap();
    Setup {
        world,
        design,
        grant,
        prev,
        dispute: raised.envelope.id().to_string(),
    }
}

/// The payload of `kind` in `s`.
fn payload(kind: &str, s: &Setup) -> Value {
    let newcomer = idt(&Newcomer.key());
    match kind {
        "design.register" => register_json(
            b"new work",
            &[(&Major.key(), 500_000), (&Newcomer.key(), 500_000)],
            &[],
        ),
        "license.grant" => grant_json(s.design, &Newcomer.key(), &terms()),
        "license.revoke" => json!({"grant": s.grant, "reason": "unpaid"}),
        "usage.record" => json!({"grant": s.grant, "quantity": 1, "territory": "FR",
                                 "channel": "online", "category": "footwear", "batch_ref": "B-1"}),
        "ownership.transfer" => json!({"design": s.design,
            "from": [{"key": idt(&Major.key()), "share_ppm": 100_000}], "to": newcomer, "prev": s.prev}),
        "dispute.raise" => {
            json!({"design": s.design, "claim": "copied", "evidence": "22".repeat(32)})
        }
        "dispute.resolve" => {
            json!({"dispute": s.dispute, "outcome": "dismissed", "note": "not copied"})
        }
        "key.rotate" => json!({"old": idt(&Major.key()), "new": newcomer}),
        other => panic!("no payload for {other}"),
    }
}

/// `None`: accepted; `Some(code)`: refused with that rule.
type Expect = Option<&'static str>;
const OK: Expect = None;

#[rustfmt::skip]
const TABLE: &[(&str, &str, &[Role], Expect)] = &[
    ("design.register", "every creator", &[Major, Newcomer], OK),
    ("design.register", "one creator of two", &[Major], Some("missing-signature")),
    ("design.register", "creators and an outsider", &[Major, Newcomer, Outsider], Some("unexpected-signer")),
    ("design.register", "an outsider", &[Outsider], Some("missing-signature")),
    ("design.register", "licensee in a creator's place", &[Major, Licensee], Some("missing-signature")),
    ("design.register", "nobody", &[], Some("missing-signature")),

    ("license.grant", "all owners and the licensee", &[Major, Minor, Newcomer], OK),
    ("license.grant", "owners at the threshold and the licensee", &[Major, Newcomer], OK),
    ("license.grant", "owners below the threshold and the licensee", &[Minor, Newcomer], Some("threshold-not-met")),
    ("license.grant", "the licensee alone", &[Newcomer], Some("threshold-not-met")),
    ("license.grant", "all owners, not the licensee", &[Major, Minor], Some("missing-signature")),
    ("license.grant", "an outsider and the licensee", &[Outsider, Newcomer], Some("unexpected-signer")),
    ("license.grant", "another licensee in an owner's place", &[Licensee, Newcomer], Some("unexpected-signer")),
    ("license.grant", "everyone and an outsider", &[Major, Minor, Newcomer, Outsider], Some("unexpected-signer")),

    ("license.revoke", "all owners", &[Major, Minor], OK),
    ("license.revoke", "owners at the threshold", &[Major], OK),
    ("license.revoke", "owners below the threshold", &[Minor], Some("threshold-not-met")),
    ("license.revoke", "the licensee (a release)", &[Licensee], OK),
    ("license.revoke", "an outsider", &[Outsider], Some("unexpected-signer")),
    ("license.revoke", "an owner and an outsider", &[Major, Outsider], Some("unexpected-signer")),
    ("license.revoke", "nobody", &[], Some("no-signatures")),

    ("usage.record", "the licensee", &[Licensee], OK),
    ("usage.record", "an owner in the licensee's place", &[Major], Some("missing-signature")),
    ("usage.record", "all owners and the licensee", &[Major, Minor, Licensee], Some("unexpected-signer")),
    ("usage.record", "an outsider", &[Outsider], Some("missing-signature")),
    ("usage.record", "the licensee and an outsider", &[Licensee, Outsider], Some("unexpected-signer")),
    ("usage.record", "nobody", &[], Some("missing-signature")),

    ("ownership.transfer", "giver and recipient", &[Major, Newcomer], OK),
    ("ownership.transfer", "the giver alone", &[Major], Some("missing-signature")),
    ("ownership.transfer", "the recipient alone", &[Newcomer], Some("missing-signature")),
    ("ownership.transfer", "another owner in the giver's place", &[Minor, Newcomer], Some("missing-signature")),
    ("ownership.transfer", "the licensee in the giver's place", &[Licensee, Newcomer], Some("missing-signature")),
    ("ownership.transfer", "giver, recipient and the other owner", &[Major, Minor, Newcomer], Some("unexpected-signer")),
    ("ownership.transfer", "giver, recipient and an outsider", &[Major, Newcomer, Outsider], Some("unexpected-signer")),

    ("dispute.raise", "an outsider", &[Outsider], OK),
    ("dispute.raise", "an owner", &[Minor], OK),
    ("dispute.raise", "the licensee", &[Licensee], OK),
    ("dispute.raise", "nobody", &[], Some("no-signatures")),

    ("dispute.resolve", "the arbiter", &[Arbiter], OK),
    ("dispute.resolve", "an owner", &[Major], Some("not-arbiter")),
    ("dispute.resolve", "an outsider", &[Outsider], Some("not-arbiter")),
    ("dispute.resolve", "the licensee", &[Licensee], Some("not-arbiter")),
    ("dispute.resolve", "the arbiter and an outsider", &[Arbiter, Outsider], Some("not-arbiter")),
    ("dispute.resolve", "nobody", &[], Some("no-signatures")),

    ("key.rotate", "old and new key", &[Major, Newcomer], OK),
    ("key.rotate", "the old key alone", &[Major], Some("missing-signature")),
    ("key.rotate", "the new key alone", &[Newcomer], Some("missing-signature")),
    ("key.rotate", "the licensee in the old key's place", &[Licensee, Newcomer], Some("missing-signature")),
    ("key.rotate", "old, new and an outsider", &[Major, Newcomer, Outsider], Some("unexpected-signer")),
];

#[test]
fn every_kind_accepts_exactly_the_signers_it_should() {
    let kinds: std::collections::BTreeSet<&str> = TABLE.iter().map(|r| r.0).collect();
    assert_eq!(kinds.len(), 8, "every entry kind has rows");
    let mut wrong = Vec::new();
    for &(kind, who, signers, expect) in TABLE {
        let mut s = setup();
        let keys: Vec<SigningKey> = signers.iter().map(|r| r.key()).collect();
        let refs: Vec<&SigningKey> = keys.iter().collect();
        let body = payload(kind, &s);
        let got = s.world.submit(kind, body, &refs).err().map(|e| e.code());
        if got != expect {
            wrong.push(format!(
                "{kind} signed by {who}: want {expect:?}, got {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
