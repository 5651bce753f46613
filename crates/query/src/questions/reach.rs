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
use serde::{Deserialize, Serialize};

use super::descriptor::{Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use super::Common;
use crate::release::{answer, Answer, Asker, Charge, Keys, Shape, Tiled};
use crate::{plan, QueryError, Question};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReachQuestion {
    #[serde(flatten)]
    pub common: Common,
    pub area: String,
    #[serde(default)]
    pub zones_res: Option<u8>,
}

impl Question for ReachQuestion {
    const KIND: &'static str = "reach";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area", ParamKind::Area, "bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional("zones_res", "Zone resolution", ParamKind::Resolution, "H3 resolution of the zones (default 7)."),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "Devices shown ads of each content category, per zone (bid-request stores).",
            about: "Reads the ad or app content category (IAB) of OpenRTB bid requests. Categories come from the \
                    data, so each (category, zone) key is released only when its noisy count passes a threshold. \
                    Each device adds at most L keys.",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![
                KeyField::new("category", KeyKind::Category, "The content category, as IABn Name."),
                KeyField::new("zone", KeyKind::Cell, "The zone, an H3 cell at zones_res."),
            ],
            unit: "devices",
            bound: "(category, zone) keys",
            key_source: KeySource::Data,
        }
    }

    crate::ask::runs_by!(preview_reach, ask_reach);
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
    let tiled = Tiled { res, cells: cells.len() as u64 };
    let sensitivity = Sensitivity::once_per_partition(bound);
    let shape = Shape { bound, partitions: 0, sensitivity, keys: Keys::FromData, tiled };
    let charge = q.common.charge(store, rules, q.asked(), shape)?;
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
    let question = q.asked();
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
                (id, RowKey::new([("category", category), ("zone", cell_text(zone).into())]))
            })
            .collect();
        let bounded = counts.into_iter().map(|(k, n)| (ids[&k], n)).collect();
        publish_private(charge, labels, bounded)
    })
    .await
}
