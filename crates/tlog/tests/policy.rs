//! C2SP tlog-policy: every parse refusal names its line and rule, and quorums
//! (k-of-n, all, any, nested groups, none) are met exactly when they should be.

use std::fmt::Write as _;

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use provenant_tlog::policy::{MAX_DEFINITIONS, PolicyProblem};
use provenant_tlog::{Checkpoint, Cosigner, Error, Hash, NoteSigner, Policy, TreeSize};

fn witness_vkey(name: &str, seed: u8) -> String {
    Cosigner::new(name, SigningKey::from_bytes(&[seed; 32]))
        .unwrap()
        .verifier()
        .to_text()
}

fn log_vkey(origin: &str, seed: u8) -> String {
    NoteSigner::new(origin, SigningKey::from_bytes(&[seed; 32]))
        .unwrap()
        .verifier()
        .to_text()
}

/// `witness <name> <vkey>` lines for names `w1`..`wn`, keys seeded `1..=n`.
fn witnesses(n: u8) -> String {
    (1..=n).fold(String::new(), |mut out, i| {
        let vkey = witness_vkey(&format!("w{i}.example"), i);
        writeln!(out, "witness w{i} {vkey}").unwrap();
        out
    })
}

fn parse(text: &str) -> Result<Policy, Error> {
    Policy::parse(text.as_bytes())
}

fn dup(name: &str) -> PolicyProblem {
    PolicyProblem::DuplicateName { name: name.into() }
}

fn unknown(name: &str) -> PolicyProblem {
    PolicyProblem::UnknownName { name: name.into() }
}

fn refused(text: &str) -> (usize, PolicyProblem) {
    match parse(text) {
        Err(Error::Policy { line, problem }) => (line, problem),
        other => panic!("{text:?} gave {other:?}"),
    }
}

/// Each text is refused at its line for its rule.
fn assert_refused(cases: Vec<(String, usize, PolicyProblem)>) {
    for (text, line, problem) in cases {
        assert_eq!(refused(&text), (line, problem), "{text:?}");
    }
}

#[test]
fn spec_example_shape_parses() {
    let text = format!(
        "# example\n\
         log {}\n\
         \n{}\
         group X-witnesses 2 w1 w2 w3\n\
         \t witness Y1 {} https://y1.example/\n\
         witness Y2 {}\n\
         group Y-witnesses any Y1 Y2\n\
         group X-and-Y all X-witnesses Y-witnesses\n\
         quorum X-and-Y\n",
        log_vkey("example.com/log", 9),
        witnesses(3),
        witness_vkey("y1.example", 11),
        witness_vkey("y2.example", 12),
    );
    let p = parse(&text).unwrap();
    assert_eq!(p.logs().len(), 1);
    assert_eq!(p.logs()[0].verifier.name(), "example.com/log");
    assert_eq!(p.witnesses().len(), 5);
    assert_eq!(p.witnesses()[3].url.as_deref(), Some("https://y1.example/"));
    assert!(!p.quorum_met(["w1", "w2"]));
    assert!(!p.quorum_met(["w1", "Y1", "Y2"]));
    assert!(p.quorum_met(["w1", "w3", "Y2"]));
    // Group names are not witnesses: naming one counts for nothing.
    assert!(!p.quorum_met(["X-witnesses", "Y-witnesses"]));
}

#[test]
fn k_of_n_all_any() {
    for (threshold, k) in [("1", 1), ("2", 2), ("3", 3), ("any", 1), ("all", 3)] {
        let p = parse(&format!(
            "{}group g {threshold} w1 w2 w3\nquorum g\n",
            witnesses(3)
        ))
        .unwrap();
        let names = ["w1", "w2", "w3"];
        for mask in 0u8..8 {
            let signed: Vec<&str> = (0..3)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| names[i])
                .collect();
            assert_eq!(
                p.quorum_met(signed.iter().copied()),
                signed.len() >= k,
                "{threshold} {signed:?}"
            );
        }
    }
}

#[test]
fn a_single_witness_and_none_as_quorum() {
    let p = parse(&format!("{}quorum w2\n", witnesses(2))).unwrap();
    assert!(p.quorum_met(["w2"]));
    assert!(!p.quorum_met(["w1"]));
    let p = parse("quorum none\n").unwrap();
    assert!(p.quorum_met(std::iter::empty()));
    assert!(p.witnesses().is_empty() && p.logs().is_empty());
}

#[test]
fn nested_groups() {
    // Two of (w1, w2, w3), and one of (w4, w5), and w6.
    let p = parse(&format!(
        "{}group a 2 w1 w2 w3\ngroup b any w4 w5\ngroup top all a b w6\nquorum top\n",
        witnesses(6)
    ))
    .unwrap();
    assert!(p.quorum_met(["w1", "w3", "w5", "w6"]));
    assert!(!p.quorum_met(["w1", "w3", "w5"]));
    assert!(!p.quorum_met(["w1", "w4", "w5", "w6"]));
    assert!(!p.quorum_met(["w1", "w2", "w3", "w6"]));
    // A witness named twice in the input still counts once.
    assert!(!p.quorum_met(["w1", "w1", "w4", "w6"]));
}

#[test]
fn quorum_is_checked_on_a_cosigned_checkpoint() {
    let log = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[9; 32])).unwrap();
    let ws: Vec<Cosigner> = (1..=3)
        .map(|i| Cosigner::new(&format!("w{i}.example"), SigningKey::from_bytes(&[i; 32])).unwrap())
        .collect();
    let text = format!(
        "log {}\n{}group g 2 w1 w2 w3\nquorum g\n",
        log.verifier().to_text(),
        witnesses(3)
    );
    let p = parse(&text).unwrap();
    let checkpoint = Checkpoint::new("example.com/log", TreeSize(5), Hash::EMPTY);
    let mut note = checkpoint.sign(&log).unwrap();
    note.push_signature(ws[0].cosign(&note, 100).unwrap())
        .unwrap();
    assert!(matches!(
        p.verify_checkpoint(&note),
        Err(Error::QuorumNotMet { cosigned: 1 })
    ));
    note.push_signature(ws[2].cosign(&note, 101).unwrap())
        .unwrap();
    assert_eq!(p.verify_checkpoint(&note).unwrap(), checkpoint);
    let cosigned = p.check_quorum(&note).unwrap();
    let got: Vec<(&str, u64)> = cosigned
        .iter()
        .map(|(w, t)| (w.name.as_str(), *t))
        .collect();
    assert_eq!(got, [("w1", 100), ("w3", 101)]);

    // A bad line from a policy witness rejects the note.
    let mut bad = note.clone();
    let mut line = ws[1].cosign(&note, 102).unwrap();
    line.sig[20] ^= 4;
    bad.push_signature(line).unwrap();
    assert!(matches!(
        p.verify_checkpoint(&bad),
        Err(Error::CosignatureInvalid { .. })
    ));
    // Another log's checkpoint, or one signed by a stranger, is refused.
    let other = Checkpoint::new("example.com/other", TreeSize(5), Hash::EMPTY)
        .sign(&log)
        .unwrap();
    assert!(matches!(
        p.verify_checkpoint(&other),
        Err(Error::PolicyLog { .. })
    ));
    let impostor = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[8; 32])).unwrap();
    let mut forged = checkpoint.sign(&impostor).unwrap();
    forged
        .push_signature(ws[0].cosign(&forged, 100).unwrap())
        .unwrap();
    forged
        .push_signature(ws[1].cosign(&forged, 100).unwrap())
        .unwrap();
    assert!(matches!(
        p.verify_checkpoint(&forged),
        Err(Error::NoteUnverified)
    ));
}

#[test]
fn refusals_of_names_groups_and_quorums() {
    let w = witnesses(3);
    let wk = witness_vkey("x.example", 40);
    let cases: Vec<(String, usize, PolicyProblem)> = vec![
        (
            format!("{w}frobnicate x\nquorum w1\n"),
            4,
            PolicyProblem::UnknownKeyword {
                keyword: "frobnicate".into(),
            },
        ),
        (format!("{w}witness w1 {wk}\nquorum w1\n"), 4, dup("w1")),
        (format!("{w}group w2 any w1\nquorum w1\n"), 4, dup("w2")),
        (format!("witness none {wk}\nquorum none\n"), 1, dup("none")),
        (format!("{w}group g 2 w1 w9\nquorum g\n"), 4, unknown("w9")),
        // Only earlier names may be used, which is what rules out cycles.
        (format!("{w}group g any w1 g\nquorum g\n"), 4, unknown("g")),
        (
            format!("{w}group a any w1 b\ngroup b any w2 a\nquorum a\n"),
            4,
            unknown("b"),
        ),
        (format!("{w}quorum g\n"), 4, unknown("g")),
        (
            format!("{w}group g 4 w1 w2 w3\nquorum g\n"),
            4,
            PolicyProblem::ThresholdRange { k: 4, n: 3 },
        ),
        (
            format!("{w}group g 0 w1 w2 w3\nquorum g\n"),
            4,
            PolicyProblem::ThresholdRange { k: 0, n: 3 },
        ),
        (
            format!("{w}group g 02 w1 w2 w3\nquorum g\n"),
            4,
            PolicyProblem::Threshold {
                threshold: "02".into(),
            },
        ),
        (
            format!("{w}group g most w1 w2 w3\nquorum g\n"),
            4,
            PolicyProblem::Threshold {
                threshold: "most".into(),
            },
        ),
        (
            format!("{w}group g 2 w1 w1 w2\nquorum g\n"),
            4,
            PolicyProblem::MemberTwice {
                name: "w1".into(),
                group: "g".into(),
            },
        ),
        (
            format!("{w}group a any w1\ngroup b any w1 w2\nquorum b\n"),
            5,
            PolicyProblem::MemberTwice {
                name: "w1".into(),
                group: "a".into(),
            },
        ),
        (
            format!("{w}group g any w1 none\nquorum g\n"),
            4,
            PolicyProblem::NoneAsMember,
        ),
        (
            format!("{w}quorum w1\nquorum w2\n"),
            5,
            PolicyProblem::SecondQuorum,
        ),
    ];
    assert_refused(cases);
    assert!(matches!(parse(&w), Err(Error::PolicyNoQuorum)));
    assert!(matches!(parse(""), Err(Error::PolicyNoQuorum)));
}

#[test]
fn refusals_of_fields_keys_and_bytes() {
    let w = witnesses(3);
    let log = log_vkey("example.com/log", 9);
    let wk = witness_vkey("x.example", 40);
    let cases: Vec<(String, usize, PolicyProblem)> = vec![
        (
            format!("{w}group g any\nquorum w1\n"),
            4,
            PolicyProblem::Fields {
                keyword: "group",
                expected: "a name, a threshold and members",
            },
        ),
        (
            "quorum\n".into(),
            1,
            PolicyProblem::Fields {
                keyword: "quorum",
                expected: "one name",
            },
        ),
        (
            format!("log {log} https://a.example extra\nquorum none\n"),
            1,
            PolicyProblem::Fields {
                keyword: "log",
                expected: "a vkey and an optional URL",
            },
        ),
        (
            "witness w1\nquorum none\n".into(),
            1,
            PolicyProblem::Fields {
                keyword: "witness",
                expected: "a name, a vkey and an optional URL",
            },
        ),
        (
            format!(
                "log {log}\nlog {}\nquorum none\n",
                log.replacen("example.com/log", "renamed", 1)
            ),
            2,
            PolicyProblem::Key {
                what: "log",
                reason: "key id does not match the key",
            },
        ),
        (
            format!(
                "log {log}\nlog {}\nquorum none\n",
                log_vkey("renamed.example", 9)
            ),
            2,
            PolicyProblem::DuplicateLog,
        ),
        (
            format!(
                "{w}witness w4 {}\nquorum none\n",
                witness_vkey("other.example", 1)
            ),
            4,
            PolicyProblem::DuplicateWitness,
        ),
        // A log key where a witness key belongs, and the other way round.
        (
            format!("witness w1 {log}\nquorum none\n"),
            1,
            PolicyProblem::Key {
                what: "witness",
                reason: "not a cosigner key (type 0x04 or 0x06)",
            },
        ),
        (
            format!("log {wk}\nquorum none\n"),
            1,
            PolicyProblem::Key {
                what: "log",
                reason: "not an Ed25519 (type 0x01) key",
            },
        ),
        (
            "quorum none\r\n".into(),
            1,
            PolicyProblem::ControlCharacter { byte: b'\r' },
        ),
        (
            "# a comment with a bell \u{7}\nquorum none\n".into(),
            1,
            PolicyProblem::ControlCharacter { byte: 7 },
        ),
        ("quorum none".into(), 1, PolicyProblem::Unterminated),
        (
            format!("{w}quorum w1\ngroup g any w1 w2"),
            5,
            PolicyProblem::Unterminated,
        ),
    ];
    assert_refused(cases);
}

/// Names are bytes: this implementation refuses non-UTF-8 in a name, and
/// allows it in comments as the spec does.
#[test]
fn names_must_be_utf8_comments_need_not() {
    assert_eq!(
        Policy::parse(b"quorum \xff\n").unwrap_err().to_string(),
        "policy line 1: not UTF-8"
    );
    assert!(Policy::parse(b"# caf\xe9\nquorum none\n").is_ok());
}

#[test]
fn comments_blank_lines_and_whitespace() {
    let text = format!(
        "  # indented comment\n\n \t \n{}  group\tg \t any  w1 w2 \nquorum g\t\n#last\n",
        witnesses(2)
    );
    let p = parse(&text).unwrap();
    assert!(p.quorum_met(["w2"]));
    // The same key may serve as a log and as a witness (type 0x01 and 0x04).
    let same = format!(
        "log {}\nwitness w {}\nquorum w\n",
        log_vkey("a", 5),
        witness_vkey("a", 5)
    );
    assert!(parse(&same).is_ok());
}

#[test]
fn definitions_are_bounded() {
    let mut text = String::new();
    for i in 0..=MAX_DEFINITIONS {
        let key = SigningKey::from_bytes(&{
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&u64::try_from(i).unwrap().to_be_bytes());
            seed
        });
        let vkey = Cosigner::new("w.example", key)
            .unwrap()
            .verifier()
            .to_text();
        writeln!(text, "witness w{i} {vkey}").unwrap();
    }
    text.push_str("quorum none\n");
    assert_eq!(
        refused(&text),
        (
            MAX_DEFINITIONS + 1,
            PolicyProblem::TooMany { what: "witnesses" }
        )
    );
}

proptest! {
    /// A flat k-of-n group is met exactly when at least k members signed,
    /// and adding a signer never breaks a met quorum (nested groups too).
    #[test]
    fn quorums_count_and_are_monotone(n in 1u8..8, k in 1usize..8, mask in 0u16..256, extra in 0u8..8) {
        let k = k.min(usize::from(n));
        let names: Vec<String> = (1..=n).map(|i| format!("w{i}")).collect();
        let members = names.join(" ");
        let flat = parse(&format!("{}group g {k} {members}\nquorum g\n", witnesses(n))).unwrap();
        let signed: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, s)| s.as_str())
            .collect();
        prop_assert_eq!(flat.quorum_met(signed.iter().copied()), signed.len() >= k);

        let nested = parse(&format!(
            "{}group a any w1 w2\ngroup b 2 w3 w4 w5\ngroup top 2 a b w6 w7\nquorum top\n",
            witnesses(8)
        ))
        .unwrap();
        let set: Vec<String> = (1..=8).filter(|i| mask & (1 << (i - 1)) != 0).map(|i| format!("w{i}")).collect();
        let more: Vec<String> = set.iter().cloned().chain([format!("w{}", extra % 8 + 1)]).collect();
        if nested.quorum_met(set.iter().map(String::as_str)) {
            prop_assert!(nested.quorum_met(more.iter().map(String::as_str)));
        }
    }
}
