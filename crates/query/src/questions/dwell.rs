//! Dwell: how long visits to an area last, as a histogram of visit lengths. A gap between a
//! device's pings of `max_gap` or more ends a visit; each device adds at most L visits.

use crowdlens_dp::Sensitivity;
use h3o::CellIndex;

use super::{cells_of, resolution};
use crate::key::RowKey;
use crate::release::publish;
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::Serialize;

use super::Common;
use crate::release::{answer, audited_question, Answer, Asker, Charge, Keys, Shape};
use crate::{plan, QueryError};

#[derive(Debug, Clone, Serialize)]
pub struct DwellQuestion {
    pub common: Common,
    pub area: String,
    /// Resolution of the cells that define "inside"; finest allowed by default.
    pub res: Option<u8>,
    /// A gap this long or longer between pings ends a visit.
    pub max_gap_s: i64,
}

/// A dwell row: visits whose length falls in the `dwell` bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DwellKey {
    pub dwell: &'static str,
}

pub(super) const DWELL_LABELS: [&str; 5] = ["<10m", "10-30m", "30-60m", "1-4h", ">=4h"];

pub(super) fn price_dwell(
    store: &Store,
    rules: &Rules,
    q: &DwellQuestion,
) -> Result<(Charge, (u8, Vec<CellIndex>)), QueryError> {
    let bound = q.common.bound(rules)?;
    q.common.window(store, rules)?;
    if q.max_gap_s <= 0 {
        return Err(QueryError::BadWindow("--max-gap must be positive".into()));
    }
    let res = resolution(rules, q.res, rules.h3_finest_question)?;
    let cells = cells_of(&q.area, res)?;
    let bins = DWELL_LABELS.len() as u32;
    let shape = Shape { bound, partitions: bins as u64, sensitivity: Sensitivity::total(bound, bins), keys: Keys::Public };
    let charge = q.common.charge(rules, "dwell", shape)?;
    Ok((charge, (res, cells)))
}

pub fn preview_dwell(store: &Store, rules: &Rules, q: &DwellQuestion) -> Result<Charge, QueryError> {
    Ok(price_dwell(store, rules, q)?.0)
}

pub async fn ask_dwell(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &DwellQuestion,
) -> Result<Answer, QueryError> {
    let question = audited_question("dwell", q);
    let price = |rules: &Rules| price_dwell(store, rules, q);
    answer(ledger, asker, &question, price, async |(res, cells): (u8, Vec<CellIndex>), charge: &Charge| {
        let (from, to) = (q.common.from_s, q.common.to_s);
        let counts = plan::dwell_counts(store, from, to, res, &cells, q.max_gap_s, charge.max_partitions).await?;
        let keys = DWELL_LABELS.iter().map(|&dwell| RowKey::Dwell(DwellKey { dwell })).collect();
        publish(charge, keys, counts)
    })
    .await
}
