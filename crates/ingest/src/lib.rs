//! Ingest: decode source rows, admit them under policy, minimise them, and hand the store only
//! [`StoredPing`](crowdlens_types::StoredPing)s.
//!
//! # Layout
//! - [`source`]: opening files, compression detection, content digest.
//! - [`columns`]: mapping vendor column names onto crowdlens fields.
//! - [`decode`]: text fields → [`decode::RawPing`] or a quarantine reason.
//! - [`sensitive`]: sensitive-place polygons and radii, and a grid index over them.
//! - [`policy`]: [`policy::Admitted`] is only built here; drops are counted by reason.
//! - [`minimize`]: an admitted ping → pseudonym, cell and floored time.
//! - [`openrtb`]: bid-request JSON lines → the fields crowdlens reads, and consent signals.
//! - [`pipeline`]: what every source's run shares: options, admission, quarantine, the sink that
//!   commits, and reconciliation.
//! - `pings`: broker ping feeds, the format sniffed and the header checked before the run,
//!   read by `csv_pings` (CSV and CSV.gz, with their header and field helpers) or
//!   `parquet_pings` (record batches cast to text).
//! - `bidstream`: a file of logged bid requests, judged line by line (consent first).
//! - [`generated`]: feeds generated in memory (`synth --store`), through the same admission.
//! - `ordered`: reader thread → worker threads → writer, in source order.
//!
//! Raw identifiers live only in memory: inside [`decode::RawPing`] between decoding and
//! minimising, and in each minimiser's memory of recently seen devices (at most 65,536 per
//! worker thread, for the run), which lets further pings of a device skip the HMAC. No path
//! writes them: the quarantine names line and reason only.

pub mod columns;
pub mod decode;
pub mod generated;
pub mod minimize;
pub mod openrtb;
mod ordered;
mod pings;
pub mod pipeline;
pub mod policy;
pub mod sensitive;
pub mod source;

mod bidstream;
mod csv_pings;
mod error;
mod parquet_pings;

pub use crowdlens_store::IdKind;
pub use error::IngestError;
pub use generated::{ingest_generated, GeneratedFeed, GeneratedPing};
pub use pipeline::{
    check_id_kind, ingest_openrtb, ingest_pings, pings_device_ids, scan_pings, DeviceIds, IngestOptions, IngestSummary,
    Progress,
};
