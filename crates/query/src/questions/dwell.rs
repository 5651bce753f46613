//! Dwell: how long visits to an area last, as a histogram of visit lengths. A gap between a
//! device's pings of `max_gap` or more ends a visit; each device adds at most L visits.

use crowdlens_dp::Sensitivity;
use h3o::CellIndex;

use super::{cells_of, resolution};
use crate::key::RowKey;
use crate::release::publish;
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::{Deserialize, Serialize};

use super::descriptor::{self, Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use super::Common;
use crate::key::Text;
use crate::release::{answer, Answer, Asker, Charge, Keys, Shape, Tiled};
use crate::{plan, QueryError, Question};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DwellQuestion {
    #[serde(flatten)]
    pub common: Common,
    pub area: String,
    /// Resolution of the cells that define "inside"; finest allowed by default.
    #[serde(default)]
    pub res: Option<u8>,
    /// A gap this long or longer between pings ends a visit.
    #[serde(rename = "max_gap", with = "descriptor::span")]
    pub max_gap_s: i64,
}

impl Question for DwellQuestion {
    const KIND: &'static str = "dwell";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area", ParamKind::Area, "bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional(
                "res",
                "Area resolution",
                ParamKind::Resolution,
                "Resolution of the cells that define the area's inside; default: the finest the store allows.",
            ),
            Param::optional("max_gap", "Visit gap", ParamKind::Span, "A gap this long between pings ends a visit.").or("30m"),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "How long visits to an area last, as a histogram of visit lengths.",
            about: "A visit is a run of a device's pings inside the area; a gap of max_gap or more between pings \
                    ends it. Each device adds at most L visits, spread over the five bins.",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![KeyField::new("dwell", KeyKind::Label, "The visit-length bin: <10m, 10-30m, 30-60m, 1-4h or >=4h.")],
            unit: "visits",
            bound: "visits",
            key_source: KeySource::Question,
        }
    }

    crate::ask::runs_by!(preview_dwell, ask_dwell);
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
        return Err(QueryError::BadWindow("--max-gap must be positive".into()).about("max_gap"));
    }
    let res = resolution(rules, q.res, rules.h3_finest_question)?;
    let cells = cells_of(&q.area, res)?;
    let bins = DWELL_LABELS.len() as u32;
    let tiled = Tiled { res, cells: cells.len() as u64 };
    let shape =
        Shape { bound, partitions: bins as u64, sensitivity: Sensitivity::total(bound, bins), keys: Keys::Public, tiled };
    let charge = q.common.charge(store, rules, q.asked(), shape)?;
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
    let question = q.asked();
    let price = |rules: &Rules| price_dwell(store, rules, q);
    answer(ledger, asker, &question, price, async |(res, cells): (u8, Vec<CellIndex>), charge: &Charge| {
        let (from, to) = (q.common.from_s, q.common.to_s);
        let counts = plan::dwell_counts(store, from, to, res, &cells, q.max_gap_s, charge.max_partitions).await?;
        let keys = DWELL_LABELS.iter().map(|&dwell| RowKey::new([("dwell", Text::fixed(dwell))])).collect();
        publish(charge, keys, counts)
    })
    .await
}
