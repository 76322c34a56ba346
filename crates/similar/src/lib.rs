//! ISCC Image-Codes of design files, computed where the bytes are (the
//! CLI's `design draft`, the server's `identify`), so that the ledger can
//! flag near-duplicates among registrations without holding any design.
//!
//! A file becomes a code in two steps. [`pixels`] normalises the decoded
//! image the way the ISCC reference SDK does (EXIF orientation applied,
//! transparency composed onto white, a uniform border trimmed, ITU-R 601
//! grayscale, bicubic resize to 32×32); [`code_of_pixels`] is ISO 24138's
//! Image-Code over those pixels, by the `iscc-lib` reference crate. The
//! second step is exact; the first matches the Python SDK's Pillow pipeline
//! closely but not bit for bit (resampling differs in rounding), so a code
//! computed here may differ from the SDK's by a bit or two.
//!
//! Mirrored and rotated copies change the code's DCT signs and are not
//! near: a mirror or a quarter turn is far from its original.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, ImageDecoder as _, ImageReader, Limits, Rgba};
use provenant_model::ImageCode;

/// The side of the normalised square, in pixels.
pub const SIDE: u32 = 32;
/// Widest and tallest image decoded, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Most memory a decoder may allocate, in bytes: an 8-bit RGB image of
/// about 64 megapixels.
pub const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;
/// Larger images are first brought down to this many pixels a side (their
/// longer side), so that normalising one never holds a second full-size
/// copy; the code of a 32×32 reduction hardly sees the difference.
const WORKING_SIDE: u32 = 2048;
/// How far (0-255) a border pixel's gray may stray from the corner's and
/// still be trimmed as border: re-encoding blurs a border's edge.
const BORDER_TOLERANCE: u8 = 12;

/// Why a file has no image code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Not a raster format this build decodes (PNG, JPEG, WebP, GIF).
    #[error("not an image this service decodes (PNG, JPEG, WebP or GIF)")]
    Unsupported,
    /// The image is larger than [`MAX_SIDE`] or needs more than
    /// [`MAX_DECODE_BYTES`] to decode.
    #[error("the image is too large to fingerprint (at most {MAX_SIDE} pixels a side)")]
    TooLarge,
    /// A damaged file.
    #[error("the image does not decode: {0}")]
    Damaged(String),
}

/// Whether files of this media type are images this build can code.
#[must_use]
pub fn codes(media_type: &str) -> bool {
    matches!(
        media_type,
        "image/png" | "image/jpeg" | "image/webp" | "image/gif"
    )
}

/// The Image-Code of a file's bytes.
///
/// # Errors
/// [`CodeError`] for a file that is not a supported image, is too large or
/// does not decode.
pub fn image_code(bytes: &[u8]) -> Result<ImageCode, CodeError> {
    Ok(code_of_pixels(&pixels(&decode(bytes)?)))
}

/// Decodes a file, oriented as its EXIF metadata says, within the limits.
///
/// # Errors
/// As [`image_code`].
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, CodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| CodeError::Damaged(e.to_string()))?;
    if reader.format().is_none() {
        return Err(CodeError::Unsupported);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let orientation = decoder.orientation().map_err(refused)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn refused(e: image::ImageError) -> CodeError {
    match e {
        image::ImageError::Limits(_) => CodeError::TooLarge,
        image::ImageError::Unsupported(_) => CodeError::Unsupported,
        other => CodeError::Damaged(other.to_string()),
    }
}

/// The 32×32 grayscale pixels, row by row, that the Image-Code is computed
/// from.
#[must_use]
pub fn pixels(image: &DynamicImage) -> [u8; 1024] {
    let gray = if image.width().max(image.height()) > WORKING_SIDE {
        let smaller = image.resize(WORKING_SIDE, WORKING_SIDE, FilterType::Triangle);
        trim(&grayscale_on_white(&smaller))
    } else {
        trim(&grayscale_on_white(image))
    };
    let small = imageops::resize(&gray, SIDE, SIDE, FilterType::CatmullRom);
    let mut out = [0u8; 1024];
    for (slot, pixel) in out.iter_mut().zip(small.pixels()) {
        *slot = pixel.0[0];
    }
    out
}

/// ITU-R 601 luma (Pillow's `L`), after composing transparency onto white.
fn grayscale_on_white(image: &DynamicImage) -> GrayImage {
    let rgba = image.to_rgba8();
    GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let Rgba([red, green, blue, alpha]) = *rgba.get_pixel(x, y);
        let alpha = u32::from(alpha);
        let over_white =
            |channel: u8| (u32::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255;
        let luma =
            (over_white(red) * 299 + over_white(green) * 587 + over_white(blue) * 114 + 500) / 1000;
        image::Luma([u8::try_from(luma).unwrap_or(u8::MAX)])
    })
}

/// The image without its uniform border (the colour of its top-left
/// pixel), or the image itself when it is all border.
fn trim(gray: &GrayImage) -> GrayImage {
    let (w, h) = gray.dimensions();
    let Some(corner) = gray.get_pixel_checked(0, 0).map(|p| p.0[0]) else {
        return gray.clone();
    };
    let content = |x: u32, y: u32| gray.get_pixel(x, y).0[0].abs_diff(corner) > BORDER_TOLERANCE;
    let rows: Vec<u32> = (0..h).filter(|&y| (0..w).any(|x| content(x, y))).collect();
    let cols: Vec<u32> = (0..w).filter(|&x| (0..h).any(|y| content(x, y))).collect();
    match (rows.first(), rows.last(), cols.first(), cols.last()) {
        (Some(&top), Some(&bottom), Some(&left), Some(&right)) => {
            imageops::crop_imm(gray, left, top, right - left + 1, bottom - top + 1).to_image()
        }
        _ => gray.clone(),
    }
}

/// ISO 24138's 64-bit Image-Code of 32×32 grayscale pixels.
#[must_use]
pub fn code_of_pixels(pixels: &[u8; 1024]) -> ImageCode {
    // `gen_image_code_v0` fails only for a pixel count other than 1024 or
    // more than 256 bits; neither can happen here.
    let Ok(result) = iscc_lib::gen_image_code_v0(pixels, provenant_model::iscc::IMAGE_CODE_BITS)
    else {
        unreachable!("1024 pixels and 64 bits are always accepted")
    };
    match result.iscc.parse() {
        Ok(code) => code,
        Err(_) => unreachable!("iscc-lib writes canonical 64-bit Image-Codes"),
    }
}

/// Whether bytes starting with `prefix` are in one of the formats this
/// build decodes (by their magic number): worth keeping whole to code.
#[must_use]
pub fn looks_like_image(prefix: &[u8]) -> bool {
    matches!(
        image::guess_format(prefix),
        Ok(image::ImageFormat::Png
            | image::ImageFormat::Jpeg
            | image::ImageFormat::WebP
            | image::ImageFormat::Gif)
    )
}
