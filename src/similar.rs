//! `design similar`: registered designs whose image looks like a design's
//! or a file's. Advisory: the server's index finds them, no proof covers
//! the list, and a near-duplicate never blocks a registration.

use std::path::Path;

use clap::Args;
use provenant_model::{DesignId, NearDuplicate};
use serde_json::json;

use crate::draft::io::io_error;
use crate::error::CliError;
use crate::output::Output;
use crate::remote::ServerArg;

/// List registered designs whose image looks like this one's (their ISCC
/// Image-Codes differ in few bits).
#[derive(Debug, Args)]
pub struct DesignSimilarArgs {
    /// A registered design's id (BLAKE3 hex), or an image file: the file
    /// is sent to the server, which codes it and lists the registered
    /// designs near it.
    design: String,
    /// The largest distance, in bits of the 64, that counts as near
    /// [default: the server's; at most 12]. Not with a file.
    #[arg(long, value_name = "BITS")]
    distance: Option<u32>,
}

impl DesignSimilarArgs {
    pub fn run(&self, server: &ServerArg) -> Result<Output, CliError> {
        let client = server.client()?;
        let path = Path::new(&self.design);
        if path.is_file() {
            if self.distance.is_some() {
                return Err(CliError::Arguments(
                    "--distance applies to a registered design, not a file (the server's \
                     distance applies to files)"
                        .into(),
                ));
            }
            let bytes = std::fs::read(path).map_err(io_error(path))?;
            let identified = client.identify(bytes)?;
            let Some(code) = identified.iscc else {
                return Ok(Output::new(
                    format!(
                        "{}: not an image the server codes (PNG, JPEG, WebP, GIF)",
                        path.display()
                    ),
                    json!({"iscc": null, "near_duplicates": []}),
                ));
            };
            let head = format!("{} (iscc {code})", path.display());
            return Ok(Output::new(
                listing(&head, &identified.near_duplicates, false),
                json!({"iscc": code, "near_duplicates": identified.near_duplicates}),
            ));
        }
        let id: DesignId = self.design.parse()?;
        let similar = client.similar(&id, self.distance)?;
        let head = format!(
            "design {id} (iscc {}), within {} bits",
            similar.iscc, similar.distance
        );
        Ok(Output::new(
            listing(&head, &similar.near_duplicates, similar.partial),
            serde_json::to_value(&similar)?,
        ))
    }
}

/// One line per near-duplicate: its distance, id, registration and owners.
pub fn listing(head: &str, near: &[NearDuplicate], partial: bool) -> String {
    let mut lines = vec![match near.len() {
        0 => format!("{head}: no registered design looks like it"),
        n => format!("{head}: {n} registered design(s) look like it"),
    }];
    lines.extend(near.iter().map(flag));
    if partial {
        lines.push("(partial: more designs may match; narrow the distance)".into());
    }
    lines.join("\n")
}

/// `near <id>  distance D  entry N  owners k=share, ...`.
pub fn flag(near: &NearDuplicate) -> String {
    let owners: Vec<String> = near
        .owners
        .iter()
        .map(|o| format!("{} {}", o.key, o.share_ppm))
        .collect();
    format!(
        "near  {}  distance {:>2}  registered at entry {}  owners {}",
        near.design,
        near.distance,
        near.registered.index,
        owners.join(", ")
    )
}
