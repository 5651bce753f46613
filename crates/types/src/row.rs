//! The row shape of the store. It has no field that could carry a raw identifier, an IP or a
//! user agent, so a `StoredPing` can be written without further checks.

use crate::Pseudonym;

/// One minimised observation: who (pseudonym), where (H3 cell), when (floored time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPing {
    pub pseudonym: Pseudonym,
    /// H3 cell index at the store's resolution.
    pub cell: u64,
    /// Unix seconds, floored to the store's time resolution.
    pub time_s: i64,
    /// IAB content category id for bidstream rows; `None` for broker pings.
    pub category: Option<u32>,
}
