//! One source file through decode → admit → minimise → store, with its quarantine and its
//! reconciliation. Commits once, at the end, so a killed run leaves nothing behind.

use arrow::array::{Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use crowdlens_consent::{judge, ConsentPolicy, Verdict};
use crowdlens_store::{IdKind, IngestRun, PolicyConfig, SourceCounts, SourceFile, Store, StoreError};
use crowdlens_types::StoredPing;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::columns::{ColumnMap, Field};
use crate::decode::{decode, Fields, RawPing, Reject, MAX_RECORD_BYTES};
use crate::minimize::Minimizer;
use crate::openrtb;
use crate::ordered::{map_in_order, Batch};
use crate::policy::Policy;
use crate::sensitive::SensitivePlaces;
use crate::source::{self, Format, StreamDigest};
use crate::IngestError;

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

/// The column name reported for bid requests, whose only identity is `device.ifa`.
pub const OPENRTB_DEVICE_COLUMN: &str = "device.ifa";

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
    read: u64,
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

    fn quarantine_as(&mut self, position: Position, code: &'static str, detail: Cow<'static, str>) {
        self.outcome.read += 1;
        self.outcome.quarantined.push((position, code, detail));
    }

    fn drop(&mut self, reason: &str) {
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
    policy: PolicyConfig,
    sensitive: &'s SensitivePlaces,
    identity: SourceIdentity,
    display: String,
    /// The column the device ids come from, for the summary.
    device_column: String,
    /// The file's length when the run began, for progress.
    length: u64,
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
    fn begin(
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
    fn stream_digest(&self) -> Option<StreamDigest> {
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
const BATCH_RECORDS: usize = 4096;

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

/// A ping source's columns, resolved from its header before the store is touched.
enum PingColumns {
    Csv(ColumnMap),
    Parquet(ParquetSource),
}

impl PingColumns {
    fn open(path: &Path, format: Format, overrides: &HashMap<Field, String>) -> Result<PingColumns, IngestError> {
        Ok(match format {
            Format::Csv | Format::GzipCsv => {
                let reader = source::open_text(path, format, Arc::new(AtomicU64::new(0)), None)?;
                let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
                PingColumns::Csv(resolve_columns(&csv_header(&mut csv, path)?, overrides, path)?)
            }
            Format::Parquet => PingColumns::Parquet(ParquetSource::open(path, overrides)?),
        })
    }

    fn map(&self) -> &ColumnMap {
        match self {
            PingColumns::Csv(map) => map,
            PingColumns::Parquet(source) => &source.map,
        }
    }

    fn device_ids(&self, options: &IngestOptions) -> DeviceIds {
        let device = self.map().device();
        DeviceIds { column: device.name.clone(), kind: device.id_kind(options.id_kind) }
    }
}

/// Where a ping source's device ids would come from under `options`: the column and its id
/// kind, from the header alone. Refuses a header whose only id columns are not advertising ids
/// ([`crate::columns::ColumnError::NotAnAdvertisingId`]) and any other header ingest would
/// refuse. Writes nothing: for checking every source before a store is created or written.
pub fn pings_device_ids(path: &Path, options: &IngestOptions) -> Result<DeviceIds, IngestError> {
    let format = source::sniff(path)?;
    Ok(PingColumns::open(path, format, &options.column_overrides)?.device_ids(options))
}

/// Ingests one broker ping file (CSV, CSV.gz or Parquet) into `store`.
pub fn ingest_pings(
    store: &Store,
    path: &Path,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, IngestError> {
    let format = source::sniff(path)?;
    let streamable = format != Format::Parquet;
    // The header first: a feed whose columns are refused, or whose units are of another id
    // kind than the store's, is refused before anything is staged.
    let columns = PingColumns::open(path, format, &options.column_overrides)?;
    let ids = columns.device_ids(options);
    let Some(mut sink) = Sink::begin(store, path, options, streamable, &ids)? else { return Ok(already_ingested()) };
    let total = sink.length;
    progress.start(total);
    match columns {
        PingColumns::Csv(map) => ingest_csv_pings(&mut sink, path, format, &map, options, progress)?,
        PingColumns::Parquet(source) => ingest_parquet_pings(&mut sink, path, source, total, progress)?,
    }
    progress.finish();
    sink.finish("pings")
}

fn admit_ping(
    admission: &mut Admission<'_>,
    position: Position,
    fields: Result<Fields<'_>, Reject>,
) -> Result<(), IngestError> {
    match fields.and_then(|f| decode(&f, admission.now_s)) {
        Ok(ping) => admission.offer(ping, None),
        Err(reason) => {
            admission.quarantine(position, reason);
            Ok(())
        }
    }
}

/// Source records read ahead for a worker: CSV records or JSON lines. Buffers are reused
/// batch after batch.
#[derive(Default)]
struct Records<T> {
    /// The first `entries.len()` are in use.
    buffers: Vec<T>,
    /// Per record in use: its line, and whether it was read whole (a CSV record the reader
    /// could parse, a JSON line within the length cap).
    entries: Vec<(u64, bool)>,
}

impl<T: Default> Records<T> {
    /// The buffer for the next record, to be read into before its entry is pushed.
    fn next_buffer(&mut self) -> &mut T {
        let i = self.entries.len();
        if self.buffers.len() == i {
            self.buffers.push(T::default());
        }
        &mut self.buffers[i]
    }

    fn iter(&self) -> impl Iterator<Item = (&T, u64, bool)> {
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
const BATCH_BYTES: usize = 4 << 20;

/// `map` was resolved from the file's header before the run began; the header is read again
/// here, from the pass that digests the file, and must be the same.
fn ingest_csv_pings(
    sink: &mut Sink<'_>,
    path: &Path,
    format: Format,
    map: &ColumnMap,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<(), IngestError> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let reader = source::open_text(path, format, bytes_read.clone(), sink.stream_digest())?;
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
    if resolve_columns(&csv_header(&mut csv, path)?, &options.column_overrides, path)? != *map {
        return Err(IngestError::Malformed { path: path.into(), reason: "the file changed while it was read".into() });
    }
    let mut records_read: u64 = 0;
    let fill = |batch: &mut Records<csv::ByteRecord>| -> Result<bool, IngestError> {
        let mut bytes = 0;
        while batch.entries.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let record = batch.next_buffer();
            let line_before = csv.position().line() + 1;
            match csv.read_byte_record(record) {
                Ok(false) => return Ok(false),
                Ok(true) => {
                    let line = record.position().map(|p| p.line()).unwrap_or(line_before);
                    bytes += record.as_slice().len();
                    batch.entries.push((line, true));
                }
                Err(e) => {
                    if let csv::ErrorKind::Io(io) = e.kind() {
                        // A decompression failure mid-file: the rest is unreadable, so the
                        // whole run fails rather than storing a silently shortened file.
                        return Err(IngestError::Malformed {
                            path: path.into(),
                            reason: format!("read failed after {records_read} rows: {io}"),
                        });
                    }
                    batch.entries.push((line_before, false));
                }
            }
            records_read += 1;
        }
        Ok(true)
    };
    let admit = |admission: &mut Admission<'_>, batch: &Records<csv::ByteRecord>| -> Result<Outcome, IngestError> {
        for (record, line, parsed) in batch.iter() {
            let fields = if parsed { csv_fields(record, map) } else { Err(Reject::MalformedCsv) };
            admit_ping(admission, Position::Line(line), fields)?;
        }
        Ok(admission.take())
    };
    let admissions = sink.admissions(worker_count())?;
    map_in_order(admissions, fill, admit, |outcome| {
        sink.absorb(outcome)?;
        progress.advance_to(bytes_read.load(Ordering::Relaxed));
        Ok(())
    })
}

/// A Parquet source on every core: the reading thread decodes record batches (Parquet pages are
/// compressed, so that is real work, but less than admission), and each worker turns one
/// batch's columns into text and admits its rows. Outcomes are absorbed in batch order, so row
/// numbers in the quarantine follow the file whatever the thread count.
fn ingest_parquet_pings(
    sink: &mut Sink<'_>,
    path: &Path,
    source: ParquetSource,
    total: u64,
    progress: &dyn Progress,
) -> Result<(), IngestError> {
    let (map, rows_total) = (&source.map, source.rows.max(1));
    let mut reader = source.reader;
    let mut next_row: u64 = 0;
    let fill = |batch: &mut ParquetBatch| -> Result<bool, IngestError> {
        match reader.next() {
            None => Ok(false),
            Some(read) => {
                let read = read.map_err(|e| parquet_malformed(path, &e))?;
                batch.first_row = next_row;
                next_row += read.num_rows() as u64;
                batch.batch = Some(read);
                Ok(true)
            }
        }
    };
    let admit = |admission: &mut Admission<'_>, batch: &ParquetBatch| -> Result<Outcome, IngestError> {
        if let Some(read) = &batch.batch {
            let columns = TextColumns::of(read, map, path)?;
            for (i, fields) in columns.rows().enumerate() {
                admit_ping(admission, Position::Row(batch.first_row + i as u64 + 1), Ok(fields))?;
            }
        }
        Ok(admission.take())
    };
    let admissions = sink.admissions(worker_count())?;
    let mut rows_done: u64 = 0;
    map_in_order(admissions, fill, admit, |outcome| {
        rows_done += outcome.read;
        sink.absorb(outcome)?;
        progress.advance_to(total * rows_done.min(rows_total) / rows_total);
        Ok(())
    })
}

/// One record batch of a Parquet source, and the source row its first row is.
#[derive(Default)]
struct ParquetBatch {
    first_row: u64,
    batch: Option<arrow::record_batch::RecordBatch>,
}

impl Batch for ParquetBatch {
    fn clear(&mut self) {
        self.batch = None;
    }
    fn is_empty(&self) -> bool {
        self.batch.as_ref().is_none_or(|b| b.num_rows() == 0)
    }
}

/// A Parquet ping source, opened: its batches, where each field is, and its row count.
struct ParquetSource {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    map: ColumnMap,
    rows: u64,
    row_groups: u64,
}

impl ParquetSource {
    fn open(path: &Path, overrides: &HashMap<Field, String>) -> Result<ParquetSource, IngestError> {
        let file = File::open(path).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_malformed(path, &e))?;
        let header: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        let map = resolve_columns(&header, overrides, path)?;
        let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
        let row_groups = builder.metadata().num_row_groups().max(1) as u64;
        let reader = builder.with_batch_size(65_536).build().map_err(|e| parquet_malformed(path, &e))?;
        Ok(ParquetSource { reader, map, rows, row_groups })
    }
}

fn parquet_malformed(path: &Path, e: &dyn std::fmt::Display) -> IngestError {
    IngestError::Malformed { path: path.into(), reason: e.to_string() }
}

/// A record batch's ping columns as text, as a CSV source would give them.
struct TextColumns {
    id: StringArray,
    id_type: Option<StringArray>,
    ts: StringArray,
    lat: StringArray,
    lon: StringArray,
    acc: Option<StringArray>,
}

impl TextColumns {
    fn of(batch: &arrow::record_batch::RecordBatch, map: &ColumnMap, path: &Path) -> Result<TextColumns, IngestError> {
        let column = |field: Field| -> Result<Option<StringArray>, IngestError> {
            let Some(i) = map.get(field) else { return Ok(None) };
            let as_text = cast(batch.column(i), &DataType::Utf8).map_err(|e| parquet_malformed(path, &e))?;
            Ok(Some(as_text.as_any().downcast_ref::<StringArray>().expect("cast to Utf8").clone()))
        };
        Ok(TextColumns {
            id: column(Field::DeviceId)?.expect("required"),
            id_type: column(Field::IdType)?,
            ts: column(Field::Timestamp)?.expect("required"),
            lat: column(Field::Latitude)?.expect("required"),
            lon: column(Field::Longitude)?.expect("required"),
            acc: column(Field::Accuracy)?,
        })
    }

    fn rows(&self) -> impl Iterator<Item = Fields<'_>> {
        fn text(a: &StringArray, r: usize) -> &str {
            if a.is_null(r) {
                ""
            } else {
                a.value(r)
            }
        }
        (0..self.id.len()).map(move |r| Fields {
            device_id: text(&self.id, r).as_bytes(),
            id_type: self.id_type.as_ref().map(|a| text(a, r).as_bytes()),
            timestamp: text(&self.ts, r).as_bytes(),
            latitude: text(&self.lat, r).as_bytes(),
            longitude: text(&self.lon, r).as_bytes(),
            accuracy: self.acc.as_ref().map(|a| text(a, r).as_bytes()),
        })
    }
}

/// Reads a Parquet ping source batch by batch, on this thread, handing each batch's rows as
/// [`Fields`] to `each`, with the number of batches done and the file's row groups (for
/// progress).
fn for_each_parquet_batch(
    path: &Path,
    overrides: &HashMap<Field, String>,
    mut each: impl FnMut(&mut dyn Iterator<Item = Fields<'_>>, u64, u64) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let source = ParquetSource::open(path, overrides)?;
    for (i, batch) in source.reader.enumerate() {
        let batch = batch.map_err(|e| parquet_malformed(path, &e))?;
        let columns = TextColumns::of(&batch, &source.map, path)?;
        each(&mut columns.rows(), i as u64 + 1, source.row_groups)?;
    }
    Ok(())
}

/// Reads a ping source as ingest would (the same formats, column detection and decoding) and
/// hands every row to `visit`, decoded or with the reason ingest would quarantine it. Writes
/// nothing and keeps nothing: for reports that study a raw feed before it is ingested.
pub fn scan_pings(
    path: &Path,
    overrides: &HashMap<Field, String>,
    now_s: i64,
    visit: &mut dyn FnMut(Result<RawPing, Reject>),
) -> Result<(), IngestError> {
    let format = source::sniff(path)?;
    if format == Format::Parquet {
        return for_each_parquet_batch(path, overrides, |rows, _, _| {
            for f in rows {
                visit(decode(&f, now_s));
            }
            Ok(())
        });
    }
    let reader = source::open_text(path, format, Arc::new(AtomicU64::new(0)), None)?;
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
    let map = resolve_columns(&csv_header(&mut csv, path)?, overrides, path)?;
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => visit(csv_fields(&record, &map).and_then(|f| decode(&f, now_s))),
            Err(e) => {
                if let csv::ErrorKind::Io(io) = e.kind() {
                    return Err(IngestError::Malformed { path: path.into(), reason: format!("read failed: {io}") });
                }
                visit(Err(Reject::MalformedCsv));
            }
        }
    }
}

/// Drop reasons of bid requests that pass consent but carry no usable location or identity.
pub mod openrtb_drop {
    /// No `device.geo` with both `lat` and `lon`.
    pub const NO_GEOLOCATION: &str = "no_geolocation";
    /// `device.geo.type` 2: derived from the IP address, too coarse and too often wrong.
    pub const IP_GEOLOCATION: &str = "ip_geolocation";
    /// `device.geo.type` missing (unless the store's `admit_untyped_geo` is on), or a value
    /// other than 1 (GPS), 2 (IP) or 3 (user-provided).
    pub const GEO_TYPE_UNKNOWN: &str = "geo_type_unknown";
    /// No `device.ifa` that names a device (missing, all zeros, or a publisher or session id);
    /// a `user.id` alone never counts.
    pub use crate::policy::NO_ADVERTISING_ID;
}

/// Ingests one file of OpenRTB 2.5/2.6 bid requests (JSON lines, plain or gzip) into `store`.
/// Consent is judged first, so a request without a lawful signal is never looked at further.
pub fn ingest_openrtb(
    store: &Store,
    path: &Path,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, IngestError> {
    let format = source::sniff(path)?;
    if format == Format::Parquet {
        return Err(IngestError::Malformed {
            path: path.into(),
            reason: "this is a Parquet file; `ingest openrtb` reads JSON lines (one bid request per line), \
                     plain or gzip. Use `ingest pings` for Parquet ping feeds"
                .into(),
        });
    }
    // A bid request's only identity is its advertising id.
    let ids = DeviceIds { column: OPENRTB_DEVICE_COLUMN.to_string(), kind: IdKind::AdvertisingId };
    let Some(mut sink) = Sink::begin(store, path, options, true, &ids)? else { return Ok(already_ingested()) };
    let consent = ConsentPolicy { required_tcf_purposes: sink.policy.tcf_required_purposes.clone() };
    let total = sink.length;
    let bytes_read = Arc::new(AtomicU64::new(0));
    let text = source::open_text(path, format, bytes_read.clone(), sink.stream_digest())?;
    let mut reader = BufReader::with_capacity(1 << 20, text);
    let mut number: u64 = 0;
    let fill = |batch: &mut Records<Vec<u8>>| -> Result<bool, IngestError> {
        let mut bytes = 0;
        while batch.entries.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let line = batch.next_buffer();
            let read = read_line_capped(&mut reader, line, openrtb::MAX_LINE_BYTES).map_err(|e| {
                IngestError::Malformed { path: path.into(), reason: format!("read failed after line {number}: {e}") }
            })?;
            number += 1;
            match read {
                LineRead::Eof => return Ok(false),
                LineRead::TooLong => batch.entries.push((number, false)),
                // Blank lines separate nothing and are not records.
                LineRead::Line if line.iter().all(u8::is_ascii_whitespace) => {}
                LineRead::Line => {
                    bytes += line.len();
                    batch.entries.push((number, true));
                }
            }
        }
        Ok(true)
    };
    let reading = RequestReading {
        consent,
        layout: &options.line_layout,
        received_at_s: options.received_at_s,
        admit_untyped_geo: sink.policy.admit_untyped_geo,
    };
    let judge_lines = |admission: &mut Admission<'_>, batch: &Records<Vec<u8>>| -> Result<Outcome, IngestError> {
        for (line, number, whole) in batch.iter() {
            let position = Position::Line(number);
            if whole {
                judge_request(admission, position, line, &reading)?;
            } else {
                admission.quarantine(position, Reject::RecordTooLong);
            }
        }
        Ok(admission.take())
    };
    progress.start(total);
    let admissions = sink.admissions(worker_count())?;
    map_in_order(admissions, fill, judge_lines, |outcome| {
        sink.absorb(outcome)?;
        progress.advance_to(bytes_read.load(Ordering::Relaxed));
        Ok(())
    })?;
    progress.finish();
    sink.finish("openrtb")
}

/// How one ingest reads and judges its bid-request lines.
struct RequestReading<'a> {
    consent: ConsentPolicy,
    layout: &'a openrtb::LineLayout,
    received_at_s: Option<i64>,
    /// The store's `admit_untyped_geo`: whether a fix without `geo.type` is taken as precise.
    admit_untyped_geo: bool,
}

fn judge_request(
    admission: &mut Admission<'_>,
    position: Position,
    line: &[u8],
    reading: &RequestReading<'_>,
) -> Result<(), IngestError> {
    let openrtb::Logged { request, time_s } = match openrtb::parse_logged(line, reading.layout) {
        Ok(r) => r,
        Err(reason) => {
            admission.quarantine(position, reason);
            return Ok(());
        }
    };
    match judge(&request.signals(), &reading.consent) {
        Verdict::Admit => {}
        Verdict::Drop(reason) => {
            admission.drop(reason.code());
            return Ok(());
        }
        Verdict::Quarantine { code, error } => {
            admission.quarantine_as(position, code, error.to_string().into());
            return Ok(());
        }
    }
    let geo = request.device.as_ref().and_then(|d| d.geo.as_ref());
    let Some((geo, latitude, longitude)) = geo.and_then(|g| Some((g, g.lat?, g.lon?))) else {
        admission.drop(openrtb_drop::NO_GEOLOCATION);
        return Ok(());
    };
    match geo.kind {
        Some(1) | Some(3) => {}
        None if reading.admit_untyped_geo => {}
        Some(2) => {
            admission.drop(openrtb_drop::IP_GEOLOCATION);
            return Ok(());
        }
        _ => {
            admission.drop(openrtb_drop::GEO_TYPE_UNKNOWN);
            return Ok(());
        }
    }
    let Ok(device) = request.advertising_id() else {
        admission.drop(openrtb_drop::NO_ADVERTISING_ID);
        return Ok(());
    };
    let received_s = match time_s {
        Some(Ok(t)) => t,
        Some(Err(reason)) => {
            admission.quarantine(position, reason);
            return Ok(());
        }
        None => match request.received_at(reading.received_at_s) {
            Some(t) => t,
            None => {
                admission.quarantine(position, Reject::MissingTime);
                return Ok(());
            }
        },
    };
    // The fix is older than the request by `lastfix` seconds; its own time is what is stored.
    let time_s = received_s.saturating_sub(geo.lastfix.unwrap_or(0).max(0));
    match RawPing::validated(Ok(device), time_s, latitude, longitude, geo.accuracy, admission.now_s) {
        Ok(ping) => admission.offer(ping, request.category()),
        Err(reason) => {
            admission.quarantine(position, reason);
            Ok(())
        }
    }
}

enum LineRead {
    Line,
    TooLong,
    Eof,
}

/// Reads one line into `line` (without its newline), never holding more than `cap` bytes: a
/// longer line is skipped to its end and reported, so memory stays bounded whatever the input.
fn read_line_capped(reader: &mut impl BufRead, line: &mut Vec<u8>, cap: usize) -> std::io::Result<LineRead> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1, true),
            None => (chunk, chunk.len(), false),
        };
        if !too_long {
            if line.len() + part.len() > cap {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(part);
            }
        }
        reader.consume(used);
        if done {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => LineRead::Eof,
        (true, true) => LineRead::TooLong,
        (true, false) => LineRead::Line,
    })
}

fn csv_fields<'r>(record: &'r csv::ByteRecord, map: &ColumnMap) -> Result<Fields<'r>, Reject> {
    if record.as_slice().len() > MAX_RECORD_BYTES {
        return Err(Reject::RecordTooLong);
    }
    if record.len() != map.width {
        return Err(Reject::WrongFieldCount);
    }
    let get = |f: Field| map.get(f).and_then(|i| record.get(i));
    Ok(Fields {
        device_id: get(Field::DeviceId).unwrap_or_default(),
        id_type: get(Field::IdType),
        timestamp: get(Field::Timestamp).unwrap_or_default(),
        latitude: get(Field::Latitude).unwrap_or_default(),
        longitude: get(Field::Longitude).unwrap_or_default(),
        accuracy: get(Field::Accuracy),
    })
}

/// The header row of a CSV source.
fn csv_header<R: Read>(csv: &mut csv::Reader<R>, path: &Path) -> Result<Vec<String>, IngestError> {
    match csv.byte_headers() {
        Ok(h) => Ok(h.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()),
        Err(e) => Err(IngestError::Malformed { path: path.into(), reason: csv_reason(&e) }),
    }
}

fn resolve_columns(
    header: &[String],
    overrides: &HashMap<Field, String>,
    path: &Path,
) -> Result<ColumnMap, IngestError> {
    ColumnMap::resolve(header, overrides).map_err(|error| IngestError::Columns { path: path.into(), error })
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => "the header row could not be parsed as CSV".to_string(),
    }
}
