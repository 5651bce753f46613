//! Retention with crypto-shredding: an epoch older than `privacy.retention_weeks` loses its
//! segments and then its key, and a tombstone keeps late data from minting a new key for it.
//!
//! One epoch is shredded in this order, each step durable before the next:
//! 1. the tombstone `keyring/EPOCH.shredded`: from here ingest drops the epoch's rows;
//! 2. one manifest commit without the epoch's segments: readers stop seeing them;
//! 3. the segment files are deleted (a crash leaves unnamed files, which the next writer
//!    sweeps);
//! 4. the key file is deleted: the epoch's pseudonyms can no longer be tied to any device.
//!
//! A kill at any point leaves a valid store, and running retention again finishes the epoch:
//! an epoch counts as done only once it has a tombstone, no segment and no key.

use crowdlens_types::Epoch;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fs;

use crate::{Manifest, Store, StoreError};

/// What retention does, or did, to one epoch. It goes into the audit chain and out of the API,
/// so it holds nothing that depends on the rows: no row count and no segment count (a day's
/// segments are one per ingest run that had rows that day). Which weeks hold data is public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredEpoch {
    pub epoch: String,
    /// Whether its key still exists, and so is (or, in a dry run, would be) destroyed.
    pub key: bool,
    /// Whether shredding had already begun (a tombstone exists).
    pub resumed: bool,
}

impl Store {
    /// Epochs that ended at least `retention_weeks` weeks before `now_s` and still have
    /// segments, a key or no tombstone. Reads metadata only. The weeks are the ledger's rule,
    /// never the config file's.
    pub fn expired_epochs(&self, now_s: i64, retention_weeks: u32) -> Result<Vec<ExpiredEpoch>, StoreError> {
        let weeks = i64::from(retention_weeks);
        let cutoff = now_s - weeks * 7 * 86_400;
        let manifest = self.manifest()?;
        let keyring = self.keyring();
        let mut epochs: BTreeSet<Epoch> = manifest.segments.iter().filter_map(|s| epoch_of_day(&s.day)).collect();
        epochs.extend(keyring.epochs()?);
        Ok(epochs
            .into_iter()
            .filter(|epoch| epoch.end_unix_seconds() <= cutoff)
            .map(|epoch| ExpiredEpoch {
                epoch: epoch.to_string(),
                key: keyring.has_key(epoch),
                resumed: keyring.is_shredded(epoch),
            })
            .collect())
    }

    /// Shreds one epoch (see the module docs for the order). Takes the writer lock, so no
    /// ingest runs meanwhile. Safe to call again on a partly shredded epoch.
    pub fn shred_epoch(&self, epoch: Epoch) -> Result<(), StoreError> {
        let _lock = crate::writer::take_writer_lock(self.root())?;
        // Leftovers of a killed ingest must not hold rows of this epoch past its shredding.
        crate::writer::sweep_uncommitted(self.root())?;
        let keyring = self.keyring();
        keyring.write_tombstone(epoch, &chrono::Utc::now().to_rfc3339())?;

        let mut manifest = Manifest::load(self.root())?;
        let (gone, kept): (Vec<_>, Vec<_>) =
            manifest.segments.drain(..).partition(|s| epoch_of_day(&s.day) == Some(epoch));
        manifest.segments = kept;
        if !gone.is_empty() {
            manifest.generation += 1;
            manifest.save(self.root())?;
        }
        for segment in &gone {
            let path = self.root().join(&segment.path);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(&path, e)),
            }
            if let Some(dir) = path.parent() {
                // Empty day directories go too; a non-empty one (another epoch's day cannot
                // share it, but a stray file can) simply stays.
                let _ = fs::remove_dir(dir);
            }
        }
        keyring.destroy_key(epoch)
    }
}

fn epoch_of_day(day: &str) -> Option<Epoch> {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().map(Epoch::of_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, SourceCounts, SourceFile};
    use crowdlens_types::{DeviceId, Pseudonym, StoredPing};

    const MONDAY_W45: i64 = 1_793_577_600;

    fn store_with_two_weeks(dir: &std::path::Path) -> Store {
        let store = Store::init(dir, &Config::default()).unwrap();
        let mut keyring = store.keyring();
        let mut run = store.begin_ingest().unwrap();
        for t in [MONDAY_W45, MONDAY_W45 + 86_400, MONDAY_W45 + 7 * 86_400] {
            let epoch = Epoch::of_unix_seconds(t).unwrap();
            let p = keyring.key_for(epoch).unwrap().pseudonym(&DeviceId::canonical("d").unwrap());
            run.push(StoredPing { pseudonym: p, cell: 0x8a2a1072b59ffff, time_s: t, category: None }).unwrap();
        }
        run.push(StoredPing {
            pseudonym: Pseudonym(1),
            cell: 0x8a2a1072b59ffff,
            time_s: MONDAY_W45 + 60,
            category: None,
        })
        .unwrap();
        let counts = SourceCounts { read: 4, stored: 4, ..Default::default() };
        run.commit(SourceFile { digest: "s".into(), path: "p".into(), bytes: 1 }, "pings", counts).unwrap();
        store
    }

    #[test]
    fn expired_epochs_follow_the_retention_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_weeks(&dir.path().join("st"));
        let weeks = i64::from(store.config().privacy.retention_weeks);
        let w45_end = MONDAY_W45 + 7 * 86_400;
        assert!(store.expired_epochs(w45_end + weeks * 7 * 86_400 - 1, weeks as u32).unwrap().is_empty());
        let expired = store.expired_epochs(w45_end + weeks * 7 * 86_400, weeks as u32).unwrap();
        assert_eq!(expired, vec![ExpiredEpoch { epoch: "2026-W45".into(), key: true, resumed: false }]);
        // What retention reports and audits has no count that depends on the rows.
        let json = serde_json::to_value(&expired[0]).unwrap();
        assert_eq!(json, serde_json::json!({"epoch": "2026-W45", "key": true, "resumed": false}));
    }

    #[test]
    fn shredding_removes_rows_then_the_key_and_blocks_new_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_weeks(&dir.path().join("st"));
        let w45: Epoch = "2026-W45".parse().unwrap();
        let segment_files: Vec<_> =
            store.manifest().unwrap().segments.iter().map(|s| store.root().join(&s.path)).collect();
        store.shred_epoch(w45).unwrap();
        let m = store.manifest().unwrap();
        assert_eq!(m.segments.len(), 1, "only W46's day remains");
        assert_eq!(m.total_rows(), 1);
        assert_eq!(segment_files.iter().filter(|p| p.exists()).count(), 1);
        assert!(!store.keyring().has_key(w45));
        assert!(store.keyring().has_key("2026-W46".parse().unwrap()));
        assert!(matches!(store.keyring().key_for(w45), Err(StoreError::EpochShredded(_))));
        // Done: nothing is left to shred, even long after.
        assert!(store.expired_epochs(MONDAY_W45 + 1000 * 86_400, 26).unwrap().iter().all(|e| e.epoch != "2026-W45"));
        // Shredding again is harmless.
        store.shred_epoch(w45).unwrap();
    }

    #[test]
    fn a_shred_killed_after_its_manifest_commit_is_finished_by_a_rerun() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_weeks(&dir.path().join("st"));
        let w45: Epoch = "2026-W45".parse().unwrap();
        let files: Vec<_> = store.manifest().unwrap().segments.iter().map(|s| store.root().join(&s.path)).collect();
        // As if killed after steps 1 and 2: the manifest no longer names W45's segments, but
        // their files and the key are still there.
        store.keyring().write_tombstone(w45, "then").unwrap();
        let mut m = Manifest::load(store.root()).unwrap();
        m.segments.retain(|s| epoch_of_day(&s.day) != Some(w45));
        m.save(store.root()).unwrap();
        assert_eq!(store.manifest().unwrap().total_rows(), 1, "readers already see the week gone");
        let pending = store.expired_epochs(MONDAY_W45 + 1000 * 86_400, 26).unwrap();
        assert!(pending.iter().any(|e| e.epoch == "2026-W45" && e.key && e.resumed));
        assert!(store.manifest().unwrap().segments.iter().all(|s| epoch_of_day(&s.day) != Some(w45)));
        store.shred_epoch(w45).unwrap();
        assert_eq!(files.iter().filter(|p| p.exists()).count(), 1, "the unnamed files are swept");
        assert!(!store.keyring().has_key(w45));
    }

    #[test]
    fn a_shred_killed_after_its_tombstone_is_finished_by_a_rerun() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_two_weeks(&dir.path().join("st"));
        let w45: Epoch = "2026-W45".parse().unwrap();
        // As if killed right after step 1.
        store.keyring().write_tombstone(w45, "then").unwrap();
        assert!(matches!(store.keyring().key_for(w45), Err(StoreError::EpochShredded(_))), "late data is blocked");
        let pending = store.expired_epochs(MONDAY_W45 + 1000 * 86_400, 26).unwrap();
        let w45_pending = pending.iter().find(|e| e.epoch == "2026-W45").unwrap();
        assert!(w45_pending.resumed && w45_pending.key);
        assert_eq!(store.manifest().unwrap().segments.iter().filter(|s| epoch_of_day(&s.day) == Some(w45)).count(), 2);
        store.shred_epoch(w45).unwrap();
        assert!(!store.keyring().has_key(w45));
        assert_eq!(store.manifest().unwrap().segments.len(), 1);
    }
}
