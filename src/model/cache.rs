//! The on-disk embedding cache: unit vectors keyed by (model identity, text), in one SQLite file
//! that several mtcheck processes may read and write at once.
//!
//! Re-checking a catalogue where few segments changed then embeds only those. The model identity
//! is an opaque string the caller builds (see `Embedder::cache_identity`); the cache never
//! interprets it. A text is keyed by its SHA-256 (stable across processes and builds, unlike std's
//! randomised hasher) and its byte length is stored beside it, so that a collision would also have
//! to match the length before a wrong vector could be returned.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Bumped whenever the tables change shape; a file with another version is refused, not migrated
/// (a cache is cheap to rebuild, a half-understood one is not safe to read).
pub const SCHEMA_VERSION: i64 = 1;

/// How long a statement waits for another process's write lock before failing. Writers hold the
/// lock for one transaction of inserts, which is far shorter than this.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const NOT_A_CACHE: &str = "not an mtcheck cache (file is not a database)";

/// An open cache file. Cheap to share between threads (one connection behind a mutex); separate
/// processes each open their own handle and SQLite's locking keeps them consistent.
pub struct EmbeddingCache {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// Entries of one model identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelEntries {
    pub model: String,
    pub entries: u64,
}

/// What `mtcheck cache` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub path: PathBuf,
    /// Entries per model identity, sorted by identity.
    pub models: Vec<ModelEntries>,
    /// Size on disk: the database file plus its write-ahead log, if any.
    pub file_bytes: u64,
}

impl CacheStats {
    pub fn entries(&self) -> u64 {
        self.models.iter().map(|m| m.entries).sum()
    }
}

/// The stored key of a text.
fn text_key(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Little-endian f32s, so that a cache file reads the same on any machine.
fn encode(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The vector of a row, or `None` when the row does not hold what it claims (a truncated or
/// foreign blob, a length mismatch that betrays a hash collision): such a row is a miss.
fn decode(text: &str, text_len: i64, dim: i64, blob: &[u8]) -> Option<Vec<f32>> {
    let dim = usize::try_from(dim).ok()?;
    if usize::try_from(text_len).ok()? != text.len() || dim.checked_mul(4)? != blob.len() {
        return None;
    }
    Some(
        blob.chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

impl EmbeddingCache {
    /// Opens `path`, creating its parent directories and an empty cache if it does not exist.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::output(path, format!("cannot create the cache directory: {e}"))
            })?;
        }
        if path.is_dir() {
            return Err(Error::input(path, "is a directory, not an mtcheck cache"));
        }
        let input_err = |e: rusqlite::Error| {
            if is_not_a_database(&e) {
                Error::input(path, NOT_A_CACHE)
            } else {
                Error::input(path, format!("cannot open the cache: {e}"))
            }
        };
        // Switching a new file to WAL and creating the schema can report "database is locked"
        // without waiting on the busy handler when another process does the same at that moment
        // (found by the concurrent-writers test under load): retry the whole opening for as long
        // as the busy timeout allows.
        let started = std::time::Instant::now();
        loop {
            match Self::open_once(path, &input_err) {
                Err(Error::Input { msg, .. })
                    if msg.contains("locked") && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path, input_err: &dyn Fn(rusqlite::Error) -> Error) -> Result<Self> {
        let mut conn = Connection::open(path).map_err(input_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(input_err)?;
        // WAL lets readers proceed while another process writes. The mode is stored in the file,
        // so only the first opener changes it; on file systems without shared memory SQLite keeps
        // its previous mode, which is still correct, only less concurrent.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(input_err)?;
        // A lost cache write costs a re-embedding, never a wrong result: no fsync per commit.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(input_err)?;
        init_schema(&mut conn, path)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection half-updated (SQLite rolls
        // back an unfinished transaction when it is dropped), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read_err(&self, e: rusqlite::Error) -> Error {
        if is_not_a_database(&e) {
            Error::input(&self.path, NOT_A_CACHE)
        } else {
            Error::input(&self.path, format!("cannot read the cache: {e}"))
        }
    }

    fn write_err(&self, e: rusqlite::Error) -> Error {
        Error::output(&self.path, format!("cannot write the cache: {e}"))
    }

    /// The cached vector of each text under `model`, in input order; `None` for a miss.
    pub fn get_many(&self, model: &str, texts: &[&str]) -> Result<Vec<Option<Vec<f32>>>> {
        let conn = self.conn();
        // One read transaction: a consistent snapshot, and one lock instead of one per text.
        let tx = conn.unchecked_transaction().map_err(|e| self.read_err(e))?;
        let mut out = Vec::with_capacity(texts.len());
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT text_len, dim, vector FROM embeddings WHERE model = ?1 AND key = ?2",
                )
                .map_err(|e| self.read_err(e))?;
            for text in texts {
                let row = stmt
                    .query_row(params![model, &text_key(text)[..]], |r| {
                        // Read loosely typed: a row written by something else must not be an error.
                        let len: Option<i64> = r.get(0).ok();
                        let dim: Option<i64> = r.get(1).ok();
                        let blob: Option<Vec<u8>> = r.get(2).ok();
                        Ok((len, dim, blob))
                    })
                    .optional()
                    .map_err(|e| self.read_err(e))?;
                out.push(match row {
                    Some((Some(len), Some(dim), Some(blob))) => decode(text, len, dim, &blob),
                    _ => None,
                });
            }
        }
        tx.finish().map_err(|e| self.read_err(e))?;
        Ok(out)
    }

    /// Stores vectors under `model`, all in one transaction.
    ///
    /// An existing valid row is kept (another process may have stored the same text a moment
    /// ago; both vectors came from the same model), an invalid one — which `get_many` reported
    /// as a miss — is overwritten, so a corrupt entry heals on the next run.
    pub fn put_many(&self, model: &str, items: &[(&str, &[f32])]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock up front, so a concurrent writer waits in busy_timeout
        // instead of failing on a lock upgrade half way through.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.write_err(e))?;
        {
            // INSERT OR IGNORE, except that a row failing the checks of `decode` is replaced.
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO embeddings (model, key, text_len, dim, vector)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (model, key) DO UPDATE SET
                         text_len = excluded.text_len, dim = excluded.dim, vector = excluded.vector
                     WHERE typeof(embeddings.vector) != 'blob'
                        OR typeof(embeddings.dim) != 'integer'
                        OR length(embeddings.vector) != 4 * embeddings.dim
                        OR embeddings.text_len IS NOT excluded.text_len",
                )
                .map_err(|e| self.write_err(e))?;
            for (text, vector) in items {
                let len = i64::try_from(text.len()).unwrap_or(i64::MAX);
                let dim = i64::try_from(vector.len()).unwrap_or(i64::MAX);
                stmt.execute(params![
                    model,
                    &text_key(text)[..],
                    len,
                    dim,
                    encode(vector)
                ])
                .map_err(|e| self.write_err(e))?;
            }
        }
        tx.commit().map_err(|e| self.write_err(e))
    }

    /// Entries per model and the size on disk.
    pub fn stats(&self) -> Result<CacheStats> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT model, COUNT(*) FROM embeddings GROUP BY model ORDER BY model")
            .map_err(|e| self.read_err(e))?;
        let models = stmt
            .query_map([], |r| {
                Ok(ModelEntries {
                    model: r.get(0)?,
                    entries: r.get::<_, i64>(1)?.max(0) as u64,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.read_err(e))?;
        let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        Ok(CacheStats {
            path: self.path.clone(),
            models,
            file_bytes: size(&self.path) + size(Path::new(&wal)),
        })
    }

    /// Deletes the entries of `model` (all entries when `None`) and returns how many went, then
    /// compacts the file.
    pub fn clear(&self, model: Option<&str>) -> Result<usize> {
        let conn = self.conn();
        let deleted = match model {
            Some(m) => conn.execute("DELETE FROM embeddings WHERE model = ?1", params![m]),
            None => conn.execute("DELETE FROM embeddings", []),
        }
        .map_err(|e| self.write_err(e))?;
        // Compacting needs every other process out of the file. The rows are gone either way, so
        // when another process is using the cache the file simply stays its size until next time.
        for sql in ["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"] {
            match conn.execute_batch(sql) {
                Err(e) if !is_busy(&e) => return Err(self.write_err(e)),
                _ => {}
            }
        }
        Ok(deleted)
    }
}

/// Creates the tables in an empty file, or checks that an existing file is a cache this version
/// understands.
fn init_schema(conn: &mut Connection, path: &Path) -> Result<()> {
    let err = |e: rusqlite::Error| {
        if is_not_a_database(&e) {
            Error::input(path, NOT_A_CACHE)
        } else {
            Error::input(path, format!("cannot initialise the cache: {e}"))
        }
    };
    // IMMEDIATE: two processes creating the same new cache must not both see it empty.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let tables: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    let has_meta: bool = tx
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(err)?
        > 0;
    if tables == 0 {
        tx.execute_batch(&format!(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
             INSERT INTO meta (key, value) VALUES ('schema_version', {SCHEMA_VERSION});
             CREATE TABLE embeddings (
                 model TEXT NOT NULL,
                 key BLOB NOT NULL,      -- SHA-256 of the text
                 text_len INTEGER NOT NULL, -- its length in bytes
                 dim INTEGER NOT NULL,
                 vector BLOB NOT NULL,   -- dim little-endian f32
                 PRIMARY KEY (model, key)
             ) WITHOUT ROWID;"
        ))
        .map_err(err)?;
    } else if !has_meta {
        // Someone else's SQLite database: never add tables to it.
        return Err(Error::input(
            path,
            "not an mtcheck cache (an SQLite database without mtcheck's tables)",
        ));
    } else {
        let version: Option<i64> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .unwrap_or(None);
        match version {
            Some(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(Error::input(
                    path,
                    format!(
                        "cache schema version {v} is not supported (this mtcheck reads version \
                         {SCHEMA_VERSION}); delete the file or use another cache path"
                    ),
                ))
            }
            None => {
                return Err(Error::input(
                    path,
                    "not an mtcheck cache (no schema version in its meta table)",
                ))
            }
        }
    }
    tx.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_of(seed: u32, dim: usize) -> Vec<f32> {
        (0..dim)
            .map(|i| ((seed as f32) * 0.37 + i as f32 * 1.13).sin())
            .collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn round_trip_is_bit_exact_and_a_miss_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/cache.sqlite");
        let cache = EmbeddingCache::open(&path).unwrap();
        // Awkward values: negative zero, subnormal, extremes, NaN with a payload.
        let odd = vec![
            -0.0f32,
            f32::MIN_POSITIVE / 2.0,
            f32::MAX,
            f32::MIN,
            f32::from_bits(0x7fc0_1234),
            1.0,
        ];
        let a = vec_of(1, 384);
        cache
            .put_many("m", &[("hello", &a), ("odd", &odd), ("", &[])])
            .unwrap();
        let got = cache
            .get_many("m", &["hello", "missing", "odd", ""])
            .unwrap();
        assert_eq!(bits(got[0].as_ref().unwrap()), bits(&a));
        assert!(got[1].is_none());
        assert_eq!(bits(got[2].as_ref().unwrap()), bits(&odd));
        assert_eq!(got[3].as_deref(), Some(&[][..]));
        // Same text, other model: a miss.
        assert!(cache.get_many("other", &["hello"]).unwrap()[0].is_none());
        // Reopening reads the same.
        drop(cache);
        let cache = EmbeddingCache::open(&path).unwrap();
        let got = cache.get_many("m", &["hello"]).unwrap();
        assert_eq!(bits(got[0].as_ref().unwrap()), bits(&a));
    }

    #[test]
    fn existing_entries_are_kept_on_a_second_put() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::open(&dir.path().join("c.db")).unwrap();
        let (a, b) = (vec_of(1, 8), vec_of(2, 8));
        cache.put_many("m", &[("t", &a)]).unwrap();
        cache.put_many("m", &[("t", &b)]).unwrap();
        let got = cache.get_many("m", &["t"]).unwrap();
        assert_eq!(bits(got[0].as_ref().unwrap()), bits(&a));
        assert_eq!(cache.stats().unwrap().entries(), 1);
    }

    #[test]
    fn two_handles_on_one_file_see_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let one = EmbeddingCache::open(&path).unwrap();
        let two = EmbeddingCache::open(&path).unwrap();
        let a = vec_of(3, 16);
        one.put_many("m", &[("from one", &a)]).unwrap();
        two.put_many("m", &[("from two", &a), ("from one", &a)])
            .unwrap();
        for c in [&one, &two] {
            let got = c.get_many("m", &["from one", "from two"]).unwrap();
            assert!(got.iter().all(|g| g.as_deref() == Some(&a[..])));
            assert_eq!(c.stats().unwrap().entries(), 2);
        }
    }

    #[test]
    fn concurrent_writers_with_their_own_handles_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let texts: Vec<Vec<String>> = (0..2)
            .map(|w| (0..500).map(|i| format!("writer {w} text {i}")).collect())
            .collect();
        std::thread::scope(|s| {
            for (w, texts) in texts.iter().enumerate() {
                let path = &path;
                s.spawn(move || {
                    // Each thread opens its own handle, as a separate process would.
                    let cache = EmbeddingCache::open(path).unwrap();
                    for (chunk_no, chunk) in texts.chunks(50).enumerate() {
                        let vecs: Vec<Vec<f32>> = (0..chunk.len())
                            .map(|i| vec_of((w * 1000 + chunk_no * 50 + i) as u32, 32))
                            .collect();
                        let items: Vec<(&str, &[f32])> = chunk
                            .iter()
                            .zip(&vecs)
                            .map(|(t, v)| (t.as_str(), v.as_slice()))
                            .collect();
                        cache.put_many("m", &items).unwrap();
                        // Interleave reads with the other writer's transactions.
                        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                        assert!(cache
                            .get_many("m", &refs)
                            .unwrap()
                            .iter()
                            .all(Option::is_some));
                    }
                });
            }
        });
        let cache = EmbeddingCache::open(&path).unwrap();
        assert_eq!(cache.stats().unwrap().entries(), 1000);
        for (w, texts) in texts.iter().enumerate() {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let got = cache.get_many("m", &refs).unwrap();
            for (i, g) in got.iter().enumerate() {
                assert_eq!(
                    bits(g.as_ref().unwrap()),
                    bits(&vec_of((w * 1000 + i) as u32, 32))
                );
            }
        }
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.sqlite");
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let msg = EmbeddingCache::open(&path).err().unwrap().to_string();
        assert!(msg.contains("garbage.sqlite"), "{msg}");
        assert!(msg.contains("not an mtcheck cache"), "{msg}");
        // The file is left as it was.
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn another_sqlite_database_or_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let msg = EmbeddingCache::open(&foreign).err().unwrap().to_string();
        assert!(
            msg.contains("foreign.db") && msg.contains("not an mtcheck cache"),
            "{msg}"
        );

        let future = dir.path().join("future.db");
        drop(EmbeddingCache::open(&future).unwrap());
        Connection::open(&future)
            .unwrap()
            .execute_batch("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
            .unwrap();
        let msg = EmbeddingCache::open(&future).err().unwrap().to_string();
        assert!(
            msg.contains("future.db") && msg.contains("schema version 99"),
            "{msg}"
        );
    }

    #[test]
    fn clear_removes_only_the_given_model() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::open(&dir.path().join("c.db")).unwrap();
        let v = vec_of(4, 8);
        cache
            .put_many("a", &[("x", &v), ("y", &v), ("z", &v)])
            .unwrap();
        cache.put_many("b", &[("x", &v)]).unwrap();
        assert_eq!(cache.clear(Some("a")).unwrap(), 3);
        let stats = cache.stats().unwrap();
        assert_eq!(
            stats.models,
            vec![ModelEntries {
                model: "b".into(),
                entries: 1
            }]
        );
        assert!(stats.file_bytes > 0);
        assert!(cache.get_many("a", &["x"]).unwrap()[0].is_none());
        assert!(cache.get_many("b", &["x"]).unwrap()[0].is_some());
        assert_eq!(cache.clear(None).unwrap(), 1);
        assert_eq!(cache.stats().unwrap().entries(), 0);
    }

    #[test]
    fn a_corrupt_row_is_a_miss_and_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let cache = EmbeddingCache::open(&path).unwrap();
        let v = vec_of(5, 8);
        cache
            .put_many("m", &[("short", &v), ("text", &v), ("dim", &v)])
            .unwrap();
        let raw = Connection::open(&path).unwrap();
        let key = |t: &str| text_key(t).to_vec();
        raw.execute(
            "UPDATE embeddings SET vector = x'0102030405' WHERE key = ?1",
            [key("short")],
        )
        .unwrap();
        raw.execute(
            "UPDATE embeddings SET vector = 'not a blob', text_len = -1 WHERE key = ?1",
            [key("text")],
        )
        .unwrap();
        raw.execute(
            "UPDATE embeddings SET dim = 'many' WHERE key = ?1",
            [key("dim")],
        )
        .unwrap();
        let got = cache.get_many("m", &["short", "text", "dim"]).unwrap();
        assert!(got.iter().all(Option::is_none), "{got:?}");
        cache
            .put_many("m", &[("short", &v), ("text", &v), ("dim", &v)])
            .unwrap();
        let got = cache.get_many("m", &["short", "text", "dim"]).unwrap();
        assert!(got.iter().all(|g| g.as_deref() == Some(&v[..])), "{got:?}");
    }

    #[test]
    fn decode_rejects_mismatched_lengths() {
        assert_eq!(decode("ab", 2, 1, &1f32.to_le_bytes()), Some(vec![1.0]));
        assert_eq!(decode("ab", 3, 1, &1f32.to_le_bytes()), None);
        assert_eq!(decode("ab", 2, 2, &1f32.to_le_bytes()), None);
        assert_eq!(decode("ab", 2, -1, &[]), None);
        assert_eq!(decode("ab", 2, i64::MAX, &[]), None);
    }
}
