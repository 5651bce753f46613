//! Reports for oversight, each as JSON and as one self-contained HTML page (inline SVG, no
//! script, no outside asset).
//!
//! # Layout
//! - [`transparency`]: every question asked of a store, what it cost and why, refusals, ingest
//!   accounting, retention and the audit chain's head; from the ledger, the audit chain, the
//!   manifest and the config, never from the data.
//! - [`risk`]: how identifying a raw feed is, by the unicity test of de Montjoye et al. (2013),
//!   read as ingest reads it; raw ids stay in memory and nothing raw is written.
//! - `html` (private): escaping, tables and SVG charts shared by the reports.

mod html;
pub mod risk;
pub mod transparency;

pub use risk::{risk_html, unicity, RiskOptions, RiskReport};
pub use transparency::{transparency, transparency_html, Period, TransparencyReport};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Control(#[from] crowdlens_control::ControlError),
    #[error(transparent)]
    Store(#[from] crowdlens_store::StoreError),
}
