//! Differential tests against two independent implementations from
//! crates.io: Cloudflare azul's `tlog_tiles` (a port of Go's sumdb tlog) and
//! rozbb's `ct-merkle`. Roots, stored hashes and proofs must be identical,
//! and each side's proofs must verify under the other's verifier.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use provenant_tlog::{
    Hash, HashReader, LeafIndex, StoredIndex, TreeSize, append, hash_leaf, prove_consistency,
    prove_inclusion, tree_hash, verify_consistency, verify_inclusion,
};
use sha2::Sha256;

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn entry(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

/// Our stored hashes, readable by `tlog_tiles` too.
struct Store(Vec<Hash>);

impl HashReader for Store {
    fn read_hashes(&self, indexes: &[StoredIndex]) -> Result<Vec<Hash>, provenant_tlog::Error> {
        self.0.read_hashes(indexes)
    }
}

impl tlog_tiles::HashReader for Store {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.0.get(i))
                    .map(|h| tlog_tiles::Hash(h.0))
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn theirs(h: Hash) -> tlog_tiles::Hash {
    tlog_tiles::Hash(h.0)
}

fn ours(h: &tlog_tiles::Hash) -> Hash {
    Hash(h.0)
}

/// Builds a tree of `n` leaves with our append, checking every stored hash
/// against what `tlog_tiles` would store.
fn build(n: u64) -> (Store, Vec<Hash>) {
    let mut store = Store(Vec::new());
    let mut leaves = Vec::new();
    for i in 0..n {
        let leaf = hash_leaf(&entry(i));
        let new = append(TreeSize(i), &[leaf], &store).unwrap();
        let expected = tlog_tiles::stored_hashes(i, &entry(i), &store).unwrap();
        assert_eq!(
            new.iter().copied().map(theirs).collect::<Vec<_>>(),
            expected
        );
        store.0.extend(new);
        leaves.push(leaf);
    }
    (store, leaves)
}

fn ct_tree(n: u64) -> MemoryBackedTree<Sha256, [u8; 8]> {
    let mut t = MemoryBackedTree::new();
    for i in 0..n {
        t.push(entry(i));
    }
    t
}

fn ct_root(t: &MemoryBackedTree<Sha256, [u8; 8]>) -> Hash {
    Hash::from_slice(t.root().as_bytes()).unwrap()
}

fn flat(proof: &[Hash]) -> Vec<u8> {
    proof.iter().flat_map(|h| h.0).collect()
}

#[test]
fn roots_agree_for_every_size_to_1100() {
    let (store, _) = build(1100);
    let mut ct = MemoryBackedTree::<Sha256, [u8; 8]>::new();
    for n in 0..=1100u64 {
        let root = tree_hash(TreeSize(n), &store).unwrap();
        assert_eq!(
            theirs(root),
            tlog_tiles::tree_hash(n, &store).unwrap(),
            "size {n}"
        );
        assert_eq!(root, ct_root(&ct), "size {n}");
        ct.push(entry(n));
    }
}

#[test]
fn inclusion_proofs_agree_for_every_index_and_size_to_300() {
    let (store, leaves) = build(300);
    let mut ct = MemoryBackedTree::<Sha256, [u8; 8]>::new();
    for n in 1..=300u64 {
        ct.push(entry(n - 1));
        let root = tree_hash(TreeSize(n), &store).unwrap();
        let ct_root = ct.root();
        for m in 0..n {
            let leaf = leaves[usize::try_from(m).unwrap()];
            let ours_p = prove_inclusion(LeafIndex(m), TreeSize(n), &store).unwrap();
            let theirs_p = tlog_tiles::prove_record(n, m, &store).unwrap();
            assert_eq!(
                ours_p.iter().copied().map(theirs).collect::<Vec<_>>(),
                theirs_p
            );
            let ct_p = ct.prove_inclusion(usize::try_from(m).unwrap());
            assert_eq!(flat(&ours_p), ct_p.as_bytes(), "({m}, {n})");

            // Each side's proof verifies under the others' verifiers.
            tlog_tiles::check_record(&theirs_p, n, theirs(root), m, theirs(leaf)).unwrap();
            let from_theirs: Vec<Hash> = theirs_p.iter().map(ours).collect();
            verify_inclusion(LeafIndex(m), TreeSize(n), &leaf, &from_theirs, &root).unwrap();
            let ours_for_ct = InclusionProof::<Sha256>::from_bytes(flat(&ours_p));
            ct_root
                .verify_inclusion(&entry(m), m, &ours_for_ct)
                .unwrap();
        }
    }
}

#[test]
fn consistency_proofs_agree_for_every_pair_to_300() {
    let (store, _) = build(300);
    let mut ct = MemoryBackedTree::<Sha256, [u8; 8]>::new();
    for n in 1..=300u64 {
        ct.push(entry(n - 1));
        let new_root = tree_hash(TreeSize(n), &store).unwrap();
        for m in 1..=n {
            let old_root = tree_hash(TreeSize(m), &store).unwrap();
            let ours_p = prove_consistency(TreeSize(m), TreeSize(n), &store).unwrap();
            let theirs_p = tlog_tiles::prove_tree(n, m, &store).unwrap();
            assert_eq!(
                ours_p.iter().copied().map(theirs).collect::<Vec<_>>(),
                theirs_p
            );
            let ct_p = ct.prove_consistency(usize::try_from(n - m).unwrap());
            assert_eq!(flat(&ours_p), ct_p.as_bytes(), "({m}, {n})");

            tlog_tiles::check_tree(&theirs_p, n, theirs(new_root), m, theirs(old_root)).unwrap();
            let from_theirs: Vec<Hash> = theirs_p.iter().map(ours).collect();
            verify_consistency(TreeSize(m), TreeSize(n), &old_root, &new_root, &from_theirs)
                .unwrap();
            let ct_old = RootHash::<Sha256>::new(old_root.0.into(), m);
            let ours_for_ct = ConsistencyProof::<Sha256>::try_from_bytes(flat(&ours_p)).unwrap();
            ct.root().verify_consistency(&ct_old, &ours_for_ct).unwrap();
        }
    }
}

#[test]
fn random_sizes_up_to_a_million_agree() {
    const N: u64 = 1_000_000;
    let (store, leaves) = build(N);
    let ct = ct_tree(N);
    assert_eq!(tree_hash(TreeSize(N), &store).unwrap(), ct_root(&ct));
    let ct_root_n = ct.root();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..2000 {
        let n = 1 + rng.below(N);
        let m = rng.below(n);
        let root = tree_hash(TreeSize(n), &store).unwrap();
        assert_eq!(
            theirs(root),
            tlog_tiles::tree_hash(n, &store).unwrap(),
            "size {n}"
        );

        let leaf = leaves[usize::try_from(m).unwrap()];
        let p = prove_inclusion(LeafIndex(m), TreeSize(n), &store).unwrap();
        let tp = tlog_tiles::prove_record(n, m, &store).unwrap();
        assert_eq!(p.iter().copied().map(theirs).collect::<Vec<_>>(), tp);
        tlog_tiles::check_record(&tp, n, theirs(root), m, theirs(leaf)).unwrap();
        verify_inclusion(LeafIndex(m), TreeSize(n), &leaf, &p, &root).unwrap();

        let old = 1 + rng.below(n);
        let old_root = tree_hash(TreeSize(old), &store).unwrap();
        let c = prove_consistency(TreeSize(old), TreeSize(n), &store).unwrap();
        let tc = tlog_tiles::prove_tree(n, old, &store).unwrap();
        assert_eq!(c.iter().copied().map(theirs).collect::<Vec<_>>(), tc);
        tlog_tiles::check_tree(&tc, n, theirs(root), old, theirs(old_root)).unwrap();
        verify_consistency(TreeSize(old), TreeSize(n), &old_root, &root, &c).unwrap();

        // ct-merkle proves against its full tree only: compare at size N.
        let p = prove_inclusion(LeafIndex(m), TreeSize(N), &store).unwrap();
        assert_eq!(
            flat(&p),
            ct.prove_inclusion(usize::try_from(m).unwrap()).as_bytes()
        );
        let c = prove_consistency(TreeSize(old), TreeSize(N), &store).unwrap();
        let ct_c = ct.prove_consistency(usize::try_from(N - old).unwrap());
        assert_eq!(flat(&c), ct_c.as_bytes());
        let ct_old = RootHash::<Sha256>::new(old_root.0.into(), old);
        ct_root_n.verify_consistency(&ct_old, &ct_c).unwrap();
    }
}
