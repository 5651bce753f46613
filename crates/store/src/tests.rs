use super::*;
use crowdlens_types::{Pseudonym, StoredPing};

fn ping(t: i64) -> StoredPing {
    StoredPing { pseudonym: Pseudonym(1), cell: 0x8a2a1072b59ffff, time_s: t, category: None }
}

#[test]
fn init_refuses_existing_and_open_refuses_missing() {
    let dir = tempfile::tempdir().unwrap();
    Store::init(dir.path(), &Config::default()).unwrap();
    assert!(matches!(Store::init(dir.path(), &Config::default()), Err(StoreError::AlreadyExists(_))));
    let other = tempfile::tempdir().unwrap();
    assert!(matches!(Store::open(other.path()), Err(StoreError::NotAStore(_))));
}

#[test]
fn documented_config_round_trips() {
    let c = Config::default();
    assert_eq!(Config::from_toml(&c.to_documented_toml()).unwrap(), c);
}

#[test]
fn uncommitted_run_is_invisible_and_swept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    {
        let mut run = store.begin_ingest().unwrap();
        run.push(ping(1_793_577_600)).unwrap();
        // dropped without commit, as if killed
    }
    assert_eq!(store.manifest().unwrap().total_rows(), 0);
    let run = store.begin_ingest().unwrap();
    assert_eq!(fs::read_dir(dir.path().join("staging")).unwrap().count(), 1, "only the new run");
    let counts = SourceCounts { read: 0, ..Default::default() };
    run.commit(SourceFile { digest: "abc".into(), path: "x".into(), bytes: 3 }, "pings", counts).unwrap();
    let m = store.manifest().unwrap();
    assert_eq!(m.generation, 1);
    assert!(m.find_source("abc").is_some());
}

#[test]
fn committed_rows_land_in_day_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let mut run = store.begin_ingest().unwrap();
    for i in 0..10 {
        run.push(ping(1_793_577_600 + i * 40_000)).unwrap();
    }
    let counts = SourceCounts { read: 10, stored: 10, ..Default::default() };
    run.commit(SourceFile { digest: "d".into(), path: "f.csv".into(), bytes: 5 }, "pings", counts).unwrap();
    let m = store.manifest().unwrap();
    assert_eq!(m.total_rows(), 10);
    let days: Vec<_> = m.rows_by_day().keys().cloned().collect();
    assert_eq!(days, ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]);
    assert_eq!(store.segments_between("2026-11-03", "2026-11-04").unwrap().len(), 2);
    for s in &m.segments {
        assert!(dir.path().join(&s.path).exists());
    }
}

#[test]
fn second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let _run = store.begin_ingest().unwrap();
    let again = Store::open(dir.path()).unwrap();
    assert!(matches!(again.begin_ingest(), Err(StoreError::Locked(_))));
}

#[test]
fn keys_persist_with_owner_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let epoch: crowdlens_types::Epoch = "2026-W45".parse().unwrap();
    let k1 = store.keyring().key_for(epoch).unwrap().clone();
    let k2 = store.keyring().key_for(epoch).unwrap().clone();
    assert_eq!(k1, k2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.path().join("keyring/2026-W45.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(store.keyring().epochs().unwrap(), vec![epoch]);
}

#[test]
fn keys_staged_by_a_killed_run_are_swept_and_saved_keys_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let epoch = crowdlens_types::Epoch::of_unix_seconds(1_793_577_600).unwrap();
    let saved = store.keyring().key_for(epoch).unwrap().0;
    let staged = dir.path().join("keyring").join(format!("{epoch}.key.42.tmp"));
    std::fs::write(&staged, saved).unwrap();
    drop(store.begin_ingest().unwrap());
    assert!(!staged.exists(), "a staged copy of a key would outlive its shredding");
    assert_eq!(store.keyring().key_for(epoch).unwrap().0, saved);
}

#[test]
fn a_store_of_the_old_pseudonym_scheme_takes_no_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), &Config::default()).unwrap();
    let mut run = store.begin_ingest().unwrap();
    run.push(ping(1_793_577_600)).unwrap();
    run.commit(SourceFile { digest: "a".into(), path: "a".into(), bytes: 1 }, "pings", SourceCounts::default())
        .unwrap();
    // As written before the scheme was recorded: no `pseudonym_scheme` field at all.
    let path = dir.path().join(MANIFEST_FILE);
    let mut json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("pseudonym_scheme");
    fs::write(&path, json.to_string()).unwrap();
    assert_eq!(store.manifest().unwrap().pseudonym_scheme, 1);
    let e = store.begin_ingest().err().expect("refused");
    assert!(matches!(e, StoreError::OldPseudonymScheme { scheme: 1, .. }), "{e}");
    assert!(e.to_string().contains("Create a new store"), "{e}");
}
