//! Questions → DataFusion plans over the Parquet store → bounded aggregates → one release path.
//!
//! # Layout
//! - [`ask`]: the [`ask::Question`] trait and [`ask::respond`], which every surface calls.
//! - [`area`]: area specifications (bbox, polygon, explicit cells) → H3 cells.
//! - [`window`]: time windows and buckets, checked against the store's floors.
//! - `plan` (private): DataFusion plans that produce *bounded* exact aggregates. Their output
//!   type cannot leave this crate except through `release`.
//! - `bounded` (private): the `bounded_keys` aggregate that caps each device's keys.
//! - `release` (private): charge the ledger, add noise, attach intervals: the only way out.
//! - [`presence`]: distinct devices per (cell, time bucket).
//! - [`questions`]: flows, dwell, co-visit, series and reach.
//!
//! Exact, noise-free answers exist only under `#[cfg(test)]`.

pub mod area;
pub mod ask;
pub mod presence;
pub mod questions;
pub mod window;

mod bounded;
mod error;
mod plan;
mod release;

pub use ask::{respond, Question, Reply};
pub use error::QueryError;
pub use presence::{ask_presence, preview_presence, PresenceQuestion};
pub use release::{Answer, AnswerRow, Asker, Charge, KeySelection};
