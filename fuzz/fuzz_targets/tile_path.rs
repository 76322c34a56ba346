//! A C2SP tile or entry-bundle path as `GET /tile/...` receives it, and an
//! entry bundle's bytes: a path that parses prints back to itself, and a
//! bundle that parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_tlog::tile::{Tile, encode_bundle, parse_bundle};

fuzz_target!(|data: &[u8]| {
    // The first line is a path; the rest, the bundle's bytes.
    let (path, bundle) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let mut width = 256;
    if let Ok(path) = std::str::from_utf8(path)
        && let Ok(tile) = Tile::parse(path)
    {
        assert_eq!(tile.path(), path);
        assert_eq!(Tile::parse(&tile.path()).ok(), Some(tile));
        width = tile.width;
    }
    if let Ok(entries) = parse_bundle(bundle, width) {
        let again = encode_bundle(&entries).expect("parsed entries encode");
        assert_eq!(again, bundle);
    }
});
