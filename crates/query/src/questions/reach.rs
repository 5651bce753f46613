//! Reach: devices shown ads of each content category per zone, from bid requests. Categories
//! come from the data, so keys are private: each is released only above a threshold.

use crowdlens_dp::Sensitivity;
use h3o::CellIndex;
use std::collections::BTreeMap;

use super::{cell_text, cells_of, resolution};
use crate::key::RowKey;
use crate::release::publish_private;
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::Serialize;

use super::Common;
use crate::key::Text;
use crate::release::{answer, audited_question, Answer, Asker, Charge, Keys, Shape};
use crate::{plan, QueryError};

#[derive(Debug, Clone, Serialize)]
pub struct ReachQuestion {
    pub common: Common,
    pub area: String,
    pub zones_res: Option<u8>,
}

/// A reach row: devices shown ads of `category` in `zone` (keys found in the data, released
/// above a threshold only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReachKey {
    pub category: Text,
    pub zone: Text,
}

pub(super) fn price_reach(
    store: &Store,
    rules: &Rules,
    q: &ReachQuestion,
) -> Result<(Charge, (u8, Vec<CellIndex>)), QueryError> {
    let bound = q.common.bound(rules)?;
    q.common.window(store, rules)?;
    let has_categories = store.manifest()?.sources.iter().any(|s| s.kind == "openrtb");
    if !has_categories {
        return Err(QueryError::NoCategories);
    }
    let res = resolution(rules, q.zones_res, store.config().resolution.h3_default_question.min(7))?;
    let cells = cells_of(&q.area, res)?;
    // Categories come from the data, so keys are private: partition selection by threshold.
    let shape = Shape { bound, partitions: 0, sensitivity: Sensitivity::once_per_partition(bound), keys: Keys::FromData };
    let charge = q.common.charge(rules, "reach", shape)?;
    Ok((charge, (res, cells)))
}

pub fn preview_reach(store: &Store, rules: &Rules, q: &ReachQuestion) -> Result<Charge, QueryError> {
    Ok(price_reach(store, rules, q)?.0)
}

pub async fn ask_reach(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &ReachQuestion,
) -> Result<Answer, QueryError> {
    let question = audited_question("reach", q);
    let price = |rules: &Rules| price_reach(store, rules, q);
    answer(ledger, asker, &question, price, async |(res, cells): (u8, Vec<CellIndex>), charge: &Charge| {
        let (from, to) = (q.common.from_s, q.common.to_s);
        let counts = plan::reach_counts(store, from, to, res, &cells, charge.max_partitions).await?;
        let mut ids: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        for k in counts.keys() {
            let next = ids.len() as u64;
            ids.entry(*k).or_insert(next);
        }
        let labels = ids
            .iter()
            .map(|(&(cat, zone), &id)| {
                let category = crowdlens_types::category::describe(cat as u32).into();
                (id, RowKey::Reach(ReachKey { category, zone: cell_text(zone).into() }))
            })
            .collect();
        let bounded = counts.into_iter().map(|(k, n)| (ids[&k], n)).collect();
        publish_private(charge, labels, bounded)
    })
    .await
}
