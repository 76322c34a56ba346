//! Generated designs and their edits (made here from seeds): the edits a
//! copy goes through are found within the default distance, unrelated
//! designs are not, and mirrored or quarter-turned copies are not caught
//! (documented, not a goal: the code is not invariant to them).

use provenant_model::ImageCode;
use provenant_model::iscc::DEFAULT_DISTANCE;
use provenant_similar::{CodeError, code_of_pixels, image_code};
use provenant_testkit::designs::{Edit, design, file};

const DESIGNS: u64 = 40;

fn code(bytes: &[u8]) -> ImageCode {
    image_code(bytes).expect("a generated design decodes")
}

#[test]
fn edits_are_found_and_unrelated_designs_mirrors_and_turns_are_not() {
    let mut originals = Vec::new();
    let (mut kept, mut kept_found) = (0u32, 0u32);
    for seed in 0..DESIGNS {
        let image = design(seed);
        let original = code(&file(&image, Edit::Original));
        for edit in Edit::ALL {
            let distance = original.distance(code(&file(&image, edit)));
            match edit {
                Edit::Original => assert_eq!(distance, 0),
                // Resizing: every copy.
                Edit::Resize(_) => {
                    assert!(
                        distance <= DEFAULT_DISTANCE,
                        "seed {seed}, {edit:?}: {distance}"
                    );
                }
                Edit::Mirror | Edit::Rotate90 => {
                    assert!(
                        distance > DEFAULT_DISTANCE,
                        "seed {seed}, {edit:?}: {distance}"
                    );
                }
                _ => {}
            }
            if edit.kept() && edit != Edit::Original {
                kept += 1;
                kept_found += u32::from(distance <= DEFAULT_DISTANCE);
            }
        }
        originals.push(original);
    }
    // Small crops, colour shifts and stickers move some codes further.
    assert!(
        kept_found * 100 >= kept * 95,
        "{kept_found} of {kept} edits found"
    );
    for (i, a) in originals.iter().enumerate() {
        for (j, b) in originals.iter().enumerate().skip(i + 1) {
            assert!(a.distance(*b) > DEFAULT_DISTANCE, "designs {i} and {j}");
        }
    }
}

#[test]
fn the_pixels_to_code_step_matches_the_iscc_conformance_vectors() {
    // The standard's vectors, of 64, 128 and 256 bits: a 64-bit code is the
    // first 64 bits of the longer ones (the first 8x8 DCT block).
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/iscc/image_code_v0.json"
    ))
    .unwrap();
    let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = vectors["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 3);
    for (name, case) in cases {
        let pixels: Vec<u8> = serde_json::from_value(case["pixels"].clone()).unwrap();
        let pixels: [u8; 1024] = pixels.try_into().unwrap();
        let (.., digest) = iscc_lib::iscc_decode(case["iscc"].as_str().unwrap()).unwrap();
        let first = u64::from_be_bytes(digest[..8].try_into().unwrap());
        assert_eq!(code_of_pixels(&pixels).digest(), first, "{name}");
    }
}

#[test]
fn files_that_are_not_images_have_no_code() {
    assert!(matches!(
        image_code(b"a brief, in words"),
        Err(CodeError::Unsupported)
    ));
    let mut png = file(&design(1), Edit::Original);
    png.truncate(100);
    assert!(matches!(image_code(&png), Err(CodeError::Damaged(_))));
    // A PNG header claiming 100,000 x 100,000 pixels is refused before any
    // pixel is allocated.
    let huge = huge_png_header();
    assert!(
        matches!(image_code(&huge), Err(CodeError::TooLarge)),
        "{:?}",
        image_code(&huge)
    );
}

/// The signature and IHDR chunk of a 100,000 x 100,000 RGB PNG.
fn huge_png_header() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(b"IHDR");
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&ihdr);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
