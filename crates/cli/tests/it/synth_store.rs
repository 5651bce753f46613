//! `synth --store`: the synthetic city generated straight into a store must hold exactly the
//! rows that writing its CSV and ingesting it would.

use crate::support::{init_store, run, s};
use std::path::Path;

/// Every stored row (pseudonym, cell, time, category), sorted: a test may look at rows; no
/// shipped surface can.
fn stored_rows(store: &Path) -> Vec<(u64, u64, i64, Option<u32>)> {
    use arrow::array::{Array, Int64Array, UInt32Array, UInt64Array};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store.join("manifest.json")).unwrap()).unwrap();
    let mut rows = Vec::new();
    for segment in manifest["segments"].as_array().unwrap() {
        let file = std::fs::File::open(store.join(segment["path"].as_str().unwrap())).unwrap();
        for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
            let batch = batch.unwrap();
            let p = batch.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
            let c = batch.column(1).as_any().downcast_ref::<UInt64Array>().unwrap();
            let t = batch.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
            let k = batch.column(3).as_any().downcast_ref::<UInt32Array>().unwrap();
            for i in 0..batch.num_rows() {
                rows.push((p.value(i), c.value(i), t.value(i), (!k.is_null(i)).then(|| k.value(i))));
            }
        }
    }
    rows.sort_unstable();
    rows
}

fn source_counts(store: &Path) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store.join("manifest.json")).unwrap()).unwrap();
    let sources = manifest["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    sources[0]["counts"].clone()
}

#[test]
fn a_store_built_by_synth_holds_the_rows_its_csv_would_give() {
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let scale = ["--devices", "300", "--days", "3", "--seed", "7"];
    let mut args = vec!["synth", "--out", s(&city), "--bids-per-day", "0"];
    args.extend(scale);
    run(&args).ok();
    let from_csv = dir.path().join("from_csv");
    run(&[
        "ingest",
        "pings",
        s(&city.join("pings.csv")),
        "--store",
        s(&from_csv),
        "--sensitive",
        s(&city.join("sensitive.geojson")),
    ])
    .ok();

    // The same epoch keys, so that the same device gets the same pseudonym in both stores.
    let generated = init_store(dir.path());
    let keyring = generated.join("keyring");
    std::fs::create_dir_all(&keyring).unwrap();
    // The keys only: the keyring also witnesses each store's own ledger.
    for key in std::fs::read_dir(from_csv.join("keyring")).unwrap().flatten() {
        if key.path().extension().is_none_or(|e| e != "key") {
            continue;
        }
        std::fs::copy(key.path(), keyring.join(key.file_name())).unwrap();
    }
    let out = dir.path().join("generated_city");
    let mut args = vec!["synth", "--out", s(&out), "--store", s(&generated)];
    args.extend(scale);
    let first = run(&args);
    first.ok();
    assert!(first.stdout.contains("reconciles"), "{}", first.stdout);
    assert!(out.join("sensitive.geojson").exists());
    assert!(!out.join("pings.csv").exists(), "--store writes no CSV");

    let rows = stored_rows(&generated);
    assert!(rows.len() > 10_000, "{} rows", rows.len());
    assert!(rows == stored_rows(&from_csv), "the two stores hold different rows");
    let counts = source_counts(&generated);
    assert_eq!(counts, source_counts(&from_csv));
    assert!(counts["dropped"].as_object().unwrap().keys().any(|r| r.starts_with("sensitive_place:")), "{counts}");

    // A rerun of the same generator and parameters is recognised, as a rerun of a file is.
    let again = run(&args);
    again.ok();
    assert!(again.stdout.contains("already in the store"), "{}", again.stdout);
    assert_eq!(stored_rows(&generated).len(), rows.len());

    let not_a_store = dir.path().join("not_a_store");
    std::fs::create_dir_all(&not_a_store).unwrap();
    std::fs::write(not_a_store.join("notes.txt"), "mine").unwrap();
    let untouched = dir.path().join("untouched");
    let refused = run(&["synth", "--out", s(&untouched), "--store", s(&not_a_store), "--devices", "5"]);
    assert_ne!(refused.status, 0);
    assert!(refused.clean_error().contains("is not a crowdlens store"), "{}", refused.stderr);
    assert!(!untouched.exists(), "nothing is written when the store is refused");

    let refused = run(&["synth", "--out", s(&out), "--store", s(&generated), "--bids-per-day", "2"]);
    assert_ne!(refused.status, 0);
    assert!(refused.clean_error().contains("ingest openrtb"), "{}", refused.stderr);
}
