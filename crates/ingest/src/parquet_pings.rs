//! Parquet ping sources: record batches decoded on the reading thread, their columns cast to
//! text on the workers, so a row decodes exactly as the same row of a CSV would.

use arrow::array::{Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use crate::columns::{ColumnMap, Field};
use crate::decode::{decode, Fields, RawPing, Reject};
use crate::ordered::{map_in_order, Batch};
use crate::pings::{admit_ping, resolve_columns};
use crate::pipeline::{worker_count, Admission, Outcome, Position, Progress, Sink};
use crate::IngestError;

/// A Parquet source on every core: the reading thread decodes record batches (Parquet pages are
/// compressed, so that is real work, but less than admission), and each worker turns one
/// batch's columns into text and admits its rows. Outcomes are absorbed in batch order, so row
/// numbers in the quarantine follow the file whatever the thread count.
pub(crate) fn ingest_parquet_pings(
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
pub(crate) struct ParquetSource {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    pub(crate) map: ColumnMap,
    rows: u64,
    row_groups: u64,
}

impl ParquetSource {
    pub(crate) fn open(path: &Path, overrides: &HashMap<Field, String>) -> Result<ParquetSource, IngestError> {
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

/// [`crate::scan_pings`] for a Parquet source.
pub(crate) fn scan_parquet_pings(
    path: &Path,
    overrides: &HashMap<Field, String>,
    now_s: i64,
    visit: &mut dyn FnMut(Result<RawPing, Reject>),
) -> Result<(), IngestError> {
    for_each_parquet_batch(path, overrides, |rows, _, _| {
        for f in rows {
            visit(decode(&f, now_s));
        }
        Ok(())
    })
}
