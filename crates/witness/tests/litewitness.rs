//! Issue 20, test 4.4: the `add-checkpoint` requests litewitness records in
//! its tests (`fixtures/witness/litewitness/`, see its README), replayed in
//! order against this witness, get the current spec's statuses.

mod common;

use std::path::PathBuf;

use axum::http::StatusCode;
use common::{WITNESS_NAME, assert_cosigned, post, witness};
use ed25519_dalek::VerifyingKey;
use provenant_tlog::{Checkpoint, Hash, Note, NoteVerifier};
use provenant_witness::{LogConfig, app};
use sha2::{Digest as _, Sha256};

/// Where the expected status is not the recorded one: (file, request
/// number from 1, status, why). The README explains each.
const OVERRIDES: &[(&str, usize, u16, &str)] = &[
    (
        "litewitness.txt",
        2,
        400,
        "its signature's base64 has non-zero padding bits, which the note parser refuses",
    ),
    (
        "litewitness.txt",
        3,
        404,
        "the current spec answers an unknown origin 404 (litewitness: 403)",
    ),
];

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../fixtures/witness/litewitness",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(path).unwrap()
}

/// The script and the named sections of a Go testscript archive.
fn sections(archive: &str) -> (String, Vec<(String, String)>) {
    let mut script = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in archive.split_inclusive('\n') {
        if let Some(name) = line
            .trim_end()
            .strip_prefix("-- ")
            .and_then(|l| l.strip_suffix(" --"))
        {
            files.push((name.to_owned(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        } else {
            script.push_str(line);
        }
    }
    (script, files)
}

/// The logs the script sets up with `witnessctl`.
fn logs(script: &str) -> Vec<LogConfig> {
    let mut logs = Vec::new();
    for line in script.lines() {
        if let Some(hex) = line
            .strip_prefix("exec witnessctl add-sigsum-log -key=")
            .map(str::trim)
        {
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let key = VerifyingKey::from_bytes(&bytes.try_into().unwrap()).unwrap();
            // witnessctl: the origin of a sigsum log is named by its key's hash.
            let hash = Hash(Sha256::digest(key.as_bytes()).into()).to_hex();
            let origin = format!("sigsum.org/v1/tree/{hash}");
            logs.push(LogConfig {
                keys: vec![NoteVerifier::new(&origin, key).unwrap()],
                origin,
                url: None,
            });
        } else if let Some(rest) = line.strip_prefix("exec witnessctl add-key -origin '") {
            let (origin, rest) = rest.split_once("' -key ").unwrap();
            let key = NoteVerifier::from_text(rest.trim()).unwrap();
            logs.push(LogConfig {
                origin: origin.to_owned(),
                keys: vec![key],
                url: None,
            });
        }
    }
    logs
}

/// One recorded request: its body, the status and the body assertions.
struct Recorded {
    body: String,
    status: u16,
    asserts: Vec<String>,
}

/// The requests of a Hurl file: `POST <url>`, a body between lines of three backticks,
/// `HTTP <status>`, then `[Asserts]` lines.
fn requests(hurl: &str) -> Vec<Recorded> {
    let mut out = Vec::new();
    let mut lines = hurl.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("POST ") {
            continue;
        }
        assert_eq!(lines.next().map(str::trim_end), Some("```"));
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.trim_end() == "```" {
                break;
            }
            body.push_str(line);
        }
        let status = lines
            .next()
            .and_then(|l| l.trim_end().strip_prefix("HTTP "))
            .unwrap()
            .parse()
            .unwrap();
        let mut asserts = Vec::new();
        while let Some(line) = lines.peek() {
            if line.starts_with("POST ") {
                break;
            }
            let line = lines.next().unwrap().trim();
            if line.starts_with("body ") {
                asserts.push(line.to_owned());
            }
        }
        out.push(Recorded {
            body,
            status,
            asserts,
        });
    }
    out
}

/// A Hurl string literal's content (`"..."`; the files hold no escapes).
fn literal(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap()
}

/// `body` with the last signature's padding bits set to zero: the same
/// bytes as a lenient decoder reads, in their one canonical encoding.
fn canonical_padding(body: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let end = body.trim_end().strip_suffix('=').unwrap().len() - 1;
    let index = ALPHABET
        .iter()
        .position(|&c| c == body.as_bytes()[end])
        .unwrap();
    let mut out = body.to_owned();
    out.replace_range(end..=end, &char::from(ALPHABET[index & !0b11]).to_string());
    out
}

async fn replay(file: &str) -> usize {
    let (script, files) = sections(&fixture(file));
    let hurl = &files
        .iter()
        .find(|(n, _)| n == "add-checkpoint.hurl")
        .unwrap()
        .1;
    let dir = tempfile::tempdir().unwrap();
    let w = witness(dir.path(), logs(&script), false);
    let router = app(w.clone());
    let recorded = requests(hurl);
    for (i, request) in recorded.iter().enumerate() {
        let number = i + 1;
        let expected = OVERRIDES
            .iter()
            .find(|(f, n, ..)| *f == file && *n == number)
            .map_or(request.status, |o| o.2);
        let answer = post(&router, request.body.clone()).await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "{file} request {number}: {}",
            answer.body
        );
        if answer.status == StatusCode::OK {
            let note = Note::parse(request.body.split_once("\n\n").unwrap().1.as_bytes()).unwrap();
            Checkpoint::parse(note.text()).unwrap();
            assert_cosigned(&w, &answer, note.text());
        }
        // The assertions on bodies this witness words the same way.
        for assert in &request.asserts {
            if let Some(exact) = assert.strip_prefix("body == ") {
                let exact = literal(exact).replace("\\n", "\n");
                assert_eq!(answer.body, exact, "{file} request {number}");
            } else if let Some(part) = assert.strip_prefix("body contains ") {
                let part = literal(part);
                if part.starts_with('\u{2014}') {
                    assert_eq!(part, format!("\u{2014} {WITNESS_NAME}"));
                    assert!(answer.body.contains(part), "{file} request {number}");
                }
            }
        }
        if file == "litewitness.txt" && number == 2 {
            // The same signature bytes, canonically encoded: the spec's 403.
            let answer = post(&router, canonical_padding(&request.body)).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        }
    }
    recorded.len()
}

#[tokio::test]
async fn litewitness_requests_get_the_spec_statuses() {
    assert_eq!(replay("litewitness.txt").await, 9);
}

#[tokio::test]
async fn a_real_go_checksum_database_checkpoint_is_cosigned() {
    assert_eq!(replay("sumdb.txt").await, 1);
}
