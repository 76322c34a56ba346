//! A design's sidecar, signed with a fresh test CA and read back with the
//! SDK's reader: valid against the design's bytes, trusted when the test CA
//! is an anchor, invalid after one flipped byte; and the assertions say
//! what the registration said.

use std::io::Cursor;

use provenant_api::DesignDetails;
use provenant_c2pa::{Credential, Issuer, Parent, Trust, check, test_ca};
use provenant_model::payload::{AiDisclosure, Creator};
use provenant_model::{Entry, Ppm, Receipt, Timestamp, hash_content};
use provenant_testkit::{envelope, id, key};
use serde_json::json;

const DESIGN: &[u8] = b"\x89PNG\r\n\x1a\n a shoe charm, drawn from a prompt";

fn details() -> DesignDetails {
    let content = hash_content(DESIGN)
        .unwrap()
        .with_media_type("image/png".parse().unwrap());
    DesignDetails {
        content,
        title: "A shoe charm".into(),
        description: "Drawn from a customer's prompt".into(),
        creators: vec![
            Creator {
                key: id(&key(1)),
                share_ppm: Ppm::new(600_000).unwrap(),
                role: "designer".parse().unwrap(),
            },
            Creator {
                key: id(&key(2)),
                share_ppm: Ppm::new(400_000).unwrap(),
                role: "customer".parse().unwrap(),
            },
        ],
        ai: Some(AiDisclosure {
            digital_source_type:
                "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
                    .parse()
                    .unwrap(),
            software_agent: Some("charm-diffusion 2".into()),
            human_contribution: Some("sketch and colours".into()),
        }),
    }
}

/// A receipt shaped like the ledger's (no log signs it here: the manifest
/// carries it, the ledger's tests verify it).
fn receipt() -> Receipt {
    let env = envelope(
        provenant_model::Kind::DesignRegister,
        json!({"content": details().content, "title": "A shoe charm",
               "creators": [{"key": id(&key(1)).to_string(), "share_ppm": 1_000_000, "role": "designer"}]}),
        &[&key(1)],
    );
    let entry = Entry::new(env, "2026-12-01T00:00:00Z".parse::<Timestamp>().unwrap());
    Receipt::new(
        &entry,
        7,
        Vec::new(),
        "log.example\n8\nAAAA\n\n— log sig\n".into(),
    )
    .unwrap()
}

#[test]
fn a_sidecar_is_valid_trusted_with_its_ca_and_invalid_for_other_bytes() {
    let ca = test_ca("Provenant tests", 2).unwrap();
    let issuer = Issuer::new(ca.chain_pem.into_bytes(), ca.key_pem.into_bytes()).unwrap();
    let details = details();
    let receipt = receipt();
    let parent = hash_content(&b"a sneaker"[..]).unwrap().blake3;
    let sidecar = issuer
        .sign(&Credential {
            details: &details,
            parents: vec![Parent {
                design: parent,
                title: "A sneaker".into(),
                media_type: "image/png".parse().unwrap(),
            }],
            receipt: &receipt,
        })
        .unwrap();

    let untrusted = check(&sidecar, Cursor::new(DESIGN), "image/png", None).unwrap();
    assert_eq!(untrusted.trust, Trust::Valid, "{:?}", untrusted.failures);
    let trusted = check(&sidecar, Cursor::new(DESIGN), "image/png", Some(&ca.ca_pem)).unwrap();
    assert_eq!(trusted.trust, Trust::Trusted, "{:?}", trusted.failures);
    assert_eq!(trusted.issuer.as_deref(), Some("Provenant tests"));

    let mut flipped = DESIGN.to_vec();
    flipped[12] ^= 1;
    let tampered = check(
        &sidecar,
        Cursor::new(flipped),
        "image/png",
        Some(&ca.ca_pem),
    )
    .unwrap();
    assert_eq!(tampered.trust, Trust::Invalid);
    assert!(
        tampered
            .failures
            .iter()
            .any(|f| f == "assertion.dataHash.mismatch"),
        "{:?}",
        tampered.failures
    );

    let created = &trusted.actions[0];
    assert_eq!(created["action"], "c2pa.created");
    assert_eq!(
        created["digitalSourceType"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
    );
    assert_eq!(trusted.actions[1]["action"], "c2pa.placed");
    let authors = &trusted.creative_work.as_ref().unwrap()["author"];
    assert_eq!(authors[0]["identifier"], id(&key(1)).to_string());
    assert_eq!(authors[1]["identifier"], id(&key(2)).to_string());
    assert_eq!(
        trusted.ingredients,
        [format!("urn:provenant:design:{parent}")]
    );
    assert_eq!(trusted.receipt.as_ref(), Some(&receipt));
}

#[test]
fn a_chain_the_c2pa_profile_refuses_is_refused_up_front() {
    let ca = test_ca("Provenant tests", 2).unwrap();
    // The CA's own certificate as the signer: a CA may not sign manifests.
    let ca_as_signer = Issuer::new(
        ca.ca_pem.clone().into_bytes(),
        ca.key_pem.clone().into_bytes(),
    );
    assert!(ca_as_signer.is_err());
    let other = test_ca("Someone else", 2).unwrap();
    // A key that is not the certificate's.
    assert!(Issuer::new(ca.chain_pem.into_bytes(), other.key_pem.into_bytes()).is_err());
    assert!(Issuer::new(b"not pem".to_vec(), b"not pem".to_vec()).is_err());
}
