//! Co-visit: devices seen in two areas in the window, and how long after the first area they
//! reached the second. Each device adds 1 to the total and 1 to one lag bin.

use crowdlens_dp::Sensitivity;
use h3o::CellIndex;

use super::{cells_of, resolution};
use crate::key::RowKey;
use crate::release::publish;
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::{Deserialize, Serialize};

use super::descriptor::{Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use super::Common;
use crate::key::Text;
use crate::release::{answer, Answer, Asker, Charge, Keys, Shape, Tiled};
use crate::{plan, QueryError, Question};

/// Co-visit's bound is fixed (a device adds 1 to the total and 1 to one lag bin), so it takes
/// no `max_partitions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CovisitQuestion {
    #[serde(flatten)]
    pub common: Common,
    pub area: String,
    pub area_b: String,
    #[serde(default)]
    pub res: Option<u8>,
}

impl Question for CovisitQuestion {
    const KIND: &'static str = "co-visit";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area A", ParamKind::Area, "Area A: bbox:…, cells:… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::required("area_b", "Area B", ParamKind::Area, "Area B: bbox:…, cells:… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional(
                "res",
                "Area resolution",
                ParamKind::Resolution,
                "Resolution of the cells that define both areas; default: the finest the store allows.",
            ),
        ];
        let common = COMMON_PARAMS.into_iter().filter(|p| p.name != "max_partitions");
        Descriptor {
            kind: Self::KIND,
            summary: "Devices seen in both area A and area B, and how long after A they reached B.",
            about: "Counts the devices seen in both areas within the window, and bins the time from a device's \
                    first ping in A to its next ping in B. Each device adds 1 to the total and 1 to one lag bin, so \
                    L is fixed at 2 and not asked.",
            params: own.into_iter().chain(common).collect(),
            keys: vec![
                KeyField { optional: true, ..KeyField::new("lag", KeyKind::Label, "The lag bin: <1h, 1-6h, 6-24h, 1-3d or >=3d; only the bins shorter than the window are asked.") },
                KeyField::new("measure", KeyKind::Label, "devices_in_both (the total) or lag (one lag bin)."),
            ],
            unit: "devices",
            bound: "measures (fixed at 2: the total and one lag bin)",
            key_source: KeySource::Question,
        }
    }

    crate::ask::runs_by!(preview_covisit, ask_covisit);
}

pub(super) const LAG_LABELS: [&str; 5] = ["<1h", "1-6h", "6-24h", "1-3d", ">=3d"];

/// The lag bins a window of `window_s` seconds can hold: both first pings lie in the window, so
/// a lag is shorter than it, and a bin that starts at or beyond its length is not asked (a
/// one-day window has no 1-3d bin). The bins depend on the question alone, so they are public.
fn possible_lags(window_s: i64) -> usize {
    let starts = std::iter::once(0).chain(plan::LAG_EDGES_S);
    starts.take_while(|&start| start < window_s).count()
}

type CovisitPlan = (u8, Vec<CellIndex>, Vec<CellIndex>);

pub(super) fn price_covisit(
    store: &Store,
    rules: &Rules,
    q: &CovisitQuestion,
) -> Result<(Charge, CovisitPlan), QueryError> {
    q.common.window(store, rules)?;
    let res = resolution(rules, q.res, rules.h3_finest_question)?;
    let a = cells_of(&q.area, res)?;
    let b = cells_of(&q.area_b, res).map_err(|e| e.about("area_b"))?;
    // Each device adds 1 to the total and 1 to one lag bin: no bound to choose.
    let shape = Shape {
        bound: 2,
        partitions: 1 + possible_lags(q.common.to_s - q.common.from_s) as u64,
        sensitivity: Sensitivity::once_per_partition(2),
        keys: Keys::Public,
        tiled: Tiled { res, cells: (a.len() + b.len()) as u64 },
    };
    let charge = q.common.charge(store, rules, q.asked(), shape)?;
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
    let question = q.asked();
    let price = |rules: &Rules| price_covisit(store, rules, q);
    answer(ledger, asker, &question, price, async |(res, a, b): CovisitPlan, charge: &Charge| {
        let mut counts = plan::covisit_counts(store, q.common.from_s, q.common.to_s, res, &a, &b).await?;
        let lags = possible_lags(q.common.to_s - q.common.from_s);
        // The bins past the window's length count nothing by construction.
        counts.truncate(1 + lags);
        let mut keys = vec![RowKey::new([("measure", Text::fixed("devices_in_both"))])];
        keys.extend(
            LAG_LABELS[..lags]
                .iter()
                .map(|&lag| RowKey::new([("lag", Text::fixed(lag)), ("measure", Text::fixed("lag"))])),
        );
        publish(charge, keys, counts)
    })
    .await
}
