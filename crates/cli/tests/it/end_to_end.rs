use crate::support::*;

#[test]
fn synth_ingest_ask_budget() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 300, 2);
    let st = init_store(dir.path());
    let pings = city.join("pings.csv");
    let sensitive = city.join("sensitive.geojson");

    let r = run(&["ingest", "pings", s(&pings), "--store", s(&st), "--sensitive", s(&sensitive), "--json"]);
    let j = r.ok().json();
    for key in ["read", "stored", "quarantined", "dropped", "skipped_already_ingested"] {
        assert!(j.get(key).is_some(), "missing {key}: {j}");
    }
    assert!(reconciles(&j), "{j}");
    let lines = std::fs::read_to_string(&pings).unwrap().lines().count() as u64 - 1;
    assert_eq!(j["read"].as_u64().unwrap(), lines);
    let dropped = j["dropped"].as_object().unwrap();
    assert!(dropped["accuracy_above_ceiling"].as_u64().unwrap() > 0, "IP-based fixes are dropped: {j}");
    assert!(dropped.keys().any(|k| k.starts_with("sensitive_place:")), "{j}");
    let stored = j["stored"].as_u64().unwrap();

    // Same bytes again: nothing is read or stored twice.
    let again = run(&["ingest", "pings", s(&pings), "--store", s(&st), "--json"]).ok().json();
    assert_eq!(again["skipped_already_ingested"], 1);
    assert_eq!(again["stored"], 0);
    let info = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(info["rows"].as_u64().unwrap(), stored);

    // No raw identifier, IP or user agent reaches the store.
    let text = std::fs::read_to_string(&pings).unwrap();
    let first: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let (raw_id, ip, ua) = (first[0], first[6], "Mozilla/5.0");
    for f in files_under(&st) {
        let bytes = std::fs::read(&f).unwrap();
        for needle in [raw_id, raw_id.to_lowercase().as_str(), ip, ua] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{} contains a raw value",
                f.display()
            );
        }
    }

    let ask = |eps: &str, extra: &[&str]| {
        let mut args = vec![
            "ask",
            "presence",
            "--store",
            s(&st),
            "--area",
            "bbox:-93.30,44.95,-93.24,44.99",
            "--from",
            "2026-11-02T00:00:00Z",
            "--to",
            "2026-11-03T00:00:00Z",
            "--bucket",
            "1h",
            "--epsilon",
            eps,
            "--case",
            "C-17",
            "--purpose",
            "fraud-investigation",
            "--json",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let a = ask("0.5", &[]).ok().json();
    for key in ["question", "epsilon", "delta", "epochs", "rows"] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    let rows = a["rows"].as_array().unwrap();
    assert!(rows.len() >= 24 && rows.len() % 24 == 0, "{}", rows.len());
    for r in rows {
        for key in ["cell", "bucket_start", "value", "ci_low", "ci_high"] {
            assert!(r.get(key).is_some(), "row missing {key}");
        }
    }
    assert_eq!(a["epochs"], serde_json::json!(["2026-W45"]));

    // A dry run reports the cost and spends nothing.
    let dry = ask("0.3", &["--dry-run"]).ok().json();
    assert_eq!(dry["epsilon"], 0.3);
    // ε 9.5 of 10 is left in the week: it pays for 31 more at ε 0.3.
    assert_eq!(dry["questions_left"], 31, "{dry}");
    assert!(dry["ci_half_width"].as_f64().unwrap() > 0.0);

    let b = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let w45 = b["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    assert_eq!(w45["epsilon_spent"], 0.5);

    // The released answer is kept: listed per case, and re-opened with the same rows, for free.
    let id = a["audit_id"].as_i64().unwrap().to_string();
    let listed = run(&["answers", "list", "--store", s(&st), "--case", "C-17", "--json"]).ok().json();
    assert_eq!(listed[0]["audit_id"].to_string(), id, "{listed}");
    let kept = run(&["answers", "show", "--store", s(&st), &id]).ok().json();
    assert_eq!(kept["rows"], a["rows"]);
    assert_eq!(kept["kept"]["digest_matches_audit_entry"], true);
    assert_eq!(run(&["budget", "--store", s(&st), "--json"]).ok().json()["epochs"], b["epochs"], "re-opening is free");
    assert!(run(&["answers", "show", "--store", s(&st), "99999"]).clean_error().contains("no kept answer #99999"));
    // Exported, it carries its question, and GDAL reads the GeoJSON as one polygon per row with
    // the value and its interval.
    let csv = run(&["answers", "export", "--store", s(&st), &id]).ok().stdout.clone();
    assert!(csv.starts_with(&format!("# crowdlens answer #{id} (presence), case C-17, purpose fraud-investigation")), "{csv}");
    assert_eq!(csv.lines().filter(|l| !l.starts_with('#')).count(), rows.len() + 1, "{csv}");
    let geojson = dir.path().join("answer.geojson");
    let r = run(&["answers", "export", "--store", s(&st), &id, "--format", "geojson", "--out", s(&geojson)]);
    r.ok();
    assert!(r.stderr.contains(&format!("wrote answer #{id} as geojson to")), "{}", r.stderr);
    ensure_debian(&[OGRINFO], &["gdal-bin"]);
    let info = std::process::Command::new(OGRINFO).args(["-ro", "-al", "-so"]).arg(&geojson).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Geometry: Polygon") && info.contains(&format!("Feature Count: {}", rows.len())), "{info}");
    for field in ["cell: String", "value: Integer", "ci_low: Real", "ci_high: Real"] {
        assert!(info.contains(field), "{field} not in {info}");
    }
    let e = run(&["answers", "export", "--store", s(&st), &id, "--format", "shp"]);
    assert!(e.status != 0 && e.stderr.contains("no export format \"shp\": use csv, json, geojson or geoparquet"), "{}", e.stderr);
    // GeoParquet is binary: written only to a file, and read back with its geo metadata.
    let e = run(&["answers", "export", "--store", s(&st), &id, "--format", "geoparquet"]);
    assert!(e.status != 0 && e.stderr.contains("give --out FILE.parquet"), "{}", e.stderr);
    let parquet = dir.path().join("answer.parquet");
    run(&["answers", "export", "--store", s(&st), &id, "--format", "geoparquet", "--out", s(&parquet)]).ok();
    let file = std::fs::File::open(&parquet).unwrap();
    let reader = parquet::file::serialized_reader::SerializedFileReader::new(file).unwrap();
    let meta = parquet::file::reader::FileReader::metadata(&reader).file_metadata().clone();
    assert_eq!(meta.num_rows() as usize, rows.len());
    let geo = meta.key_value_metadata().unwrap().iter().find(|kv| kv.key == "geo").and_then(|kv| kv.value.clone()).unwrap();
    let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
    assert_eq!((geo["version"].as_str(), geo["columns"]["geometry"]["encoding"].as_str()), (Some("1.1.0"), Some("WKB")), "{geo}");
    // The same question again, for the same case, is given the same answer, free.
    let again = ask("0.5", &[]).ok().json();
    assert_eq!((again["reused"]["answer"].to_string(), again["reused"]["charged"].as_bool()), (id.clone(), Some(false)));
    assert_eq!(again["rows"], a["rows"]);
    assert_eq!(run(&["budget", "--store", s(&st), "--json"]).ok().json()["epochs"], b["epochs"], "re-asking is free");

    // One question may not spend more than the per-question cap.
    let msg = ask("9.6", &[]).clean_error().to_string();
    assert!(msg.contains("above this store's cap of 1 per question"), "{msg}");
    // Rules change only through the ledger, with an audit entry; editing the file does nothing.
    let toml = st.join("crowdlens.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("epsilon_per_epoch = 10.0", "epsilon_per_epoch = 1000.0")).unwrap();
    let b = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(b["rules"]["epsilon_per_epoch"], 10.0, "{b}");
    let set = ["budget", "set", "--store", s(&st), "--rule", "epsilon_per_epoch=0.8", "--reason", "test"];
    assert!(run(&set).ok().stdout.contains("audit entry"));
    // Spending past the epoch budget is refused with a clear message and a non-zero exit.
    let refused = ask("0.4", &[]);
    let msg = refused.clean_error();
    assert!(msg.contains("budget exhausted for epoch 2026-W45"), "{msg}");
    let b = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let w45 = b["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    assert_eq!(w45["epsilon_spent"], 0.5, "a refusal charges nothing");

    // Floors are enforced with a message that names them.
    let fine = ask("0.1", &["--res", "11"]);
    assert!(fine.clean_error().contains("finest: 9"));
    let short = run(&[
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
        "5m",
        "--epsilon",
        "0.1",
        "--case",
        "C-17",
        "--purpose",
        "fraud-investigation",
    ]);
    assert!(short.clean_error().contains("shortest: 15m"));

    // Human output of store info carries counts, not rows.
    let info = run(&["store", "info", "--store", s(&st)]).ok().stdout.clone();
    assert!(info.contains("2026-11-02") && info.contains("2026-W45"), "{info}");
}

#[test]
fn geolife_sample_ingests_with_its_uid_mapped() {
    // shared/ sits beside the repository (DESIGN.md: ../shared/data from the root).
    let sample = crate_dir()
        .ancestors()
        .map(|a| a.join("shared/data/geolife_sample.txt.gz"))
        .find(|p| p.exists())
        .expect("shared/data/geolife_sample.txt.gz beside the repository");
    let dir = tempfile::tempdir().unwrap();
    // GeoLife's `uid` is a user number, not an advertising id: it is not detected as the
    // device, and the refusal says how to map it. A new store path is not created for it.
    let fresh = dir.path().join("fresh");
    let e = run(&["ingest", "pings", s(&sample), "--store", s(&fresh)]).clean_error().to_string();
    assert!(e.contains("`uid`") && e.contains("--map device_id=uid"), "{e}");
    assert!(e.contains("declares that the column identifies devices"), "{e}");
    assert!(!fresh.exists(), "a refused feed creates no store");
    let st = init_store(dir.path());
    // GeoLife is from 2008: a store that keeps it must say so, or retention (applied at every
    // ingest) shreds it at once.
    run(&["budget", "set", "--store", s(&st), "--rule", "retention_weeks=1500", "--reason", "GeoLife 2008"]).ok();
    let j = run(&["ingest", "pings", s(&sample), "--store", s(&st), "--json", "--map", "device_id=uid"]).ok().json();
    assert_eq!(j["read"], 217_653);
    assert_eq!((j["device_id_columns"][0].as_str(), j["id_kind"].as_str()), (Some("uid"), Some("other")), "{j}");
    assert!(reconciles(&j), "{j}");
    assert!(j["stored"].as_u64().unwrap() > 200_000, "{j}");
    let info = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    assert!(info["partitions"].as_array().unwrap().iter().any(|p| p["day"].as_str().unwrap().starts_with("2008-")));
    assert!(info["shredded_epochs"].as_array().unwrap().is_empty(), "{info}");
    // The store's units are GeoLife users now: a feed of advertising ids goes to a store of
    // its own, and the refusal changes nothing.
    let maids = dir.path().join("maids.csv");
    std::fs::write(
        &maids,
        "mobile_ad_id,timestamp,latitude,longitude\n6d92078a-8246-4ba4-ae5b-76104861e7dc,1793577600,44.97,-93.26\n",
    )
    .unwrap();
    let before = std::fs::read(st.join("manifest.json")).unwrap();
    let e = run(&["ingest", "pings", s(&maids), "--store", s(&st)]).clean_error().to_string();
    assert!(e.contains("id kind `other`") && e.contains("separate store") && e.contains("two privacy units"), "{e}");
    assert_eq!(std::fs::read(st.join("manifest.json")).unwrap(), before);
    assert!(files_under(&st.join("staging")).is_empty());
    // The human summary names the column and its kind.
    let out = run(&["ingest", "pings", s(&maids), "--store", s(&dir.path().join("maid-store"))]).ok().stdout.clone();
    assert!(out.contains("device id    mobile_ad_id (id kind advertising_id"), "{out}");
}

#[test]
fn demo_runs_and_names_no_device() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let r = run(&["demo", "--dir", s(&demo)]);
    r.ok();
    assert!(r.stdout.contains("what the numbers mean"));
    assert_eq!(r.stdout.matches("audit entry #").count(), 8, "three presence, flows, dwell, co-visit, series, reach");
    assert!(r.stdout.contains("ingest the bidstream"), "{}", r.stdout);
    assert!(!r.stdout.contains("refused"), "{}", r.stdout);
    // The same questions at the same accuracy, each with the cheaper noise, spend less than half
    // the week (Laplace noise alone spent ε 7.5), and reach, keyed by public tiers, releases.
    let spent: f64 = r
        .stdout
        .lines()
        .find_map(|l| l.split("spent ε=").nth(1))
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no spend line: {}", r.stdout));
    assert!(spent < 5.0, "the demo spent ε {spent} of the week's 10");
    assert!(!r.stdout.contains("no key cleared"), "{}", r.stdout);
    assert!(r.stdout.contains("Personal Finance"), "reach names its categories: {}", r.stdout);
    let feed = std::fs::read_to_string(demo.join("city/pings.csv")).unwrap();
    let some_id = feed.lines().nth(1).unwrap().split(',').next().unwrap();
    assert!(!r.stdout.contains(some_id) && !r.stdout.to_lowercase().contains(&some_id.to_lowercase()));
    // Both feeds name the same 10,000 devices, in different spellings: each is one unit a week.
    // (Before canonical ids, week 45 held 10,414 pseudonyms.)
    let weeks = pseudonyms_by_week(&demo.join("store"));
    assert!(!weeks.is_empty());
    for (week, n) in &weeks {
        assert!(*n <= 10_000, "{week}: {n} pseudonyms for 10,000 devices");
    }
    // Running it again replaces the previous demo directory.
    run(&["demo", "--dir", s(&demo)]).ok();
}

#[test]
fn every_question_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    // Eight days: all of week 45 and the Monday of week 46, for a question across both.
    let city = synth(dir.path(), 400, 8);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    let ask = |args: &[&str]| {
        let mut all = vec!["ask"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "--store",
            s(&st),
            "--epsilon",
            "0.5",
            "--case",
            "C-9",
            "--purpose",
            "research",
            "--json",
        ]);
        run(&all)
    };
    let downtown = "bbox:-93.285,44.968,-93.245,44.988";
    let flows = ask(&[
        "flows",
        "--area",
        "bbox:-93.30,44.955,-93.20,44.99",
        "--zones-res",
        "7",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-05",
    ])
    .ok()
    .json();
    assert!(!flows["rows"].as_array().unwrap().is_empty());
    assert!(flows["rows"][0].get("origin").is_some() && flows["rows"][0].get("destination").is_some());
    let top =
        ask(&["flows", "--top-from", "87275268bffffff", "--from", "2026-11-02", "--to", "2026-11-05"]).ok().json();
    assert!(top["delta"].as_f64().unwrap() > 0.0, "private keys cost δ");
    let dwell = ask(&["dwell", "--area", downtown, "--from", "2026-11-02", "--to", "2026-11-05", "--max-gap", "20m"])
        .ok()
        .json();
    assert_eq!(dwell["rows"].as_array().unwrap().len(), 5);
    let cov = ask(&[
        "co-visit",
        "--area",
        downtown,
        "--area-b",
        "bbox:-93.245,44.965,-93.210,44.985",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-05",
    ])
    .ok()
    .json();
    assert_eq!(cov["rows"][0]["measure"], "devices_in_both");
    let series = ask(&[
        "series",
        "--area",
        downtown,
        "--bucket",
        "6h",
        "--from",
        "2026-11-04",
        "--to",
        "2026-11-05",
        "--baseline-from",
        "2026-11-02",
        "--baseline-to",
        "2026-11-04",
    ])
    .ok()
    .json();
    assert_eq!(series["derived"]["change"].as_array().unwrap().len(), 4);
    let reach = ask(&["reach", "--area", downtown, "--from", "2026-11-02", "--to", "2026-11-05"]);
    assert!(reach.clean_error().contains("OpenRTB"));
    // Gaussian: (ε, δ) reported and charged.
    let g =
        ask(&["dwell", "--area", downtown, "--from", "2026-11-02", "--to", "2026-11-05", "--mechanism", "gaussian"])
            .ok()
            .json();
    assert!(g["delta"].as_f64().unwrap() > 0.0);
    // A dry run prices without charging; a question across two weeks charges both.
    let before = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let dry =
        ask(&["dwell", "--area", downtown, "--from", "2026-11-08", "--to", "2026-11-10", "--dry-run"]).ok().json();
    assert_eq!(dry["epochs"], serde_json::json!(["2026-W45", "2026-W46"]));
    assert_eq!(run(&["budget", "--store", s(&st), "--json"]).ok().json(), before);
    ask(&["dwell", "--area", downtown, "--from", "2026-11-08", "--to", "2026-11-10"]).ok();
    let after = run(&["budget", "--store", s(&st), "--json"]).ok().json();
    let w46 = after["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W46").unwrap().clone();
    assert_eq!(w46["epsilon_spent"], 0.5);
    // Six answers in week 45 at ε = 0.5, plus the two-week dwell: five Laplace ones as pure
    // ε, a thresholded one as an (ε, δ) pair, and the Gaussian one as its ρ, which composes
    // in zCDP; the epoch's guarantee is below the 3.5 that adding their (ε, δ) would give.
    let w45 = after["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    let parts = &w45["parts"];
    assert!((parts["epsilon_pure"].as_f64().unwrap() - 2.5).abs() < 1e-9, "{w45}");
    assert!((parts["epsilon_approx"].as_f64().unwrap() - 0.5).abs() < 1e-9, "{w45}");
    assert!(parts["rho"].as_f64().unwrap() > 0.0, "{w45}");
    let spent = w45["epsilon_spent"].as_f64().unwrap();
    assert!(spent > 3.0 && spent < 3.5 - 1e-3, "{w45}");
    assert_eq!(w45["delta_spent"], w45["delta_total"], "the conversion of ρ holds the epoch's whole δ");
}

#[test]
fn audit_verify_and_export_reverified_outside() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 100, 1);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    let ask = |purpose: &str| {
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
            "0.2",
            "--case",
            "C-1",
            "--purpose",
            purpose,
        ])
    };
    ask("research").ok();
    ask("curiosity").clean_error(); // refused, and audited
    ask("oversight").ok();
    let v = run(&["audit", "verify", "--store", s(&st)]).ok().stdout.clone();
    // The rules and the signing key recorded at init; per answered question its charge and its
    // answer; the refusal.
    assert!(v.contains("7 entries") && v.contains("head hash: "), "{v}");

    let out = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", s(&st), "--out", s(&out)]).ok();
    // An outside tool (Python's hashlib) re-verifies the chain from the export alone.
    let script = r#"
import hashlib, json, sys
prev = "0" * 64
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    fields = [e[k] for k in ["id","at","actor","role","case_id","purpose","question","outcome","epsilon","delta","answer_digest"]]
    h = hashlib.sha256((e["prev_hash"] + "\n" + json.dumps(fields, separators=(",", ":"), ensure_ascii=False)).encode()).hexdigest()
    assert e["prev_hash"] == prev and h == e["hash"], ("broken at", e["id"])
    prev = h
    n += 1
print(n, prev)
"#;
    let py = std::process::Command::new("python3").arg("-c").arg(script).arg(&out).output().expect("python3");
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    let printed = String::from_utf8_lossy(&py.stdout).to_string();
    assert!(printed.starts_with("7 ") && v.contains(printed.split_whitespace().nth(1).unwrap()), "{printed}");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let outcomes: Vec<&str> = lines.iter().map(|l| l["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes[..4], ["rules recorded", "signing key recorded", "charged", "answered"]);
    assert!(outcomes[4].starts_with("refused"));
    assert_eq!(lines[4]["epsilon"], "0.0");
    assert_eq!(lines[2]["epsilon"], "0.2", "the charge is in the entry written before the data was read");

    // Truncating the newest entry behind the tool's back is caught.
    let db = rusqlite_free_delete(&st);
    assert!(db, "could not edit the database");
    let bad = run(&["audit", "verify", "--store", s(&st)]);
    assert!(bad.clean_error().contains("newest entries were removed"), "{}", bad.stderr);
}

/// Deletes the newest audit row with the sqlite3 Python module (no SQLite in this crate's deps).
fn rusqlite_free_delete(store: &std::path::Path) -> bool {
    let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM audit WHERE id=(SELECT MAX(id) FROM audit)'); c.commit()";
    std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(store.join("control.sqlite"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn tokens_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let r = run(&["token", "create", "--store", s(&st), "--role", "analyst", "--name", "alice"]);
    let token = r.ok().stdout.trim().lines().last().unwrap().to_string();
    assert!(token.starts_with("cl_1_") && !token.contains(' '), "{token}");
    let list = run(&["token", "list", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(list[0]["name"], "alice");
    assert!(!serde_json::to_string(&list).unwrap().contains(&token[5..]), "list never shows the secret");
    run(&["token", "revoke", "--store", s(&st), "--id", "1"]).ok();
    assert!(run(&["token", "revoke", "--store", s(&st), "--id", "1"]).clean_error().contains("no live token"));
    assert!(run(&["token", "create", "--store", s(&st), "--role", "root", "--name", "x"])
        .clean_error()
        .contains("unknown role"));
    for f in files_under(&st) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(20).any(|w| w == &token.as_bytes()[5..25]), "{} holds the secret", f.display());
    }
}

/// The classic transport question on real geography: flows between all 62 counties of New
/// York State (`--zones` with Census county polygons), which was refused before zones could be
/// tiled coarser than the finest question resolution.
#[test]
fn flows_between_the_counties_of_a_state() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    // 300 commuters from Manhattan (New York County) to Albany, 100 devices that stay in
    // Buffalo (Erie County), on Monday 2026-11-02, UUID ids as broker feeds write them.
    let mut csv = String::from("device_id,timestamp,latitude,longitude,horizontal_accuracy\n");
    for d in 0..400u32 {
        let id = format!("{:08x}-7d3c-4b8a-9f1e-{:012x}", d, u64::from(d) * 7919);
        let stops: &[(&str, f64, f64)] = if d < 300 {
            &[("2026-11-02T08:00:00Z", 40.7831, -73.9712), ("2026-11-02T12:00:00Z", 42.6526, -73.7562)]
        } else {
            &[("2026-11-02T08:00:00Z", 42.8864, -78.8784), ("2026-11-02T12:00:00Z", 42.8900, -78.8700)]
        };
        for (t, lat, lon) in stops {
            csv.push_str(&format!("{id},{t},{lat},{lon},10\n"));
        }
    }
    let pings = dir.path().join("ny.csv");
    std::fs::write(&pings, csv).unwrap();
    let j = run(&["ingest", "pings", s(&pings), "--store", s(&st), "--json"]).ok().json();
    assert_eq!(j["stored"], 800, "{j}");
    let counties = crate_dir().join("../query/tests/fixtures/ny_counties.geojson");
    let county_flows = |extra: &[&str]| {
        let mut args = vec![
            "ask",
            "flows",
            "--zones",
            s(&counties),
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-03",
            "--store",
            s(&st),
            "--epsilon",
            "1",
            "--max-partitions",
            "1",
            "--case",
            "NY-1",
            "--purpose",
            "transport-planning",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let flows = county_flows(&["--json"]).ok().json();
    let rows = flows["rows"].as_array().unwrap();
    // Zones are public, so every ordered pair of distinct counties is released.
    assert_eq!(rows.len(), 62 * 61, "{}", rows.len());
    let value = |from: &str, to: &str| {
        rows.iter()
            .find(|r| r["origin"] == from && r["destination"] == to)
            .unwrap_or_else(|| panic!("{from} → {to} missing"))["value"]
            .as_f64()
            .unwrap()
    };
    // With ε = 1 and L = 1 the noise is a few devices: 300 commuters stand far above it.
    let commute = value("New York County, NY", "Albany County, NY");
    assert!((250.0..350.0).contains(&commute), "{commute}");
    assert!(value("Erie County, NY", "Albany County, NY").abs() < 40.0);
    // A zone resolution finer than the store allows is refused by the flag's name.
    let fine = county_flows(&["--zones-res", "10"]);
    assert!(fine.clean_error().contains("--zones-res 10 is finer than this store allows"), "{}", fine.stderr);
}
