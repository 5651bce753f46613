//! Each malformed input gives a quarantine entry or a one-line error, never a panic, and the
//! counts always reconcile.

use crate::support::*;
use std::io::Write;
use std::path::{Path, PathBuf};

const HEADER: &str = "mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn ingest(st: &Path, file: &Path) -> Run {
    run(&["ingest", "pings", s(file), "--store", s(st), "--json"])
}

fn quarantine_entries(st: &Path) -> Vec<serde_json::Value> {
    files_under(&st.join("quarantine"))
        .into_iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn empty_and_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let e = ingest(&st, &write(dir.path(), "empty.csv", b"")).clean_error().to_string();
    assert!(e.contains("empty"), "{e}");
    let j = ingest(&st, &write(dir.path(), "header.csv", format!("{HEADER}\n").as_bytes())).ok().json();
    assert_eq!((j["read"].as_u64(), j["stored"].as_u64()), (Some(0), Some(0)));
}

#[test]
fn a_missing_file_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let missing = dir.path().join("nope.csv");
    for r in [ingest(&st, &missing), run(&["risk", s(&missing)])] {
        let msg = r.clean_error().to_string();
        assert!(msg.contains("nope.csv: cannot read"), "{msg}");
        assert_eq!(msg.matches("No such file").count(), 1, "the cause once, not repeated by the error chain: {msg}");
    }
}

#[test]
fn missing_column_names_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let f = write(dir.path(), "nolat.csv", b"mobile_ad_id,timestamp,longitude\nabc,1793577600,-93.2\n");
    let e = ingest(&st, &f).clean_error().to_string();
    assert!(e.contains("latitude") && e.contains("--map"), "{e}");
    // With the mapping given, the same file shape ingests.
    let g = write(dir.path(), "mapped.csv", b"who,when,y_deg,x_deg\nabc,1793577600,44.97,-93.26\n");
    let j = run(&[
        "ingest",
        "pings",
        s(&g),
        "--store",
        s(&st),
        "--json",
        "--map",
        "device_id=who",
        "--map",
        "timestamp=when",
        "--map",
        "latitude=y_deg",
        "--map",
        "longitude=x_deg",
    ])
    .ok()
    .json();
    assert_eq!(j["stored"], 1);
    let bad = run(&["ingest", "pings", s(&g), "--store", s(&st), "--map", "colour=who"]);
    assert!(bad.clean_error().contains("--map"));
}

#[test]
fn bom_crlf_and_truncated_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(format!("{HEADER}\r\n").as_bytes());
    bytes.extend_from_slice(b"a1,IDFA,1793577600000,44.97,-93.26,10\r\n");
    bytes.extend_from_slice(b"a2,AAID,1793577700000,44.98,-93.25,12\r\n");
    bytes.extend_from_slice(b"a3,AAID,17935777");
    let j = ingest(&st, &write(dir.path(), "crlf.csv", &bytes)).ok().json();
    assert_eq!(j["read"], 3);
    assert_eq!(j["stored"], 2);
    assert_eq!(j["quarantined"], 1);
    let q = quarantine_entries(&st);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["line"], 4);
    assert_eq!(q[0]["reason"], "wrong_field_count");
    // The quarantine names where and why, never the record.
    assert!(!serde_json::to_string(&q[0]).unwrap().contains("a3"));
}

#[test]
fn bad_coordinates_and_timestamp_units() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let rows = [
        "s1,IDFA,1793577600,44.97,-93.26,5",           // seconds
        "s2,IDFA,1793577600000,44.97,-93.26,5",        // milliseconds
        "s3,IDFA,2026-11-02T00:00:00Z,44.97,-93.26,5", // RFC 3339
        "s4,IDFA,2026-11-02 00:00:00,44.97,-93.26,5",  // naive, as GeoLife
        "b1,IDFA,1793577600,NaN,-93.26,5",
        "b2,IDFA,1793577600,44.97,181,5",
        "b3,IDFA,1793577600,0,0,5",
        "b4,IDFA,yesterday,44.97,-93.26,5",
        "b5,IDFA,1793577600,-91,-93.26,5",
        ",IDFA,1793577600,44.97,-93.26,5",
    ];
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    let j = ingest(&st, &write(dir.path(), "coords.csv", text.as_bytes())).ok().json();
    assert_eq!(j["read"], 10);
    assert_eq!(j["stored"], 4);
    assert_eq!(j["quarantined"], 6);
    assert!(reconciles(&j));
    let mut reasons: Vec<String> =
        quarantine_entries(&st).iter().map(|e| e["reason"].as_str().unwrap().to_string()).collect();
    reasons.sort();
    assert_eq!(
        reasons,
        ["bad_latitude", "bad_latitude", "bad_longitude", "bad_timestamp", "empty_device_id", "null_island"]
    );
}

#[test]
fn binary_garbage_long_lines_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    // Binary garbage: a clean error (its "header" is not column names) or quarantine.
    let garbage: Vec<u8> = (0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let r = ingest(&st, &write(dir.path(), "garbage.bin", &garbage));
    if r.status != 0 {
        r.clean_error();
    } else {
        assert!(reconciles(&r.json()));
    }
    // A 10 MB line is quarantined, the rows around it are kept.
    let mut text = format!("{HEADER}\na1,IDFA,1793577600,44.97,-93.26,5\n").into_bytes();
    text.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    text.extend_from_slice(b",IDFA,1793577600,44.97,-93.26,5\na2,IDFA,1793577600,44.97,-93.26,5\n");
    let j = ingest(&st, &write(dir.path(), "long.csv", &text)).ok().json();
    assert_eq!((j["read"].as_u64(), j["stored"].as_u64(), j["quarantined"].as_u64()), (Some(3), Some(2), Some(1)));
    assert!(quarantine_entries(&st).iter().any(|e| e["reason"] == "record_too_long"));
    // zstd and bzip2 are named and refused.
    let e = ingest(&st, &write(dir.path(), "p.csv.zst", &[0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])).clean_error().to_string();
    assert!(e.contains("zstd"), "{e}");
    let e = ingest(&st, &write(dir.path(), "p.csv.bz2", b"BZh91AY&SY")).clean_error().to_string();
    assert!(e.contains("bzip2"), "{e}");
    // A corrupt gzip stream fails the file rather than storing part of it.
    let mut gz = flate_header();
    gz.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0x11]);
    ingest(&st, &write(dir.path(), "bad.csv.gz", &gz)).clean_error();
    let info = run(&["store", "info", "--store", s(&st), "--json"]).ok().json();
    assert_eq!(info["rows"], 2);
}

fn flate_header() -> Vec<u8> {
    vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]
}

#[test]
fn unreadable_paths_and_stores() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let e = ingest(&st, &dir.path().join("nope.csv")).clean_error().to_string();
    assert!(e.contains("nope.csv"), "{e}");
    let e = ingest(&st, dir.path()).clean_error().to_string();
    assert!(e.contains("cannot read") || e.contains("directory"), "{e}");
    let f = write(dir.path(), "ok.csv", format!("{HEADER}\n").as_bytes());
    // A directory holding something else is not silently turned into a store.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let e = run(&["ingest", "pings", s(&f), "--store", s(&other)]).clean_error().to_string();
    assert!(e.contains("crowdlens init"), "{e}");
    // A new path becomes a store with default settings, as in the GeoLife example in docs/ingest.md.
    let fresh = dir.path().join("st2");
    let r = run(&["ingest", "pings", s(&f), "--store", s(&fresh), "--json"]);
    r.ok();
    assert!(r.stderr.contains("created store"), "{}", r.stderr);
    assert!(fresh.join("crowdlens.toml").exists());
}

#[test]
fn gzip_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let p = dir.path().join("p.csv.gz");
    let f = std::fs::File::create(&p).unwrap();
    let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    writeln!(gz, "{HEADER}").unwrap();
    for i in 0..100 {
        writeln!(gz, "d{},IDFA,{},44.97,-93.26,5", i % 7, 1_793_577_600 + i * 60).unwrap();
    }
    gz.finish().unwrap();
    let j = ingest(&st, &p).ok().json();
    assert_eq!(j["stored"], 100);
}
