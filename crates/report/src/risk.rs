//! How identifying is a raw feed? The unicity test of de Montjoye, Hidalgo, Verleysen and
//! Blondel, "Unique in the Crowd: The privacy bounds of human mobility" (Scientific Reports 3,
//! 1376, 2013): draw p points at random from a device's trace and count the share of devices
//! that are the only one whose trace holds all p points. Four hourly, antenna-level points
//! were enough for 95% of 1.5 million people in that study.
//!
//! The feed is read as ingest reads it (formats, column detection, quarantine rules). Raw ids
//! live only in this process's memory, as the keys of a map to dense indices; nothing raw is
//! written. The report is **operator-only**: beside the shares it holds exact figures of the
//! raw feed (rows read, rows not used by reason, devices), no noise protects them, and it says
//! so on its page and in its JSON (`audience`). No API serves it.

use crowdlens_ingest::columns::Field;
use crowdlens_ingest::decode::RawPing;
use h3o::{CellIndex, LatLng, Resolution};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::SeedableRng;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::hash::BuildHasher;
use std::path::Path;

use crate::html::{escape, number, page, table};

/// How finely points are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grid {
    /// A lat/lon grid of this many degrees, about the feed's own precision.
    Degrees(f64),
    /// H3 cells at this resolution.
    H3(u8),
}

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub name: &'static str,
    pub grid: Grid,
    pub time_s: i64,
}

/// The four scales the report compares: the feed's own precision, the store's minimisation,
/// the finest a question may ask, and a coarse one near the paper's hourly antenna level.
pub const SCALES: [Scale; 4] = [
    Scale { name: "feed precision (0.0001° ≈ 11 m, 1 minute)", grid: Grid::Degrees(1e-4), time_s: 60 },
    Scale { name: "store minimisation (H3 res 10, 5 minutes)", grid: Grid::H3(10), time_s: 300 },
    Scale { name: "finest question (H3 res 9, 15 minutes)", grid: Grid::H3(9), time_s: 900 },
    Scale { name: "coarse (H3 res 7, 1 hour)", grid: Grid::H3(7), time_s: 3600 },
];

#[derive(Debug, Clone)]
pub struct RiskOptions {
    pub points: Vec<usize>,
    pub devices: usize,
    pub seed: u64,
    pub column_overrides: HashMap<Field, String>,
    pub now_s: i64,
}

/// Who a risk report is for, as its JSON says it.
pub const RISK_AUDIENCE: &str = "operator-only";

/// The page's banner, word for word.
pub const RISK_BANNER: &str = "operator-only: exact figures from a raw feed; not for publication";

#[derive(Debug, Clone, Serialize)]
pub struct RiskReport {
    /// Always [`RISK_AUDIENCE`]: the exact figures below come from the raw feed, without noise.
    pub audience: &'static str,
    pub source: String,
    pub rows_read: u64,
    /// Rows ingest would quarantine or drop for want of a device id, by reason.
    pub rows_not_used: BTreeMap<String, u64>,
    pub devices_total: u64,
    pub devices_sampled: u64,
    pub resolutions: Vec<ScaleUnicity>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScaleUnicity {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h3_res: Option<u8>,
    /// Grid step in degrees, for the lat/lon grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid: Option<f64>,
    pub time_s: i64,
    /// p → share of the sampled devices (with at least p distinct points) that p points single out.
    pub unicity: BTreeMap<String, f64>,
    /// p → sampled devices with at least p distinct points at this scale (the share's base).
    pub devices_with_p_points: BTreeMap<String, u64>,
    /// p → half-width of the share's 95% interval from sampling devices (Wilson).
    pub sampling_error_95: BTreeMap<String, f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    #[error(transparent)]
    Ingest(#[from] crowdlens_ingest::IngestError),
    #[error("{0}")]
    Invalid(String),
}

/// A point's key at one scale: the hash of its grid cell and time bucket.
fn key(hasher: &foldhash::fast::FixedState, cell: u64, bucket: i64) -> u64 {
    hasher.hash_one((cell, bucket))
}

fn grid_cell(grid: Grid, lat: f64, lon: f64, res10: Option<CellIndex>) -> Option<u64> {
    match grid {
        Grid::Degrees(step) => {
            let (y, x) = ((lat / step).round() as i64, (lon / step).round() as i64);
            Some(((y as u64) << 32) ^ (x as u32 as u64))
        }
        Grid::H3(res) => {
            let res = Resolution::try_from(res).ok()?;
            res10.and_then(|c| c.parent(res)).map(u64::from)
        }
    }
}

/// Runs the test on `path`.
pub fn unicity(path: &Path, options: &RiskOptions) -> Result<RiskReport, RiskError> {
    if options.points.is_empty() || options.points.iter().any(|&p| p == 0 || p > 50) {
        return Err(RiskError::Invalid("--points: give numbers of points from 1 to 50, e.g. 1,2,3,4,5".into()));
    }
    if options.devices == 0 {
        return Err(RiskError::Invalid("--devices must be at least 1".into()));
    }
    // Raw ids stay in this map, in memory only; traces are indexed by position.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut traces: Vec<Vec<(f64, f64, i64)>> = Vec::new();
    let mut rows_read = 0u64;
    let mut not_used: BTreeMap<String, u64> = BTreeMap::new();
    crowdlens_ingest::scan_pings(path, &options.column_overrides, options.now_s, &mut |row| {
        rows_read += 1;
        match row {
            Ok(RawPing { device: Ok(device), time_s, latitude, longitude, .. }) => {
                let next = ids.len() as u32;
                let i = *ids.entry(device.as_str().to_string()).or_insert(next) as usize;
                if i == traces.len() {
                    traces.push(Vec::new());
                }
                traces[i].push((latitude, longitude, time_s));
            }
            // Ingest drops these as `no_advertising_id`, whatever they are instead.
            Ok(RawPing { device: Err(_), .. }) => *not_used.entry("no_advertising_id".into()).or_default() += 1,
            Err(reason) => *not_used.entry(reason.code().to_string()).or_default() += 1,
        }
    })?;
    drop(ids);
    let devices_total = traces.len();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(options.seed);
    let mut sample: Vec<u32> = (0..devices_total as u32).collect();
    sample.shuffle(&mut rng);
    sample.truncate(options.devices);
    sample.sort_unstable();

    let hasher = foldhash::fast::FixedState::with_seed(options.seed);
    // One H3 conversion per point: coarser cells are its parents.
    let res10: Vec<Vec<Option<CellIndex>>> = traces
        .iter()
        .map(|t| {
            t.iter().map(|&(lat, lon, _)| LatLng::new(lat, lon).ok().map(|ll| ll.to_cell(Resolution::Ten))).collect()
        })
        .collect();
    let mut resolutions = Vec::new();
    for scale in SCALES {
        // Each device's distinct points at this scale.
        let keys: Vec<Vec<u64>> = traces
            .iter()
            .zip(&res10)
            .map(|(t, cells)| {
                let mut k: Vec<u64> = t
                    .iter()
                    .zip(cells)
                    .filter_map(|(&(lat, lon, time), &c)| {
                        grid_cell(scale.grid, lat, lon, c).map(|cell| key(&hasher, cell, time.div_euclid(scale.time_s)))
                    })
                    .collect();
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        // The points drawn for each sampled device and each p.
        let mut drawn: Vec<(u32, usize, Vec<u64>)> = Vec::new();
        for &d in &sample {
            for &p in &options.points {
                let own = &keys[d as usize];
                if own.len() >= p {
                    drawn.push((d, p, own.choose_multiple(&mut rng, p).copied().collect()));
                }
            }
        }
        let needed: HashSet<u64> = drawn.iter().flat_map(|(_, _, k)| k.iter().copied()).collect();
        // For every drawn point, every device whose trace holds it (in increasing order).
        let mut holders: HashMap<u64, Vec<u32>> = needed.iter().map(|&k| (k, Vec::new())).collect();
        for (d, own) in keys.iter().enumerate() {
            for k in own {
                if let Some(h) = holders.get_mut(k) {
                    h.push(d as u32);
                }
            }
        }
        let mut unique: BTreeMap<usize, (u64, u64)> = options.points.iter().map(|&p| (p, (0, 0))).collect();
        for (d, p, points) in &drawn {
            let mut lists: Vec<&Vec<u32>> = points.iter().map(|k| &holders[k]).collect();
            lists.sort_by_key(|l| l.len());
            // Devices holding every drawn point: the smallest list, filtered by the others.
            let alone = lists[0].iter().filter(|c| lists[1..].iter().all(|l| l.binary_search(c).is_ok())).count() == 1;
            let entry = unique.get_mut(p).expect("every p counted");
            entry.1 += 1;
            if alone {
                entry.0 += 1;
            }
            debug_assert!(lists[0].binary_search(d).is_ok());
        }
        let mut result = ScaleUnicity {
            name: scale.name.into(),
            h3_res: match scale.grid {
                Grid::H3(r) => Some(r),
                Grid::Degrees(_) => None,
            },
            grid: match scale.grid {
                Grid::Degrees(step) => Some(step),
                Grid::H3(_) => None,
            },
            time_s: scale.time_s,
            unicity: BTreeMap::new(),
            devices_with_p_points: BTreeMap::new(),
            sampling_error_95: BTreeMap::new(),
        };
        for (p, (alone, base)) in unique {
            let share = if base == 0 { f64::NAN } else { alone as f64 / base as f64 };
            result.unicity.insert(p.to_string(), share);
            result.devices_with_p_points.insert(p.to_string(), base);
            result.sampling_error_95.insert(p.to_string(), wilson_half_width(alone, base));
        }
        resolutions.push(result);
    }
    Ok(RiskReport {
        audience: RISK_AUDIENCE,
        source: path.display().to_string(),
        rows_read,
        rows_not_used: not_used,
        devices_total: devices_total as u64,
        devices_sampled: sample.len() as u64,
        resolutions,
    })
}

/// Half the width of the Wilson 95% interval for `k` of `n`.
fn wilson_half_width(k: u64, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let (z, n, p) = (1.96f64, n as f64, k as f64 / n as f64);
    z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n)
}

const COLOURS: [&str; 4] = ["#b2182b", "#e66101", "#2f6db0", "#1b7837"];

/// The report as one self-contained HTML page.
pub fn risk_html(r: &RiskReport) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<div class=\"box bad\" id=\"audience\"><p><b>{}</b>. This page counts the rows and devices of a raw feed exactly, with no noise: keep it with the feed's operator.</p></div>\
         <h1>Re-identification risk of a raw feed</h1><p class=\"muted\">{} · {} rows read · {} devices, {} sampled</p>\
         <div class=\"box bad\"><p><b>The lesson.</b> A handful of points from a device's trace single it out among everyone in the feed, \
         at the feed's own precision and still after coarsening to the store's resolution, or to the finest cells and buckets a question may ask. \
         Pseudonymising ids does not change this: the trace itself is the identifier. That is why crowdlens never releases traces or rows, \
         only noisy aggregates with a per-device bound, charged to a privacy budget.</p></div>",
        escape(RISK_BANNER),
        escape(&r.source),
        number(r.rows_read as f64, 0),
        number(r.devices_total as f64, 0),
        number(r.devices_sampled as f64, 0)
    );
    b.push_str("<h2>Unicity</h2><p>Share of sampled devices that p random points of their own trace single out (the only device whose trace holds all p).</p>");
    b.push_str(&chart(r));
    let ps: Vec<String> = r.resolutions.first().map(|s| s.unicity.keys().cloned().collect()).unwrap_or_default();
    let mut headers = vec!["scale".to_string()];
    headers.extend(ps.iter().map(|p| format!("p = {p}")));
    let rows: Vec<Vec<String>> = r
        .resolutions
        .iter()
        .map(|s| {
            let mut row = vec![s.name.clone()];
            row.extend(ps.iter().map(|p| {
                let share = s.unicity[p];
                if share.is_nan() {
                    "–".into()
                } else {
                    format!("{:.1}% ± {:.1}", share * 100.0, s.sampling_error_95[p] * 100.0)
                }
            }));
            row
        })
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    b.push_str(&table(&header_refs, &rows));
    let _ = write!(
        b,
        "<p class=\"muted\">± is the 95% sampling error of the share (Wilson), from sampling {} of {} devices; a share's base is the sampled devices with at least p distinct points at that scale. \
         For comparison, de Montjoye et al. (Scientific Reports 3:1376, 2013) found 4 points enough to single out 95% of 1.5 million people at hourly, antenna-level resolution.</p>",
        number(r.devices_sampled as f64, 0),
        number(r.devices_total as f64, 0)
    );
    if !r.rows_not_used.is_empty() {
        b.push_str("<h2>Rows not used</h2><p class=\"muted\">Rows ingest would quarantine, or that carry no advertising id.</p>");
        let rows: Vec<Vec<String>> =
            r.rows_not_used.iter().map(|(k, v)| vec![k.clone(), number(*v as f64, 0)]).collect();
        b.push_str(&table(&["reason", "rows"], &rows));
    }
    page("crowdlens re-identification risk", &b)
}

fn chart(r: &RiskReport) -> String {
    let (width, height, left, right, top, bottom) = (760.0, 320.0, 56.0, 250.0, 14.0, 40.0);
    let ps: Vec<String> = r.resolutions.first().map(|s| s.unicity.keys().cloned().collect()).unwrap_or_default();
    let mut ps_sorted: Vec<(usize, String)> =
        ps.iter().filter_map(|p| p.parse().ok().map(|n| (n, p.clone()))).collect();
    ps_sorted.sort();
    let n = ps_sorted.len().max(2) as f64;
    let x = |i: usize| left + i as f64 / (n - 1.0) * (width - left - right);
    let y = |share: f64| top + (1.0 - share) * (height - top - bottom);
    let mut svg = format!("<svg id=\"unicity-chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"unicity by points\">");
    for k in 0..=4 {
        let share = k as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e3e8ee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6677\">{}%</text>",
            width - right,
            y(share),
            y(share),
            left - 6.0,
            y(share) + 4.0,
            k * 25
        );
    }
    for (i, (_, label)) in ps_sorted.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">p = {}</text>",
            x(i),
            height - bottom + 18.0,
            escape(label)
        );
    }
    // The paper's point: 4 points, 95%.
    if let Some(i) = ps_sorted.iter().position(|(p, _)| *p == 4) {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">de Montjoye et al. 2013</text>",
            x(i),
            y(0.95),
            x(i) + 8.0,
            y(0.95) + 18.0
        );
    }
    for (j, s) in r.resolutions.iter().enumerate() {
        let colour = COLOURS[j % COLOURS.len()];
        let points: Vec<String> = ps_sorted
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| !s.unicity[p].is_nan())
            .map(|(i, (_, p))| format!("{:.1},{:.1}", x(i), y(s.unicity[p])))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            points.join(" ")
        );
        for pt in &points {
            let (cx, cy) = pt.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(svg, "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"3\" fill=\"{colour}\"/>");
        }
        let ly = top + 14.0 + j as f64 * 20.0;
        let _ = write!(
            svg,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            width - right + 12.0,
            width - right + 32.0,
            width - right + 38.0,
            ly + 4.0,
            escape(s.name.split(" (").next().unwrap_or(&s.name))
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_says_it_is_operator_only() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("feed.csv");
        let mut text = String::from("mobile_ad_id,timestamp,latitude,longitude\n");
        for d in 0..5 {
            let id = format!("6d1f2c3a-0000-4000-8000-{d:012}");
            text.push_str(&format!("{id},{},{},-93.2\n", 1_793_577_600 + d * 60, 44.9 + d as f64 * 0.01));
        }
        std::fs::write(&feed, text).unwrap();
        let options = RiskOptions {
            points: vec![1],
            devices: 10,
            seed: 1,
            column_overrides: HashMap::new(),
            now_s: 1_893_456_000,
        };
        let r = unicity(&feed, &options).unwrap();
        assert_eq!(r.rows_read, 5, "exact figures: hence the label");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["audience"], "operator-only");
        let html = risk_html(&r);
        assert!(html.contains("operator-only: exact figures from a raw feed; not for publication"), "{html}");
        // The banner comes first, before any figure.
        assert!(html.find("operator-only").unwrap() < html.find("rows read").unwrap());
    }

    #[test]
    fn wilson_is_sane() {
        assert!((wilson_half_width(50, 100) - 0.096).abs() < 0.002);
        assert!(wilson_half_width(100, 100) < 0.04);
        assert!(wilson_half_width(0, 0).is_nan());
    }
}
