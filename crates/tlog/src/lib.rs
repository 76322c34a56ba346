//! The log's mathematics and text formats, with no I/O and no async.
//!
//! Provenant's ledger is an RFC 6962 Merkle tree over its entries. This
//! crate is what an auditor needs to check it: the hashing, the proofs, and
//! the C2SP formats that existing transparency-log clients read. Every byte
//! that is hashed or signed is spelled out where it is built:
//!
//! | what | bytes | where |
//! |---|---|---|
//! | leaf hash | `SHA-256(0x00 \|\| entry)` | [`hash_leaf`], RFC 6962 section 2.1 |
//! | node hash | `SHA-256(0x01 \|\| left \|\| right)` | [`hash_node`], RFC 6962 section 2.1 |
//! | empty root | `SHA-256()` | [`Hash::EMPTY`] |
//! | inclusion / consistency | RFC 9162 sections 2.1.3, 2.1.4 | [`proof`] |
//! | key id | `SHA-256(name \|\| 0x0A \|\| 0x01 \|\| pubkey)[:4]` | [`note`], C2SP signed-note |
//! | note signature | Ed25519 over the note text (ending in `\n`) | [`note`] |
//! | checkpoint text | `origin\n size\n base64(root)\n [extension\n]*` | [`checkpoint`], C2SP tlog-checkpoint |
//! | cosigner key id | `SHA-256(name \|\| 0x0A \|\| 0x04 \|\| pubkey)[:4]` | [`cosignature`], C2SP tlog-cosignature |
//! | cosignature | Ed25519 over `cosignature/v1\n time <t>\n checkpoint text`; line `key id \|\| u64 t \|\| sig` | [`cosignature`] |
//! | policy file | `log`, `witness`, `group <name> <k\|all\|any>`, `quorum` lines | [`policy`], C2SP tlog-policy |
//! | tiles, entry bundles | `tile/<L>/<N>[.p/<W>]`, `u16 len \|\| entry`... | [`tile`], C2SP tlog-tiles |
//! | proof bundle | `c2sp.org/tlog-proof@v1` text | [`bundle`], C2SP tlog-proof |
//! | state map leaf | `SHA-256(0x02 \|\| key \|\| value_hash)` | [`map`], draft-ietf-keytrans-protocol |
//! | state map parent | `SHA-256(0x03 \|\| left \|\| right)`, empty = 32 zero bytes | [`map`] |
//! | state map rows | node `tag \|\| hash` (33); bucket `(key[2..] \|\| value_hash)*` (62 per key) | [`map::Node`], [`map::Bucket`] |
//! | state map proof | `depth u16 \|\| tag \|\| [key \|\| value_hash] \|\| bitmap \|\| non-empty siblings` | [`map::MapProof`] |
//!
//! Storage is reached through one trait, [`HashReader`]; the tree is stored
//! as an append-only sequence of hashes ([`tree`]).

pub mod bundle;
pub mod checkpoint;
pub mod cosignature;
mod error;
mod hash;
mod index;
pub mod map;
pub mod note;
pub mod policy;
pub mod proof;
pub mod tile;
pub mod tree;

pub use checkpoint::Checkpoint;
pub use cosignature::{CosignatureVerifier, Cosigner, CosignerKey};
pub use error::Error;
pub use hash::{HASH_SIZE, Hash, Hex, hash_leaf, hash_node, root_of};
pub use index::{LeafIndex, StoredIndex, TreeSize};
pub use note::{Note, NoteSignature, NoteSigner, NoteVerifier};
pub use policy::{Policy, PolicyProblem};
pub use proof::{prove_consistency, prove_inclusion, verify_consistency, verify_inclusion};
pub use tree::{HashReader, append, split_stored_index, stored_count, stored_index, tree_hash};
