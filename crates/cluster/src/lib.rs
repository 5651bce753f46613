//! Questions on an Apache Ballista cluster.
//!
//! A cluster is one scheduler and any number of executors, all started by crowdlens itself
//! (`crowdlens cluster scheduler`, `crowdlens cluster executor`), because the stock Ballista
//! binaries do not know crowdlens' aggregates (`bounded_keys`, `zone_transitions`,
//! `dwell_visits`). They are registered on every node by name; a question's salt and bound L are
//! literal arguments inside the plan, never
//! configuration, so nothing about a question is set on a node.
//!
//! [`ClusterEngine`] is a `crowdlens_query::engine::Engine`: only the DataFusion session
//! changes, so a question's checks, charge, noise, audit entry and answer stay in the
//! coordinating process. Executors read the store's Parquet segments by the paths the
//! coordinator's manifest names, so the segments (and the manifest) must be at the same path on
//! every machine; the keyring, `control.sqlite` and tokens never leave the coordinator.
//!
//! Ballista lives in this crate alone, so the other crates build without it.

use ballista::prelude::SessionContextExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_server::SessionBuilder;
use crowdlens_query::engine::{aggregates, Engine, AGGREGATE_NAMES};
use crowdlens_query::QueryError;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

/// Why a cluster could not start or be reached.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0:?} is not a cluster address: expected df://HOST:PORT, such as df://127.0.0.1:50050")]
    BadAddress(String),
    #[error("the {role} stopped: {cause}")]
    Stopped { role: &'static str, cause: String },
}

/// A scheduler address, parsed from `df://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAddress {
    pub host: String,
    pub port: u16,
}

impl ClusterAddress {
    pub fn parse(text: &str) -> Result<ClusterAddress, ClusterError> {
        let bad = || ClusterError::BadAddress(text.to_string());
        let rest = text.trim().strip_prefix("df://").ok_or_else(bad)?;
        let (host, port) = rest.trim_end_matches('/').rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(ClusterAddress { host: host.to_string(), port })
    }
}

impl std::fmt::Display for ClusterAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "df://{}:{}", self.host, self.port)
    }
}

/// Runs questions' plans on the cluster whose scheduler is at `address`.
#[derive(Debug, Clone)]
pub struct ClusterEngine {
    address: ClusterAddress,
    deadline: std::time::Duration,
}

/// How long a question may run on a cluster unless told otherwise. Ballista can leave a job
/// waiting on a lost executor's tasks; a deadline makes that a settled failure, not a hang.
pub const DEFAULT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

impl ClusterEngine {
    pub fn new(address: ClusterAddress) -> ClusterEngine {
        ClusterEngine { address, deadline: DEFAULT_DEADLINE }
    }

    /// The longest one question's plan may run on the cluster.
    pub fn with_deadline(self, deadline: std::time::Duration) -> ClusterEngine {
        ClusterEngine { deadline, ..self }
    }
}

impl Engine for ClusterEngine {
    fn session(
        &self,
        config: SessionConfig,
    ) -> Pin<Box<dyn Future<Output = Result<SessionContext, QueryError>> + Send + '_>> {
        Box::pin(async move {
            let state = SessionStateBuilder::new().with_default_features().with_config(config).build();
            let ctx = SessionContext::remote_with_state(&self.address.to_string(), state)
                .await
                .map_err(|e| QueryError::Engine(format!("cluster {}: {e}", self.address)))?;
            for udaf in aggregates() {
                ctx.register_udaf(udaf);
            }
            Ok(ctx)
        })
    }

    fn name(&self) -> String {
        self.address.to_string()
    }

    fn is_remote(&self) -> bool {
        true
    }

    fn deadline(&self) -> Option<std::time::Duration> {
        Some(self.deadline)
    }

    fn explain(&self, error: &str) -> Option<String> {
        let address = &self.address;
        let lower = error.to_ascii_lowercase();
        if AGGREGATE_NAMES.iter().any(|name| lower.contains(name)) {
            return Some(format!(
                "a node of the cluster at {address} does not know crowdlens' aggregates: start the \
                 scheduler and every executor with `crowdlens cluster scheduler` and `crowdlens cluster executor`, \
                 not the stock Ballista binaries"
            ));
        }
        if lower.contains("transport error")
            || lower.contains("connection refused")
            || lower.contains("connect") && lower.contains("scheduler")
        {
            return Some(format!(
                "cannot reach the Ballista scheduler at {address}: is `crowdlens cluster scheduler --bind {}:{}` running there?",
                address.host, address.port
            ));
        }
        if lower.contains("could not be prepared or was rejected by executor") {
            // What a stock Ballista executor does with a plan that calls crowdlens' aggregates: it
            // cannot decode the task, and the scheduler reports only the rejection.
            return Some(format!(
                "an executor of the cluster at {address} rejected the question's tasks; most often it is a stock \
                 Ballista executor that does not know crowdlens' aggregates (bounded_keys and others): start every \
                 executor with \
                 `crowdlens cluster executor --scheduler {}:{}`",
                address.host, address.port
            ));
        }
        if lower.contains("no executors remain") || lower.contains("all executors were lost") {
            return Some(format!(
                "the cluster at {address} has no executor left to run the question: start one with \
                 `crowdlens cluster executor --scheduler {}:{}`",
                address.host, address.port
            ));
        }
        if lower.contains("executor") && (lower.contains("lost") || lower.contains("failed")) {
            return Some(format!(
                "an executor of the cluster at {address} was lost while it ran the question: {error}"
            ));
        }
        None
    }
}

/// The session every scheduler session starts from: Ballista's, with crowdlens' aggregates.
fn session_builder() -> SessionBuilder {
    Arc::new(|config: SessionConfig| {
        let mut state = ballista_core::utils::default_session_builder(config)?;
        for udaf in aggregates() {
            datafusion::execution::FunctionRegistry::register_udaf(&mut state, Arc::new(udaf))?;
        }
        Ok(state)
    })
}

/// How long the scheduler waits for an executor to come back after the cluster lost its last
/// one, before it fails the running questions (Ballista's default is three minutes).
const NO_EXECUTORS_GRACE_S: u64 = 30;
/// Heartbeats are every 60 s by default; an executor silent this long is taken as lost.
const EXECUTOR_TIMEOUT_S: u64 = 30;

/// Runs a scheduler on `bind` until the process is stopped.
pub async fn run_scheduler(bind: SocketAddr) -> Result<(), ClusterError> {
    let mut config = SchedulerConfig::default()
        .with_hostname(bind.ip().to_string())
        .with_port(bind.port())
        .with_override_session_builder(session_builder());
    config.executor_timeout_seconds = EXECUTOR_TIMEOUT_S;
    config.expire_dead_executor_interval_seconds = 5;
    config.no_executors_grace_period_seconds = NO_EXECUTORS_GRACE_S;
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| ClusterError::Stopped { role: "scheduler", cause: e.to_string() })?;
    ballista_scheduler::scheduler_process::start_server(cluster, bind, Arc::new(config))
        .await
        .map_err(|e| ClusterError::Stopped { role: "scheduler", cause: e.to_string() })
}

/// An executor's settings.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    pub scheduler: SocketAddr,
    pub bind: SocketAddr,
    /// Tasks it runs at once; its cores by default.
    pub concurrency: usize,
    /// Where it keeps shuffle files; a temporary directory by default.
    pub work_dir: Option<String>,
    /// Register crowdlens' functions. Off only to stand for a stock Ballista executor in tests.
    pub crowdlens_functions: bool,
}

/// Runs an executor until the process is stopped.
pub async fn run_executor(options: ExecutorOptions) -> Result<(), ClusterError> {
    let mut registry = BallistaFunctionRegistry::default();
    if options.crowdlens_functions {
        for udaf in aggregates() {
            registry.aggregate_functions.insert(udaf.name().to_string(), Arc::new(udaf));
        }
    }
    // Ballista's own default work directory is a `TempDir` it drops at once, which deletes it;
    // this one lives as long as the executor.
    let scratch = match &options.work_dir {
        Some(_) => None,
        None => Some(tempfile::TempDir::with_prefix("crowdlens-executor-").map_err(|e| ClusterError::Stopped {
            role: "executor",
            cause: format!("cannot create a work directory: {e}"),
        })?),
    };
    let work_dir = match &scratch {
        Some(dir) => dir.path().to_string_lossy().into_owned(),
        None => options.work_dir.clone().unwrap_or_default(),
    };
    owner_only_dir(std::path::Path::new(&work_dir))?;
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        external_host: Some(options.bind.ip().to_string()),
        port: options.bind.port(),
        // Flight (data) on the given port, gRPC (control) on the next one.
        grpc_port: options.bind.port().wrapping_add(1),
        scheduler_host: options.scheduler.ip().to_string(),
        scheduler_port: options.scheduler.port(),
        // Started beside its scheduler, an executor waits for it rather than failing at once.
        scheduler_connect_timeout_seconds: 30,
        vcores: options.concurrency.max(1),
        work_dir: Some(work_dir),
        executor_heartbeat_interval_seconds: 5,
        // The same bound per task as a question has in one process, not Ballista's 70% of the
        // machine: executors share machines with other work.
        memory_pool_size: Some(crowdlens_query::engine::QUERY_MEMORY_BYTES as u64 * options.concurrency.max(1) as u64),
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    let stopped = start_executor_process(Arc::new(config))
        .await
        .map_err(|e| ClusterError::Stopped { role: "executor", cause: e.to_string() });
    drop(scratch);
    stopped
}

/// Creates `dir` if needed and makes it owner-only, so that no other local user can list or
/// read the shuffle files inside, whatever mode Ballista gives them.
fn owner_only_dir(dir: &std::path::Path) -> Result<(), ClusterError> {
    let failed = |e: std::io::Error| ClusterError::Stopped {
        role: "executor",
        cause: format!("work directory {}: {e}", dir.display()),
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_work_directory_is_made_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("work");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        owner_only_dir(&dir).unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let fresh = root.path().join("a/b");
        owner_only_dir(&fresh).unwrap();
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[test]
    fn addresses() {
        assert_eq!(
            ClusterAddress::parse("df://127.0.0.1:50050").unwrap(),
            ClusterAddress { host: "127.0.0.1".into(), port: 50050 }
        );
        assert_eq!(
            ClusterAddress::parse("df://sched.internal:50050/").unwrap().to_string(),
            "df://sched.internal:50050"
        );
        for bad in ["127.0.0.1:50050", "df://:50050", "df://host", "df://host:0", "df://host:port"] {
            assert!(ClusterAddress::parse(bad).unwrap_err().to_string().contains("df://HOST:PORT"), "{bad}");
        }
    }

    #[test]
    fn errors_are_explained() {
        let engine = ClusterEngine::new(ClusterAddress::parse("df://10.0.0.1:50050").unwrap());
        let stock = engine.explain("Internal error: There is no UDAF named \"bounded_keys\" in the registry").unwrap();
        assert!(stock.contains("crowdlens cluster executor"), "{stock}");
        let stock = engine.explain("Internal error: There is no UDAF named \"dwell_visits\" in the registry").unwrap();
        assert!(stock.contains("does not know crowdlens' aggregates"), "{stock}");
        let down = engine.explain("tonic: transport error: connection refused").unwrap();
        assert!(down.contains("cannot reach the Ballista scheduler at df://10.0.0.1:50050"), "{down}");
        let rejected = engine
            .explain("Execution error: Job 1 failed: task could not be prepared or was rejected by executor")
            .unwrap();
        assert!(rejected.contains("stock Ballista executor") && rejected.contains("bounded_keys"), "{rejected}");
        assert!(engine.explain("a plain planning error").is_none());
    }
}
