//! Whatever rows arrive, `read = stored + quarantined + Σ dropped`, every data line is read
//! exactly once, and the store holds exactly `stored` rows.

use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::sensitive::SensitivePlaces;
use crowdlens_ingest::{ingest_pings, IngestOptions};
use crowdlens_store::{Config, Store};
use proptest::prelude::*;

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("44.97".to_string()),
        Just("-93.26".to_string()),
        Just("1793577600000".to_string()),
        Just("2026-11-02T10:00:00Z".to_string()),
        Just("NaN".to_string()),
        Just("".to_string()),
        Just("5000".to_string()),
        Just("12".to_string()),
        "[a-f0-9]{1,12}",
        "[ -~]{0,8}",
        Just("\"quoted, comma\"".to_string()),
    ]
}

fn row() -> impl Strategy<Value = String> {
    prop_oneof![
        // Mostly well-formed rows with random accuracy and places (some inside the sensitive
        // circle, some above the accuracy ceiling).
        4 => ("[a-f0-9]{4}", 0u32..3, prop_oneof![Just(5.0f64), Just(150.0), Just(5000.0)]).prop_map(|(id, spot, acc)| {
            let (lat, lon) = [(44.97, -93.26), (45.00, -93.20), (44.95, -93.10)][spot as usize];
            format!("{id},IDFA,1793577600000,{lat},{lon},{acc}")
        }),
        // Arbitrary field soup, including wrong field counts.
        2 => prop::collection::vec(field(), 0..8).prop_map(|f| f.join(",")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn counts_reconcile(rows in prop::collection::vec(row(), 0..60)) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
        let src = dir.path().join("in.csv");
        let mut text = String::from("mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy\n");
        for r in &rows {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(&src, &text).unwrap();
        let sensitive = SensitivePlaces::parse(
            r#"{"type":"Feature","properties":{"category":"medical","radius_m":200},"geometry":{"type":"Point","coordinates":[-93.26,44.97]}}"#,
        ).unwrap();
        let options = IngestOptions { sensitive, now_s: Some(1_800_000_000), ..Default::default() };
        let s = ingest_pings(&store, &src, &options, &NoProgress).unwrap();
        prop_assert!(s.reconciles(), "{s:?}");
        // Quoted fields may join physical lines, so compare against the CSV reader's record count.
        let records = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes()).byte_records().count() as u64;
        prop_assert_eq!(s.read, records);
        prop_assert_eq!(store.manifest().unwrap().total_rows(), s.stored);
        prop_assert_eq!(s.quarantine_reasons.values().sum::<u64>(), s.quarantined);
    }
}

/// One bid-request line: well-formed requests with random consent and location, or soup.
fn bid_line() -> impl Strategy<Value = String> {
    let consent = prop_oneof![
        Just(r#""regs":{"coppa":1}"#.to_string()),
        Just(r#""regs":{"us_privacy":"1YYN"}"#.to_string()),
        Just(r#""regs":{"us_privacy":"1YNN"}"#.to_string()),
        Just(r#""regs":{"us_privacy":"bad"}"#.to_string()),
        Just(r#""regs":{"gdpr":1},"user":{"consent":"CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"}"#.to_string()),
        Just(r#""regs":{"gpp":"DBABLA~CFAYAAIAAABA.QA","gpp_sid":[7]}"#.to_string()),
        Just(r#""regs":{"gpp":"DBABLA~zz"}"#.to_string()),
        Just(r#""regs":{}"#.to_string()),
    ];
    let geo = prop_oneof![
        Just(String::new()),
        (0u32..3, prop_oneof![Just(1u8), Just(2), Just(3), Just(9)], prop_oneof![Just(5.0f64), Just(5000.0)]).prop_map(
            |(spot, kind, acc)| {
                let (lat, lon) = [(44.97, -93.26), (45.00, -93.20), (95.0, -93.10)][spot as usize];
                format!(r#","geo":{{"lat":{lat},"lon":{lon},"type":{kind},"accuracy":{acc}}}"#)
            }
        ),
    ];
    prop_oneof![
        4 => (consent, geo, prop::option::of("[a-f0-9]{4}"), prop::option::of(1_793_577_600_000u64..1_793_600_000_000))
            .prop_map(|(consent, geo, ifa, ts)| {
                let ifa = ifa.map(|id| format!(r#""ifa":"{id}""#)).unwrap_or_default();
                let ts = ts.map(|t| format!(r#","ext":{{"ts":{t}}}"#)).unwrap_or_default();
                let geo = if ifa.is_empty() { geo.trim_start_matches(',').to_string() } else { geo };
                format!(r#"{{"device":{{{ifa}{geo}}},{consent}{ts}}}"#)
            }),
        1 => "[ -~]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn bidstream_counts_reconcile(lines in prop::collection::vec(bid_line(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
        let src = dir.path().join("bids.jsonl");
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&src, &text).unwrap();
        let options = IngestOptions { now_s: Some(1_800_000_000), ..Default::default() };
        let s = crowdlens_ingest::ingest_openrtb(&store, &src, &options, &NoProgress).unwrap();
        prop_assert!(s.reconciles(), "{s:?}");
        let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count() as u64;
        prop_assert_eq!(s.read, non_blank);
        prop_assert_eq!(store.manifest().unwrap().total_rows(), s.stored);
        prop_assert_eq!(s.quarantine_reasons.values().sum::<u64>(), s.quarantined);
    }
}
