//! Parquet feeds with vendor column names and native types ingest like CSV, row numbers in
//! quarantine entries included.

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::{ingest_pings, IngestOptions};
use crowdlens_store::{Config, Store};
use parquet::arrow::ArrowWriter;
use std::sync::Arc;

#[test]
fn typed_parquet_columns_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("maid", DataType::Utf8, true),
        Field::new("ts", DataType::Int64, false),
        Field::new("lat", DataType::Float64, false),
        Field::new("lon", DataType::Float64, false),
        Field::new("horizontal_accuracy", DataType::Float64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![Some("a"), Some("b"), None, Some("d"), Some("e")])),
        Arc::new(Int64Array::from(vec![
            1_793_577_600_000,
            1_793_577_660_000,
            1_793_577_600_000,
            1_793_577_600_000,
            1_793_577_600_000,
        ])),
        Arc::new(Float64Array::from(vec![44.97, 44.98, 44.97, 95.0, 44.97])),
        Arc::new(Float64Array::from(vec![-93.26, -93.25, -93.26, -93.26, -93.26])),
        Arc::new(Float64Array::from(vec![Some(5.0), None, Some(5.0), Some(5.0), Some(900.0)])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let path = dir.path().join("feed.bin"); // the name says nothing; the content does
    let mut w = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let s =
        ingest_pings(&store, &path, &IngestOptions { now_s: Some(1_800_000_000), ..Default::default() }, &NoProgress)
            .unwrap();
    assert_eq!((s.read, s.stored, s.quarantined), (5, 2, 2));
    assert_eq!(s.dropped.get("accuracy_above_ceiling"), Some(&1));
    assert!(s.reconciles());
    let q = std::fs::read_to_string(&s.quarantine_files[0]).unwrap();
    let rows: Vec<serde_json::Value> = q.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["row"], 3);
    assert_eq!(rows[0]["reason"], "empty_device_id");
    assert_eq!(rows[1]["row"], 4);
    assert_eq!(rows[1]["reason"], "bad_latitude");
    assert_eq!(store.manifest().unwrap().total_rows(), 2);
}
