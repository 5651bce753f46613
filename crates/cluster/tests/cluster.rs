//! A scheduler and two executors on loopback, in this process as Ballista's own tests run them:
//! every question's bounded aggregation gives the same numbers on the cluster as locally, a
//! question asked through the release path is charged once, and a stock executor (one without
//! crowdlens' functions) fails the question with an error that says what to do.

use crowdlens_cluster::{run_executor, run_scheduler, ClusterAddress, ClusterEngine, ExecutorOptions};
use crowdlens_query::engine::{with_engine, Engine};
use crowdlens_query::exact;
use crowdlens_query::presence::{ask_presence, PresenceQuestion};
use crowdlens_query::window::Window;
use crowdlens_query::Asker;
use crowdlens_store::{Config, Store};
use h3o::Resolution;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const MON: i64 = 1_793_577_600; // 2026-11-02T00:00:00Z

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Ports for an executor: data on `p`, control on `p + 1`, both free.
fn free_port_pair() -> u16 {
    loop {
        let p = free_port();
        if p < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

async fn wait_for(addr: SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {addr}");
}

/// Starts a scheduler and `executors` executors; returns the engine that asks them.
async fn start_cluster(executors: usize, crowdlens_functions: bool) -> ClusterEngine {
    let scheduler: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    tokio::spawn(run_scheduler(scheduler));
    wait_for(scheduler).await;
    for _ in 0..executors {
        let bind: SocketAddr = format!("127.0.0.1:{}", free_port_pair()).parse().unwrap();
        tokio::spawn(run_executor(ExecutorOptions {
            scheduler,
            bind,
            concurrency: 2,
            work_dir: None,
            crowdlens_functions,
        }));
        wait_for(bind).await;
    }
    let address = ClusterAddress::parse(&format!("df://{scheduler}")).unwrap();
    ClusterEngine::new(address)
}

fn store_from_synth(dir: &Path) -> Store {
    let city = dir.join("city");
    let opts = crowdlens_synth::SynthOptions { devices: 300, days: 2, mean_bids_per_day: 4.0, ..Default::default() };
    crowdlens_synth::generate(&city, &opts, &mut |_| {}).unwrap();
    let store = Store::init(&dir.join("st"), &Config::default()).unwrap();
    crowdlens_query::create_ledger(&store).unwrap();
    let options = crowdlens_ingest::IngestOptions::default();
    let progress = crowdlens_ingest::pipeline::NoProgress;
    crowdlens_ingest::ingest_pings(&store, &city.join("pings.csv"), &options, &progress).unwrap();
    crowdlens_ingest::ingest_openrtb(&store, &city.join("bids.jsonl.gz"), &options, &progress).unwrap();
    store
}

fn downtown(res: u8) -> Vec<h3o::CellIndex> {
    crowdlens_query::area::Area::parse("bbox:-93.30,44.95,-93.20,45.00")
        .unwrap()
        .cells(Resolution::try_from(res).unwrap())
        .unwrap()
}

/// Every question's bounded aggregate, as numbers that can be compared. The bound is far above
/// any device's keys, so no key is dropped and the random salt cannot change the result.
async fn all_aggregates(store: &Store) -> Vec<String> {
    const BOUND: u32 = 100_000;
    let day = 86_400;
    let window = Window { from_s: MON, to_s: MON + 2 * day, bucket_s: 3600 };
    let baseline = Window { from_s: MON, to_s: MON + day, bucket_s: 3600 };
    let target = Window { from_s: MON + day, to_s: MON + 2 * day, bucket_s: 3600 };
    let cells8 = downtown(8);
    let east =
        crowdlens_query::area::Area::parse("bbox:-93.20,44.93,-93.05,45.00").unwrap().cells(Resolution::Eight).unwrap();
    let sorted = |m: std::collections::HashMap<(u64, u64), i64>| {
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_unstable();
        format!("{v:?}")
    };
    let zone_map: Vec<(u64, u64)> = cells8.iter().map(|c| (u64::from(*c), u64::from(*c) % 3)).collect();
    vec![
        sorted(exact::presence(store, &window, 8, &cells8, BOUND).await.unwrap()),
        sorted(exact::flows(store, MON, MON + 2 * day, 7, BOUND).await.unwrap()),
        sorted(exact::named_flows(store, MON, MON + 2 * day, 8, &zone_map, BOUND).await.unwrap()),
        format!("{:?}", exact::dwell(store, MON, MON + 2 * day, 8, &cells8, 1800, BOUND).await.unwrap()),
        format!("{:?}", exact::covisit(store, MON, MON + 2 * day, 8, &cells8, &east).await.unwrap()),
        format!("{:?}", exact::series(store, &target, &baseline, 8, &cells8, BOUND).await.unwrap()),
        sorted(exact::reach(store, MON, MON + 2 * day, 7, &downtown(7), BOUND).await.unwrap()),
    ]
}

/// A presence question on downtown's first day, at ε 0.5, and who asks it.
fn downtown_presence() -> (PresenceQuestion, Asker) {
    let q = PresenceQuestion {
        area: "bbox:-93.30,44.95,-93.20,45.00".into(),
        from_s: MON,
        to_s: MON + 86_400,
        bucket_s: 3600,
        res: Some(8),
        epsilon: 0.5,
        mechanism: "laplace".parse().unwrap(),
        max_partitions: None,
    };
    let asker = Asker { actor: "t".into(), role: "analyst".into(), case_id: "C-1".into(), purpose: "research".into() };
    (q, asker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_computes_what_this_process_computes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_from_synth(dir.path());
    let local = all_aggregates(&store).await;
    assert!(local[0].len() > 100 && local[1].len() > 100, "the store has data to compare: {local:?}");
    let engine: Arc<dyn Engine> = Arc::new(start_cluster(2, true).await);
    let remote = with_engine(engine.clone(), all_aggregates(&store)).await;
    let names = ["presence", "flows", "named flows", "dwell", "co-visit", "series", "reach"];
    for ((name, l), r) in names.iter().zip(&local).zip(&remote) {
        assert_eq!(l, r, "{name} differs between this process and the cluster");
    }

    // Through the release path: checks, one charge, noise and the audit entry stay here.
    let mut ledger = crowdlens_query::open_ledger(&store).unwrap();
    let charges = ledger.charges().unwrap().len();
    let (q, asker) = downtown_presence();
    let answer = with_engine(engine, ask_presence(&store, &mut ledger, &asker, &q)).await.unwrap();
    assert!(!answer.rows.is_empty());
    assert_eq!(ledger.charges().unwrap().len(), charges + 1, "charged once, in its one epoch");
}

/// Asks downtown presence on `engine`, which must fail it within `within`: returns the error and
/// the question's audit outcome, after checking it was charged exactly once, at its ε.
async fn a_failing_presence(engine: ClusterEngine, within: Duration) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_from_synth(dir.path());
    let mut ledger = crowdlens_query::open_ledger(&store).unwrap();
    let (q, asker) = downtown_presence();
    let charges = ledger.charges().unwrap().len();
    let e = tokio::time::timeout(within, with_engine(Arc::new(engine), ask_presence(&store, &mut ledger, &asker, &q)))
        .await
        .expect("the question fails rather than hangs")
        .unwrap_err()
        .to_string();
    // Failing after its charge, the question stays charged, exactly once, and is audited.
    let after = ledger.charges().unwrap();
    assert_eq!(after.len(), charges + 1, "charged exactly once");
    assert_eq!(after.last().unwrap().epsilon, 0.5);
    let last = ledger.audit_entries().unwrap().pop().unwrap();
    assert!(last.outcome.starts_with("failed after charge"), "{last:?}");
    (e, last.outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stock_executor_is_named_as_the_problem() {
    let (e, outcome) = a_failing_presence(start_cluster(1, false).await, Duration::from_secs(120)).await;
    assert!(e.contains("stock Ballista executor") && e.contains("crowdlens cluster executor"), "{e}");
    assert!(outcome.contains("bounded_keys"), "{outcome}");
}

/// A cluster that never runs the question's tasks (here it has no executor at all; in life, one
/// lost mid-question whose tasks Ballista never hands on): the question is given up at its
/// deadline, settled as a failure after its one charge, instead of waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_question_the_cluster_never_runs_ends_at_its_deadline() {
    let engine = start_cluster(0, true).await.with_deadline(Duration::from_secs(2));
    let started = std::time::Instant::now();
    let (e, outcome) = a_failing_presence(engine, Duration::from_secs(60)).await;
    assert!(started.elapsed() < Duration::from_secs(40), "ended near its deadline: {:?}", started.elapsed());
    assert!(e.contains("did not finish") && e.contains("within 2 s") && e.contains("--engine-timeout"), "{e}");
    assert!(outcome.contains("did not finish"), "{outcome}");
}
