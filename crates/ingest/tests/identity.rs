//! One device is one privacy unit per week, however the feeds spell it: typed or untyped ping
//! feeds, upper or lower case, braces, and bid requests whatever their `device.os`. Ids that
//! name no device (a user id, the all-zero IDFA, a publisher id) never become units.

use arrow::array::{Array, Int64Array, UInt64Array};
use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::{ingest_openrtb, ingest_pings, IngestOptions};
use crowdlens_store::{Config, Store};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, BTreeSet};

const ID: &str = "6D92078A-8246-4BA4-AE5B-76104861E7DC";
const MS: i64 = 1_793_577_600_000; // Monday 2026-11-02, week 45

/// Distinct pseudonyms per ISO week, read straight from the committed segments.
fn pseudonyms_by_week(store: &Store) -> BTreeMap<String, BTreeSet<u64>> {
    let mut out: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for segment in store.manifest().unwrap().segments {
        let file = std::fs::File::open(store.root().join(&segment.path)).unwrap();
        for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
            let batch = batch.unwrap();
            let p = batch.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
            let t = batch.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in 0..batch.num_rows() {
                let week = crowdlens_types::Epoch::of_unix_seconds(t.value(i)).unwrap().to_string();
                out.entry(week).or_default().insert(p.value(i));
            }
        }
    }
    out
}

fn options() -> IngestOptions {
    IngestOptions { now_s: Some(1_800_000_000), ..Default::default() }
}

#[test]
fn one_device_is_one_pseudonym_in_every_feed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let lower = ID.to_lowercase();
    let hex: String = lower.chars().filter(|c| *c != '-').collect();
    let typed = format!(
        "mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy\n\
         {ID},IDFA,{},44.97,-93.26,5\n{lower},AAID,{},44.97,-93.26,5\n{{{ID}}},idfa,{},44.97,-93.26,5\n",
        MS,
        MS + 60_000,
        MS + 120_000
    );
    let untyped = format!("maid,timestamp,lat,lon\n{hex},{},44.98,-93.25\n {lower} ,{},44.98,-93.25\n", MS + 1, MS + 2);
    std::fs::write(dir.path().join("typed.csv"), typed).unwrap();
    std::fs::write(dir.path().join("untyped.csv"), untyped).unwrap();
    let mut bids = String::new();
    for (i, (ifa, os)) in [
        (ID.to_string(), Some("iOS")),
        (lower.clone(), Some("Android")),
        (format!("{{{lower}}}"), None),
        (ID.to_string(), Some("tvOS")),
    ]
    .iter()
    .enumerate()
    {
        let os = os.map(|o| format!(r#","os":"{o}""#)).unwrap_or_default();
        bids.push_str(&format!(
            r#"{{"device":{{"ifa":"{ifa}"{os},"geo":{{"lat":44.97,"lon":-93.26,"type":1}}}},"ext":{{"ts":{}}}}}"#,
            MS + 3_600_000 * (i as i64 + 1)
        ));
        bids.push('\n');
    }
    // Ids that name no device: a user id alone, the all-zero IDFA, an ifa labelled as a
    // publisher's id. Each would otherwise have been a unit of its own.
    for device in [
        r#"{"geo":{"lat":44.97,"lon":-93.26,"type":1}}"#.to_string(),
        r#"{"ifa":"00000000-0000-0000-0000-000000000000","geo":{"lat":44.97,"lon":-93.26,"type":1}}"#.to_string(),
        format!(r#"{{"ifa":"{ID}","ext":{{"ifa_type":"ppid"}},"geo":{{"lat":44.97,"lon":-93.26,"type":1}}}}"#),
    ] {
        bids.push_str(&format!(r#"{{"device":{device},"user":{{"id":"exch-7"}},"ext":{{"ts":{MS}}}}}"#));
        bids.push('\n');
    }
    std::fs::write(dir.path().join("bids.jsonl"), bids).unwrap();

    let o = options();
    let typed = ingest_pings(&store, &dir.path().join("typed.csv"), &o, &NoProgress).unwrap();
    let untyped = ingest_pings(&store, &dir.path().join("untyped.csv"), &o, &NoProgress).unwrap();
    let bids = ingest_openrtb(&store, &dir.path().join("bids.jsonl"), &o, &NoProgress).unwrap();
    assert_eq!((typed.stored, untyped.stored, bids.stored), (3, 2, 4), "{bids:?}");
    assert_eq!(bids.dropped.get("no_advertising_id"), Some(&3), "{bids:?}");
    assert!(bids.reconciles());

    let weeks = pseudonyms_by_week(&store);
    assert_eq!(weeks.len(), 1);
    assert_eq!(weeks["2026-W45"].len(), 1, "one device, one pseudonym: {weeks:?}");
}

#[test]
fn ping_rows_without_a_device_are_dropped_by_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let csv = format!(
        "mobile_ad_id,id_type,timestamp,latitude,longitude\n\
         00000000-0000-0000-0000-000000000000,IDFA,{MS},44.97,-93.26\n\
         abc,cookie,{MS},44.97,-93.26\n\
         abc,PPID,{MS},44.97,-93.26\n\
         {ID},IDFA,{MS},44.97,-93.26\n"
    );
    std::fs::write(dir.path().join("p.csv"), csv).unwrap();
    let s = ingest_pings(&store, &dir.path().join("p.csv"), &options(), &NoProgress).unwrap();
    assert_eq!(s.stored, 1);
    assert_eq!(s.dropped.get("no_advertising_id"), Some(&3), "{s:?}");
    assert!(s.reconciles());
}
