//! Whole-file ping ingest on arbitrary bytes: must never panic, and must always reconcile.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let store = crowdlens_store::Store::init(&dir.path().join("st"), &Default::default()).unwrap();
    let mut src = tempfile::NamedTempFile::new().unwrap();
    src.write_all(data).unwrap();
    let opts = crowdlens_ingest::IngestOptions { now_s: Some(1_800_000_000), ..Default::default() };
    if let Ok(s) = crowdlens_ingest::ingest_pings(&store, src.path(), &opts, &crowdlens_ingest::pipeline::NoProgress) {
        assert!(s.reconciles());
    }
});
