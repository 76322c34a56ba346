//! Property tests: proofs verify for every index and size, tampering is
//! caught, text formats round-trip, and parsers never panic on junk.

use std::sync::OnceLock;

use proptest::prelude::*;
use provenant_tlog::bundle::ProofBundle;
use provenant_tlog::tile::{Tile, encode_bundle, parse_bundle};
use provenant_tlog::{
    Checkpoint, Hash, LeafIndex, Note, TreeSize, append, hash_leaf, prove_consistency,
    prove_inclusion, tree_hash, verify_consistency, verify_inclusion,
};

const N: u64 = 5000;

fn store() -> &'static (Vec<Hash>, Vec<Hash>) {
    static STORE: OnceLock<(Vec<Hash>, Vec<Hash>)> = OnceLock::new();
    STORE.get_or_init(|| {
        let leaves: Vec<Hash> = (0..N).map(|i| hash_leaf(&i.to_le_bytes())).collect();
        (append(TreeSize(0), &leaves, &Vec::new()).unwrap(), leaves)
    })
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut b = h.0;
    b[bit / 8 % 32] ^= 1 << (bit % 8);
    Hash(b)
}

proptest! {
    #[test]
    fn inclusion_verifies_and_tampering_fails(size in 1..=N, pick in any::<u64>(), bit in 0usize..256) {
        let (store, leaves) = store();
        let index = pick % size;
        let leaf = leaves[usize::try_from(index).unwrap()];
        let root = tree_hash(TreeSize(size), store).unwrap();
        let proof = prove_inclusion(LeafIndex(index), TreeSize(size), store).unwrap();
        prop_assert!(verify_inclusion(LeafIndex(index), TreeSize(size), &leaf, &proof, &root).is_ok());
        prop_assert!(verify_inclusion(LeafIndex(index), TreeSize(size), &flip(&leaf, bit), &proof, &root).is_err());
        prop_assert!(verify_inclusion(LeafIndex(index), TreeSize(size), &leaf, &proof, &flip(&root, bit)).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let at = bit % bad.len();
            bad[at] = flip(&bad[at], bit);
            prop_assert!(verify_inclusion(LeafIndex(index), TreeSize(size), &leaf, &bad, &root).is_err());
            prop_assert!(verify_inclusion(LeafIndex(index), TreeSize(size), &leaf, &proof[1..], &root).is_err());
        }
    }

    #[test]
    fn consistency_verifies_and_tampering_fails(new in 1..=N, pick in any::<u64>(), bit in 0usize..256) {
        let (store, _) = store();
        let old = 1 + pick % new;
        let old_root = tree_hash(TreeSize(old), store).unwrap();
        let new_root = tree_hash(TreeSize(new), store).unwrap();
        let proof = prove_consistency(TreeSize(old), TreeSize(new), store).unwrap();
        prop_assert!(verify_consistency(TreeSize(old), TreeSize(new), &old_root, &new_root, &proof).is_ok());
        prop_assert!(verify_consistency(TreeSize(old), TreeSize(new), &flip(&old_root, bit), &new_root, &proof).is_err());
        prop_assert!(verify_consistency(TreeSize(old), TreeSize(new), &old_root, &flip(&new_root, bit), &proof).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let at = bit % bad.len();
            bad[at] = flip(&bad[at], bit);
            prop_assert!(verify_consistency(TreeSize(old), TreeSize(new), &old_root, &new_root, &bad).is_err());
        }
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=63, index in any::<u64>(), width in 1u16..=256, entries in any::<bool>()) {
        let tile = if entries { Tile::entries(index, width) } else { Tile::hashes(level, index, width) }.unwrap();
        let path = tile.path();
        prop_assert_eq!(Tile::parse(&path).unwrap(), tile);
    }

    #[test]
    fn tile_paths_match_tlog_tiles(level in 0u8..=7, index in 0u64..1 << 40, width in 1u16..=256) {
        let ours = Tile::hashes(level, index, width).unwrap().path();
        let theirs = tlog_tiles::Tile::new(8, level, index, u32::from(width), false).path();
        // tlog_tiles writes Go sumdb paths, with the tile height after `tile/`.
        prop_assert_eq!(ours, theirs.replacen("tile/8/", "tile/", 1));
    }

    #[test]
    fn entry_bundles_round_trip(entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 1..=256)) {
        let bundle = encode_bundle(&entries).unwrap();
        let width = u16::try_from(entries.len()).unwrap();
        let parsed = parse_bundle(&bundle, width).unwrap();
        prop_assert_eq!(parsed, entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
        if !bundle.is_empty() {
            prop_assert!(parse_bundle(&bundle[..bundle.len() - 1], width).is_err());
        }
    }

    #[test]
    fn parsers_never_panic(text in "\\PC*", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Tile::parse(&text);
        let _ = Checkpoint::parse(&text);
        let _ = Note::parse(text.as_bytes());
        let _ = Note::parse(&bytes);
        let _ = ProofBundle::parse(&text);
        let _ = parse_bundle(&bytes, 3);
    }
}

#[test]
fn tiles_read_the_same_hashes_as_tlog_tiles() {
    struct Both<'a>(&'a [Hash]);
    impl tlog_tiles::HashReader for Both<'_> {
        fn read_hashes(&self, ix: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
            Ok(ix
                .iter()
                .map(|&i| tlog_tiles::Hash(self.0[usize::try_from(i).unwrap()].0))
                .collect())
        }
    }
    let (store, _) = store();
    let size = TreeSize(N);
    for level in 0..=1u8 {
        for index in 0.. {
            let Some(width) = Tile::width_at(Some(level), index, size) else {
                break;
            };
            let ours = Tile::hashes(level, index, width)
                .unwrap()
                .read(store)
                .unwrap();
            let theirs = tlog_tiles::Tile::new(8, level, index, u32::from(width), false)
                .read_data(&Both(store))
                .unwrap();
            assert_eq!(ours, theirs, "tile {level}/{index} width {width}");
        }
    }
    assert!(Tile::width_at(Some(2), 0, size).is_none());
    // A tile wider than the tree is not readable.
    let beyond = Tile::hashes(0, N / 256, 256).unwrap();
    assert!(beyond.read(store).is_err());
}
