//! Flows: devices moving from one zone to another within the window. Zones are H3 cells over an
//! area (public pairs), named polygons from a GeoJSON file (public pairs), or the destinations
//! of one origin cell found in the data (private keys, released above a threshold).

use crowdlens_dp::Sensitivity;
use h3o::{CellIndex, Resolution};
use std::collections::HashMap;

use super::{cell_text, check_partitions, resolution};
use crate::area::Area;
use crate::key::RowKey;
use crate::release::{publish, publish_private};
use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::{Deserialize, Serialize};

use super::descriptor::{Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, COMMON_PARAMS};
use super::Common;
use crate::key::Text;
use crate::release::{answer, Answer, Asker, Charge, Keys, Shape, Tiled};
use crate::{plan, QueryError, Question};

/// Devices moving from one zone to another within a day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowsQuestion {
    #[serde(flatten)]
    pub common: Common,
    /// The zone set, as an area tiled at `zones_res` (public keys: every pair is released).
    #[serde(default)]
    pub area: Option<String>,
    /// Zones are H3 cells at this resolution; named zones are tiled at it. Without it, area
    /// zones are cells at resolution 7, and named zones are tiled at the finest resolution
    /// whose tiling stays under [`NAMED_ZONE_CELL_BUDGET`] cells.
    #[serde(default)]
    pub zones_res: Option<u8>,
    /// Or: named zones from a GeoJSON file (each feature's `name` property).
    #[serde(default, rename = "zones")]
    pub zones_file: Option<String>,
    /// "Top destinations from this zone": destinations come from the data (private keys).
    #[serde(default)]
    pub top_from: Option<String>,
}

impl Question for FlowsQuestion {
    const KIND: &'static str = "flows";

    fn descriptor() -> Descriptor {
        let own = [
            Param::optional(
                "area",
                "Zones as an area",
                ParamKind::Area,
                "Zone set as an area, tiled at zones_res: every ordered pair of its cells is released. Give exactly one of area, zones and top_from.",
            ),
            Param::optional(
                "zones_res",
                "Zone resolution",
                ParamKind::Resolution,
                "H3 resolution of the zones: of the cells with area (default 7), or at which zones polygons are tiled (default: the finest, up to the store's finest, whose tiling stays under 300,000 cells).",
            ),
            Param::optional(
                "zones",
                "Named zones file",
                ParamKind::File,
                "Named zones: a GeoJSON FeatureCollection of polygons, each with a \"name\" property.",
            )
            .cli_only(),
            Param::optional(
                "top_from",
                "Top destinations from",
                ParamKind::Cell,
                "One H3 cell: its top destinations are found in the data and released above a threshold.",
            ),
        ];
        Descriptor {
            kind: Self::KIND,
            summary: "Devices moving from one zone to another within the window.",
            about: "A trip is a device seen in one zone and then in another. Zones are H3 cells over an area or \
                    named polygons (every ordered pair is a key, released with zeros), or the destinations of one \
                    origin cell found in the data (released above a threshold). A device adds at most L pairs.",
            params: own.into_iter().chain(COMMON_PARAMS).collect(),
            keys: vec![
                KeyField::new("destination", KeyKind::Zone, "Destination zone: an H3 cell or a named zone."),
                KeyField::new("origin", KeyKind::Zone, "Origin zone: an H3 cell or a named zone."),
            ],
            unit: "devices",
            bound: "(origin, destination) pairs",
            key_source: KeySource::QuestionOrData,
        }
    }

    crate::ask::runs_by!(preview_flows, ask_flows);
}

pub(super) enum FlowZones {
    Cells { res: u8, zones: Vec<u64> },
    Named { res: u8, map: Vec<(u64, u64)>, names: Vec<String> },
    TopFrom { res: u8, origin: u64 },
}

pub(super) fn flow_zones(store: &Store, rules: &Rules, q: &FlowsQuestion) -> Result<FlowZones, QueryError> {
    let default_res = store.config().resolution.h3_default_question.min(7);
    match (&q.zones_file, &q.top_from, &q.area) {
        (Some(file), None, None) => {
            let zones = read_named_zones(file).map_err(|e| e.about("zones"))?;
            let res = named_zone_resolution(rules, &zones, q.zones_res)?;
            let floor = rules.h3_finest_question;
            let (map, names) = tile_named_zones(file, zones, res, floor).map_err(|e| e.about("zones"))?;
            Ok(FlowZones::Named { res, map, names })
        }
        (None, Some(origin), None) => {
            let cell: CellIndex = origin
                .parse()
                .map_err(|_| QueryError::BadArea(format!("--top-from {origin:?} is not an H3 cell")).about("top_from"))?;
            let res = u8::from(cell.resolution());
            if q.zones_res.is_some_and(|r| r != res) {
                return Err(QueryError::BadArea("--top-from's cell resolution and --zones-res differ".into()).about("zones_res"));
            }
            resolution(rules, Some(res), res).map_err(|e| e.about("top_from"))?;
            Ok(FlowZones::TopFrom { res, origin: u64::from(cell) })
        }
        (None, None, Some(area)) => {
            let res = zones_resolution(rules, q.zones_res.unwrap_or(default_res.min(rules.h3_finest_question)))?;
            let area = Area::parse(area)?;
            if let Some(fixed) = area.fixed_resolution().filter(|&fixed| fixed != res) {
                return Err(QueryError::BadArea(format!("the cells are at resolution {fixed}; pass --zones-res {fixed}")).about("zones_res"));
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
pub(super) fn zones_resolution(rules: &Rules, res: u8) -> Result<u8, QueryError> {
    let floor = rules.h3_finest_question;
    if res > floor {
        return Err(QueryError::BadArea(format!(
            "--zones-res {res} is finer than this store allows (finest: {floor}); pass --zones-res {floor} or coarser"
        ))
        .about("zones_res"));
    }
    Ok(res)
}

pub(super) fn named_zone_resolution(
    rules: &Rules,
    zones: &[(String, geo::MultiPolygon<f64>)],
    asked: Option<u8>,
) -> Result<u8, QueryError> {
    use geo::ChamberlainDuquetteArea;
    if let Some(res) = asked {
        return zones_resolution(rules, res);
    }
    let km2: f64 = zones.iter().map(|(_, p)| p.chamberlain_duquette_unsigned_area()).sum::<f64>() / 1e6;
    let mut res = rules.h3_finest_question;
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
pub(super) fn read_named_zones(path: &str) -> Result<Vec<(String, geo::MultiPolygon<f64>)>, QueryError> {
    let text = std::fs::read_to_string(path).map_err(|e| QueryError::BadArea(format!("{path}: {e}")))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e| QueryError::BadArea(format!("{path}: not GeoJSON: {e}")))?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(QueryError::BadArea(format!("{path}: zones must be a FeatureCollection of named polygons")));
    };
    let mut zones = Vec::new();
    for (i, f) in fc.features.into_iter().enumerate() {
        let Some(name) = f.property("name").and_then(|v| v.as_str()).map(str::to_string) else {
            // A few short names at most: the message is audited, and the file is the asker's.
            let keys: Vec<String> =
                f.properties.iter().flat_map(|p| p.keys()).take(8).map(|k| k.chars().take(40).collect()).collect();
            let has = if keys.is_empty() { "no properties".to_string() } else { format!("properties {}", keys.join(", ")) };
            return Err(QueryError::BadArea(format!(
                "{path}: feature {i} has no \"name\" property ({has}): zones are named by their \"name\" \
                 property, a string; rename the property that holds the zones' names"
            )));
        };
        let geometry = f.geometry.ok_or_else(|| QueryError::BadArea(format!("{path}: feature {i} has no geometry")))?;
        crowdlens_area::rings_are_closed(&geometry, path).map_err(|e| QueryError::BadArea(e.to_string()))?;
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
pub(super) type NamedZones = (Vec<(u64, u64)>, Vec<String>);

pub(super) fn tile_named_zones(
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

/// A flows row's key: devices that moved from `origin` to `destination` (cells or names).
fn flow_key(destination: Text, origin: Text) -> RowKey {
    RowKey::new([("destination", destination), ("origin", origin)])
}

pub async fn ask_flows(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    q: &FlowsQuestion,
) -> Result<Answer, QueryError> {
    let question = q.asked();
    let price = |rules: &Rules| price_flows(store, rules, q);
    answer(ledger, asker, &question, price, async |zones: FlowZones, charge: &Charge| {
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
                let names: Vec<Text> = names.into_iter().map(Text::from).collect();
                let (keys, values) = pairs(&ids, &counts, |z| names[z as usize].clone());
                publish(charge, keys, values)
            }
            FlowZones::TopFrom { res, origin } => {
                let counts =
                    plan::flow_counts(store, from, to, plan::Zoning::Resolution(res), None, Some(origin), bound)
                        .await?;
                let origin = Text::from(cell_text(origin));
                let labels = counts
                    .keys()
                    .map(|&(_, d)| {
                        (d, flow_key(cell_text(d).into(), origin.clone()))
                    })
                    .collect();
                let bounded = counts.into_iter().map(|((_, d), n)| (d, n)).collect();
                publish_private(charge, labels, bounded)
            }
        }
    })
    .await
}

/// Every ordered pair of distinct zones, with its count (0 when no device made the trip).
pub(super) fn pairs(
    zones: &[u64],
    counts: &HashMap<(u64, u64), i64>,
    label: impl Fn(u64) -> Text,
) -> (Vec<RowKey>, Vec<i64>) {
    let labels: Vec<Text> = zones.iter().map(|&z| label(z)).collect();
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for (&o, origin) in zones.iter().zip(&labels) {
        for (&d, destination) in zones.iter().zip(&labels) {
            if o == d {
                continue;
            }
            keys.push(flow_key(destination.clone(), origin.clone()));
            values.push(counts.get(&(o, d)).copied().unwrap_or(0));
        }
    }
    (keys, values)
}

pub(super) fn price_flows(store: &Store, rules: &Rules, q: &FlowsQuestion) -> Result<(Charge, FlowZones), QueryError> {
    let bound = q.common.bound(rules)?;
    q.common.window(store, rules)?;
    let zones = flow_zones(store, rules, q)?;
    let (partitions, private, tiled) = match &zones {
        FlowZones::Cells { zones, res } => (
            (zones.len() as u64).pow(2).saturating_sub(zones.len() as u64),
            false,
            Tiled { res: *res, cells: zones.len() as u64 },
        ),
        FlowZones::Named { names, res, map } => {
            ((names.len() as u64).pow(2) - names.len() as u64, false, Tiled { res: *res, cells: map.len() as u64 })
        }
        FlowZones::TopFrom { res, .. } => (0, true, Tiled { res: *res, cells: 1 }),
    };
    check_partitions(rules, partitions)?;
    let keys = if private { Keys::FromData } else { Keys::Public };
    let shape = Shape { bound, partitions, sensitivity: Sensitivity::once_per_partition(bound), keys, tiled };
    let charge = q.common.charge(store, rules, q.asked(), shape)?;
    Ok((charge, zones))
}

pub fn preview_flows(store: &Store, rules: &Rules, q: &FlowsQuestion) -> Result<Charge, QueryError> {
    Ok(price_flows(store, rules, q)?.0)
}
