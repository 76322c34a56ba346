//! C2SP tlog-policy: which logs to trust and which witnesses must cosign.
//!
//! A policy file is lines of fields separated by spaces and tabs; blank
//! lines and lines whose first field starts with `#` are ignored:
//!
//! ```text
//! log <vkey> [<url>]                    a log: its checkpoint key (type 0x01), named by its origin
//! witness <name> <vkey> [<url>]         a witness: its cosigner key (type 0x04, or 0x06 recognised only)
//! group <name> <k|all|any> <name>...    met when at least k of its members are (any = 1, all = n)
//! quorum <name|none>                    exactly once: the witness or group a checkpoint needs
//! ```
//!
//! Parsing is strict, and each refusal names its line and rule
//! ([`PolicyProblem`]): an unknown keyword, a missing or extra field, a
//! byte outside tab, newline, `0x20..=0x7E` and `0x80..=0xFF`, a name
//! defined twice (witnesses and groups share one namespace with the
//! predefined `none`), a group or quorum naming something not defined on an
//! earlier line (which rules out cycles), a name that is a member of groups
//! twice, a threshold not written `1..=n` in plain decimal, two logs or two
//! witnesses with the same public key, a second quorum line. A policy with
//! no quorum line is refused too.
//!
//! Names are compared byte for byte, with no Unicode normalisation; this
//! implementation asks that names, keys and URLs be UTF-8 (comments may be
//! anything allowed).
//!
//! Evaluation is a tree walk: each name is a member at most once, so the
//! groups form a tree whose leaves are witnesses, and [`Policy::quorum_met`]
//! is linear in the size of the policy.

use std::collections::HashMap;

use crate::Error;
use crate::checkpoint::{Checkpoint, parse_decimal};
use crate::cosignature::CosignerKey;
use crate::note::{Note, NoteVerifier};

/// The most logs, witnesses or groups (each) a policy may define; the spec
/// asks implementations to support at least 32.
pub const MAX_DEFINITIONS: usize = 256;

/// The predefined name of the empty quorum: no cosignature needed.
pub const NONE: &str = "none";

/// The rule a policy line breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyProblem {
    /// A byte that is neither tab, newline, `0x20..=0x7E` nor `0x80..=0xFF`.
    #[error("control character 0x{byte:02x}")]
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// The file does not end with a newline: it may have been cut short.
    #[error("the last line has no newline")]
    Unterminated,
    /// A name, key or URL that is not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// A line that starts with none of `log`, `witness`, `group`, `quorum`.
    #[error("unknown keyword {keyword:?}")]
    UnknownKeyword {
        /// The first field.
        keyword: String,
    },
    /// Too few or too many fields for the keyword.
    #[error("{keyword} takes {expected}")]
    Fields {
        /// The keyword.
        keyword: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// A vkey that cannot serve here.
    #[error("{what} key: {reason}")]
    Key {
        /// `log` or `witness`.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A log with the public key of an earlier log.
    #[error("a log with this public key is already defined")]
    DuplicateLog,
    /// A witness with the public key of an earlier witness.
    #[error("a witness with this public key is already defined")]
    DuplicateWitness,
    /// A witness or group name already defined (or `none`).
    #[error("name {name:?} is already defined")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A member or quorum naming nothing defined on an earlier line.
    #[error("name {name:?} is not defined on an earlier line")]
    UnknownName {
        /// The name.
        name: String,
    },
    /// A name that is already a member of a group (this one or another).
    #[error("{name:?} is already a member of group {group:?}")]
    MemberTwice {
        /// The name.
        name: String,
        /// The group it is already a member of.
        group: String,
    },
    /// `none` listed as a group member.
    #[error("none cannot be a group member")]
    NoneAsMember,
    /// A threshold that is not `all`, `any` or a plain decimal.
    #[error("threshold {threshold:?} is not all, any or a decimal")]
    Threshold {
        /// The field.
        threshold: String,
    },
    /// A threshold outside `1..=n`.
    #[error("threshold {k} is not between 1 and the {n} members")]
    ThresholdRange {
        /// The threshold.
        k: u64,
        /// The number of members.
        n: usize,
    },
    /// A second `quorum` line.
    #[error("quorum is already defined")]
    SecondQuorum,
    /// More than [`MAX_DEFINITIONS`] logs, witnesses or groups.
    #[error("more than {MAX_DEFINITIONS} {what}")]
    TooMany {
        /// `logs`, `witnesses` or `groups`.
        what: &'static str,
    },
}

/// A log the policy trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Its checkpoint key, named by the log's origin.
    pub verifier: NoteVerifier,
    /// Where to reach it, if given.
    pub url: Option<String>,
}

/// A witness the policy counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// Its name in the policy (not the cosigner name of its key).
    pub name: String,
    /// Its cosigner key.
    pub key: CosignerKey,
    /// Its submission prefix, if given.
    pub url: Option<String>,
}

/// A witness, a group or nothing: what a group or the quorum is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Member {
    None,
    Witness(usize),
    Group(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    k: usize,
    members: Vec<Member>,
}

/// A parsed policy: logs, witnesses and the quorum over them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    logs: Vec<Log>,
    witnesses: Vec<Witness>,
    groups: Vec<Group>,
    quorum: Member,
}

impl Policy {
    /// Parses a policy file.
    ///
    /// # Errors
    /// [`Error::Policy`] naming the line and the rule it breaks;
    /// [`Error::PolicyNoQuorum`] when no line defines the quorum.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut p = Parser::default();
        if !bytes.is_empty() {
            let Some(body) = bytes.strip_suffix(b"\n") else {
                let line = bytes.split(|&b| b == b'\n').count();
                return Err(at(line, PolicyProblem::Unterminated));
            };
            for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                p.line(line).map_err(|problem| at(i + 1, problem))?;
            }
        }
        let quorum = p.quorum.ok_or(Error::PolicyNoQuorum)?;
        Ok(Self {
            logs: p.logs,
            witnesses: p.witnesses,
            groups: p.groups,
            quorum,
        })
    }

    /// The logs, in file order.
    #[must_use]
    pub fn logs(&self) -> &[Log] {
        &self.logs
    }

    /// The witnesses, in file order.
    #[must_use]
    pub fn witnesses(&self) -> &[Witness] {
        &self.witnesses
    }

    /// Whether the witnesses named (by their policy names) meet the
    /// quorum. Names the policy does not define as witnesses count for
    /// nothing; `quorum none` is always met.
    pub fn quorum_met<'a>(&self, cosigned: impl IntoIterator<Item = &'a str>) -> bool {
        let mut signed = vec![false; self.witnesses.len()];
        for name in cosigned {
            if let Some(i) = self.witnesses.iter().position(|w| w.name == name) {
                signed[i] = true;
            }
        }
        self.met(self.quorum, &signed)
    }

    fn met(&self, member: Member, signed: &[bool]) -> bool {
        match member {
            Member::None => true,
            Member::Witness(i) => signed[i],
            Member::Group(g) => {
                let group = &self.groups[g];
                group
                    .members
                    .iter()
                    .filter(|&&m| self.met(m, signed))
                    .take(group.k)
                    .count()
                    == group.k
            }
        }
    }

    /// The policy's witnesses whose cosignatures on `note` verify, each
    /// with its latest timestamp. ML-DSA-44 witnesses never appear.
    ///
    /// # Errors
    /// [`Error::CosignatureInvalid`] when a line of a policy witness does
    /// not verify (C2SP signed-note: reject the note).
    pub fn cosigned(&self, note: &Note) -> Result<Vec<(&Witness, u64)>, Error> {
        let mut out = Vec::new();
        for w in &self.witnesses {
            if let Some(t) = w.key.verify(note)? {
                out.push((w, t));
            }
        }
        Ok(out)
    }

    /// Checks that the cosignatures on `note` meet the quorum, and returns
    /// them. The log's own signature is not checked here.
    ///
    /// # Errors
    /// As [`Policy::cosigned`]; [`Error::QuorumNotMet`] when too few
    /// witnesses cosigned.
    pub fn check_quorum(&self, note: &Note) -> Result<Vec<(&Witness, u64)>, Error> {
        let cosigned = self.cosigned(note)?;
        if self.quorum_met(cosigned.iter().map(|(w, _)| w.name.as_str())) {
            Ok(cosigned)
        } else {
            Err(Error::QuorumNotMet {
                cosigned: cosigned.len(),
            })
        }
    }

    /// Verifies a checkpoint note the way the policy says: signed by a log
    /// of the policy whose key name is the checkpoint's origin, and
    /// cosigned by a quorum of its witnesses.
    ///
    /// # Errors
    /// Checkpoint parse errors; [`Error::PolicyLog`] when no log of the
    /// policy has the checkpoint's origin; note errors
    /// ([`Error::NoteSignature`], [`Error::NoteUnverified`]) from that log's
    /// key; then as [`Policy::check_quorum`].
    pub fn verify_checkpoint(&self, note: &Note) -> Result<Checkpoint, Error> {
        let checkpoint = Checkpoint::parse(note.text())?;
        let logs: Vec<NoteVerifier> = self
            .logs
            .iter()
            .filter(|l| l.verifier.name() == checkpoint.origin)
            .map(|l| l.verifier.clone())
            .collect();
        if logs.is_empty() {
            return Err(Error::PolicyLog {
                origin: checkpoint.origin,
            });
        }
        note.verify(&logs)?;
        self.check_quorum(note)?;
        Ok(checkpoint)
    }
}

fn at(line: usize, problem: PolicyProblem) -> Error {
    Error::Policy { line, problem }
}

/// The policy being read, line by line.
#[derive(Default)]
struct Parser {
    logs: Vec<Log>,
    witnesses: Vec<Witness>,
    groups: Vec<Group>,
    quorum: Option<Member>,
    /// Every defined name.
    names: HashMap<String, Member>,
    /// Every name already listed as a member, with its group.
    used: HashMap<String, String>,
}

impl Parser {
    fn line(&mut self, line: &[u8]) -> Result<(), PolicyProblem> {
        if let Some(&byte) = line
            .iter()
            .find(|&&b| b != b'\t' && !(0x20..=0x7e).contains(&b) && b < 0x80)
        {
            return Err(PolicyProblem::ControlCharacter { byte });
        }
        let fields: Vec<&[u8]> = line
            .split(|&b| b == b' ' || b == b'\t')
            .filter(|f| !f.is_empty())
            .collect();
        let Some((&keyword, args)) = fields.split_first() else {
            return Ok(());
        };
        if keyword.starts_with(b"#") {
            return Ok(());
        }
        let args = args
            .iter()
            .map(|a| std::str::from_utf8(a).map_err(|_| PolicyProblem::NotUtf8))
            .collect::<Result<Vec<&str>, _>>()?;
        match keyword {
            b"log" => self.log(&args),
            b"witness" => self.witness(&args),
            b"group" => self.group(&args),
            b"quorum" => self.quorum(&args),
            _ => Err(PolicyProblem::UnknownKeyword {
                keyword: String::from_utf8_lossy(keyword).into_owned(),
            }),
        }
    }

    fn log(&mut self, args: &[&str]) -> Result<(), PolicyProblem> {
        let (vkey, url) = match args {
            [vkey] => (vkey, None),
            [vkey, url] => (vkey, Some((*url).to_owned())),
            _ => return Err(fields("log", "a vkey and an optional URL")),
        };
        let verifier = NoteVerifier::from_text(vkey).map_err(|e| key_problem("log", &e))?;
        if self.logs.iter().any(|l| l.verifier.key() == verifier.key()) {
            return Err(PolicyProblem::DuplicateLog);
        }
        if self.logs.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany { what: "logs" });
        }
        self.logs.push(Log { verifier, url });
        Ok(())
    }

    fn witness(&mut self, args: &[&str]) -> Result<(), PolicyProblem> {
        let (name, vkey, url) = match args {
            [name, vkey] => (name, vkey, None),
            [name, vkey, url] => (name, vkey, Some((*url).to_owned())),
            _ => return Err(fields("witness", "a name, a vkey and an optional URL")),
        };
        self.check_new(name)?;
        let key = CosignerKey::from_text(vkey).map_err(|e| key_problem("witness", &e))?;
        if self
            .witnesses
            .iter()
            .any(|w| w.key.key_bytes() == key.key_bytes())
        {
            return Err(PolicyProblem::DuplicateWitness);
        }
        if self.witnesses.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany { what: "witnesses" });
        }
        self.names
            .insert((*name).to_owned(), Member::Witness(self.witnesses.len()));
        self.witnesses.push(Witness {
            name: (*name).to_owned(),
            key,
            url,
        });
        Ok(())
    }

    fn group(&mut self, args: &[&str]) -> Result<(), PolicyProblem> {
        let [name, threshold, members @ ..] = args else {
            return Err(fields("group", "a name, a threshold and members"));
        };
        if members.is_empty() {
            return Err(fields("group", "a name, a threshold and members"));
        }
        self.check_new(name)?;
        let n = members.len();
        let k = match *threshold {
            "any" => 1,
            "all" => n,
            t => {
                let k = parse_decimal(t).ok_or_else(|| PolicyProblem::Threshold {
                    threshold: t.to_owned(),
                })?;
                match usize::try_from(k) {
                    Ok(k) if (1..=n).contains(&k) => k,
                    _ => return Err(PolicyProblem::ThresholdRange { k, n }),
                }
            }
        };
        if self.groups.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany { what: "groups" });
        }
        let mut resolved = Vec::with_capacity(n);
        for &m in members {
            if m == NONE {
                return Err(PolicyProblem::NoneAsMember);
            }
            let member = self.lookup(m)?;
            if let Some(group) = self.used.get(m) {
                return Err(PolicyProblem::MemberTwice {
                    name: m.to_owned(),
                    group: group.clone(),
                });
            }
            self.used.insert(m.to_owned(), (*name).to_owned());
            resolved.push(member);
        }
        self.names
            .insert((*name).to_owned(), Member::Group(self.groups.len()));
        self.groups.push(Group {
            k,
            members: resolved,
        });
        Ok(())
    }

    fn quorum(&mut self, args: &[&str]) -> Result<(), PolicyProblem> {
        let [name] = args else {
            return Err(fields("quorum", "one name"));
        };
        if self.quorum.is_some() {
            return Err(PolicyProblem::SecondQuorum);
        }
        self.quorum = Some(if *name == NONE {
            Member::None
        } else {
            self.lookup(name)?
        });
        Ok(())
    }

    fn check_new(&self, name: &str) -> Result<(), PolicyProblem> {
        if name == NONE || self.names.contains_key(name) {
            Err(PolicyProblem::DuplicateName {
                name: name.to_owned(),
            })
        } else {
            Ok(())
        }
    }

    fn lookup(&self, name: &str) -> Result<Member, PolicyProblem> {
        self.names
            .get(name)
            .copied()
            .ok_or_else(|| PolicyProblem::UnknownName {
                name: name.to_owned(),
            })
    }
}

fn fields(keyword: &'static str, expected: &'static str) -> PolicyProblem {
    PolicyProblem::Fields { keyword, expected }
}

fn key_problem(what: &'static str, e: &Error) -> PolicyProblem {
    let reason = match e {
        Error::KeyText { reason } => reason,
        _ => "invalid key name",
    };
    PolicyProblem::Key { what, reason }
}
