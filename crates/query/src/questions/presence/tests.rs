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
        SourceFile { digest: "t".into(), path: "t".into(), bytes: 0 },
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
    let w = Window::new(
        MON,
        MON + 6 * 3600,
        3600,
        &store.config().resolution,
        &crate::release::rules_of_config(store.config()),
    )
    .unwrap();
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
    let w = Window::new(
        MON,
        MON + 3600,
        3600,
        &store.config().resolution,
        &crate::release::rules_of_config(store.config()),
    )
    .unwrap();
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
        let w = Window::new(MON, MON + 8 * 3600, 3600, &store.config().resolution, &crate::release::rules_of_config(store.config())).unwrap();
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
        epsilon: Some(1.0),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: None,
    }
}

fn one_row() -> Vec<StoredPing> {
    vec![StoredPing { pseudonym: Pseudonym(1), cell: u64::from(cell_near(0)), time_s: MON, category: None }]
}

fn ledger_with(store: &Store, epsilon_per_epoch: f64) -> Ledger {
    let rules = crowdlens_control::Rules {
        epsilon_per_epoch,
        max_epsilon_per_question: 1.0,
        ..crate::release::rules_of_config(store.config())
    };
    let files =
        crowdlens_control::LedgerFiles { database: store.control_db_path(), witness: store.ledger_witness_path() };
    Ledger::create(&files, &rules).unwrap()
}

#[test]
fn releases_every_public_partition_and_charges() {
    let (_d, store) = store_with(&one_row());
    let mut ledger = ledger_with(&store, 10.0);
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
    let (_d, store) = store_with(&one_row());
    let mut ledger = ledger_with(&store, 1.0);
    let rt = runtime();
    let mut ask =
        |q: PresenceQuestion, purpose: &str| rt.block_on(ask_presence(&store, &mut ledger, &asker(purpose), &q));
    let e = ask(question(), "curiosity").unwrap_err();
    assert!(matches!(e, QueryError::BadPurpose { .. }), "{e}");
    let e = ask(PresenceQuestion { res: Some(10), ..question() }, "research").unwrap_err();
    assert_eq!(e.to_string(), "resolution 10 is finer than this store allows (finest: 9); use --res 9 or coarser");
    let e = ask(PresenceQuestion { epsilon: Some(2.0), ..question() }, "research").unwrap_err();
    assert!(matches!(e, QueryError::EpsilonAboveCap { .. }), "{e}");
    let e = ask(PresenceQuestion { epsilon: Some(f64::NAN), ..question() }, "research").unwrap_err();
    assert!(matches!(e, QueryError::Dp(_)), "{e}");
    ask(question(), "research").unwrap();
    let e = ask(PresenceQuestion { epsilon: Some(0.5), ..question() }, "research").unwrap_err();
    assert!(matches!(e, QueryError::Control(_)), "{e}");
    assert_eq!(ledger.budget(&[]).unwrap()[0].epsilon_spent, 1.0, "only the answered question spent");
    // The rules and the signing key, four free refusals, the answered question's charge and
    // answer, the budget refusal.
    assert_eq!(ledger.audit_len().unwrap(), 2 + 4 + 2 + 1);
}

/// Hole: with ε = 10 and L = 1 the discrete Laplace scale is 0.1, the 95% interval has
/// half-width 0, and one question publishes an exact count. The per-question cap refuses it,
/// in a dry run too, and says what is allowed.
#[test]
fn a_single_question_cannot_publish_an_exact_count() {
    let (_d, store) = store_with(&one_row());
    let ledger = ledger_with(&store, 10.0);
    let exact = PresenceQuestion {
        area: format!("cells:{}", cell_near(0).parent(Resolution::Nine).unwrap()),
        bucket_s: 900,
        to_s: MON + 900,
        res: None,
        epsilon: Some(10.0),
        max_partitions: Some(1),
        ..question()
    };
    let e = preview_presence(&store, ledger.rules(), &exact).unwrap_err();
    assert_eq!(e.to_string(), "--epsilon 10 is above this store's cap of 1 per question; ask with --epsilon 1 or less");
    let at_cap = preview_presence(&store, ledger.rules(), &PresenceQuestion { epsilon: Some(1.0), ..exact }).unwrap();
    assert!(at_cap.ci_half_width >= 1.0, "{}", at_cap.ci_half_width);
}

/// Hole: a window from 1970 to 2100 was priced over thousands of epochs, future ones included.
#[test]
fn windows_are_capped_and_end_with_the_data() {
    let (_d, store) = store_with(&one_row());
    let ledger = ledger_with(&store, 10.0);
    // A thousand weeks back, two thousand ahead.
    let week = 7 * 86_400;
    let long = PresenceQuestion { from_s: MON - 1000 * week, to_s: MON + 2000 * week, bucket_s: week, ..question() };
    let e = preview_presence(&store, ledger.rules(), &long).unwrap_err();
    assert!(matches!(e, QueryError::WindowTooLong { .. }), "{e}");
    // The data is in 2026-W45; a window into W46 would charge a week nothing has arrived for.
    let ahead = PresenceQuestion { to_s: MON + 8 * 86_400, bucket_s: 86_400, ..question() };
    let e = preview_presence(&store, ledger.rules(), &ahead).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the window reaches past 2026-W45, the newest week this store holds; end it by 2026-11-09 at the latest"
    );
    let (_e, empty) = store_with(&[]);
    let e = preview_presence(&empty, ledger.rules(), &question()).unwrap_err();
    assert!(e.to_string().contains("holds no data yet"), "{e}");
}

/// Hole: the plan ran before the ledger was asked, so failures after reading data were free.
/// Now the charge is committed first; a failure afterwards keeps it and is audited.
#[test]
fn a_failure_after_the_charge_keeps_the_charge() {
    let (_d, store) = store_with(&one_row());
    let mut ledger = ledger_with(&store, 10.0);
    // The data goes missing under the question (a failing disk, a hostile admin).
    for s in store.manifest().unwrap().segments {
        std::fs::remove_file(store.root().join(&s.path)).unwrap();
    }
    let e = runtime().block_on(ask_presence(&store, &mut ledger, &asker("research"), &question())).unwrap_err();
    assert!(matches!(e, QueryError::EngineFailed(_)), "{e}");
    assert_eq!(ledger.budget(&[]).unwrap()[0].epsilon_spent, 1.0, "the charge stands");
    let entries = ledger.audit_entries().unwrap();
    assert_eq!(entries[entries.len() - 2].outcome, "charged");
    assert!(entries.last().unwrap().outcome.starts_with("failed after charge: query engine"), "{entries:?}");
}

/// Hole: a server timeout dropped the question's future and wrote no audit entry.
#[test]
fn a_question_dropped_mid_run_is_charged_and_audited() {
    let rows: Vec<StoredPing> = (0..20_000u64)
        .map(|d| StoredPing {
            pseudonym: Pseudonym(d),
            cell: u64::from(cell_near((d % 16) as usize)),
            time_s: MON + (d as i64 % 3600),
            category: None,
        })
        .collect();
    let (_d, store) = store_with(&rows);
    let mut ledger = ledger_with(&store, 10.0);
    let rt = runtime();
    let outcome = rt.block_on(async {
        tokio::time::timeout(
            std::time::Duration::ZERO,
            ask_presence(&store, &mut ledger, &asker("research"), &question()),
        )
        .await
    });
    assert!(outcome.is_err(), "the question should not finish within its first poll");
    assert_eq!(ledger.budget(&[]).unwrap()[0].epsilon_spent, 1.0);
    let last = ledger.audit_entries().unwrap().pop().unwrap();
    assert!(last.outcome.starts_with("abandoned after charge"), "{last:?}");
    ledger.verify_audit().unwrap();
}

/// Asked by accuracy, a question is charged the least that meets it, with the noise that fits
/// more such questions in a week: at the demo's ±12 and L = 4, Gaussian noise fits three times
/// as many as Laplace. Asked by ε, the narrower interval at that ε wins.
#[test]
fn asking_by_accuracy_charges_the_cheaper_mechanism_the_least_that_meets_it() {
    let (_d, store) = store_with(&one_row());
    let ledger = ledger_with(&store, 10.0);
    let rules = ledger.rules().clone();
    let by_accuracy = |accuracy: f64, mechanism: MechanismChoice| PresenceQuestion {
        epsilon: None,
        accuracy: Some(accuracy),
        mechanism,
        max_partitions: Some(4),
        ..question()
    };
    let auto = preview_presence(&store, &rules, &by_accuracy(12.0, MechanismChoice::Auto)).unwrap();
    assert_eq!(auto.mechanism, crowdlens_dp::Mechanism::Gaussian, "{auto:?}");
    assert!(auto.ci_half_width <= 12.0);
    assert!(auto.cost.rho > 0.0 && auto.cost.epsilon == 0.0, "{:?}", auto.cost);
    let [laplace, gaussian] = [&auto.considered[0], &auto.considered[1]];
    assert_eq!(laplace.mechanism, crowdlens_dp::Mechanism::Laplace);
    assert_eq!(laplace.per_epoch, 10, "ε 1 a question, 10 a week");
    assert!(gaussian.per_epoch >= 30, "{gaussian:?}");
    assert_eq!(auto.accuracy, Some(12.0));

    let only_laplace = preview_presence(&store, &rules, &by_accuracy(12.0, MechanismChoice::Laplace)).unwrap();
    assert_eq!(only_laplace.mechanism, crowdlens_dp::Mechanism::Laplace);
    assert!((0.9..=1.0).contains(&only_laplace.epsilon), "{}", only_laplace.epsilon);
    assert!(only_laplace.considered.is_empty());

    // Asked by ε 1 at L = 4, Laplace gives the narrower interval.
    let by_epsilon = PresenceQuestion { mechanism: MechanismChoice::Auto, max_partitions: Some(4), ..question() };
    let c = preview_presence(&store, &rules, &by_epsilon).unwrap();
    assert_eq!((c.mechanism, c.epsilon), (crowdlens_dp::Mechanism::Laplace, 1.0));

    // An accuracy finer than the cap allows says the finest there is; one that no noise meets
    // is refused; both together, or neither, name the parameter.
    let e = preview_presence(&store, &rules, &by_accuracy(2.0, MechanismChoice::Auto)).unwrap_err();
    assert_eq!(e.code(), "accuracy_beyond_cap", "{e}");
    assert!(e.to_string().contains("the finest this question can be answered to is ±"), "{e}");
    let e = preview_presence(&store, &rules, &by_accuracy(0.5, MechanismChoice::Auto)).unwrap_err();
    assert_eq!(e.code(), "bad_privacy_parameters", "{e}");
    let both = PresenceQuestion { accuracy: Some(12.0), ..question() };
    let e = preview_presence(&store, &rules, &both).unwrap_err();
    assert!(matches!(&e, QueryError::BadParameter { name, .. } if name == "accuracy"), "{e}");
    let neither = PresenceQuestion { epsilon: None, ..question() };
    let e = preview_presence(&store, &rules, &neither).unwrap_err();
    assert!(matches!(&e, QueryError::BadParameter { name, .. } if name == "epsilon"), "{e}");

    // A very loose accuracy is charged no less than the floor, for either noise.
    let loose = preview_presence(&store, &rules, &by_accuracy(100_000.0, MechanismChoice::Auto)).unwrap();
    assert!(loose.considered.iter().all(|o| !o.below_floor), "{:?}", loose.considered);
    let gaussian_loose = preview_presence(&store, &rules, &by_accuracy(100_000.0, MechanismChoice::Gaussian)).unwrap();
    assert!(
        (2.0 * gaussian_loose.cost.rho).sqrt() >= rules.min_epsilon_per_question * (1.0 - 1e-9),
        "{:?}",
        gaussian_loose.cost
    );
}

/// The ledger takes what the price says: a question asked by accuracy is answered, charged its
/// ρ, and its answer's intervals are what was asked.
#[test]
fn a_question_asked_by_accuracy_is_answered_within_it() {
    let (_d, store) = store_with(&one_row());
    let mut ledger = ledger_with(&store, 10.0);
    let q = PresenceQuestion {
        epsilon: None,
        accuracy: Some(12.0),
        mechanism: MechanismChoice::Auto,
        max_partitions: Some(4),
        ..question()
    };
    let a = runtime().block_on(ask_presence(&store, &mut ledger, &asker("research"), &q)).unwrap();
    assert_eq!(a.mechanism, crowdlens_dp::Mechanism::Gaussian);
    assert!(a.rows.iter().all(|r| r.ci_high - r.value as f64 <= 12.0));
    assert_eq!(a.asked["accuracy"], 12.0);
    let b = &ledger.budget(&[]).unwrap()[0];
    assert!(b.parts.rho > 0.04 && b.parts.rho < 0.06 && b.parts.epsilon_pure == 0.0, "{:?}", b.parts);
}
