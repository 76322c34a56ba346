//! The small parsers the command line needs: shares (`60%`, `600000ppm`),
//! `KEY=SHARE` and creators, identities, and media types from file names.

use std::path::Path;

use provenant_model::{Identity, Label, Ppm};

use super::DraftError;

/// The role a creator gets when none is given.
pub const DEFAULT_ROLE: &str = "designer";

/// Decimals allowed in a percentage: `0.0001%` is 1 ppm.
const MAX_DECIMALS: usize = 4;

fn share_error(text: &str, why: &str) -> DraftError {
    DraftError::Share(format!("{text:?} is not a share: {why}"))
}

/// Digits only (no sign, no spaces), at most 12 of them.
fn digits(text: &str) -> Option<u64> {
    let ok = !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit());
    if ok { text.parse().ok() } else { None }
}

/// A percentage or ppm value between 0% and 100%, zero allowed.
fn parse_ppm(text: &str) -> Result<Ppm, DraftError> {
    let trimmed = text.trim();
    let value = if let Some(number) = trimmed.strip_suffix("ppm") {
        digits(number.trim_end())
            .ok_or_else(|| share_error(text, "expected a whole number of ppm, such as 600000ppm"))?
    } else if let Some(number) = trimmed.strip_suffix('%') {
        let number = number.trim_end();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        if fraction.len() > MAX_DECIMALS {
            return Err(share_error(
                text,
                "at most 4 decimals (0.0001% is 1 ppm); or give ppm, such as 333333ppm",
            ));
        }
        // 1% is 10_000 ppm; a fraction of n digits scales by 10^(4 - n).
        let scale = 10u64.pow(pad(fraction.len()));
        digits(whole)
            .zip(digits(fraction))
            .and_then(|(w, f)| w.checked_mul(10_000)?.checked_add(f * scale))
            .ok_or_else(|| share_error(text, "expected a percentage such as 60% or 33.3333%"))?
    } else {
        return Err(share_error(
            text,
            "write a percentage such as 60% or parts per million such as 600000ppm",
        ));
    };
    u32::try_from(value)
        .ok()
        .and_then(Ppm::new)
        .ok_or_else(|| share_error(text, "more than 100%"))
}

/// The power of ten that scales a fraction of `len` digits to four.
fn pad(len: usize) -> u32 {
    u32::try_from(MAX_DECIMALS.saturating_sub(len)).unwrap_or(0)
}

/// Parses a share of ownership: `60%`, `33.3333%` (at most four decimals)
/// or `600000ppm`. Exact integer math; more than 0 and at most 100%.
///
/// # Errors
/// [`DraftError::Share`] for anything else.
pub fn parse_share(text: &str) -> Result<Ppm, DraftError> {
    let ppm = parse_ppm(text)?;
    if ppm == Ppm::ZERO {
        return Err(share_error(text, "a share must be more than 0"));
    }
    Ok(ppm)
}

/// Parses a revenue share like [`parse_share`], but `0%` is allowed.
///
/// # Errors
/// [`DraftError::Share`] for anything but 0% to 100%.
pub fn parse_rev_share(text: &str) -> Result<Ppm, DraftError> {
    parse_ppm(text)
}

/// Splits `KEY=SHARE` at the last `=` whose right part is a share (ends
/// with `%` or `ppm`), since a base64 identity itself ends with `=`.
/// Returns the key's text (an identity, or whatever the caller accepts,
/// such as a key file's path) and the share.
///
/// # Errors
/// [`DraftError::Share`] when there is no `=SHARE`, no key, or a bad share.
pub fn split_key_share(text: &str) -> Result<(&str, Ppm), DraftError> {
    let expected = || {
        DraftError::Share(format!(
            "{text:?}: expected KEY=SHARE, the share ending in % or ppm \
             (ed25519:...=60%, alice.pem=600000ppm)"
        ))
    };
    let (key, share) = text
        .rmatch_indices('=')
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
        .find(|(_, right)| {
            let right = right.trim_end();
            right.ends_with('%') || right.ends_with("ppm")
        })
        .ok_or_else(expected)?;
    if key.trim().is_empty() {
        return Err(expected());
    }
    Ok((key.trim(), parse_share(share)?))
}

/// Parses `ed25519:...=SHARE` into an identity and its share.
///
/// # Errors
/// [`DraftError::Share`] or [`DraftError::Key`].
pub fn parse_key_share(text: &str) -> Result<(Identity, Ppm), DraftError> {
    let (key, share) = split_key_share(text)?;
    Ok((parse_identity(key)?, share))
}

/// Splits a creator, `KEY=SHARE` or `KEY=SHARE:ROLE`, into the key's text,
/// the share and the role ([`DEFAULT_ROLE`] when none is given). A role is
/// a label (`designer`, `customer`, `ai-operator`...).
///
/// # Errors
/// As [`split_key_share`], and [`DraftError::Invalid`] for a bad role.
pub fn split_creator(text: &str) -> Result<(&str, Ppm, Label), DraftError> {
    let (rest, role) = match text.rsplit_once(':') {
        // A role only ever follows a share, so `ed25519:` is never one.
        Some((rest, role)) if rest.ends_with('%') || rest.ends_with("ppm") => {
            (rest, role.parse::<Label>()?)
        }
        _ => (text, DEFAULT_ROLE.parse::<Label>()?),
    };
    let (key, share) = split_key_share(rest)?;
    Ok((key, share, role))
}

/// Parses an `ed25519:` identity.
///
/// # Errors
/// [`DraftError::Key`], saying what is wrong with it.
pub fn parse_identity(text: &str) -> Result<Identity, DraftError> {
    text.parse()
        .map_err(|e| DraftError::Key(format!("{text:?} is not an identity: {e}")))
}

/// The media type to assume for a design file, from its extension (any
/// case): common image, document and 3D formats, else
/// `application/octet-stream`.
#[must_use]
pub fn media_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("stl") => "model/stl",
        Some("obj") => "model/obj",
        Some("glb") => "model/gltf-binary",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use provenant_model::MediaType;
    use provenant_testkit::{id, key};

    use super::*;
    use crate::draft::test_support::ppm;

    #[test]
    fn shares_parse_exactly() {
        let cases = [
            ("60%", 600_000),
            ("100%", 1_000_000),
            ("100.0000%", 1_000_000),
            ("33.3333%", 333_333),
            ("0.0001%", 1),
            ("12.5%", 125_000),
            ("600000ppm", 600_000),
            ("1ppm", 1),
            (" 40 % ", 400_000),
            ("1000000ppm", 1_000_000),
        ];
        for (text, want) in cases {
            assert_eq!(parse_share(text).unwrap(), ppm(want), "{text}");
        }
        let bad = [
            "0%",
            "0ppm",
            "0.0000%",
            "100.0001%",
            "101%",
            "1000001ppm",
            "60",
            "60.%",
            ".5%",
            "33.33333%",
            "-5%",
            "+5%",
            "5e1%",
            "%",
            "ppm",
            "",
            "sixty%",
            "1.5ppm",
            "99999999999999999999%",
        ];
        for text in bad {
            assert!(
                matches!(parse_share(text), Err(DraftError::Share(_))),
                "{text}"
            );
        }
        assert_eq!(parse_rev_share("0%").unwrap(), Ppm::ZERO);
        assert!(parse_rev_share("100.5%").is_err());
    }

    #[test]
    fn key_shares_split_at_the_share() {
        let alice = id(&key(1));
        let text = format!("{alice}=60%");
        // A base64 identity ends with '=': the split is at the last one.
        assert!(alice.to_string().ends_with('='));
        assert_eq!(parse_key_share(&text).unwrap(), (alice, ppm(600_000)));
        assert_eq!(
            parse_key_share(&format!("{alice}=250000ppm")).unwrap(),
            (alice, ppm(250_000))
        );
        assert_eq!(
            split_key_share("keys/alice.pem=40%").unwrap(),
            ("keys/alice.pem", ppm(400_000))
        );
        for bad in [
            alice.to_string(),
            format!("{alice}60%"),
            "=60%".to_owned(),
            format!("{alice}=60"),
            format!("{alice}=0%"),
        ] {
            assert!(parse_key_share(&bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_key_share("ed25519:AAAA=60%"),
            Err(DraftError::Key(_))
        ));
    }

    #[test]
    fn creators_take_an_optional_role() {
        let alice = id(&key(1)).to_string();
        let plain = format!("{alice}=60%");
        let (k, share, role) = split_creator(&plain).unwrap();
        assert_eq!(
            (k, share, role.as_str()),
            (alice.as_str(), ppm(600_000), "designer")
        );
        let with_role = format!("{alice}=40%:customer");
        let (k, _, role) = split_creator(&with_role).unwrap();
        assert_eq!((k, role.as_str()), (alice.as_str(), "customer"));
        let (k, _, role) = split_creator("C:/keys/a.pem=5ppm").unwrap();
        assert_eq!((k, role.as_str()), ("C:/keys/a.pem", "designer"));
        assert!(split_creator(&format!("{alice}=40%:Customer")).is_err());
    }

    #[test]
    fn media_types_from_extensions() {
        for (name, want) in [
            ("charm.PNG", "image/png"),
            ("dial.jpeg", "image/jpeg"),
            ("a/b.glb", "model/gltf-binary"),
            ("x.stl", "model/stl"),
            ("README", "application/octet-stream"),
            ("x.tar.gz", "application/octet-stream"),
        ] {
            let guessed = media_type_for(Path::new(name));
            assert_eq!(guessed, want, "{name}");
            assert!(guessed.parse::<MediaType>().is_ok());
        }
    }
}
