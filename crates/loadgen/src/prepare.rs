//! Workloads signed before the clock starts, so that signing is never
//! counted as server work. Every key and every content is derived from a
//! tag and an index, so a later run (the read mix) can name the designs a
//! fill wrote without any state.

use std::fmt::Display;
use std::str::FromStr;

use ed25519_dalek::SigningKey;
use provenant_model::payload::{Creator, DesignRegister, LicenseGrant, UsageRecord};
use provenant_model::{
    ContentDescriptor, DesignId, Envelope, GrantId, Identity, LicenseTerms, Payload, Ppm, Royalty,
    RoyaltyPolicy, hash_content, identity_of,
};
use sha2::{Digest as _, Sha256};

/// A key derived from `tag` and `n`.
pub fn derived_key(tag: &str, n: u64) -> SigningKey {
    let seed: [u8; 32] = Sha256::new()
        .chain_update(tag.as_bytes())
        .chain_update(n.to_be_bytes())
        .finalize()
        .into();
    SigningKey::from_bytes(&seed)
}

/// The bytes of design `n` of a run tagged `tag`.
pub fn content(tag: &str, n: u64) -> Vec<u8> {
    format!("{tag}/design/{n}").into_bytes()
}

/// The id of design `n` of a run tagged `tag`.
pub fn design_id(tag: &str, n: u64) -> DesignId {
    match hash_content(&content(tag, n)[..]) {
        Ok(h) => h.blake3,
        Err(_) => unreachable!("hashing bytes in memory does not fail"),
    }
}

/// The brand (licensee) key `n` of a run.
pub fn brand(tag: &str, n: u64) -> SigningKey {
    derived_key(&format!("{tag}/brand"), n)
}

/// The identity of a key.
pub fn id(key: &SigningKey) -> Identity {
    identity_of(key).unwrap_or_else(|e| panic!("a derived key has an identity: {e}"))
}

/// A value of the vocabulary written here, such as a country or a
/// channel: a typo is the load tool's bug.
pub fn parsed<T: FromStr>(text: &str) -> T
where
    T::Err: Display,
{
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is a valid value: {e}"))
}

fn bytes(env: &Envelope) -> Vec<u8> {
    env.to_value().to_string().into_bytes()
}

fn signed(payload: &Payload, signers: &[&SigningKey]) -> Envelope {
    let mut env = match Envelope::new(payload) {
        Ok(env) => env,
        Err(e) => panic!("a prepared payload is valid: {e}"),
    };
    for key in signers {
        if let Err(e) = env.sign(key) {
            panic!("signing a prepared payload: {e}");
        }
    }
    env
}

/// A registration of design `n`, by creator key `n % keys`.
pub fn registration(tag: &str, n: u64, keys: u64) -> Vec<u8> {
    let creator = derived_key(&format!("{tag}/creator"), n % keys);
    let Ok(h) = hash_content(&content(tag, n)[..]) else {
        unreachable!("hashing bytes in memory does not fail")
    };
    let payload = Payload::DesignRegister(DesignRegister {
        content: ContentDescriptor {
            blake3: h.blake3,
            sha256: h.sha256,
            size: h.size,
            media_type: parsed("image/png"),
            iscc: None,
        },
        title: format!("Design {n}"),
        description: String::new(),
        creators: vec![Creator {
            key: id(&creator),
            share_ppm: Ppm::ONE,
            role: parsed("designer"),
        }],
        parents: Vec::new(),
        ai: None,
        license_threshold_ppm: Ppm::ONE,
    });
    bytes(&signed(&payload, &[&creator]))
}

/// The royalty of every grant: 5% of a derivative's revenue.
const REV_SHARE: Ppm = match Ppm::new(50_000) {
    Some(ppm) => ppm,
    None => panic!("5% is a valid share"),
};

/// A commercial, worldwide, uncapped grant of design `n` to brand
/// `n % 8`, made unique by `variant` (its start, in seconds after 2025).
pub fn grant(tag: &str, n: u64, keys: u64, variant: u64) -> (Vec<u8>, GrantId) {
    let owner = derived_key(&format!("{tag}/creator"), n % keys);
    let licensee = brand(tag, n % 8);
    let day = variant / 86_400;
    let starts = format!(
        "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        1 + (day / 28) % 12,
        1 + day % 28,
        (variant / 3600) % 24,
        (variant / 60) % 60,
        variant % 60
    );
    let payload = Payload::LicenseGrant(LicenseGrant {
        design: design_id(tag, n),
        licensee: id(&licensee),
        terms: LicenseTerms {
            commercial_use: true,
            derivatives_allowed: true,
            derivatives_reciprocal: false,
            derivatives_approval: false,
            attribution: true,
            royalty: Royalty {
                policy: RoyaltyPolicy::Lap,
                rev_share_ppm: REV_SHARE,
            },
            minting_fee: None,
            territories: Vec::new(),
            channels: Vec::new(),
            categories: Vec::new(),
            starts_at: parsed(&starts),
            ends_at: None,
            max_units: None,
            exclusive: false,
            sublicensable: false,
            transferable: false,
            ai_training: false,
        },
    });
    // The id is over the signing input, so the signed envelope gives it.
    let env = signed(&payload, &[&owner, &licensee]);
    (bytes(&env), GrantId::from(env.id()))
}

/// A production run of one unit under `grant`, by its licensee.
pub fn usage(grant: GrantId, licensee: &SigningKey, batch: u64) -> Vec<u8> {
    let payload = Payload::UsageRecord(UsageRecord {
        grant,
        quantity: 1,
        territory: parsed("FR"),
        channel: parsed("retail"),
        category: parsed("accessories"),
        batch_ref: format!("run-{batch}"),
    });
    bytes(&signed(&payload, &[licensee]))
}

/// Designs the write mix grants and records usage on, registered first.
pub const SETUP_DESIGNS: u64 = 64;

/// The write mix: the setup (registrations of [`SETUP_DESIGNS`] designs and
/// a grant on each), then `count` measured writes: 70% registrations of new
/// designs, 15% grants on setup designs, 15% production runs under setup
/// grants. Signed on `threads` threads.
pub fn write_mix(tag: &str, count: u64, keys: u64, threads: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut setup = Vec::new();
    let mut grants = Vec::new();
    for n in 0..SETUP_DESIGNS {
        setup.push(registration(tag, n, keys));
    }
    for n in 0..SETUP_DESIGNS {
        let (bytes, id) = grant(tag, n, keys, 0);
        setup.push(bytes);
        grants.push(id);
    }
    let one = |i: u64| -> Vec<u8> {
        let n = SETUP_DESIGNS + i;
        match i % 20 {
            0..14 => registration(tag, n, keys),
            14..17 => grant(tag, i % SETUP_DESIGNS, keys, 1 + i).0,
            _ => {
                let g = i % SETUP_DESIGNS;
                usage(
                    grants[usize::try_from(g).unwrap_or(0)],
                    &brand(tag, g % 8),
                    i,
                )
            }
        }
    };
    (setup, in_parallel(count, threads, &one))
}

/// `count` registrations (and a grant on every tenth design), for a log
/// the read mix runs against.
pub fn fill(tag: &str, count: u64, keys: u64, threads: usize) -> Vec<Vec<u8>> {
    let mut out = in_parallel(count, threads, &|n| registration(tag, n, keys));
    out.extend(in_parallel(count.div_ceil(10), threads, &|k| {
        grant(tag, k * 10, keys, 0).0
    }));
    out
}

fn in_parallel(count: u64, threads: usize, make: &(dyn Fn(u64) -> Vec<u8> + Sync)) -> Vec<Vec<u8>> {
    let threads = threads.max(1) as u64;
    let chunks: Vec<Vec<Vec<u8>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..count)
                        .step_by(usize::try_from(threads).unwrap_or(1))
                        .map(make)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // Interleave back into index order.
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut iters: Vec<_> = chunks.into_iter().map(Vec::into_iter).collect();
    'outer: loop {
        for it in &mut iters {
            match it.next() {
                Some(v) => out.push(v),
                None => break 'outer,
            }
        }
    }
    out
}
