//! How far a question has got, for a caller that watches it run (the API's jobs).
//!
//! A question reports its stage alone (checking, reading once charged, releasing), never how
//! much of the data it has read: the rows a scan has read against the rows its files hold
//! would tell, in steps of a batch, how many pings the window holds, an exact count. A stage
//! says only when the question got there, which its running time already says.
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
}

impl Progress {
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress::default())
    }

    pub fn stage(&self) -> Stage {
        Stage::from_u8(self.stage.load(Ordering::Relaxed))
    }

    /// Moves to `stage`; a stage never goes back.
    pub fn enter(&self, stage: Stage) {
        self.stage.fetch_max(stage as u8, Ordering::Relaxed);
    }

    /// The whole question's progress, from 0 to 1, by its stage: for a progress bar, never a
    /// measure of data. Reading and releasing take most of a large question's time.
    pub fn fraction(&self) -> f64 {
        match self.stage() {
            Stage::Queued => 0.0,
            Stage::Checking => 0.05,
            Stage::Reading => 0.15,
            Stage::Releasing => 0.6,
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
    fn stages_only_move_forward_and_the_fraction_rises_with_them() {
        let p = Progress::new();
        assert_eq!((p.stage(), p.fraction()), (Stage::Queued, 0.0));
        let mut last = 0.0;
        for stage in [Stage::Checking, Stage::Reading, Stage::Releasing, Stage::Finished] {
            p.enter(stage);
            assert!(p.fraction() > last, "{stage:?}");
            last = p.fraction();
        }
        p.enter(Stage::Checking);
        assert_eq!((p.stage(), p.fraction()), (Stage::Finished, 1.0));
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
