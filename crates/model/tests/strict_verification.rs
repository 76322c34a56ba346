//! `verify_signature` gives exactly the verdicts of ed25519-dalek's
//! `verify_strict`: on the speccheck and C2SP vectors in `fixtures/ed25519`
//! (its README gives their sources), on crafted signatures (non-canonical,
//! small-order and mixed-order `R` and `A`, `S` not below the group order),
//! and on honest and mutated signatures. Every case compares the two on the
//! same bytes; a key whose bytes do not decode is refused by both.

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use proptest::prelude::*;
use provenant_model::verify_signature;
use serde_json::Value;
use sha2::{Digest as _, Sha512};

/// The group order `l`, little-endian.
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn strict(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(key)
        .and_then(|k| k.verify_strict(message, &Signature::from_bytes(sig)))
        .is_ok()
}

fn cheap(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(key).is_ok_and(|k| verify_signature(&k, message, sig))
}

/// ed25519-dalek's `verify`: the same equation without the small-order tests.
fn lax(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(key)
        .and_then(|k| k.verify(message, &Signature::from_bytes(sig)))
        .is_ok()
}

/// Asserts that both verdicts agree, and returns it.
fn agree(case: &str, key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> bool {
    let (want, got) = (strict(key, message, sig), cheap(key, message, sig));
    assert_eq!(
        got, want,
        "{case}: verify_signature {got}, verify_strict {want}"
    );
    want
}

fn unhex<const N: usize>(text: &str) -> [u8; N] {
    assert_eq!(text.len(), 2 * N, "{text}");
    let mut out = [0; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

fn unhex_vec(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn fixture(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../fixtures/ed25519/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().expect(field)
}

#[test]
fn speccheck_vectors() {
    let cases = fixture("speccheck-cases.json");
    assert_eq!(cases.len(), 12);
    let accepted: Vec<usize> = (0..cases.len())
        .filter(|&i| {
            let c = &cases[i];
            agree(
                &format!("speccheck case {i}"),
                &unhex(text(c, "pub_key")),
                &unhex_vec(text(c, "message")),
                &unhex(text(c, "signature")),
            )
        })
        .collect();
    // The repository's results.md: "Dalek strict" accepts case 3 only.
    assert_eq!(accepted, [3]);
}

#[test]
fn c2sp_vectors() {
    let vectors = fixture("cctv-ed25519vectors.json");
    assert_eq!(vectors.len(), 914);
    let mut accepted = 0;
    for v in &vectors {
        let flags: Vec<&str> = v["flags"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let verdict = agree(
            &format!("C2SP vector {} {flags:?}", v["number"]),
            &unhex(text(v, "key")),
            text(v, "msg").as_bytes(),
            &unhex(text(v, "sig")),
        );
        // The repository's ed25519/README.md: `verify_strict` accepts
        // exactly the vectors with no flag but a low-order component.
        let documented = flags
            .iter()
            .all(|f| *f == "low_order_component_A" || *f == "low_order_component_R");
        assert_eq!(verdict, documented, "C2SP vector {} {flags:?}", v["number"]);
        accepted += usize::from(verdict);
    }
    assert!(accepted > 0 && accepted < vectors.len());
}

fn scalar(seed: u64) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&Sha512::digest(seed.to_le_bytes()).into())
}

fn point(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    CompressedEdwardsY(*bytes).decompress()
}

/// `k = SHA-512(R || A || M)` reduced, over the bytes as given.
fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
    let h = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(message)
        .finalize();
    Scalar::from_bytes_mod_order_wide(&h.into())
}

/// `R || S` with `S = r + k a`: the signature of a signer whose secret
/// scalar is `a`, whatever torsion `A` and `R` also carry.
fn sign_raw(
    r_bytes: [u8; 32],
    r: Scalar,
    a_bytes: [u8; 32],
    a: Scalar,
    message: &[u8],
) -> [u8; 64] {
    let s = r + challenge(&r_bytes, &a_bytes, message) * a;
    let mut sig = [0; 64];
    sig[..32].copy_from_slice(&r_bytes);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

/// A little-endian 256-bit sum, `None` when it overflows.
fn add_le(x: &[u8; 32], y: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(x[i]) + u16::from(y[i]) + carry;
        out[i] = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

fn byte(i: usize) -> u8 {
    u8::try_from(i).expect("a small index")
}

fn torsion(i: usize) -> EdwardsPoint {
    EIGHT_TORSION[i]
}

#[test]
fn honest_and_s_not_below_the_group_order() {
    let (a, r) = (scalar(1), scalar(2));
    let a_bytes = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let r_bytes = EdwardsPoint::mul_base(&r).compress().to_bytes();
    let sig = sign_raw(r_bytes, r, a_bytes, a, b"honest");
    assert!(agree("honest", &a_bytes, b"honest", &sig));

    // S + l, S + 2l, ... while it fits in 256 bits: the same point
    // equation, refused for the non-canonical S.
    let mut s: [u8; 32] = sig[32..].try_into().expect("32 bytes");
    let mut multiples = 0;
    while let Some(next) = add_le(&s, &GROUP_ORDER) {
        s = next;
        let mut bad = sig;
        bad[32..].copy_from_slice(&s);
        assert!(!agree(
            &format!("S + {}l", multiples + 1),
            &a_bytes,
            b"honest",
            &bad
        ));
        multiples += 1;
    }
    assert!(multiples >= 14);
    // S = l, and S with the top bit set.
    let mut bad = sig;
    bad[32..].copy_from_slice(&GROUP_ORDER);
    agree("S = l", &a_bytes, b"honest", &bad);
    let mut bad = sig;
    bad[63] |= 0x80;
    agree("S with bit 255", &a_bytes, b"honest", &bad);
}

/// The encodings `p + y` (y < 19, the only values of y with two encodings)
/// with either sign bit, and the "x = -0" encodings of y = 1 and y = -1.
fn non_canonical_encodings() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for y in 0u8..19 {
        // p + y = 2^255 - 19 + y, little-endian.
        let mut bytes = [0xff; 32];
        bytes[0] = 0xed + y;
        bytes[31] = 0x7f;
        out.push(bytes);
        bytes[31] |= 0x80;
        out.push(bytes);
    }
    let mut one = [0; 32];
    one[0] = 1;
    one[31] = 0x80;
    out.push(one);
    let mut minus_one = [0xff; 32];
    minus_one[0] = 0xec;
    out.push(minus_one);
    out.retain(|bytes| point(bytes).is_some_and(|p| p.compress().to_bytes() != *bytes));
    out
}

#[test]
fn non_canonical_r_and_a() {
    let encodings = non_canonical_encodings();
    let small: Vec<&[u8; 32]> = encodings
        .iter()
        .filter(|bytes| point(bytes).is_some_and(|p| p.is_small_order()))
        .collect();
    // The C2SP README lists the six non-canonical encodings of small-order
    // points; the others (y < 19 on the curve) are of large order, with no
    // known discrete logarithm.
    assert_eq!(small.len(), 6);
    assert!(encodings.len() > small.len());
    let (a, r) = (scalar(3), scalar(4));
    let a_bytes = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let r_bytes = EdwardsPoint::mul_base(&r).compress().to_bytes();
    for (n, bytes) in encodings.iter().enumerate() {
        let n = u8::try_from(n).expect("few encodings");
        // As R, with S making [S]B - [k]A the identity (the point R denotes
        // when it is the identity).
        for m in 0u8..8 {
            let message = [b'r', n, m];
            let sig = sign_raw(*bytes, Scalar::ZERO, a_bytes, a, &message);
            assert!(!agree(
                &format!("non-canonical R {n}"),
                &a_bytes,
                &message,
                &sig
            ));
        }
        // As A. For a small-order A, messages are ground until [k]A
        // vanishes, so the plain equation holds; only the weak-key test
        // refuses it (a list of A encodings would miss these).
        let mut lax_accepted = false;
        for m in 0u8..64 {
            let message = [b'a', n, m];
            let sig = sign_raw(r_bytes, r, *bytes, Scalar::ZERO, &message);
            lax_accepted |= lax(bytes, &message, &sig);
            assert!(!agree(
                &format!("non-canonical A {n}"),
                bytes,
                &message,
                &sig
            ));
        }
        assert_eq!(lax_accepted, small.contains(&bytes), "non-canonical A {n}");
    }
}

#[test]
fn not_a_point_as_r() {
    let (a, r) = (scalar(5), scalar(6));
    let a_bytes = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let mut tried = 0;
    for y in 2u8..40 {
        let mut bytes = [0; 32];
        bytes[0] = y;
        if point(&bytes).is_some() {
            continue;
        }
        let sig = sign_raw(bytes, r, a_bytes, a, b"not a point");
        assert!(!agree("R not a point", &a_bytes, b"not a point", &sig));
        tried += 1;
    }
    assert!(tried > 0);
}

#[test]
fn small_order_r_and_a() {
    let (a, r) = (scalar(7), scalar(8));
    let a_bytes = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let r_bytes = EdwardsPoint::mul_base(&r).compress().to_bytes();
    for i in 0..8 {
        let t = torsion(i);
        let t_bytes = t.compress().to_bytes();
        // Small-order R, honest A, S = k a: R' is the identity, so the
        // plain equation holds for the identity's encoding only.
        let sig = sign_raw(t_bytes, Scalar::ZERO, a_bytes, a, b"small R");
        assert_eq!(lax(&a_bytes, b"small R", &sig), i == 0);
        assert!(!agree(
            &format!("small-order R {i}"),
            &a_bytes,
            b"small R",
            &sig
        ));

        // Small-order A, honest R, S = r: holds when [k]A vanishes.
        let mut lax_accepted = false;
        for m in 0u8..64 {
            let message = [b'A', byte(i), m];
            let sig = sign_raw(r_bytes, r, t_bytes, Scalar::ZERO, &message);
            lax_accepted |= lax(&t_bytes, &message, &sig);
            assert!(!agree(
                &format!("small-order A {i}"),
                &t_bytes,
                &message,
                &sig
            ));
        }
        assert!(lax_accepted, "small-order A {i}");

        // Both small: S = 0, R' = -[k]A; holds when that is R.
        for j in 0..8 {
            let u_bytes = torsion(j).compress().to_bytes();
            for m in 0u8..16 {
                let message = [b'b', byte(i), byte(j), m];
                let mut sig = [0; 64];
                sig[..32].copy_from_slice(&t_bytes);
                assert!(!agree(
                    &format!("small-order R {i} and A {j}"),
                    &u_bytes,
                    &message,
                    &sig
                ));
            }
        }
    }
}

#[test]
fn mixed_order_r_and_a() {
    let (a, r) = (scalar(9), scalar(10));
    let mut accepted_with_torsion = 0;
    let mut refused = 0;
    for i in 0..8 {
        for j in 0..8 {
            let big_r = EdwardsPoint::mul_base(&r) + torsion(i);
            let big_a = EdwardsPoint::mul_base(&a) + torsion(j);
            let (r_bytes, a_bytes) = (big_r.compress().to_bytes(), big_a.compress().to_bytes());
            for m in 0u8..16 {
                let message = [b'm', byte(i), byte(j), m];
                let sig = sign_raw(r_bytes, r, a_bytes, a, &message);
                let verdict = agree(
                    &format!("R + torsion {i}, A + torsion {j}"),
                    &a_bytes,
                    &message,
                    &sig,
                );
                // [S]B - [k]A = rB - [k]T_j, which is R = rB + T_i exactly
                // when T_i + [k]T_j is the identity.
                let k = challenge(&r_bytes, &a_bytes, &message);
                assert_eq!(verdict, (torsion(i) + torsion(j) * k).is_identity());
                if verdict && i != 0 {
                    accepted_with_torsion += 1;
                }
                refused += usize::from(!verdict);
            }
        }
    }
    assert!(accepted_with_torsion > 0 && refused > 0);
}

/// A change to an honest signature.
#[derive(Debug, Clone)]
enum Mutation {
    None,
    FlipR(usize),
    FlipS(usize),
    FlipA(usize),
    FlipMessage(usize),
    TorsionR(usize),
    TorsionA(usize),
    SPlusL,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::None),
        (0..256usize).prop_map(Mutation::FlipR),
        (0..256usize).prop_map(Mutation::FlipS),
        (0..256usize).prop_map(Mutation::FlipA),
        (0..512usize).prop_map(Mutation::FlipMessage),
        (1..8usize).prop_map(Mutation::TorsionR),
        (1..8usize).prop_map(Mutation::TorsionA),
        Just(Mutation::SPlusL),
    ]
}

fn flip<const N: usize>(bytes: &mut [u8], bit: usize) {
    let bit = bit % (8 * N);
    bytes[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn honest_and_mutated_signatures(
        seed in any::<[u8; 32]>(),
        mut message in proptest::collection::vec(any::<u8>(), 0..64),
        change in mutation(),
    ) {
        let key = SigningKey::from_bytes(&seed);
        let mut sig = key.sign(&message).to_bytes();
        let mut a = key.verifying_key().to_bytes();
        match change {
            Mutation::None => {}
            Mutation::FlipR(bit) => flip::<32>(&mut sig[..32], bit),
            Mutation::FlipS(bit) => flip::<32>(&mut sig[32..], bit),
            Mutation::FlipA(bit) => flip::<32>(&mut a, bit),
            Mutation::FlipMessage(bit) if message.is_empty() => message.push(bit.to_le_bytes()[0]),
            Mutation::FlipMessage(bit) => {
                let bit = bit % (8 * message.len());
                message[bit / 8] ^= 1 << (bit % 8);
            }
            Mutation::TorsionR(i) => {
                let r = point(sig[..32].try_into().expect("32 bytes")).expect("honest R");
                sig[..32].copy_from_slice((r + torsion(i)).compress().as_bytes());
            }
            Mutation::TorsionA(i) => {
                let point_a = point(&a).expect("honest A");
                a = (point_a + torsion(i)).compress().to_bytes();
            }
            Mutation::SPlusL => {
                let s: [u8; 32] = sig[32..].try_into().expect("32 bytes");
                sig[32..].copy_from_slice(&add_le(&s, &GROUP_ORDER).expect("S + l fits"));
            }
        }
        let verdict = agree(&format!("{change:?}"), &a, &message, &sig);
        if matches!(change, Mutation::None) {
            prop_assert!(verdict);
        }
    }
}
