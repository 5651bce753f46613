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

/// What `retention apply` found and did.
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
/// rerun resumes any epoch left part-way.
pub fn apply_retention(
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    now_s: i64,
    dry_run: bool,
) -> Result<RetentionReport, QueryError> {
    let weeks = store.config().privacy.retention_weeks;
    let cutoff = now_s - i64::from(weeks) * 7 * 86_400;
    let epochs = store.expired_epochs(now_s)?;
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
