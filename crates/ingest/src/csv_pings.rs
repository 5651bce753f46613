//! CSV ping sources, plain or gzip. Every reading of one (the header check before the run,
//! ingest, `scan_pings`) opens it through [`open_csv`], so all of them see the same columns.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::columns::{ColumnMap, Field};
use crate::decode::{decode, Fields, RawPing, Reject, MAX_RECORD_BYTES};
use crate::ordered::map_in_order;
use crate::pings::{admit_ping, resolve_columns};
use crate::pipeline::{
    worker_count, Admission, IngestOptions, Outcome, Position, Progress, Records, Sink, BATCH_BYTES, BATCH_RECORDS,
};
use crate::source::{self, Format, StreamDigest};
use crate::IngestError;

/// A CSV source past its header row, and the columns that header maps to under `overrides`.
pub(crate) fn open_csv(
    path: &Path,
    format: Format,
    overrides: &HashMap<Field, String>,
    bytes_read: Arc<AtomicU64>,
    digest: Option<StreamDigest>,
) -> Result<(csv::Reader<Box<dyn Read + Send>>, ColumnMap), IngestError> {
    let reader = source::open_text(path, format, bytes_read, digest)?;
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
    let map = resolve_columns(&csv_header(&mut csv, path)?, overrides, path)?;
    Ok((csv, map))
}

/// `map` was resolved from the file's header before the run began; the header is read again
/// here, from the pass that digests the file, and must be the same.
pub(crate) fn ingest_csv_pings(
    sink: &mut Sink<'_>,
    path: &Path,
    format: Format,
    map: &ColumnMap,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<(), IngestError> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (mut csv, read_map) =
        open_csv(path, format, &options.column_overrides, bytes_read.clone(), sink.stream_digest())?;
    if read_map != *map {
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

/// [`crate::scan_pings`] for a CSV source: a read failure ends the scan, a record the CSV
/// reader cannot parse is reported as ingest would quarantine it.
pub(crate) fn scan_csv_pings(
    path: &Path,
    format: Format,
    overrides: &HashMap<Field, String>,
    now_s: i64,
    visit: &mut dyn FnMut(Result<RawPing, Reject>),
) -> Result<(), IngestError> {
    let (mut csv, map) = open_csv(path, format, overrides, Arc::new(AtomicU64::new(0)), None)?;
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

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => "the header row could not be parsed as CSV".to_string(),
    }
}
