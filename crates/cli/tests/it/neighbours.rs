//! Neighbouring stores (DESIGN.md, "What it never does"; issue 23, part 1): two stores built by
//! real ingest that differ by exactly one device-week must look the same through every surface
//! that is not a differentially private release.
//!
//! The target device T is in both feeds (a lower-case UUID in the ping CSV, upper-case with
//! braces in the bidstream), has pings at a reproductive-health place, pings in two ISO weeks W
//! and W+1, a quarantined row, a row over the accuracy ceiling, and bid requests under TCF, US Privacy
//! and GPP strings, some admitted and some refused. Store A holds everything; store B is the same
//! but without T's rows in week W, from both feeds. The same script runs against both: ingest,
//! every question, dry runs, refusals, budget, rules, tokens, kept answers, retention (which
//! shreds week W), reports, audit, consent, `serve` with each role on every route, and a
//! question on a Ballista cluster. Then every output that is not a DP release is compared after
//! a narrow normalisation (the time of the run, digests, token secrets, ports, the two work
//! directories); DP answers are compared without their rows, and for public keys with the same
//! row keys. Operator-only outputs are run but not compared, and must not be served by the API.
//! The CLI's command tree and the API's route table are enumerated, so a new surface cannot be
//! added without being compared here.

use crate::support::{bin, free_port, Run};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Outputs that show exact counts on purpose, for the store's operator only. They are run by the
/// script but not compared, and the API must serve none of them (checked below).
const OPERATOR_ONLY: &[(&str, &str)] = &[
    (
        "ingest pings",
        "ingest summary: the operator's exact accounting of what was read, stored, quarantined and dropped",
    ),
    ("ingest openrtb", "ingest summary of the bidstream: the operator's exact accounting, consent drops included"),
    ("store info", "run by the store's owner, who can read its files anyway: rows per day, per source, totals"),
    (
        "risk",
        "re-identification risk of a raw feed, for the operator who holds that feed (exact rows_read, devices_total)",
    ),
    (
        "quarantine files",
        "STORE/quarantine/*.jsonl: source, line and reason of each bad row, inside the owner-only store",
    ),
];

/// Commands that are not a surface of a store, with the reason.
const NOT_A_STORE_SURFACE: &[(&str, &str)] = &[
    ("synth", "generates the input feeds; reads no store (this test uses it to build them)"),
    ("demo", "runs on its own synthetic city in its own directory"),
    ("help", "clap's help text, at every level"),
];

/// Whether the script also asks a question on a local Ballista cluster (a scheduler and an
/// executor per store) and compares the nodes' logs.
const WITH_CLUSTER: bool = true;

/// T, the device the two stores differ by, as the ping feed spells it and as the bidstream does.
const T_PINGS: &str = "5f2b9c1e-8a47-4d3b-9e61-2c7a0f4b8d15";
const T_BIDS: &str = "{5F2B9C1E-8A47-4D3B-9E61-2C7A0F4B8D15}";

/// The synthetic city's first day (a Saturday of ISO week 45 of 2026, before [`sh`] moves it)
/// and its length: two days of week W and two of week W+1.
const START: &str = "2026-11-07";
const DAYS: u32 = 4;
/// When week W ends (the Monday of week W+1, 00:00 UTC), before [`sh`] moves it.
const WEEK_W_END: &str = "2026-11-09T00:00:00Z";

/// Every date of the script is written for data in ISO weeks 45 and 46 of 2026, and moved by
/// this: by the same whole number of weeks, so that the data is always two to three weeks old
/// when the test runs (recent enough for the default retention of 26 weeks, old enough for week
/// W to expire under a short one).
fn sh(t: &str) -> String {
    use chrono::Datelike;
    static OFFSET_DAYS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let days = *OFFSET_DAYS.get_or_init(|| {
        let target = chrono::Utc::now().date_naive() - chrono::Duration::days(21);
        let monday = target - chrono::Duration::days(i64::from(target.weekday().num_days_from_monday()));
        (monday - chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()).num_days()
    });
    let date = chrono::NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap() + chrono::Duration::days(days);
    format!("{}{}", date.format("%Y-%m-%d"), &t[10..])
}

/// The week T is missing from in store B, and that retention shreds (`2026-W45` unmoved).
fn week_w() -> String {
    chrono::NaiveDate::parse_from_str(&sh("2026-11-08"), "%Y-%m-%d").unwrap().format("%G-W%V").to_string()
}

const DOWNTOWN: &str = "bbox:-93.285,44.968,-93.245,44.988";
const EAST: &str = "bbox:-93.245,44.965,-93.210,44.985";
const CITY: &str = "bbox:-93.30,44.94,-93.05,45.00";
/// A resolution-7 cell downtown (as `end_to_end` uses), origin of the top-destinations question.
const TOP_FROM: &str = "87275268bffffff";

// Consent strings from crates/cli/tests/fixtures/openrtb/real_world.jsonl (hand-checked there).
const TC_SF1: &str = "CQuZP8AQuZP8AAfAFBENCWFoAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const TC_NO_SF1: &str = "CQuZP8AQuZP8AAfAFBENCWFgAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const GPP_USNAT: &str = "DBABLA~CAAAAAAAAQA.QA";
const GPP_USNAT_GPC: &str = "DBABLA~CAAAAAAAAQA.YA";

#[test]
fn two_stores_one_device_week_apart_look_the_same() {
    let started = Instant::now();
    let base = tempfile::tempdir().unwrap();
    set_mode(base.path(), 0o755);
    // The input, once: a small city, generated outside both work directories.
    let city = base.path().join("city-input");
    let synth = bin()
        .args(["synth", "--out", p(&city), "--devices", "400", "--days", &DAYS.to_string(), "--seed", "11"])
        .args(["--start", &sh(START)])
        .output()
        .unwrap();
    assert!(synth.status.success(), "synth: {}", String::from_utf8_lossy(&synth.stderr));
    set_mode(&city, 0o700);
    let clinic = reproductive_health_place(&city.join("sensitive.geojson"));

    // Retention keeps `weeks` weeks: week W has expired under it, week W+1 has not.
    let now = chrono::Utc::now();
    let w_end = chrono::DateTime::parse_from_rfc3339(&sh(WEEK_W_END)).unwrap().with_timezone(&chrono::Utc);
    let weeks = ((now - w_end).num_seconds() / (7 * 86_400)) as u32;
    assert!(weeks >= 1, "the test's data must be at least a week old");
    // Retention's cutoff is the time of the run less the rule in force: a time of "now" too.
    let cutoffs = [weeks, 26].map(|w| now - chrono::Duration::weeks(i64::from(w)));

    let mut sides = Vec::new();
    for (name, with_t_in_w) in [("A", true), ("B", false)] {
        let dir = base.path().join(name.to_lowercase());
        std::fs::create_dir(&dir).unwrap();
        set_mode(&dir, 0o755);
        build_feeds(&city, &dir.join("feed"), &clinic, with_t_in_w);
        let mut side = Side::new(name, dir, [vec![now], cutoffs.to_vec()].concat());
        script(&mut side, weeks);
        sides.push(side);
    }
    let (a, b) = (&sides[0], &sides[1]);
    eprintln!("neighbours: both scripts ran in {:.0?}", started.elapsed());
    // NEIGHBOURS_DUMP=DIR writes every surface of both stores there, to read or diff by hand.
    if let Some(dump) = std::env::var_os("NEIGHBOURS_DUMP") {
        for side in &sides {
            let mut text = String::new();
            for (label, t) in &side.surfaces {
                text.push_str(&format!("=== {label}\n{t}\n\n"));
            }
            for (name, t) in &side.operator {
                text.push_str(&format!("=== operator-only: {name}\n{t}\n\n"));
            }
            std::fs::create_dir_all(&dump).unwrap();
            std::fs::write(Path::new(&dump).join(format!("{}.txt", side.name)), text).unwrap();
        }
    }

    // The stores do differ, by T's rows in week W and by nothing else (the operator sees it).
    let summary = |side: &Side, name: &str| -> Value {
        let (_, text) = side.operator.iter().find(|(n, _)| n == name).unwrap();
        serde_json::from_str(text.trim()).unwrap()
    };
    let clinic_in_w =
        t_pings(clinic).iter().filter(|(t, line)| in_week_w(t) && line.contains(&format!("{:.6}", clinic.1))).count();
    for (feed, in_w) in [
        ("ingest pings", t_pings(clinic).iter().filter(|(t, _)| in_week_w(t)).count()),
        ("ingest openrtb", t_bids(clinic).iter().filter(|(t, _)| in_week_w(t)).count()),
    ] {
        let (sa, sb) = (summary(a, feed), summary(b, feed));
        assert_eq!(sa["read"].as_u64().unwrap() - sb["read"].as_u64().unwrap(), in_w as u64, "{feed}: A {sa}\nB {sb}");
        if feed == "ingest pings" {
            let clinic = |s: &Value| s["dropped"]["sensitive_place:reproductive_health"].as_u64().unwrap_or(0);
            assert_eq!(
                clinic(&sa) - clinic(&sb),
                clinic_in_w as u64,
                "T's pings at the clinic are dropped: {sa}\n{sb}"
            );
        }
    }

    // The script did what it says on both sides, so that "identical" is not two failures
    // alike: every question answered on the command line and over the API, kept, exported,
    // and week W shredded by serve's own retention pass.
    for side in &sides {
        let kinds: std::collections::BTreeSet<&str> = questions().iter().map(|q| q.kind).collect();
        assert!(side.kept_public.len() >= questions().len(), "{}: only {} answers kept", side.name, side.kept_public.len());
        for kind in &kinds {
            let asked = side.surfaces.iter().filter(|(l, t)| l.contains(&format!("/v1/ask/{kind} ")) && t.starts_with("status 200\n(rows removed)")).count();
            assert!(asked >= 1, "{}: no {kind} answered over the API", side.name);
        }
        let log = side.surfaces.iter().find(|(l, _)| l == "serve 2 (week W expired): log").map(|(_, t)| t.as_str()).unwrap_or("");
        assert!(log.contains("retention: shredded"), "{}: serve did not shred week W: {log}", side.name);
        let exported = side.surfaces.iter().filter(|(l, t)| l.contains("answers export") && t.starts_with("exit 0")).count();
        assert!(exported >= 4 * kinds.len(), "{}: only {exported} exports", side.name);
    }

    let mut problems = Vec::new();
    // 1. Every compared surface, line by line.
    problems.extend(compare(a, b));
    // 2. The operator-only outputs never reach the API, nor do the operator's paths reach the
    //    API or the published report.
    problems.extend(operator_only_not_served(a));
    problems.extend(operator_only_not_served(b));
    problems.extend(no_operator_paths(a));
    // 3. No surface is left out: every command and every route was exercised or is listed.
    problems.extend(every_command_is_covered(a));
    problems.extend(every_route_is_requested(a));
    assert!(problems.is_empty(), "{}", report(&problems));
    eprintln!("neighbours: {} surfaces compared, identical, in {:.0?}", a.surfaces.len(), started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// The two stores' feeds.

/// A reproductive-health place from the city's sensitive places: its centre.
fn reproductive_health_place(geojson: &Path) -> (f64, f64) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(geojson).unwrap()).unwrap();
    let feature = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["category"].as_str().is_some_and(|c| c.contains("reproductive")))
        .expect("a reproductive-health place in sensitive.geojson");
    let g = &feature["geometry"];
    match g["type"].as_str() {
        Some("Point") => (g["coordinates"][0].as_f64().unwrap(), g["coordinates"][1].as_f64().unwrap()),
        _ => {
            let ring = g["coordinates"][0].as_array().unwrap();
            let n = (ring.len() - 1) as f64;
            let sum = |i| ring[..ring.len() - 1].iter().map(|c| c[i].as_f64().unwrap()).sum::<f64>();
            (sum(0) / n, sum(1) / n)
        }
    }
}

fn unix(t: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp()
}

fn in_week_w(t: &str) -> bool {
    unix(t) < unix(&sh(WEEK_W_END))
}

/// T's pings, as CSV lines in the synthetic feed's columns.
fn t_pings(clinic: (f64, f64)) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut ping = |t: &str, (lon, lat): (f64, f64), acc: f64| {
        rows.push((
            t.to_string(),
            format!(
                "{T_PINGS},AAID,{},{lat:.6},{lon:.6},{acc:.1},10.1.2.3,Mozilla/5.0 (Linux; Android 14)",
                unix(t) * 1000
            ),
        ));
    };
    let downtown = (-93.265, 44.978);
    let east = (-93.225, 44.975);
    let saint_paul = (-93.10, 44.95);
    // Week W: three pings at the clinic, a long stay downtown, a visit east, an evening in
    // Saint Paul, one ping too coarse to keep.
    for m in [0, 5, 10] {
        ping(&sh(&format!("2026-11-07T10:{m:02}:00Z")), clinic, 8.0);
    }
    for k in 0..19 {
        ping(&sh(&format!("2026-11-08T{:02}:{:02}:00Z", 9 + k / 6, (k % 6) * 10)), downtown, 10.0);
    }
    ping(&sh("2026-11-08T14:00:00Z"), east, 12.0);
    ping(&sh("2026-11-08T14:10:00Z"), east, 12.0);
    ping(&sh("2026-11-08T18:00:00Z"), saint_paul, 15.0);
    ping(&sh("2026-11-08T19:00:00Z"), saint_paul, 500.0);
    // Week W+1: downtown again, east, the clinic once.
    for k in 0..13 {
        ping(&sh(&format!("2026-11-09T{:02}:{:02}:00Z", 9 + k / 6, (k % 6) * 10)), downtown, 10.0);
    }
    ping(&sh("2026-11-09T13:00:00Z"), east, 12.0);
    ping(&sh("2026-11-09T16:00:00Z"), clinic, 8.0);
    ping(&sh("2026-11-10T08:00:00Z"), saint_paul, 15.0);
    // A row that is quarantined (latitude out of range), in week W.
    let t = &sh("2026-11-08T20:00:00Z");
    rows.push((t.into(), format!("{T_PINGS},AAID,{},95.000000,-93.100000,10.0,10.1.2.3,Mozilla/5.0", unix(t) * 1000)));
    rows
}

/// T's bid requests under several consent strings, some admitted, some refused.
fn t_bids(clinic: (f64, f64)) -> Vec<(String, Value)> {
    let request = |t: &str, (lon, lat): (f64, f64), cat: &str, regs: Value, user: Value| {
        let id = format!("t-{}", unix(t));
        let r = json!({
            "id": id, "at": 1,
            "imp": [{"id": "1", "banner": {"w": 320, "h": 50}, "bidfloor": 0.5}],
            "device": {"ifa": T_BIDS, "os": "Android", "lmt": 0,
                       "geo": {"lat": lat, "lon": lon, "type": 1, "accuracy": 10, "lastfix": 5}},
            "app": {"bundle": "com.example.target", "cat": [cat], "cattax": 1},
            "regs": regs, "user": user, "ext": {"ts": unix(t) * 1000},
        });
        (t.to_string(), r)
    };
    let downtown = (-93.266, 44.977);
    vec![
        // Week W.
        request(&sh("2026-11-08T09:30:00Z"), downtown, "IAB7-1", json!({"gdpr": 1}), json!({"consent": TC_SF1})),
        request(&sh("2026-11-08T10:30:00Z"), downtown, "IAB7-1", json!({"gpp": GPP_USNAT, "gpp_sid": [7]}), json!({})),
        // 2.5 form: US Privacy under regs.ext.
        request(&sh("2026-11-08T11:30:00Z"), downtown, "IAB19-2", json!({"ext": {"us_privacy": "1YNN"}}), json!({})),
        request(&sh("2026-11-08T12:30:00Z"), downtown, "IAB7-1", json!({"us_privacy": "1YYN"}), json!({})),
        request(&sh("2026-11-08T13:30:00Z"), downtown, "IAB7-1", json!({"gdpr": 1}), json!({"consent": TC_NO_SF1})),
        request(
            &sh("2026-11-08T15:30:00Z"),
            downtown,
            "IAB7-1",
            json!({"gpp": GPP_USNAT_GPC, "gpp_sid": [7]}),
            json!({}),
        ),
        // Admitted by consent, then dropped at the clinic.
        request(&sh("2026-11-07T10:07:00Z"), clinic, "IAB7-1", json!({"us_privacy": "1YNN"}), json!({})),
        // Week W+1.
        request(&sh("2026-11-09T09:30:00Z"), downtown, "IAB7-1", json!({"gdpr": 1}), json!({"consent": TC_SF1})),
        request(&sh("2026-11-09T10:30:00Z"), downtown, "IAB19-2", json!({"us_privacy": "1YNN"}), json!({})),
    ]
}

/// `feed/pings.csv`, `feed/bids.jsonl` and `feed/sensitive.geojson`: the city's, plus T's rows
/// (all of them, or only those outside week W). The same names in both stores' feeds.
fn build_feeds(city: &Path, feed: &Path, clinic: &(f64, f64), with_t_in_w: bool) {
    std::fs::create_dir(feed).unwrap();
    // The operator's raw input is private to the operator.
    set_mode(feed, 0o700);
    let keep = |t: &str| with_t_in_w || !in_week_w(t);
    let mut pings = std::fs::read_to_string(city.join("pings.csv")).unwrap();
    for (t, line) in t_pings(*clinic) {
        if keep(&t) {
            pings.push_str(&line);
            pings.push('\n');
        }
    }
    std::fs::write(feed.join("pings.csv"), pings).unwrap();
    let mut bids = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(city.join("bids.jsonl.gz")).unwrap())
        .read_to_string(&mut bids)
        .unwrap();
    for (t, request) in t_bids(*clinic) {
        if keep(&t) {
            bids.push_str(&request.to_string());
            bids.push('\n');
        }
    }
    std::fs::write(feed.join("bids.jsonl"), bids).unwrap();
    std::fs::copy(city.join("sensitive.geojson"), feed.join("sensitive.geojson")).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The script, the same against both stores.

/// One question of the script: its kind, whether its keys are public (every key released) and
/// its flags by the API's names (the CLI's are the same with dashes).
#[derive(Clone)]
struct Q {
    kind: &'static str,
    public: bool,
    fields: Vec<(&'static str, String)>,
}

impl Q {
    fn new(kind: &'static str, public: bool, fields: &[(&'static str, &str)]) -> Q {
        let mut all: Vec<(&'static str, String)> = vec![
            ("from", sh("2026-11-08")),
            ("to", sh("2026-11-10")),
            ("epsilon", "0.5".into()),
            ("case", "N-1".into()),
            ("purpose", "research".into()),
        ];
        for (k, v) in fields {
            match all.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = v.to_string(),
                None => all.push((k, v.to_string())),
            }
        }
        Q { kind, public, fields: all }
    }

    fn with(&self, k: &'static str, v: &str) -> Q {
        let mut q = self.clone();
        match q.fields.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => q.fields.push((k, v.to_string())),
        }
        q
    }

    fn without(mut self, k: &str) -> Q {
        self.fields.retain(|(name, _)| *name != k);
        self
    }

    fn cli(&self, store: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["ask".to_string(), self.kind.to_string(), "--store".into(), store.into()];
        for (k, v) in &self.fields {
            args.push(format!("--{}", k.replace('_', "-")));
            args.push(v.clone());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    fn body(&self, dry_run: bool) -> Value {
        let mut body = serde_json::Map::new();
        for (k, v) in &self.fields {
            let value = match *k {
                "epsilon" | "accuracy" => json!(v.parse::<f64>().unwrap()),
                "res" | "zones_res" | "max_partitions" => json!(v.parse::<u64>().unwrap()),
                _ => json!(v),
            };
            body.insert(k.to_string(), value);
        }
        if dry_run {
            body.insert("dry_run".into(), json!(true));
        }
        Value::Object(body)
    }
}

fn questions() -> Vec<Q> {
    vec![
        Q::new("presence", true, &[("area", DOWNTOWN), ("bucket", "6h"), ("res", "8")]),
        Q::new("presence", true, &[("area", DOWNTOWN), ("bucket", "1d"), ("res", "9"), ("mechanism", "gaussian")]),
        Q::new("flows", true, &[("area", CITY), ("zones_res", "7")]),
        Q::new("flows", false, &[("top_from", TOP_FROM)]),
        Q::new("dwell", true, &[("area", DOWNTOWN), ("max_gap", "30m")]),
        Q::new("co-visit", true, &[("area", DOWNTOWN), ("area_b", EAST)]),
        Q::new(
            "series",
            true,
            &[
                ("area", DOWNTOWN),
                ("bucket", "6h"),
                ("from", &sh("2026-11-09")),
                ("to", &sh("2026-11-10")),
                ("baseline_from", &sh("2026-11-07")),
                ("baseline_to", &sh("2026-11-09")),
            ],
        ),
        Q::new("reach", false, &[("area", CITY), ("zones_res", "7"), ("categories", "found")]),
        // By the IAB taxonomies' top tiers: public keys.
        Q::new("reach", true, &[("area", CITY), ("zones_res", "7")]),
        // Asked by accuracy: the mechanism and ε follow from the question and the rules alone.
        Q::new("presence", true, &[("area", DOWNTOWN), ("bucket", "6h"), ("res", "8"), ("accuracy", "30")])
            .without("epsilon"),
    ]
}

/// Questions every check refuses, from their parameters alone.
fn refusals() -> Vec<(&'static str, Q)> {
    let presence = questions()[0].clone();
    vec![
        ("purpose not allowed", presence.with("purpose", "marketing")),
        ("missing case", presence.with("case", "")),
        ("epsilon above the cap", presence.with("epsilon", "5")),
        ("resolution too fine", presence.with("res", "11")),
        ("bucket too fine", presence.with("bucket", "5m")),
        ("window past the data", presence.with("from", &sh("2026-11-20")).with("to", &sh("2026-11-21"))),
        ("window too long", presence.with("from", &sh("2026-06-01")).with("to", &sh("2026-11-10"))),
        ("dwell too fine", questions()[4].with("res", "11")),
        ("flows zones too fine", questions()[2].with("zones_res", "11")),
    ]
}

fn script(side: &mut Side, weeks: u32) {
    let st = side.store_arg();
    let feed = side.dir.join("feed");
    let out = side.dir.join("out");
    let operator = side.dir.join("operator");
    std::fs::create_dir(&out).unwrap();
    set_mode(&out, 0o755);
    std::fs::create_dir(&operator).unwrap();
    set_mode(&operator, 0o700);
    let (pings, bids, sensitive) = (feed.join("pings.csv"), feed.join("bids.jsonl"), feed.join("sensitive.geojson"));

    // Store and rules.
    side.cli(&["init", "--store", &st]);
    side.cli(&["budget", "set", "--store", &st, "--rule", "epsilon_per_epoch=9.5", "--reason", "neighbours: tighter"]);
    side.cli(&["budget", "set", "--store", &st, "--rule", "no_such_rule=1", "--reason", "a mistake"]);
    side.cli(&["budget", "set", "--store", &st, "--rule", "epsilon_per_epoch=0", "--reason", "a bad value"]);

    // Ingest: the operator's summaries.
    side.operator(&["ingest", "pings", p(&pings), "--store", &st, "--sensitive", p(&sensitive), "--json"]);
    side.operator(&["ingest", "openrtb", p(&bids), "--store", &st, "--sensitive", p(&sensitive), "--json"]);
    side.operator(&["ingest", "pings", p(&pings), "--store", &st, "--sensitive", p(&sensitive)]);
    side.operator(&["ingest", "openrtb", p(&bids), "--store", &st, "--sensitive", p(&sensitive)]);
    side.operator(&["store", "info", "--store", &st]);
    side.operator(&["store", "info", "--store", &st, "--json"]);
    side.operator(&["risk", p(&pings), "--out", p(&operator.join("risk.html")), "--devices", "200"]);
    side.operator(&["risk", p(&pings), "--out", p(&operator.join("risk.html")), "--devices", "200", "--json"]);
    for f in crate::support::files_under(&side.store) {
        if f.to_string_lossy().contains("quarantine") {
            side.operator_text("quarantine files", std::fs::read_to_string(&f).unwrap_or_default());
        }
    }

    // Every question, priced, asked and shown.
    for q in questions() {
        side.cli(&q.cli(&st, &["--dry-run", "--json"]));
    }
    side.cli(&questions()[0].cli(&st, &["--dry-run"]));
    side.cli(&questions()[7].cli(&st, &["--dry-run"]));
    side.cli(&questions()[9].cli(&st, &["--dry-run"]));
    let mut answered = Vec::new();
    for q in questions() {
        let id = side.cli_answer(&q.cli(&st, &["--json"]), q.public);
        answered.extend(id);
    }
    side.cli_human_answer(&questions()[0].with("case", "N-2").cli(&st, &[]), true);
    // The same question again, for the same case: its kept answer given again, free.
    let again = questions()[0].cli(&st, &["--json"]);
    side.cli_kept(&again.iter().map(String::as_str).collect::<Vec<_>>(), true);
    side.cli(&questions()[0].cli(&st, &["--dry-run", "--json"]));
    for (_, q) in refusals() {
        side.cli_answer(&q.cli(&st, &["--json"]), q.public);
        side.cli(&q.cli(&st, &["--dry-run", "--json"]));
    }
    side.cli(&refusals()[0].1.cli(&st, &[]));

    // A question on a cluster.
    if WITH_CLUSTER {
        cluster_ask(side, &questions()[0].with("case", "N-3"));
    }

    // Budget, kept answers, tokens, consent.
    side.cli(&["budget", "--store", &st]);
    side.cli(&["budget", "--store", &st, "--json"]);
    side.cli(&["answers", "list", "--store", &st]);
    side.cli(&["answers", "list", "--store", &st, "--json"]);
    side.cli(&["answers", "list", "--store", &st, "--case", "N-2", "--json"]);
    for (id, public) in &answered {
        side.cli_kept(&["answers", "show", "--store", &st, &id.to_string()], *public);
        side.cli_kept(&["answers", "show", "--store", &st, &id.to_string(), "--adjust"], *public);
        for format in ["csv", "json", "geojson"] {
            side.cli_export(&["answers", "export", "--store", &st, &id.to_string(), "--format", format], format, *public);
        }
        side.cli_export(&["answers", "export", "--store", &st, &id.to_string(), "--adjust"], "csv", *public);
        let parquet = side.dir.join(format!("answer-{id}.parquet"));
        let id = id.to_string();
        let args = ["answers", "export", "--store", &st, &id, "--format", "geoparquet", "--out", p(&parquet)];
        let r = side.cli(&args);
        let shown = std::fs::read(&parquet).map(|bytes| geoparquet_without_values(&bytes, *public));
        // Its size follows the noisy values: read, then removed from the side's directory.
        let _ = std::fs::remove_file(&parquet);
        side.surface(&format!("{}: the file (values removed)", side.label(&args)), format!("exit {}
{}", r.status, shown.unwrap_or_else(|e| e.to_string())));
    }
    side.cli(&["answers", "export", "--store", &st, "1", "--format", "geoparquet"]);
    side.cli(&["answers", "show", "--store", &st, "99999"]);
    side.cli(&["answers", "export", "--store", &st, "99999"]);
    side.cli(&["answers", "export", "--store", &st, "1", "--format", "shapefile"]);
    let analyst = side.token(&st, "analyst", "ana");
    let auditor = side.token(&st, "auditor", "aud");
    let admin = side.token(&st, "admin", "adm");
    let spare = side.token(&st, "analyst", "spare");
    side.cli(&["token", "create", "--store", &st, "--role", "owner", "--name", "x"]);
    side.cli(&["token", "list", "--store", &st]);
    side.cli(&["token", "list", "--store", &st, "--json"]);
    side.cli(&["token", "revoke", "--store", &st, "--id", &token_id(&spare).to_string()]);
    side.cli(&["token", "revoke", "--store", &st, "--id", "99999"]);
    for s in [TC_SF1, TC_NO_SF1, GPP_USNAT, GPP_USNAT_GPC, "1YNN", "1YYN", "not a consent string"] {
        side.cli(&["consent", "explain", s]);
        side.cli(&["consent", "explain", s, "--json", "--store", &st]);
    }
    side.cli(&["audit", "verify", "--store", &st]);
    side.cli(&[
        "token", "create", "--store", &st, "--role", "analyst", "--name", "scoped", "--kinds", "presence,flows", "--cases",
        "N-1", "--purposes", "research", "--epsilon-cap", "0.5", "--expires", "2030-01-01T00:00:00Z",
    ]);
    side.cli(&["token", "create", "--store", &st, "--role", "analyst", "--name", "x", "--expires", "1999-01-01T00:00:00Z"]);
    let supervisor = side.token(&st, "supervisor", "sup");

    // Evidence: each answer's receipt, the store's public key, checks made offline, the
    // receipts as witnesses of the ledger, and the signed report.
    let receipts = out.join("receipts");
    std::fs::create_dir(&receipts).unwrap();
    set_mode(&receipts, 0o755);
    for (id, _) in &answered {
        let path = receipts.join(format!("{id}.json"));
        let id = id.to_string();
        side.cli(&["answers", "receipt", "--store", &st, &id, "--out", p(&path)]);
        side.file(&format!("receipt of answer #{id}"), &path);
        side.cli(&["answers", "receipt", "--store", &st, &id]);
    }
    side.cli(&["answers", "receipt", "--store", &st, "99999"]);
    let key = out.join("store.pub.pem");
    side.cli(&["key", "export-public", "--store", &st, "--out", p(&key)]);
    let printed = side.run_raw(&["key", "export-public", "--store", &st]);
    let (pem, from_file) = (printed.stdout.clone(), std::fs::read_to_string(&key).unwrap_or_default());
    side.surface(
        "$ crowdlens key export-public --store <DIR>/st (the key's base64 removed)",
        format!("exit {}\nsame as the file: {}\n{}", printed.status, pem == from_file, pem_shape(&pem)),
    );
    if let Some((id, _)) = answered.first() {
        let receipt = receipts.join(format!("{id}.json"));
        // Its size follows the noisy values: kept where other users cannot list it.
        let answer = operator.join("answer.json");
        let shown = side.run_raw(&["answers", "show", "--store", &st, &id.to_string()]);
        std::fs::write(&answer, &shown.stdout).unwrap();
        side.cli(&["verify", p(&receipt), p(&answer), "--public-key", p(&key)]);
        side.cli(&["verify", p(&receipt), "--public-key", p(&key)]);
        side.cli(&["verify", p(&answer), p(&answer), "--public-key", p(&key)]);
        side.cli(&["verify", p(&receipt), p(&key), "--public-key", p(&key)]);
        side.cli(&["verify", p(&receipt), p(&answer), "--public-key", p(&receipt)]);
    }
    side.cli(&["verify", p(&receipts.join("nope.json")), "--public-key", p(&key)]);
    side.cli(&["audit", "verify", "--store", &st, "--receipts", p(&receipts)]);
    side.cli(&["audit", "verify", "--store", &st, "--receipts", p(&out.join("nope"))]);
    let signed = out.join("report.signed.json");
    let html = out.join("transparency.html");
    side.cli(&["report", "transparency", "--store", &st, "--out", p(&html), "--signed", p(&signed)]);
    side.file("report transparency --signed: the signed report", &signed);
    side.cli(&["verify", p(&signed), "--public-key", p(&key)]);

    // A second person's approval: a question over the threshold waits; its asker (this OS user)
    // cannot approve it; the API's supervisor does, below.
    side.cli(&["budget", "set", "--store", &st, "--rule", "approval_above_epsilon=0.6", "--reason", "two-person rule"]);
    let large = questions()[0].with("case", "N-8").with("epsilon", "0.7");
    side.cli_answer(&large.cli(&st, &["--dry-run", "--json"]), true);
    side.cli_answer(&large.cli(&st, &["--json"]), true);
    side.cli(&["approve", "--pending", "--store", &st]);
    side.cli(&["approve", "--pending", "--store", &st, "--json"]);
    side.cli(&["approve", "1", "--store", &st, "--role", "supervisor", "--reason", "my own"]);
    side.cli(&["approve", "1", "--store", &st, "--role", "analyst", "--reason", "x"]);
    side.cli(&["approve", "99", "--store", &st, "--role", "supervisor", "--reason", "x"]);
    side.cli(&["approve", "1", "--store", &st]);
    side.cli(&["budget", "set", "--store", &st, "--rule", "approval_above_epsilon=9.5", "--reason", "off again"]);

    // The API, with a token of each role, while both weeks are held.
    let tokens = Tokens { analyst: analyst.clone(), auditor: auditor.clone(), admin: admin.clone(), revoked: spare, supervisor };
    api_session(side, &tokens, true);
    // Approved by the API's supervisor: the same question is answered once, and the next waits.
    side.cli(&["budget", "set", "--store", &st, "--rule", "approval_above_epsilon=0.6", "--reason", "two-person rule"]);
    side.cli_answer(&large.cli(&st, &["--json"]), true);
    side.cli_answer(&large.with("case", "N-9").cli(&st, &["--json"]), true);
    side.cli(&["budget", "set", "--store", &st, "--rule", "approval_above_epsilon=9.5", "--reason", "off again"]);

    // Retention: week W expires from here on. Priced from the command line, applied by the
    // API (or by `serve` itself when it starts, where it applies retention on its own), then
    // by the command line again, which finds nothing left.
    set_retention_weeks(side, weeks);
    side.cli(&["retention", "apply", "--store", &st, "--dry-run"]);
    side.cli(&["retention", "apply", "--store", &st, "--dry-run", "--json"]);
    api_session(side, &tokens, false);
    side.cli(&["retention", "apply", "--store", &st, "--json"]);
    side.cli(&["retention", "apply", "--store", &st]);
    side.cli_answer(&questions()[0].with("case", "N-4").cli(&st, &["--json"]), true);
    side.cli(&["budget", "--store", &st, "--json"]);

    // Reports and the audit chain, last, so that they cover everything above.
    let html = out.join("transparency.html");
    side.cli(&["report", "transparency", "--store", &st, "--out", p(&html)]);
    side.file("report transparency: HTML", &html);
    side.cli(&["report", "transparency", "--store", &st, "--out", p(&html), "--json"]);
    side.cli(&[
        "report",
        "transparency",
        "--store",
        &st,
        "--out",
        p(&html),
        "--from",
        &sh("2026-11-01"),
        "--to",
        &sh("2026-11-30"),
    ]);
    side.file("report transparency: HTML for a period", &html);
    side.cli(&["report", "transparency", "--store", &st, "--out", p(&html), "--from", "2026-11-31"]);
    side.cli(&["audit", "verify", "--store", &st]);
    let export = out.join("audit.jsonl");
    side.cli(&["audit", "export", "--store", &st, "--out", p(&export)]);
    side.file("audit export", &export);
    side.cli(&["answers", "list", "--store", &st, "--json"]);
    side.operator(&["store", "info", "--store", &st, "--json"]);

    // What another user of the machine can see of the work directory.
    side.surface("files visible to other users", visible_files(&side.dir));
}

/// Sets the ledger's `retention_weeks` rule (audited).
fn set_retention_weeks(side: &mut Side, weeks: u32) {
    let st = side.store_arg();
    let rule = format!("retention_weeks={weeks}");
    let r = side.run_raw(&["budget", "set", "--store", &st, "--rule", &rule, "--reason", "neighbours: expire a week"]);
    assert_eq!(r.status, 0, "budget set retention_weeks: {}", r.stderr);
    side.record_cli(&["budget", "set", "--store", &st, "--rule", "retention_weeks=<weeks>"], &r);
}

struct Tokens {
    analyst: String,
    auditor: String,
    admin: String,
    revoked: String,
    supervisor: String,
}

/// A PEM document's shape (its armour lines and how many lines of base64), without the key.
fn pem_shape(pem: &str) -> String {
    pem.lines().map(|l| if l.starts_with("-----") { l.to_string() } else { format!("<{} base64 characters>", l.len()) }).collect::<Vec<_>>().join("\n")
}

fn token_id(token: &str) -> i64 {
    token.split('_').nth(1).and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("not a token: {token}"))
}

/// `serve` on an ephemeral port, every route with each role; its log is compared.
fn api_session(side: &mut Side, t: &Tokens, before_retention: bool) {
    let phase = if before_retention { "serve 1 (both weeks held)" } else { "serve 2 (week W expired)" };
    let st = side.store_arg();
    let server = Server::start(side, &["serve", "--store", &st, "--listen", "127.0.0.1:0", "--rate-limit", "100000"]);
    // Retention's pass at start runs beside the first requests: wait for it, so that both
    // stores answer them in the same state.
    server.wait_for("retention: ", Duration::from_secs(60));
    let base = server.base.clone();
    let api = |side: &mut Side, method: &str, path: &str, token: Option<&str>, body: Option<Value>| {
        side.api(phase, &base, method, path, token, body)
    };
    let roles = [("analyst", t.analyst.as_str()), ("auditor", t.auditor.as_str()), ("admin", t.admin.as_str())];

    // Routes every role, and no token, may call.
    for (_, token) in roles {
        api(side, "GET", "/v1/token", Some(token), None);
        api(side, "GET", "/v1/budget", Some(token), None);
        api(side, "GET", "/v1/store", Some(token), None);
        api(side, "GET", "/v1/questions", Some(token), None);
        api(side, "POST", "/v1/cells", Some(token), Some(json!({"grid": DOWNTOWN, "res": 8})));
        api(side, "GET", "/v1/places?q=downtown%20minneapolis", Some(token), None);
        api(side, "GET", "/v1/places?bbox=-93.4,44.85,-93.0,45.1&limit=20", Some(token), None);
    }
    api(side, "GET", "/ui/basemap/info.json", None, None);
    api(side, "GET", "/v1/places", Some(t.analyst.as_str()), None);
    api(side, "GET", "/v1/places?bbox=1,2,3", Some(t.analyst.as_str()), None);
    api(side, "GET", "/v1/places?q=minneapolis", None, None);
    api(side, "GET", "/v1/health", None, None);
    api(side, "GET", "/v1/token", None, None);
    api(side, "GET", "/v1/token", Some(t.revoked.as_str()), None);
    api(side, "GET", "/v1/token", Some("cl_1_not-a-secret"), None);
    api(side, "POST", "/v1/cells", Some(t.analyst.as_str()), Some(json!({"cells": ["87275268bffffff", "nonsense"]})));
    api(side, "GET", "/v1/no-such-route", Some(t.admin.as_str()), None);

    if before_retention {
        // Questions: priced, asked, refused.
        for q in questions() {
            api(side, "POST", &format!("/v1/ask/{}", q.kind), Some(t.analyst.as_str()), Some(q.body(true)));
        }
        let mut answered = Vec::new();
        for q in questions() {
            let q = q.with("case", "N-5");
            let reply =
                api(side, "POST", &format!("/v1/ask/{}", q.kind), Some(t.analyst.as_str()), Some(q.body(false)));
            if let Some(id) = reply.and_then(|r| r["audit_id"].as_i64()) {
                answered.push((id, q.public));
            }
        }
        for (_, q) in refusals() {
            api(side, "POST", &format!("/v1/ask/{}", q.kind), Some(t.analyst.as_str()), Some(q.body(false)));
        }
        let presence = questions()[0].with("case", "N-5");
        api(side, "POST", "/v1/ask/teleport", Some(t.analyst.as_str()), Some(presence.body(false)));
        api(
            side,
            "POST",
            "/v1/ask/presence",
            Some(t.analyst.as_str()),
            Some(presence.with("area", "/etc/passwd").body(false)),
        );
        api(side, "POST", "/v1/ask/presence", Some(t.auditor.as_str()), Some(presence.body(false)));
        api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(json!({"case": "N-5", "unknown": 1})));
        // Questions as jobs: each question again (its kept answer, free), one priced, one new
        // (charged and released through the job), and one that fails; each followed to its end
        // before its status is compared. A cancel of a running job is timing (whether it ends
        // first), so it is tested against a held engine in the server's tests; here a cancel
        // finds the job finished.
        let mut as_jobs: Vec<(Q, bool)> = questions().into_iter().map(|q| (q.with("case", "N-5"), false)).collect();
        as_jobs.push((presence.clone(), true));
        as_jobs.push((questions()[1].with("case", "N-7"), false));
        as_jobs.push((presence.with("epsilon", "-1"), false));
        let mut job_ids = Vec::new();
        for (q, dry_run) in &as_jobs {
            if let Some(id) = side.api_job(phase, &base, t.analyst.as_str(), q, *dry_run) {
                api(side, "GET", &format!("/v1/jobs/{id}"), Some(t.analyst.as_str()), None);
                api(side, "GET", &format!("/v1/jobs/{id}/result"), Some(t.analyst.as_str()), None);
                let fresh = side.api_json.last().filter(|(_, v)| v.get("reused").is_none());
                if let Some(answer) = fresh.and_then(|(_, v)| v["audit_id"].as_i64()) {
                    answered.push((answer, q.public));
                }
                job_ids.push(id);
            }
        }
        api(side, "GET", "/v1/jobs", Some(t.analyst.as_str()), None);
        for (_, token) in roles {
            api(side, "GET", "/v1/jobs", Some(token), None);
        }
        if let Some(id) = job_ids.first() {
            api(side, "POST", &format!("/v1/jobs/{id}/cancel"), Some(t.analyst.as_str()), None);
            api(side, "GET", &format!("/v1/jobs/{id}"), Some(t.auditor.as_str()), None);
        }
        api(side, "POST", "/v1/jobs/0123456789abcdef0123456789abcdef/cancel", Some(t.analyst.as_str()), None);
        api(side, "GET", "/v1/jobs/nope/result", Some(t.analyst.as_str()), None);
        api(side, "POST", "/v1/jobs", Some(t.analyst.as_str()), Some(presence.body(false)));
        api(side, "POST", "/v1/jobs", Some(t.auditor.as_str()), Some(json!({"question": "presence"})));
        // The rest of the budget, then a question it cannot pay for, priced and asked.
        let budget = api(side, "GET", "/v1/budget", Some(t.analyst.as_str()), None).unwrap_or_default();
        let left = budget["epochs"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["epsilon_remaining"].as_f64()).fold(f64::INFINITY, f64::min))
            .unwrap_or(0.0);
        let last = presence.with("epsilon", &format!("{}", (left * 1e6).round() / 1e6));
        if left > 0.0 && left <= 1.0 {
            let reply = api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(last.body(false)));
            if let Some(id) = reply.and_then(|r| r["audit_id"].as_i64()) {
                answered.push((id, true));
            }
        }
        side.surface("budget left before the exhausting question", format!("{left:.6}"));
        let over = presence.with("epsilon", "0.5");
        api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(over.body(true)));
        api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(over.body(false)));
        side.cli(&over.cli(&st, &["--dry-run", "--json"]));
        side.cli_answer(&over.cli(&st, &["--json"]), true);

        // Kept answers, by role.
        for (_, token) in roles {
            api(side, "GET", "/v1/answers", Some(token), None);
            api(side, "GET", "/v1/answers?case=N-5", Some(token), None);
        }
        for (id, public) in &answered {
            side.kept_public.insert(*id, *public);
            api(side, "GET", &format!("/v1/answers/{id}"), Some(t.analyst.as_str()), None);
            api(side, "GET", &format!("/v1/answers/{id}"), Some(t.auditor.as_str()), None);
            api(side, "GET", &format!("/v1/answers/{id}?adjust=true"), Some(t.auditor.as_str()), None);
            for format in ["csv", "json", "geojson", "geoparquet"] {
                api(side, "GET", &format!("/v1/answers/{id}/export?format={format}"), Some(t.analyst.as_str()), None);
                api(side, "GET", &format!("/v1/answers/{id}/export?format={format}"), Some(t.auditor.as_str()), None);
            }
            api(side, "GET", &format!("/v1/answers/{id}/export?adjust=true"), Some(t.auditor.as_str()), None);
        }
        api(side, "GET", "/v1/answers/99999", Some(t.auditor.as_str()), None);
        api(side, "GET", "/v1/answers/99999/export", Some(t.auditor.as_str()), None);
        api(side, "GET", "/v1/answers/1/export?format=shapefile", Some(t.auditor.as_str()), None);
        // Tokens.
        let created = api(
            side,
            "POST",
            "/v1/tokens",
            Some(t.admin.as_str()),
            Some(json!({"name": "api-made", "role": "auditor"})),
        );
        api(side, "POST", "/v1/tokens", Some(t.admin.as_str()), Some(json!({"name": "", "role": "auditor"})));
        api(side, "POST", "/v1/tokens", Some(t.analyst.as_str()), Some(json!({"name": "x", "role": "admin"})));
        for (_, token) in roles {
            api(side, "GET", "/v1/tokens", Some(token), None);
        }
        if let Some(id) = created.and_then(|c| c["info"]["id"].as_i64()) {
            api(side, "POST", &format!("/v1/tokens/{id}/revoke"), Some(t.admin.as_str()), None);
        }
        api(side, "POST", "/v1/tokens/99999/revoke", Some(t.admin.as_str()), None);
        api(side, "POST", "/v1/tokens", Some(t.admin.as_str()), Some(json!({"name": "brief", "role": "analyst", "expires": "2030-01-01T00:00:00Z", "kinds": ["presence"], "epsilon_cap_per_epoch": 0.5})));
        api(side, "POST", "/v1/tokens", Some(t.admin.as_str()), Some(json!({"name": "x", "role": "analyst", "expires": "tomorrow"})));
        // Receipts, the key, and approvals.
        for (id, _) in &answered {
            api(side, "GET", &format!("/v1/answers/{id}/receipt"), Some(t.analyst.as_str()), None);
        }
        api(side, "GET", "/v1/answers/99999/receipt", Some(t.auditor.as_str()), None);
        for (_, token) in roles {
            api(side, "GET", "/v1/key", Some(token), None);
        }
        api(side, "GET", "/v1/key", None, None);
        let sup = t.supervisor.as_str();
        for token in [t.analyst.as_str(), sup, t.auditor.as_str()] {
            api(side, "GET", "/v1/approvals", Some(token), None);
        }
        api(side, "GET", "/v1/approvals?pending=true", Some(sup), None);
        api(side, "POST", "/v1/approvals/1/approve", Some(t.analyst.as_str()), Some(json!({"reason": "mine"})));
        api(side, "POST", "/v1/approvals/1/approve", Some(sup), Some(json!({"reason": ""})));
        api(side, "POST", "/v1/approvals/1/approve", Some(sup), Some(json!({"reason": "warrant on file"})));
        api(side, "POST", "/v1/approvals/1/approve", Some(sup), Some(json!({"reason": "again"})));
        api(side, "POST", "/v1/approvals/1/decline", Some(sup), Some(json!({"reason": "too late"})));
        api(side, "POST", "/v1/approvals/99/decline", Some(sup), Some(json!({"reason": "none"})));
        api(side, "GET", "/v1/report?format=signed", Some(t.auditor.as_str()), None);
        // Retention, priced only: nothing has expired yet.
        api(side, "POST", "/v1/retention/apply", Some(t.admin.as_str()), Some(json!({"dry_run": true})));
        api(side, "POST", "/v1/retention/apply", Some(t.auditor.as_str()), Some(json!({"dry_run": true})));
    } else {
        api(side, "POST", "/v1/retention/apply", Some(t.admin.as_str()), Some(json!({"dry_run": true})));
        api(side, "POST", "/v1/retention/apply", Some(t.admin.as_str()), None);
        let late = questions()[0].with("case", "N-6");
        api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(late.body(true)));
        api(side, "POST", "/v1/ask/presence", Some(t.analyst.as_str()), Some(late.body(false)));
    }

    // Oversight: the audit log and the transparency report, by role.
    for (_, token) in roles {
        api(side, "GET", "/v1/audit", Some(token), None);
        api(side, "GET", "/v1/report", Some(token), None);
    }
    api(side, "GET", "/v1/report?format=html", Some(t.auditor.as_str()), None);
    let period = format!("/v1/report?from={}&to={}", sh("2026-11-01"), sh("2026-11-30"));
    api(side, "GET", &period, Some(t.auditor.as_str()), None);
    api(side, "GET", "/v1/report?format=pdf", Some(t.auditor.as_str()), None);
    // The UI and the API's description: the same bytes for every store, but served by it.
    api(side, "GET", "/v1/openapi.json", None, None);
    api(side, "GET", "/", None, None);
    for asset in ["app.js", "app.css", "nope.js"] {
        api(side, "GET", &format!("/ui/{asset}"), None, None);
    }
    let log = server.stop();
    side.surface(&format!("{phase}: log"), log);
}

/// A question on a local cluster: a scheduler and one executor, started for this store alone so
/// that their logs are this store's.
fn cluster_ask(side: &mut Side, q: &Q) {
    // The cluster's credentials: the coordinator's installed in the store, as docs/cluster.md says.
    let creds = side.dir.join("cluster-credentials");
    let store = side.store_arg();
    side.cli(&["cluster", "credentials", "--out", p(&creds), "--store", store.as_str()]);
    let scheduler = format!("127.0.0.1:{}", free_port());
    let sched_bundle = creds.join("scheduler");
    let sched =
        Server::start(side, &["cluster", "scheduler", "--bind", &scheduler, "--credentials", p(&sched_bundle), "--log"]);
    sched.wait_for("crowdlens cluster scheduler on", Duration::from_secs(30));
    let bind = format!("127.0.0.1:{}", free_port());
    // Where the executor keeps its shuffle files: created by the executor itself, so that its
    // permissions are crowdlens' choice (visible files are compared below).
    let work = side.dir.join("cluster-work");
    let exec_bundle = creds.join("executor-1");
    let exec = Server::start(
        side,
        &[
            "cluster",
            "executor",
            "--scheduler",
            &scheduler,
            "--bind",
            &bind,
            "--concurrency",
            "1",
            "--work-dir",
            p(&work),
            "--credentials",
            p(&exec_bundle),
            "--log",
        ],
    );
    exec.wait_for("Starting poll work loop", Duration::from_secs(60));
    let engine = format!("df://{scheduler}");
    side.cli_answer(&q.cli(&side.store_arg(), &["--json", "--engine", &engine, "--engine-timeout", "60s"]), q.public);
    // Both logs as they stand once the question is over, before either node stops (a scheduler
    // that outlives its executor would log losing it, at a time of its own).
    std::thread::sleep(Duration::from_millis(500));
    let (sched_log, exec_log) = (sched.log.lock().unwrap().clone(), exec.log.lock().unwrap().clone());
    drop(exec);
    drop(sched);
    // Ballista's random ids: its jobs', the scheduler's and the executor's.
    for (marker, with) in [("Job queued: [", "<JOB>"), ("Scheduler id: ", "<NODE>"), ("Executor id: ", "<NODE>")] {
        for part in sched_log.split(marker).skip(1).chain(exec_log.split(marker).skip(1)) {
            let id: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if id.len() >= 8 {
                side.random.push((id, with));
            }
        }
    }
    // Nodes log from several threads: the order of their lines is the scheduler's, not the data's.
    let sorted = |log: String| {
        let mut lines: Vec<String> = log.lines().map(|l| side.normalise(l)).collect();
        lines.sort();
        lines.join("\n")
    };
    let (sched_log, exec_log) = (sorted(sched_log), sorted(exec_log));
    side.surface("cluster scheduler: log (lines sorted)", sched_log);
    side.surface("cluster executor: log (lines sorted)", exec_log);
}

// ---------------------------------------------------------------------------------------------
// One store's run: its outputs, normalised, and what it exercised.

struct Side {
    name: &'static str,
    dir: PathBuf,
    store: PathBuf,
    /// When the script runs, and the retention cutoff: times of "now" that are normalised.
    nows: Vec<chrono::DateTime<chrono::Utc>>,
    /// (label, normalised text), in script order.
    surfaces: Vec<(String, String)>,
    /// Operator-only outputs, by their OPERATOR_ONLY name: raw text, not compared.
    operator: Vec<(String, String)>,
    /// Every CLI invocation's arguments.
    commands: Vec<Vec<String>>,
    /// Every API request, as (method, path without the query).
    requests: Vec<(String, String)>,
    /// Every API response body that is JSON, with its label, for the operator-only check.
    api_json: Vec<(String, Value)>,
    /// Kept answers' ids and whether their keys are public.
    kept_public: BTreeMap<i64, bool>,
    /// Ids that cluster nodes and the server's jobs drew at random, with what replaces them.
    random: Vec<(String, &'static str)>,
    /// Jobs' ids and whether their answers' keys are public.
    job_public: BTreeMap<String, bool>,
}

impl Side {
    fn new(name: &'static str, dir: PathBuf, nows: Vec<chrono::DateTime<chrono::Utc>>) -> Side {
        let store = dir.join("st");
        Side {
            name,
            dir,
            store,
            nows,
            surfaces: Vec::new(),
            operator: Vec::new(),
            commands: Vec::new(),
            requests: Vec::new(),
            api_json: Vec::new(),
            kept_public: BTreeMap::new(),
            random: Vec::new(),
            job_public: BTreeMap::new(),
        }
    }

    fn store_arg(&self) -> String {
        p(&self.store).to_string()
    }

    fn normalise(&self, text: &str) -> String {
        normalise(text, &self.dir, &self.nows, &self.random)
    }

    /// Adds a compared surface; a repeated label gets a number.
    fn surface(&mut self, label: &str, text: String) {
        let mut label = label.to_string();
        let n = self.surfaces.iter().filter(|(l, _)| l == &label || l.starts_with(&format!("{label} #"))).count();
        if n > 0 {
            label = format!("{label} #{}", n + 1);
        }
        let text = self.normalise(&text);
        self.surfaces.push((label, text));
    }

    fn run_raw(&mut self, args: &[&str]) -> Run {
        let output = bin().args(args).current_dir(&self.dir).output().expect("spawn crowdlens");
        let r = Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(!r.stderr.contains("panicked"), "store {}: panic in {args:?}: {}", self.name, r.stderr);
        self.commands.push(args.iter().map(|s| s.to_string()).collect());
        r
    }

    fn label(&self, args: &[&str]) -> String {
        format!("$ crowdlens {}", self.normalise(&args.join(" ")))
    }

    fn record_cli(&mut self, args: &[&str], r: &Run) {
        let label = self.label(args);
        let text =
            format!("exit {}\n--- stdout\n{}\n--- stderr\n{}", r.status, self.pretty_if_json(&r.stdout), r.stderr);
        self.surface(&label, text);
    }

    /// Runs a command whose whole output is compared.
    fn cli(&mut self, args: &[impl AsRef<str>]) -> Run {
        let args: Vec<&str> = args.iter().map(|a| a.as_ref()).collect();
        let r = self.run_raw(&args);
        self.record_cli(&args, &r);
        r
    }

    /// Runs an operator-only command: recorded, not compared.
    fn operator(&mut self, args: &[&str]) -> Run {
        let r = self.run_raw(args);
        assert_eq!(r.status, 0, "store {}: {args:?}: {}", self.name, r.stderr);
        let name = OPERATOR_ONLY
            .iter()
            .map(|(n, _)| *n)
            .find(|n| args.join(" ").starts_with(n))
            .unwrap_or_else(|| panic!("{args:?} is not in OPERATOR_ONLY"));
        self.operator.push((name.into(), r.stdout.clone()));
        r
    }

    fn operator_text(&mut self, name: &str, text: String) {
        assert!(OPERATOR_ONLY.iter().any(|(n, _)| *n == name), "{name} is not in OPERATOR_ONLY");
        self.operator.push((name.into(), text));
    }

    /// Asks a question with `--json`: a DP release. Everything but its rows is compared, and for
    /// public keys the rows' keys too. Returns its audit id when answered.
    fn cli_answer(&mut self, args: &[String], public: bool) -> Option<(i64, bool)> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = self.run_raw(&args);
        let label = self.label(&args);
        let parsed = serde_json::from_str::<Value>(r.stdout.trim()).ok();
        let (shown, keys) = match &parsed {
            Some(v) => without_rows(v, public),
            None => (r.stdout.clone(), None),
        };
        self.surface(
            &label,
            format!("exit {}\n--- stdout (rows removed)\n{shown}\n--- stderr\n{}", r.status, r.stderr),
        );
        if let Some(keys) = keys {
            self.surface(&format!("{label}: row keys"), keys);
        }
        let id = parsed.as_ref().and_then(|v| v["audit_id"].as_i64());
        if let Some(id) = id {
            self.kept_public.insert(id, public);
        }
        id.map(|id| (id, public))
    }

    /// Asks a question with human output: the lines around the table are compared, and the
    /// table's key columns when keys are public.
    fn cli_human_answer(&mut self, args: &[String], public: bool) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = self.run_raw(&args);
        let label = self.label(&args);
        let mut shown = Vec::new();
        let mut keys = Vec::new();
        let mut lines = r.stdout.lines();
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            // The half-width is printed as the first row's value less its lower bound: the same
            // width, up to the last bit of a float computed from a noisy value.
            let marker = "95% interval = value ± ";
            match line.split_once(marker).and_then(|(left, w)| Some((left, w.trim().parse::<f64>().ok()?))) {
                Some((left, w)) => shown.push(format!("{left}{marker}{w:.6}")),
                None => shown.push(line.to_string()),
            }
        }
        if let Some(header) = lines.next() {
            shown.push(header.to_string());
        }
        for line in lines {
            if line.is_empty() {
                break; // derived values (series' change) follow: noisy
            }
            // `{key cells}  {value}   [{low}, {high}]`: keep the key cells.
            let cells = line.rsplit_once("   [").map_or(line, |(left, _)| left).trim_end();
            let cells = cells.rsplit_once(' ').map_or("", |(left, _)| left).trim_end();
            keys.push(cells.to_string());
        }
        self.surface(
            &label,
            format!("exit {}\n--- stdout (rows removed)\n{}\n--- stderr\n{}", r.status, shown.join("\n"), r.stderr),
        );
        if public {
            self.surface(&format!("{label}: row keys"), keys.join("\n"));
        }
    }

    /// `answers show`: a kept answer, a DP release like the answer itself.
    fn cli_kept(&mut self, args: &[&str], public: bool) {
        let r = self.run_raw(args);
        let label = self.label(args);
        let (shown, keys) = match serde_json::from_str::<Value>(r.stdout.trim()) {
            Ok(v) => without_rows(&v, public),
            Err(_) => (r.stdout.clone(), None),
        };
        self.surface(
            &label,
            format!("exit {}\n--- stdout (rows removed)\n{shown}\n--- stderr\n{}", r.status, r.stderr),
        );
        if let Some(keys) = keys {
            self.surface(&format!("{label}: row keys"), keys);
        }
    }

    /// `answers export`: a kept answer as a file, a DP release like the answer itself.
    fn cli_export(&mut self, args: &[&str], format: &str, public: bool) {
        let r = self.run_raw(args);
        let label = self.label(args);
        let shown = if r.status == 0 { export_without_values(&r.stdout, format, public) } else { r.stdout.clone() };
        self.surface(&label, format!("exit {}\n--- stdout (values removed)\n{shown}\n--- stderr\n{}", r.status, r.stderr));
    }

    /// `token create`: compared, and the token returned.
    fn token(&mut self, st: &str, role: &str, name: &str) -> String {
        let r = self.cli(&["token", "create", "--store", st, "--role", role, "--name", name]);
        assert_eq!(r.status, 0, "token create: {}", r.stderr);
        r.stdout.trim().lines().last().unwrap().to_string()
    }

    /// A file the script wrote.
    fn file(&mut self, label: &str, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("<unreadable: {e}>"));
        let text = if text.trim_start().starts_with('<') { text.replace("><", ">\n<") } else { text };
        self.surface(label, text);
    }

    /// One API request: status and body compared (an answer without its rows).
    fn api(
        &mut self,
        phase: &str,
        base: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Option<Value> {
        let (status, bytes) = self.request(base, method, path, token, body.as_ref());
        self.surface_response(phase, method, path, token, body, status, bytes)
    }

    /// One request, recorded as made (for the routes' coverage) but not compared.
    fn request(&mut self, base: &str, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let url = format!("{base}{path}");
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut response = match method {
            "GET" => {
                let mut r = agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            _ => {
                let mut r = agent.post(&url).header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send(body.map(|b| b.to_string()).unwrap_or_default().as_bytes())
            }
        }
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let bytes = response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap_or_default();
        self.requests.push((method.to_string(), path.split('?').next().unwrap().to_string()));
        (status, bytes)
    }

    /// Submits `q` as a job (`POST /v1/jobs`), compares the status it is accepted with, and
    /// waits for the job to finish, with long polls that are not compared: how far a running
    /// job has got is the server's timing. Returns the job's id.
    fn api_job(&mut self, phase: &str, base: &str, token: &str, q: &Q, dry_run: bool) -> Option<String> {
        let mut body = q.body(dry_run);
        body["question"] = q.kind.into();
        let (status, bytes) = self.request(base, "POST", "/v1/jobs", Some(token), Some(&body));
        let id = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| v["id"].as_str().map(str::to_string));
        if let Some(id) = &id {
            // Drawn at random: the same placeholder on both sides, so that their statuses and
            // the serve log compare.
            self.random.push((id.clone(), "<JOB>"));
            self.job_public.insert(id.clone(), asked_public(q.kind, &body));
        }
        self.surface_response(phase, "POST", "/v1/jobs", Some(token), Some(body), status, bytes);
        let id = id?;
        for _ in 0..40 {
            let (_, bytes) = self.request(base, "GET", &format!("/v1/jobs/{id}?wait=30"), Some(token), None);
            let running = serde_json::from_slice::<Value>(&bytes).map(|v| v["status"] == "running").unwrap_or(false);
            if !running {
                return Some(id);
            }
        }
        panic!("{}: job {id} did not finish within 20 minutes", self.name);
    }

    #[allow(clippy::too_many_arguments)]
    fn surface_response(
        &mut self,
        phase: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        status: u16,
        bytes: Vec<u8>,
    ) -> Option<Value> {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let role = match token {
            None => "no token".to_string(),
            Some(t) if t.starts_with("cl_") && t.split('_').count() >= 3 => format!("token #{}", token_id(t)),
            Some(_) => "a bad token".to_string(),
        };
        let body_label = body.as_ref().map(|b| format!(" {b}")).unwrap_or_default();
        let mut label = format!("{phase}: {method} {path} ({role}){body_label}");
        for (id, with) in &self.random {
            label = label.replace(id.as_str(), with);
        }
        let parsed = serde_json::from_str::<Value>(&text).ok();
        let job_result = path.strip_prefix("/v1/jobs/").and_then(|p| p.strip_suffix("/result"));
        let is_answer = path.starts_with("/v1/ask/")
            || (path.starts_with("/v1/answers/") && status == 200)
            || (job_result.is_some() && status == 200);
        let export_of = path.split('?').next().unwrap_or_default().strip_suffix("/export").and_then(|p| p.rsplit('/').next()?.parse::<i64>().ok());
        let shown = match &parsed {
            _ if status == 200 && export_of.is_some() => {
                let format = path.split("format=").nth(1).map(|f| f.split('&').next().unwrap_or_default()).unwrap_or("csv");
                let public = export_of.map(|id| self.public_answer(id)).unwrap_or(true);
                let shown = match format {
                    "geoparquet" => geoparquet_without_values(&bytes, public),
                    _ => export_without_values(&text, format, public),
                };
                format!("(values removed)\n{shown}")
            }
            Some(v) if is_answer && v.get("rows").is_some() => {
                let public = if let Some(job) = job_result {
                    self.job_public.get(job).copied()
                } else if path.starts_with("/v1/answers/") {
                    path.split('?')
                        .next()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .and_then(|id| id.parse::<i64>().ok())
                        .and_then(|id| self.kept_public.get(&id))
                        .copied()
                } else {
                    body.as_ref().map(|b| asked_public(path.trim_start_matches("/v1/ask/"), b))
                };
                let (shown, keys) = without_rows(v, public.unwrap_or(false));
                if let Some(keys) = keys {
                    self.surface(&format!("{label}: row keys"), keys);
                }
                let mut stripped = v.clone();
                strip_rows(&mut stripped);
                self.api_json.push((label.clone(), stripped));
                format!("(rows removed)\n{shown}")
            }
            Some(v) => {
                let mut v = v.clone();
                // A kept answer's row count is a release when its keys come from the data.
                if path.starts_with("/v1/answers") {
                    self.blank_private_row_counts(&mut v);
                }
                self.api_json.push((label.clone(), v.clone()));
                serde_json::to_string_pretty(&v).unwrap()
            }
            None if text.trim_start().starts_with('<') => text.replace("><", ">\n<"),
            None => text.clone(),
        };
        self.surface(&label, format!("status {status}\n{shown}"));
        parsed
    }

    /// Whether the kept answer `id` has public keys (unknown ids count as public, so that a
    /// difference shows).
    fn public_answer(&self, id: i64) -> bool {
        self.kept_public.get(&id).copied().unwrap_or(true)
    }

    /// In a list of kept answers, the row count of an answer whose keys come from the data
    /// (reach, top destinations) is a DP release: blanked.
    fn blank_private_row_counts(&self, v: &mut Value) {
        let list = match v {
            Value::Array(a) => a,
            Value::Object(o) => match o.get_mut("answers") {
                Some(Value::Array(a)) => a,
                _ => return,
            },
            _ => return,
        };
        for a in list {
            if a["audit_id"].as_i64().is_some_and(|id| !self.public_answer(id)) {
                a["rows"] = json!("<released row count>");
            }
        }
    }

    fn pretty_if_json(&self, stdout: &str) -> String {
        let trimmed = stdout.trim();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(mut v) = serde_json::from_str::<Value>(trimmed) {
                self.blank_private_row_counts(&mut v);
                return serde_json::to_string_pretty(&v).unwrap();
            }
        }
        // `answers list` as a table (`#id question case purpose ε rows at`): the same.
        let mut out = Vec::new();
        for line in stdout.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let id = words.first().and_then(|w| w.strip_prefix('#')).and_then(|id| id.parse::<i64>().ok());
            match id {
                Some(id) if words.len() >= 7 && !self.public_answer(id) => {
                    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                    words[5] = "<released row count>".into();
                    out.push(words.join(" "));
                }
                _ => out.push(line.to_string()),
            }
        }
        out.join("\n")
    }
}

/// An answer's JSON without its rows and derived values (pretty), and for public keys the
/// rows' keys, one per line.
/// Whether the answer to a question asked with `body` has public keys: every key is released,
/// unless they come from the data (reach's categories found, a top-k list).
fn asked_public(kind: &str, body: &Value) -> bool {
    let top = body.get("top_from").is_some();
    let found = body.get("categories").and_then(Value::as_str) == Some("found");
    !(kind == "reach" && found) && !top
}

fn without_rows(v: &Value, public: bool) -> (String, Option<String>) {
    let mut v = v.clone();
    let rows = v.get("rows").cloned();
    strip_rows(&mut v);
    let keys = match (public, rows) {
        (true, Some(Value::Array(rows))) => Some(
            rows.iter()
                .map(|r| {
                    let mut r = r.clone();
                    if let Some(o) = r.as_object_mut() {
                        // `adjusted` is the noisy value post-processed: a release too.
                        for k in ["value", "ci_low", "ci_high", "adjusted"] {
                            o.remove(k);
                        }
                    }
                    r.to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    };
    (serde_json::to_string_pretty(&v).unwrap(), keys)
}

/// An export (`answers export`, `/v1/answers/{id}/export`) without what it releases: the
/// question is compared whole; for public keys each row's key (its geometry follows from it),
/// for keys from the data not even how many rows there are.
fn export_without_values(text: &str, format: &str, public: bool) -> String {
    const RELEASED: [&str; 4] = ["value", "ci_low", "ci_high", "adjusted"];
    match format {
        "csv" => {
            let (question, table): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('#'));
            let mut shown: Vec<String> = question.iter().map(|l| l.to_string()).collect();
            let table = table.join("\n");
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(table.as_bytes());
            let header = reader.headers().map(|h| h.clone()).unwrap_or_default();
            shown.push(header.iter().collect::<Vec<_>>().join(","));
            if public {
                let keep: Vec<usize> = (0..header.len()).filter(|i| !RELEASED.contains(&&header[*i])).collect();
                for record in reader.records() {
                    let record = record.unwrap_or_default();
                    shown.push(keep.iter().map(|i| record.get(*i).unwrap_or_default()).collect::<Vec<_>>().join(","));
                }
            }
            shown.join("\n")
        }
        "geojson" => {
            let Ok(mut v) = serde_json::from_str::<Value>(text) else { return text.to_string() };
            let features = v.as_object_mut().and_then(|o| o.remove("features"));
            let mut shown = serde_json::to_string_pretty(&v).unwrap();
            if let (true, Some(Value::Array(features))) = (public, features) {
                for mut f in features {
                    if let Some(props) = f.get_mut("properties").and_then(Value::as_object_mut) {
                        for k in RELEASED {
                            props.remove(k);
                        }
                    }
                    shown.push('\n');
                    shown.push_str(&f.to_string());
                }
            }
            shown
        }
        _ => match serde_json::from_str::<Value>(text) {
            Ok(v) => {
                let (shown, keys) = without_rows(&v, public);
                format!("{shown}\n{}", keys.unwrap_or_default())
            }
            Err(_) => text.to_string(),
        },
    }
}

/// A GeoParquet export as text to compare: its `geo` and `crowdlens` metadata and its schema,
/// and, when its keys are public, each row's key fields and geometry (the released measures
/// left out). An answer's bbox follows its keys, so it is left out with them.
fn geoparquet_without_values(bytes: &[u8], public: bool) -> String {
    const RELEASED: [&str; 4] = ["value", "ci_low", "ci_high", "adjusted"];
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    let builder = match parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file) {
        Ok(b) => b,
        Err(e) => return format!("not a Parquet file ({e}): {}", String::from_utf8_lossy(bytes)),
    };
    let mut shown = Vec::new();
    for kv in builder.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default() {
        if kv.key == "ARROW:schema" {
            continue;
        }
        let mut v: Value = kv.value.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
        if kv.key == "geo" && !public {
            if let Some(geometry) = v.pointer_mut("/columns/geometry").and_then(Value::as_object_mut) {
                geometry.remove("bbox");
            }
        }
        if kv.key == "crowdlens" {
            strip_rows(&mut v);
        }
        shown.push(format!("{}: {v}", kv.key));
    }
    let schema = builder.schema().clone();
    shown.push(schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect::<Vec<_>>().join(", "));
    if public {
        for batch in builder.build().unwrap() {
            let batch = batch.unwrap();
            for row in 0..batch.num_rows() {
                let fields: Vec<String> = schema
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| !RELEASED.contains(&f.name().as_str()))
                    .map(|(i, f)| {
                        let value = arrow::util::display::array_value_to_string(batch.column(i), row).unwrap();
                        format!("{}={value}", f.name())
                    })
                    .collect();
                shown.push(fields.join(" "));
            }
        }
    }
    shown.join("\n")
}

fn strip_rows(v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        o.remove("rows");
        o.remove("derived");
    }
}

/// A child process (`serve`, a cluster node) whose stderr is read on a thread and kept.
struct Server {
    child: Child,
    log: Arc<Mutex<String>>,
    /// The thread that reads the log; it ends when the process does.
    reader: Option<std::thread::JoinHandle<()>>,
    base: String,
}

impl Server {
    fn start(side: &mut Side, args: &[&str]) -> Server {
        side.commands.push(args.iter().map(|s| s.to_string()).collect());
        let mut child = bin()
            .args(args)
            .current_dir(&side.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn crowdlens");
        let log = Arc::new(Mutex::new(String::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), log.clone());
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = Server { child, log, reader: Some(reader), base: String::new() };
        if args[0] == "serve" {
            server.wait_for("crowdlens on http://", Duration::from_secs(30));
            let first = server.log.lock().unwrap().clone();
            let address = first.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap();
            server.base = format!("http://{}", address.trim_end_matches('/'));
        }
        server
    }

    fn wait_for(&self, needle: &str, within: Duration) {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.log.lock().unwrap().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("did not log {needle:?} within {within:?}; its log:\n{}", self.log.lock().unwrap());
    }

    /// Stops the process and returns its whole log.
    fn stop(mut self) -> String {
        std::thread::sleep(Duration::from_millis(200));
        self.child.kill().ok();
        self.child.wait().ok();
        if let Some(reader) = self.reader.take() {
            reader.join().ok();
        }
        let log = self.log.lock().unwrap().clone();
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}



fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Names and sizes of what another user can see under `dir`: an entry is visible when its
/// parent directory can be listed (o+r) and every directory down to it entered (o+x).
fn visible_files(dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode();
        if mode & 0o005 != 0o005 {
            continue; // not listable and enterable by others: what is inside stays unseen
        }
        let mut entries: Vec<_> = std::fs::read_dir(&d).unwrap().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            let meta = std::fs::symlink_metadata(&e).unwrap();
            let rel = e.strip_prefix(dir).unwrap().display().to_string();
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                out.push(format!("{rel}/ (mode {mode:o})"));
                stack.push(e);
            } else {
                out.push(format!("{rel} {} bytes (mode {mode:o})", meta.len()));
            }
        }
    }
    out.sort();
    out.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Normalisation: only what differs between any two runs, never a count.

fn normalise(text: &str, dir: &Path, nows: &[chrono::DateTime<chrono::Utc>], random: &[(String, &str)]) -> String {
    let mut t = strip_ansi(text);
    // Ids a node draws at random (Ballista's job, scheduler and executor ids).
    for (id, with) in random {
        t = t.replace(id.as_str(), with);
    }
    for d in [dir.to_path_buf(), dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())] {
        t = t.replace(p(&d), "<DIR>");
    }
    // The day of the run (and the days beside it, for a run across midnight), and the instants
    // computed from the time of the run (retention's cutoffs), to the hour.
    let days: BTreeSet<String> =
        (-1..=1).map(|k| (nows[0] + chrono::Duration::days(k)).format("%Y-%m-%d").to_string()).collect();
    let instants: Vec<i64> = nows[1..].iter().map(|n| n.timestamp()).collect();
    let t = replace_times(&t, &days, &instants);
    let t = replace_hex64(&t);
    // A store's public key as PEM (`GET /v1/key`): drawn at random when the store was made.
    let t = replace_after(&t, "-----BEGIN PUBLIC KEY-----", |rest| {
        rest.find("-----END PUBLIC KEY-----").map(|end| ("<PEM>".to_string(), end))
    });
    let t = replace_after(&t, "cl_", |rest| {
        // cl_<id>_<secret>: keep the id.
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if id.is_empty() || !rest[id.len()..].starts_with('_') {
            return None;
        }
        let secret =
            rest[id.len() + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').count();
        (secret >= 16).then(|| (format!("{id}_<SECRET>"), id.len() + 1 + secret))
    });
    let t = replace_after(&t, "127.0.0.1:", |rest| {
        let n = rest.chars().take_while(char::is_ascii_digit).count();
        (n > 0).then(|| ("<PORT>".to_string(), n))
    });
    // The serve log's request times.
    let t = replace_after(&t, " ms=", |rest| {
        let n = rest.chars().take_while(char::is_ascii_digit).count();
        (n > 0).then(|| ("<N>".to_string(), n))
    });
    // The machine's free disk space, in a Ballista executor's registration.
    let t = replace_after(&t, "total_available_disk_space: ", |rest| {
        let n = rest.chars().take_while(char::is_ascii_digit).count();
        (n > 0).then(|| ("<BYTES>".to_string(), n))
    });
    // DataFusion's spill directory under an executor's work directory, named at random.
    let t = replace_after(&t, "/datafusion-", |rest| {
        let n = rest.chars().take_while(char::is_ascii_alphanumeric).count();
        (n == 6).then(|| ("<RANDOM>".to_string(), n))
    });
    // Ports a cluster node names without its host.
    let mut t = t;
    for marker in ["port: ", "grpc_port: ", "on port "] {
        t = replace_after(&t, marker, |rest| {
            let n = rest.chars().take_while(char::is_ascii_digit).count();
            (n > 0).then(|| ("<PORT>".to_string(), n))
        });
    }
    replace_durations(&t)
}

/// Terminal colours (the serve log's `tracing` output): formatting, not content.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Measured durations with a fractional part and a unit (`8.31501ms`, `805.598µs`, `0.3 s`):
/// timing, never a count (a count has no fraction).
fn replace_durations(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // The end of a duration starting at `i`, if one does.
    let duration_at = |i: usize| -> Option<usize> {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.')) {
            return None;
        }
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if !(j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit()) {
            return None;
        }
        j += 1;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        ["ns", "µs", "us", "ms", "s"].iter().find_map(|unit| {
            let u: Vec<char> = unit.chars().collect();
            let end = j + u.len();
            (end <= chars.len()
                && chars[j..end] == u[..]
                && (end == chars.len() || !chars[end].is_ascii_alphanumeric()))
            .then_some(end)
        })
    };
    while i < chars.len() {
        match duration_at(i) {
            Some(end) => {
                out.push_str("<DURATION>");
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Replaces what `f` matches right after each occurrence of `marker`.
fn replace_after(text: &str, marker: &str, f: impl Fn(&str) -> Option<(String, usize)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        if let Some((with, n)) = f(rest) {
            out.push_str(&with);
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// ISO dates and timestamps (`YYYY-MM-DD`, optionally `[T ]HH:MM:SS[.frac][Z|±HH:MM]`) on a day
/// of `days`, and timestamps within an hour of one of `instants`.
fn replace_times(text: &str, days: &BTreeSet<String>, instants: &[i64]) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 10 <= b.len() {
        let digits = |k: usize, n: usize| k + n <= b.len() && b[k..k + n].iter().all(u8::is_ascii_digit);
        let is_date = digits(i, 4)
            && b[i + 4] == b'-'
            && digits(i + 5, 2)
            && b[i + 7] == b'-'
            && digits(i + 8, 2)
            && (i == 0 || !b[i - 1].is_ascii_digit());
        if !is_date {
            i += 1;
            continue;
        }
        let mut j = i + 10;
        let has_time = j + 9 <= b.len()
            && (b[j] == b'T' || b[j] == b' ')
            && digits(j + 1, 2)
            && b[j + 3] == b':'
            && digits(j + 4, 2)
            && b[j + 6] == b':'
            && digits(j + 7, 2);
        let near_an_instant = has_time
            && chrono::NaiveDateTime::parse_from_str(
                &format!("{} {}", &text[i..i + 10], &text[j + 1..j + 9]),
                "%Y-%m-%d %H:%M:%S",
            )
            .is_ok_and(|t| instants.iter().any(|n| (t.and_utc().timestamp() - n).abs() <= 3600));
        if !days.contains(&text[i..i + 10]) && !near_an_instant {
            i += 1;
            continue;
        }
        let mut what = "<DATE>";
        if has_time {
            j += 9;
            what = "<TIME>";
            if j < b.len() && b[j] == b'.' {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && b[j] == b'Z' {
                j += 1;
            } else if j + 6 <= b.len() && (b[j] == b'+' || b[j] == b'-') && digits(j + 1, 2) && b[j + 3] == b':' {
                j += 6;
            }
        }
        out.push_str(&text[copied..i]);
        out.push_str(what);
        i = j;
        copied = j;
    }
    out.push_str(&text[copied..]);
    out
}

/// Runs of exactly 64 lower-case hex digits (SHA-256, BLAKE3, chain hashes, public keys), and of
/// 128 (Ed25519 signatures: of a receipt, whose payload holds a noisy answer's digest, or of a
/// report, which holds the chain's head).
fn replace_hex64(text: &str) -> String {
    let b = text.as_bytes();
    let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        if hex(b[i]) && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < b.len() && hex(b[j]) {
                j += 1;
            }
            if (j - i == 64 || j - i == 128) && (j == b.len() || !b[j].is_ascii_alphanumeric()) {
                out.push_str(&text[copied..i]);
                out.push_str(if j - i == 64 { "<HEX64>" } else { "<SIGNATURE>" });
                copied = j;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

// ---------------------------------------------------------------------------------------------
// The checks.

fn compare(a: &Side, b: &Side) -> Vec<String> {
    let mut problems = Vec::new();
    let la: Vec<&str> = a.surfaces.iter().map(|(l, _)| l.as_str()).collect();
    let lb: Vec<&str> = b.surfaces.iter().map(|(l, _)| l.as_str()).collect();
    if la != lb {
        let only_a: Vec<_> = la.iter().filter(|l| !lb.contains(l)).collect();
        let only_b: Vec<_> = lb.iter().filter(|l| !la.contains(l)).collect();
        problems.push(format!(
            "the two scripts produced different surfaces\n  only in A: {only_a:?}\n  only in B: {only_b:?}"
        ));
    }
    let in_b: BTreeMap<&str, &str> = b.surfaces.iter().map(|(l, t)| (l.as_str(), t.as_str())).collect();
    for (label, ta) in &a.surfaces {
        let Some(tb) = in_b.get(label.as_str()) else { continue };
        if ta != tb {
            problems.push(format!("DIFFERS: {label}\n{}", diff(ta, tb)));
        }
    }
    problems
}

/// The lines that differ, after the common head and tail, at most 40 pairs.
fn diff(a: &str, b: &str) -> String {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    let head = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let tail = la[head..].iter().rev().zip(lb[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&la[head..la.len() - tail], &lb[head..lb.len() - tail]);
    let clip = |s: &str| {
        if s.chars().count() > 400 {
            format!("{}…", s.chars().take(400).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let differing: Vec<usize> = (0..ma.len().max(mb.len())).filter(|&k| ma.get(k) != mb.get(k)).collect();
    let mut out: Vec<String> = differing
        .iter()
        .take(40)
        .map(|&k| {
            format!(
                "  line {}:\n    A: {}\n    B: {}",
                head + k + 1,
                ma.get(k).map_or("<none>".into(), |s| clip(s)),
                mb.get(k).map_or("<none>".into(), |s| clip(s))
            )
        })
        .collect();
    if differing.len() > 40 {
        out.push(format!(
            "  … {} differing lines in all ({} lines in A, {} in B)",
            differing.len(),
            la.len(),
            lb.len()
        ));
    }
    out.join("\n")
}

/// No API response holds an operator-only count: a (field name, exact count) pair from an
/// ingest summary, `store info` or `risk` never appears in what the API returned, and
/// `/v1/store` has no per-day rows.
fn operator_only_not_served(side: &Side) -> Vec<String> {
    let mut counts: BTreeSet<(String, i64)> = BTreeSet::new();
    for (name, text) in &side.operator {
        let Ok(v) = serde_json::from_str::<Value>(text.trim()) else { continue };
        match name.as_str() {
            "ingest pings" | "ingest openrtb" => collect_counts(&v, "", &mut counts),
            "store info" => {
                for part in ["ingest_totals", "partitions", "rows"] {
                    collect_counts(&v[part], part, &mut counts);
                }
            }
            "risk" => {
                for part in ["rows_read", "rows_not_used", "devices_total"] {
                    collect_counts(&v[part], part, &mut counts);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    for (label, v) in &side.api_json {
        let mut found = BTreeSet::new();
        collect_counts(v, "", &mut found);
        // A kept answer's `rows` is its size, compared with the answer itself.
        found.retain(|(k, _)| k != "rows");
        let served: Vec<String> = found.intersection(&counts).map(|(k, n)| format!("{k}={n}")).collect();
        if !served.is_empty() {
            let more = if served.len() > 12 { format!(" … ({} in all)", served.len()) } else { String::new() };
            problems.push(format!(
                "OPERATOR-ONLY DATA SERVED (store {}): {label} returns the operator's exact counts {}{more}",
                side.name,
                served[..served.len().min(12)].join(", ")
            ));
        }
        if label.contains(": GET /v1/store ") {
            let per_day = v.as_object().is_some_and(|o| {
                o.values().any(|x| x.as_array().is_some_and(|a| a.iter().any(|e| e.get("day").is_some())))
            });
            if per_day || v.get("partitions").is_some() || v.get("rows").is_some() || v.get("ingest_totals").is_some() {
                problems
                    .push(format!("OPERATOR-ONLY DATA SERVED (store {}): {label} has per-day rows: {v}", side.name));
            }
        }
    }
    problems
}

/// The API's responses and the transparency report (the page meant for publication) name no
/// path on the operator's machine. (Paths are the same in both stores once normalised, so the
/// comparison alone cannot see them.)
fn no_operator_paths(side: &Side) -> Vec<String> {
    side.surfaces
        .iter()
        .filter(|(label, _)| {
            (label.starts_with("serve ") && !label.ends_with(": log"))
                || label.starts_with("report transparency: HTML")
                || (label.contains("crowdlens report transparency") && label.contains("--json"))
        })
        .filter_map(|(label, text)| {
            let lines: Vec<&str> = text.lines().filter(|l| l.contains("<DIR>")).take(5).collect();
            (!lines.is_empty()).then(|| {
                format!(
                    "OPERATOR'S PATHS PUBLISHED: {label} names files on the operator's machine:\n    {}",
                    lines.join("\n    ")
                )
            })
        })
        .collect()
}

/// Integer leaves of at least 10, by their field name (for maps of counts by reason, the reason).
fn collect_counts(v: &Value, key: &str, out: &mut BTreeSet<(String, i64)>) {
    match v {
        Value::Object(o) => o.iter().for_each(|(k, x)| collect_counts(x, k, out)),
        Value::Array(a) => a.iter().for_each(|x| collect_counts(x, key, out)),
        Value::Number(n) => {
            if let Some(n) = n.as_i64().filter(|n| *n >= 10) {
                out.insert((key.to_string(), n));
            }
        }
        _ => {}
    }
}

/// The CLI's commands, from its help, each exercised by the script or listed with a reason.
fn every_command_is_covered(side: &Side) -> Vec<String> {
    let tree = command_tree();
    let ran: BTreeSet<String> = side
        .commands
        .iter()
        .filter_map(|args| {
            (1..=args.len()).rev().map(|n| args[..n].join(" ")).find(|path| tree.iter().any(|(t, _)| t == path))
        })
        .collect();
    let listed = |path: &str| {
        OPERATOR_ONLY.iter().chain(NOT_A_STORE_SURFACE).any(|(n, _)| *n == path || path.rsplit(' ').next() == Some(*n))
    };
    tree.iter()
        .filter(|(path, runnable)| *runnable && !ran.contains(path) && !listed(path))
        .map(|(path, _)| {
            format!("NOT COVERED: `crowdlens {path}` is neither run by the script nor in OPERATOR_ONLY or NOT_A_STORE_SURFACE")
        })
        .collect()
}

/// Every command path (`ask presence`, `budget`, `budget set`, ...) and whether it can be run by
/// itself (a group such as `ingest` only has subcommands).
fn command_tree() -> Vec<(String, bool)> {
    fn help(path: &[String]) -> String {
        let out = bin().args(path).arg("--help").output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn subcommands(text: &str) -> Vec<String> {
        let mut lines = text.lines().skip_while(|l| l.trim() != "Commands:").skip(1);
        let mut out = Vec::new();
        for l in lines.by_ref() {
            if l.trim().is_empty() || !l.starts_with(' ') {
                break;
            }
            out.push(l.split_whitespace().next().unwrap().to_string());
        }
        out
    }
    let mut tree = Vec::new();
    let mut stack: Vec<Vec<String>> = subcommands(&help(&[])).into_iter().map(|c| vec![c]).collect();
    assert!(stack.len() > 10, "crowdlens --help lists its commands");
    while let Some(path) = stack.pop() {
        if path.last().is_some_and(|c| c == "help") {
            tree.push((path.join(" "), true));
            continue;
        }
        let text = help(&path);
        let subs = subcommands(&text);
        // `Usage: crowdlens budget [OPTIONS]` as well as `crowdlens budget <COMMAND>`: runnable.
        let usage: Vec<&str> =
            text.lines().skip_while(|l| !l.starts_with("Usage:")).take_while(|l| !l.trim().is_empty()).collect();
        let runnable = subs.is_empty() || usage.iter().any(|l| !l.trim_end().ends_with("<COMMAND>"));
        tree.push((path.join(" "), runnable));
        for s in subs {
            let mut child = path.clone();
            child.push(s);
            stack.push(child);
        }
    }
    tree.sort();
    tree
}

/// Every route of the API's table was requested by the script.
fn every_route_is_requested(side: &Side) -> Vec<String> {
    let matches = |template: &str, path: &str| {
        let t: Vec<&str> = template.split('/').collect();
        let p: Vec<&str> = path.split('/').collect();
        for (k, seg) in t.iter().enumerate() {
            if seg.starts_with("{*") {
                return p.len() > k;
            }
            match p.get(k) {
                Some(x) if seg.starts_with('{') || x == seg => {}
                _ => return false,
            }
        }
        t.len() == p.len()
    };
    crowdlens_server::ROUTES
        .iter()
        .filter(|(method, template)| !side.requests.iter().any(|(m, p)| m == method && matches(template, p)))
        .map(|(method, template)| format!("NOT COVERED: route {method} {template} was never requested by the script"))
        .collect()
}

fn report(problems: &[String]) -> String {
    let heads: Vec<&str> = problems.iter().map(|p| p.lines().next().unwrap_or("")).collect();
    format!(
        "{} problems between the neighbouring stores A (with T's week {}) and B (without it):\n  {}\n\n{}",
        problems.len(),
        week_w(),
        heads.join("\n  "),
        problems.join("\n\n")
    )
}
