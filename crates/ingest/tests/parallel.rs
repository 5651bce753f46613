//! Ingest runs on every core; these check that nothing about the result depends on it: the
//! quarantine stays in source order across batches, counts reconcile, and exactly-once holds
//! whether the digest is taken before ingest or while reading.

use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::sensitive::SensitivePlaces;
use crowdlens_ingest::{ingest_pings, IngestOptions};
use crowdlens_store::{Config, Store};
use std::path::Path;

const HEADER: &str = "mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy\n";

fn options() -> IngestOptions {
    let sensitive = SensitivePlaces::parse(
        r#"{"type":"Feature","properties":{"category":"medical","radius_m":200},"geometry":{"type":"Point","coordinates":[-93.26,44.97]}}"#,
    )
    .unwrap();
    IngestOptions { sensitive, now_s: Some(1_800_000_000), ..Default::default() }
}

fn quarantined_lines(paths: &[std::path::PathBuf]) -> Vec<u64> {
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["line"].as_u64().unwrap()).collect()
}

#[test]
fn quarantine_keeps_source_order_across_many_batches() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let mut text = String::from(HEADER);
    let (mut bad, mut sensitive, mut good) = (Vec::new(), 0, 0);
    // Line 1 is the header; 50,000 rows span a dozen batches.
    for i in 0..50_000_u64 {
        let line = i + 2;
        if i % 997 == 3 {
            text.push_str(&format!("d{},IDFA,1793577600000,95.0,-93.1,5\n", i % 300));
            bad.push(line);
        } else if i % 101 == 7 {
            text.push_str(&format!("d{},IDFA,1793577600000,44.97,-93.26,5\n", i % 300));
            sensitive += 1;
        } else {
            text.push_str(&format!(
                "d{},IDFA,{},44.9{},-93.1{},5\n",
                i % 300,
                1_793_577_600_000 + i * 1000,
                i % 10,
                i % 7
            ));
            good += 1;
        }
    }
    let src = dir.path().join("in.csv");
    std::fs::write(&src, &text).unwrap();
    let s = ingest_pings(&store, &src, &options(), &NoProgress).unwrap();
    assert!(s.reconciles(), "{s:?}");
    assert_eq!(s.read, 50_000);
    assert_eq!(s.stored, good);
    assert_eq!(s.dropped.get("sensitive_place:medical"), Some(&sensitive));
    assert_eq!(s.quarantine_reasons.get("bad_latitude"), Some(&(bad.len() as u64)));
    assert_eq!(quarantined_lines(&s.quarantine_files), bad);
    assert_eq!(store.manifest().unwrap().total_rows(), good);
}

fn ingest(store: &Store, src: &Path) -> crowdlens_ingest::IngestSummary {
    ingest_pings(store, src, &options(), &NoProgress).unwrap()
}

#[test]
fn exactly_once_holds_with_the_digest_taken_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let first = format!("{HEADER}a,IDFA,1793577600000,44.91,-93.11,5\n");
    let same_length = format!("{HEADER}b,IDFA,1793577600000,44.91,-93.11,5\n");
    let longer = format!("{HEADER}cc,IDFA,1793577600000,44.91,-93.11,5\n");
    let (a, b, c) = (dir.path().join("a.csv"), dir.path().join("b.csv"), dir.path().join("c.csv"));
    std::fs::write(&a, &first).unwrap();
    std::fs::write(&b, &same_length).unwrap();
    std::fs::write(&c, &longer).unwrap();

    // A new length: digested while reading. A same length: digested first, and still new.
    assert_eq!(ingest(&store, &a).stored, 1);
    assert_eq!(ingest(&store, &b).stored, 1);
    assert_eq!(ingest(&store, &c).stored, 1);
    for rerun in [&a, &b, &c] {
        let s = ingest(&store, rerun);
        assert_eq!((s.skipped_already_ingested, s.read), (1, 0), "{}", rerun.display());
    }
    let manifest = store.manifest().unwrap();
    assert_eq!(manifest.total_rows(), 3);
    let recorded: Vec<_> = manifest.sources.iter().map(|s| s.bytes).collect();
    let lengths = [&first, &same_length, &longer].map(|t| Some(t.len() as u64));
    assert_eq!(recorded, lengths);
    // The streamed identity is the file's BLAKE3, as a separate pass computes it.
    assert_eq!(manifest.sources[0].digest, crowdlens_ingest::source::digest(&a, false).unwrap().identity);
    assert!(manifest.sources[0].digest.starts_with("blake3:"), "{}", manifest.sources[0].digest);
}

/// A store written before sources were identified by BLAKE3 names them by bare SHA-256 under
/// the old `sha256` key. Rerunning such a file after the upgrade must still be recognised.
#[test]
fn sources_committed_under_sha256_are_still_recognised() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
    let text = format!("{HEADER}a,IDFA,1793577600000,44.91,-93.11,5\n");
    let path = dir.path().join("a.csv");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(ingest(&store, &path).stored, 1);

    // Rewrite the manifest as an older crowdlens wrote it: the SHA-256 under `sha256`, with
    // and without the length (older still).
    for keep_length in [true, false] {
        let manifest_path = store.root().join("manifest.json");
        let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
        let source = manifest["sources"][0].as_object_mut().unwrap();
        source.remove("digest");
        source.insert("sha256".into(), hex_sha256(&sha2::Sha256::digest(text.as_bytes())).into());
        if !keep_length {
            source.remove("bytes");
        }
        std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();

        let rerun = ingest(&store, &path);
        assert_eq!((rerun.skipped_already_ingested, rerun.read), (1, 0), "length kept: {keep_length}");
        assert_eq!(store.manifest().unwrap().total_rows(), 1, "not counted twice");
    }
    // A different file of the same length is new, and gets a BLAKE3 identity.
    let other = dir.path().join("b.csv");
    std::fs::write(&other, format!("{HEADER}b,IDFA,1793577600000,44.91,-93.11,5\n")).unwrap();
    assert_eq!(ingest(&store, &other).stored, 1);
    assert!(store.manifest().unwrap().sources[1].digest.starts_with("blake3:"));
}

fn hex_sha256(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
