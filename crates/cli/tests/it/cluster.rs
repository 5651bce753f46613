//! `--engine` from the CLI: the errors a user sees when the cluster is not there, who the
//! cluster lets in, what its executors leave on disk, and a node killed mid-question. The
//! cluster's numbers (a scheduler and two executors on loopback) are tested in
//! `crates/cluster/tests`.

use crate::support::*;



fn ask(store: &std::path::Path, engine: Option<&str>, question: &[&str]) -> Run {
    let mut args = vec!["ask"];
    args.extend_from_slice(question);
    args.extend_from_slice(&[
        "--store",
        s(store),
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-04",
        "--epsilon",
        "0.5",
        "--case",
        "CL-1",
        "--purpose",
        "research",
        "--json",
    ]);
    if let Some(e) = engine {
        args.extend_from_slice(&["--engine", e]);
    }
    run(&args)
}

#[test]
fn a_cluster_that_is_not_there_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 50, 1);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    let nobody_port = free_port();
    let no_bundle = ask(&st, Some(&format!("df://127.0.0.1:{nobody_port}")), &["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"]);
    let e = no_bundle.clean_error();
    assert!(e.contains("no credentials for the cluster") && e.contains("cluster credentials --store"), "{e}");
    run(&["cluster", "credentials", "--out", s(&dir.path().join("creds")), "--store", s(&st)]).ok();
    let nobody = format!("df://127.0.0.1:{}", free_port());
    let e = ask(&st, Some(&nobody), &["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"]);
    let e = e.clean_error();
    assert!(e.contains("cannot reach the Ballista scheduler") && e.contains("crowdlens cluster scheduler"), "{e}");
    let bad = ask(&st, Some("127.0.0.1:50050"), &["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"]);
    assert!(bad.clean_error().contains("df://HOST:PORT"), "{}", bad.stderr);
}

/// A cluster node started as a child process with `--log`; its stderr is read on a thread (so
/// the pipe never fills) and kept, to wait for lines and to show when a test fails.
struct Node {
    name: &'static str,
    child: std::process::Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Node {
    fn start(name: &'static str, args: &[&str]) -> Node {
        use std::io::BufRead;
        let mut child = bin()
            .args(args)
            .arg("--log")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), log.clone());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Node { name, child, log }
    }

    /// Waits until the node has logged `needle`.
    fn wait_for(&self, needle: &str, within: std::time::Duration) {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if self.log.lock().unwrap().contains(needle) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{} did not log {needle:?} within {within:?}; its log:\n{}", self.name, self.log.lock().unwrap());
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Waits for `child` to exit while threads drain its stdout and stderr (an answer is larger
/// than a pipe holds, and a child blocked writing it never exits); past `within`, kills it and
/// fails with the nodes' logs.
fn wait_at_most(mut child: std::process::Child, within: std::time::Duration, nodes: &[&Node]) -> Run {
    use std::io::Read;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_string(&mut text).ok();
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > within {
            child.kill().ok();
            let logs: Vec<String> = nodes.iter().map(|n| format!("{}:\n{}", n.name, n.log.lock().unwrap())).collect();
            panic!("the question still ran after {within:?}; the nodes' logs:\n{}", logs.join("\n"));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    Run { status: status.code().unwrap_or(-1), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

/// The audit chain's entries for one case, as `(id, outcome, epsilon, question)`.
fn audit_of_case(store: &std::path::Path, case: &str) -> Vec<(String, String, String, String)> {
    run(&["audit", "verify", "--store", s(store)]).ok();
    let out = store.with_file_name("audit.jsonl");
    run(&["audit", "export", "--store", s(store), "--out", s(&out)]).ok();
    let text = std::fs::read_to_string(&out).unwrap();
    let field = |e: &serde_json::Value, k: &str| e[k].as_str().unwrap().to_string();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["case_id"] == case)
        .map(|e| (field(&e, "id"), field(&e, "outcome"), field(&e, "epsilon"), field(&e, "question")))
        .collect()
}

/// A scheduler and two executors as separate processes. One executor is killed (SIGKILL) while it
/// runs a task of a question: the question either completes on the other executor or fails with
/// an error that names the cluster, and either way the ledger holds exactly one charge and the
/// audit chain one more entry.
#[test]
fn an_executor_killed_mid_question() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 2_000, 3);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();

    let creds = dir.path().join("creds");
    run(&["cluster", "credentials", "--out", s(&creds), "--store", s(&st)]).ok();
    let scheduler = format!("127.0.0.1:{}", free_port());
    let bundle = |name: &str| creds.join(name).to_string_lossy().into_owned();
    let sched_bundle = bundle("scheduler");
    let sched =
        Node::start("scheduler", &["cluster", "scheduler", "--bind", &scheduler, "--credentials", &sched_bundle]);
    sched.wait_for("crowdlens cluster scheduler on", std::time::Duration::from_secs(30));
    let executor = |name, port: u16, bundle: String| {
        let bind = format!("127.0.0.1:{port}");
        let work = dir.path().join(format!("work-{port}"));
        let args = ["cluster", "executor", "--scheduler", &scheduler, "--bind", &bind, "--concurrency", "1"];
        let args = [&args[..], &["--credentials", &bundle, "--work-dir", s(&work)]].concat();
        Node::start(name, &args)
    };
    let (a, b) = (
        executor("executor a", free_port(), bundle("executor-1")),
        executor("executor b", free_port(), bundle("executor-2")),
    );
    for node in [&a, &b] {
        node.wait_for("Starting poll work loop", std::time::Duration::from_secs(60));
    }

    let engine = format!("df://{scheduler}");
    let question = bin()
        .args(["ask", "flows", "--store", s(&st), "--from", "2026-11-02", "--to", "2026-11-05"])
        .args(["--area", "bbox:-93.40,44.90,-93.10,45.05", "--zones-res", "7"])
        .args(["--epsilon", "0.5", "--case", "CL-2", "--purpose", "research", "--json", "--engine", &engine])
        .args(["--engine-timeout", "90s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    b.wait_for("Received task", std::time::Duration::from_secs(60));
    drop(b); // SIGKILL while it runs one of the question's tasks

    // The question's own deadline (90 s) ends it whatever the cluster does; this bound only
    // keeps a regression from hanging the test suite.
    let outcome = wait_at_most(question, std::time::Duration::from_secs(240), &[&sched, &a]);
    eprintln!("outcome after the kill: status {}, {}", outcome.status, outcome.stderr.trim());
    if outcome.status == 0 {
        assert!(!outcome.json()["rows"].as_array().unwrap().is_empty(), "{}", outcome.stdout);
    } else {
        let e = outcome.clean_error();
        assert!(e.contains(&engine), "the error names the cluster: {e}\nscheduler:\n{}", sched.log.lock().unwrap());
    }
    // Ballista logs each job's plan at info level; the plan holds the question's salt.
    let scheduler_log = sched.log.lock().unwrap().clone();
    assert!(!scheduler_log.contains("bounded_keys("), "a plan reached the log:\n{scheduler_log}");
    assert!(scheduler_log.contains("a record holding a question's plan was not logged"), "{scheduler_log}");
    let budget = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let spent: f64 = budget["epochs"].as_array().unwrap().iter().map(|e| e["epsilon_spent"].as_f64().unwrap()).sum();
    assert!((spent - 0.5).abs() < 1e-9, "charged exactly once: {budget}");
    // The chain verifies, and holds the question's one charge and its one outcome, which
    // names that charge: answered, or failed after charge.
    let entries = audit_of_case(&st, "CL-2");
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (charge, outcome) = (&entries[0], &entries[1]);
    assert_eq!((charge.1.as_str(), charge.2.as_str()), ("charged", "0.5"), "{entries:?}");
    assert!(outcome.1 == "answered" || outcome.1.starts_with("failed after charge"), "{entries:?}");
    assert_eq!(outcome.3, format!("{{\"charged_in\":{}}}", charge.0), "{entries:?}");
    drop(a);
}

/// What a work directory holds beyond its mark and DataFusion's (empty) spill directories: every
/// file at any depth, and every other directory.
fn listing(dir: &std::path::Path) -> Vec<String> {
    fn walk(dir: &std::path::Path, top: bool, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() {
                if !(top && name.starts_with("datafusion-")) {
                    out.push(format!("{}/", entry.path().display()));
                }
                walk(&entry.path(), false, out);
            } else if !(top && name == ".crowdlens-executor") {
                out.push(entry.path().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, true, &mut out);
    out.sort();
    out
}

/// Waits until `dir` holds no shuffle file, for at most `within`; what it holds then.
fn only_the_mark_within(dir: &std::path::Path, within: std::time::Duration) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let names = listing(dir);
        if names.is_empty() || start.elapsed() > within {
            return names;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The trust boundary, as separate processes: nodes do not start without credentials (but for
/// an explicit loopback test cluster), and a coordinator or executor without the cluster's
/// credentials (none, or another authority's) is refused before a plan is read; the rightful
/// coordinator's question runs and leaves no shuffle file; and what a killed executor left is
/// removed when it starts again.
#[test]
fn only_holders_of_the_clusters_credentials_reach_it() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 300, 2);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    let creds = dir.path().join("creds");
    let issued = run(&["cluster", "credentials", "--out", s(&creds), "--node", "scheduler", "--node", "executor", "--store", s(&st)]);
    issued.ok();
    assert!(issued.stdout.contains("coordinator: ") && issued.stdout.contains("installed in"), "{}", issued.stdout);
    let other = dir.path().join("other");
    run(&["cluster", "credentials", "--out", s(&other)]).ok();
    let bundle = |root: &std::path::Path, name: &str| root.join(name).to_string_lossy().into_owned();

    // Without credentials, a node does not start; the loopback flag is for loopback only.
    let scheduler = format!("127.0.0.1:{}", free_port());
    let bare = run(&["cluster", "scheduler", "--bind", &scheduler]);
    assert!(bare.status != 0 && bare.clean_error().contains("--credentials DIR"), "{}", bare.stderr);
    let wide = format!("0.0.0.0:{}", free_port());
    let exposed = run(&["cluster", "executor", "--scheduler", &scheduler, "--bind", &wide, "--insecure-loopback"]);
    assert!(exposed.clean_error().contains("0.0.0.0 is not a loopback address"), "{}", exposed.stderr);

    let sched_bundle = bundle(&creds, "scheduler");
    let sched =
        Node::start("scheduler", &["cluster", "scheduler", "--bind", &scheduler, "--credentials", &sched_bundle]);
    sched.wait_for("mutual TLS", std::time::Duration::from_secs(30));
    let work = dir.path().join("work");
    let port = free_port();
    let start_executor = |name: &'static str, bundle: String| {
        let bind = format!("127.0.0.1:{port}");
        let args = ["cluster", "executor", "--scheduler", &scheduler, "--bind", &bind, "--concurrency", "1"];
        Node::start(name, &[&args[..], &["--credentials", &bundle, "--work-dir", s(&work)]].concat())
    };

    // An executor with another authority's bundle cannot reach the scheduler.
    let impostor = start_executor("impostor", bundle(&other, "executor-1"));
    impostor.wait_for("Failed to connect to scheduler", std::time::Duration::from_secs(30));
    drop(impostor);
    let executor = start_executor("executor", bundle(&creds, "executor"));
    executor.wait_for("Starting poll work loop", std::time::Duration::from_secs(60));

    let engine = format!("df://{scheduler}");
    let presence = ["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"];
    // A coordinator without credentials, and one with another authority's.
    let plain = run(&[&["ask"][..], &presence, &["--store", s(&st), "--from", "2026-11-02", "--to", "2026-11-03"],
        &["--epsilon", "0.5", "--case", "CL-3", "--purpose", "research", "--engine", &engine, "--engine-insecure-loopback"]].concat());
    assert!(plain.status != 0, "{}", plain.stdout);
    assert!(plain.clean_error().contains("--engine-credentials"), "{}", plain.stderr);
    let forged_bundle = bundle(&other, "coordinator");
    let forged = run(&[&["ask"][..], &presence, &["--store", s(&st), "--from", "2026-11-02", "--to", "2026-11-03"],
        &["--epsilon", "0.5", "--case", "CL-3", "--purpose", "research", "--engine", &engine, "--engine-credentials", &forged_bundle]].concat());
    assert!(forged.status != 0, "{}", forged.stdout);
    assert!(forged.clean_error().contains("credentials"), "{}", forged.stderr);
    // A bundle of the cluster's own authority that is not a coordinator's may not submit a plan:
    // a stolen executor bundle reads no segment.
    for role in ["executor", "scheduler"] {
        let wrong_role = bundle(&creds, role);
        let refused = run(&[&["ask"][..], &presence, &["--store", s(&st), "--from", "2026-11-02", "--to", "2026-11-03"],
            &["--epsilon", "0.5", "--case", "CL-3", "--purpose", "research", "--engine", &engine, "--engine-credentials", &wrong_role]].concat());
        assert!(refused.status != 0, "{}", refused.stdout);
        assert!(refused.clean_error().contains("may not call"), "{role}: {}", refused.stderr);
    }
    let log = sched.log.lock().unwrap().clone();
    assert!(!log.contains("Job queued"), "a refused coordinator's plan reached the scheduler:\n{log}");

    // The rightful coordinator (its bundle installed in the store) is answered, and the job's
    // shuffle files are gone once the answer is back.
    let answered = ask(&st, Some(&engine), &presence);
    assert_eq!(answered.status, 0, "{}", answered.stderr);
    assert!(!answered.json()["rows"].as_array().unwrap().is_empty(), "{}", answered.stdout);
    let left = only_the_mark_within(&work, std::time::Duration::from_secs(5));
    assert!(left.is_empty(), "shuffle files outlived the question: {left:?}");
    let log = sched.log.lock().unwrap().clone();
    assert!(log.contains("Job queued"), "{log}");

    // What a killed executor leaves is removed when it starts again on the directory.
    drop(executor);
    std::fs::create_dir_all(work.join("Ab3dE/1/0")).unwrap();
    std::fs::write(work.join("Ab3dE/1/0/data-0.arrow"), b"a job's rows").unwrap();
    let again = start_executor("executor again", bundle(&creds, "executor"));
    again.wait_for("entries an earlier executor left there", std::time::Duration::from_secs(30));
    assert!(!work.join("Ab3dE").exists() && listing(&work).is_empty(), "{:?}", listing(&work));
    assert!(work.join(".crowdlens-executor").exists());
    drop(again);
}
