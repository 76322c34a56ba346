//! A C2SP tlog-proof bundle as `provenant verify` reads it: parse, print
//! and parse again to the same bundle, then verify it for an entry against
//! a fixed log key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_tlog::NoteVerifier;
use provenant_tlog::bundle::ProofBundle;

const VERIFIER: &str = include_str!("../seeds/verifier.txt");

fuzz_target!(|data: &[u8]| {
    // The first line is the entry's bytes in hex; the rest, the bundle.
    let Some(at) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let (entry, bundle) = (&data[..at], &data[at + 1..]);
    let Ok(text) = std::str::from_utf8(bundle) else {
        return;
    };
    let Ok(parsed) = ProofBundle::parse(text) else {
        return;
    };
    let again = ProofBundle::parse(&parsed.to_text()).expect("a bundle's own text parses again");
    assert_eq!(again.to_text(), parsed.to_text());
    let verifier = NoteVerifier::from_text(VERIFIER.trim()).expect("the seed verifier parses");
    let entry = hex(entry).unwrap_or_else(|| entry.to_vec());
    let _ = parsed.verify(&entry, verifier.name(), &verifier);
});

fn hex(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
