//! Inclusion and consistency proofs (RFC 9162 sections 2.1.3 and 2.1.4).
//!
//! Building a proof follows the recursive definitions `PATH` and `PROOF`
//! of RFC 6962 section 2.1.1 and 2.1.2: each proof element is the hash of a
//! subtree `MTH(D[lo:hi])`, computed from stored hashes in one batched read.
//! Verifying follows the bit-by-bit algorithms of RFC 9162 sections 2.1.3.2
//! and 2.1.4.2, which need nothing but the proof, the sizes and the hashes.

use crate::Error;
use crate::hash::{Hash, hash_node};
use crate::index::{LeafIndex, TreeSize};
use crate::tree::{HashReader, Plan};

/// The largest power of two strictly less than `n` (for `n >= 2`): the
/// split point `k` of RFC 6962 section 2.1.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (n - 1).ilog2()
}

/// The subtree ranges of the audit path `PATH(m, D[0:n])`, root's child
/// first: the reverse of the proof's order (RFC 6962 section 2.1.1).
fn inclusion_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let mut outer = Vec::new();
    let (mut m, mut lo, mut hi) = (index, 0, size);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if m < k {
            outer.push((lo + k, hi));
            hi = lo + k;
        } else {
            outer.push((lo, lo + k));
            lo += k;
            m -= k;
        }
    }
    outer
}

/// The subtree ranges of `PROOF(m, D[0:n])`, outermost first: the reverse
/// of the proof's order (RFC 6962 section 2.1.2, `SUBPROOF` with `b = true`
/// at the top).
fn consistency_ranges(old: u64, new: u64) -> Vec<(u64, u64)> {
    let mut outer = Vec::new();
    let (mut m, mut lo, mut hi, mut whole) = (old, 0, new, true);
    loop {
        if m == hi - lo {
            if !whole {
                outer.push((lo, hi));
            }
            break;
        }
        let k = split(hi - lo);
        if m <= k {
            outer.push((lo + k, hi));
            hi = lo + k;
        } else {
            outer.push((lo, lo + k));
            lo += k;
            m -= k;
            whole = false;
        }
    }
    outer
}

fn check_index(index: LeafIndex, size: TreeSize) -> Result<(), Error> {
    if size.contains(index) {
        Ok(())
    } else {
        Err(Error::IndexOutOfRange { index, size })
    }
}

fn check_sizes(old: TreeSize, new: TreeSize) -> Result<(), Error> {
    if old.0 == 0 {
        Err(Error::ConsistencyFromEmpty)
    } else if old > new {
        Err(Error::SizesOutOfOrder { old, new })
    } else {
        Ok(())
    }
}

/// Reads the subtree hashes of `ranges` (outermost first) and returns them
/// in proof order (innermost first).
fn build<R: HashReader + ?Sized>(ranges: &[(u64, u64)], reader: &R) -> Result<Vec<Hash>, Error> {
    let mut plan = Plan::default();
    for &(lo, hi) in ranges {
        plan.range(lo, hi);
    }
    let mut proof = plan.read(reader)?;
    proof.reverse();
    Ok(proof)
}

/// The number of hashes in the inclusion proof of `index` in a tree of
/// `size` leaves: one per level of `PATH`'s recursion.
#[must_use]
pub fn inclusion_proof_len(index: LeafIndex, size: TreeSize) -> usize {
    let (mut m, mut n, mut len) = (index.0, size.0, 0);
    while n > 1 {
        let k = split(n);
        if m < k {
            n = k;
        } else {
            m -= k;
            n -= k;
        }
        len += 1;
    }
    len
}

/// The number of hashes in the consistency proof from `old` to `new`: one
/// per level of `SUBPROOF`'s recursion, plus the old tree's root when it is
/// not a complete subtree of the new one.
#[must_use]
pub fn consistency_proof_len(old: TreeSize, new: TreeSize) -> usize {
    let (mut m, mut n, mut whole, mut len) = (old.0, new.0, true, 0);
    while m != n && m != 0 {
        let k = split(n);
        if m <= k {
            n = k;
        } else {
            m -= k;
            n -= k;
            whole = false;
        }
        len += 1;
    }
    len + usize::from(!whole)
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `size`
/// leaves, from the leaf's sibling up to the root's child.
///
/// # Errors
/// [`Error::IndexOutOfRange`] when `index >= size`; storage errors (for
/// example when `size` is beyond the stored tree).
pub fn prove_inclusion<R: HashReader + ?Sized>(
    index: LeafIndex,
    size: TreeSize,
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    check_index(index, size)?;
    build(&inclusion_ranges(index.0, size.0), reader)
}

/// The consistency proof from the tree of `old` leaves to the tree of `new`
/// leaves. It is empty when `old == new`.
///
/// # Errors
/// [`Error::ConsistencyFromEmpty`] when `old` is 0, [`Error::SizesOutOfOrder`]
/// when `old > new`; storage errors.
pub fn prove_consistency<R: HashReader + ?Sized>(
    old: TreeSize,
    new: TreeSize,
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    check_sizes(old, new)?;
    build(&consistency_ranges(old.0, new.0), reader)
}

/// Verifies that `leaf` (a leaf hash) is at `index` in the tree of `size`
/// leaves whose root is `root` (RFC 9162 section 2.1.3.2).
///
/// # Errors
/// [`Error::IndexOutOfRange`], [`Error::ProofLength`] or
/// [`Error::RootMismatch`].
pub fn verify_inclusion(
    index: LeafIndex,
    size: TreeSize,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), Error> {
    check_index(index, size)?;
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(Error::ProofLength {
            expected,
            got: proof.len(),
        });
    }
    let (mut fnode, mut snode) = (index.0, size.0 - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(Error::ProofLength {
                expected,
                got: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = hash_node(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = hash_node(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode == 0 && r == *root {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

/// Verifies that the tree of `new` leaves with root `new_root` extends the
/// tree of `old` leaves with root `old_root` (RFC 9162 section 2.1.4.2).
/// Equal sizes need an empty proof and equal roots.
///
/// # Errors
/// [`Error::ConsistencyFromEmpty`], [`Error::SizesOutOfOrder`],
/// [`Error::ProofLength`] or [`Error::RootMismatch`].
pub fn verify_consistency(
    old: TreeSize,
    new: TreeSize,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), Error> {
    check_sizes(old, new)?;
    let expected = consistency_proof_len(old, new);
    if proof.len() != expected {
        return Err(Error::ProofLength {
            expected,
            got: proof.len(),
        });
    }
    if old == new {
        return if old_root == new_root {
            Ok(())
        } else {
            Err(Error::RootMismatch)
        };
    }
    // Step 2: when the old tree is a complete subtree, its root is the
    // implicit first element of the proof.
    let mut path = proof.iter();
    let first = if old.0.is_power_of_two() {
        *old_root
    } else {
        *path.next().ok_or(Error::RootMismatch)?
    };
    let (mut fnode, mut snode) = (old.0 - 1, new.0 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in path {
        if snode == 0 {
            return Err(Error::RootMismatch);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = hash_node(c, &fr);
            sr = hash_node(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = hash_node(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode == 0 && fr == *old_root && sr == *new_root {
        Ok(())
    } else {
        Err(Error::RootMismatch)
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::hash::{hash_leaf, root_of};
    use crate::tree::append;

    fn tree(n: u64) -> (Vec<Hash>, Vec<Hash>) {
        let leaves: Vec<Hash> = (0..n).map(|i| hash_leaf(&i.to_le_bytes())).collect();
        let store = append(TreeSize(0), &leaves, &Vec::new()).unwrap();
        (store, leaves)
    }

    #[test]
    fn every_inclusion_proof_verifies_up_to_64() {
        let (store, leaves) = tree(64);
        for n in 1..=64u64 {
            let root = root_of(&leaves[..n as usize]);
            for m in 0..n {
                let p = prove_inclusion(LeafIndex(m), TreeSize(n), &store).unwrap();
                verify_inclusion(LeafIndex(m), TreeSize(n), &leaves[m as usize], &p, &root)
                    .unwrap();
            }
        }
    }

    #[test]
    fn every_consistency_proof_verifies_up_to_64() {
        let (store, leaves) = tree(64);
        for n in 1..=64u64 {
            let new_root = root_of(&leaves[..n as usize]);
            for m in 1..=n {
                let old_root = root_of(&leaves[..m as usize]);
                let p = prove_consistency(TreeSize(m), TreeSize(n), &store).unwrap();
                verify_consistency(TreeSize(m), TreeSize(n), &old_root, &new_root, &p).unwrap();
            }
        }
    }

    #[test]
    fn inclusion_must_fail_cases() {
        let (store, leaves) = tree(10);
        let root = root_of(&leaves);
        let p = prove_inclusion(LeafIndex(3), TreeSize(10), &store).unwrap();
        let leaf = leaves[3];
        assert!(matches!(
            prove_inclusion(LeafIndex(10), TreeSize(10), &store),
            Err(Error::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            verify_inclusion(LeafIndex(10), TreeSize(10), &leaf, &p, &root),
            Err(Error::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            verify_inclusion(LeafIndex(3), TreeSize(10), &leaf, &p[1..], &root),
            Err(Error::ProofLength { .. })
        ));
        let mut longer = p.clone();
        longer.push(root);
        assert!(matches!(
            verify_inclusion(LeafIndex(3), TreeSize(10), &leaf, &longer, &root),
            Err(Error::ProofLength { .. })
        ));
        assert!(matches!(
            verify_inclusion(LeafIndex(3), TreeSize(10), &leaves[4], &p, &root),
            Err(Error::RootMismatch)
        ));
        assert!(matches!(
            verify_inclusion(LeafIndex(3), TreeSize(10), &leaf, &p, &leaves[0]),
            Err(Error::RootMismatch)
        ));
        assert!(matches!(
            verify_inclusion(LeafIndex(2), TreeSize(10), &leaf, &p, &root),
            Err(Error::RootMismatch)
        ));
    }

    #[test]
    fn consistency_must_fail_cases() {
        let (store, leaves) = tree(10);
        let (old, new) = (root_of(&leaves[..4]), root_of(&leaves));
        let p = prove_consistency(TreeSize(4), TreeSize(10), &store).unwrap();
        assert!(matches!(
            prove_consistency(TreeSize(0), TreeSize(10), &store),
            Err(Error::ConsistencyFromEmpty)
        ));
        assert!(matches!(
            prove_consistency(TreeSize(10), TreeSize(4), &store),
            Err(Error::SizesOutOfOrder { .. })
        ));
        assert!(matches!(
            verify_consistency(TreeSize(0), TreeSize(10), &old, &new, &p),
            Err(Error::ConsistencyFromEmpty)
        ));
        assert!(matches!(
            verify_consistency(TreeSize(10), TreeSize(4), &new, &old, &p),
            Err(Error::SizesOutOfOrder { .. })
        ));
        assert!(matches!(
            verify_consistency(TreeSize(4), TreeSize(10), &old, &new, &p[1..]),
            Err(Error::ProofLength { .. })
        ));
        assert!(matches!(
            verify_consistency(TreeSize(4), TreeSize(10), &new, &new, &p),
            Err(Error::RootMismatch)
        ));
        assert!(matches!(
            verify_consistency(TreeSize(4), TreeSize(10), &old, &old, &p),
            Err(Error::RootMismatch)
        ));
        assert!(verify_consistency(TreeSize(5), TreeSize(10), &old, &new, &p).is_err());
        verify_consistency(TreeSize(10), TreeSize(10), &new, &new, &[]).unwrap();
        assert!(verify_consistency(TreeSize(10), TreeSize(10), &new, &old, &[]).is_err());
    }
}
