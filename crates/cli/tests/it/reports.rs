//! `report transparency` and `risk` end to end: the numbers they print are the ledger's, the
//! manifest's and the feed's, and their pages are self-contained.

use crate::support::*;
use std::io::Write;
use std::path::{Path, PathBuf};

fn ask(st: &Path, purpose: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "ask",
        "presence",
        "--store",
        s(st),
        "--area",
        "bbox:-93.30,44.95,-93.24,44.99",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        "6h",
        "--epsilon",
        "0.5",
        "--case",
        "R-1",
        "--purpose",
        purpose,
        "--json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn self_contained(html: &str) {
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg"), "a chart is drawn");
    for banned in ["<script", "src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(banned), "the page must need nothing else: found {banned}");
    }
}

#[test]
fn transparency_report_counts_what_the_ledger_holds() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 400, 2);
    let st = init_store(dir.path());
    let sensitive = city.join("sensitive.geojson");
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st), "--sensitive", s(&sensitive)]).ok();
    run(&["ingest", "openrtb", s(&city.join("bids.jsonl.gz")), "--store", s(&st)]).ok();
    ask(&st, "fraud-investigation", &[]).ok();
    ask(&st, "public-health", &[]).ok();
    ask(&st, "curiosity", &[]).clean_error();
    ask(&st, "research", &["--dry-run"]).ok();
    run(&["budget", "set", "--store", s(&st), "--rule", "epsilon_per_epoch=8", "--reason", "policy 2026-12"]).ok();
    run(&[
        "budget",
        "set",
        "--store",
        s(&st),
        "--rule",
        "purposes=research,public-health",
        "--reason",
        "programme ended",
    ])
    .ok();

    let out = dir.path().join("report.html");
    let r = run(&["report", "transparency", "--store", s(&st), "--out", s(&out), "--json"]).ok().json();
    let q = &r["questions"];
    assert_eq!((q["asked"].as_u64(), q["answered"].as_u64()), (Some(2), Some(2)), "{q}");
    assert_eq!(q["refused"], 1, "{q}");
    assert_eq!(q["refused_by_reason"]["purpose not allowed"], 1, "{q}");
    assert_eq!(q["dry_runs"], 1, "{q}");
    let w45 = r["budget"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap();
    assert_eq!(w45["epsilon_spent"], 1.0);
    let purposes: Vec<&str> =
        r["spend"]["by_purpose"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(purposes, ["fraud-investigation", "public-health"]);
    assert_eq!(r["spend"]["by_kind"][0]["key"], "presence");
    assert_eq!(r["spend"]["by_kind"][0]["questions"], 2);
    assert_eq!(r["largest_spends"].as_array().unwrap().len(), 2);

    // Rule changes, beside the spend: the rules recorded at creation, then each change with
    // its old and new value, who made it and why.
    let changes = r["rule_changes"].as_array().unwrap();
    let recorded: Vec<&serde_json::Value> = changes.iter().filter(|c| c["from"].is_null()).collect();
    assert!(recorded.iter().any(|c| c["rule"] == "epsilon_per_epoch" && c["to"] == 10.0), "{changes:?}");
    let eps = changes.iter().find(|c| c["rule"] == "epsilon_per_epoch" && !c["from"].is_null()).unwrap();
    assert_eq!(
        (&eps["from"], &eps["to"], &eps["reason"]),
        (&10.0.into(), &8.0.into(), &"policy 2026-12".into()),
        "{eps}"
    );
    assert!(eps["actor"].as_str().unwrap().starts_with("cli:uid="), "{eps}");
    let purposes = changes.iter().find(|c| c["rule"] == "purposes" && !c["from"].is_null()).unwrap();
    assert_eq!(purposes["to"], serde_json::json!(["research", "public-health"]), "{purposes}");
    assert_eq!(r["guarantee"]["epsilon_per_epoch"], 8.0, "the guarantee states the rules in force");

    // Ingest: which sources were committed and when, and nothing that depends on their rows.
    // The exact accounting is operator-only: `store info` has it, the report only says so.
    let ingest = &r["ingest"];
    assert_eq!(ingest["sources"], 2, "{ingest}");
    let kinds: Vec<&str> =
        ingest["committed"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["pings", "openrtb"]);
    for c in ingest["committed"].as_array().unwrap() {
        assert_eq!(c.as_object().unwrap().len(), 2, "kind and commit time only: {c}");
    }
    assert!(ingest["accounting"].as_str().unwrap().contains("crowdlens store info"), "{ingest}");
    let info = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(city.join("bids_truth.json")).unwrap()).unwrap();
    assert!(info["ingest_totals"]["read"].as_u64().unwrap() > truth["requests"].as_u64().unwrap());
    let json_text = serde_json::to_string(&r).unwrap();
    let html_text = std::fs::read_to_string(&out).unwrap();
    for page in [&json_text, &html_text] {
        for leak in [s(&city), "pings.csv", "bids.jsonl", "sensitive_place", "coppa", "blake3"] {
            assert!(!page.contains(leak), "the report shows {leak:?}");
        }
        assert!(page.contains("operator-only"));
    }

    // The audit head is the chain's own, verified now.
    let verify = run(&["audit", "verify", "--store", s(&st)]).ok().stdout.clone();
    assert_eq!(r["audit"]["verified"], true);
    assert!(verify.contains(r["audit"]["head_hash"].as_str().unwrap()), "{verify}");

    let html = std::fs::read_to_string(&out).unwrap();
    self_contained(&html);
    for text in [
        "The guarantee",
        "Budget per epoch",
        "Rule changes in this period",
        "Refusals by reason",
        "Ingest",
        "Audit chain",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("policy 2026-12") && html.contains("research, public-health"));

    // A period with nothing in it reports nothing; a bad day is a clean error.
    let empty = run(&["report", "transparency", "--store", s(&st), "--out", s(&out), "--from", "2031-01-01", "--json"])
        .ok()
        .json();
    assert_eq!(empty["questions"]["asked"], 0);
    assert_eq!(empty["rule_changes"], serde_json::json!([]));
    assert_eq!(empty["ingest"]["sources"], 0);
    let bad = run(&["report", "transparency", "--store", s(&st), "--from", "yesterday"]);
    assert!(bad.clean_error().contains("YYYY-MM-DD"));
}

/// A feed where each device's trace is given; `traces[d]` are (lat, lon, minute).
fn hand_made(dir: &Path, name: &str, traces: &[Vec<(f64, f64, i64)>]) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "device_id,timestamp,latitude,longitude").unwrap();
    for (d, trace) in traces.iter().enumerate() {
        for &(lat, lon, minute) in trace {
            let t = 1_793_577_600 + minute * 60;
            writeln!(f, "dev-{d:04},{t},{lat},{lon}").unwrap();
        }
    }
    path
}

fn risk(source: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["risk", s(source), "--out", s(out), "--json"];
    args.extend_from_slice(extra);
    run(&args).ok().json()
}

fn shares(r: &serde_json::Value, p: &str) -> Vec<f64> {
    r["resolutions"].as_array().unwrap().iter().map(|s| s["unicity"][p].as_f64().unwrap()).collect()
}

#[test]
fn unicity_is_exact_where_the_answer_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("risk.html");
    // Devices far apart (half a degree) at different hours: one point singles out each.
    let disjoint: Vec<Vec<(f64, f64, i64)>> = (0..30)
        .map(|d| (0..8).map(|i| (40.0 + d as f64 * 0.5, -100.0 + i as f64 * 0.01, d as i64 * 600 + i * 70)).collect())
        .collect();
    let r = risk(&hand_made(dir.path(), "disjoint.csv", &disjoint), &out, &["--points", "1,2"]);
    // Exact figures of a raw feed: the report says it is the operator's, in JSON and on the page.
    assert_eq!(r["audience"], "operator-only");
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("operator-only: exact figures from a raw feed; not for publication"));
    assert_eq!(r["devices_total"], 30);
    assert_eq!(r["devices_sampled"], 30);
    assert_eq!(shares(&r, "1"), [1.0; 4], "{r}");
    // Every device has the same trace: nothing singles anyone out.
    let same: Vec<Vec<(f64, f64, i64)>> = (0..30).map(|_| disjoint[0].clone()).collect();
    let r = risk(&hand_made(dir.path(), "same.csv", &same), &out, &["--points", "1,2,3"]);
    for p in ["1", "2", "3"] {
        assert_eq!(shares(&r, p), [0.0; 4], "{r}");
    }
    // Four names for the JSON's scales, as documented.
    let first = &r["resolutions"][0];
    assert!(first["grid"].is_number() && first["h3_res"].is_null());
    assert_eq!(r["resolutions"][1]["h3_res"], 10);
    self_contained(&std::fs::read_to_string(&out).unwrap());
    // Bad parameters are clean errors.
    let bad = run(&["risk", s(&dir.path().join("same.csv")), "--points", "0,x"]);
    assert!(bad.clean_error().contains("--points"));
}

#[test]
fn unicity_on_the_synthetic_city_and_geolife() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 600, 2);
    let out = dir.path().join("risk.html");
    let r = risk(&city.join("pings.csv"), &out, &["--devices", "300"]);
    assert_eq!(r["devices_sampled"], 300);
    assert!(r["devices_total"].as_u64().unwrap() >= 590, "{r}");
    let four = shares(&r, "4");
    // At the feed's own precision four points single out nearly everyone; coarser scales
    // leave fewer unique, but finer is never safer.
    assert!(four[0] > 0.9, "{r}");
    assert!(four.windows(2).all(|w| w[0] + 0.05 >= w[1]), "{four:?}");
    assert!(shares(&r, "5")[3] + 0.05 >= shares(&r, "1")[3], "more points single out more");

    let sample = crate_dir()
        .ancestors()
        .map(|a| a.join("shared/data/geolife_sample.txt.gz"))
        .find(|p| p.exists())
        .expect("shared/data/geolife_sample.txt.gz beside the repository");
    // GeoLife's uid is read as the device only when mapped, as for ingest.
    let refused = run(&["risk", s(&sample), "--out", s(&out), "--json"]);
    assert!(refused.clean_error().contains("--map device_id=uid"), "{}", refused.clean_error());
    let g = risk(&sample, &out, &["--map", "device_id=uid"]);
    assert_eq!(g["rows_read"], 217_653);
    assert!(g["devices_total"].as_u64().unwrap() >= 1);
    for s in g["resolutions"].as_array().unwrap() {
        for (_, share) in s["unicity"].as_object().unwrap() {
            assert!((0.0..=1.0).contains(&share.as_f64().unwrap()), "{g}");
        }
    }
}

/// The CLI's audit entries (and so the report's rule changes) name the process's OS user, from
/// its uid: `$USER` is whatever the caller sets.
#[test]
fn the_cli_actor_is_the_os_user_whatever_user_says() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let id = |flag: &str| {
        let out = std::process::Command::new("id").arg(flag).output().expect("id(1)");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let uid = id("-u");
    let want = match id("-un") {
        name if name.is_empty() => format!("cli:uid={uid}"),
        name => format!("cli:uid={uid}({name})"),
    };
    let set = bin()
        .env("USER", "alice-the-auditor")
        .env("LOGNAME", "alice-the-auditor")
        .args(["budget", "set", "--store", s(&st), "--rule", "epsilon_per_epoch=9", "--reason", "as alice"])
        .output()
        .unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", s(&st), "--out", s(&out)]).ok();
    let audit = std::fs::read_to_string(&out).unwrap();
    assert!(!audit.contains("alice-the-auditor"), "{audit}");
    let entry: serde_json::Value = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .find(|e: &serde_json::Value| e["outcome"].as_str().unwrap().starts_with("rule changed"))
        .unwrap();
    assert_eq!(entry["actor"], want.as_str(), "{entry}");
    let html = dir.path().join("report.html");
    let r = run(&["report", "transparency", "--store", s(&st), "--out", s(&html), "--json"]).ok().json();
    assert_eq!(r["rule_changes"].as_array().unwrap().last().unwrap()["actor"], want.as_str());
}
