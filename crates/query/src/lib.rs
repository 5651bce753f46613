//! Questions → DataFusion plans over the Parquet store → bounded aggregates → one release path.
//!
//! # Layout
//! - [`adjust`]: optional post-processing of a released answer (non-negative values, totals
//!   consistent with their parts), labelled, the raw values kept.
//! - [`ask`]: the [`ask::Question`] trait and [`ask::respond`], which every surface calls.
//! - [`area`]: area specifications (bbox, polygon, explicit cells) → H3 cells, re-exported from
//!   `crowdlens-area`.
//! - [`window`]: time windows and buckets, checked against the store's floors.
//! - `plan` (private): DataFusion plans that produce *bounded* exact aggregates. Their output
//!   type cannot leave this crate except through `release`.
//! - `bounded` (private): the `bounded_keys` aggregate that caps each device's keys.
//! - `sequences` (private): `zone_transitions` and `dwell_visits`, aggregates that read each
//!   device's pings in time order (flows, dwell) and cap its keys the same way.
//! - `release` (private): check, charge the ledger before any data is read, add noise, attach
//!   intervals, audit the answer's digest: the only way out.
//! - [`questions`]: the six questions, one module each ([`questions::presence`],
//!   [`questions::flows`], …), each with its [`questions::Descriptor`] (parameters, keys,
//!   units), which the CLI, the API, the OpenAPI document and the UI derive from.
//! - [`key`]: an answer row's key, named fields serialised flat into the row.
//! - [`retention`]: shredding expired epochs, audited.
//! - [`rules`]: changing a store's rules, checked against its layout and audited.
//! - [`progress`]: a question's stage and its scan's share read, for a caller that watches.
//! - [`engine`]: where plans run (this process, or a cluster set with [`engine::with_engine`]).
//!
//! Exact, noise-free answers exist only under `#[cfg(test)]`, and in [`exact`] when the
//! `exact` feature is on: only `crowdlens-cluster`'s tests turn it on, to check that a cluster
//! computes the same bounded aggregates as this process. No surface calls it.

/// Area specifications → H3 cells (the `crowdlens-area` crate).
pub use crowdlens_area as area;
pub mod adjust;
pub mod ask;
pub mod engine;
pub mod key;
pub mod progress;
pub mod questions;
pub use questions::presence;
pub mod retention;
pub mod rules;
pub mod window;

mod bounded;
mod error;
#[cfg(feature = "exact")]
pub mod exact;
mod plan;
mod release;
mod sequences;

pub use ask::{respond, respond_to, Question, Reply};
pub use error::QueryError;
pub use presence::{ask_presence, preview_presence, PresenceQuestion};
pub use release::{
    check_sources, check_witnesses, create_ledger, open_ledger, verify_ledger, Answer, AnswerRow, Asker, Budget, Charge, Considered, KeySelection,
    MechanismChoice, Tiled,
};
