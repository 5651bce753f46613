//! One source file through decode → admit → minimise → store, with its quarantine and its
//! reconciliation. Commits once, at the end, so a killed run leaves nothing behind.

use arrow::array::{Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use crowdlens_store::{SourceCounts, Store};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::columns::{ColumnMap, Field};
use crate::decode::{decode, Fields, Reject, MAX_RECORD_BYTES};
use crate::minimize::Minimizer;
use crate::policy::Policy;
use crate::sensitive::SensitivePlaces;
use crate::source::{self, Format};
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
    /// Upper bound on timestamps (Unix seconds); defaults to the wall clock.
    pub now_s: Option<i64>,
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
    fn record(&mut self, position: Position, reason: Reject) -> Result<(), IngestError> {
        if self.out.is_none() {
            let f =
                File::create(&self.path).map_err(|e| IngestError::Quarantine { path: self.path.clone(), source: e })?;
            self.out = Some(BufWriter::new(f));
        }
        let (key, at) = match position {
            Position::Line(n) => ("line", n),
            Position::Row(n) => ("row", n),
        };
        // The entry names where and why, never what: the row itself may hold a device id.
        let entry = serde_json::json!({
            "source": self.source,
            key: at,
            "reason": reason.code(),
            "detail": reason.explanation(),
        });
        let out = self.out.as_mut().expect("opened above");
        writeln!(out, "{entry}").map_err(|e| IngestError::Quarantine { path: self.path.clone(), source: e })?;
        *self.counts.entry(reason.code().to_string()).or_default() += 1;
        Ok(())
    }

    fn close(mut self) -> Result<(Option<PathBuf>, BTreeMap<String, u64>), IngestError> {
        match self.out.take() {
            Some(mut out) => {
                out.flush().map_err(|e| IngestError::Quarantine { path: self.path.clone(), source: e })?;
                Ok((Some(self.path), self.counts))
            }
            None => Ok((None, self.counts)),
        }
    }
}

#[derive(Clone, Copy)]
enum Position {
    Line(u64),
    Row(u64),
}

/// Ingests one broker ping file (CSV, CSV.gz or Parquet) into `store`.
pub fn ingest_pings(
    store: &Store,
    path: &Path,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, IngestError> {
    let format = source::sniff(path)?;
    let sha256 = source::digest(path)?;
    if store.manifest()?.find_source(&sha256).is_some() {
        return Ok(IngestSummary { skipped_already_ingested: 1, ..Default::default() });
    }
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let run = store.begin_ingest()?;
    let config = store.config();
    let policy = Policy { config: &config.policy, sensitive: &options.sensitive };
    let mut minimizer = Minimizer::new(store.keyring(), &config.resolution)?;
    let now_s = options.now_s.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let display = path.display().to_string();
    let mut quarantine =
        Quarantine { path: run.quarantine_path(), source: display.clone(), out: None, counts: BTreeMap::new() };
    let mut counts = SourceCounts::default();
    let mut run = run;

    let mut handle = |position: Position,
                      fields: Result<Fields<'_>, Reject>,
                      counts: &mut SourceCounts,
                      quarantine: &mut Quarantine|
     -> Result<(), IngestError> {
        counts.read += 1;
        let decoded = fields.and_then(|f| decode(&f, now_s));
        let ping = match decoded {
            Ok(p) => p,
            Err(reason) => {
                counts.quarantined += 1;
                return quarantine.record(position, reason);
            }
        };
        match policy.admit(ping) {
            Ok(admitted) => {
                let row = minimizer.minimize(admitted, None)?;
                run.push(row)?;
                counts.stored += 1;
            }
            Err(drop) => *counts.dropped.entry(drop.to_string()).or_default() += 1,
        }
        Ok(())
    };

    progress.start(total);
    match format {
        Format::Csv | Format::GzipCsv => {
            let bytes_read = Arc::new(AtomicU64::new(0));
            let reader = source::open_text(path, format, bytes_read.clone())?;
            let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
            let header: Vec<String> = match csv.byte_headers() {
                Ok(h) => h.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect(),
                Err(e) => return Err(IngestError::Malformed { path: path.into(), reason: csv_reason(&e) }),
            };
            let map = ColumnMap::resolve(&header, &options.column_overrides)
                .map_err(|reason| IngestError::MissingColumns { path: path.into(), reason })?;
            let mut record = csv::ByteRecord::new();
            let mut n: u64 = 0;
            loop {
                let line_before = csv.position().line() + 1;
                match csv.read_byte_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map(|p| p.line()).unwrap_or(line_before);
                        let fields = csv_fields(&record, &map);
                        handle(Position::Line(line), fields, &mut counts, &mut quarantine)?;
                    }
                    Err(e) => {
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            // A decompression failure mid-file: the rest is unreadable, so the
                            // whole run fails rather than storing a silently shortened file.
                            return Err(IngestError::Malformed {
                                path: path.into(),
                                reason: format!("read failed after {} rows: {io}", counts.read),
                            });
                        }
                        handle(Position::Line(line_before), Err(Reject::MalformedCsv), &mut counts, &mut quarantine)?;
                    }
                }
                n += 1;
                if n.is_multiple_of(65_536) {
                    progress.advance_to(bytes_read.load(Ordering::Relaxed));
                }
            }
        }
        Format::Parquet => {
            let file = File::open(path).map_err(|e| IngestError::Unreadable { path: path.into(), source: e })?;
            let malformed =
                |e: &dyn std::fmt::Display| IngestError::Malformed { path: path.into(), reason: e.to_string() };
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| malformed(&e))?;
            let header: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
            let map = ColumnMap::resolve(&header, &options.column_overrides)
                .map_err(|reason| IngestError::MissingColumns { path: path.into(), reason })?;
            let row_groups = builder.metadata().num_row_groups().max(1) as u64;
            let reader = builder.with_batch_size(65_536).build().map_err(|e| malformed(&e))?;
            let mut row: u64 = 0;
            for (i, batch) in reader.enumerate() {
                let batch = batch.map_err(|e| malformed(&e))?;
                let column = |field: Field| -> Result<Option<StringArray>, IngestError> {
                    let Some(i) = map.get(field) else { return Ok(None) };
                    let as_text = cast(batch.column(i), &DataType::Utf8).map_err(|e| malformed(&e))?;
                    Ok(Some(as_text.as_any().downcast_ref::<StringArray>().expect("cast to Utf8").clone()))
                };
                let id = column(Field::DeviceId)?.expect("required");
                let id_type = column(Field::IdType)?;
                let ts = column(Field::Timestamp)?.expect("required");
                let lat = column(Field::Latitude)?.expect("required");
                let lon = column(Field::Longitude)?.expect("required");
                let acc = column(Field::Accuracy)?;
                fn text(a: &StringArray, r: usize) -> &str {
                    if a.is_null(r) {
                        ""
                    } else {
                        a.value(r)
                    }
                }
                for r in 0..batch.num_rows() {
                    row += 1;
                    let fields = Fields {
                        device_id: text(&id, r).as_bytes(),
                        id_type: id_type.as_ref().map(|a| text(a, r).as_bytes()),
                        timestamp: text(&ts, r).as_bytes(),
                        latitude: text(&lat, r).as_bytes(),
                        longitude: text(&lon, r).as_bytes(),
                        accuracy: acc.as_ref().map(|a| text(a, r).as_bytes()),
                    };
                    handle(Position::Row(row), Ok(fields), &mut counts, &mut quarantine)?;
                }
                progress.advance_to(total * (i as u64 + 1).min(row_groups) / row_groups);
            }
        }
    }
    progress.finish();

    let (quarantine_file, quarantine_reasons) = quarantine.close()?;
    debug_assert!(counts.reconciles());
    let summary = IngestSummary {
        read: counts.read,
        stored: counts.stored,
        quarantined: counts.quarantined,
        dropped: counts.dropped.clone(),
        skipped_already_ingested: 0,
        quarantine_reasons,
        quarantine_files: quarantine_file.into_iter().collect(),
    };
    run.commit(sha256, display, "pings", counts)?;
    Ok(summary)
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

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => "the header row could not be parsed as CSV".to_string(),
    }
}
