//! The bounded exact aggregates, noise-free: compiled only with the `exact` feature, which only
//! `crowdlens-cluster`'s tests turn on, to check that the same plans give the same numbers on
//! a cluster as in this process. Nothing here charges, audits or releases anything.

use crate::plan::{self, Zoning};
use crate::window::Window;
use crate::QueryError;
use crowdlens_store::Store;
use h3o::CellIndex;
use std::collections::HashMap;

/// Devices per (cell, bucket index).
pub async fn presence(
    store: &Store,
    window: &Window,
    res: u8,
    cells: &[CellIndex],
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    Ok(plan::presence_counts(store, window, res, cells, bound).await?.counts)
}

/// Devices per (origin cell, destination cell) with zones at `res`.
pub async fn flows(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    plan::flow_counts(store, from_s, to_s, Zoning::Resolution(res), None, None, bound).await
}

/// Devices per (origin zone, destination zone) with named zones: `map` is (cell at `res`, zone).
pub async fn named_flows(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    map: &[(u64, u64)],
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    plan::flow_counts(store, from_s, to_s, Zoning::Named { res, map }, None, None, bound).await
}

/// Visits per dwell bin.
pub async fn dwell(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    cells: &[CellIndex],
    max_gap_s: i64,
    bound: u32,
) -> Result<Vec<i64>, QueryError> {
    plan::dwell_counts(store, from_s, to_s, res, cells, max_gap_s, bound).await
}

/// Devices in both areas, and per lag bin.
pub async fn covisit(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    area_a: &[CellIndex],
    area_b: &[CellIndex],
) -> Result<Vec<i64>, QueryError> {
    plan::covisit_counts(store, from_s, to_s, res, area_a, area_b).await
}

/// Devices per bucket of the target window, then of the baseline.
pub async fn series(
    store: &Store,
    target: &Window,
    baseline: &Window,
    res: u8,
    cells: &[CellIndex],
    bound: u32,
) -> Result<Vec<i64>, QueryError> {
    plan::series_counts(store, target, baseline, res, cells, bound).await
}

/// Devices per (zone, category).
pub async fn reach(
    store: &Store,
    from_s: i64,
    to_s: i64,
    zones_res: u8,
    cells: &[CellIndex],
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    plan::reach_counts(store, from_s, to_s, zones_res, cells, false, bound).await
}
