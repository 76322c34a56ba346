//! `design hash` and `design draft`.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

use clap::Args;
use provenant_client::draft::{self, DesignDraft};
use provenant_model::payload::{AiDisclosure, Creator};
use provenant_model::{
    ContentHashes, DesignId, DigitalSourceType, GrantId, ImageCode, MediaType, Ppm, hash_content,
};
use serde_json::json;

use super::io::{built, emit, identity, io_error};
use crate::error::CliError;
use crate::output::Output;

/// `--threshold` and the like: a share above 0, such as `60%` or `600000ppm`.
fn share_arg(text: &str) -> Result<Ppm, String> {
    draft::parse_share(text).map_err(|e| e.to_string())
}

/// A file's hashes and size, read as a stream.
pub(crate) fn hash_file(path: &Path) -> Result<ContentHashes, CliError> {
    let file = File::open(path).map_err(io_error(path))?;
    hash_content(file).map_err(io_error(path))
}

/// The ISCC Image-Code of an image file of `media_type`; `None` for other
/// media.
///
/// # Errors
/// An image of a coded type that does not decode.
pub(crate) fn image_code(
    path: &Path,
    media_type: &MediaType,
) -> Result<Option<ImageCode>, CliError> {
    if !provenant_similar::codes(media_type.as_str()) {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    provenant_similar::image_code(&bytes)
        .map(Some)
        .map_err(|e| CliError::BadFile {
            path: path.to_owned(),
            detail: format!(
                "{e}; its ISCC Image-Code (for near-duplicate flags) cannot be computed \
                 (--no-iscc registers it without one)"
            ),
        })
}

/// Print a file's BLAKE3 (the design id), SHA-256 and size.
#[derive(Debug, Args)]
pub struct DesignHashArgs {
    /// The design file (read as a stream; it is never sent anywhere).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl DesignHashArgs {
    /// Hashes the file.
    pub fn run(&self) -> Result<Output, CliError> {
        let hashes = hash_file(&self.file)?;
        let mut text = format!(
            "blake3 {}\nsha256 {}\nsize   {} bytes",
            hashes.blake3, hashes.sha256, hashes.size
        );
        let media_type: MediaType = draft::media_type_for(&self.file).parse()?;
        let iscc = image_code(&self.file, &media_type).ok().flatten();
        if let Some(code) = iscc {
            let _ = write!(text, "\niscc   {code}");
        }
        let value = json!({
            "blake3": hashes.blake3,
            "sha256": hashes.sha256,
            "size": hashes.size,
            "iscc": iscc,
        });
        Ok(Output::new(text, value))
    }
}

/// Draft a design registration; every co-creator signs it.
#[derive(Debug, Args)]
pub struct DesignDraftArgs {
    /// The design file: its hashes and size are registered, never its bytes.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The title, 1 to 200 characters.
    #[arg(long)]
    title: String,
    /// A description, up to 4000 characters.
    #[arg(long, default_value = "")]
    description: String,
    /// A co-creator: KEY=SHARE[:ROLE], KEY an `ed25519:` identity or a key
    /// file, SHARE such as 60%, 33.3333% or 600000ppm, ROLE a label such as
    /// customer [default role: designer]. Repeat for each; shares sum to 100%.
    #[arg(long = "creator", value_name = "KEY=SHARE[:ROLE]", required = true)]
    creators: Vec<String>,
    /// A design this one derives from (BLAKE3 hex). Repeatable; pair each
    /// with a --grant, in the same order.
    #[arg(long = "parent", value_name = "DESIGN")]
    parents: Vec<DesignId>,
    /// The grant on the matching --parent, held by a creator, that allows
    /// derivatives.
    #[arg(long = "grant", value_name = "GRANT")]
    grants: Vec<GrantId>,
    /// How AI was involved: an IPTC digital source type URI,
    /// `http://cv.iptc.org/newscodes/digitalsourcetype/` and a term such as
    /// trainedAlgorithmicMedia.
    #[arg(long, value_name = "IPTC-URI")]
    ai_source: Option<DigitalSourceType>,
    /// The AI tool or model used.
    #[arg(long, value_name = "NAME", requires = "ai_source")]
    ai_agent: Option<String>,
    /// What the humans contributed.
    #[arg(long, value_name = "TEXT", requires = "ai_source")]
    human_contribution: Option<String>,
    /// The media type [default: from the file's extension, else
    /// application/octet-stream].
    #[arg(long, value_name = "TYPE/SUBTYPE")]
    media_type: Option<MediaType>,
    /// Ownership needed to sign for the design (grants, revocations), such
    /// as 51% [default: 100%].
    #[arg(long, value_name = "SHARE", value_parser = share_arg)]
    threshold: Option<Ppm>,
    /// Register an image without its ISCC Image-Code (the perceptual
    /// fingerprint the ledger flags near-duplicates by), computed
    /// otherwise for PNG, JPEG, WebP and GIF files.
    #[arg(long)]
    no_iscc: bool,
    /// Write the draft to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl DesignDraftArgs {
    /// Hashes the file and drafts the registration.
    pub fn run(&self) -> Result<Output, CliError> {
        if self.parents.len() != self.grants.len() {
            return Err(CliError::Arguments(format!(
                "each --parent needs a --grant, in the same order (got {} --parent, {} --grant)",
                self.parents.len(),
                self.grants.len()
            )));
        }
        let creators = self
            .creators
            .iter()
            .map(|text| {
                let (key, share_ppm, role) = draft::split_creator(text)?;
                Ok(Creator {
                    key: identity(key)?,
                    share_ppm,
                    role,
                })
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        let media_type = match &self.media_type {
            Some(media_type) => media_type.clone(),
            None => draft::media_type_for(&self.file).parse()?,
        };
        let content = hash_file(&self.file)?;
        let iscc = if self.no_iscc {
            None
        } else {
            image_code(&self.file, &media_type)?
        };
        let envelope = built(draft::design_draft(&DesignDraft {
            content,
            media_type,
            iscc,
            title: self.title.clone(),
            description: self.description.clone(),
            creators,
            parents: self
                .parents
                .iter()
                .copied()
                .zip(self.grants.iter().copied())
                .collect(),
            ai: self
                .ai_source
                .clone()
                .map(|digital_source_type| AiDisclosure {
                    digital_source_type,
                    software_agent: self.ai_agent.clone(),
                    human_contribution: self.human_contribution.clone(),
                }),
            threshold: self.threshold,
        }))?;
        emit(&envelope, self.out.as_deref())
    }
}
