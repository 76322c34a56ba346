//! C2SP tlog-checkpoint: the signed statement of a log's size and root.
//!
//! The checkpoint is the text of a signed note:
//!
//! ```text
//! <origin>\n                 a unique name for the log
//! <size>\n                   decimal, no leading zeros
//! <base64 root hash>\n       standard padded base64 of 32 bytes
//! [<extension line>\n]...    optional, each non-empty
//! ```

use crate::Error;
use crate::hash::Hash;
use crate::index::TreeSize;
use crate::note::{Note, NoteSigner, NoteVerifier};

/// A checkpoint body: which log, how many leaves, which root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// The number of leaves.
    pub size: TreeSize,
    /// The tree's root hash at that size.
    pub root: Hash,
    /// Extension lines, in order, without their newlines.
    pub extensions: Vec<String>,
}

fn malformed(reason: &'static str) -> Error {
    Error::CheckpointMalformed { reason }
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    #[must_use]
    pub fn new(origin: &str, size: TreeSize, root: Hash) -> Self {
        Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The checkpoint text, each line ending in a newline.
    ///
    /// # Errors
    /// [`Error::CheckpointMalformed`] when the origin or an extension line is
    /// empty or holds a newline or another control character, since the text
    /// would then say something other than this value.
    pub fn to_text(&self) -> Result<String, Error> {
        check_line(&self.origin, "origin")?;
        for ext in &self.extensions {
            check_line(ext, "extension line")?;
        }
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size.0,
            self.root.to_base64()
        );
        for ext in &self.extensions {
            out.push_str(ext);
            out.push('\n');
        }
        Ok(out)
    }

    /// Parses a checkpoint text strictly.
    ///
    /// # Errors
    /// [`Error::CheckpointMalformed`] naming the first problem.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let body = text
            .strip_suffix('\n')
            .ok_or(malformed("text must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        check_line(origin, "origin")?;
        let size = lines.next().ok_or(malformed("missing size line"))?;
        let size =
            parse_decimal(size).ok_or(malformed("size must be a decimal with no leading zeros"))?;
        let root = lines.next().ok_or(malformed("missing root hash line"))?;
        let root =
            Hash::from_base64(root).map_err(|_| malformed("root must be base64 of 32 bytes"))?;
        let extensions = lines
            .map(|l| check_line(l, "extension line").map(|()| l.to_owned()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origin: origin.to_owned(),
            size: TreeSize(size),
            root,
            extensions,
        })
    }

    /// Signs this checkpoint, producing the note that is served and stored.
    ///
    /// # Errors
    /// As [`Checkpoint::to_text`].
    pub fn sign(&self, signer: &NoteSigner) -> Result<Note, Error> {
        signer.sign(&self.to_text()?)
    }

    /// Verifies a signed checkpoint note with the log's key (and any other
    /// known keys) and checks it is for `origin`.
    ///
    /// # Errors
    /// Note errors ([`Error::NoteUnverified`], ...), parse errors, and
    /// [`Error::CheckpointOrigin`] for a checkpoint of another log.
    pub fn verify(note: &Note, origin: &str, known: &[NoteVerifier]) -> Result<Self, Error> {
        note.verify(known)?;
        let checkpoint = Self::parse(note.text())?;
        if checkpoint.origin == origin {
            Ok(checkpoint)
        } else {
            Err(Error::CheckpointOrigin {
                expected: origin.to_owned(),
                got: checkpoint.origin,
            })
        }
    }
}

fn check_line(line: &str, what: &'static str) -> Result<(), Error> {
    if line.is_empty() {
        return Err(malformed(match what {
            "origin" => "origin must not be empty",
            _ => "extension lines must not be empty",
        }));
    }
    if line.chars().any(char::is_control) {
        return Err(malformed("control character in a line"));
    }
    Ok(())
}

/// ASCII decimal with no sign, no leading zeros (except `0` itself).
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::hash_leaf;
    use ed25519_dalek::SigningKey;

    #[test]
    fn format_parse_round_trip() {
        let mut c = Checkpoint::new("example.com/log", TreeSize(20_852_163), hash_leaf(b"r"));
        c.extensions.push("ext one".to_owned());
        let text = c.to_text().unwrap();
        assert_eq!(Checkpoint::parse(&text).unwrap(), c);
    }

    #[test]
    fn spec_example_parses() {
        let text =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!(c.size, TreeSize(20_852_163));
        assert_eq!(c.to_text().unwrap(), text);
    }

    #[test]
    fn strict_parse() {
        let root = hash_leaf(b"r").to_base64();
        for bad in [
            format!("o\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n1.0\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            "o\n1\nAAAA\n".to_owned(),
            format!("o\n1\n{root}\n\n"),
            format!("o\n1\n{}\n", hash_leaf(b"r").to_hex()),
            "o\n1\n".to_owned(),
            format!("o\t\n1\n{root}\n"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
        assert!(
            Checkpoint::new("a\nb", TreeSize(1), Hash::EMPTY)
                .to_text()
                .is_err()
        );
    }

    #[test]
    fn sign_and_verify() {
        let signer = NoteSigner::new("example.com/log", SigningKey::from_bytes(&[5; 32])).unwrap();
        let c = Checkpoint::new("example.com/log", TreeSize(3), hash_leaf(b"x"));
        let note = c.sign(&signer).unwrap();
        let known = [signer.verifier().clone()];
        assert_eq!(
            Checkpoint::verify(&note, "example.com/log", &known).unwrap(),
            c
        );
        assert!(matches!(
            Checkpoint::verify(&note, "example.com/other", &known),
            Err(Error::CheckpointOrigin { .. })
        ));
    }
}
