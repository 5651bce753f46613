//! Broker ping feeds: the format is sniffed and the header resolved before the store is
//! touched, then the rows are read by `csv_pings` or `parquet_pings`. Both formats decode and
//! admit a row the same way, so a feed's outcome does not depend on how it was shipped.

use crowdlens_store::Store;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::columns::{ColumnMap, Field};
use crate::csv_pings::{ingest_csv_pings, open_csv, scan_csv_pings};
use crate::decode::{decode, Fields, RawPing, Reject};
use crate::parquet_pings::{ingest_parquet_pings, scan_parquet_pings, ParquetSource};
use crate::pipeline::{already_ingested, Admission, DeviceIds, IngestOptions, IngestSummary, Position, Progress, Sink};
use crate::source::{self, Format};
use crate::IngestError;

/// A ping source's columns, resolved from its header before the store is touched.
enum PingColumns {
    Csv(ColumnMap),
    Parquet(ParquetSource),
}

impl PingColumns {
    fn open(path: &Path, format: Format, overrides: &HashMap<Field, String>) -> Result<PingColumns, IngestError> {
        Ok(match format {
            Format::Csv | Format::GzipCsv => {
                PingColumns::Csv(open_csv(path, format, overrides, Arc::new(AtomicU64::new(0)), None)?.1)
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

pub(crate) fn admit_ping(
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

/// Reads a ping source as ingest would (the same formats, column detection and decoding) and
/// hands every row to `visit`, decoded or with the reason ingest would quarantine it. Writes
/// nothing and keeps nothing: for reports that study a raw feed before it is ingested.
pub fn scan_pings(
    path: &Path,
    overrides: &HashMap<Field, String>,
    now_s: i64,
    visit: &mut dyn FnMut(Result<RawPing, Reject>),
) -> Result<(), IngestError> {
    match source::sniff(path)? {
        Format::Parquet => scan_parquet_pings(path, overrides, now_s, visit),
        format => scan_csv_pings(path, format, overrides, now_s, visit),
    }
}

/// A header's columns under the user's overrides, or why ingest refuses them: the same for
/// either format.
pub(crate) fn resolve_columns(
    header: &[String],
    overrides: &HashMap<Field, String>,
    path: &Path,
) -> Result<ColumnMap, IngestError> {
    ColumnMap::resolve(header, overrides).map_err(|error| IngestError::Columns { path: path.into(), error })
}
