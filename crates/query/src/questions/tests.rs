//! Exact (noise-free, test-only) evaluation of each question against brute force over the same
//! records, and interval coverage through the real release path.

use super::*;
use super::{covisit::*, dwell::*, flows::*, reach::*, series::*};
use crate::plan;
use crate::release::{publish, Answer, AnswerRow, Asker, KeySelection};
use crate::window::Window;
use crowdlens_control::Ledger;
use crowdlens_store::{Config, SourceCounts, SourceFile};
use crowdlens_types::{Pseudonym, StoredPing};
use h3o::LatLng;
use std::collections::HashSet;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

const MON: i64 = 1_793_577_600; // 2026-11-02T00:00:00Z

fn store_with(rows: &[StoredPing], kind: &str, epsilon_per_epoch: f64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.privacy.epsilon_per_epoch = epsilon_per_epoch;
    let store = Store::init(dir.path(), &config).unwrap();
    let mut run = store.begin_ingest().unwrap();
    for r in rows {
        run.push(*r).unwrap();
    }
    let n = rows.len() as u64;
    run.commit(
        SourceFile { digest: "t".into(), path: "t".into(), bytes: 0 },
        kind,
        SourceCounts { read: n, stored: n, ..Default::default() },
    )
    .unwrap();
    (dir, store)
}

fn ledger(store: &Store) -> Ledger {
    if store.control_db_path().exists() {
        crate::open_ledger(store).unwrap()
    } else {
        crate::release::create_ledger(store).unwrap()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Four well-separated spots, stored at resolution 10.
fn spot(i: usize) -> u64 {
    let (lat, lon) = [(44.97, -93.26), (44.98, -93.20), (44.93, -93.10), (45.05, -93.30)][i];
    u64::from(LatLng::new(lat, lon).unwrap().to_cell(Resolution::Ten))
}

fn parent(cell: u64, res: u8) -> u64 {
    u64::from(CellIndex::try_from(cell).unwrap().parent(Resolution::try_from(res).unwrap()).unwrap())
}

fn ping(d: u64, s: usize, t: i64) -> StoredPing {
    StoredPing { pseudonym: Pseudonym(d), cell: spot(s), time_s: t, category: None }
}

/// Device d visits spots following a pattern over two days; times on 5-minute steps.
fn movement() -> Vec<StoredPing> {
    let mut rows = Vec::new();
    for d in 0..40u64 {
        for day in 0..2i64 {
            let base = MON + day * 86_400;
            let route: Vec<usize> = match d % 4 {
                0 => vec![0, 1, 0],
                1 => vec![1, 2],
                2 => vec![2, 2, 3, 0],
                _ => vec![3],
            };
            for (i, s) in route.iter().enumerate() {
                for k in 0..(1 + d as i64 % 3) {
                    rows.push(ping(d, *s, base + 3600 * (i as i64 * 3 + 1) + 300 * k));
                }
            }
        }
    }
    rows
}

fn brute_flows(rows: &[StoredPing], res: u8) -> HashMap<(u64, u64), i64> {
    let mut seqs: BTreeMap<(u64, i64), Vec<(i64, u64)>> = BTreeMap::new();
    for r in rows {
        seqs.entry((r.pseudonym.0, r.time_s.div_euclid(86_400))).or_default().push((r.time_s, parent(r.cell, res)));
    }
    let mut per_device: HashMap<u64, HashSet<(u64, u64)>> = HashMap::new();
    for ((d, _), mut seq) in seqs {
        seq.sort();
        let mut zones: Vec<u64> = seq.into_iter().map(|(_, z)| z).collect();
        zones.dedup();
        for w in zones.windows(2) {
            per_device.entry(d).or_default().insert((w[0], w[1]));
        }
    }
    let mut out = HashMap::new();
    for pairs in per_device.values() {
        for p in pairs {
            *out.entry(*p).or_default() += 1;
        }
    }
    out
}

#[test]
fn flows_match_brute_force() {
    let rows = movement();
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let zones: Vec<u64> = (0..4).map(|i| parent(spot(i), 7)).collect();
    let got = rt()
        .block_on(plan::flow_counts(
            &store,
            MON,
            MON + 2 * 86_400,
            plan::Zoning::Resolution(7),
            Some(&zones),
            None,
            100,
        ))
        .unwrap();
    assert_eq!(got, brute_flows(&rows, 7));
    assert!(!got.is_empty());
    // Private "top destinations" sees only transitions out of the origin.
    let top = rt()
        .block_on(plan::flow_counts(
            &store,
            MON,
            MON + 2 * 86_400,
            plan::Zoning::Resolution(7),
            None,
            Some(zones[0]),
            100,
        ))
        .unwrap();
    assert!(top.keys().all(|(o, _)| *o == zones[0]));
    assert_eq!(top.get(&(zones[0], zones[1])), brute_flows(&rows, 7).get(&(zones[0], zones[1])));
}

#[test]
fn named_zones_match_resolution_zones() {
    let rows = movement();
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let map: Vec<(u64, u64)> = (0..4).map(|i| (spot(i), i as u64)).collect();
    let ids: Vec<u64> = (0..4).collect();
    let got = rt()
        .block_on(plan::flow_counts(
            &store,
            MON,
            MON + 2 * 86_400,
            plan::Zoning::Named { res: 10, map: &map },
            Some(&ids),
            None,
            100,
        ))
        .unwrap();
    let by_res: HashMap<(u64, u64), i64> = brute_flows(&rows, 10)
        .into_iter()
        .map(|((o, d), n)| ((map.iter().find(|m| m.0 == o).unwrap().1, map.iter().find(|m| m.0 == d).unwrap().1), n))
        .collect();
    assert_eq!(got, by_res);
}

#[test]
fn dwell_matches_brute_force() {
    // Device 1: one 25-minute visit. Device 2: a 5-minute visit, then leaves, then 2 hours.
    // Device 3: pings 45 minutes apart inside: two visits of 0 minutes each (gap ≥ 30m).
    let rows = vec![
        ping(1, 0, MON),
        ping(1, 0, MON + 600),
        ping(1, 0, MON + 1500),
        ping(2, 0, MON),
        ping(2, 0, MON + 300),
        ping(2, 1, MON + 600),
        ping(2, 0, MON + 900),
        ping(2, 0, MON + 2100),
        ping(2, 0, MON + 3300),
        ping(2, 0, MON + 4500),
        ping(2, 0, MON + 5700),
        ping(2, 0, MON + 6900),
        ping(2, 0, MON + 8100),
        ping(3, 0, MON),
        ping(3, 0, MON + 2700),
        ping(4, 1, MON),
    ];
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let cells = vec![CellIndex::try_from(parent(spot(0), 9)).unwrap()];
    let got = rt().block_on(plan::dwell_counts(&store, MON, MON + 86_400, 9, &cells, 1800, 100)).unwrap();
    // bins: <10m: d2's first + d3's two = 3; 10–30m: d1 = 1; 1–4h: d2's second = 1.
    assert_eq!(got, vec![3, 1, 0, 1, 0]);
    // With one visit per device, at most one visit per device survives.
    let capped = rt().block_on(plan::dwell_counts(&store, MON, MON + 86_400, 9, &cells, 1800, 1)).unwrap();
    assert_eq!(capped.iter().sum::<i64>(), 3);
}

#[test]
fn covisit_matches_brute_force() {
    let rows = vec![
        ping(1, 0, MON),
        ping(1, 1, MON + 1800), // lag 30 min
        ping(2, 1, MON),
        ping(2, 0, MON + 3 * 3600), // lag 3 h (B first)
        ping(3, 0, MON),
        ping(3, 1, MON + 2 * 86_400), // lag 2 d
        ping(4, 0, MON),              // only A
        ping(5, 1, MON),              // only B
    ];
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let a = vec![CellIndex::try_from(parent(spot(0), 9)).unwrap()];
    let b = vec![CellIndex::try_from(parent(spot(1), 9)).unwrap()];
    let got = rt().block_on(plan::covisit_counts(&store, MON, MON + 7 * 86_400, 9, &a, &b)).unwrap();
    assert_eq!(got, vec![3, 1, 1, 0, 1, 0]);
}

#[test]
fn series_matches_brute_force() {
    let rows = movement();
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let floors = store.config().resolution.clone();
    let rules = crate::release::rules_of_config(store.config());
    let target = Window::new(MON + 86_400, MON + 2 * 86_400, 6 * 3600, &floors, &rules).unwrap();
    let baseline = Window::new(MON, MON + 86_400, 6 * 3600, &floors, &rules).unwrap();
    let cells: Vec<CellIndex> = (0..2).map(|i| CellIndex::try_from(parent(spot(i), 8)).unwrap()).collect();
    let got = rt().block_on(plan::series_counts(&store, &target, &baseline, 8, &cells, 100)).unwrap();
    let mut want = vec![0i64; 8];
    let mut seen = HashSet::new();
    for r in &rows {
        if !cells.iter().any(|c| u64::from(*c) == parent(r.cell, 8)) {
            continue;
        }
        let idx = if r.time_s >= target.from_s {
            (r.time_s - target.from_s) / target.bucket_s
        } else {
            4 + (r.time_s - MON) / baseline.bucket_s
        };
        if seen.insert((r.pseudonym, idx)) {
            want[idx as usize] += 1;
        }
    }
    assert_eq!(got, want);
}

#[test]
fn reach_matches_brute_force_and_needs_bidstream() {
    let mut rows = movement();
    for (i, r) in rows.iter_mut().enumerate() {
        r.category = (i % 3 != 0).then_some(100 + (r.pseudonym.0 % 3) as u32);
    }
    let (_d, store) = store_with(&rows, "openrtb", 10.0);
    let cells: Vec<CellIndex> = (0..4).map(|i| CellIndex::try_from(parent(spot(i), 7)).unwrap()).collect();
    let got = rt().block_on(plan::reach_counts(&store, MON, MON + 2 * 86_400, 7, &cells, false, 100)).unwrap();
    let mut want: HashMap<(u64, u64), HashSet<u64>> = HashMap::new();
    for r in &rows {
        if let Some(c) = r.category {
            want.entry((c as u64, parent(r.cell, 7))).or_default().insert(r.pseudonym.0);
        }
    }
    let want: HashMap<(u64, u64), i64> = want.into_iter().map(|(k, v)| (k, v.len() as i64)).collect();
    assert_eq!(got, want);

    // By top tier: 3.0's Movies and Music count as Entertainment, 1.0's IAB9-2 as IAB9, and a
    // category no vendored taxonomy names counts nowhere.
    use crowdlens_types::category::{encode, tier1_of};
    let named = [encode(7, "324"), encode(7, "338"), encode(1, "IAB9-2"), encode(1, "IAB9"), encode(2, "150")];
    for (i, r) in rows.iter_mut().enumerate() {
        r.category = named[(i + r.pseudonym.0 as usize) % named.len()];
    }
    let (_d3, store) = store_with(&rows, "openrtb", 10.0);
    let got = rt().block_on(plan::reach_counts(&store, MON, MON + 2 * 86_400, 7, &cells, true, 100)).unwrap();
    let mut want: HashMap<(u64, u64), HashSet<u64>> = HashMap::new();
    for r in &rows {
        if let Some(top) = r.category.and_then(tier1_of) {
            want.entry((top as u64, parent(r.cell, 7))).or_default().insert(r.pseudonym.0);
        }
    }
    let want: HashMap<(u64, u64), i64> = want.into_iter().map(|(k, v)| (k, v.len() as i64)).collect();
    assert!(want.keys().any(|(top, _)| *top == encode(7, "JLBCU7").unwrap() as u64), "Entertainment is counted");
    assert_eq!(got, want);

    let (_d2, pings_only) = store_with(&movement(), "pings", 10.0);
    let q = ReachQuestion {
        common: common(1.0),
        area: "bbox:-93.40,44.85,-92.98,45.10".into(),
        zones_res: Some(7),
        categories: "tier1".into(),
    };
    let mut ledger = ledger(&pings_only);
    let e = rt().block_on(ask_reach(&pings_only, &mut ledger, &asker(), &q)).unwrap_err();
    assert!(matches!(e, QueryError::NoCategories), "{e}");
}

fn common(epsilon: f64) -> Common {
    Common {
        from_s: MON,
        to_s: MON + 2 * 86_400,
        epsilon: Some(epsilon),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: Some(8),
    }
}

fn asker() -> Asker {
    Asker { actor: "test".into(), role: "admin".into(), case_id: "C".into(), purpose: "research".into() }
}

#[test]
fn every_question_runs_through_the_release_path() {
    let mut rows = movement();
    rows.iter_mut().for_each(|r| r.category = Some(7));
    let (_d, store) = store_with(&rows, "openrtb", 100.0);
    let mut ledger = ledger(&store);
    let rt = rt();
    let bbox = "bbox:-93.40,44.85,-92.98,45.10".to_string();
    let flows = FlowsQuestion {
        common: common(1.0),
        area: Some(bbox.clone()),
        zones_res: Some(6),
        zones_file: None,
        top_from: None,
    };
    let a = rt.block_on(ask_flows(&store, &mut ledger, &asker(), &flows)).unwrap();
    let n = preview_flows(&store, ledger.rules(), &flows).unwrap().partitions as usize;
    assert_eq!(a.rows.len(), n);
    let top = FlowsQuestion {
        area: None,
        top_from: Some(CellIndex::try_from(parent(spot(0), 7)).unwrap().to_string()),
        zones_res: None,
        ..flows.clone()
    };
    let c = preview_flows(&store, ledger.rules(), &top).unwrap();
    assert!(matches!(c.keys, KeySelection::Private { .. }) && c.delta > 0.0);
    rt.block_on(ask_flows(&store, &mut ledger, &asker(), &top)).unwrap();
    let dwell = DwellQuestion { common: common(1.0), area: bbox.clone(), res: Some(7), max_gap_s: 1800 };
    assert_eq!(rt.block_on(ask_dwell(&store, &mut ledger, &asker(), &dwell)).unwrap().rows.len(), 5);
    let cov = CovisitQuestion { common: common(1.0), area: bbox.clone(), area_b: bbox.clone(), res: Some(7) };
    // The total and the lag bins a two-day window can hold (not >=3d).
    assert_eq!(rt.block_on(ask_covisit(&store, &mut ledger, &asker(), &cov)).unwrap().rows.len(), 5);
    let one_day = CovisitQuestion { common: Common { to_s: MON + 86_400, ..common(1.0) }, ..cov.clone() };
    let lags: Vec<String> = rt
        .block_on(ask_covisit(&store, &mut ledger, &asker(), &one_day))
        .unwrap()
        .rows
        .iter()
        .filter_map(|r| r.key.get("lag").map(str::to_string))
        .collect();
    assert_eq!(lags, ["<1h", "1-6h", "6-24h"]);
    let series = SeriesQuestion {
        common: Common { from_s: MON + 86_400, to_s: MON + 2 * 86_400, ..common(1.0) },
        area: bbox.clone(),
        res: Some(7),
        bucket_s: 6 * 3600,
        baseline_from_s: MON,
        baseline_to_s: MON + 86_400,
    };
    let s = rt.block_on(ask_series(&store, &mut ledger, &asker(), &series)).unwrap();
    assert_eq!(s.rows.len(), 8);
    assert_eq!(s.derived.unwrap()["change"].as_array().unwrap().len(), 4);
    let reach = ReachQuestion { common: common(1.0), area: bbox, zones_res: Some(7), categories: "tier1".into() };
    rt.block_on(ask_reach(&store, &mut ledger, &asker(), &reach)).unwrap();
    // Seven answers (co-visit twice), each charged once to the one epoch; only
    // top-destinations spent δ.
    let b = ledger.budget(&[]).unwrap();
    assert!((b[0].epsilon_spent - 7.0).abs() < 1e-9, "{b:?}");
    assert!(b[0].delta_spent > 0.0 && b[0].delta_spent <= 2e-7, "{b:?}");
}

/// Through the real path (ledger, opendp noise), 95% intervals cover the exact bounded value in
/// about 95% of 1,000 repeats. The interval is conservative, so the rate lies in
/// [0.95 − 4σ, 1]: σ ≈ 0.0069 at n = 1000. (At 3σ a correct release failed about one run in
/// 700; one such run was seen.)
#[test]
fn presence_and_flows_intervals_cover_the_truth() {
    let rows = movement();
    let (_d, store) = store_with(&rows, "pings", 1e6);
    let mut ledger = ledger(&store);
    let rt = rt();
    // Flows: exact values from brute force (the bound 8 exceeds every device's pair count).
    let zones: Vec<u64> = (0..4).map(|i| parent(spot(i), 7)).collect();
    let truth = brute_flows(&rows, 7);
    let flows = FlowsQuestion {
        common: common(0.5),
        area: Some(format!("cells:{}", zones.iter().map(|z| cell_text(*z)).collect::<Vec<_>>().join(","))),
        zones_res: Some(7),
        zones_file: None,
        top_from: None,
    };
    let (charge, _) = price_flows(&store, ledger.rules(), &flows).unwrap();
    let (keys, exact) = pairs(&zones, &truth, |z| cell_text(z).into());
    let mut covered = 0usize;
    let mut total = 0usize;
    for _ in 0..1000 {
        let a = publish(&charge, keys.clone(), exact.clone()).unwrap();
        let r = &a.rows[0];
        total += 1;
        covered += (r.ci_low <= exact[0] as f64 && exact[0] as f64 <= r.ci_high) as usize;
    }
    let rate = covered as f64 / total as f64;
    assert!(rate >= 0.95 - 4.0 * 0.0069, "flows coverage {rate}");

    // Presence: one partition with a known exact count, through ask_presence's pricing.
    let pq = crate::PresenceQuestion {
        area: format!("cells:{}", cell_text(parent(spot(0), 8))),
        from_s: MON,
        to_s: MON + 86_400,
        bucket_s: 86_400,
        res: Some(8),
        epsilon: Some(0.5),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: Some(8),
    };
    let exact_presence = rt
        .block_on(plan::presence_counts(
            &store,
            &Window::new(
                MON,
                MON + 86_400,
                86_400,
                &store.config().resolution,
                &crate::release::rules_of_config(store.config()),
            )
            .unwrap(),
            8,
            &[CellIndex::try_from(parent(spot(0), 8)).unwrap()],
            8,
        ))
        .unwrap()
        .counts
        .values()
        .sum::<i64>();
    assert!(exact_presence > 0);
    let mut covered = 0usize;
    for _ in 0..1000 {
        let a = rt.block_on(crate::ask_presence(&store, &mut ledger, &asker(), &pq)).unwrap();
        let r = &a.rows[0];
        covered += (r.ci_low <= exact_presence as f64 && exact_presence as f64 <= r.ci_high) as usize;
    }
    let rate = covered as f64 / 1000.0;
    assert!(rate >= 0.95 - 4.0 * 0.0069, "presence coverage {rate}");
}

mod bounding {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// Flows: each device adds to at most L pairs, once each, whatever its movements.
        #[test]
        fn flows_respect_the_cap(
            pings in prop::collection::vec((0u64..10, 0usize..4, 0i64..48), 1..200),
            bound in 1u32..4,
        ) {
            let rows: Vec<StoredPing> = pings.iter().map(|&(d, s, h)| ping(d, s, MON + h * 1800)).collect();
            let (_d, store) = store_with(&rows, "pings", 10.0);
            let zones: Vec<u64> = (0..4).map(|i| parent(spot(i), 7)).collect();
            let got = rt()
                .block_on(plan::flow_counts(&store, MON, MON + 86_400, plan::Zoning::Resolution(7), Some(&zones), None, bound))
                .unwrap();
            // Per-device pairs from brute force; capping keeps exactly min(L, pairs) of each.
            let mut per_device: HashMap<u64, HashSet<(u64, u64)>> = HashMap::new();
            let mut seqs: BTreeMap<u64, Vec<(i64, u64)>> = BTreeMap::new();
            for r in &rows { seqs.entry(r.pseudonym.0).or_default().push((r.time_s, parent(r.cell, 7))); }
            for (d, mut seq) in seqs {
                seq.sort();
                let mut z: Vec<u64> = seq.into_iter().map(|(_, z)| z).collect();
                z.dedup();
                for w in z.windows(2) { per_device.entry(d).or_default().insert((w[0], w[1])); }
            }
            let want: i64 = per_device.values().map(|p| (p.len() as i64).min(bound as i64)).sum();
            prop_assert_eq!(got.values().sum::<i64>(), want);
        }

        /// Dwell: each device adds at most L visits in total.
        #[test]
        fn dwell_respects_the_cap(
            pings in prop::collection::vec((0u64..6, 0usize..2, 0i64..96), 1..200),
            bound in 1u32..4,
        ) {
            let rows: Vec<StoredPing> = pings.iter().map(|&(d, s, q)| ping(d, s, MON + q * 900)).collect();
            let (_d, store) = store_with(&rows, "pings", 10.0);
            let cells = vec![CellIndex::try_from(parent(spot(0), 9)).unwrap()];
            let capped = rt().block_on(plan::dwell_counts(&store, MON, MON + 86_400, 9, &cells, 1800, bound)).unwrap();
            let uncapped = rt().block_on(plan::dwell_counts(&store, MON, MON + 86_400, 9, &cells, 1800, 10_000)).unwrap();
            let devices_inside = rows.iter().filter(|r| parent(r.cell, 9) == u64::from(cells[0])).map(|r| r.pseudonym).collect::<HashSet<_>>().len() as i64;
            prop_assert!(capped.iter().sum::<i64>() <= devices_inside * bound as i64);
            prop_assert!(capped.iter().sum::<i64>() <= uncapped.iter().sum::<i64>());
            prop_assert!(capped.iter().sum::<i64>() >= devices_inside.min(1));
        }
    }
}

#[test]
fn flows_between_named_zones_from_geojson() {
    let rows = movement();
    let (dir, store) = store_with(&rows, "pings", 10.0);
    let square = |lon: f64, lat: f64, name: &str| {
        let d = 0.004;
        serde_json::json!({"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon",
            "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]}})
    };
    let fc = serde_json::json!({"type": "FeatureCollection", "features": [square(-93.26, 44.97, "mill-district"), square(-93.20, 44.98, "campus")]});
    let path = dir.path().join("zones.geojson");
    std::fs::write(&path, fc.to_string()).unwrap();
    let q = FlowsQuestion {
        common: common(1.0),
        area: None,
        zones_res: None,
        zones_file: Some(path.to_string_lossy().into_owned()),
        top_from: None,
    };
    let mut ledger = ledger(&store);
    let a = rt().block_on(ask_flows(&store, &mut ledger, &asker(), &q)).unwrap();
    let names: Vec<(String, String)> = a
        .rows
        .iter()
        .map(|r| (r.key.get("origin").unwrap().to_string(), r.key.get("destination").unwrap().to_string()))
        .collect();
    assert_eq!(names, [("mill-district".into(), "campus".into()), ("campus".into(), "mill-district".into())]);
    // Exact: devices with route 0 → 1 → 0 (d % 4 == 0) make both transitions; route 1 → 2
    // leaves the zone set after campus, so it makes none between named zones.
    let (map, _) = named_zones(&path.to_string_lossy(), 9).unwrap();
    let zoning = plan::Zoning::Named { res: 9, map: &map };
    let exact =
        rt().block_on(plan::flow_counts(&store, MON, MON + 2 * 86_400, zoning, Some(&[0, 1]), None, 100)).unwrap();
    assert_eq!(exact.get(&(0, 1)), Some(&10));
    assert_eq!(exact.get(&(1, 0)), Some(&10));
    // Mixing zone choices is refused with the options spelled out.
    let bad = FlowsQuestion { area: Some("bbox:-93.3,44.9,-93.1,45.0".into()), ..q };
    assert!(preview_flows(&store, ledger.rules(), &bad).unwrap_err().to_string().contains("exactly one of"));
}

/// Hole: flows, dwell, co-visit and reach skipped the time floor (a five-minute co-visit was
/// answered while presence refused buckets under 15 minutes).
#[test]
fn every_question_is_held_to_the_time_floor() {
    let mut rows = movement();
    rows.iter_mut().for_each(|r| r.category = Some(7));
    let (_d, store) = store_with(&rows, "openrtb", 100.0);
    let rules = ledger(&store).rules().clone();
    let five_minutes = Common { from_s: MON, to_s: MON + 300, ..common(1.0) };
    let misaligned = Common { from_s: MON + 7, to_s: MON + 7 + 3600, ..common(1.0) };
    let bbox = "bbox:-93.40,44.85,-92.98,45.10".to_string();
    for common in [five_minutes, misaligned] {
        let flows = FlowsQuestion {
            common: common.clone(),
            area: Some(bbox.clone()),
            zones_res: Some(6),
            zones_file: None,
            top_from: None,
        };
        let dwell = DwellQuestion { common: common.clone(), area: bbox.clone(), res: Some(7), max_gap_s: 1800 };
        let cov = CovisitQuestion { common: common.clone(), area: bbox.clone(), area_b: bbox.clone(), res: Some(7) };
        let reach =
            ReachQuestion { common: common.clone(), area: bbox.clone(), zones_res: Some(7), categories: "found".into() };
        for e in [
            preview_flows(&store, &rules, &flows).unwrap_err(),
            preview_dwell(&store, &rules, &dwell).unwrap_err(),
            preview_covisit(&store, &rules, &cov).unwrap_err(),
            preview_reach(&store, &rules, &reach).unwrap_err(),
        ] {
            assert!(matches!(e, QueryError::BadWindow(_)), "{e}");
        }
    }
    let e = preview_covisit(
        &store,
        &rules,
        &CovisitQuestion {
            common: Common { to_s: MON + 300, ..common(1.0) },
            area: bbox.clone(),
            area_b: bbox,
            res: Some(7),
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid time window: the window is 5m long, shorter than this store's shortest time bucket (15m); ask over 15m or longer"
    );
}

/// Hole: named zones were tiled at the store's resolution (10), finer than questions may ask.
#[test]
fn named_zones_are_tiled_no_finer_than_questions_may_ask() {
    let rows = movement();
    let (dir, store) = store_with(&rows, "pings", 10.0);
    let rules = ledger(&store).rules().clone();
    let square = |lon: f64, lat: f64, d: f64, name: &str| {
        serde_json::json!({"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon",
            "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]}})
    };
    let path = dir.path().join("zones.geojson");
    // A 30 m square holds res-10 cell centres but no res-9 one.
    let fc = serde_json::json!({"type": "FeatureCollection", "features": [
        square(-93.26, 44.97, 0.004, "big"), square(-93.20, 44.98, 0.0003, "tiny")]});
    std::fs::write(&path, fc.to_string()).unwrap();
    let q = FlowsQuestion {
        common: common(1.0),
        area: None,
        zones_res: None,
        zones_file: Some(path.to_string_lossy().into_owned()),
        top_from: None,
    };
    let e = preview_flows(&store, &rules, &q).unwrap_err().to_string();
    assert!(e.contains("zone \"tiny\" is smaller than one H3 cell at resolution 9"), "{e}");
    let big_only = dir.path().join("big.geojson");
    std::fs::write(
        &big_only,
        serde_json::json!({"type": "FeatureCollection", "features": [square(-93.26, 44.97, 0.004, "big")]}).to_string(),
    )
    .unwrap();
    let q = FlowsQuestion { zones_file: Some(big_only.to_string_lossy().into_owned()), ..q };
    preview_flows(&store, &rules, &q).unwrap();
    let (map, _) = named_zones(&big_only.to_string_lossy(), rules_res(&store)).unwrap();
    assert!(!map.is_empty());
    assert!(map.iter().all(|(cell, _)| CellIndex::try_from(*cell).unwrap().resolution() == Resolution::Nine));
}

fn named_zones(path: &str, res: u8) -> Result<NamedZones, QueryError> {
    tile_named_zones(path, read_named_zones(path)?, res, 9)
}

fn ny_counties() -> String {
    let crate_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    crate_dir.join("tests/fixtures/ny_counties.geojson").to_string_lossy().into_owned()
}

/// Real geography: New York State's 62 county polygons (Census cartographic boundaries, via
/// us-atlas). They are tiled at a resolution chosen from their size, every county gets cells,
/// and the share of each county's area whose cell is given to a neighbour is measured.
#[test]
fn the_counties_of_a_state_are_tiled_at_a_resolution_chosen_from_their_size() {
    use geo::{BoundingRect, Contains};
    let (_d, store) = store_with(&movement(), "pings", 10.0);
    let path = ny_counties();
    let zones = read_named_zones(&path).unwrap();
    assert_eq!(zones.len(), 62);
    let rules = crate::release::rules_of_config(store.config());
    let res = named_zone_resolution(&rules, &zones, None).unwrap();
    assert_eq!(res, 8, "New York State's counties fit the cell budget at resolution 8");
    // An explicit --zones-res finer than the floor is refused by name.
    let e = named_zone_resolution(&rules, &zones, Some(10)).unwrap_err().to_string();
    assert!(e.contains("--zones-res 10 is finer than this store allows (finest: 9)"), "{e}");
    let (map, names) = tile_named_zones(&path, zones.clone(), res, 9).unwrap();
    assert_eq!(names.len(), 62);
    assert!((map.len() as f64) < NAMED_ZONE_CELL_BUDGET, "{}", map.len());
    let zone_of: HashMap<u64, u64> = map.iter().copied().collect();
    assert_eq!(zone_of.len(), map.len(), "no cell is given to two counties");
    // A 0.01° lattice over each county: the share of its points whose cell belongs to
    // another county (or to none, at the state's edge) is what moves across its border.
    let resolution = Resolution::try_from(res).unwrap();
    let mut moved_shares = Vec::new();
    for (id, (_, shape)) in zones.iter().enumerate() {
        let rect = shape.bounding_rect().unwrap();
        let (mut inside, mut moved) = (0u64, 0u64);
        let mut lat = rect.min().y;
        while lat < rect.max().y {
            let mut lon = rect.min().x;
            while lon < rect.max().x {
                if shape.contains(&geo::Point::new(lon, lat)) {
                    inside += 1;
                    let cell = u64::from(LatLng::new(lat, lon).unwrap().to_cell(resolution));
                    if zone_of.get(&cell) != Some(&(id as u64)) {
                        moved += 1;
                    }
                }
                lon += 0.01;
            }
            lat += 0.01;
        }
        moved_shares.push(moved as f64 / inside as f64);
    }
    moved_shares.sort_by(f64::total_cmp);
    let median = moved_shares[moved_shares.len() / 2];
    let worst = moved_shares[moved_shares.len() - 1];
    println!(
        "NY counties at resolution {res}: median {:.2}% of a county's area is counted in a neighbour, worst {:.2}%",
        median * 100.0,
        worst * 100.0
    );
    assert!(median < 0.02 && worst < 0.10, "median {median}, worst {worst}");
}

fn rules_res(store: &Store) -> u8 {
    store.config().resolution.h3_finest_question
}

/// Bounding is per device: 1,200 devices with the same twelve presence keys (four spots × three
/// hours) and the same four flow transitions, more than L = 2 of each. Every ask (a fresh random
/// salt each) keeps each key for about devices × L / keys of them, within binomial scale, and
/// every hour's total stays near its share. With one order for all devices (the salt alone, as
/// before), the same two keys would get all 1,200 devices and the others none, and an hour's
/// total would swing between 0 and 2,400 from one ask to the next.
#[test]
fn bounding_spreads_its_bias_over_every_key_in_every_ask() {
    let devices = 1_200u64;
    let mut rows = Vec::new();
    for d in 0..devices {
        for h in 0..3i64 {
            for s in 0..4usize {
                // Spots 0, 1, 2, 3 in turn every hour: transitions 0→1, 1→2, 2→3, 3→0.
                rows.push(ping(d, s, MON + 3600 * h + 600 * s as i64));
            }
        }
    }
    let (_d, store) = store_with(&rows, "pings", 10.0);
    let window = Window { from_s: MON, to_s: MON + 3 * 3600, bucket_s: 3600 };
    let cells: Vec<CellIndex> = (0..4).map(|i| CellIndex::try_from(parent(spot(i), 8)).unwrap()).collect();
    let zones: Vec<u64> = (0..4).map(|i| parent(spot(i), 7)).collect();
    assert_eq!(zones.iter().collect::<HashSet<_>>().len(), 4);
    let bound = 2u32;
    let within = |n: i64, trials: u64, p: f64, var_per_device: f64, what: &str| {
        let (mean, sd) = (trials as f64 * p, (trials as f64 * var_per_device).sqrt());
        assert!((n as f64 - mean).abs() < 5.0 * sd, "{what}: {n}, expected {mean:.0} ± {sd:.1}");
    };
    for ask in 0..4 {
        let presence = rt().block_on(plan::presence_counts(&store, &window, 8, &cells, bound)).unwrap().counts;
        assert_eq!(presence.len(), 12, "ask {ask}: every key kept by some device: {presence:?}");
        let p = f64::from(bound) / 12.0;
        for (key, &n) in &presence {
            within(n, devices, p, p * (1.0 - p), &format!("ask {ask}, presence key {key:?}"));
        }
        // An hour holds 4 of a device's 12 keys: how many of its 2 it keeps is hypergeometric.
        let hour_var = 2.0 * (4.0 / 12.0) * (8.0 / 12.0) * (10.0 / 11.0);
        for hour in 0..3u64 {
            let total: i64 = presence.iter().filter(|((_, b), _)| *b == hour).map(|(_, n)| n).sum();
            within(total, devices, 2.0 / 3.0, hour_var, &format!("ask {ask}, hour {hour}'s total"));
        }
        let flows = rt()
            .block_on(plan::flow_counts(
                &store,
                MON,
                MON + 3 * 3600,
                plan::Zoning::Resolution(7),
                Some(&zones),
                None,
                bound,
            ))
            .unwrap();
        assert_eq!(flows.len(), 4, "ask {ask}: {flows:?}");
        for (key, &n) in &flows {
            within(n, devices, 0.5, 0.25, &format!("ask {ask}, flow {key:?}"));
        }
    }
}

#[test]
fn zone_files_without_names_or_with_open_rings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        path.to_string_lossy().into_owned()
    };
    let square = "[[[-93.30,44.95],[-93.24,44.95],[-93.24,44.99],[-93.30,44.99],[-93.30,44.95]]]";
    let upper = write(
        "upper.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"NAME":"A","GEOID":"1"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}}]}}"#),
    );
    let e = read_named_zones(&upper).unwrap_err().to_string();
    assert!(e.contains("feature 0 has no \"name\" property (properties NAME, GEOID)") || e.contains("(properties GEOID, NAME)"), "{e}");
    let open = write(
        "open.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[-93.30,44.95],[-93.24,44.95],[-93.24,44.99],[-93.30,44.99]]]}}]}"#,
    );
    let e = read_named_zones(&open).unwrap_err().to_string();
    assert!(e.contains("is not closed"), "{e}");
    let good = write(
        "good.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"A"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}}]}}"#),
    );
    assert_eq!(read_named_zones(&good).unwrap()[0].0, "A");
}

/// The error of reach and flows at the UI's defaults on the synthetic city, before (ε 0.5 of
/// Laplace noise; reach's keys found in the data, released above a threshold) and after
/// (±24 per value, the cheaper noise; reach by the IAB taxonomies' top tiers, public keys).
/// The truth is the exact, unbounded count (test-only), so the error includes what bounding
/// each device to L keys drops. The figures are in the README.
#[test]
fn error_of_reach_and_flows_at_their_defaults_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let opts = crowdlens_synth::SynthOptions { devices: 2_000, days: 2, ..Default::default() };
    crowdlens_synth::generate(&city, &opts, &mut |_| {}).unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    crate::release::create_ledger(&store).unwrap();
    let progress = crowdlens_ingest::pipeline::NoProgress;
    let options = crowdlens_ingest::IngestOptions::default();
    crowdlens_ingest::ingest_pings(&store, &city.join("pings.csv"), &options, &progress).unwrap();
    crowdlens_ingest::ingest_openrtb(&store, &city.join("bids.jsonl.gz"), &options, &progress).unwrap();
    let mut ledger = ledger(&store);
    let rt = rt();
    let (from_s, to_s) = (MON, MON + 2 * 86_400);
    let city_wide = "bbox:-93.40,44.85,-92.98,45.10";
    let before = |epsilon: f64| Common {
        from_s,
        to_s,
        epsilon: Some(epsilon),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: None,
    };
    let after = |accuracy: f64| Common {
        from_s,
        to_s,
        epsilon: None,
        accuracy: Some(accuracy),
        mechanism: MechanismChoice::Auto,
        max_partitions: None,
    };
    let cells = cells_of(city_wide, 7).unwrap();
    const ALL: u32 = 1_000_000;
    // Mean |released − true| over the keys that hold a device, a key not released counting as 0;
    // and the share of the true total the released keys hold.
    let error = |truth: &HashMap<String, i64>, a: &Answer, key: &dyn Fn(&AnswerRow) -> String| {
        let released: HashMap<String, i64> = a.rows.iter().map(|r| (key(r), r.value)).collect();
        let held: Vec<(&String, &i64)> = truth.iter().filter(|(_, v)| **v > 0).collect();
        let mae = held.iter().map(|(k, v)| (released.get(*k).copied().unwrap_or(0) - **v).abs() as f64).sum::<f64>()
            / held.len().max(1) as f64;
        let total: i64 = held.iter().map(|(_, v)| **v).sum();
        let covered: i64 = held.iter().filter(|(k, _)| released.contains_key(*k)).map(|(_, v)| **v).sum();
        (mae, covered as f64 / total.max(1) as f64, held.len())
    };
    let reach_key = |r: &AnswerRow| format!("{}/{}", r.key.get("category").unwrap(), r.key.get("zone").unwrap());
    let truth_of = |tiered: bool| -> HashMap<String, i64> {
        rt.block_on(plan::reach_counts(&store, from_s, to_s, 7, &cells, tiered, ALL))
            .unwrap()
            .into_iter()
            .map(|((cat, zone), n)| (format!("{}/{}", crowdlens_types::category::describe(cat as u32), cell_text(zone)), n))
            .collect()
    };
    let reach = |common: Common, categories: &str| ReachQuestion {
        common,
        area: city_wide.into(),
        zones_res: Some(7),
        categories: categories.into(),
    };
    let reach_before = rt.block_on(ask_reach(&store, &mut ledger, &asker(), &reach(before(0.5), "found"))).unwrap();
    let reach_after = rt.block_on(ask_reach(&store, &mut ledger, &asker(), &reach(after(24.0), "tier1"))).unwrap();
    let (_, share_b, keys_b) = error(&truth_of(false), &reach_before, &reach_key);
    // Both against the same quantity, devices per (top tier, zone): the keys released before
    // are summed into their tiers (a key not released adds nothing).
    let tier_truth = truth_of(true);
    let mut by_tier = reach_before.clone();
    by_tier.rows = {
        let mut sums: BTreeMap<String, AnswerRow> = BTreeMap::new();
        for r in &reach_before.rows {
            let category = r.key.get("category").unwrap();
            let stored = match category.split_once(':') {
                Some((tax, id)) => crowdlens_types::category::encode(tax.trim_start_matches("cattax").parse().unwrap(), id),
                None => crowdlens_types::category::encode(1, category),
            };
            let Some(top) = stored.and_then(crowdlens_types::category::tier1_of) else { continue };
            let key = crate::key::RowKey::new([
                ("category", crowdlens_types::category::describe(top).into()),
                ("zone", r.key.get("zone").unwrap().to_string().into()),
            ]);
            let name = reach_key(&AnswerRow { key: key.clone(), value: 0, ci_low: 0.0, ci_high: 0.0 });
            sums.entry(name).or_insert(AnswerRow { key, value: 0, ci_low: 0.0, ci_high: 0.0 }).value += r.value;
        }
        sums.into_values().collect()
    };
    let (mae_b, _, _) = error(&tier_truth, &by_tier, &reach_key);
    let (mae_a, share_a, keys_a) = error(&tier_truth, &reach_after, &reach_key);
    // Most (top tier, zone) keys hold a handful of devices, under ±24 of noise; where a key holds
    // twice the interval or more, the relative error says what an analyst can read.
    let relative = |a: &Answer| {
        let released: HashMap<String, i64> = a.rows.iter().map(|r| (reach_key(r), r.value)).collect();
        let large: Vec<(&String, &i64)> = tier_truth.iter().filter(|(_, v)| **v >= 48).collect();
        let e = large.iter().map(|(k, v)| (released.get(*k).copied().unwrap_or(0) - **v).abs() as f64 / **v as f64).sum::<f64>();
        (e / large.len().max(1) as f64, large.len())
    };
    let ((rel_b, large), (rel_a, _)) = (relative(&by_tier), relative(&reach_after));

    let zones: Vec<u64> = cells_of(city_wide, 7).unwrap().into_iter().map(u64::from).collect();
    let flow_truth: HashMap<String, i64> = rt
        .block_on(plan::flow_counts(&store, from_s, to_s, plan::Zoning::Resolution(7), Some(&zones), None, ALL))
        .unwrap()
        .into_iter()
        .map(|((o, d), n)| (format!("{}>{}", cell_text(o), cell_text(d)), n))
        .collect();
    let flow_key = |r: &AnswerRow| format!("{}>{}", r.key.get("origin").unwrap(), r.key.get("destination").unwrap());
    let flows = |common: Common| FlowsQuestion {
        common,
        area: Some(city_wide.into()),
        zones_res: Some(7),
        zones_file: None,
        top_from: None,
    };
    let flows_before = rt.block_on(ask_flows(&store, &mut ledger, &asker(), &flows(before(0.5)))).unwrap();
    let flows_after = rt.block_on(ask_flows(&store, &mut ledger, &asker(), &flows(after(24.0)))).unwrap();
    let (fmae_b, _, fkeys) = error(&flow_truth, &flows_before, &flow_key);
    let (fmae_a, _, _) = error(&flow_truth, &flows_after, &flow_key);
    let charged = |a: &Answer| match a.mechanism {
        crowdlens_dp::Mechanism::Laplace => format!("ε {}", a.epsilon),
        crowdlens_dp::Mechanism::Gaussian => format!("Gaussian, ε {:.3} alone", a.epsilon),
    };
    eprintln!(
        "reach before (found, ε 0.5): {} of {keys_b} true keys released, {:.0}% of the true total; mean |error| per (top tier, zone) {mae_b:.1}",
        reach_before.rows.len(),
        100.0 * share_b
    );
    eprintln!(
        "reach after (tier1, ±24, {}): {} keys released, {:.0}% of the true total over {keys_a} true keys; mean |error| per (top tier, zone) {mae_a:.1}",
        charged(&reach_after),
        reach_after.rows.len(),
        100.0 * share_a
    );
    eprintln!(
        "flows before (ε 0.5): mean |error| {fmae_b:.1} over {fkeys} true pairs; after (±24, {}): {fmae_a:.1}",
        charged(&flows_after)
    );
    let b = ledger.budget(&[]).unwrap();
    eprintln!("spent: {:?}", b.iter().map(|e| (e.epoch.clone(), e.epsilon_spent, e.parts)).collect::<Vec<_>>());

    assert!(share_b < 0.5, "before, most of reach was withheld: {share_b}");
    assert!((share_a - 1.0).abs() < 1e-9, "after, every key with a device is released");
    eprintln!(
        "reach on the {large} (top tier, zone) keys of 48 devices or more: mean relative error {:.0}% before, {:.0}% after",
        100.0 * rel_b,
        100.0 * rel_a
    );
    assert!(large > 0, "the city has keys large enough to read");
    assert!(rel_a < 0.5 && rel_a < rel_b, "reach is readable where it holds devices: {rel_a} against {rel_b}");
    assert_eq!(flows_after.mechanism, crowdlens_dp::Mechanism::Gaussian, "±24 over many pairs is cheaper in Gaussian noise");
    // The same accuracy for less: within noise of the same error.
    assert!(fmae_a < fmae_b * 1.5 + 1.0, "{fmae_a} against {fmae_b}");
}
