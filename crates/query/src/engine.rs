//! Where a question's bounded aggregation runs: in this process (the default), or on a cluster
//! another crate provides (`crowdlens-cluster`, Ballista). Only the DataFusion session changes;
//! the question checks, the ledger charge, the noise, the audit entry and the answer stay in
//! the calling process, so the privacy path is the same code whatever the engine.
//!
//! The engine is chosen per task with [`with_engine`] rather than passed through every
//! question's signature: a server serving many questions sets it once per request.

use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::{SessionConfig, SessionContext};
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
    /// Longest a plan may run on this engine. A cluster that loses an executor can leave a
    /// question waiting on tasks nobody runs; the deadline turns that into an error, so the
    /// charge is settled as a failure instead of the asker waiting forever.
    fn deadline(&self) -> Option<std::time::Duration> {
        None
    }
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

fn local_session(config: SessionConfig) -> Result<SessionContext, QueryError> {
    // Fair shares: each spilling operator gets its part of the pool, so one partition's sort
    // cannot take it all and leave another unable to merge.
    let pool = Arc::new(datafusion::execution::memory_pool::FairSpillPool::new(QUERY_MEMORY_BYTES));
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

/// Runs a plan's `collect` under the current engine's deadline, if it has one.
pub(crate) async fn within_deadline<T>(work: impl Future<Output = Result<T, QueryError>>) -> Result<T, QueryError> {
    let Some(engine) = current() else { return work.await };
    let Some(deadline) = engine.deadline() else { return work.await };
    match tokio::time::timeout(deadline, work).await {
        Ok(result) => result,
        Err(_) => Err(QueryError::Engine(format!(
            "the question did not finish on {} within {} s (its --engine-timeout); the cluster may have lost an \
             executor: check the nodes' logs, then ask again",
            engine.name(),
            deadline.as_secs()
        ))),
    }
}

/// An engine error, explained by the engine that raised it where it can.
pub(crate) fn engine_error(message: String) -> QueryError {
    match current().and_then(|engine| engine.explain(&message)) {
        Some(explained) => QueryError::Engine(explained),
        None => QueryError::Engine(message),
    }
}
