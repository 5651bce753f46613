//! Where a question's bounded aggregation runs: in this process (the default), or on a cluster
//! another crate provides (`crowdlens-cluster`, Ballista). Only the DataFusion session changes;
//! the question checks, the ledger charge, the noise, the audit entry and the answer stay in
//! the calling process, so the privacy path is the same code whatever the engine.
//!
//! The engine is chosen per task with [`with_engine`] rather than passed through every
//! question's signature: a server serving many questions sets it once per request.

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::QueryError;

/// A place plans run.
pub trait Engine: Send + Sync {
    /// A session whose plans run on this engine.
    fn session(
        &self,
        config: SessionConfig,
    ) -> Pin<Box<dyn Future<Output = Result<SessionContext, QueryError>> + Send + '_>>;
    /// `local`, or the cluster's address, for messages.
    fn name(&self) -> String;
    /// Whether plans leave this process: data they carry must then be serialisable (literal
    /// values rather than in-memory tables).
    fn is_remote(&self) -> bool;
    /// Turns an engine error into one a user can act on, where the engine recognises it.
    fn explain(&self, error: &str) -> Option<String> {
        let _ = error;
        None
    }
    /// Runs a plan to its end and gathers its batches. An engine that can lose a plan's tasks
    /// (a cluster) bounds this by a deadline, so that the charge is settled as a failure
    /// instead of the asker waiting forever; one that leaves traces of a plan behind (shuffle
    /// files) removes them however the plan ends: finished, failed or past its deadline.
    fn collect(
        &self,
        frame: DataFrame,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<RecordBatch>, QueryError>> + Send + '_>> {
        Box::pin(async move { Ok(frame.collect().await?) })
    }
}

/// The error of a plan that did not finish on `engine` within `deadline`.
pub fn past_deadline(engine: &str, deadline: std::time::Duration) -> QueryError {
    QueryError::Engine(format!(
        "the question did not finish on {engine} within {} s (its --engine-timeout); the cluster may have lost an \
         executor: check the nodes' logs, then ask again",
        deadline.as_secs()
    ))
}

tokio::task_local! {
    static ENGINE: Arc<dyn Engine>;
}

/// Runs `work` with its plans on `engine`.
pub async fn with_engine<F: Future>(engine: Arc<dyn Engine>, work: F) -> F::Output {
    ENGINE.scope(engine, work).await
}

/// The engine of the current task, if one was set.
pub(crate) fn current() -> Option<Arc<dyn Engine>> {
    ENGINE.try_with(Arc::clone).ok()
}

/// The aggregates every node that runs crowdlens' plans must know, under their registered
/// names. A cluster registers them on its scheduler and executors.
pub fn aggregates() -> Vec<AggregateUDF> {
    vec![crate::bounded::udaf(), crate::sequences::zone_transitions(), crate::sequences::dwell_visits()]
}

/// The names of [`aggregates`]. A plan that calls one holds the question's salt as a literal.
pub const AGGREGATE_NAMES: [&str; 3] =
    [crate::bounded::NAME, crate::sequences::ZONE_TRANSITIONS, crate::sequences::DWELL_VISITS];

/// Memory a question's plan may hold before its sorts and aggregations spill to disk, in this
/// process. Plans over a week of a big city sort tens of millions of rows (flows and dwell
/// follow each device in time order); the pool keeps their peak under a fixed bound whatever
/// the input size.
pub const QUERY_MEMORY_BYTES: usize = 512 << 20;
const SORT_SPILL_RESERVATION_BYTES: usize = 64 << 20;

/// The session configuration every engine starts from.
pub fn session_config() -> SessionConfig {
    let mut config =
        SessionConfig::new().with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get()));
    // A sort that has to spill first sorts what it holds in memory; reserving room for that
    // up front is what lets it spill instead of failing when the pool is nearly full.
    config.options_mut().execution.sort_spill_reservation_bytes = SORT_SPILL_RESERVATION_BYTES;
    config
}

/// DataFusion's fair pool, except that repartitioning is never refused memory.
///
/// Refused, `RepartitionExec` moves batches through a spill pool, and DataFusion 55's spill pool
/// can deadlock when two of its input tasks spill at once: every worker parks and the question
/// never ends (apache/datafusion#24883, fixed after 55 by #24891). Flows and dwell on a billion
/// pings hit it. Granted, a repartition still holds little: its channels are gated, so its
/// senders wait while every output channel holds a batch. Its use still counts against the
/// pool, so the aggregations and sorts around it spill earlier instead.
#[derive(Debug)]
struct RepartitionNeverRefused(datafusion::execution::memory_pool::FairSpillPool);

fn is_repartition(reservation: &datafusion::execution::memory_pool::MemoryReservation) -> bool {
    reservation.consumer().name().starts_with("RepartitionExec")
}

impl std::fmt::Display for RepartitionNeverRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (repartitioning never refused)", self.0)
    }
}

impl datafusion::execution::memory_pool::MemoryPool for RepartitionNeverRefused {
    fn name(&self) -> &str {
        "fair, repartitioning never refused"
    }

    fn register(&self, consumer: &datafusion::execution::memory_pool::MemoryConsumer) {
        self.0.register(consumer)
    }

    fn unregister(&self, consumer: &datafusion::execution::memory_pool::MemoryConsumer) {
        self.0.unregister(consumer)
    }

    fn grow(&self, reservation: &datafusion::execution::memory_pool::MemoryReservation, additional: usize) {
        self.0.grow(reservation, additional)
    }

    fn shrink(&self, reservation: &datafusion::execution::memory_pool::MemoryReservation, shrink: usize) {
        self.0.shrink(reservation, shrink)
    }

    fn try_grow(
        &self,
        reservation: &datafusion::execution::memory_pool::MemoryReservation,
        additional: usize,
    ) -> datafusion::common::Result<()> {
        if is_repartition(reservation) {
            self.0.grow(reservation, additional);
            return Ok(());
        }
        self.0.try_grow(reservation, additional)
    }

    fn reserved(&self) -> usize {
        self.0.reserved()
    }

    fn memory_limit(&self) -> datafusion::execution::memory_pool::MemoryLimit {
        self.0.memory_limit()
    }
}

fn local_session(config: SessionConfig) -> Result<SessionContext, QueryError> {
    // Fair shares: each spilling operator gets its part of the pool, so one partition's sort
    // cannot take it all and leave another unable to merge.
    let pool =
        Arc::new(RepartitionNeverRefused(datafusion::execution::memory_pool::FairSpillPool::new(QUERY_MEMORY_BYTES)));
    let runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new().with_memory_pool(pool).build_arc()?;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

/// A session on the current task's engine, or in this process.
pub(crate) async fn session() -> Result<SessionContext, QueryError> {
    match current() {
        Some(engine) => engine.session(session_config()).await,
        None => local_session(session_config()),
    }
}

/// Runs a plan to its end on the current task's engine, or in this process.
pub(crate) async fn collect(frame: DataFrame) -> Result<Vec<RecordBatch>, QueryError> {
    match current() {
        Some(engine) => engine.collect(frame).await,
        None => Ok(frame.collect().await?),
    }
}

/// An engine error, explained by the engine that raised it where it can.
pub(crate) fn engine_error(message: String) -> QueryError {
    match current().and_then(|engine| engine.explain(&message)) {
        Some(explained) => QueryError::Engine(explained),
        None => QueryError::EngineFailed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::execution::memory_pool::{FairSpillPool, MemoryConsumer, MemoryPool};

    #[test]
    fn repartitioning_is_never_refused_and_still_counts() {
        let pool: Arc<dyn MemoryPool> = Arc::new(RepartitionNeverRefused(FairSpillPool::new(1000)));
        let repartition = MemoryConsumer::new("RepartitionExec[0]").with_can_spill(true).register(&pool);
        let aggregate = MemoryConsumer::new("GroupedHashAggregateStream[0]").with_can_spill(true).register(&pool);
        repartition.try_grow(5000).unwrap();
        assert_eq!(pool.reserved(), 5000);
        let refused = aggregate.try_grow(600).unwrap_err().to_string();
        assert!(refused.contains("GroupedHashAggregateStream"), "{refused}");
        aggregate.try_grow(400).unwrap();
        drop(repartition);
        assert_eq!(pool.reserved(), 400);
    }
}
