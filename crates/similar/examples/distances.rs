//! How far apart the image codes of generated designs and their edits are,
//! and of unrelated designs: the measurements the default near-duplicate
//! distance is chosen from (`docs/BENCHMARKS.md`).
//!
//! `cargo run --release -p provenant-similar --example distances [DESIGNS]`

#![allow(clippy::cast_precision_loss)] // Percentages for people.

use provenant_model::ImageCode;
use provenant_similar::image_code;
use provenant_testkit::designs::{Edit, design, file};

fn code(bytes: &[u8]) -> ImageCode {
    image_code(bytes).expect("generated designs decode")
}

fn percentile(sorted: &[u32], p: usize) -> u32 {
    sorted[(sorted.len() - 1) * p / 100]
}

fn main() {
    let designs: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let mut originals = Vec::new();
    let mut by_edit: Vec<(Edit, Vec<u32>)> = Edit::ALL.iter().map(|e| (*e, Vec::new())).collect();
    for seed in 0..designs {
        let image = design(seed);
        let original = code(&file(&image, Edit::Original));
        originals.push(original);
        for (edit, distances) in &mut by_edit {
            distances.push(original.distance(code(&file(&image, *edit))));
        }
    }
    let mut unrelated = Vec::new();
    for (i, a) in originals.iter().enumerate() {
        for b in &originals[i + 1..] {
            unrelated.push(a.distance(*b));
        }
    }
    unrelated.sort_unstable();
    println!("{designs} designs; distance from the original's code, in bits of 64");
    println!(
        "{:<22} {:>4} {:>6} {:>4} {:>4}",
        "edit", "min", "median", "p95", "max"
    );
    for (edit, distances) in &mut by_edit {
        distances.sort_unstable();
        println!(
            "{:<22} {:>4} {:>6} {:>4} {:>4}",
            edit.name(),
            distances[0],
            percentile(distances, 50),
            percentile(distances, 95),
            distances[distances.len() - 1]
        );
    }
    println!(
        "{:<22} {:>4} {:>6} {:>4} {:>4}   ({} pairs; p1 {}, p5 {})",
        "unrelated designs",
        unrelated[0],
        percentile(&unrelated, 50),
        percentile(&unrelated, 95),
        unrelated[unrelated.len() - 1],
        unrelated.len(),
        percentile(&unrelated, 1),
        percentile(&unrelated, 5),
    );
    println!();
    println!("threshold  edited copies found  mirrors/rotations found  unrelated pairs within");
    for threshold in 0..=12 {
        let (mut kept, mut kept_found, mut lost, mut lost_found) = (0, 0, 0, 0);
        for (edit, distances) in &by_edit {
            let found = distances.iter().filter(|d| **d <= threshold).count();
            if *edit == Edit::Original {
                continue;
            }
            if edit.kept() {
                kept += distances.len();
                kept_found += found;
            } else {
                lost += distances.len();
                lost_found += found;
            }
        }
        let false_pairs = unrelated.iter().filter(|d| **d <= threshold).count();
        println!(
            "{threshold:>9}  {:>16.1}%  {:>23.1}%  {false_pairs:>7} of {} ({:.3}%)",
            100.0 * kept_found as f64 / kept as f64,
            100.0 * lost_found as f64 / lost as f64,
            unrelated.len(),
            100.0 * false_pairs as f64 / unrelated.len() as f64,
        );
    }
}
