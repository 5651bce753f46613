//! A store's units are of one id kind. Only advertising-id columns are detected as the device;
//! any other id column needs an explicit mapping, which makes its units of kind `other`; and a
//! store refuses a feed of the other kind before it writes anything, so one person is never
//! two units, one under an advertising id and one under a user id.

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field as ArrowField, Schema};
use arrow::record_batch::RecordBatch;
use crowdlens_ingest::columns::{ColumnError, Field};
use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::{ingest_openrtb, ingest_pings, pings_device_ids, IdKind, IngestError, IngestOptions};
use crowdlens_store::{Config, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const MS: i64 = 1_793_577_600_000; // Monday 2026-11-02, week 45

fn options(map: &[(Field, &str)], id_kind: Option<IdKind>) -> IngestOptions {
    IngestOptions {
        now_s: Some(1_800_000_000),
        column_overrides: map.iter().map(|(f, c)| (*f, c.to_string())).collect(),
        id_kind,
        ..Default::default()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A feed of advertising ids, under the Sovrn name.
fn ad_feed(dir: &Path) -> PathBuf {
    write(
        dir,
        "maids.csv",
        &format!("mobile_ad_id,timestamp,latitude,longitude\n6d92078a-8246-4ba4-ae5b-76104861e7dc,{MS},44.97,-93.26\n"),
    )
}

/// A feed keyed by a publisher's user id, as GeoLife is by its `uid`.
fn user_feed(dir: &Path) -> PathBuf {
    write(dir, "users.csv", &format!("lat,lng,datetime,uid\n44.97,-93.26,{MS},000\n44.98,-93.25,{},001\n", MS + 60_000))
}

fn bid_feed(dir: &Path) -> PathBuf {
    let line = format!(
        r#"{{"device":{{"ifa":"6D92078A-8246-4BA4-AE5B-76104861E7DC","geo":{{"lat":44.97,"lon":-93.26,"type":1}}}},"regs":{{"coppa":0}},"ext":{{"ts":{MS}}}}}"#
    );
    write(dir, "bids.jsonl", &format!("{line}\n"))
}

/// Every file in the store with its bytes: what "nothing written" is checked against.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), Vec::new());
                pending.push(path);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_summary_names_the_device_column_and_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let ads = Store::init(&dir.path().join("ads"), &Config::default()).unwrap();
    let s = ingest_pings(&ads, &ad_feed(dir.path()), &options(&[], None), &NoProgress).unwrap();
    assert_eq!(
        (s.stored, s.device_id_columns.clone(), s.id_kind),
        (1, vec!["mobile_ad_id".to_string()], Some(IdKind::AdvertisingId))
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(
        (json["device_id_columns"][0].as_str(), json["id_kind"].as_str()),
        (Some("mobile_ad_id"), Some("advertising_id"))
    );
    assert_eq!(ads.manifest().unwrap().unit_id_kind, Some(IdKind::AdvertisingId));
    let s = ingest_openrtb(&ads, &bid_feed(dir.path()), &options(&[], None), &NoProgress).unwrap();
    assert_eq!(
        (s.stored, s.device_id_columns, s.id_kind),
        (1, vec!["device.ifa".to_string()], Some(IdKind::AdvertisingId))
    );

    let users = Store::init(&dir.path().join("users"), &Config::default()).unwrap();
    let s =
        ingest_pings(&users, &user_feed(dir.path()), &options(&[(Field::DeviceId, "uid")], None), &NoProgress).unwrap();
    assert_eq!((s.stored, s.device_id_columns, s.id_kind), (2, vec!["uid".to_string()], Some(IdKind::Other)));
    assert_eq!(users.manifest().unwrap().unit_id_kind, Some(IdKind::Other));
    let text = std::fs::read_to_string(users.root().join("manifest.json")).unwrap();
    assert!(text.contains(r#""unit_id_kind": "other""#), "{text}");
}

#[test]
fn a_user_id_column_is_refused_without_a_mapping_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let before = snapshot(store.root());
    let feed = user_feed(dir.path());
    let e = ingest_pings(&store, &feed, &options(&[], None), &NoProgress).unwrap_err();
    assert!(
        matches!(&e, IngestError::Columns { error: ColumnError::NotAnAdvertisingId { columns, .. }, .. } if columns == &["uid"]),
        "{e}"
    );
    assert_eq!(e.code(), "not_an_advertising_id");
    assert!(e.to_string().contains("--map device_id=uid"), "{e}");
    assert_eq!(snapshot(store.root()), before, "a refused feed stages nothing");
    // The check that runs before a store is created says the same.
    assert_eq!(pings_device_ids(&feed, &options(&[], None)).unwrap_err().code(), "not_an_advertising_id");
    let ids = pings_device_ids(&feed, &options(&[(Field::DeviceId, "uid")], None)).unwrap();
    assert_eq!((ids.column.as_str(), ids.kind), ("uid", IdKind::Other));
}

#[test]
fn a_store_of_advertising_ids_refuses_other_ids_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    ingest_pings(&store, &ad_feed(dir.path()), &options(&[], None), &NoProgress).unwrap();
    let before = snapshot(store.root());
    let e = ingest_pings(&store, &user_feed(dir.path()), &options(&[(Field::DeviceId, "uid")], None), &NoProgress)
        .unwrap_err();
    match &e {
        IngestError::IdKindMismatch { column, stored, offered, .. } => {
            assert_eq!((column.as_str(), *stored, *offered), ("uid", IdKind::AdvertisingId, IdKind::Other))
        }
        other => panic!("{other}"),
    }
    assert_eq!(e.code(), "id_kind_mismatch");
    let text = e.to_string();
    assert!(text.contains("two privacy units") && text.contains("separate store"), "{text}");
    assert!(text.contains("--id-kind advertising-id"), "{text}");
    assert_eq!(snapshot(store.root()), before, "nothing written");
    // A Parquet feed is held to the same.
    let parquet = user_parquet(dir.path());
    let e = ingest_pings(&store, &parquet, &options(&[(Field::DeviceId, "user_id")], None), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "id_kind_mismatch", "{e}");
    assert_eq!(snapshot(store.root()), before, "nothing written");
    // The operator may declare that a custom-named column holds advertising ids.
    let custom = write(dir.path(), "custom.csv", &format!("handset,timestamp,lat,lon\n4a1f,{MS},44.97,-93.26\n"));
    let s = ingest_pings(
        &store,
        &custom,
        &options(&[(Field::DeviceId, "handset")], Some(IdKind::AdvertisingId)),
        &NoProgress,
    )
    .unwrap();
    assert_eq!((s.stored, s.id_kind), (1, Some(IdKind::AdvertisingId)));
}

#[test]
fn a_store_of_other_ids_refuses_advertising_ids_and_bid_requests() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    ingest_pings(&store, &user_feed(dir.path()), &options(&[(Field::DeviceId, "uid")], None), &NoProgress).unwrap();
    let before = snapshot(store.root());
    let e = ingest_pings(&store, &ad_feed(dir.path()), &options(&[], None), &NoProgress).unwrap_err();
    assert!(
        matches!(&e, IngestError::IdKindMismatch { stored: IdKind::Other, offered: IdKind::AdvertisingId, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("separate store"), "{e}");
    let e = ingest_openrtb(&store, &bid_feed(dir.path()), &options(&[], None), &NoProgress).unwrap_err();
    assert!(matches!(&e, IngestError::IdKindMismatch { column, .. } if column == "device.ifa"), "{e}");
    assert_eq!(snapshot(store.root()), before, "nothing written");
    // More of the same kind is taken.
    let more = write(dir.path(), "more.csv", &format!("lat,lng,datetime,uid\n44.97,-93.26,{},002\n", MS + 120_000));
    let s = ingest_pings(&store, &more, &options(&[(Field::DeviceId, "uid")], None), &NoProgress).unwrap();
    assert_eq!(s.stored, 1);
}

#[test]
fn a_store_written_before_the_kind_was_recorded_holds_advertising_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    ingest_pings(&store, &ad_feed(dir.path()), &options(&[], None), &NoProgress).unwrap();
    let path = store.root().join("manifest.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("unit_id_kind");
    std::fs::write(&path, json.to_string()).unwrap();
    let e = ingest_pings(&store, &user_feed(dir.path()), &options(&[(Field::DeviceId, "uid")], None), &NoProgress)
        .unwrap_err();
    assert!(matches!(&e, IngestError::IdKindMismatch { stored: IdKind::AdvertisingId, .. }), "{e}");
    ingest_openrtb(&store, &bid_feed(dir.path()), &options(&[], None), &NoProgress).unwrap();
    assert_eq!(store.manifest().unwrap().unit_id_kind, Some(IdKind::AdvertisingId), "recorded by the next commit");
}

fn user_parquet(dir: &Path) -> PathBuf {
    let schema = Arc::new(Schema::new(vec![
        ArrowField::new("user_id", DataType::Utf8, false),
        ArrowField::new("ts", DataType::Int64, false),
        ArrowField::new("lat", DataType::Float64, false),
        ArrowField::new("lon", DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["u1"])),
        Arc::new(Int64Array::from(vec![MS])),
        Arc::new(Float64Array::from(vec![44.97])),
        Arc::new(Float64Array::from(vec![-93.26])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let path = dir.join("users.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    // Without a mapping it is refused like a CSV feed.
    let e = pings_device_ids(&path, &options(&[], None)).unwrap_err();
    assert!(matches!(&e, IngestError::Columns { error: ColumnError::NotAnAdvertisingId { .. }, .. }), "{e}");
    path
}
