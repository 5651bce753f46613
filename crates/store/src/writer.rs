//! One ingest run: rows go to staging files, then a single manifest write makes them visible.

use arrow::array::{ArrayRef, Int64Array, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, Utc};
use crowdlens_types::StoredPing;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{sync_dir, IdKind, IngestedSource, Manifest, Segment, SourceCounts, SourceFile, Store, StoreError};

/// Column names of every segment, in order.
pub const ROW_SCHEMA_FIELDS: [&str; 4] = ["pseudonym", "cell", "time_s", "category"];

/// Rows buffered per day before they are encoded; bounds ingest memory whatever the input size.
const BATCH_ROWS: usize = 128 * 1024;

fn row_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("pseudonym", DataType::UInt64, false),
        Field::new("cell", DataType::UInt64, false),
        Field::new("time_s", DataType::Int64, false),
        Field::new("category", DataType::UInt32, true),
    ]))
}

struct DayWriter {
    staging_path: PathBuf,
    writer: ArrowWriter<File>,
    pending: Vec<StoredPing>,
    rows: u64,
}

/// An ingest run holding the store's writer lock. Dropping it without [`IngestRun::commit`]
/// leaves the store exactly as it was: it removes its staging files and its quarantine file
/// (and what a killed run leaves is swept by the next run).
pub struct IngestRun<'a> {
    store: &'a Store,
    run_id: String,
    staging_dir: PathBuf,
    /// What identifies the units of this run's rows; the store must hold the same kind.
    id_kind: IdKind,
    /// Keyed by UTC day number, so a row needs no date formatting on the hot path.
    days: BTreeMap<i64, DayWriter>,
    committed: bool,
    _lock: File,
}

impl<'a> IngestRun<'a> {
    pub(crate) fn begin(store: &'a Store, id_kind: IdKind) -> Result<IngestRun<'a>, StoreError> {
        let root = store.root();
        let lock = take_writer_lock(root)?;
        sweep_uncommitted(root)?;
        let manifest = Manifest::load(root)?;
        if manifest.pseudonym_scheme != crowdlens_types::pseudonym::PSEUDONYM_SCHEME && !manifest.segments.is_empty() {
            // New rows would pseudonymise the same devices differently from the stored ones,
            // and each device would count as two units in the epochs they share.
            return Err(StoreError::OldPseudonymScheme {
                store: root.to_path_buf(),
                scheme: manifest.pseudonym_scheme,
            });
        }
        check_id_kind(root, &manifest, id_kind)?;
        let run_id = new_run_id();
        let staging_dir = root.join("staging").join(&run_id);
        crate::create_private_dir(&staging_dir)?;
        Ok(IngestRun { store, run_id, staging_dir, id_kind, days: BTreeMap::new(), committed: false, _lock: lock })
    }

    /// What identifies the units of this run's rows.
    pub fn id_kind(&self) -> IdKind {
        self.id_kind
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn store(&self) -> &Store {
        self.store
    }

    /// Where this run's quarantine entries go. The file is swept if the run never commits.
    pub fn quarantine_path(&self) -> PathBuf {
        self.store.root().join("quarantine").join(format!("{}.jsonl", self.run_id))
    }

    pub fn push(&mut self, row: StoredPing) -> Result<(), StoreError> {
        let day = row.time_s.div_euclid(86_400);
        if !self.days.contains_key(&day) {
            let staging_path = self.staging_dir.join(format!("day={}.parquet", day_of(row.time_s)));
            let file = crate::create_private_file(&staging_path)?;
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(512 * 1024))
                .build();
            let writer =
                ArrowWriter::try_new(file, row_schema(), Some(props)).map_err(|e| parquet_err(&staging_path, e))?;
            self.days.insert(day, DayWriter { staging_path, writer, pending: Vec::new(), rows: 0 });
        }
        let w = self.days.get_mut(&day).expect("inserted above");
        w.pending.push(row);
        w.rows += 1;
        if w.pending.len() >= BATCH_ROWS {
            flush(w)?;
        }
        Ok(())
    }

    /// Makes this run's rows and its source record visible in one atomic manifest write.
    pub fn commit(mut self, source: SourceFile, kind: &str, counts: SourceCounts) -> Result<(), StoreError> {
        let root = self.store.root().to_path_buf();
        let mut segments = Vec::new();
        let days = std::mem::take(&mut self.days);
        for (day_number, mut w) in days {
            let day = day_of(day_number * 86_400);
            flush(&mut w)?;
            let file = w.writer.into_inner().map_err(|e| parquet_err(&w.staging_path, e))?;
            file.sync_all().map_err(|e| StoreError::io(&w.staging_path, e))?;
            let rel = format!("data/day={day}/{}.parquet", self.run_id);
            let dest = root.join(&rel);
            let dir = dest.parent().expect("has parent");
            crate::create_private_dir(dir)?;
            fs::rename(&w.staging_path, &dest).map_err(|e| StoreError::io(&dest, e))?;
            sync_dir(dir)?;
            segments.push(Segment { path: rel, day, rows: w.rows, run: self.run_id.clone() });
        }
        let quarantine = self.quarantine_path();
        if let Ok(f) = File::open(&quarantine) {
            f.sync_all().map_err(|e| StoreError::io(&quarantine, e))?;
        }
        let mut manifest = Manifest::load(&root)?;
        check_id_kind(&root, &manifest, self.id_kind)?;
        manifest.generation += 1;
        manifest.pseudonym_scheme = crowdlens_types::pseudonym::PSEUDONYM_SCHEME;
        manifest.unit_id_kind = Some(self.id_kind);
        manifest.segments.extend(segments);
        manifest.sources.push(IngestedSource {
            digest: source.digest,
            path: source.path,
            kind: kind.to_string(),
            run: self.run_id.clone(),
            committed_at: Utc::now().to_rfc3339(),
            counts,
            bytes: Some(source.bytes),
        });
        manifest.save(&root)?;
        self.committed = true;
        let _ = fs::remove_dir_all(&self.staging_dir);
        Ok(())
    }
}

impl Drop for IngestRun<'_> {
    /// A run that ends without its commit (an error, a refusal) takes its staging files and
    /// quarantine file with it, while it still holds the lock. Best effort: what remains
    /// (after a kill, say) is swept by the next run.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        self.days.clear();
        let _ = fs::remove_dir_all(&self.staging_dir);
        let _ = fs::remove_file(self.quarantine_path());
    }
}

/// Refuses rows whose units are of another id kind than the store's.
fn check_id_kind(root: &Path, manifest: &Manifest, offered: IdKind) -> Result<(), StoreError> {
    match manifest.unit_id_kind() {
        Some(stored) if stored != offered => {
            Err(StoreError::IdKindMismatch { store: root.to_path_buf(), stored, offered })
        }
        _ => Ok(()),
    }
}

/// The store's single-writer lock (ingest and retention), held while the file stays open.
pub(crate) fn take_writer_lock(root: &Path) -> Result<File, StoreError> {
    let lock_path = root.join("lock");
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let lock = options.open(&lock_path).map_err(|e| StoreError::io(&lock_path, e))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked(lock_path)),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io(&lock_path, e)),
    }
}

fn flush(w: &mut DayWriter) -> Result<(), StoreError> {
    if w.pending.is_empty() {
        return Ok(());
    }
    let rows = std::mem::take(&mut w.pending);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.pseudonym.0))),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.cell))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.time_s))),
        Arc::new(UInt32Array::from_iter(rows.iter().map(|r| r.category))),
    ];
    let batch = RecordBatch::try_new(row_schema(), columns).map_err(|e| parquet_err(&w.staging_path, e))?;
    w.writer.write(&batch).map_err(|e| parquet_err(&w.staging_path, e))?;
    Ok(())
}

fn parquet_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Parquet { path: path.to_path_buf(), reason: e.to_string() }
}

fn day_of(time_s: i64) -> String {
    DateTime::<Utc>::from_timestamp(time_s, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "invalid".into())
}

fn new_run_id() -> String {
    use rand::RngCore;
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    format!("{stamp}-{:08x}", rand::rng().next_u32())
}

/// Removes staging directories, data files and quarantine files of runs the manifest does not
/// name, and staged keys: the leftovers of a run that was killed before its commit.
pub(crate) fn sweep_uncommitted(root: &Path) -> Result<(), StoreError> {
    let manifest = Manifest::load(root)?;
    let committed_runs: HashSet<&str> = manifest.sources.iter().map(|s| s.run.as_str()).collect();
    let committed_files: HashSet<&str> = manifest.segments.iter().map(|s| s.path.as_str()).collect();
    let staging = root.join("staging");
    if let Ok(entries) = fs::read_dir(&staging) {
        for e in entries.flatten() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
    if let Ok(days) = fs::read_dir(root.join("data")) {
        for day in days.flatten() {
            let Ok(files) = fs::read_dir(day.path()) else { continue };
            for f in files.flatten() {
                let rel = format!("data/{}/{}", day.file_name().to_string_lossy(), f.file_name().to_string_lossy());
                if !committed_files.contains(rel.as_str()) {
                    fs::remove_file(f.path()).map_err(|e| StoreError::io(f.path(), e))?;
                }
            }
        }
    }
    if let Ok(entries) = fs::read_dir(root.join("quarantine")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(run) = name.strip_suffix(".jsonl") {
                if !committed_runs.contains(run) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }
    // A key staged by a killed run may be a copy of a saved key: left behind, it would outlive
    // the crypto-shredding of that epoch. Only ingest creates keys, and it holds this lock.
    if let Ok(entries) = fs::read_dir(root.join("keyring")) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".tmp") {
                fs::remove_file(e.path()).map_err(|err| StoreError::io(e.path(), err))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn ping(time_s: i64) -> StoredPing {
        StoredPing { pseudonym: crowdlens_types::Pseudonym(7), cell: 0x8a2a1072b59ffff, time_s, category: None }
    }

    fn commit_one(store: &Store, kind: IdKind, digest: &str) -> Result<(), StoreError> {
        let mut run = store.begin_ingest_as(kind)?;
        run.push(ping(1_793_577_600))?;
        run.commit(
            SourceFile { digest: digest.into(), path: digest.into(), bytes: 1 },
            "pings",
            SourceCounts::default(),
        )
    }

    fn entries(dir: &Path) -> usize {
        fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
    }

    #[test]
    fn the_first_commit_records_the_id_kind_and_another_kind_is_refused_before_staging() {
        for (first, second) in [(IdKind::AdvertisingId, IdKind::Other), (IdKind::Other, IdKind::AdvertisingId)] {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::init(dir.path(), &Config::default()).unwrap();
            assert_eq!(store.manifest().unwrap().unit_id_kind(), None);
            commit_one(&store, first, "a").unwrap();
            assert_eq!(store.manifest().unwrap().unit_id_kind, Some(first));
            let before = fs::read(dir.path().join(crate::MANIFEST_FILE)).unwrap();
            let e = store.begin_ingest_as(second).err().expect("refused");
            assert!(
                matches!(e, StoreError::IdKindMismatch { stored, offered, .. } if stored == first && offered == second),
                "{e}"
            );
            assert!(e.to_string().contains("two privacy units") && e.to_string().contains("separate store"), "{e}");
            assert_eq!(entries(&dir.path().join("staging")), 0, "nothing staged");
            assert_eq!(fs::read(dir.path().join(crate::MANIFEST_FILE)).unwrap(), before);
            // The same kind is taken.
            commit_one(&store, first, "b").unwrap();
            assert_eq!(store.manifest().unwrap().sources.len(), 2);
        }
    }

    #[test]
    fn a_run_dropped_without_its_commit_removes_its_staging_and_quarantine() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path(), &Config::default()).unwrap();
        {
            let mut run = store.begin_ingest().unwrap();
            run.push(ping(1_793_577_600)).unwrap();
            crate::create_private_file(&run.quarantine_path()).unwrap();
            assert_eq!(entries(&dir.path().join("staging")), 1);
            assert_eq!(entries(&dir.path().join("quarantine")), 1);
        }
        assert_eq!(entries(&dir.path().join("staging")), 0);
        assert_eq!(entries(&dir.path().join("quarantine")), 0);
        assert_eq!(store.manifest().unwrap(), Manifest::default());
    }
}
