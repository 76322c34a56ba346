//! Designs generated from a seed, and the edits people make to them: what
//! the near-duplicate tests and the distance measurements run on.
//!
//! A design is a flat-colour composition (a background, a gradient band
//! and a dozen rectangles and discs of the seed's palette), as charms,
//! patches and prints often are. The edits are the ones a copy goes
//! through: re-encoding, resizing, a small crop, a colour shift, a sticker
//! or a logo placed on it; and the ones the image code is known not to
//! survive, a mirror and a quarter turn.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{ImageFormat, Rgb, RgbImage};

/// The side of a generated design, in pixels.
pub const SIDE: u32 = 480;

/// A small deterministic generator (splitmix64): the same seed draws the
/// same design, or the same codes, on every machine.
pub struct Draw(pub u64);

impl Draw {
    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)] // Not an iterator: it never ends.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        u32::try_from(self.next() % u64::from(n.max(1))).unwrap_or(0)
    }

    fn colour(&mut self) -> Rgb<u8> {
        let [r, g, b, ..] = self.next().to_le_bytes();
        Rgb([r, g, b])
    }
}

/// The design of `seed`.
#[must_use]
pub fn design(seed: u64) -> RgbImage {
    let mut draw = Draw(seed ^ 0x5eed);
    let background = draw.colour();
    let band = draw.colour();
    let vertical = draw.below(2) == 0;
    let mut image = RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let t = if vertical { x } else { y };
        let mix = |a: u8, b: u8| {
            let (a, b, t) = (u32::from(a), u32::from(b), t * 255 / SIDE);
            u8::try_from((a * (255 - t) + b * t) / 255).unwrap_or(u8::MAX)
        };
        Rgb([
            mix(background.0[0], band.0[0]),
            mix(background.0[1], band.0[1]),
            mix(background.0[2], band.0[2]),
        ])
    });
    for _ in 0..12 {
        let colour = draw.colour();
        let (cx, cy) = (draw.below(SIDE), draw.below(SIDE));
        let (w, h) = (40 + draw.below(SIDE / 3), 40 + draw.below(SIDE / 3));
        let disc = draw.below(2) == 0;
        for y in cy.saturating_sub(h / 2)..(cy + h / 2).min(SIDE) {
            for x in cx.saturating_sub(w / 2)..(cx + w / 2).min(SIDE) {
                let inside = !disc || {
                    let dx = f64::from(x) - f64::from(cx);
                    let dy = f64::from(y) - f64::from(cy);
                    (dx / f64::from(w / 2)).powi(2) + (dy / f64::from(h / 2)).powi(2) <= 1.0
                };
                if inside {
                    image.put_pixel(x, y, colour);
                }
            }
        }
    }
    image
}

/// An edit of a design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// The design as it was drawn, as PNG.
    Original,
    /// Saved as JPEG at this quality.
    Jpeg(u8),
    /// Resized to this side (PNG).
    Resize(u32),
    /// This many pixels cut from every side (PNG).
    Crop(u32),
    /// Brightness shifted by this much (PNG).
    Brighter(i32),
    /// A sticker (a small square of another colour) placed in a corner,
    /// this fraction of the side wide, in percent (PNG).
    Sticker(u32),
    /// Mirrored left to right (PNG): not caught.
    Mirror,
    /// Turned a quarter clockwise (PNG): not caught.
    Rotate90,
}

impl Edit {
    /// Every edit the image code is meant to survive, and the two it is
    /// not.
    pub const ALL: [Edit; 12] = [
        Edit::Original,
        Edit::Jpeg(85),
        Edit::Jpeg(50),
        Edit::Resize(240),
        Edit::Resize(960),
        Edit::Crop(8),
        Edit::Brighter(20),
        Edit::Brighter(-20),
        Edit::Sticker(10),
        Edit::Sticker(20),
        Edit::Mirror,
        Edit::Rotate90,
    ];

    /// Whether a near-duplicate search is expected to find the edited copy.
    #[must_use]
    pub fn kept(self) -> bool {
        !matches!(self, Edit::Mirror | Edit::Rotate90)
    }

    /// The edit's name, for tables.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Edit::Original => "original".into(),
            Edit::Jpeg(q) => format!("jpeg q{q}"),
            Edit::Resize(side) => format!("resize {side}px"),
            Edit::Crop(px) => format!("crop {px}px a side"),
            Edit::Brighter(d) => format!("brightness {d:+}"),
            Edit::Sticker(pct) => format!("sticker {pct}% wide"),
            Edit::Mirror => "mirror".into(),
            Edit::Rotate90 => "rotate 90".into(),
        }
    }
}

/// The file of `image` after `edit`: PNG or JPEG bytes.
///
/// # Panics
/// Never for generated designs (encoding to memory does not fail).
#[must_use]
pub fn file(image: &RgbImage, edit: Edit) -> Vec<u8> {
    let edited = match edit {
        Edit::Original | Edit::Jpeg(_) => image.clone(),
        Edit::Resize(side) => imageops::resize(image, side, side, FilterType::Triangle),
        Edit::Crop(px) => {
            let (w, h) = image.dimensions();
            imageops::crop_imm(image, px, px, w - 2 * px, h - 2 * px).to_image()
        }
        Edit::Brighter(d) => imageops::brighten(image, d),
        Edit::Sticker(pct) => {
            let mut out = image.clone();
            let side = image.width() * pct / 100;
            let colour = Rgb([255 - image.get_pixel(0, 0).0[0], 40, 200]);
            for y in 10..10 + side {
                for x in 10..10 + side {
                    out.put_pixel(x, y, colour);
                }
            }
            out
        }
        Edit::Mirror => imageops::flip_horizontal(image),
        Edit::Rotate90 => imageops::rotate90(image),
    };
    let mut bytes = Vec::new();
    match edit {
        Edit::Jpeg(quality) => JpegEncoder::new_with_quality(&mut bytes, quality)
            .encode_image(&edited)
            .expect("encoding to memory"),
        _ => edited
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .expect("encoding to memory"),
    }
    bytes
}
