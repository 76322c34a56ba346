//! C2SP tlog-tiles: the log served as static, cacheable files.
//!
//! Hashes are grouped in tiles of height 8: the tile at level `L`, index `N`
//! holds the hashes of Merkle level `8L` at positions `N*256 .. N*256+W`, as
//! `W` concatenated 32-byte hashes. A full tile has `W = 256`; a partial one
//! (at the right edge of the tree) has `1 <= W <= 255` and a `.p/<W>` suffix.
//! The entries themselves are served in bundles of the same width, each
//! entry prefixed by its length as a big-endian `u16`.
//!
//! Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where `N`
//! is written in groups of three digits, all but the last prefixed with `x`:
//! `1234067` is `x001/x234/067`.

use crate::Error;
use crate::hash::HASH_SIZE;
use crate::index::{StoredIndex, TreeSize};
use crate::tree::{HashReader, read_exact, stored_index};

/// The number of hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 256;

/// The tile height: each tile level spans 8 Merkle levels.
pub const TILE_HEIGHT: u8 = 8;

/// The highest tile level whose hashes can exist in a tree of at most
/// [`crate::tree::MAX_TREE_SIZE`] leaves.
pub const MAX_TILE_LEVEL: u8 = 7;

/// What a tile path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tile {
    /// The tile level; `None` for an entry bundle.
    pub level: Option<u8>,
    /// The tile index within its level.
    pub index: u64,
    /// The number of hashes or entries, 1..=256.
    pub width: u16,
}

fn bad(reason: &'static str) -> Error {
    Error::TilePath { reason }
}

impl Tile {
    /// The hash tile at `level`, `index`, `width`.
    ///
    /// # Errors
    /// [`Error::TilePath`] when the level is above 63 or the width not in
    /// `1..=256`.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<Self, Error> {
        if level > 63 {
            return Err(bad("level must be at most 63"));
        }
        Self::check_width(width)?;
        Ok(Self {
            level: Some(level),
            index,
            width,
        })
    }

    /// The entry bundle at `index`, `width`.
    ///
    /// # Errors
    /// [`Error::TilePath`] when the width is not in `1..=256`.
    pub fn entries(index: u64, width: u16) -> Result<Self, Error> {
        Self::check_width(width)?;
        Ok(Self {
            level: None,
            index,
            width,
        })
    }

    fn check_width(width: u16) -> Result<(), Error> {
        if width == 0 || u64::from(width) > TILE_WIDTH {
            Err(bad("width must be between 1 and 256"))
        } else {
            Ok(())
        }
    }

    /// Whether this is a full (immutable, cacheable forever) tile.
    #[must_use]
    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// The width of tile `index` at `level` (`None`: entries) in a tree of
    /// `size` leaves: 256 when full, less at the right edge, `None` when the
    /// tile does not exist yet.
    #[must_use]
    pub fn width_at(level: Option<u8>, index: u64, size: TreeSize) -> Option<u16> {
        let shift = u32::from(level.unwrap_or(0)) * u32::from(TILE_HEIGHT);
        let count = size.0.checked_shr(shift).unwrap_or(0);
        let start = index.checked_mul(TILE_WIDTH)?;
        let width = count.checked_sub(start)?.min(TILE_WIDTH);
        u16::try_from(width).ok().filter(|w| *w > 0)
    }

    /// The path, relative to the log's prefix.
    #[must_use]
    pub fn path(&self) -> String {
        let mut out = String::from("tile/");
        match self.level {
            Some(l) => out.push_str(&l.to_string()),
            None => out.push_str("entries"),
        }
        out.push('/');
        out.push_str(&encode_index(self.index));
        if !self.is_full() {
            out.push_str(".p/");
            out.push_str(&self.width.to_string());
        }
        out
    }

    /// Parses a path relative to the log's prefix (`tile/...`). Exactly one
    /// spelling is accepted for each tile: the one [`Tile::path`] writes.
    ///
    /// # Errors
    /// [`Error::TilePath`] for anything else.
    pub fn parse(path: &str) -> Result<Self, Error> {
        let rest = path
            .strip_prefix("tile/")
            .ok_or(bad("must start with tile/"))?;
        let (kind, rest) = rest.split_once('/').ok_or(bad("missing level"))?;
        let level = if kind == "entries" {
            None
        } else {
            let l = crate::checkpoint::parse_decimal(kind).ok_or(bad("level must be a decimal"))?;
            Some(u8::try_from(l).map_err(|_| bad("level must be at most 63"))?)
        };
        let (index, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let w = crate::checkpoint::parse_decimal(width)
                    .ok_or(bad("width must be a decimal"))?;
                let w = u16::try_from(w).map_err(|_| bad("width must be between 1 and 255"))?;
                if u64::from(w) >= TILE_WIDTH {
                    return Err(bad("a partial width must be between 1 and 255"));
                }
                (index, w)
            }
            None => (rest, 256),
        };
        let index = decode_index(index)?;
        let tile = match level {
            Some(l) => Self::hashes(l, index, width)?,
            None => Self::entries(index, width)?,
        };
        if tile.path() == path {
            Ok(tile)
        } else {
            Err(bad("not the canonical spelling of this tile"))
        }
    }

    /// The stored slots of this hash tile's hashes.
    ///
    /// # Errors
    /// [`Error::TilePath`] for an entry bundle or a level beyond any tree.
    pub fn stored_indexes(&self) -> Result<Vec<StoredIndex>, Error> {
        let level = self.level.ok_or(bad("an entry bundle holds no hashes"))?;
        if level > MAX_TILE_LEVEL {
            return Err(bad("no tree is tall enough for this level"));
        }
        let merkle_level = level * TILE_HEIGHT;
        let first = self
            .index
            .checked_mul(TILE_WIDTH)
            .ok_or(bad("index too large"))?;
        Ok((0..u64::from(self.width))
            .map(|i| stored_index(merkle_level, first + i))
            .collect())
    }

    /// Reads this hash tile from storage: `width` hashes, concatenated.
    ///
    /// # Errors
    /// As [`Tile::stored_indexes`]; storage errors when the tile is not
    /// (yet) complete to this width.
    pub fn read<R: HashReader + ?Sized>(&self, reader: &R) -> Result<Vec<u8>, Error> {
        let hashes = read_exact(reader, &self.stored_indexes()?)?;
        let mut out = Vec::with_capacity(hashes.len() * HASH_SIZE);
        for h in hashes {
            out.extend_from_slice(h.as_bytes());
        }
        Ok(out)
    }
}

fn encode_index(n: u64) -> String {
    let digits = n.to_string();
    let pad = (3 - digits.len() % 3) % 3;
    let padded = format!("{}{digits}", "0".repeat(pad));
    let groups: Vec<&str> = padded
        .as_bytes()
        .chunks(3)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let (last, init) = groups.split_last().unwrap_or((&"000", &[]));
    let mut out = String::new();
    for g in init {
        out.push('x');
        out.push_str(g);
        out.push('/');
    }
    out.push_str(last);
    out
}

fn decode_index(text: &str) -> Result<u64, Error> {
    let groups: Vec<&str> = text.split('/').collect();
    let (last, init) = groups.split_last().ok_or(bad("missing index"))?;
    let mut n: u64 = 0;
    for (i, g) in groups.iter().enumerate() {
        let digits = if i < init.len() {
            g.strip_prefix('x')
                .ok_or(bad("all but the last index group need an x"))?
        } else {
            last
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("index groups are three digits"));
        }
        let value: u64 = digits
            .parse()
            .map_err(|_| bad("index groups are three digits"))?;
        n = n
            .checked_mul(1000)
            .and_then(|n| n.checked_add(value))
            .ok_or(bad("index too large"))?;
    }
    Ok(n)
}

/// Encodes an entry bundle: each entry as a big-endian `u16` length and its
/// bytes.
///
/// # Errors
/// [`Error::EntryBundle`] for an entry over 65,535 bytes or more than 256
/// entries.
pub fn encode_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, Error> {
    if entries.len() as u64 > TILE_WIDTH {
        return Err(Error::EntryBundle {
            reason: "a bundle holds at most 256 entries",
        });
    }
    let mut out = Vec::new();
    for e in entries {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| Error::EntryBundle {
            reason: "an entry is at most 65535 bytes",
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Parses an entry bundle that must hold exactly `width` entries and no
/// trailing bytes.
///
/// # Errors
/// [`Error::EntryBundle`] naming what is wrong.
pub fn parse_bundle(bytes: &[u8], width: u16) -> Result<Vec<&[u8]>, Error> {
    let mut out = Vec::with_capacity(usize::from(width));
    let mut rest = bytes;
    while !rest.is_empty() {
        if out.len() == usize::from(width) {
            return Err(Error::EntryBundle {
                reason: "more entries than the bundle's width",
            });
        }
        let (len, tail) = rest.split_at_checked(2).ok_or(Error::EntryBundle {
            reason: "truncated length prefix",
        })?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (entry, tail) = tail.split_at_checked(len).ok_or(Error::EntryBundle {
            reason: "truncated entry",
        })?;
        out.push(entry);
        rest = tail;
    }
    if out.len() == usize::from(width) {
        Ok(out)
    } else {
        Err(Error::EntryBundle {
            reason: "fewer entries than the bundle's width",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        let t = Tile::hashes(0, 1_234_067, 256).unwrap();
        assert_eq!(t.path(), "tile/0/x001/x234/067");
        let t = Tile::hashes(1, 0, 7).unwrap();
        assert_eq!(t.path(), "tile/1/000.p/7");
        let t = Tile::entries(1000, 256).unwrap();
        assert_eq!(t.path(), "tile/entries/x001/000");
        for p in [
            "tile/0/x001/x234/067",
            "tile/1/000.p/7",
            "tile/entries/x001/000",
        ] {
            assert_eq!(Tile::parse(p).unwrap().path(), p);
        }
    }

    #[test]
    fn strict_paths() {
        for bad in [
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/0/001/002",
            "tile/0/x001",
            "tile/00/001",
            "tile/64/001",
            "tile/0/001.p/0",
            "tile/0/001.p/256",
            "tile/0/001.p/07",
            "tile/0/001.p/",
            "tile/0/../001",
            "tile/0/x001/../002",
            "tile/entries/001.p/300",
            "tile//001",
            "tile/-1/001",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tiles/0/001",
            "tile/0/001/",
        ] {
            assert!(Tile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn widths_at_sizes() {
        assert_eq!(Tile::width_at(Some(0), 0, TreeSize(0)), None);
        assert_eq!(Tile::width_at(Some(0), 0, TreeSize(5)), Some(5));
        assert_eq!(Tile::width_at(Some(0), 0, TreeSize(300)), Some(256));
        assert_eq!(Tile::width_at(Some(0), 1, TreeSize(300)), Some(44));
        assert_eq!(Tile::width_at(Some(1), 0, TreeSize(300)), Some(1));
        assert_eq!(Tile::width_at(None, 2, TreeSize(300)), None);
        assert_eq!(Tile::width_at(Some(7), 0, TreeSize(u64::MAX)), Some(255));
    }

    #[test]
    fn bundles() {
        let entries: Vec<&[u8]> = vec![b"", b"a", &[0u8; 300]];
        let b = encode_bundle(&entries).unwrap();
        assert_eq!(parse_bundle(&b, 3).unwrap(), entries);
        assert!(parse_bundle(&b, 2).is_err());
        assert!(parse_bundle(&b, 4).is_err());
        assert!(parse_bundle(&b[..b.len() - 1], 3).is_err());
        assert!(parse_bundle(&[0], 1).is_err());
        assert!(encode_bundle(&[vec![0u8; 65_536]]).is_err());
    }
}
