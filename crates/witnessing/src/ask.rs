//! One `add-checkpoint` exchange with a witness, and what its answer
//! means to the log (C2SP tlog-witness):
//!
//! | answer | meaning | the log |
//! |---|---|---|
//! | `200` | cosignature lines | keeps the witness's line once it verifies |
//! | `409` (`text/x.tlog.size`) | the witness cosigned another size last | resends from that size |
//! | `403`, `422` | the witness saw a bad signature, a bad proof, or another root at a size: evidence of a fork or a broken log | raises an alarm |
//! | anything else | unreachable, overloaded, misconfigured | counts a failure and tries again next round |
//!
//! A `200` whose lines hold no valid cosignature of the witness's key,
//! and a `409` naming a size beyond the checkpoint, are alarms too: the
//! witness is not the one the policy names, or it saw a larger tree of
//! this log than the log has.

use std::time::Duration;

use provenant_tlog::{Hash, NoteSignature, TreeSize};
use provenant_witness::request;

use crate::config::Target;

/// The longest answer read from a witness: cosignature lines are short.
const MAX_ANSWER_BYTES: usize = 64 << 10;

/// How long one exchange may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What one exchange gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The witness's cosignature, verified over the checkpoint.
    Cosigned(NoteSignature),
    /// The witness's latest cosigned size is this one.
    Conflict(TreeSize),
    /// Evidence that something is wrong with the log or the witness.
    Alarm {
        /// The HTTP status (`200` for a cosignature that does not verify).
        status: u16,
        /// What happened, for the operator.
        detail: String,
    },
    /// The exchange failed without saying anything about the log.
    Failed(String),
}

/// What the log sends.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The size the log believes the witness cosigned last.
    pub old: TreeSize,
    /// The consistency proof from `old` to the checkpoint.
    pub proof: &'a [Hash],
    /// The signed checkpoint note, as served.
    pub note: &'a str,
    /// The checkpoint's text (the note's, signatures excluded): what
    /// cosignatures sign.
    pub checkpoint_text: &'a str,
    /// The checkpoint's size.
    pub size: TreeSize,
}

/// Sends `req` to `target` and classifies the answer.
pub async fn add_checkpoint(http: &reqwest::Client, target: &Target, req: Request<'_>) -> Answer {
    let body = request::encode(req.old, req.proof, req.note);
    let sent = http
        .post(target.add_checkpoint_url())
        .timeout(TIMEOUT)
        .body(body)
        .send()
        .await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => return Answer::Failed(format!("sending: {e}")),
    };
    let status = resp.status().as_u16();
    let mut bytes = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_ANSWER_BYTES => {
                bytes.extend_from_slice(&chunk);
            }
            Ok(Some(_)) => return Answer::Failed(format!("{status} with an answer over 64 KiB")),
            Ok(None) => break,
            Err(e) => return Answer::Failed(format!("reading the {status} answer: {e}")),
        }
    }
    classify(target, &req, status, &bytes)
}

/// What `status` and `body` mean for `req` (see the module doc).
#[must_use]
pub fn classify(target: &Target, req: &Request<'_>, status: u16, body: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_end();
    match status {
        200 => cosignature(target, req, body),
        409 => match request::parse_size(body) {
            Some(size) if size <= req.size => Answer::Conflict(size),
            Some(size) => Answer::Alarm {
                status,
                detail: format!(
                    "the witness cosigned size {} of this log, beyond its size {}",
                    size.0, req.size.0
                ),
            },
            None => Answer::Failed(format!("409 without a text/x.tlog.size body: {text:.200}")),
        },
        403 | 422 => Answer::Alarm {
            status,
            detail: format!("refused the checkpoint of size {}: {text:.200}", req.size.0),
        },
        _ => Answer::Failed(format!("{status}: {text:.200}")),
    }
}

/// The witness's verified line among the `200` answer's lines.
fn cosignature(target: &Target, req: &Request<'_>, body: &[u8]) -> Answer {
    let alarm = |detail: String| Answer::Alarm {
        status: 200,
        detail,
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return alarm("the cosignature answer is not UTF-8".into());
    };
    for line in text.lines().filter(|l| !l.is_empty()) {
        let Ok(sig) = NoteSignature::from_line(line) else {
            return alarm(format!("not a signature line: {line:.200}"));
        };
        if target.verifier.is_signer_of(&sig) {
            return match target.verifier.verify_signature(req.checkpoint_text, &sig) {
                Ok(_) => Answer::Cosigned(sig),
                Err(e) => alarm(format!("its cosignature does not verify: {e}")),
            };
        }
    }
    alarm("no cosignature of the policy's key for this witness in the answer".into())
}

#[cfg(test)]
mod tests;
