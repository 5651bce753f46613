//! Reports for oversight, each as JSON and as one self-contained HTML page (inline SVG, no
//! script, no outside asset).
//!
//! # Layout
//! - [`transparency`]: every question asked of a store, what it cost and why, refusals, rule
//!   changes, the sources committed (kind and time only), retention and the audit chain's
//!   head; from the ledger, the audit chain, the manifest and the rules, never from the data,
//!   and with nothing that depends on the rows. For publication.
//! - [`risk`]: how identifying a raw feed is, by the unicity test of de Montjoye et al. (2013),
//!   read as ingest reads it; raw ids stay in memory and nothing raw is written. Operator-only:
//!   it shows exact figures of the feed.
//! - [`export`]: a released or kept answer as CSV, JSON, GeoJSON or GeoParquet
//!   (`geoparquet`, private), carrying its question; post-processing of a release, with
//!   geometry from public cell ids only.
//! - `html` (private): escaping, tables and SVG charts shared by the reports.

pub mod export;
mod geoparquet;
mod html;
pub mod risk;
pub mod transparency;

pub use export::{export, ExportError, ExportFormat};
pub use risk::{risk_html, unicity, RiskOptions, RiskReport};
pub use transparency::{signed_transparency, transparency, transparency_html, Period, RuleChange, TransparencyReport};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Control(#[from] crowdlens_control::ControlError),
    #[error(transparent)]
    Store(#[from] crowdlens_store::StoreError),
}
