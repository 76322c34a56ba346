//! A receipt as `provenant verify` reads it: parse the JSON and verify it
//! offline against a fixed log key. Only a receipt the log really issued
//! (the seeds) may verify; whatever verifies must be internally consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_model::Receipt;
use provenant_tlog::NoteVerifier;

const VERIFIER: &str = include_str!("../seeds/verifier.txt");

fuzz_target!(|data: &[u8]| {
    let Ok(receipt) = serde_json::from_slice::<Receipt>(data) else {
        return;
    };
    let verifier = NoteVerifier::from_text(VERIFIER.trim()).expect("the seed verifier parses");
    if let Ok(checkpoint) = receipt.verify(verifier.name(), &verifier) {
        assert!(receipt.index < checkpoint.size.0);
        let bytes = receipt
            .leaf_bytes()
            .expect("a verified receipt has leaf bytes");
        assert_eq!(provenant_tlog::hash_leaf(&bytes), receipt.leaf_hash.into());
    }
});
