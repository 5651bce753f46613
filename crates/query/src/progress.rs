//! How far a question has got, for a caller that watches it run (the API's jobs).
//!
//! A question reports its stage (checking, reading once charged, releasing) and, while its plan runs
//! in this process, the share of the rows its scans have read of the rows the files hold (from
//! their Parquet metadata). That share moves with the data's size the way the question's
//! running time already does, and says nothing the elapsed time does not: it is rounded to a
//! whole percent and only ever rises. A plan on a cluster reports its stage alone.
//!
//! The watcher is set per task with [`watched`], as the engine is, so that no question's
//! signature carries it.

use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// Where a question is on its way to an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not started yet.
    Queued,
    /// Its checks and price, from its parameters and public metadata; nothing is charged yet.
    Checking,
    /// Its charge is committed with its audit entry (from here on the charge stands), and its
    /// plan is reading the data.
    Reading,
    /// Noise, the answer's digest in the audit chain, the kept copy.
    Releasing,
    /// Answered, refused, failed or cancelled: the caller knows which.
    Finished,
}

impl Stage {
    fn from_u8(v: u8) -> Stage {
        match v {
            0 => Stage::Queued,
            1 => Stage::Checking,
            2 => Stage::Reading,
            3 => Stage::Releasing,
            _ => Stage::Finished,
        }
    }
}

/// The progress of one question, shared between the task that runs it and whoever watches.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    /// Percent of the current plan's scan read, never falling; 255 while unknown.
    scanned: AtomicU8,
}

const UNKNOWN: u8 = u8::MAX;

impl Progress {
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress { stage: AtomicU8::new(0), scanned: AtomicU8::new(UNKNOWN) })
    }

    pub fn stage(&self) -> Stage {
        Stage::from_u8(self.stage.load(Ordering::Relaxed))
    }

    /// Moves to `stage`; a stage never goes back.
    pub fn enter(&self, stage: Stage) {
        self.stage.fetch_max(stage as u8, Ordering::Relaxed);
    }

    /// The share of the scan read while reading, in whole percent, if the engine can tell.
    pub fn scanned_percent(&self) -> Option<u8> {
        match self.scanned.load(Ordering::Relaxed) {
            UNKNOWN => None,
            p => Some(p),
        }
    }

    /// Records that `read` of `total` rows have been scanned.
    pub(crate) fn scanned(&self, read: usize, total: usize) {
        if total == 0 {
            return;
        }
        let percent = (read.min(total) as u128 * 100 / total as u128) as u8;
        let _ = self.scanned.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| match old {
            UNKNOWN => Some(percent),
            old if percent > old => Some(percent),
            _ => None,
        });
    }

    /// The whole question's progress, from 0 to 1: its stage, and inside the reading stage
    /// the share of the scan read. An estimate for a progress bar, never a measure of data.
    pub fn fraction(&self) -> f64 {
        match self.stage() {
            Stage::Queued => 0.0,
            Stage::Checking => 0.02,
            Stage::Reading => 0.05 + 0.9 * f64::from(self.scanned_percent().unwrap_or(0)) / 100.0,
            Stage::Releasing => 0.95,
            Stage::Finished => 1.0,
        }
    }
}

tokio::task_local! {
    static PROGRESS: Arc<Progress>;
}

/// Runs `work` with its progress reported to `progress`.
pub async fn watched<F: Future>(progress: Arc<Progress>, work: F) -> F::Output {
    PROGRESS.scope(progress, work).await
}

/// The current task's watcher, if it has one.
pub(crate) fn current() -> Option<Arc<Progress>> {
    PROGRESS.try_with(Arc::clone).ok()
}

/// Moves the current task's question to `stage`, if anyone watches it.
pub(crate) fn enter(stage: Stage) {
    if let Some(p) = current() {
        p.enter(stage);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_scans_only_move_forward() {
        let p = Progress::new();
        assert_eq!((p.stage(), p.fraction(), p.scanned_percent()), (Stage::Queued, 0.0, None));
        p.enter(Stage::Reading);
        p.enter(Stage::Checking);
        assert_eq!(p.stage(), Stage::Reading);
        p.scanned(50, 200);
        p.scanned(10, 200);
        assert_eq!(p.scanned_percent(), Some(25));
        assert!((p.fraction() - (0.05 + 0.9 * 0.25)).abs() < 1e-12);
        p.scanned(500, 200);
        p.scanned(1, 0);
        assert_eq!(p.scanned_percent(), Some(100));
        p.enter(Stage::Finished);
        assert_eq!(p.fraction(), 1.0);
    }

    #[tokio::test]
    async fn only_the_watched_task_reports() {
        let p = Progress::new();
        enter(Stage::Reading);
        assert_eq!(p.stage(), Stage::Queued);
        watched(p.clone(), async { enter(Stage::Reading) }).await;
        assert_eq!(p.stage(), Stage::Reading);
    }
}
