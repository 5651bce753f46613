//! Retention under the audit chain: which epochs have expired, and shredding them with an
//! audit entry before and after each one. The store does the deleting
//! (`crowdlens_store::retention`); the ledger keeps the budget those epochs spent, so a
//! shredded week can never be charged afresh.

use crowdlens_control::{Ledger, Requester};
use crowdlens_store::retention::ExpiredEpoch;
use crowdlens_store::Store;
use crowdlens_types::Epoch;
use serde::Serialize;

use crate::{Asker, QueryError};

/// What `retention apply` found and did: the CLI prints it and `POST /v1/retention/apply`
/// returns it. Like the audit entries, it names epochs and whether their keys go, never how
/// many rows or segments they held (those depend on the data).
#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub retention_weeks: u32,
    /// Epochs that ended before this instant (RFC 3339) are expired.
    pub cutoff: String,
    pub dry_run: bool,
    /// Expired epochs, shredded unless `dry_run`.
    pub epochs: Vec<ExpiredEpoch>,
}

/// Shreds every expired epoch (or, with `dry_run`, only lists them). Each epoch's shredding is
/// audited before it starts, so a kill mid-way still leaves a record, and again when done; a
/// rerun resumes any epoch left part-way. An entry records the epoch, whether its key existed,
/// whether the shredding resumes an earlier one, and the rule: no count of rows or segments.
pub fn apply_retention(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    now_s: i64,
    dry_run: bool,
) -> Result<RetentionReport, QueryError> {
    let weeks = ledger.rules().retention_weeks;
    let cutoff = now_s - i64::from(weeks) * 7 * 86_400;
    let epochs = store.expired_epochs(now_s, weeks)?;
    let who = Requester {
        actor: asker.actor.clone(),
        role: asker.role.clone(),
        case_id: asker.case_id.clone(),
        purpose: asker.purpose.clone(),
    };
    if !dry_run {
        for e in &epochs {
            let epoch: Epoch = e.epoch.parse().map_err(|m: String| QueryError::Engine(m))?;
            let what = serde_json::json!({"retention": e, "retention_weeks": weeks});
            ledger.record_event(&who, &what, &format!("shredding epoch {}", e.epoch))?;
            store.shred_epoch(epoch)?;
            ledger.record_event(
                &who,
                &what,
                &format!("epoch {} shredded: segments deleted, key destroyed", e.epoch),
            )?;
        }
    }
    Ok(RetentionReport {
        retention_weeks: weeks,
        cutoff: chrono::DateTime::from_timestamp(cutoff, 0).map(|t| t.to_rfc3339()).unwrap_or_default(),
        dry_run,
        epochs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crowdlens_store::{Config, SourceCounts, SourceFile};
    use crowdlens_types::{DeviceId, StoredPing};

    const MONDAY_W45: i64 = 1_793_577_600;

    #[test]
    fn audit_entries_and_the_report_hold_no_counts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
        let mut keyring = store.keyring();
        let mut run = store.begin_ingest().unwrap();
        for d in 0..36 {
            let t = MONDAY_W45 + d * 3_600;
            let epoch = Epoch::of_unix_seconds(t).unwrap();
            let device = DeviceId::canonical(&format!("6d1f2c3a-0000-4000-8000-{d:012}")).unwrap();
            let p = keyring.key_for(epoch).unwrap().pseudonym(&device);
            run.push(StoredPing { pseudonym: p, cell: 0x8a2a1072b59ffff, time_s: t, category: None }).unwrap();
        }
        let counts = SourceCounts { read: 36, stored: 36, ..Default::default() };
        run.commit(SourceFile { digest: "s".into(), path: "p".into(), bytes: 1 }, "pings", counts).unwrap();
        let mut ledger = crate::create_ledger(&store).unwrap();
        let asker =
            Asker { actor: "test".into(), role: "admin".into(), case_id: "-".into(), purpose: "retention".into() };
        let later = MONDAY_W45 + 400 * 86_400;

        let dry = apply_retention(&store, &mut ledger, &asker, later, true).unwrap();
        let shredded = apply_retention(&store, &mut ledger, &asker, later, false).unwrap();
        for report in [&dry, &shredded] {
            let json = serde_json::to_value(report).unwrap();
            assert_eq!(json["epochs"], serde_json::json!([{"epoch": "2026-W45", "key": true, "resumed": false}]));
            let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["cutoff", "dry_run", "epochs", "retention_weeks"], "{json}");
        }
        let entries: Vec<_> =
            ledger.audit_entries().unwrap().into_iter().filter(|e| e.purpose == "retention").collect();
        assert_eq!(entries.len(), 2, "one entry before and one after the epoch's shredding");
        for e in &entries {
            let what: serde_json::Value = serde_json::from_str(&e.question).unwrap();
            assert_eq!(what["retention"], serde_json::json!({"epoch": "2026-W45", "key": true, "resumed": false}));
            for word in ["rows", "segments", "36"] {
                assert!(!e.question.contains(word), "{word} in {e:?}");
            }
            assert!(!e.outcome.contains("rows") && !e.outcome.contains("36"), "{e:?}");
        }
    }
}
