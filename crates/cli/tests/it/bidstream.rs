//! `ingest openrtb` and `consent explain` end to end: synthetic truth, spec and Prebid-style
//! fixtures, and the issue's consent strings.

use crate::support::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures/openrtb").join(name)
}

fn counts(j: &serde_json::Value, field: &str) -> serde_json::Map<String, serde_json::Value> {
    j[field].as_object().cloned().unwrap_or_default()
}

#[test]
fn synthetic_drop_counts_match_the_truth_file() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 400, 2);
    let st = init_store(dir.path());
    let bids = city.join("bids.jsonl.gz");
    let j = run(&[
        "ingest",
        "openrtb",
        s(&bids),
        "--store",
        s(&st),
        "--sensitive",
        s(&city.join("sensitive.geojson")),
        "--json",
    ])
    .ok()
    .json();
    assert!(reconciles(&j), "{j}");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(city.join("bids_truth.json")).unwrap()).unwrap();
    assert_eq!(j["read"], truth["requests"], "{j}");

    let dropped = counts(&j, "dropped");
    let quarantined = counts(&j, "quarantine_reasons");
    let mut location_policy = 0;
    for (reason, n) in &dropped {
        if reason == "accuracy_above_ceiling" || reason.starts_with("sensitive_place:") {
            location_policy += n.as_u64().unwrap();
        } else {
            assert_eq!(Some(n), truth["outcomes"].get(reason), "dropped {reason}: {j}\ntruth {truth}");
        }
    }
    for (reason, n) in &quarantined {
        assert_eq!(Some(n), truth["outcomes"].get(reason), "quarantined {reason}: {j}\ntruth {truth}");
    }
    for (outcome, n) in truth["outcomes"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        if outcome == "consented_with_location" {
            assert_eq!(j["stored"].as_u64().unwrap() + location_policy, n, "{j}\ntruth {truth}");
        } else {
            let got = dropped.get(outcome).or(quarantined.get(outcome)).and_then(|v| v.as_u64());
            assert_eq!(got, Some(n), "{outcome}: {j}\ntruth {truth}");
        }
    }
    // Every consent rule is exercised by the synthetic mix.
    for reason in [
        "coppa",
        "lmt",
        "gdpr_no_tc_string",
        "gdpr_invalid_tc_string",
        "gdpr_no_precise_geolocation_optin",
        "gdpr_missing_purpose_consent",
        "usp_opt_out_of_sale",
        "gpp_sale_or_sharing_opt_out",
        "gpp_no_precise_geolocation_consent",
        "ip_geolocation",
        "no_geolocation",
        "no_advertising_id",
    ] {
        assert!(dropped.get(reason).and_then(|v| v.as_u64()).unwrap_or(0) > 0, "{reason} never occurs: {j}");
    }
    assert!(quarantined["undecodable_gpp"].as_u64().unwrap() > 0);

    // The same bytes again count nothing twice.
    let again = run(&["ingest", "openrtb", s(&bids), "--store", s(&st), "--json"]).ok().json();
    assert_eq!((again["skipped_already_ingested"].as_u64(), again["read"].as_u64()), (Some(1), Some(0)));

    // The reach question now has categories to count.
    let reach = run(&[
        "ask",
        "reach",
        "--store",
        s(&st),
        "--area",
        "bbox:-93.40,44.85,-92.98,45.10",
        "--zones-res",
        "7",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-04",
        "--epsilon",
        "1",
        "--case",
        "T-1",
        "--purpose",
        "research",
        "--json",
    ])
    .ok()
    .json();
    // Keys are private (thresholded), so a city this small may release few; each one released
    // names its category as the taxonomy writes it.
    for row in reach["rows"].as_array().unwrap() {
        let category = row["category"].as_str().unwrap();
        assert!(category.starts_with("IAB") || category.starts_with("cattax"), "{reach}");
    }

    // No raw advertising id, IP or user agent reaches the store.
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&bids).unwrap()).read_to_string(&mut s).unwrap();
        s
    };
    let first: serde_json::Value = text
        .lines()
        .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok().filter(|v| v["device"]["ifa"].is_string()))
        .unwrap();
    let ifa = first["device"]["ifa"].as_str().unwrap();
    let ip = first["device"]["ip"].as_str().unwrap();
    for f in files_under(&st) {
        let bytes = std::fs::read(&f).unwrap();
        for needle in [ifa, ip, "Mozilla/5.0", "com.example.synth", "news.example"] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{} contains {needle}", f.display());
        }
    }
}

#[test]
fn spec_examples_are_all_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let j =
        run(&["ingest", "openrtb", s(&fixture("spec_2_6_examples.jsonl")), "--store", s(&st), "--json"]).ok().json();
    assert!(reconciles(&j), "{j}");
    assert_eq!(j["read"], 6);
    // The spec's examples carry no precise location; the mobile one has a fix of unknown type.
    assert_eq!(j["dropped"]["no_geolocation"], 5, "{j}");
    assert_eq!(j["dropped"]["geo_type_unknown"], 1, "{j}");
}

#[test]
fn prebid_style_requests_each_get_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let file = fixture("prebid_style.jsonl");
    let j = run(&["ingest", "openrtb", s(&file), "--store", s(&st), "--json"]).ok().json();
    assert!(reconciles(&j), "{j}");
    // Eight lines, one of them blank.
    assert_eq!(j["read"], 7, "{j}");
    assert_eq!(j["stored"], 2, "{j}");
    assert_eq!(j["dropped"]["gdpr_no_precise_geolocation_optin"], 1, "{j}");
    assert_eq!(j["dropped"]["coppa"], 1, "{j}");
    assert_eq!(j["dropped"]["usp_opt_out_of_sale"], 1, "{j}");
    assert_eq!(j["quarantine_reasons"]["undecodable_gpp"], 1, "{j}");
    assert_eq!(j["quarantine_reasons"]["missing_time"], 1, "{j}");
    let quarantine = std::fs::read_to_string(j["quarantine_files"][0].as_str().unwrap()).unwrap();
    assert!(quarantine.contains("\"line\":6") && quarantine.contains("\"line\":8"), "{quarantine}");
    assert!(!quarantine.contains("AEBE52E7"), "the quarantine never copies the record: {quarantine}");

    // With the receive time given, the request without ext.ts is stored in a fresh store.
    let st2 = dir.path().join("st2");
    let j =
        run(&["ingest", "openrtb", s(&file), "--store", s(&st2), "--received-at", "2026-11-02T12:00:00Z", "--json"])
            .ok()
            .json();
    assert_eq!(j["stored"], 3, "{j}");
    let bad = run(&["ingest", "openrtb", s(&file), "--store", s(&st2), "--received-at", "teatime"]);
    assert!(bad.clean_error().contains("--received-at"), "{}", bad.stderr);
}

#[test]
fn parquet_given_to_openrtb_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let fake = dir.path().join("x.parquet");
    std::fs::write(&fake, b"PAR1\0\0\0\0").unwrap();
    let r = run(&["ingest", "openrtb", s(&fake), "--store", s(&st)]);
    assert!(r.clean_error().contains("ingest pings"), "{}", r.stderr);
}

#[test]
fn consent_explain_the_issue_examples() {
    let tc = run(&["consent", "explain", "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", "--json"]).ok().json();
    assert_eq!(tc["kind"], "tcf");
    assert_eq!(tc["valid"], true);
    for field in ["special_feature_optins", "purposes_consent", "vendor_consents"] {
        assert!(tc[field].is_array(), "{field}: {tc}");
    }
    assert_eq!(tc["verdict"], "drop:gdpr_no_precise_geolocation_optin");

    let gpp = run(&["consent", "explain", "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", "--json"]).ok().json();
    assert_eq!(gpp["kind"], "gpp");
    assert_eq!(gpp["gpp_sections"], serde_json::json!([2]));
    assert_eq!(gpp["verdict"], "drop:gdpr_no_precise_geolocation_optin");

    let usp = run(&["consent", "explain", "1YNN", "--json"]).ok().json();
    assert_eq!(
        (usp["kind"].as_str(), usp["valid"].as_bool(), usp["verdict"].as_str()),
        (Some("usp"), Some(true), Some("admit"))
    );

    let admit = run(&[
        "consent",
        "explain",
        "CQuZP8AQuZP8AAfAFBENCWFoAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA",
        "--json",
    ])
    .ok()
    .json();
    assert_eq!(admit["verdict"], "admit", "{admit}");
    assert_eq!(admit["special_feature_optins"], serde_json::json!([1]));

    let bad = run(&["consent", "explain", "DBABM~!!", "--json"]).ok().json();
    assert_eq!(bad["valid"], false);
    assert!(bad["error"].as_str().unwrap().contains("GPP"), "{bad}");

    let text = run(&["consent", "explain", "1YYN"]).ok().stdout.clone();
    assert!(text.contains("verdict:  drop:usp_opt_out_of_sale"), "{text}");
}

#[test]
fn consent_explain_uses_the_store_policy() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    // This TC string consents to purposes 1 to 4 only: the default policy wants 9 as well.
    let tc = "CQuZP8AQuZP8AAfAFBENCWFoAPAAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
    let j = run(&["consent", "explain", tc, "--store", s(&st), "--json"]).ok().json();
    assert_eq!(j["verdict"], "drop:gdpr_missing_purpose_consent");
    let config = st.join("crowdlens.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("tcf_required_purposes = [1, 9]", "tcf_required_purposes = [1]");
    std::fs::write(&config, text).unwrap();
    let j = run(&["consent", "explain", tc, "--store", s(&st), "--json"]).ok().json();
    assert_eq!(j["verdict"], "admit", "{j}");
}

/// Ingests `real_world.jsonl` and checks every line against its hand-checked outcome.
fn check_real_world_expectations(store: &std::path::Path, admit_untyped_geo: bool) {
    let file = fixture("real_world.jsonl");
    let expect: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("real_world.expect.json")).unwrap()).unwrap();
    let j =
        run(&["ingest", "openrtb", s(&file), "--store", s(store), "--time-field", "timestamp", "--json"]).ok().json();
    assert!(reconciles(&j), "{j}");
    let lines = expect["lines"].as_array().unwrap();
    assert_eq!(j["read"].as_u64().unwrap(), lines.len() as u64, "{j}");

    let mut want_stored = 0;
    let mut want_dropped = std::collections::BTreeMap::<String, u64>::new();
    let mut want_quarantined = std::collections::BTreeMap::<u64, String>::new();
    for l in lines {
        let mut outcome = l["outcome"].as_str().unwrap();
        if admit_untyped_geo && outcome == "drop:geo_type_unknown" {
            outcome = "admit";
        }
        match outcome.split_once(':') {
            None => want_stored += 1,
            Some(("drop", reason)) => *want_dropped.entry(reason.to_string()).or_default() += 1,
            Some(("quarantine", reason)) => {
                want_quarantined.insert(l["line"].as_u64().unwrap(), reason.to_string());
            }
            Some(other) => panic!("bad outcome {other:?} in the expectation file"),
        }
    }
    assert_eq!(j["stored"], want_stored, "{j}");
    let dropped: std::collections::BTreeMap<String, u64> =
        counts(&j, "dropped").into_iter().map(|(k, v)| (k, v.as_u64().unwrap())).collect();
    assert_eq!(dropped, want_dropped, "{j}");
    // Quarantined lines are named in the quarantine file: compare them line by line.
    let quarantine = std::fs::read_to_string(j["quarantine_files"][0].as_str().unwrap()).unwrap();
    let got: std::collections::BTreeMap<u64, String> = quarantine
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|e| (e["line"].as_u64().unwrap(), e["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(got, want_quarantined, "{quarantine}");
}

#[test]
fn real_world_shapes_get_their_hand_checked_outcome() {
    let dir = tempfile::tempdir().unwrap();
    check_real_world_expectations(&init_store(dir.path()), false);

    // The documented switch for exchanges that omit geo.type: only that line changes.
    let lenient = dir.path().join("lenient");
    run(&["init", "--store", s(&lenient)]).ok();
    let config = lenient.join("crowdlens.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("admit_untyped_geo = false"), "{text}");
    std::fs::write(&config, text.replace("admit_untyped_geo = false", "admit_untyped_geo = true")).unwrap();
    check_real_world_expectations(&lenient, true);

    // Paths that are no paths are refused before anything is read.
    let bad =
        run(&["ingest", "openrtb", s(&fixture("real_world.jsonl")), "--store", s(&lenient), "--time-field", "a..b"]);
    assert!(
        bad.clean_error().contains("--time-field") && bad.clean_error().contains("not a JSON path"),
        "{}",
        bad.stderr
    );
}
