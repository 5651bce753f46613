//! The bookkeeping every source's run shares: options, the summary, quarantine, admission and
//! the `Sink` that commits once, at the end, so a killed run leaves nothing behind. Each source
//! kind reads its own records in a module of its own (`pings` with `csv_pings` and
//! `parquet_pings`, `bidstream`, `generated`) and hands them here.

use crowdlens_store::{IdKind, IngestRun, PolicyConfig, SourceCounts, SourceFile, Store, StoreError};
use crowdlens_types::StoredPing;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::columns::Field;
use crate::decode::{RawPing, Reject};
use crate::minimize::Minimizer;
use crate::openrtb;
use crate::ordered::Batch;
use crate::policy::Policy;
use crate::sensitive::SensitivePlaces;
use crate::source::{self, StreamDigest};
use crate::IngestError;

// The entry points of each source kind, at the paths the crate's users already name.
pub use crate::bidstream::{ingest_openrtb, openrtb_drop, OPENRTB_DEVICE_COLUMN};
pub use crate::pings::{ingest_pings, pings_device_ids, scan_pings};

/// Receives progress in bytes of the source file (compressed bytes for gzip).
pub trait Progress {
    fn start(&self, total_bytes: u64);
    fn advance_to(&self, bytes: u64);
    fn finish(&self);
}

/// No progress display (tests, `--json`, non-terminal output).
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance_to(&self, _: u64) {}
    fn finish(&self) {}
}

#[derive(Default)]
pub struct IngestOptions {
    pub sensitive: SensitivePlaces,
    /// User column choices, from `--map FIELD=COLUMN`.
    pub column_overrides: HashMap<Field, String>,
    /// What the device column of a ping feed holds, as the operator declares it
    /// (`--id-kind`); without it, advertising ids under an advertising-id name and
    /// [`IdKind::Other`] for any other mapped column ([`crate::columns::DeviceColumn::id_kind`]).
    pub id_kind: Option<IdKind>,
    /// Upper bound on timestamps (Unix seconds); defaults to the wall clock.
    pub now_s: Option<i64>,
    /// Time of bid requests that carry no `ext.ts` (Unix seconds), from `--received-at`.
    pub received_at_s: Option<i64>,
    /// Where logged bid-request lines keep the request and its receive time.
    pub line_layout: openrtb::LineLayout,
}

impl IngestOptions {
    /// Parses `FIELD=COLUMN` overrides.
    pub fn parse_mapping(specs: &[String]) -> Result<HashMap<Field, String>, IngestError> {
        let mut out = HashMap::new();
        for spec in specs {
            let (field, col) = spec.split_once('=').ok_or_else(|| IngestError::BadMapping(spec.clone()))?;
            let field = Field::parse(field.trim()).ok_or_else(|| IngestError::BadMapping(spec.clone()))?;
            if col.trim().is_empty() {
                return Err(IngestError::BadMapping(spec.clone()));
            }
            out.insert(field, col.trim().to_string());
        }
        Ok(out)
    }

    /// Parses `--id-kind`: `advertising-id` or `other`.
    pub fn parse_id_kind(spec: &str) -> Result<IdKind, IngestError> {
        IdKind::parse(spec).ok_or_else(|| IngestError::BadIdKind(spec.to_string()))
    }
}

/// Where a source's device ids come from: the column (`device.ifa` for bid requests) and the
/// kind of id it holds, which is the kind of the store's units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceIds {
    pub column: String,
    pub kind: IdKind,
}

/// What an ingest did. `read = stored + quarantined + Σ dropped` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestSummary {
    pub read: u64,
    pub stored: u64,
    pub quarantined: u64,
    pub dropped: BTreeMap<String, u64>,
    /// Source files skipped because the same bytes were already committed.
    pub skipped_already_ingested: u64,
    /// Quarantined rows by reason.
    pub quarantine_reasons: BTreeMap<String, u64>,
    /// Where quarantine entries were written, if any row was quarantined.
    pub quarantine_files: Vec<PathBuf>,
    /// The columns the device id was read from (`device.ifa` for bid requests, `device_id` for
    /// generated feeds), each once, in source order. Empty for skipped sources.
    pub device_id_columns: Vec<String>,
    /// The kind of id the stored units are: `advertising_id`, or `other` for an id column
    /// mapped explicitly. `None` when no source was ingested.
    pub id_kind: Option<IdKind>,
}

impl IngestSummary {
    pub fn reconciles(&self) -> bool {
        self.read == self.stored + self.quarantined + self.dropped.values().sum::<u64>()
    }

    pub fn add(&mut self, other: IngestSummary) {
        self.read += other.read;
        self.stored += other.stored;
        self.quarantined += other.quarantined;
        for (k, v) in other.dropped {
            *self.dropped.entry(k).or_default() += v;
        }
        for (k, v) in other.quarantine_reasons {
            *self.quarantine_reasons.entry(k).or_default() += v;
        }
        self.skipped_already_ingested += other.skipped_already_ingested;
        self.quarantine_files.extend(other.quarantine_files);
        for column in other.device_id_columns {
            if !self.device_id_columns.contains(&column) {
                self.device_id_columns.push(column);
            }
        }
        self.id_kind = self.id_kind.or(other.id_kind);
    }
}

/// Appends quarantine entries lazily: a clean source creates no file.
struct Quarantine {
    path: PathBuf,
    source: String,
    out: Option<BufWriter<File>>,
    counts: BTreeMap<String, u64>,
}

impl Quarantine {
    fn record(&mut self, position: Position, code: &str, detail: &str) -> Result<(), IngestError> {
        if self.out.is_none() {
            let f = crowdlens_store::create_private_file(&self.path).map_err(|e| match e {
                crowdlens_store::StoreError::Io { path, cause } => IngestError::Quarantine { path, cause },
                other => IngestError::Store(other),
            })?;
            self.out = Some(BufWriter::new(f));
        }
        // The entry names where and why, never what: the row itself may hold a device id.
        let mut entry = serde_json::json!({ "source": self.source });
        match position {
            Position::Line(n) => entry["line"] = n.into(),
            Position::Row(n) => entry["row"] = n.into(),
            Position::Generated { unit, ping } => {
                entry["unit"] = unit.into();
                entry["ping"] = ping.into();
            }
        }
        entry["reason"] = code.into();
        entry["detail"] = detail.into();
        let out = self.out.as_mut().expect("opened above");
        writeln!(out, "{entry}").map_err(|e| IngestError::Quarantine { path: self.path.clone(), cause: e })?;
        *self.counts.entry(code.to_string()).or_default() += 1;
        Ok(())
    }

    fn close(mut self) -> Result<(Option<PathBuf>, BTreeMap<String, u64>), IngestError> {
        match self.out.take() {
            Some(mut out) => {
                out.flush().map_err(|e| IngestError::Quarantine { path: self.path.clone(), cause: e })?;
                Ok((Some(self.path), self.counts))
            }
            None => Ok((None, self.counts)),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Position {
    Line(u64),
    Row(u64),
    /// A generated feed's `ping`-th ping (from 1) of its `unit`-th unit (from 0).
    Generated {
        unit: u64,
        ping: u64,
    },
}

/// What became of a run of source records, in source order. Built by an [`Admission`] on a
/// worker thread; the [`Sink`] writes it.
#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) read: u64,
    rows: Vec<StoredPing>,
    quarantined: Vec<(Position, &'static str, Cow<'static, str>)>,
    /// Drop counts by reason. A handful of reasons occur, so a list beats a map.
    dropped: Vec<(String, u64)>,
}

/// The drop reason of rows whose epoch retention has shredded.
pub const EPOCH_SHREDDED: &str = "epoch_shredded";

/// Everything a record can end in (stored, dropped by reason, quarantined), decided the same
/// way for every source format. One per worker thread: each has its own minimiser.
pub(crate) struct Admission<'s> {
    minimizer: Minimizer,
    policy: PolicyConfig,
    sensitive: &'s SensitivePlaces,
    pub(crate) now_s: i64,
    outcome: Outcome,
}

impl Admission<'_> {
    pub(crate) fn quarantine(&mut self, position: Position, reason: Reject) {
        self.quarantine_as(position, reason.code(), reason.explanation().into())
    }

    pub(crate) fn quarantine_as(&mut self, position: Position, code: &'static str, detail: Cow<'static, str>) {
        self.outcome.read += 1;
        self.outcome.quarantined.push((position, code, detail));
    }

    pub(crate) fn drop(&mut self, reason: &str) {
        self.outcome.read += 1;
        match self.outcome.dropped.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => self.outcome.dropped.push((reason.to_string(), 1)),
        }
    }

    /// A decoded ping: through the location policy, then minimised.
    pub(crate) fn offer(&mut self, ping: RawPing, category: Option<u32>) -> Result<(), IngestError> {
        let policy = Policy { config: &self.policy, sensitive: self.sensitive };
        match policy.admit(ping) {
            Ok(admitted) => match self.minimizer.minimize(admitted, category) {
                Ok(row) => {
                    self.outcome.read += 1;
                    self.outcome.rows.push(row);
                }
                // Retention destroyed this week's key; a new one would give its devices a
                // second pseudonym in that week, so late rows for it are dropped.
                Err(crowdlens_store::StoreError::EpochShredded(_)) => self.drop(EPOCH_SHREDDED),
                Err(e) => return Err(e.into()),
            },
            Err(drop) => self.drop(&drop.to_string()),
        }
        Ok(())
    }

    pub(crate) fn take(&mut self) -> Outcome {
        std::mem::take(&mut self.outcome)
    }
}

/// One source's run: the store transaction, the quarantine file and the counts. It commits
/// once, at the end, so a killed run leaves nothing behind.
pub(crate) struct Sink<'s> {
    store: &'s Store,
    run: IngestRun<'s>,
    quarantine: Quarantine,
    counts: SourceCounts,
    pub(crate) policy: PolicyConfig,
    sensitive: &'s SensitivePlaces,
    identity: SourceIdentity,
    display: String,
    /// The column the device ids come from, for the summary.
    device_column: String,
    /// The file's length when the run began, for progress.
    pub(crate) length: u64,
    now_s: i64,
}

/// How a source's digest is known: from a pass of its own before ingesting, or from the
/// reader as it streams the file.
enum SourceIdentity {
    Read(source::SourceDigest),
    Streamed(StreamDigest),
}

impl<'s> Sink<'s> {
    /// `None` when the same bytes were already committed: a rerun must not double count.
    ///
    /// With `streamable`, the caller reads the file front to back exactly once through
    /// [`Sink::stream_digest`]. Then the digest costs no extra pass unless a committed source
    /// has the same length, which is the only case it could be a rerun.
    ///
    /// A store whose units are of another id kind than `ids` is refused first, before the
    /// file is digested or anything is staged.
    pub(crate) fn begin(
        store: &'s Store,
        path: &Path,
        options: &'s IngestOptions,
        streamable: bool,
        ids: &DeviceIds,
    ) -> Result<Option<Sink<'s>>, IngestError> {
        let manifest = store.manifest()?;
        id_kind_fits(store, &manifest, path, ids)?;
        let length =
            std::fs::metadata(path).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?.len();
        let identity = if streamable && !manifest.may_hold_source_of_length(length) {
            SourceIdentity::Streamed(StreamDigest::default())
        } else {
            let digest = source::digest(path, manifest.may_hold_sha256_source_of_length(length))?;
            if digest.committed_in(&manifest) {
                return Ok(None);
            }
            SourceIdentity::Read(digest)
        };
        Sink::open(store, identity, path.display().to_string(), length, options, path, ids).map(Some)
    }

    /// A run for a feed generated in memory, named by `description`: `None` when a feed of the
    /// same description was already committed, as for a file of the same bytes.
    pub(crate) fn begin_generated(
        store: &'s Store,
        description: &str,
        options: &'s IngestOptions,
    ) -> Result<Option<Sink<'s>>, IngestError> {
        let digest = source::SourceDigest {
            identity: format!("generated:{}", blake3::hash(description.as_bytes()).to_hex()),
            legacy_sha256: None,
            bytes: 0,
        };
        let manifest = store.manifest()?;
        // A generated feed's units are its devices' advertising ids (`GeneratedPing::device_id`).
        let ids = DeviceIds { column: "device_id".into(), kind: IdKind::AdvertisingId };
        id_kind_fits(store, &manifest, Path::new(description), &ids)?;
        if digest.committed_in(&manifest) {
            return Ok(None);
        }
        let path = Path::new(description);
        Sink::open(store, SourceIdentity::Read(digest), description.to_string(), 0, options, path, &ids).map(Some)
    }

    #[allow(clippy::too_many_arguments)]
    fn open(
        store: &'s Store,
        identity: SourceIdentity,
        display: String,
        length: u64,
        options: &'s IngestOptions,
        path: &Path,
        ids: &DeviceIds,
    ) -> Result<Sink<'s>, IngestError> {
        // The kind is checked again under the writer lock, before the run stages anything.
        let run = store.begin_ingest_as(ids.kind).map_err(|e| match e {
            StoreError::IdKindMismatch { store, stored, offered } => {
                IngestError::IdKindMismatch { path: path.into(), column: ids.column.clone(), store, stored, offered }
            }
            other => other.into(),
        })?;
        Ok(Sink {
            store,
            quarantine: Quarantine {
                path: run.quarantine_path(),
                source: display.clone(),
                out: None,
                counts: BTreeMap::new(),
            },
            run,
            counts: SourceCounts::default(),
            policy: store.config().policy.clone(),
            sensitive: &options.sensitive,
            identity,
            display,
            device_column: ids.column.clone(),
            length,
            now_s: options.now_s.unwrap_or_else(|| chrono::Utc::now().timestamp()),
        })
    }

    /// The digest the reader must feed, if this run streams it.
    pub(crate) fn stream_digest(&self) -> Option<StreamDigest> {
        match &self.identity {
            SourceIdentity::Streamed(d) => Some(d.clone()),
            SourceIdentity::Read(_) => None,
        }
    }

    /// One admission per worker thread.
    pub(crate) fn admissions(&self, workers: usize) -> Result<Vec<Admission<'s>>, IngestError> {
        let resolution = &self.store.config().resolution;
        (0..workers.max(1))
            .map(|_| {
                Ok(Admission {
                    minimizer: Minimizer::new(self.store.keyring(), resolution)?,
                    policy: self.policy.clone(),
                    sensitive: self.sensitive,
                    now_s: self.now_s,
                    outcome: Outcome::default(),
                })
            })
            .collect()
    }

    pub(crate) fn absorb(&mut self, outcome: Outcome) -> Result<(), IngestError> {
        self.counts.read += outcome.read;
        self.counts.stored += outcome.rows.len() as u64;
        for row in outcome.rows {
            self.run.push(row)?;
        }
        self.counts.quarantined += outcome.quarantined.len() as u64;
        for (position, code, detail) in outcome.quarantined {
            self.quarantine.record(position, code, &detail)?;
        }
        for (reason, n) in outcome.dropped {
            *self.counts.dropped.entry(reason).or_default() += n;
        }
        Ok(())
    }

    pub(crate) fn finish(self, kind: &str) -> Result<IngestSummary, IngestError> {
        let digest = match &self.identity {
            SourceIdentity::Read(digest) => digest.clone(),
            SourceIdentity::Streamed(digest) => digest.finish(),
        };
        // Checked again under the writer lock: another run may have committed the same bytes
        // between the check in `begin` and taking the lock. Dropping the run discards its
        // staged files and quarantine.
        if digest.committed_in(&self.store.manifest()?) {
            return Ok(already_ingested());
        }
        let (quarantine_file, quarantine_reasons) = self.quarantine.close()?;
        debug_assert!(self.counts.reconciles());
        let counts = self.counts;
        let summary = IngestSummary {
            read: counts.read,
            stored: counts.stored,
            quarantined: counts.quarantined,
            dropped: counts.dropped.clone(),
            skipped_already_ingested: 0,
            quarantine_reasons,
            quarantine_files: quarantine_file.into_iter().collect(),
            device_id_columns: vec![self.device_column],
            id_kind: Some(self.run.id_kind()),
        };
        self.run.commit(
            SourceFile { digest: digest.identity, path: self.display, bytes: digest.bytes },
            kind,
            counts,
        )?;
        Ok(summary)
    }
}

/// Worker threads for record-level work: one per core. The reader and the writer are light
/// next to decoding, H3 and HMAC, so they share the same cores.
pub(crate) fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Source records per batch handed to a worker: large enough that channel traffic is noise,
/// small enough that a batch of the longest allowed records stays a few MiB.
pub(crate) const BATCH_RECORDS: usize = 4096;

pub(crate) fn already_ingested() -> IngestSummary {
    IngestSummary { skipped_already_ingested: 1, ..Default::default() }
}

/// Refuses a source whose units are of another id kind than the store's (from `manifest`).
fn id_kind_fits(
    store: &Store,
    manifest: &crowdlens_store::Manifest,
    path: &Path,
    ids: &DeviceIds,
) -> Result<(), IngestError> {
    match manifest.unit_id_kind() {
        Some(stored) if stored != ids.kind => Err(IngestError::IdKindMismatch {
            path: path.into(),
            column: ids.column.clone(),
            store: store.root().to_path_buf(),
            stored,
            offered: ids.kind,
        }),
        _ => Ok(()),
    }
}

/// Whether `store` takes a source whose device ids are `ids`: refused with
/// [`IngestError::IdKindMismatch`] if its units are of another id kind. Reads only; every
/// ingest checks it again under the writer lock.
pub fn check_id_kind(store: &Store, path: &Path, ids: &DeviceIds) -> Result<(), IngestError> {
    id_kind_fits(store, &store.manifest()?, path, ids)
}

/// Source records read ahead for a worker: CSV records or JSON lines. Buffers are reused
/// batch after batch.
#[derive(Default)]
pub(crate) struct Records<T> {
    /// The first `entries.len()` are in use.
    buffers: Vec<T>,
    /// Per record in use: its line, and whether it was read whole (a CSV record the reader
    /// could parse, a JSON line within the length cap).
    pub(crate) entries: Vec<(u64, bool)>,
}

impl<T: Default> Records<T> {
    /// The buffer for the next record, to be read into before its entry is pushed.
    pub(crate) fn next_buffer(&mut self) -> &mut T {
        let i = self.entries.len();
        if self.buffers.len() == i {
            self.buffers.push(T::default());
        }
        &mut self.buffers[i]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&T, u64, bool)> {
        self.buffers.iter().zip(&self.entries).map(|(b, &(line, whole))| (b, line, whole))
    }
}

impl<T: Default> Batch for Records<T> {
    fn clear(&mut self) {
        self.entries.clear();
    }
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Bytes of records per batch. With [`BATCH_RECORDS`] this bounds memory even when every row
/// is as long as the CSV reader allows.
pub(crate) const BATCH_BYTES: usize = 4 << 20;
