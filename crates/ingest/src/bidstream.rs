//! Logged OpenRTB bid requests (JSON lines, plain or gzip) as a source: reading lines within
//! the length cap, consent first, then location and identity. Parsing a request's JSON is
//! [`crate::openrtb`]'s; this module decides what becomes of each one.

use crowdlens_consent::{judge, ConsentPolicy, Verdict};
use crowdlens_store::{IdKind, Store};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::decode::{RawPing, Reject};
use crate::openrtb;
use crate::ordered::map_in_order;
use crate::pipeline::{
    already_ingested, worker_count, Admission, DeviceIds, IngestOptions, IngestSummary, Outcome, Position, Progress,
    Records, Sink, BATCH_BYTES, BATCH_RECORDS,
};
use crate::source::{self, Format};
use crate::IngestError;

/// The column name reported for bid requests, whose only identity is `device.ifa`.
pub const OPENRTB_DEVICE_COLUMN: &str = "device.ifa";

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
