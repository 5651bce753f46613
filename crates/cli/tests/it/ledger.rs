//! The ledger as an attacker with the store's files would try it: reset, rollback, tiny ε,
//! dry runs that approve what the ask refuses, rules edited in the config file.

use crate::support::*;
use std::path::Path;

const AREA: &str = "bbox:-93.30,44.95,-93.24,44.99";

fn presence<'a>(st: &'a str, epsilon: &'a str, case: &'a str, purpose: &'a str, dry_run: bool) -> Vec<&'a str> {
    let mut args = vec![
        "ask",
        "presence",
        "--store",
        st,
        "--area",
        AREA,
        "--from",
        "2026-11-02T00:00:00Z",
        "--to",
        "2026-11-03T00:00:00Z",
        "--bucket",
        "6h",
        "--epsilon",
        epsilon,
        "--case",
        case,
        "--purpose",
        purpose,
    ];
    if dry_run {
        args.push("--dry-run");
    }
    args
}

fn store_with_data(dir: &Path) -> std::path::PathBuf {
    let city = synth(dir, 200, 1);
    let st = init_store(dir);
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st), "--json"]).ok();
    st
}

fn audit_len(st: &Path) -> usize {
    let out = std::env::temp_dir().join(format!("crowdlens-audit-{}.jsonl", std::process::id()));
    run(&["audit", "export", "--store", s(st), "--out", s(&out)]).ok();
    let n = std::fs::read_to_string(&out).unwrap().lines().count();
    let _ = std::fs::remove_file(out);
    n
}

#[test]
fn a_deleted_ledger_is_never_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    run(&presence(stp, "1", "C-1", "research", false)).ok();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}/control.sqlite{suffix}", stp));
    }
    for args in [
        vec!["audit", "verify", "--store", stp],
        vec!["budget", "--store", stp],
        presence(stp, "1", "C-1", "research", true),
        presence(stp, "1", "C-1", "research", false),
        vec!["answers", "list", "--store", stp],
    ] {
        let r = run(&args);
        let e = r.clean_error();
        assert!(e.contains("ledger") && e.contains("missing") && e.contains("crowdlens init"), "{args:?}: {e}");
        assert!(!st.join("control.sqlite").exists(), "{args:?} created a ledger");
    }
    let before = files_under(&st.join("data")).len();
    let pings = dir.path().join("city/pings.csv");
    let e = run(&["ingest", "pings", s(&pings), "--store", stp]).clean_error().to_string();
    assert!(e.contains("missing"), "{e}");
    assert_eq!(files_under(&st.join("data")).len(), before, "a store without its ledger takes no data");
    let e = run(&["init", "--store", stp]).clean_error().to_string();
    assert!(e.contains("exists") || e.contains("already"), "{e}");
    assert!(!st.join("control.sqlite").exists());
}

#[test]
fn a_restored_older_ledger_is_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    // A backup taken between commands: the database (no process holds it open, so its WAL
    // has been folded in) and the checkpoint beside it.
    for name in ["control.sqlite", "control.head"] {
        std::fs::copy(st.join(name), saved.join(name)).unwrap();
    }
    for _ in 0..3 {
        run(&presence(stp, "1", "C-1", "research", false)).ok();
    }
    for name in ["control.sqlite-wal", "control.sqlite-shm"] {
        let _ = std::fs::remove_file(st.join(name));
    }
    for name in ["control.sqlite", "control.head"] {
        std::fs::copy(saved.join(name), st.join(name)).unwrap();
    }
    let e = run(&presence(stp, "1", "C-1", "research", true)).clean_error().to_string();
    assert!(e.contains("rolled back"), "{e}");
    let r = run(&["audit", "verify", "--store", stp]);
    assert!(r.clean_error().contains("rolled back"), "{}", r.stderr);
    let e = run(&["budget", "--store", stp]).clean_error().to_string();
    assert!(e.contains("rolled back"), "{e}");
}

#[test]
fn audit_verify_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    run(&presence(s(&st), "1", "C-1", "research", false)).ok();
    let before: Vec<(String, Vec<u8>)> = ["control.sqlite", "control.head", "keyring/ledger.witness"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(st.join(n)).unwrap()))
        .collect();
    let r = run(&["audit", "verify", "--store", s(&st)]);
    assert!(r.ok().stdout.contains("audit log intact: 4 entries"), "{}", r.stdout);
    for (name, bytes) in before {
        assert_eq!(std::fs::read(st.join(&name)).unwrap(), bytes, "{name} changed");
    }
}

#[test]
fn tiny_epsilon_is_refused_and_an_exhausted_week_refuses_everything() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    let e = run(&presence(stp, "1e-16", "C-1", "research", false)).clean_error().to_string();
    assert!(e.contains("below this store's floor of 0.01"), "{e}");
    // Ten questions under ten cases: the same question under the same case would be given its
    // kept answer again, free.
    for i in 0..10 {
        run(&presence(stp, "1", &format!("W-{i}"), "research", false)).ok();
    }
    for eps in ["0.01", "1e-16"] {
        let r = run(&presence(stp, eps, "C-1", "research", false));
        assert_ne!(r.status, 0, "ε {eps} on an exhausted week was accepted");
    }
    let e = run(&presence(stp, "0.01", "C-1", "research", false)).clean_error().to_string();
    assert!(e.contains("budget exhausted"), "{e}");
}

#[test]
fn dry_runs_refuse_what_the_ask_refuses_with_the_same_message() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    for i in 0..9 {
        run(&presence(stp, "1", &format!("S-{i}"), "research", false)).ok();
    }
    run(&["budget", "set", "--store", stp, "--rule", "max_epsilon_per_question=2", "--reason", "test"]).ok();
    let cases: [(&str, &str, &str, &str); 3] = [
        ("empty case", "1", " ", "research"),
        ("unknown purpose", "1", "C-1", "marketing"),
        ("over budget", "2", "C-1", "research"),
    ];
    for (what, eps, case, purpose) in cases {
        let dry = run(&presence(stp, eps, case, purpose, true));
        let dry_error = dry.clean_error().to_string();
        let ask = run(&presence(stp, eps, case, purpose, false));
        assert_eq!(dry_error, ask.clean_error(), "{what}");
    }
    // What the ask would answer, the dry run prices.
    run(&presence(stp, "1", "C-1", "research", true)).ok();
}

#[test]
fn rules_come_from_the_ledger_and_changes_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    // Editing the file raises nothing.
    let config = st.join("crowdlens.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("\"research\"", "\"research\", \"marketing\"")).unwrap();
    let r = run(&presence(stp, "1", "C-1", "marketing", false));
    assert!(r.clean_error().contains("not allowed"), "{}", r.stderr);
    let budget = run(&["budget", "--store", stp]);
    assert!(budget.ok().stderr.contains("purposes"), "the disagreement is warned about: {}", budget.stderr);

    // Through the ledger it takes effect, and the chain records it.
    run(&["budget", "set", "--store", stp, "--rule", "purposes=research,marketing", "--reason", "board 12/3"]).ok();
    run(&presence(stp, "1", "C-1", "marketing", false)).ok();
    run(&["budget", "set", "--store", stp, "--rule", "h3_finest_question=7", "--reason", "coarser"]).ok();
    let mut fine = presence(stp, "1", "C-1", "research", true);
    fine.extend(["--res", "8"]);
    assert!(run(&fine).clean_error().contains("finest: 7"));
    let e = run(&["budget", "set", "--store", stp, "--rule", "h3_finest_question=11", "--reason", "x"])
        .clean_error()
        .to_string();
    assert!(e.contains("finer than the resolution the store keeps"), "{e}");
    run(&[
        "budget",
        "set",
        "--store",
        stp,
        "--rule",
        "min_epsilon_per_question=0.5",
        "--reason",
        "fewer, larger questions",
    ])
    .ok();
    assert!(run(&presence(stp, "0.4", "C-1", "research", true)).clean_error().contains("floor of 0.5"));

    let json = run(&["budget", "--store", stp, "--json"]).ok().json();
    assert_eq!(json["rules"]["purposes"], serde_json::json!(["research", "marketing"]));
    assert_eq!(json["rules"]["h3_finest_question"], 7);
    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", stp, "--out", s(&out)]).ok();
    let changes: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["outcome"].as_str().unwrap().to_string())
        .filter(|o| o.starts_with("rule changed"))
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes[0].contains("purposes"), "{changes:?}");
    assert!(audit_len(&st) > 3);
}

#[test]
fn retention_applies_itself_at_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    let epochs = |st: &str| run(&["budget", "--store", st, "--json"]).ok().json()["epochs"].as_array().unwrap().len();
    assert!(epochs(stp) > 0);
    // The synthetic city's week ended more than one week before today.
    run(&["budget", "set", "--store", stp, "--rule", "retention_weeks=1", "--reason", "short retention"]).ok();
    let city = synth(&dir.path().join("second"), 50, 1);
    let r = run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", stp]);
    assert!(r.ok().stderr.contains("retention: shredded"), "{}", r.stderr);
    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", stp, "--out", s(&out)]).ok();
    let audit = std::fs::read_to_string(&out).unwrap();
    assert!(audit.contains("crowdlens:retention") && audit.contains("shredded"), "{audit}");
    assert!(!std::fs::read_dir(st.join("keyring"))
        .unwrap()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "key")));
    // Retention shreds epoch keys, never the store's signing key: receipts stay checkable.
    assert!(st.join("keyring/signing.ed25519").exists());
    run(&["key", "export-public", "--store", stp]).ok();
}

#[test]
fn retention_applies_itself_when_serve_starts() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    run(&["budget", "set", "--store", s(&st), "--rule", "retention_weeks=1", "--reason", "short retention"]).ok();
    let mut child = bin()
        .args(["serve", "--store", s(&st), "--listen", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, seen) = std::sync::mpsc::channel();
    let log = std::io::BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in log.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let first = seen.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    assert!(first.starts_with("crowdlens on http://"), "the address stays the first line: {first}");
    let shredded = (0..20).find_map(|_| {
        seen.recv_timeout(std::time::Duration::from_secs(3)).ok().filter(|l| l.starts_with("retention: shredded"))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(shredded.is_some(), "serve did not apply retention when it started");
    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", s(&st), "--out", s(&out)]).ok();
    assert!(std::fs::read_to_string(&out).unwrap().contains("crowdlens:retention"));
}
