//! Series: devices in an area per time bucket over the window and over a baseline window, and
//! the window's change against the baseline, derived from the noisy values only.

use chrono::DateTime;
use crowdlens_dp::Sensitivity;
use crowdlens_types::Epoch;
use h3o::CellIndex;

use super::{cells_of, check_partitions, resolution};
use crate::key::RowKey;
use crate::release::publish;
use crate::window::{check_span, Window};
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::{Deserialize, Serialize};

use super::descriptor::{self, Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use super::Common;
use crate::key::Text;
use crate::release::{answer, Answer, Asker, Asked, Charge, Keys, Shape, Tiled};
use crate::{plan, QueryError, Question};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeriesQuestion {
    #[serde(flatten)]
    pub common: Common,
    pub area: String,
    #[serde(default)]
    pub res: Option<u8>,
    #[serde(rename = "bucket", with = "descriptor::span")]
    pub bucket_s: i64,
    #[serde(rename = "baseline_from", with = "descriptor::instant")]
    pub baseline_from_s: i64,
    #[serde(rename = "baseline_to", with = "descriptor::instant")]
    pub baseline_to_s: i64,
}

impl Question for SeriesQuestion {
    const KIND: &'static str = "series";

    fn descriptor() -> Descriptor {
        let own = [
            Param::required("area", "Area", ParamKind::Area, "bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,… or a GeoJSON object (geojson:FILE on the CLI)."),
            Param::optional(
                "res",
                "Area resolution",
                ParamKind::Resolution,
                "Resolution of the cells that define the area; default: the store's default question resolution.",
            ),
            Param::optional("bucket", "Bucket", ParamKind::Span, "Time bucket, such as 6h or 1d.").or("1d"),
            Param::required("baseline_from", "Baseline from (UTC)", ParamKind::Instant, "Baseline window start."),
            Param::required("baseline_to", "Baseline to (UTC, exclusive)", ParamKind::Instant, "Baseline window end, exclusive."),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "Devices in an area per time bucket, with the change against a baseline window.",
            about: "Counts the devices in the whole area per bucket over the window and over a baseline window that \
                    must not overlap it; both windows are charged. The change of each window bucket against the \
                    baseline at the same time of day is derived from the noisy values only (under `derived`).",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![
                KeyField::new("bucket_start", KeyKind::Timestamp, "Start of the time bucket."),
                KeyField::new("period", KeyKind::Label, "window or baseline."),
            ],
            unit: "devices",
            bound: "buckets",
            key_source: KeySource::Question,
        }
    }

    crate::ask::runs_by!(preview_series, ask_series);
}

type SeriesPlan = (Window, Window, u8, Vec<CellIndex>);

pub(super) fn price_series(
    store: &Store,
    rules: &Rules,
    q: &SeriesQuestion,
) -> Result<(Charge, SeriesPlan), QueryError> {
    let bound = q.common.bound(rules)?;
    let floors = &store.config().resolution;
    let target = Window::new(q.common.from_s, q.common.to_s, q.bucket_s, floors, rules)?;
    let baseline = Window::new(q.baseline_from_s, q.baseline_to_s, q.bucket_s, floors, rules)
        .map_err(|e| QueryError::BadWindow(format!("baseline: {e}")).about("baseline_from"))?;
    if q.baseline_from_s < q.common.to_s && q.common.from_s < q.baseline_to_s {
        return Err(QueryError::BadWindow("the baseline window must not overlap the window".into()).about("baseline_from"));
    }
    check_span(store, rules, target.from_s, target.to_s)?;
    check_span(store, rules, baseline.from_s, baseline.to_s)
        .map_err(|e| QueryError::BadWindow(format!("baseline: {e}")).about("baseline_from"))?;
    let res = resolution(rules, q.res, floors.h3_default_question)?;
    let cells = cells_of(&q.area, res)?;
    let partitions = target.buckets() + baseline.buckets();
    check_partitions(rules, partitions)?;
    let mut epochs: Vec<Epoch> = Epoch::covering(target.from_s, target.to_s);
    epochs.extend(Epoch::covering(baseline.from_s, baseline.to_s));
    epochs.sort();
    epochs.dedup();
    let epochs: Vec<String> = epochs.iter().map(|e| e.to_string()).collect();
    let (store_generation, sources) = crate::release::store_state(store)?;
    let asked = Asked {
        question: q.asked(),
        store_generation,
        sources,
        epochs,
        budget: crate::release::Budget::of(q.common.epsilon, q.common.accuracy)?,
        mechanism: q.common.mechanism,
    };
    let tiled = Tiled { res, cells: cells.len() as u64 };
    let shape =
        Shape { bound, partitions, sensitivity: Sensitivity::once_per_partition(bound), keys: Keys::Public, tiled };
    let charge = Charge::new(asked, shape, rules)?;
    Ok((charge, (target, baseline, res, cells)))
}

pub fn preview_series(store: &Store, rules: &Rules, q: &SeriesQuestion) -> Result<Charge, QueryError> {
    Ok(price_series(store, rules, q)?.0)
}

pub async fn ask_series(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &SeriesQuestion,
) -> Result<Answer, QueryError> {
    let question = q.asked();
    let price = |rules: &Rules| price_series(store, rules, q);
    answer(ledger, asker, &question, price, async |(target, baseline, res, cells): SeriesPlan, charge: &Charge| {
        let counts = plan::series_counts(store, &target, &baseline, res, &cells, charge.max_partitions).await?;
        let stamp = |s: i64| {
            DateTime::from_timestamp(s, 0).expect("window in range").to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let mut keys = Vec::new();
        for (period, window) in [("window", &target), ("baseline", &baseline)] {
            for b in 0..window.buckets() {
                let bucket_start = stamp(window.bucket_start(b)).into();
                keys.push(RowKey::new([("bucket_start", bucket_start), ("period", Text::fixed(period))]));
            }
        }
        let mut released = publish(charge, keys, counts)?;
        released.derived = Some(percent_change(&released.rows, &target, &baseline, charge.calibrate()?.noise_sd()));
        Ok(released)
    })
    .await
}

/// Percentage change of each window bucket against the mean of the baseline buckets at the same
/// time of day (all baseline buckets when buckets are a day or longer), as the community
/// mobility reports do. Computed from the noisy values only; the 95% interval is propagated by
/// the delta method from the noise's standard deviation, so it is approximate, and it is not
/// given when the baseline is too small relative to the noise.
pub(super) fn percent_change(
    rows: &[crate::AnswerRow],
    target: &Window,
    baseline: &Window,
    sd: f64,
) -> serde_json::Value {
    let n_target = target.buckets() as usize;
    let (window_rows, baseline_rows) = rows.split_at(n_target);
    let phase = |start: i64, bucket: i64| if bucket >= 86_400 { 0 } else { start.rem_euclid(86_400) };
    let rows: Vec<serde_json::Value> = window_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = phase(target.bucket_start(i as u64), target.bucket_s);
            let matched: Vec<f64> = baseline_rows
                .iter()
                .enumerate()
                .filter(|(j, _)| phase(baseline.bucket_start(*j as u64), baseline.bucket_s) == p)
                .map(|(_, b)| b.value as f64)
                .collect();
            let bucket = r.key.get("bucket_start").unwrap_or_default();
            let k = matched.len() as f64;
            let m = if k > 0.0 { matched.iter().sum::<f64>() / k } else { 0.0 };
            if k == 0.0 || m <= 2.0 * sd / k.sqrt() {
                return serde_json::json!({"bucket_start": bucket, "change_pct": null,
                    "note": "no baseline at this time of day, or a baseline too small relative to the noise"});
            }
            let v = r.value as f64;
            let change = (v / m - 1.0) * 100.0;
            let se = 100.0 * ((sd / m).powi(2) + (v * sd / (m * m)).powi(2) / k).sqrt();
            // A count never falls below none: no change is below −100%, nor its interval.
            serde_json::json!({"bucket_start": bucket, "baseline": m, "change_pct": change.max(-100.0),
                "ci_low": (change - 1.96 * se).max(-100.0), "ci_high": (change + 1.96 * se).max(-100.0)})
        })
        .collect();
    serde_json::json!({"change": rows})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::RowKey;

    fn row(value: i64) -> crate::AnswerRow {
        crate::AnswerRow { key: RowKey::new([]), value, ci_low: 0.0, ci_high: 0.0 }
    }

    #[test]
    fn no_change_or_interval_falls_below_minus_100_percent() {
        let day = 86_400;
        let target = Window { from_s: 7 * day, to_s: 8 * day, bucket_s: day };
        let baseline = Window { from_s: 0, to_s: 7 * day, bucket_s: day };
        // A window bucket of 0 against a baseline of 20 a day, with noise of sd 5: the delta
        // method's interval would reach below −100%.
        let mut rows = vec![row(0)];
        rows.extend((0..7).map(|_| row(20)));
        let change = &percent_change(&rows, &target, &baseline, 5.0)["change"][0];
        assert_eq!(change["change_pct"], -100.0);
        assert_eq!(change["ci_low"], -100.0, "{change}");
        assert!(change["ci_high"].as_f64().unwrap() > -100.0, "{change}");
    }
}
