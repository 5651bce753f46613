//! Presence: distinct devices per (H3 cell, time bucket) over an area and a window. The area's
//! cells × the window's buckets are public partitions: all are released, zeros included.

use chrono::DateTime;
use crowdlens_control::Ledger;
use crowdlens_dp::Sensitivity;
use crowdlens_store::Store;
use crowdlens_types::Epoch;
use h3o::Resolution;
use serde::{Deserialize, Serialize};

use super::descriptor::{self, Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use crate::area::Area;
use crate::key::{RowKey, Text};
use crate::release::{answer, publish, Answer, Asker, Asked, Budget, Charge, Keys, MechanismChoice, Shape, Tiled};
use crate::window::{check_span, Window};
use crate::{plan, QueryError, Question};
use crowdlens_control::Rules;

/// Recorded flat, with the same names and shape as the other questions' [`super::Common`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PresenceQuestion {
    pub area: String,
    #[serde(rename = "from", with = "descriptor::instant")]
    pub from_s: i64,
    #[serde(rename = "to", with = "descriptor::instant")]
    pub to_s: i64,
    #[serde(rename = "bucket", with = "descriptor::span")]
    pub bucket_s: i64,
    /// H3 resolution of answer cells; the store default when `None`.
    #[serde(default)]
    pub res: Option<u8>,
    #[serde(default)]
    pub epsilon: Option<f64>,
    #[serde(default)]
    pub accuracy: Option<f64>,
    #[serde(default)]
    pub mechanism: MechanismChoice,
    /// Contribution bound L; the store default when `None`.
    #[serde(default)]
    pub max_partitions: Option<u32>,
}

impl Question for PresenceQuestion {
    const KIND: &'static str = "presence";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area", ParamKind::Area, "bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional("bucket", "Bucket", ParamKind::Span, "Time bucket, such as 15m, 1h or 1d.").or("1h"),
            Param::optional(
                "res",
                "Resolution",
                ParamKind::Resolution,
                "H3 resolution of the answer cells; default: the store's default question resolution.",
            ),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "Distinct devices per H3 cell and time bucket, over an area and a window.",
            about: "The area's cells × the window's buckets are the answer's keys, fixed by the question: every one \
                    is released, zeros included. A device counts once in each (cell, bucket) it was seen in, in at \
                    most L of them.",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![
                KeyField::new("bucket_start", KeyKind::Timestamp, "Start of the time bucket."),
                KeyField::new("cell", KeyKind::Cell, "The H3 cell."),
            ],
            unit: "devices",
            bound: "(cell, bucket) partitions",
            key_source: KeySource::Question,
        }
    }

    crate::ask::runs_by!(preview_presence, ask_presence);
}

/// A checked question, ready to price and run.
struct Prepared {
    window: Window,
    res: u8,
    cells: Vec<h3o::CellIndex>,
    charge: Charge,
}

fn prepare(store: &Store, rules: &Rules, q: &PresenceQuestion) -> Result<Prepared, QueryError> {
    let config = store.config();
    let area = Area::parse(&q.area)?;
    let res = match (area.fixed_resolution(), q.res) {
        (Some(fixed), Some(asked)) if fixed != asked => {
            return Err(QueryError::BadArea(format!("the cells are at resolution {fixed} but --res is {asked}")))
        }
        (Some(fixed), _) => fixed,
        (None, Some(asked)) => asked,
        (None, None) => config.resolution.h3_default_question.min(rules.h3_finest_question),
    };
    if res > rules.h3_finest_question {
        return Err(QueryError::ResolutionTooFine { asked: res, floor: rules.h3_finest_question });
    }
    let window = Window::new(q.from_s, q.to_s, q.bucket_s, &config.resolution, rules)?;
    check_span(store, rules, q.from_s, q.to_s)?;
    let resolution = Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?;
    let cells = area.cells(resolution)?;
    let partitions = cells.len() as u64 * window.buckets();
    let limit = rules.max_partitions_per_question;
    if partitions > limit {
        return Err(QueryError::TooManyPartitions { partitions, limit });
    }
    let max_partitions = q.max_partitions.unwrap_or(rules.default_max_partitions);
    if max_partitions == 0 {
        return Err(QueryError::BadBound);
    }
    let epochs: Vec<String> = Epoch::covering(window.from_s, window.to_s).iter().map(|e| e.to_string()).collect();
    let (store_generation, sources) = crate::release::store_state(store)?;
    let budget = Budget::of(q.epsilon, q.accuracy)?;
    let asked = Asked { question: q.asked(), store_generation, sources, epochs, budget, mechanism: q.mechanism };
    let sensitivity = Sensitivity::once_per_partition(max_partitions);
    let tiled = Tiled { res, cells: cells.len() as u64 };
    let shape = Shape { bound: max_partitions, partitions, sensitivity, keys: Keys::Public, tiled };
    let charge = Charge::new(asked, shape, rules)?;
    Ok(Prepared { window, res, cells, charge })
}

/// Prices the question without running it or spending anything.
pub fn preview_presence(store: &Store, rules: &Rules, q: &PresenceQuestion) -> Result<Charge, QueryError> {
    Ok(prepare(store, rules, q)?.charge)
}

/// Checks, charges, runs and releases a presence question. Refusals are audited.
pub async fn ask_presence(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &PresenceQuestion,
) -> Result<Answer, QueryError> {
    let question = q.asked();
    let price = |rules: &Rules| prepare(store, rules, q).map(|p| (p.charge.clone(), p));
    answer(ledger, asker, &question, price, async |p: Prepared, charge: &Charge| {
        let bounded = plan::presence_counts(store, &p.window, p.res, &p.cells, charge.max_partitions).await?;
        let mut keys = Vec::with_capacity(charge.partitions as usize);
        let mut values = Vec::with_capacity(charge.partitions as usize);
        // Every (cell, bucket) pair is a key, hundreds of thousands city-wide: format each
        // bucket's time once, not once per cell.
        let bucket_starts: Vec<Text> = (0..p.window.buckets())
            .map(|b| {
                let start = DateTime::from_timestamp(p.window.bucket_start(b), 0).expect("window is in range");
                start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into()
            })
            .collect();
        for cell in &p.cells {
            let cell_name = Text::from(cell.to_string());
            for (b, bucket_start) in bucket_starts.iter().enumerate() {
                keys.push(RowKey::new([("bucket_start", bucket_start.clone()), ("cell", cell_name.clone())]));
                values.push(bounded.counts.get(&(u64::from(*cell), b as u64)).copied().unwrap_or(0));
            }
        }
        publish(charge, keys, values)
    })
    .await
}

#[cfg(test)]
mod tests;
