//! The `add-checkpoint` request body (C2SP tlog-witness):
//!
//! ```text
//! old <size>\n                  decimal, no leading zeros ("0" for zero)
//! <base64 hash>\n               0 to 63 consistency proof lines
//! \n                            an empty line
//! <signed checkpoint note>      C2SP tlog-checkpoint, signature lines included
//! ```
//!
//! Parsing is strict and stateless: whatever is wrong here is a `400`.
//! Which log the checkpoint is for, and whether its signatures and proof
//! hold, are checked by [`crate::Witness`].

use provenant_tlog::{Checkpoint, Hash, Note, TreeSize};

/// The most consistency proof lines a client may send (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;

/// A parsed `add-checkpoint` request.
#[derive(Clone, Debug)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client says the witness cosigned last.
    pub old: TreeSize,
    /// The consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed note, as sent.
    pub note: Note,
    /// The checkpoint the note's text says.
    pub checkpoint: Checkpoint,
}

/// A malformed request: the reason is the `400` answer's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(
    /// What is wrong with the request.
    pub &'static str,
);

/// Parses a request body.
///
/// # Errors
/// [`Malformed`] naming the first problem.
pub fn parse(body: &[u8]) -> Result<AddCheckpoint, Malformed> {
    // Neither the old size line nor a proof line is empty, so the first
    // empty line ends the request's own lines.
    let split = body
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(Malformed("no empty line before the checkpoint"))?;
    let head = std::str::from_utf8(&body[..split])
        .map_err(|_| Malformed("the request lines are not UTF-8"))?;
    let mut lines = head.split('\n');
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .ok_or(Malformed("the first line must be \"old <size>\""))?;
    let old = parse_decimal(old).ok_or(Malformed(
        "the old size must be a decimal with no leading zeros",
    ))?;
    let proof = lines
        .map(|l| {
            Hash::from_base64(l).map_err(|_| Malformed("a proof line is not base64 of 32 bytes"))
        })
        .collect::<Result<Vec<Hash>, Malformed>>()?;
    if proof.len() > MAX_PROOF_LINES {
        return Err(Malformed("more than 63 consistency proof lines"));
    }
    let note = Note::parse(&body[split + 2..]).map_err(|e| match e {
        provenant_tlog::Error::NoteMalformed { reason } => Malformed(reason),
        _ => Malformed("the checkpoint is not a signed note"),
    })?;
    let checkpoint = Checkpoint::parse(note.text()).map_err(|e| match e {
        provenant_tlog::Error::CheckpointMalformed { reason } => Malformed(reason),
        _ => Malformed("the note is not a checkpoint"),
    })?;
    Ok(AddCheckpoint {
        old: TreeSize(old),
        proof,
        note,
        checkpoint,
    })
}

/// The body a log sends: `old`, the proof from it, and the signed note's
/// text (signature lines included).
#[must_use]
pub fn encode(old: TreeSize, proof: &[Hash], note: &str) -> Vec<u8> {
    let mut body = format!("old {}\n", old.0);
    for hash in proof {
        body.push_str(&hash.to_base64());
        body.push('\n');
    }
    body.push('\n');
    body.push_str(note);
    body.into_bytes()
}

/// The size in a `409` answer's `text/x.tlog.size` body: one decimal and
/// a newline.
#[must_use]
pub fn parse_size(body: &[u8]) -> Option<TreeSize> {
    let text = std::str::from_utf8(body.strip_suffix(b"\n")?).ok()?;
    parse_decimal(text).map(TreeSize)
}

/// ASCII decimal with no sign and no leading zeros (except `0` itself).
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use provenant_tlog::{NoteSigner, hash_leaf};

    fn note() -> String {
        let signer = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[1; 32])).unwrap();
        Checkpoint::new("example.com/log", TreeSize(3), hash_leaf(b"r"))
            .sign(&signer)
            .unwrap()
            .to_text()
    }

    #[test]
    fn what_a_log_encodes_parses_back() {
        let proof = vec![hash_leaf(b"p"), hash_leaf(b"q")];
        let body = encode(TreeSize(2), &proof, &note());
        let req = parse(&body).unwrap();
        assert_eq!((req.old, req.proof), (TreeSize(2), proof));
        assert_eq!(req.note.to_text(), note());
        assert_eq!(parse_size(b"17\n"), Some(TreeSize(17)));
        for bad in [&b"17"[..], b"017\n", b"x\n", b"\n", b"1 \n"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_spec_layout_parses() {
        let h = hash_leaf(b"p").to_base64();
        let body = format!("old 2\n{h}\n{h}\n\n{}", note());
        let req = parse(body.as_bytes()).unwrap();
        assert_eq!(req.old, TreeSize(2));
        assert_eq!(req.proof, vec![hash_leaf(b"p"); 2]);
        assert_eq!(req.checkpoint.size, TreeSize(3));
        let req = parse(format!("old 0\n\n{}", note()).as_bytes()).unwrap();
        assert_eq!((req.old, req.proof.len()), (TreeSize(0), 0));
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let n = note();
        let h = hash_leaf(b"p").to_base64();
        let many = format!("{h}\n").repeat(64);
        for bad in [
            String::new(),
            n.clone(),
            format!("old 1\n{n}"),
            format!("old 01\n\n{n}"),
            format!("old -1\n\n{n}"),
            format!("old +1\n\n{n}"),
            format!("old 1 \n\n{n}"),
            format!("Old 1\n\n{n}"),
            format!("old\n\n{n}"),
            format!("old 18446744073709551616\n\n{n}"),
            format!("old 1\n{}\n\n{n}", &h[..43]),
            format!("old 1\n{}\n\n{n}", hash_leaf(b"p").to_hex()),
            format!("old 1\n{many}\n{n}"),
            "old 1\n\nnot a note\n".to_owned(),
            format!("old 1\n\n{}", n.replacen("\n3\n", "\n03\n", 1)),
            format!("old 1\r\n\n{n}"),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        // 63 lines is the limit, not over it.
        let most = format!("{h}\n").repeat(63);
        assert!(parse(format!("old 1\n{most}\n{n}").as_bytes()).is_ok());
        assert!(parse(b"old 1\n\xff\n\nx").is_err());
    }
}
