//! The store as a privacy boundary: owner-only files, retention with crypto-shredding from the
//! command line, and late data for a shredded week.

use crate::support::*;

#[cfg(unix)]
#[test]
fn the_store_is_owner_only_and_store_info_says_when_it_is_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 50, 1);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    // A bad row, so the run writes a quarantine file too.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "mobile_ad_id,timestamp,latitude,longitude\nx,soon,1,1\n").unwrap();
    run(&["ingest", "pings", s(&bad), "--store", s(&st)]).ok();
    run(&[
        "ask",
        "presence",
        "--store",
        s(&st),
        "--area",
        "bbox:-93.30,44.95,-93.24,44.99",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        "1d",
        "--epsilon",
        "0.1",
        "--case",
        "C",
        "--purpose",
        "research",
    ])
    .ok();
    let mut paths = files_under(&st);
    paths.push(st.clone());
    assert!(paths.iter().any(|p| p.to_string_lossy().contains("quarantine/")));
    assert!(paths.iter().any(|p| p.to_string_lossy().ends_with(".parquet")));
    for p in &paths {
        let mode = std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {:o}", p.display(), mode & 0o777);
    }
    let info = run(&["store", "info", "--store", s(&st)]);
    assert!(!info.ok().stderr.contains("warning"), "{}", info.stderr);
    std::fs::set_permissions(st.join("manifest.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let info = run(&["store", "info", "--store", s(&st)]);
    assert!(info.ok().stderr.contains("can be read or entered by other users"), "{}", info.stderr);
    let json = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(json["exposed_paths"].as_array().unwrap().len(), 1, "{json}");
}

#[test]
fn retention_shreds_expired_weeks_and_late_data_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 60, 2);
    let st = init_store(dir.path());
    let ingested = run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st), "--json"]).ok().json();
    assert!(ingested["stored"].as_u64().unwrap() > 0);
    run(&[
        "ask",
        "presence",
        "--store",
        s(&st),
        "--area",
        "bbox:-93.30,44.95,-93.24,44.99",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        "1d",
        "--epsilon",
        "0.3",
        "--case",
        "C",
        "--purpose",
        "research",
    ])
    .ok();
    // Nothing has expired under the default half year.
    let none = run(&["retention", "apply", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(none["epochs"].as_array().unwrap().len(), 0, "{none}");
    // One week of retention (a ledger rule): week 45 of 2026 (ended 2026-11-09) has expired.
    run(&["budget", "set", "--store", s(&st), "--rule", "retention_weeks=1", "--reason", "test"]).ok();
    let dry = run(&["retention", "apply", "--store", s(&st), "--dry-run", "--json"]).ok().json();
    // Epochs and whether their keys go: no row or segment count, which depend on the data.
    assert_eq!(dry["epochs"], serde_json::json!([{"epoch": "2026-W45", "key": true, "resumed": false}]), "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert!(dry["cutoff"].is_string() && dry["retention_weeks"] == 1, "{dry}");
    assert_eq!(dry.as_object().unwrap().len(), 4, "{dry}");
    let dry_text = run(&["retention", "apply", "--store", s(&st), "--dry-run"]).ok().stdout.clone();
    assert!(dry_text.contains("would shred 2026-W45: its key would be destroyed"), "{dry_text}");
    assert!(st.join("keyring/2026-W45.key").exists(), "a dry run changes nothing");
    let done = run(&["retention", "apply", "--store", s(&st)]).ok().stdout.clone();
    assert!(done.contains("shredded 2026-W45: key destroyed"), "{done}");
    for text in [&dry_text, &done] {
        assert!(!text.contains("row") && !text.contains("segment"), "{text}");
    }
    assert!(!st.join("keyring/2026-W45.key").exists());
    assert!(st.join("keyring/2026-W45.shredded").exists());
    let info = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(info["rows"], 0);
    assert_eq!(info["shredded_epochs"], serde_json::json!(["2026-W45"]));
    assert!(files_under(&st.join("data")).is_empty(), "segment files are deleted");
    // The ledger keeps what the week spent.
    let budget = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let w45 = budget["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    assert_eq!(w45["epsilon_spent"], 0.3);
    // Late data for the shredded week is dropped, counted, and mints no key.
    let late = synth(&dir.path().join("late"), 20, 1);
    let j = run(&["ingest", "pings", s(&late.join("pings.csv")), "--store", s(&st), "--json"]).ok().json();
    assert!(j["dropped"]["epoch_shredded"].as_u64().unwrap() > 0, "{j}");
    assert_eq!(j["stored"], 0);
    assert!(reconciles(&j));
    assert!(!st.join("keyring/2026-W45.key").exists());
    // The audit chain records the shredding, and still verifies.
    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", s(&st), "--out", s(&out)]).ok();
    let audit = std::fs::read_to_string(&out).unwrap();
    assert!(audit.contains("shredding epoch 2026-W45") && audit.contains("epoch 2026-W45 shredded"));
    // Its entries name the epoch and the rule, never the week's rows or segments.
    for line in audit.lines().filter(|l| l.contains("shredd")) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let what: serde_json::Value = serde_json::from_str(entry["question"].as_str().unwrap()).unwrap();
        assert_eq!(
            what["retention"],
            serde_json::json!({"epoch": "2026-W45", "key": true, "resumed": false}),
            "{line}"
        );
        assert!(!line.contains("rows") && !line.contains("segments\\\""), "{line}");
    }
    run(&["audit", "verify", "--store", s(&st)]).ok();
    let again = run(&["retention", "apply", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(again["epochs"].as_array().unwrap().len(), 0, "a finished week is not shredded twice: {again}");
    // A question about the shredded week is refused before any charge: the store holds no data.
    let asked = run(&[
        "ask",
        "presence",
        "--store",
        s(&st),
        "--area",
        "bbox:-93.30,44.95,-93.24,44.99",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        "1d",
        "--epsilon",
        "0.3",
        "--case",
        "C",
        "--purpose",
        "research",
    ]);
    assert!(asked.clean_error().contains("holds no data"), "{}", asked.stderr);
}
