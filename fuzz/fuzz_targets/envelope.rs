//! An envelope as `POST /v1/entries` receives it: parse, validate the
//! payload, verify the signatures, and, for an envelope that parses, check
//! that its canonical form parses back to the same signing input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_model::Envelope;

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = Envelope::from_json(data) else {
        return;
    };
    let again =
        Envelope::from_value(envelope.to_value()).expect("an envelope's own JSON parses again");
    assert_eq!(again.signing_input(), envelope.signing_input());
    assert_eq!(again.id(), envelope.id());
    if let Ok(verified) = envelope.verify() {
        assert!(!verified.signers().is_empty());
    }
});
