//! An auditor that does not share our code: `tlog_tiles` (a port of Go's
//! `golang.org/x/mod/sumdb/tlog`) follows the server's tiles, recomputes the
//! tree and checks every proof the server serves, and every checkpoint the
//! server handed out is consistent with every later one.

mod support;

use provenant_api::{ConsistencyQuery, InclusionQuery};
use provenant_model::{Entry, Kind};
use provenant_tlog::{Checkpoint, Hash};
use support::*;
use tlog_tiles::{Tile, TileHashReader, TileReader};

/// Reads C2SP tiles (`/tile/<L>/<N>[.p/<W>]`) over HTTP.
struct HttpTiles<'a>(&'a Server);

impl TileReader for HttpTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                // `tlog_tiles` names tiles Go's way, `tile/<H>/<L>/...`.
                let path = t.path().replacen("tile/8/", "/tile/", 1);
                let r = self.0.client.get(self.0.url(&path)).send().unwrap();
                assert_eq!(r.status().as_u16(), 200, "{path}");
                Ok(r.bytes().unwrap().to_vec())
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

fn theirs(h: Hash) -> tlog_tiles::Hash {
    tlog_tiles::Hash(h.0)
}

fn hashes(proof: &[Hash]) -> Vec<tlog_tiles::Hash> {
    proof.iter().copied().map(theirs).collect()
}

#[test]
fn an_independent_client_verifies_every_tile_and_proof() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let (origin, verifier) = server.log_key();

    // 300 writes, each sealed by the log's commitment: 600 entries, two
    // full level-0 tiles, a partial one, and a level-1 tile. Every
    // receipt's checkpoint is kept, as a client would keep them.
    let writes = 300u16;
    let size = size_after(writes.into());
    let mut handed_out: Vec<Checkpoint> = Vec::new();
    let mut receipts = Vec::new();
    for i in 0..writes {
        let receipt = server.write(&register(&i.to_be_bytes(), &[(&key(1), 1_000_000)]));
        let cp = verified_checkpoint(&receipt.checkpoint, &origin, &verifier);
        // The receipt's checkpoint covers the entry and its commitment.
        assert_eq!(cp.size.0, size_after((i + 1).into()));
        handed_out.push(cp);
        receipts.push((receipt.index, Hash::from(receipt.leaf_hash)));
    }
    let head = server.checkpoint(&origin, &verifier);
    assert_eq!(head.size.0, size);
    // Their checkpoint parser reads our note body the same way.
    let text = server.text(GetTlogCheckpoint::ROUTE.path);
    let body_end = text.find("\n\n").unwrap() + 1;
    let parsed = tlog_tiles::Checkpoint::from_bytes(&text.as_bytes()[..body_end]).unwrap();
    assert_eq!(parsed.size(), size);
    assert_eq!(parsed.hash(), &theirs(head.root));

    // Their tile reader authenticates every tile it reads against the root,
    // and gives the root at every smaller size, each checkpoint handed out
    // among them.
    let tiles = HttpTiles(&server);
    let reader = TileHashReader::new(size, theirs(head.root), &tiles);
    assert_eq!(
        tlog_tiles::tree_hash(size, &reader).unwrap(),
        theirs(head.root)
    );
    let roots: Vec<tlog_tiles::Hash> = (0..=size)
        .map(|n| tlog_tiles::tree_hash(n, &reader).unwrap())
        .collect();
    for cp in &handed_out {
        assert_eq!(roots[usize::try_from(cp.size.0).unwrap()], theirs(cp.root));
    }

    // Entry bundles hash to the leaves the receipts named, and every other
    // entry is the log's commitment.
    let mut leaves = Vec::new();
    let mut commitments = 0;
    for (index, width) in [(0, 256), (1, 256), (2, 88)] {
        let path = tile_path(&provenant_tlog::tile::Tile::entries(index, width).unwrap());
        let bytes = server
            .client
            .get(server.url(&path))
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        for entry in provenant_tlog::tile::parse_bundle(&bytes, width).unwrap() {
            leaves.push(Hash(tlog_tiles::record_hash(entry).0));
            if Entry::from_leaf_bytes(entry).unwrap().envelope.kind() == Kind::StateCommit {
                commitments += 1;
            }
        }
    }
    assert_eq!(u64::try_from(leaves.len()).unwrap(), size);
    assert_eq!(commitments, writes);
    for (index, leaf) in &receipts {
        assert_eq!(leaves[usize::try_from(*index).unwrap()], *leaf);
    }

    // Every inclusion proof the server serves for the head, and a sample at
    // older sizes, verifies under their checker and equals their proof.
    for index in 0..size {
        for at in [size, index + 1, (index + 1).max(256)] {
            let answer = server.post::<ProveInclusion>(&InclusionQuery {
                index: Some(index),
                leaf_hash: None,
                tree_size: Some(at),
            });
            assert_eq!((answer.index, answer.tree_size), (index, at));
            let proof = hashes(&answer.inclusion_proof);
            let root = roots[usize::try_from(at).unwrap()];
            let leaf = theirs(leaves[usize::try_from(index).unwrap()]);
            tlog_tiles::check_record(&proof, at, root, index, leaf).unwrap();
            if at == size {
                assert_eq!(
                    tlog_tiles::prove_record(size, index, &reader).unwrap(),
                    proof
                );
            }
        }
    }

    // Every pair of checkpoints handed out: the later extends the earlier.
    for (i, old) in handed_out.iter().enumerate() {
        for new in &handed_out[i..] {
            let answer = server.post::<ProveConsistency>(&ConsistencyQuery {
                from: old.size.0,
                to: Some(new.size.0),
            });
            assert_eq!((answer.from, answer.to), (old.size.0, new.size.0));
            let proof = hashes(&answer.consistency_proof);
            tlog_tiles::check_tree(
                &proof,
                new.size.0,
                theirs(new.root),
                old.size.0,
                theirs(old.root),
            )
            .unwrap();
        }
    }
}
