//! The embedded RocksDB backend: one column family per [`Table`], one
//! `WriteBatch` per [`Batch`], written with the WAL synced.

use std::path::Path;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, DB, DBCompressionType,
    DataBlockIndexType, Direction, IteratorMode, Options, ReadOptions, SliceTransform,
    SnapshotWithThreadMode, WriteBatch, WriteOptions,
};

use super::{Batch, Op, Read, Rows, Store, StoreError, Table};

/// Tuning that operators may change.
#[derive(Clone, Debug)]
pub struct RocksOptions {
    /// Shared block cache, in bytes.
    pub block_cache_bytes: usize,
    /// Memtable size per column family, in bytes.
    pub write_buffer_bytes: usize,
    /// All memtables together, in bytes.
    pub memtables_bytes: usize,
}

impl Default for RocksOptions {
    fn default() -> Self {
        Self {
            block_cache_bytes: 256 << 20,
            write_buffer_bytes: 64 << 20,
            memtables_bytes: 256 << 20,
        }
    }
}

/// The RocksDB store.
pub struct RocksStore {
    db: DB,
    sync: WriteOptions,
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(err)`
fn err(e: rocksdb::Error) -> StoreError {
    StoreError::backend(e)
}

fn cf_options(table: Table, cache: &Cache, opts: &RocksOptions) -> Options {
    let mut o = Options::default();
    o.set_write_buffer_size(opts.write_buffer_bytes);
    let mut block = BlockBasedOptions::default();
    block.set_block_cache(cache);
    // Index and filter blocks live in the block cache, so memory is bounded
    // by its size as the store grows (otherwise every table file keeps
    // its own in memory); those of level 0, the hottest, stay pinned.
    block.set_cache_index_and_filter_blocks(true);
    block.set_cache_index_and_filter_blocks_with_high_priority(true);
    block.set_pin_l0_filter_and_index_blocks_in_cache(true);
    // Point lookups by hash or id dominate everywhere but in scans: a
    // bloom filter per table, and a hash index inside each data block.
    block.set_bloom_filter(10.0, false);
    block.set_data_block_index_type(DataBlockIndexType::BinaryAndHash);
    block.set_data_block_hash_ratio(0.75);
    o.set_block_based_table_factory(&block);
    // The same for the memtable: most lookups on the write path are for
    // keys that do not exist yet (a new envelope, new content, a new leaf);
    // without a filter each walks the skip list to find nothing.
    o.set_memtable_whole_key_filtering(true);
    o.set_memtable_prefix_bloom_ratio(0.1);
    // A table whose scans share a fixed prefix gets a filter on it too, so
    // that scanning a family with no members (most designs have no
    // children, grants or later history) skips table files instead of
    // seeking in each.
    if let Some(len) = table.scan_prefix_len() {
        o.set_prefix_extractor(SliceTransform::create_fixed_prefix(len));
    }
    // Hashes and ids are random bytes: compressing them only costs time.
    // Entries and grant and dispute records are JSON and compress well;
    // design records, binary now and mostly keys and hashes, keep the
    // setting they had as JSON.
    o.set_compression_type(match table {
        Table::Entries | Table::Designs | Table::Grants | Table::Disputes => DBCompressionType::Lz4,
        _ => DBCompressionType::None,
    });
    o
}

impl RocksStore {
    /// Opens (creating when missing) the store in directory `path`.
    ///
    /// # Errors
    /// RocksDB's failure to open, for example another process holding the
    /// directory's lock.
    pub fn open(path: &Path, opts: &RocksOptions) -> Result<Self, StoreError> {
        let cache = Cache::new_lru_cache(opts.block_cache_bytes);
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_max_background_jobs(2);
        // All memtables together, across column families: a bound on
        // memory however many tables are written to.
        db_opts.set_db_write_buffer_size(opts.memtables_bytes);
        let cfs = Table::ALL
            .iter()
            .map(|t| ColumnFamilyDescriptor::new(t.name(), cf_options(*t, &cache, opts)));
        let db = DB::open_cf_descriptors(&db_opts, path, cfs).map_err(err)?;
        let mut sync = WriteOptions::default();
        sync.set_sync(true);
        Ok(Self { db, sync })
    }

    /// Flushes memtables and compacts every table, so that the files on
    /// disk show the store's settled size (used by the benchmark).
    ///
    /// # Errors
    /// RocksDB's failure.
    pub fn compact(&self) -> Result<(), StoreError> {
        for t in Table::ALL {
            let cf = self.cf(t)?;
            self.db.flush_cf(cf).map_err(err)?;
            self.db.compact_range_cf(cf, None::<&[u8]>, None::<&[u8]>);
        }
        Ok(())
    }

    /// The bytes of `table`'s files on disk (after [`Self::compact`], its
    /// settled size; used by the benchmark).
    ///
    /// # Errors
    /// RocksDB's failure.
    pub fn table_bytes(&self, table: Table) -> Result<u64, StoreError> {
        self.db
            .property_int_value_cf(self.cf(table)?, "rocksdb.total-sst-files-size")
            .map(Option::unwrap_or_default)
            .map_err(err)
    }

    fn cf(&self, table: Table) -> Result<&ColumnFamily, StoreError> {
        self.db
            .cf_handle(table.name())
            .ok_or_else(|| StoreError::missing(format!("column family {}", table.name())))
    }
}

impl RocksStore {
    /// Every read goes through here: `opts` pins a snapshot, or reads the
    /// latest state when it pins none.
    fn get_with(
        &self,
        opts: &ReadOptions,
        table: Table,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.db.get_cf_opt(self.cf(table)?, key, opts).map_err(err)
    }

    fn multi_get_with(
        &self,
        opts: &ReadOptions,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let cf = self.cf(table)?;
        self.db
            .multi_get_cf_opt(keys.iter().map(|k| (cf, k)), opts)
            .into_iter()
            .map(|r| r.map_err(err))
            .collect()
    }

    fn scan_with(
        &self,
        opts: ReadOptions,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        let cf = self.cf(table)?;
        let mut opts = opts;
        if table.scan_prefix_len() == Some(prefix.len()) {
            // Lets the prefix filter skip table files without the family.
            opts.set_prefix_same_as_start(true);
        } else {
            opts.set_total_order_seek(true);
        }
        if let Some(end) = successor(prefix) {
            opts.set_iterate_upper_bound(end);
        }
        let start = after.unwrap_or(prefix);
        let iter = self
            .db
            .iterator_cf_opt(cf, opts, IteratorMode::From(start, Direction::Forward));
        let mut out = Vec::new();
        for item in iter {
            let (k, v) = item.map_err(err)?;
            if after.is_some_and(|a| &*k <= a) {
                continue;
            }
            if !k.starts_with(prefix) || out.len() == limit {
                break;
            }
            out.push((k.into_vec(), v.into_vec()));
        }
        Ok(out)
    }

    /// [`Read::scan_many`] with `opts`: one iterator, sought to each
    /// prefix in turn (an iterator costs far more to make than a seek).
    fn scan_many_with(
        &self,
        opts: ReadOptions,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        let cf = self.cf(table)?;
        let mut opts = opts;
        if prefixes
            .iter()
            .all(|p| table.scan_prefix_len() == Some(p.len()))
        {
            // Each seek may skip table files without its prefix.
            opts.set_prefix_same_as_start(true);
        } else {
            opts.set_total_order_seek(true);
        }
        let mut iter = self.db.raw_iterator_cf_opt(cf, opts);
        let mut out = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            iter.seek(prefix);
            let mut rows = Vec::new();
            while rows.len() < limit {
                let (Some(k), Some(v)) = (iter.key(), iter.value()) else {
                    break;
                };
                if !k.starts_with(prefix) {
                    break;
                }
                rows.push((k.to_vec(), v.to_vec()));
                iter.next();
            }
            iter.status().map_err(err)?;
            out.push(rows);
        }
        Ok(out)
    }
}

/// The first key after every key that starts with `prefix`, or `None`
/// when there is none (an empty prefix, or one of only `0xff` bytes).
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|b| *b != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

impl Read for RocksStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.get_with(&ReadOptions::default(), table, key)
    }

    fn multi_get(
        &self,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.multi_get_with(&ReadOptions::default(), table, keys)
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        self.scan_with(ReadOptions::default(), table, prefix, after, limit)
    }

    fn scan_many(
        &self,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        self.scan_many_with(ReadOptions::default(), table, prefixes, limit)
    }
}

/// A RocksDB snapshot.
pub struct RocksSnapshot<'a> {
    store: &'a RocksStore,
    snapshot: SnapshotWithThreadMode<'a, DB>,
}

impl RocksSnapshot<'_> {
    /// Read options that read this snapshot.
    fn options(&self) -> ReadOptions {
        let mut o = ReadOptions::default();
        o.set_snapshot(&self.snapshot);
        o
    }
}

impl Read for RocksSnapshot<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get_with(&self.options(), table, key)
    }

    fn multi_get(
        &self,
        table: Table,
        keys: &[Vec<u8>],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.store.multi_get_with(&self.options(), table, keys)
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StoreError> {
        self.store
            .scan_with(self.options(), table, prefix, after, limit)
    }

    fn scan_many(
        &self,
        table: Table,
        prefixes: &[Vec<u8>],
        limit: usize,
    ) -> Result<Vec<Rows>, StoreError> {
        self.store
            .scan_many_with(self.options(), table, prefixes, limit)
    }
}

impl Store for RocksStore {
    type Snapshot<'a> = RocksSnapshot<'a>;

    fn snapshot(&self) -> RocksSnapshot<'_> {
        RocksSnapshot {
            store: self,
            snapshot: self.db.snapshot(),
        }
    }

    /// The block cache (data blocks, and index and filter blocks, which
    /// live there), the memtables of every table, and what table readers
    /// hold outside the cache. The first two are bounded by
    /// [`RocksOptions`]; the third grows with the number of table files.
    fn memory(&self) -> Vec<(&'static str, u64)> {
        // Every table shares one block cache: any table tells its usage.
        let shared = |name: &str| {
            self.cf(Table::Entries)
                .ok()
                .and_then(|cf| self.db.property_int_value_cf(cf, name).ok().flatten())
                .unwrap_or_default()
        };
        let per_table = |name: &str| -> u64 {
            Table::ALL
                .iter()
                .filter_map(|t| self.cf(*t).ok())
                .filter_map(|cf| self.db.property_int_value_cf(cf, name).ok().flatten())
                .sum()
        };
        vec![
            ("rocksdb_block_cache", shared("rocksdb.block-cache-usage")),
            (
                "rocksdb_memtables",
                per_table("rocksdb.cur-size-all-mem-tables"),
            ),
            (
                "rocksdb_table_readers",
                per_table("rocksdb.estimate-table-readers-mem"),
            ),
        ]
    }

    fn write(&self, batch: Batch) -> Result<(), StoreError> {
        let mut wb = WriteBatch::default();
        for op in &batch.ops {
            match op {
                Op::Put(t, k, v) => wb.put_cf(self.cf(*t)?, k, v),
                Op::Delete(t, k) => wb.delete_cf(self.cf(*t)?, k),
            }
        }
        self.db.write_opt(wb, &self.sync).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn successor_is_the_first_key_past_the_prefix() {
        assert_eq!(successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(successor(&[1, 0xff]), Some(vec![2]));
        assert_eq!(successor(&[0xff, 0xff]), None);
        assert_eq!(successor(&[]), None);
    }
}
