//! The questions beyond presence: flows, dwell, co-visit, series and reach. Each checks its
//! parameters against the store's floors, prices itself as a [`Charge`], runs a bounded plan
//! and releases through the shared path. None adds noise of its own.

use chrono::DateTime;
use crowdlens_control::Ledger;
use crowdlens_dp::{Mechanism, Sensitivity};
use crowdlens_store::Store;
use crowdlens_types::span::format_span;
use crowdlens_types::Epoch;
use h3o::{CellIndex, Resolution};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use crate::area::Area;
use crate::release::{answer, audited_question, publish, publish_private, Answer, Asker, Charge};
use crate::window::{check_span, Window};
use crate::{plan, QueryError};
use crowdlens_control::Rules;

type Key = serde_json::Map<String, serde_json::Value>;

/// Parameters every question shares.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub from_s: i64,
    pub to_s: i64,
    pub epsilon: f64,
    pub mechanism: Mechanism,
    /// Contribution bound L (partitions, pairs or visits per device); store default if `None`.
    pub max_partitions: Option<u32>,
}

impl Common {
    fn bound(&self, store: &Store) -> Result<u32, QueryError> {
        match self.max_partitions.unwrap_or(store.config().privacy.default_max_partitions) {
            0 => Err(QueryError::BadBound),
            l => Ok(l),
        }
    }

    /// The window as one bucket, held to the same floors as presence's buckets (shortest
    /// bucket, alignment to the store's time resolution), the rules' longest window and the
    /// newest week the store holds.
    fn window(&self, store: &Store, rules: &Rules) -> Result<(), QueryError> {
        if self.to_s <= self.from_s {
            return Err(QueryError::BadWindow("--to must be after --from".into()));
        }
        let floors = &store.config().resolution;
        let length = self.to_s - self.from_s;
        if length < floors.time_finest_bucket_seconds {
            let floor = format_span(floors.time_finest_bucket_seconds);
            return Err(QueryError::BadWindow(format!(
                "the window is {} long, shorter than this store's shortest time bucket ({floor}); ask over {floor} or longer",
                format_span(length)
            )));
        }
        let grid = floors.time_store_seconds;
        if self.from_s % grid != 0 || self.to_s % grid != 0 {
            return Err(QueryError::BadWindow(format!(
                "--from and --to must fall on the store's time resolution ({}), e.g. on the hour",
                format_span(grid)
            )));
        }
        check_span(store, rules, self.from_s, self.to_s)
    }

    fn epochs(&self) -> Vec<String> {
        Epoch::covering(self.from_s, self.to_s).iter().map(|e| e.to_string()).collect()
    }

    /// Prices a question over this window at this ε, mechanism and the rules' δ per question.
    #[allow(clippy::too_many_arguments)]
    fn charge(
        &self,
        rules: &Rules,
        question: &str,
        bound: u32,
        partitions: u64,
        sensitivity: Sensitivity,
        private_keys: bool,
    ) -> Result<Charge, QueryError> {
        Charge::new(
            question,
            self.epochs(),
            self.epsilon,
            self.mechanism,
            rules,
            bound,
            partitions,
            sensitivity,
            private_keys,
        )
    }
}

fn resolution(store: &Store, asked: Option<u8>, default: u8) -> Result<u8, QueryError> {
    let res = asked.unwrap_or(default);
    let floor = store.config().resolution.h3_finest_question;
    if res > floor {
        return Err(QueryError::ResolutionTooFine { asked: res, floor });
    }
    Ok(res)
}

fn cells_of(spec: &str, res: u8) -> Result<Vec<CellIndex>, QueryError> {
    let area = Area::parse(spec)?;
    if let Some(fixed) = area.fixed_resolution() {
        if fixed != res {
            return Err(QueryError::BadArea(format!("the cells are at resolution {fixed}; pass --res {fixed}")));
        }
    }
    Ok(area.cells(Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?)?)
}

fn check_partitions(store: &Store, partitions: u64) -> Result<(), QueryError> {
    let limit = store.config().privacy.max_partitions_per_question;
    if partitions > limit {
        return Err(QueryError::TooManyPartitions { partitions, limit });
    }
    Ok(())
}

fn key(pairs: &[(&str, serde_json::Value)]) -> Key {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn cell_text(cell: u64) -> String {
    CellIndex::try_from(cell).map(|c| c.to_string()).unwrap_or_else(|_| format!("{cell:x}"))
}

// ---------------------------------------------------------------------------------------------
// flows

/// Devices moving from one zone to another within a day.
#[derive(Debug, Clone, Serialize)]
pub struct FlowsQuestion {
    pub common: Common,
    /// The zone set, as an area tiled at `zones_res` (public keys: every pair is released).
    pub area: Option<String>,
    /// Zones are H3 cells at this resolution; named zones are tiled at it. Without it, area
    /// zones are cells at resolution 7, and named zones are tiled at the finest resolution
    /// whose tiling stays under [`NAMED_ZONE_CELL_BUDGET`] cells.
    pub zones_res: Option<u8>,
    /// Or: named zones from a GeoJSON file (each feature's `name` property).
    pub zones_file: Option<String>,
    /// "Top destinations from this zone": destinations come from the data (private keys).
    pub top_from: Option<String>,
}

enum FlowZones {
    Cells { res: u8, zones: Vec<u64> },
    Named { res: u8, map: Vec<(u64, u64)>, names: Vec<String> },
    TopFrom { res: u8, origin: u64 },
}

fn flow_zones(store: &Store, q: &FlowsQuestion) -> Result<FlowZones, QueryError> {
    let default_res = store.config().resolution.h3_default_question.min(7);
    match (&q.zones_file, &q.top_from, &q.area) {
        (Some(file), None, None) => {
            let zones = read_named_zones(file)?;
            let res = named_zone_resolution(store, &zones, q.zones_res)?;
            let floor = store.config().resolution.h3_finest_question;
            let (map, names) = tile_named_zones(file, zones, res, floor)?;
            Ok(FlowZones::Named { res, map, names })
        }
        (None, Some(origin), None) => {
            let cell: CellIndex = origin
                .parse()
                .map_err(|_| QueryError::BadArea(format!("--top-from {origin:?} is not an H3 cell")))?;
            let res = u8::from(cell.resolution());
            if q.zones_res.is_some_and(|r| r != res) {
                return Err(QueryError::BadArea("--top-from's cell resolution and --zones-res differ".into()));
            }
            resolution(store, Some(res), res)?;
            Ok(FlowZones::TopFrom { res, origin: u64::from(cell) })
        }
        (None, None, Some(area)) => {
            let res = zones_resolution(store, q.zones_res.unwrap_or(default_res))?;
            let area = Area::parse(area)?;
            if let Some(fixed) = area.fixed_resolution().filter(|&fixed| fixed != res) {
                return Err(QueryError::BadArea(format!("the cells are at resolution {fixed}; pass --zones-res {fixed}")));
            }
            let resolution = Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?;
            let zones = area
                .cells(resolution)
                .map_err(|e| match e {
                    crowdlens_area::AreaError::TooLarge { limit, res } => QueryError::BadArea(format!(
                        "the zones cover more than {limit} cells at resolution {res}; pass a coarser --zones-res or a smaller --area"
                    )),
                    crowdlens_area::AreaError::NoCell { res } => QueryError::BadArea(format!(
                        "the area holds no H3 cell centre at resolution {res}; pass a finer --zones-res or a larger --area"
                    )),
                    other => other.into(),
                })?
                .into_iter()
                .map(u64::from)
                .collect();
            Ok(FlowZones::Cells { res, zones })
        }
        _ => Err(QueryError::BadArea(
            "flows needs exactly one of: --area with --zones-res (public zone pairs), --zones FILE.geojson, or --top-from CELL".into(),
        )),
    }
}

/// Named zones are tiled at the finest resolution (down from the store's finest question
/// resolution) whose tiling stays under this many cells. For New York State's 62 counties that
/// is resolution 8 (0.74 km² per cell on average), where the median county has 1% of its area
/// counted in a neighbour and the smallest (Manhattan-sized) 8% (measured in
/// `questions/tests.rs`), and the zone map joins in seconds.
pub const NAMED_ZONE_CELL_BUDGET: f64 = 300_000.0;

/// Zones are never finer than the finest resolution a question may ask: finer cells would let
/// zone boundaries draw areas below the store's resolution floor. The error names the flag.
fn zones_resolution(store: &Store, res: u8) -> Result<u8, QueryError> {
    let floor = store.config().resolution.h3_finest_question;
    if res > floor {
        return Err(QueryError::BadArea(format!(
            "--zones-res {res} is finer than this store allows (finest: {floor}); pass --zones-res {floor} or coarser"
        )));
    }
    Ok(res)
}

fn named_zone_resolution(
    store: &Store,
    zones: &[(String, geo::MultiPolygon<f64>)],
    asked: Option<u8>,
) -> Result<u8, QueryError> {
    use geo::ChamberlainDuquetteArea;
    if let Some(res) = asked {
        return zones_resolution(store, res);
    }
    let km2: f64 = zones.iter().map(|(_, p)| p.chamberlain_duquette_unsigned_area()).sum::<f64>() / 1e6;
    let mut res = store.config().resolution.h3_finest_question;
    while res > 0 {
        let cell_km2 = Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?.area_km2();
        if km2 / cell_km2 <= NAMED_ZONE_CELL_BUDGET {
            break;
        }
        res -= 1;
    }
    Ok(res)
}

/// Zones from a GeoJSON FeatureCollection: each feature's name (its `name` property) and shape.
fn read_named_zones(path: &str) -> Result<Vec<(String, geo::MultiPolygon<f64>)>, QueryError> {
    let text = std::fs::read_to_string(path).map_err(|e| QueryError::BadArea(format!("{path}: {e}")))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e| QueryError::BadArea(format!("{path}: not GeoJSON: {e}")))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(QueryError::BadArea(format!("{path}: zones must be a FeatureCollection of named polygons")));
    };
    let mut zones = Vec::new();
    for (i, f) in fc.features.into_iter().enumerate() {
        let name =
            f.property("name").and_then(|v| v.as_str()).map(str::to_string).unwrap_or_else(|| format!("zone-{i}"));
        let geometry = f.geometry.ok_or_else(|| QueryError::BadArea(format!("{path}: feature {i} has no geometry")))?;
        let geom: geo::Geometry<f64> = geometry.try_into().map_err(|e| QueryError::BadArea(format!("{path}: {e}")))?;
        let polygons = match geom {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(mp) => mp.0,
            _ => return Err(QueryError::BadArea(format!("{path}: feature {i} is not a polygon"))),
        };
        zones.push((name, geo::MultiPolygon(polygons)));
    }
    if zones.is_empty() {
        return Err(QueryError::BadArea(format!("{path}: no zones")));
    }
    Ok(zones)
}

/// (cell, zone id) pairs and the zone names, indexed by id.
type NamedZones = (Vec<(u64, u64)>, Vec<String>);

fn tile_named_zones(
    path: &str,
    zones: Vec<(String, geo::MultiPolygon<f64>)>,
    res: u8,
    floor: u8,
) -> Result<NamedZones, QueryError> {
    let resolution = Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?;
    let mut map = Vec::new();
    let mut names = Vec::new();
    for (name, shape) in zones {
        let id = names.len() as u64;
        let cells = Area::Polygons(shape).cells(resolution).map_err(|e| match e {
            crowdlens_area::AreaError::NoCell { .. } if res >= floor => QueryError::BadArea(format!(
                "{path}: zone {name:?} is smaller than one H3 cell at resolution {res}, the finest a question may ask; merge it with a neighbour or drop it"
            )),
            crowdlens_area::AreaError::NoCell { .. } => QueryError::BadArea(format!(
                "{path}: zone {name:?} holds no H3 cell centre at resolution {res}; pass a finer --zones-res (up to {floor}), or merge it with a neighbour"
            )),
            crowdlens_area::AreaError::TooLarge { limit, .. } => QueryError::BadArea(format!(
                "{path}: zone {name:?} covers more than {limit} cells at resolution {res}; pass a coarser --zones-res"
            )),
            other => other.into(),
        })?;
        for cell in cells {
            map.push((u64::from(cell), id));
        }
        names.push(name);
    }
    Ok((map, names))
}

pub async fn ask_flows(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &FlowsQuestion,
) -> Result<Answer, QueryError> {
    let question = audited_question("flows", q);
    let price = |rules: &Rules| price_flows(store, rules, q);
    answer(store, ledger, asker, &question, price, async |zones: FlowZones, charge: &Charge| {
        let (from, to) = (q.common.from_s, q.common.to_s);
        let bound = charge.max_partitions;
        match zones {
            FlowZones::Cells { res, zones } => {
                let counts =
                    plan::flow_counts(store, from, to, plan::Zoning::Resolution(res), Some(&zones), None, bound)
                        .await?;
                let (keys, values) = pairs(&zones, &counts, |z| cell_text(z).into());
                publish(charge, keys, values)
            }
            FlowZones::Named { res, map, names } => {
                let ids: Vec<u64> = (0..names.len() as u64).collect();
                let zoning = plan::Zoning::Named { res, map: &map };
                let counts = plan::flow_counts(store, from, to, zoning, Some(&ids), None, bound).await?;
                let (keys, values) = pairs(&ids, &counts, |z| names[z as usize].clone().into());
                publish(charge, keys, values)
            }
            FlowZones::TopFrom { res, origin } => {
                let counts =
                    plan::flow_counts(store, from, to, plan::Zoning::Resolution(res), None, Some(origin), bound)
                        .await?;
                let labels = counts
                    .keys()
                    .map(|&(o, d)| (d, key(&[("origin", cell_text(o).into()), ("destination", cell_text(d).into())])))
                    .collect();
                let bounded = counts.into_iter().map(|((_, d), n)| (d, n)).collect();
                publish_private(charge, labels, bounded)
            }
        }
    })
    .await
}

fn pairs(
    zones: &[u64],
    counts: &HashMap<(u64, u64), i64>,
    label: impl Fn(u64) -> serde_json::Value,
) -> (Vec<Key>, Vec<i64>) {
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for &o in zones {
        for &d in zones {
            if o == d {
                continue;
            }
            keys.push(key(&[("origin", label(o)), ("destination", label(d))]));
            values.push(counts.get(&(o, d)).copied().unwrap_or(0));
        }
    }
    (keys, values)
}

fn price_flows(store: &Store, rules: &Rules, q: &FlowsQuestion) -> Result<(Charge, FlowZones), QueryError> {
    let bound = q.common.bound(store)?;
    q.common.window(store, rules)?;
    let zones = flow_zones(store, q)?;
    let (partitions, private) = match &zones {
        FlowZones::Cells { zones, .. } => ((zones.len() as u64).pow(2).saturating_sub(zones.len() as u64), false),
        FlowZones::Named { names, .. } => ((names.len() as u64).pow(2) - names.len() as u64, false),
        FlowZones::TopFrom { .. } => (0, true),
    };
    check_partitions(store, partitions)?;
    let charge = q.common.charge(rules, "flows", bound, partitions, Sensitivity::once_per_partition(bound), private)?;
    Ok((charge, zones))
}

pub fn preview_flows(store: &Store, rules: &Rules, q: &FlowsQuestion) -> Result<Charge, QueryError> {
    Ok(price_flows(store, rules, q)?.0)
}

// ---------------------------------------------------------------------------------------------
// dwell

#[derive(Debug, Clone, Serialize)]
pub struct DwellQuestion {
    pub common: Common,
    pub area: String,
    /// Resolution of the cells that define "inside"; finest allowed by default.
    pub res: Option<u8>,
    /// A gap this long or longer between pings ends a visit.
    pub max_gap_s: i64,
}

const DWELL_LABELS: [&str; 5] = ["<10m", "10-30m", "30-60m", "1-4h", ">=4h"];

fn price_dwell(store: &Store, rules: &Rules, q: &DwellQuestion) -> Result<(Charge, (u8, Vec<CellIndex>)), QueryError> {
    let bound = q.common.bound(store)?;
    q.common.window(store, rules)?;
    if q.max_gap_s <= 0 {
        return Err(QueryError::BadWindow("--max-gap must be positive".into()));
    }
    let res = resolution(store, q.res, store.config().resolution.h3_finest_question)?;
    let cells = cells_of(&q.area, res)?;
    let bins = DWELL_LABELS.len() as u32;
    let charge = q.common.charge(rules, "dwell", bound, bins as u64, Sensitivity::total(bound, bins), false)?;
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
    answer(store, ledger, asker, &question, price, async |(res, cells): (u8, Vec<CellIndex>), charge: &Charge| {
        let (from, to) = (q.common.from_s, q.common.to_s);
        let counts = plan::dwell_counts(store, from, to, res, &cells, q.max_gap_s, charge.max_partitions).await?;
        let keys = DWELL_LABELS.iter().map(|l| key(&[("dwell", (*l).into())])).collect();
        publish(charge, keys, counts)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// co-visit

#[derive(Debug, Clone, Serialize)]
pub struct CovisitQuestion {
    pub common: Common,
    pub area: String,
    pub area_b: String,
    pub res: Option<u8>,
}

const LAG_LABELS: [&str; 5] = ["<1h", "1-6h", "6-24h", "1-3d", ">=3d"];

type CovisitPlan = (u8, Vec<CellIndex>, Vec<CellIndex>);

fn price_covisit(store: &Store, rules: &Rules, q: &CovisitQuestion) -> Result<(Charge, CovisitPlan), QueryError> {
    q.common.window(store, rules)?;
    let res = resolution(store, q.res, store.config().resolution.h3_finest_question)?;
    let a = cells_of(&q.area, res)?;
    let b = cells_of(&q.area_b, res)?;
    // Each device adds 1 to the total and 1 to one lag bin: no bound to choose.
    let charge = q.common.charge(
        rules,
        "co-visit",
        2,
        1 + LAG_LABELS.len() as u64,
        Sensitivity::once_per_partition(2),
        false,
    )?;
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
    answer(store, ledger, asker, &question, price, async |(res, a, b): CovisitPlan, charge: &Charge| {
        let counts = plan::covisit_counts(store, q.common.from_s, q.common.to_s, res, &a, &b).await?;
        let mut keys = vec![key(&[("measure", "devices_in_both".into())])];
        keys.extend(LAG_LABELS.iter().map(|l| key(&[("measure", "lag".into()), ("lag", (*l).into())])));
        publish(charge, keys, counts)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// series

#[derive(Debug, Clone, Serialize)]
pub struct SeriesQuestion {
    pub common: Common,
    pub area: String,
    pub res: Option<u8>,
    pub bucket_s: i64,
    pub baseline_from_s: i64,
    pub baseline_to_s: i64,
}

type SeriesPlan = (Window, Window, u8, Vec<CellIndex>);

fn price_series(store: &Store, rules: &Rules, q: &SeriesQuestion) -> Result<(Charge, SeriesPlan), QueryError> {
    let bound = q.common.bound(store)?;
    let floors = &store.config().resolution;
    let target = Window::new(q.common.from_s, q.common.to_s, q.bucket_s, floors)?;
    let baseline = Window::new(q.baseline_from_s, q.baseline_to_s, q.bucket_s, floors)
        .map_err(|e| QueryError::BadWindow(format!("baseline: {e}")))?;
    if q.baseline_from_s < q.common.to_s && q.common.from_s < q.baseline_to_s {
        return Err(QueryError::BadWindow("the baseline window must not overlap the window".into()));
    }
    check_span(store, rules, target.from_s, target.to_s)?;
    check_span(store, rules, baseline.from_s, baseline.to_s)
        .map_err(|e| QueryError::BadWindow(format!("baseline: {e}")))?;
    let res = resolution(store, q.res, floors.h3_default_question)?;
    let cells = cells_of(&q.area, res)?;
    let partitions = target.buckets() + baseline.buckets();
    check_partitions(store, partitions)?;
    let mut epochs: Vec<Epoch> = Epoch::covering(target.from_s, target.to_s);
    epochs.extend(Epoch::covering(baseline.from_s, baseline.to_s));
    epochs.sort();
    epochs.dedup();
    let charge = Charge::new(
        "series",
        epochs.iter().map(|e| e.to_string()).collect(),
        q.common.epsilon,
        q.common.mechanism,
        rules,
        bound,
        partitions,
        Sensitivity::once_per_partition(bound),
        false,
    )?;
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
    let question = audited_question("series", q);
    let price = |rules: &Rules| price_series(store, rules, q);
    answer(
        store,
        ledger,
        asker,
        &question,
        price,
        async |(target, baseline, res, cells): SeriesPlan, charge: &Charge| {
            let counts = plan::series_counts(store, &target, &baseline, res, &cells, charge.max_partitions).await?;
            let stamp = |s: i64| {
                DateTime::from_timestamp(s, 0)
                    .expect("window in range")
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            let mut keys = Vec::new();
            for b in 0..target.buckets() {
                keys.push(key(&[("period", "window".into()), ("bucket_start", stamp(target.bucket_start(b)).into())]));
            }
            for b in 0..baseline.buckets() {
                keys.push(key(&[
                    ("period", "baseline".into()),
                    ("bucket_start", stamp(baseline.bucket_start(b)).into()),
                ]));
            }
            let mut released = publish(charge, keys, counts)?;
            released.derived = Some(percent_change(&released.rows, &target, &baseline, charge.calibrate()?.noise_sd()));
            Ok(released)
        },
    )
    .await
}

/// Percentage change of each window bucket against the mean of the baseline buckets at the same
/// time of day (all baseline buckets when buckets are a day or longer), as the community
/// mobility reports do. Computed from the noisy values only; the 95% interval is propagated by
/// the delta method from the noise's standard deviation, so it is approximate, and it is not
/// given when the baseline is too small relative to the noise.
fn percent_change(rows: &[crate::AnswerRow], target: &Window, baseline: &Window, sd: f64) -> serde_json::Value {
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
            let bucket = r.key.get("bucket_start").cloned().unwrap_or_default();
            let k = matched.len() as f64;
            let m = if k > 0.0 { matched.iter().sum::<f64>() / k } else { 0.0 };
            if k == 0.0 || m <= 2.0 * sd / k.sqrt() {
                return serde_json::json!({"bucket_start": bucket, "change_pct": null,
                    "note": "no baseline at this time of day, or a baseline too small relative to the noise"});
            }
            let v = r.value as f64;
            let change = (v / m - 1.0) * 100.0;
            let se = 100.0 * ((sd / m).powi(2) + (v * sd / (m * m)).powi(2) / k).sqrt();
            serde_json::json!({"bucket_start": bucket, "baseline": m, "change_pct": change,
                "ci_low": change - 1.96 * se, "ci_high": change + 1.96 * se})
        })
        .collect();
    serde_json::json!({"change": rows})
}

// ---------------------------------------------------------------------------------------------
// reach

#[derive(Debug, Clone, Serialize)]
pub struct ReachQuestion {
    pub common: Common,
    pub area: String,
    pub zones_res: Option<u8>,
}

fn price_reach(store: &Store, rules: &Rules, q: &ReachQuestion) -> Result<(Charge, (u8, Vec<CellIndex>)), QueryError> {
    let bound = q.common.bound(store)?;
    q.common.window(store, rules)?;
    let has_categories = store.manifest()?.sources.iter().any(|s| s.kind == "openrtb");
    if !has_categories {
        return Err(QueryError::NoCategories);
    }
    let res = resolution(store, q.zones_res, store.config().resolution.h3_default_question.min(7))?;
    let cells = cells_of(&q.area, res)?;
    // Categories come from the data, so keys are private: partition selection by threshold.
    let charge = q.common.charge(rules, "reach", bound, 0, Sensitivity::once_per_partition(bound), true)?;
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
    answer(store, ledger, asker, &question, price, async |(res, cells): (u8, Vec<CellIndex>), charge: &Charge| {
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
                (
                    id,
                    key(&[
                        ("category", crowdlens_types::category::describe(cat as u32).into()),
                        ("zone", cell_text(zone).into()),
                    ]),
                )
            })
            .collect();
        let bounded = counts.into_iter().map(|(k, n)| (ids[&k], n)).collect();
        publish_private(charge, labels, bounded)
    })
    .await
}

#[cfg(test)]
mod tests;
