//! A scheduler and two executors on loopback, in this process as Ballista's own tests run them:
//! every question's bounded aggregation gives the same numbers on the cluster as locally, a
//! question asked through the release path is charged once, and a stock executor (one without
//! crowdlens' functions) fails the question with an error that says what to do.

use crowdlens_cluster::{
    prepare_work_dir, run_executor, run_scheduler, ClusterAddress, ClusterEngine, Credentials, ExecutorOptions, Transport,
};
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


async fn wait_for(addr: SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {addr}");
}

/// A cluster on loopback: the engine that asks it and its executors' work directories.
struct TestCluster {
    engine: ClusterEngine,
    work_dirs: Vec<std::path::PathBuf>,
    _dirs: tempfile::TempDir,
}

/// Starts a scheduler and `executors` executors, every one with its own bundle from one
/// authority, as `crowdlens cluster credentials` issues them.
async fn start_cluster(executors: usize, crowdlens_functions: bool) -> TestCluster {
    let dirs = tempfile::tempdir().unwrap();
    let nodes: Vec<String> = std::iter::once("scheduler".to_string())
        .chain((0..executors).map(|i| format!("executor-{i}")))
        .collect();
    let issued = crowdlens_cluster::credentials::issue(&dirs.path().join("creds"), &nodes).unwrap();
    let transport = |name: &str| {
        let dir = &issued.bundles.iter().find(|(n, _)| n == name).unwrap().1;
        Transport::MutualTls(Arc::new(Credentials::load(dir).unwrap()))
    };
    let scheduler: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    tokio::spawn(run_scheduler(scheduler, transport("scheduler")));
    wait_for(scheduler).await;
    let mut work_dirs = Vec::new();
    for i in 0..executors {
        let bind: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let work_dir = prepare_work_dir(&dirs.path().join(format!("work-{i}"))).unwrap();
        work_dirs.push(work_dir.path.clone());
        tokio::spawn(run_executor(ExecutorOptions {
            scheduler,
            bind,
            concurrency: 2,
            work_dir,
            crowdlens_functions,
            transport: transport(&format!("executor-{i}")),
        }));
        wait_for(bind).await;
    }
    let address = ClusterAddress::parse(&format!("df://{scheduler}")).unwrap();
    TestCluster { engine: ClusterEngine::new(address, transport("coordinator")), work_dirs, _dirs: dirs }
}

/// Every file and directory under the executors' work directories but their marks.
fn shuffle_entries(work_dirs: &[std::path::PathBuf]) -> Vec<(std::path::PathBuf, u32)> {
    fn walk(dir: &Path, out: &mut Vec<(std::path::PathBuf, u32)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            if entry.file_name() == crowdlens_cluster::executor::WORK_DIR_MARK {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            use std::os::unix::fs::PermissionsExt;
            out.push((entry.path(), meta.permissions().mode() & 0o777));
            if meta.is_dir() {
                walk(&entry.path(), out);
            }
        }
    }
    let mut out = Vec::new();
    for dir in work_dirs {
        walk(dir, &mut out);
    }
    out
}

/// Waits until no shuffle file is left, for at most `within`; what is left then. DataFusion's
/// spill directory (`datafusion-*`, emptied as each task ends) lives as long as the executor.
async fn shuffle_left_after(work_dirs: &[std::path::PathBuf], within: Duration) -> Vec<(std::path::PathBuf, u32)> {
    let start = std::time::Instant::now();
    loop {
        let spill_dir = |p: &std::path::PathBuf| {
            p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("datafusion-"))
        };
        let left: Vec<_> = shuffle_entries(work_dirs).into_iter().filter(|(p, _)| !spill_dir(p)).collect();
        if left.is_empty() || start.elapsed() > within {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
        epsilon: Some(0.5),
        accuracy: None,
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
    let cluster = start_cluster(2, true).await;
    let engine: Arc<dyn Engine> = Arc::new(cluster.engine.clone());
    // Every file an executor writes while the questions run is owner-only, in owner-only
    // directories: watched from another thread while they run.
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (watching, work_dirs) = (Arc::clone(&watching), cluster.work_dirs.clone());
        std::thread::spawn(move || {
            let mut seen = std::collections::BTreeMap::new();
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                seen.extend(shuffle_entries(&work_dirs));
                std::thread::sleep(Duration::from_millis(1));
            }
            seen
        })
    };
    let remote = with_engine(engine.clone(), all_aggregates(&store)).await;
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let seen = watcher.join().unwrap();
    assert!(seen.len() > 10, "shuffle files were seen while the questions ran: {seen:?}");
    let exposed: Vec<_> = seen.iter().filter(|(_, mode)| *mode & 0o077 != 0).collect();
    assert!(exposed.is_empty(), "shuffle entries other users can open: {exposed:?}");
    // And none outlives its question.
    let left = shuffle_left_after(&cluster.work_dirs, Duration::from_secs(5)).await;
    assert!(left.is_empty(), "shuffle files outlived their questions: {left:?}");
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
    let cluster = start_cluster(1, false).await;
    let (e, outcome) = a_failing_presence(cluster.engine.clone(), Duration::from_secs(120)).await;
    // Executors poll for tasks, so a stock one takes the task and fails on the aggregate's name.
    assert!(e.contains("does not know crowdlens' aggregates") && e.contains("crowdlens cluster executor"), "{e}");
    assert!(outcome.contains("does not know crowdlens' aggregates"), "{outcome}");
    let left = shuffle_left_after(&cluster.work_dirs, Duration::from_secs(5)).await;
    assert!(left.is_empty(), "a failed question's shuffle files outlived it: {left:?}");
}

/// A cluster that never runs the question's tasks (here it has no executor at all; in life, one
/// lost mid-question whose tasks Ballista never hands on): the question is given up at its
/// deadline, settled as a failure after its one charge, instead of waiting forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_question_the_cluster_never_runs_ends_at_its_deadline() {
    let engine = start_cluster(0, true).await.engine.with_deadline(Duration::from_secs(2));
    let started = std::time::Instant::now();
    let (e, outcome) = a_failing_presence(engine, Duration::from_secs(60)).await;
    assert!(started.elapsed() < Duration::from_secs(40), "ended near its deadline: {:?}", started.elapsed());
    assert!(e.contains("did not finish") && e.contains("within 2 s") && e.contains("--engine-timeout"), "{e}");
    assert!(outcome.contains("did not finish"), "{outcome}");
}

/// A question given up at its deadline while its tasks run: the job is cancelled, and its
/// files (those its running tasks write after the cancel too) are gone soon after.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_question_past_its_deadline_leaves_no_shuffle_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_from_synth(dir.path());
    let cluster = start_cluster(1, true).await;
    let engine: Arc<dyn Engine> = Arc::new(cluster.engine.clone().with_deadline(Duration::from_millis(300)));
    let outcome = with_engine(engine, exact::flows(&store, MON, MON + 2 * 86_400, 7, 100_000)).await;
    if let Err(e) = &outcome {
        assert!(e.to_string().contains("did not finish"), "{e}");
    }
    let left = shuffle_left_after(&cluster.work_dirs, Duration::from_secs(15)).await;
    assert!(left.is_empty(), "files outlived a question that ended {:?}: {left:?}", outcome.map(|m| m.len()));
}
