//! Co-visit: devices seen in two areas in the window, and how long after the first area they
//! reached the second. Each device adds 1 to the total and 1 to one lag bin.

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
pub struct CovisitQuestion {
    pub common: Common,
    pub area: String,
    pub area_b: String,
    pub res: Option<u8>,
}

/// A co-visit row: devices seen in both areas (`measure` "devices_in_both"), or those whose
/// time from the first area to the second falls in the `lag` bin (`measure` "lag").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CovisitKey {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag: Option<&'static str>,
    pub measure: &'static str,
}

pub(super) const LAG_LABELS: [&str; 5] = ["<1h", "1-6h", "6-24h", "1-3d", ">=3d"];

type CovisitPlan = (u8, Vec<CellIndex>, Vec<CellIndex>);

pub(super) fn price_covisit(
    store: &Store,
    rules: &Rules,
    q: &CovisitQuestion,
) -> Result<(Charge, CovisitPlan), QueryError> {
    q.common.window(store, rules)?;
    let res = resolution(rules, q.res, rules.h3_finest_question)?;
    let a = cells_of(&q.area, res)?;
    let b = cells_of(&q.area_b, res)?;
    // Each device adds 1 to the total and 1 to one lag bin: no bound to choose.
    let shape = Shape {
        bound: 2,
        partitions: 1 + LAG_LABELS.len() as u64,
        sensitivity: Sensitivity::once_per_partition(2),
        keys: Keys::Public,
    };
    let charge = q.common.charge(rules, "co-visit", shape)?;
    Ok((charge, (res, a, b)))
}

pub fn preview_covisit(store: &Store, rules: &Rules, q: &CovisitQuestion) -> Result<Charge, QueryError> {
    Ok(price_covisit(store, rules, q)?.0)
}

pub async fn ask_covisit(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &CovisitQuestion,
) -> Result<Answer, QueryError> {
    let question = audited_question("co-visit", q);
    let price = |rules: &Rules| price_covisit(store, rules, q);
    answer(ledger, asker, &question, price, async |(res, a, b): CovisitPlan, charge: &Charge| {
        let counts = plan::covisit_counts(store, q.common.from_s, q.common.to_s, res, &a, &b).await?;
        let mut keys = vec![RowKey::Covisit(CovisitKey { lag: None, measure: "devices_in_both" })];
        keys.extend(LAG_LABELS.iter().map(|&lag| RowKey::Covisit(CovisitKey { lag: Some(lag), measure: "lag" })));
        publish(charge, keys, counts)
    })
    .await
}
