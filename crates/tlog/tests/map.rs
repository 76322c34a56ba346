//! Property tests of the state map: the incrementally updated root equals a
//! root rebuilt from scratch, every proof of presence and absence verifies,
//! the stored rows an update writes rebuild the same map, and tampering with
//! a proof, a value hash, a key or a root is caught. Every proof has one
//! encoding: no truncation, extension or bitmap bit flip of it decodes.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::sample::Index;
use provenant_tlog::map::{
    Bucket, EMPTY_MAP_ROOT, MapKey, MapProof, MapRead, MapWrites, MemoryMap, Node, TOP_DEPTH,
    Terminal, Top, bucket_of, map_leaf_hash, prove, root_of, update,
};
use provenant_tlog::{Error, Hash};

/// Keys that force structure: shared buckets and top subtrees (first bytes
/// from a small alphabet), long shared prefixes (chains below depth 16),
/// keys differing only in their last bits, and uniform keys.
fn key() -> impl Strategy<Value = MapKey> {
    let head = || prop::sample::select(vec![0x00u8, 0x01, 0x80, 0xff]);
    prop_oneof![
        any::<[u8; 32]>(),
        (head(), head(), any::<[u8; 30]>()).prop_map(|(a, b, rest)| {
            let mut k = [0u8; 32];
            k[0] = a;
            k[1] = b;
            k[2..].copy_from_slice(&rest);
            k
        }),
        (head(), head(), head(), 0u8..4).prop_map(|(a, b, c, last)| {
            let mut k = [0u8; 32];
            k[..3].copy_from_slice(&[a, b, c]);
            k[31] = last;
            k
        }),
        (head(), 0usize..256).prop_map(|(a, at)| {
            let mut k = [0u8; 32];
            k[0] = a;
            k[at / 8] ^= 0x80 >> (at % 8);
            k
        }),
    ]
}

/// Any well-formed proof, true or not: up to 256 siblings, about half of
/// them empty, and any terminal.
fn any_proof() -> impl Strategy<Value = MapProof> {
    let sibling = prop_oneof![
        Just(EMPTY_MAP_ROOT),
        any::<[u8; 32]>().prop_map(|h| if h == [0; 32] { Hash([1; 32]) } else { Hash(h) }),
    ];
    let terminal = prop_oneof![
        Just(Terminal::Empty),
        Just(Terminal::Found),
        (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(key, v)| Terminal::Other {
            key,
            value_hash: Hash(v)
        }),
    ];
    (prop::collection::vec(sibling, 0..=256), terminal)
        .prop_map(|(siblings, terminal)| MapProof { siblings, terminal })
}

fn value(v: u8) -> Hash {
    Hash([v; 32])
}

/// The stored rows, as the ledger keeps them: present top nodes and
/// non-empty buckets only, written from [`MapWrites`].
#[derive(Default)]
struct Rows {
    nodes: HashMap<(u8, u32), [u8; 33]>,
    buckets: HashMap<u16, Vec<u8>>,
}

impl Rows {
    fn write(&mut self, writes: &MapWrites) {
        for &(depth, index, node) in &writes.nodes {
            match node.to_bytes() {
                Some(bytes) => self.nodes.insert((depth, index), bytes),
                None => self.nodes.remove(&(depth, index)),
            };
        }
        for bucket in &writes.buckets {
            if bucket.is_empty() {
                self.buckets.remove(&bucket.prefix());
            } else {
                self.buckets.insert(bucket.prefix(), bucket.encode());
            }
        }
    }

    /// The writer's in-memory top, loaded from the rows as at start-up.
    fn load_top(&self) -> Top {
        let mut top = Top::empty();
        for (&(depth, index), bytes) in &self.nodes {
            top.try_set(depth, index, Node::from_bytes(bytes).expect("stored node"))
                .expect("stored position");
        }
        top
    }
}

impl MapRead for Rows {
    type Error = Error;

    fn node(&self, depth: u8, index: u32) -> Result<Node, Error> {
        assert!(depth <= TOP_DEPTH);
        self.nodes
            .get(&(depth, index))
            .map_or(Ok(Node::Empty), |b| Node::from_bytes(b))
    }

    fn bucket(&self, prefix: u16) -> Result<Bucket, Error> {
        self.buckets
            .get(&prefix)
            .map_or(Ok(Bucket::new(prefix)), |b| Bucket::decode(prefix, b))
    }
}

fn check_proofs(
    map: &MemoryMap,
    model: &BTreeMap<MapKey, Hash>,
    probes: &[MapKey],
) -> Result<(), TestCaseError> {
    let root = map.root();
    for key in model.keys().chain(probes) {
        let expected = model.get(key).copied();
        let (proof, got) = map.prove(key);
        prop_assert_eq!(got, expected);
        prop_assert_eq!(map.get(key), expected);
        prop_assert!(proof.siblings.len() <= 256);
        let decoded = MapProof::from_bytes(&proof.to_bytes()).expect("round trip");
        prop_assert_eq!(&decoded, &proof);
        prop_assert!(proof.verify(&root, key, expected.as_ref()).is_ok());
        // Presence never passes as absence, nor absence as presence.
        match expected {
            Some(v) => {
                prop_assert_eq!(&proof.terminal, &Terminal::Found);
                prop_assert!(proof.verify(&root, key, None).is_err());
                prop_assert!(proof.verify(&root, key, Some(&value(!v.0[0]))).is_err());
            }
            None => prop_assert!(proof.verify(&root, key, Some(&value(0))).is_err()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn incremental_root_matches_rebuild_and_proofs_verify(
        pool in prop::collection::vec(key(), 1..40),
        batches in prop::collection::vec(
            prop::collection::vec((any::<Index>(), prop::option::of(any::<u8>())), 0..24),
            1..8,
        ),
        probes in prop::collection::vec(key(), 0..8),
    ) {
        let mut map = MemoryMap::new();
        let mut rows = Rows::default();
        let mut model = BTreeMap::new();
        for batch in batches {
            let changes: BTreeMap<MapKey, Option<Hash>> = batch
                .iter()
                .map(|(i, v)| (*i.get(&pool), v.map(value)))
                .collect();
            let (writes, root) = update(map.top(), &rows, &changes).expect("rows read");
            rows.write(&writes);
            for (key, v) in &changes {
                match v {
                    Some(v) => model.insert(*key, *v),
                    None => model.remove(key),
                };
            }
            prop_assert_eq!(map.apply(&changes), root);
            prop_assert_eq!(root, root_of(&model));
            prop_assert_eq!(map.root(), root);
            prop_assert_eq!(map.len(), model.len());
            prop_assert_eq!(map.is_empty(), model.is_empty());
            // The rows alone rebuild the same top, and prove the same.
            prop_assert_eq!(rows.load_top().root(), root);
            for key in &pool {
                for depth in 0..=TOP_DEPTH {
                    let index = u32::from(bucket_of(key)) >> (TOP_DEPTH - depth);
                    prop_assert_eq!(rows.node(depth, index).expect("row"), map.top().node(depth, index));
                }
                prop_assert_eq!(prove(&rows, key).expect("rows prove"), map.prove(key));
            }
            // Re-applying the same changes writes nothing.
            let (again, same) = update(map.top(), &map, &changes).expect("memory reads");
            prop_assert_eq!(again, MapWrites::default());
            prop_assert_eq!(same, root);
            // Pool keys not in the model were never set or were deleted.
            check_proofs(&map, &model, &probes)?;
            let absent: Vec<MapKey> = pool.iter().filter(|k| !model.contains_key(*k)).copied().collect();
            check_proofs(&map, &model, &absent)?;
        }
        // Deleting everything returns to the empty map and deletes every row.
        let all: BTreeMap<MapKey, Option<Hash>> = model.keys().map(|k| (*k, None)).collect();
        let (writes, root) = update(map.top(), &map, &all).expect("memory reads");
        rows.write(&writes);
        prop_assert_eq!(root, EMPTY_MAP_ROOT);
        prop_assert!(rows.nodes.is_empty());
        prop_assert!(rows.buckets.is_empty());
    }

    #[test]
    fn tampering_is_caught(
        pool in prop::collection::vec(key(), 1..24),
        pick in any::<Index>(),
        present in any::<bool>(),
        at in any::<Index>(),
        bit in 0u8..8,
    ) {
        let mut map = MemoryMap::new();
        let changes: BTreeMap<MapKey, Option<Hash>> = pool
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, Some(value(u8::try_from(i).expect("small")))))
            .collect();
        let root = map.apply(&changes);
        let mut key = *pick.get(&pool);
        if !present {
            key[31] ^= 0x55;
        }
        let (proof, value_hash) = map.prove(&key);
        prop_assert!(proof.verify(&root, &key, value_hash.as_ref()).is_ok());
        let mask = 1u8 << bit;

        // Any flipped bit of the proof's bytes: refused when read or verified.
        let mut bytes = proof.to_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= mask;
        if let Ok(bad) = MapProof::from_bytes(&bytes) {
            prop_assert!(bad.verify(&root, &key, value_hash.as_ref()).is_err());
        }
        // Truncated or extended proofs do not decode.
        let full = proof.to_bytes();
        for len in 0..full.len() {
            prop_assert!(MapProof::from_bytes(&full[..len]).is_err(), "cut to {}", len);
        }
        for extra in [&[0u8][..], &[0xff], &[0; 32], &[1; 32]] {
            let mut long = full.clone();
            long.extend_from_slice(extra);
            prop_assert!(MapProof::from_bytes(&long).is_err());
        }

        // The root.
        let mut bad_root = root;
        bad_root.0[at.index(32)] ^= mask;
        prop_assert!(proof.verify(&bad_root, &key, value_hash.as_ref()).is_err());

        // The value hash: presence with another value, absence claimed present.
        let mut bad_value = value_hash.unwrap_or_default();
        bad_value.0[at.index(32)] ^= mask;
        prop_assert!(proof.verify(&root, &key, Some(&bad_value)).is_err());

        // The key: any flip breaks a proof of presence; a proof of absence
        // ends where the path leaves every present key, so it still proves
        // the absence of keys that differ only below that depth, and must
        // fail for a flip above it.
        let flip = at.index(256);
        let mut other_key = key;
        other_key[flip / 8] ^= 0x80 >> (flip % 8);
        if value_hash.is_some() || flip < proof.siblings.len() {
            prop_assert!(proof.verify(&root, &other_key, value_hash.as_ref()).is_err());
        }
    }

    #[test]
    fn any_proof_has_one_encoding(proof in any_proof(), extra in prop::collection::vec(any::<u8>(), 1..40)) {
        let bytes = proof.to_bytes();
        let depth = proof.siblings.len();
        let given = proof.siblings.iter().filter(|s| **s != EMPTY_MAP_ROOT).count();
        let other = if matches!(proof.terminal, Terminal::Other { .. }) { 64 } else { 0 };
        prop_assert_eq!(bytes.len(), 3 + other + depth.div_ceil(8) + 32 * given);
        prop_assert_eq!(&MapProof::from_bytes(&bytes).expect("round trip"), &proof);
        for len in 0..bytes.len() {
            prop_assert!(MapProof::from_bytes(&bytes[..len]).is_err(), "cut to {}", len);
        }
        let mut long = bytes.clone();
        long.extend_from_slice(&extra);
        prop_assert!(MapProof::from_bytes(&long).is_err());
        // Flipping any bitmap bit, used or not, is refused: a used one
        // changes the length, an unused one must stay zero.
        let bitmap = 3 + other;
        for bit in 0..depth.div_ceil(8) * 8 {
            let mut flipped = bytes.clone();
            flipped[bitmap + bit / 8] ^= 0x80 >> (bit % 8);
            prop_assert!(MapProof::from_bytes(&flipped).is_err(), "bit {}", bit);
        }
        // An empty sibling given explicitly as 32 zeros is refused.
        if let Some(i) = proof.siblings.iter().position(|s| *s == EMPTY_MAP_ROOT) {
            let mut explicit = bytes.clone();
            explicit[bitmap + i / 8] |= 0x80 >> (i % 8);
            let before = proof.siblings[..i].iter().filter(|s| **s != EMPTY_MAP_ROOT).count();
            let at = bitmap + depth.div_ceil(8) + 32 * before;
            explicit.splice(at..at, [0u8; 32]);
            let refused = matches!(
                MapProof::from_bytes(&explicit),
                Err(Error::MapProofMalformed { .. })
            );
            prop_assert!(refused);
        }
    }

    #[test]
    fn junk_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), prefix in any::<u16>()) {
        if let Ok(proof) = MapProof::from_bytes(&bytes) {
            prop_assert_eq!(proof.to_bytes(), bytes.clone());
            let _ = proof.verify(&EMPTY_MAP_ROOT, &[0; 32], None);
        }
        if let Ok(node) = Node::from_bytes(&bytes) {
            prop_assert_eq!(node.to_bytes().map(|b| b.to_vec()), Some(bytes.clone()));
        }
        if let Ok(bucket) = Bucket::decode(prefix, &bytes) {
            prop_assert_eq!(bucket.encode(), bytes);
        }
    }
}

/// `a` = 0x00.., `b` = 0x80.. and the absent `c` = 0x40.. (path 0, 1).
fn two_keys() -> (MemoryMap, MapKey, MapKey, MapKey) {
    let a = [0u8; 32];
    let mut b = [0u8; 32];
    b[0] = 0x80;
    let mut c = [0u8; 32];
    c[0] = 0x40;
    let mut map = MemoryMap::new();
    map.apply(&BTreeMap::from([(a, Some(value(1))), (b, Some(value(2)))]));
    (map, a, b, c)
}

#[test]
fn another_leaf_off_the_path_is_refused() {
    let (map, a, _, c) = two_keys();
    let root = map.root();
    let (proof, found) = map.prove(&c);
    assert_eq!(found, None);
    assert_eq!(
        proof.terminal,
        Terminal::Other {
            key: a,
            value_hash: value(1)
        }
    );
    proof.verify(&root, &c, None).expect("absence of c");
    // The same proof offered for a key whose first bit differs from a's.
    let mut d = c;
    d[0] = 0xc0;
    assert!(matches!(
        proof.verify(&root, &d, None),
        Err(Error::MapProofWrongTerminal { .. })
    ));
    // The other leaf may not be the key itself.
    assert!(matches!(
        proof.verify(&root, &a, None),
        Err(Error::MapProofWrongTerminal { .. })
    ));
}

#[test]
fn non_canonical_paths_are_refused() {
    let (map, a, _, _) = two_keys();
    let root = map.root();
    let (proof, _) = map.prove(&a);
    // a's leaf pushed one level down beside an empty sibling: its hash
    // differs anyway, and the path is refused before hashing.
    let mut deeper = proof.clone();
    deeper.siblings.push(EMPTY_MAP_ROOT);
    assert!(matches!(
        deeper.verify(&root, &a, Some(&value(1))),
        Err(Error::MapProofWrongTerminal { .. })
    ));
    // An empty slot beside an empty sibling.
    let empty = MapProof {
        siblings: vec![EMPTY_MAP_ROOT],
        terminal: Terminal::Empty,
    };
    assert!(empty.verify(&EMPTY_MAP_ROOT, &a, None).is_err());
}

#[test]
fn one_key_and_empty_maps() {
    let mut map = MemoryMap::new();
    let key = [7u8; 32];
    let (proof, found) = map.prove(&key);
    assert_eq!((proof.siblings.len(), found), (0, None));
    proof
        .verify(&EMPTY_MAP_ROOT, &key, None)
        .expect("empty map");
    let root = map.apply(&BTreeMap::from([(key, Some(value(3)))]));
    assert_eq!(root, map_leaf_hash(&key, &value(3)));
    // The root is a leaf: the proof is the terminal alone.
    let (proof, found) = map.prove(&key);
    assert_eq!(found, Some(value(3)));
    assert!(proof.siblings.is_empty());
    proof.verify(&root, &key, Some(&value(3))).expect("present");
    let (proof, _) = map.prove(&[8u8; 32]);
    assert!(matches!(proof.terminal, Terminal::Other { .. }));
    proof.verify(&root, &[8u8; 32], None).expect("absent");
    // Removing an absent key changes nothing.
    assert_eq!(map.apply(&BTreeMap::from([([9u8; 32], None)])), root);
}
