//! Exact evaluation (noise-free, test-only) against a brute-force count over the same records.

use super::*;
use crowdlens_store::{Config, SourceCounts, SourceFile};
use crowdlens_types::{Pseudonym, StoredPing};
use h3o::{CellIndex, LatLng};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

const MON: i64 = 1_793_577_600; // 2026-11-02T00:00:00Z

fn store_with(rows: &[StoredPing]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let mut run = store.begin_ingest().unwrap();
    for r in rows {
        run.push(*r).unwrap();
    }
    let n = rows.len() as u64;
    run.commit(
        SourceFile { sha256: "t".into(), path: "t".into(), bytes: 0 },
        "pings",
        SourceCounts { read: n, stored: n, ..Default::default() },
    )
    .unwrap();
    (dir, store)
}

fn cell_near(i: usize) -> CellIndex {
    LatLng::new(44.97 + 0.01 * (i % 4) as f64, -93.26 + 0.01 * (i / 4) as f64).unwrap().to_cell(Resolution::Ten)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Distinct (device, parent cell, bucket) triples in the window: what bounding then caps.
fn brute_force(rows: &[StoredPing], w: &Window, res: Resolution) -> HashMap<Pseudonym, HashSet<(u64, u64)>> {
    let mut per_device: HashMap<Pseudonym, HashSet<(u64, u64)>> = HashMap::new();
    for r in rows {
        if r.time_s < w.from_s || r.time_s >= w.to_s {
            continue;
        }
        let parent = CellIndex::try_from(r.cell).unwrap().parent(res).unwrap();
        let b = ((r.time_s - w.from_s) / w.bucket_s) as u64;
        per_device.entry(r.pseudonym).or_default().insert((u64::from(parent), b));
    }
    per_device
}

#[test]
fn exact_counts_match_brute_force_when_unbounded() {
    let mut rows = Vec::new();
    for d in 0..30u64 {
        for k in 0..5i64 {
            rows.push(StoredPing {
                pseudonym: Pseudonym(d),
                cell: u64::from(cell_near((d as usize + k as usize) % 8)),
                time_s: MON + 3600 * ((d as i64 + k) % 6),
                category: None,
            });
        }
    }
    // A ping outside the window must not count.
    rows.push(StoredPing {
        pseudonym: Pseudonym(99),
        cell: u64::from(cell_near(0)),
        time_s: MON + 86_400,
        category: None,
    });
    let (_d, store) = store_with(&rows);
    let w = Window::new(MON, MON + 6 * 3600, 3600, &store.config().resolution).unwrap();
    let res = Resolution::Nine;
    let cells: Vec<CellIndex> = {
        let set: std::collections::BTreeSet<_> = (0..8).map(|i| cell_near(i).parent(res).unwrap()).collect();
        set.into_iter().collect()
    };
    let got = runtime().block_on(plan::presence_counts(&store, &w, 9, &cells, 1000)).unwrap();
    let mut want: HashMap<(u64, u64), i64> = HashMap::new();
    for parts in brute_force(&rows, &w, res).values() {
        for p in parts {
            *want.entry(*p).or_default() += 1;
        }
    }
    assert_eq!(got.counts, want);
}

#[test]
fn cells_outside_the_area_are_not_counted() {
    let rows = vec![
        StoredPing { pseudonym: Pseudonym(1), cell: u64::from(cell_near(0)), time_s: MON, category: None },
        StoredPing { pseudonym: Pseudonym(2), cell: u64::from(cell_near(5)), time_s: MON, category: None },
    ];
    let (_d, store) = store_with(&rows);
    let w = Window::new(MON, MON + 3600, 3600, &store.config().resolution).unwrap();
    let only = vec![cell_near(0).parent(Resolution::Eight).unwrap()];
    let got = runtime().block_on(plan::presence_counts(&store, &w, 8, &only, 4)).unwrap();
    assert_eq!(got.counts.len(), 1);
    assert_eq!(got.counts[&(u64::from(only[0]), 0)], 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever the data, each device adds to at most L partitions, each at most once: the total
    /// equals Σ min(L, partitions of the device), and no partition exceeds its true count.
    #[test]
    fn no_device_exceeds_its_bound(
        pings in prop::collection::vec((0u64..12, 0usize..8, 0i64..8), 1..300),
        bound in 1u32..6,
    ) {
        let rows: Vec<StoredPing> = pings.iter().map(|&(d, c, h)| StoredPing {
            pseudonym: Pseudonym(d), cell: u64::from(cell_near(c)), time_s: MON + h * 3600, category: None,
        }).collect();
        let (_d, store) = store_with(&rows);
        let w = Window::new(MON, MON + 8 * 3600, 3600, &store.config().resolution).unwrap();
        let res = Resolution::Nine;
        let cells: Vec<CellIndex> = {
            let set: std::collections::BTreeSet<_> = (0..8).map(|i| cell_near(i).parent(res).unwrap()).collect();
            set.into_iter().collect()
        };
        let got = runtime().block_on(plan::presence_counts(&store, &w, 9, &cells, bound)).unwrap();
        let truth = brute_force(&rows, &w, res);
        let expected_total: i64 = truth.values().map(|p| (p.len() as i64).min(bound as i64)).sum();
        prop_assert_eq!(got.counts.values().sum::<i64>(), expected_total);
        let mut true_counts: HashMap<(u64, u64), i64> = HashMap::new();
        for parts in truth.values() { for p in parts { *true_counts.entry(*p).or_default() += 1; } }
        for (k, v) in &got.counts {
            prop_assert!(*v <= true_counts[k]);
        }
    }
}

fn asker(purpose: &str) -> Asker {
    Asker { actor: "test".into(), role: "admin".into(), case_id: "C-1".into(), purpose: purpose.into() }
}

fn question() -> PresenceQuestion {
    PresenceQuestion {
        area: "bbox:-93.30,44.95,-93.20,45.02".into(),
        from_s: MON,
        to_s: MON + 4 * 3600,
        bucket_s: 3600,
        res: Some(8),
        epsilon: 1.0,
        mechanism: Mechanism::Laplace,
        max_partitions: None,
    }
}

#[test]
fn releases_every_public_partition_and_charges() {
    let rows = vec![StoredPing { pseudonym: Pseudonym(1), cell: u64::from(cell_near(0)), time_s: MON, category: None }];
    let (_d, store) = store_with(&rows);
    let mut ledger = Ledger::open(&store.control_db_path(), 10.0, 1e-5).unwrap();
    let answer = runtime().block_on(ask_presence(&store, &mut ledger, &asker("research"), &question())).unwrap();
    let cells = Area::parse(&question().area).unwrap().cells(Resolution::Eight).unwrap().len();
    assert_eq!(answer.rows.len(), cells * 4, "zeros included");
    assert_eq!(answer.epochs, vec!["2026-W45".to_string()]);
    for r in &answer.rows {
        assert!(r.ci_low < r.value as f64 && (r.value as f64) < r.ci_high);
    }
    let b = ledger.budget(&[]).unwrap();
    assert_eq!(b[0].epsilon_spent, 1.0);
}

#[test]
fn refusals_spend_nothing_and_are_audited() {
    let (_d, store) = store_with(&[]);
    let mut ledger = Ledger::open(&store.control_db_path(), 1.0, 1e-5).unwrap();
    let rt = runtime();
    let e = rt.block_on(ask_presence(&store, &mut ledger, &asker("curiosity"), &question())).unwrap_err();
    assert!(matches!(e, QueryError::BadPurpose { .. }), "{e}");
    let e = rt
        .block_on(ask_presence(
            &store,
            &mut ledger,
            &asker("research"),
            &PresenceQuestion { res: Some(10), ..question() },
        ))
        .unwrap_err();
    assert_eq!(e.to_string(), "resolution 10 is finer than this store allows (finest: 9); use --res 9 or coarser");
    let e = rt
        .block_on(ask_presence(
            &store,
            &mut ledger,
            &asker("research"),
            &PresenceQuestion { epsilon: 2.0, ..question() },
        ))
        .unwrap_err();
    assert!(matches!(e, QueryError::Control(_)), "{e}");
    let e = rt
        .block_on(ask_presence(
            &store,
            &mut ledger,
            &asker("research"),
            &PresenceQuestion { epsilon: f64::NAN, ..question() },
        ))
        .unwrap_err();
    assert!(matches!(e, QueryError::Dp(_)), "{e}");
    assert!(ledger.budget(&[]).unwrap().iter().all(|b| b.epsilon_spent == 0.0));
    assert_eq!(ledger.audit_len().unwrap(), 4);
}
