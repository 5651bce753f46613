//! Feeds generated in memory rather than read from a file: the synthetic city at a scale whose
//! CSV would be larger than the store built from it (a billion pings is about 90 GB of text).
//!
//! A generated ping takes the same path as a decoded CSV row from the point where the text has
//! been parsed: [`RawPing::identified`] canonicalises its id and checks its values, and the
//! same [`Admission`] applies the location policy, the sensitive places and the minimiser. So a
//! store built this way holds exactly the rows that writing the CSV and ingesting it would,
//! pseudonymised under the store's own keys, with the same reconciliation.

use crate::decode::RawPing;
use crate::ordered::{map_in_order, Batch};
use crate::pipeline::{already_ingested, worker_count, Admission, Outcome, Position, Sink};
use crate::{IngestError, IngestOptions, IngestSummary, Progress};
use crowdlens_store::Store;
use std::ops::Range;

/// One ping of a generated feed, with typed values.
#[derive(Debug, Clone, Copy)]
pub struct GeneratedPing<'a> {
    pub device_id: &'a str,
    /// The feed's id type label, if it has one (`IDFA`, `AAID`, `cookie`, …).
    pub id_type: Option<&'a str>,
    pub time_ms: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: Option<f64>,
}

/// A feed made of independent units (devices, say) that can be generated on any thread in any
/// order and always give the same pings.
pub trait GeneratedFeed: Sync {
    /// What exactly the feed holds: generator, version and every parameter. It is the source's
    /// identity, so ingesting the same description twice is recognised and skipped, as a rerun
    /// of the same file is.
    fn description(&self) -> String;
    fn units(&self) -> u64;
    /// Calls `each` with every ping of `unit`, in order.
    fn emit(&self, unit: u64, each: &mut dyn FnMut(&GeneratedPing<'_>));
}

/// Units per batch handed to a worker: a few thousand pings at the synthetic city's rates.
const UNITS_PER_BATCH: u64 = 16;

#[derive(Default)]
struct Units(Range<u64>);

impl Batch for Units {
    fn clear(&mut self) {
        self.0 = 0..0;
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Ingests a generated feed on every core, committing once at the end like a file source.
/// Progress is in units.
pub fn ingest_generated(
    store: &Store,
    feed: &dyn GeneratedFeed,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestSummary, IngestError> {
    let Some(mut sink) = Sink::begin_generated(store, &feed.description(), options)? else {
        return Ok(already_ingested());
    };
    let total = feed.units();
    progress.start(total);
    let mut next = 0;
    let fill = |batch: &mut Units| -> Result<bool, IngestError> {
        let end = (next + UNITS_PER_BATCH).min(total);
        batch.0 = next..end;
        next = end;
        Ok(next < total)
    };
    let admit = |admission: &mut Admission<'_>, batch: &Units| -> Result<Outcome, IngestError> {
        for unit in batch.0.clone() {
            admit_unit(admission, feed, unit)?;
        }
        Ok(admission.take())
    };
    let mut done = 0;
    map_in_order(sink.admissions(worker_count())?, fill, admit, |outcome| {
        sink.absorb(outcome)?;
        done = (done + UNITS_PER_BATCH).min(total);
        progress.advance_to(done);
        Ok(())
    })?;
    progress.finish();
    sink.finish("pings")
}

fn admit_unit(admission: &mut Admission<'_>, feed: &dyn GeneratedFeed, unit: u64) -> Result<(), IngestError> {
    let now_s = admission.now_s;
    let mut ping_number = 0;
    let mut failed = None;
    feed.emit(unit, &mut |p| {
        ping_number += 1;
        if failed.is_some() {
            return;
        }
        let not_a_device = p.id_type.is_some_and(crowdlens_types::NotADevice::is_non_device_label);
        let raw = RawPing::identified(
            p.device_id,
            not_a_device,
            p.time_ms.div_euclid(1000),
            p.latitude,
            p.longitude,
            p.accuracy_m,
            now_s,
        );
        match raw {
            Ok(ping) => failed = admission.offer(ping, None).err(),
            Err(reason) => admission.quarantine(Position::Generated { unit, ping: ping_number }, reason),
        }
    });
    failed.map_or(Ok(()), Err)
}
