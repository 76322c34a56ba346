//! Real cosignatures from public witnesses (`fixtures/witness/`, whose
//! README says where each file comes from) verify under the keys the Sigsum
//! project publishes for those witnesses, and any flipped bit of a
//! timestamp, a signature or a checkpoint body makes them fail.

use std::collections::BTreeSet;
use std::path::PathBuf;

use provenant_tlog::cosignature::{self, CosignerKey};
use provenant_tlog::note::{self, NoteSignature};
use provenant_tlog::{Error, Note, Policy};
use sha2::{Digest as _, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "../../fixtures/witness", name]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(name: &str) -> String {
    String::from_utf8(fixture(name)).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    provenant_tlog::Hash::from_slice(&Sha256::digest(bytes))
        .unwrap()
        .to_hex()
}

fn policy() -> Policy {
    Policy::parse(&fixture("sigsum-test-2025-3.policy")).unwrap()
}

/// The C2SP policy holds exactly the keys of Sigsum's own policy file, so
/// the keys below come from Sigsum, not from the notes they verify.
#[test]
fn the_converted_policy_has_sigsums_keys() {
    let policy = policy();
    let (mut logs, mut witnesses) = (0, 0);
    for line in text("sigsum-test-2025-3.builtin-policy").lines() {
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            ["log", hex, _url] => {
                let key = unhex(hex);
                let log = &policy.logs()[logs];
                assert_eq!(log.verifier.key().as_bytes()[..], key[..]);
                assert_eq!(
                    log.verifier.name(),
                    format!("sigsum.org/v1/tree/{}", sha256_hex(&key))
                );
                logs += 1;
            }
            ["witness", name, hex] => {
                let w = &policy.witnesses()[witnesses];
                assert_eq!((w.name.as_str(), w.key.name()), (name, name));
                assert_eq!(w.key.key_bytes(), unhex(hex));
                witnesses += 1;
            }
            _ => {}
        }
    }
    assert_eq!(
        (logs, witnesses),
        (policy.logs().len(), policy.witnesses().len())
    );
    assert!(witnesses > 0 && logs > 0);
}

/// The Sigsum proof (`sigsum-rs-example.proof`, key=value lines) rebuilt as
/// a checkpoint note: the log's Ed25519 signature over the checkpoint is a
/// type 0x01 note signature, and each `cosignature=KEYHASH TIME SIG` a
/// `cosignature/v1` line of the witness whose SHA-256(key) is KEYHASH.
fn sigsum_note(policy: &Policy) -> (Note, Vec<(String, u64)>) {
    let proof = text("sigsum-rs-example.proof");
    let field = |k: &str| {
        proof
            .lines()
            .find_map(|l| l.strip_prefix(k))
            .unwrap_or_else(|| panic!("no {k}"))
    };
    let origin = format!("sigsum.org/v1/tree/{}", field("log="));
    let root = provenant_tlog::Hash::from_hex(field("root_hash=")).unwrap();
    let body = format!("{origin}\n{}\n{}\n", field("size="), root.to_base64());
    let log = policy
        .logs()
        .iter()
        .find(|l| l.verifier.name() == origin)
        .unwrap();
    let mut lines = vec![NoteSignature {
        name: origin.clone(),
        id: note::key_id(&origin, log.verifier.key()),
        sig: unhex(field("signature=")),
    }];
    let mut expected = Vec::new();
    for l in proof.lines() {
        let Some(rest) = l.strip_prefix("cosignature=") else {
            continue;
        };
        let [keyhash, time, sig] = rest.split(' ').collect::<Vec<_>>()[..] else {
            panic!("{l}");
        };
        let w = policy
            .witnesses()
            .iter()
            .find(|w| sha256_hex(w.key.key_bytes()) == keyhash)
            .unwrap_or_else(|| panic!("no witness for {keyhash}"));
        let CosignerKey::Ed25519(v) = &w.key else {
            panic!("{} is not Ed25519", w.name)
        };
        let time: u64 = time.parse().unwrap();
        let mut payload = time.to_be_bytes().to_vec();
        payload.extend(unhex(sig));
        lines.push(NoteSignature {
            name: v.name().to_owned(),
            id: v.id(),
            sig: payload,
        });
        expected.push((w.name.clone(), time));
    }
    let mut signed = body.clone();
    signed.push('\n');
    for l in &lines {
        signed.push_str(&l.to_line());
        signed.push('\n');
    }
    (Note::parse(signed.as_bytes()).unwrap(), expected)
}

fn names(cosigned: &[(&provenant_tlog::policy::Witness, u64)]) -> BTreeSet<String> {
    cosigned.iter().map(|(w, _)| w.name.clone()).collect()
}

#[test]
fn a_sigsum_checkpoint_meets_sigsums_quorum() {
    let policy = policy();
    let (note, expected) = sigsum_note(&policy);
    assert!(expected.len() >= 4);
    let checkpoint = policy.verify_checkpoint(&note).unwrap();
    assert_eq!(checkpoint.size.0, 381_382);
    let cosigned = policy.check_quorum(&note).unwrap();
    let got: BTreeSet<(String, u64)> = cosigned.iter().map(|(w, t)| (w.name.clone(), *t)).collect();
    assert_eq!(got, expected.into_iter().collect::<BTreeSet<_>>());
}

/// The policy's witnesses whose lines appear in a note, by name and key id.
fn lines_of_policy_witnesses(policy: &Policy, note: &Note) -> BTreeSet<String> {
    policy
        .witnesses()
        .iter()
        .filter(|w| match &w.key {
            CosignerKey::Ed25519(v) => note.signatures().iter().any(|s| v.is_signer_of(s)),
            CosignerKey::MlDsa44(k) => note.signatures().iter().any(|s| k.is_signer_of(s)),
        })
        .map(|w| w.name.clone())
        .collect()
}

#[test]
fn a_ct_checkpoint_cosigned_by_four_public_witnesses() {
    let policy = policy();
    let note = Note::parse(&fixture("arche2025h1.note")).unwrap();
    let present = lines_of_policy_witnesses(&policy, &note);
    let cosigned = policy.cosigned(&note).unwrap();
    assert_eq!(names(&cosigned), present);
    assert_eq!(
        present,
        BTreeSet::from(
            [
                "remora.n621.de",
                "transparency.dev/DEV:witness-little-garden",
                "witness.stagemole.eu",
                "witness1.smartit.nu/witness1",
            ]
            .map(String::from)
        )
    );
    // All four signed in the same second.
    assert!(cosigned.iter().all(|(_, t)| *t == cosigned[0].1));
    // Sigsum's quorum wants 4 of 6, the Glasklar group counting once for 2
    // of its 3: here only 3 of the 6 are met.
    assert!(matches!(
        policy.check_quorum(&note),
        Err(Error::QuorumNotMet { cosigned: 4 })
    ));
    // The log signs with an RFC 6962 (type 0x05) key the policy lacks.
    assert!(matches!(
        policy.verify_checkpoint(&note),
        Err(Error::PolicyLog { .. })
    ));
}

#[test]
fn an_ml_dsa_line_is_recognised_and_ignored() {
    let note = Note::parse(&fixture("coachandhorses2026h1.note")).unwrap();
    let mldsa = CosignerKey::from_text(text("navigli-mldsa44.vkey").trim_end()).unwrap();
    let CosignerKey::MlDsa44(k) = &mldsa else {
        panic!("not ML-DSA-44")
    };
    assert_eq!(k.name(), "witness.navigli.sunlight.geomys.org");
    assert_eq!(mldsa.to_text(), text("navigli-mldsa44.vkey").trim_end());
    // The vkey's id, checked against the key, is the one on the long line.
    let long = note
        .signatures()
        .iter()
        .find(|s| k.is_signer_of(s))
        .unwrap();
    assert_eq!(long.sig.len(), 8 + 2420);
    assert_eq!(mldsa.verify(&note).unwrap(), None);

    let ed = policy()
        .witnesses()
        .iter()
        .find(|w| w.name == "witness.navigli.sunlight.geomys.org")
        .unwrap()
        .key
        .clone();
    assert!(ed.verify(&note).unwrap().is_some());

    let two = format!(
        "witness ed {}\nwitness ml {}\ngroup g QUORUM ed ml\nquorum g\n",
        ed.to_text(),
        mldsa.to_text()
    );
    let any = Policy::parse(two.replace("QUORUM", "any").as_bytes()).unwrap();
    let all = Policy::parse(two.replace("QUORUM", "all").as_bytes()).unwrap();
    assert_eq!(
        names(&any.check_quorum(&note).unwrap()),
        BTreeSet::from(["ed".to_owned()])
    );
    assert!(matches!(
        all.check_quorum(&note),
        Err(Error::QuorumNotMet { cosigned: 1 })
    ));
}

/// A verified Ed25519 cosignature of the vectors: its key, the checkpoint
/// text, the line, and which bits of a `len`-byte field to flip: every bit
/// for the first one, every 29th bit for the others (an Ed25519 check
/// costs milliseconds in the unoptimised test build).
struct Vector {
    key: CosignerKey,
    text: String,
    sig: NoteSignature,
    exhaustive: bool,
}

impl Vector {
    fn bits(&self, len: usize) -> impl Iterator<Item = usize> {
        let step = if self.exhaustive { 1 } else { 29 };
        (0..len * 8).step_by(step)
    }

    fn verifies(&self, text: &[u8], sig: &NoteSignature) -> bool {
        let CosignerKey::Ed25519(v) = &self.key else {
            unreachable!()
        };
        std::str::from_utf8(text).is_ok_and(|t| v.verify_signature(t, sig).is_ok())
    }
}

fn vectors() -> Vec<Vector> {
    let policy = policy();
    let (sigsum, _) = sigsum_note(&policy);
    let notes = [
        sigsum,
        Note::parse(&fixture("arche2025h1.note")).unwrap(),
        Note::parse(&fixture("coachandhorses2026h1.note")).unwrap(),
    ];
    let mut out: Vec<Vector> = Vec::new();
    for note in &notes {
        for w in policy.witnesses() {
            let CosignerKey::Ed25519(v) = &w.key else {
                continue;
            };
            for s in note.signatures().iter().filter(|s| v.is_signer_of(s)) {
                v.verify_signature(note.text(), s).unwrap();
                out.push(Vector {
                    key: w.key.clone(),
                    text: note.text().to_owned(),
                    sig: s.clone(),
                    exhaustive: out.is_empty(),
                });
            }
        }
    }
    assert_eq!(out.len(), 8 + 4 + 1);
    out
}

#[test]
fn any_flipped_bit_of_timestamp_or_signature_fails() {
    for v in vectors() {
        assert!(v.verifies(v.text.as_bytes(), &v.sig));
        for bit in v.bits(v.sig.sig.len()) {
            let mut bad = v.sig.clone();
            bad.sig[bit / 8] ^= 1 << (bit % 8);
            assert!(
                !v.verifies(v.text.as_bytes(), &bad),
                "{} bit {bit}",
                v.sig.name
            );
        }
    }
}

#[test]
fn any_flipped_bit_of_the_checkpoint_body_fails() {
    for v in vectors() {
        let body = v.text.as_bytes();
        for bit in v.bits(body.len()) {
            let mut bad = body.to_vec();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(!v.verifies(&bad, &v.sig), "{} bit {bit}", v.sig.name);
        }
    }
}

/// The cosigner key id is `SHA-256(name || 0x0A || 0x04 || key)[:4]`: the
/// ids computed from Sigsum's keys are the ones the witnesses put on their
/// lines in the CT checkpoints.
#[test]
fn key_ids_match_the_witnesses_own_lines() {
    let policy = policy();
    let mut seen = 0;
    for file in ["arche2025h1.note", "coachandhorses2026h1.note"] {
        let note = Note::parse(&fixture(file)).unwrap();
        for s in note.signatures() {
            let Some(w) = policy.witnesses().iter().find(|w| w.key.name() == s.name) else {
                continue;
            };
            let CosignerKey::Ed25519(v) = &w.key else {
                continue;
            };
            if s.sig.len() == 72 {
                assert_eq!(s.id, cosignature::key_id(&s.name, v.key()), "{}", s.name);
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 5);
}
