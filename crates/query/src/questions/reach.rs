//! Reach: devices shown ads of each content category per zone, from bid requests. By default
//! the categories are the vendored IAB taxonomies' top tiers, which are public, so every
//! (category, zone) key is released; asked with `categories: found`, keys come from the data
//! and each is released only above a threshold.

use crowdlens_dp::Sensitivity;
use h3o::CellIndex;
use std::collections::BTreeMap;

use super::{cell_text, cells_of, check_partitions, resolution};
use crate::key::RowKey;
use crate::release::{publish, publish_private};
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
    /// `tier1` (the vendored taxonomies' top tiers: public keys) or `found` (keys found in the
    /// data, thresholded).
    #[serde(default = "tier1")]
    pub categories: String,
}

fn tier1() -> String {
    "tier1".into()
}

/// Which categories an answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Categories {
    /// The vendored taxonomies' top tiers: public keys, every one released.
    Tier1,
    /// Whatever categories the data holds: private keys, released above a threshold.
    Found,
}

impl Categories {
    fn of(q: &ReachQuestion) -> Result<Categories, QueryError> {
        match q.categories.as_str() {
            "tier1" => Ok(Categories::Tier1),
            "found" => Ok(Categories::Found),
            other => Err(QueryError::BadParameter {
                name: "categories".into(),
                problem: format!(
                    "{other:?} is not a choice: tier1 (the IAB taxonomies' top tiers, every key released) or found (the categories in the data, each released only above a threshold)"
                ),
            }),
        }
    }
}

impl Question for ReachQuestion {
    const KIND: &'static str = "reach";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area", ParamKind::Area, "bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional("zones_res", "Zone resolution", ParamKind::Resolution, "H3 resolution of the zones (default 7)."),
            Param::optional(
                "categories",
                "Categories",
                ParamKind::Text,
                "tier1: the top tiers of the IAB Content 1.0 and 3.0 taxonomies (public, every key released); found: the categories in the data, each released only above a threshold.",
            )
            .or("tier1"),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "Devices shown ads of each content category, per zone (bid-request stores).",
            about: "Reads the ad or app content category of OpenRTB bid requests (`cat` under `cattax`). By \
                    default each category counts under its top tier in the IAB Tech Lab's published Content 1.0 \
                    (`cattax` 1) and 3.0 (`cattax` 7) taxonomies, vendored with their names: those tiers are public, \
                    so every (category, zone) key is released, zeros included; categories of other taxonomies are \
                    not counted. With `categories: found`, the keys are the categories the data holds, each \
                    released only when its noisy count passes a threshold. Each device adds at most L keys.",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![
                KeyField::new("category", KeyKind::Category, "The content category as its taxonomy writes it: IAB9, or cattax7:52."),
                KeyField::new("category_name", KeyKind::Label, "The category's name in its taxonomy (empty for a category no vendored taxonomy names)."),
                KeyField::new("zone", KeyKind::Cell, "The zone, an H3 cell at zones_res."),
            ],
            unit: "devices",
            bound: "(category, zone) keys",
            key_source: KeySource::QuestionOrData,
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
    let categories = Categories::of(q)?;
    let res = resolution(rules, q.zones_res, store.config().resolution.h3_default_question.min(7))
        .map_err(|e| e.about("zones_res"))?;
    let cells = cells_of(&q.area, res)?;
    let tiled = Tiled { res, cells: cells.len() as u64 };
    let sensitivity = Sensitivity::once_per_partition(bound);
    let (keys, partitions) = match categories {
        Categories::Tier1 => {
            let partitions = cells.len() as u64 * crowdlens_types::category::tier1_categories().len() as u64;
            check_partitions(rules, partitions)?;
            (Keys::Public, partitions)
        }
        // Categories from the data are private keys: partition selection by threshold.
        Categories::Found => (Keys::FromData, 0),
    };
    let shape = Shape { bound, partitions, sensitivity, keys, tiled };
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
        let tiered = charge.keys == crate::KeySelection::Public;
        let counts = plan::reach_counts(store, from, to, res, &cells, tiered, charge.max_partitions).await?;
        let key = |cat: u32, zone: u64| {
            let category = crowdlens_types::category::describe(cat).into();
            let name = crowdlens_types::category::name(cat).unwrap_or_default().to_string().into();
            RowKey::new([("category", category), ("category_name", name), ("zone", cell_text(zone).into())])
        };
        if tiered {
            let tops = crowdlens_types::category::tier1_categories();
            let mut keys = Vec::with_capacity(charge.partitions as usize);
            let mut values = Vec::with_capacity(charge.partitions as usize);
            for &top in tops {
                for zone in &cells {
                    keys.push(key(top, u64::from(*zone)));
                    values.push(counts.get(&(u64::from(top), u64::from(*zone))).copied().unwrap_or(0));
                }
            }
            return publish(charge, keys, values);
        }
        let mut ids: BTreeMap<(u64, u64), u64> = BTreeMap::new();
        for k in counts.keys() {
            let next = ids.len() as u64;
            ids.entry(*k).or_insert(next);
        }
        let labels = ids.iter().map(|(&(cat, zone), &id)| (id, key(cat as u32, zone))).collect();
        let bounded = counts.into_iter().map(|(k, n)| (ids[&k], n)).collect();
        publish_private(charge, labels, bounded)
    })
    .await
}
