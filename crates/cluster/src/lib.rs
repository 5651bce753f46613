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
//! The trust boundary: every connection between nodes and coordinators is mutual TLS with the
//! cluster's own authority ([`credentials`]); a node without a bundle does not start, unless
//! it is a loopback-only test cluster started with an explicit flag. Shuffle files are
//! owner-only and removed when their job ends ([`executor`]).
//!
//! Ballista lives in this crate alone, so the other crates build without it.

pub mod credentials;
mod engine;
pub mod executor;
pub mod roles;
mod scheduler;

pub use credentials::{Credentials, Transport};
pub use engine::{ClusterEngine, DEFAULT_DEADLINE};
pub use executor::{prepare_work_dir, run_executor, ExecutorOptions, WorkDir};
pub use scheduler::run_scheduler;

/// Why a cluster could not start or be reached.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0:?} is not a cluster address: expected df://HOST:PORT, such as df://127.0.0.1:50050")]
    BadAddress(String),
    #[error("the {role} stopped: {cause}")]
    Stopped { role: &'static str, cause: String },
    #[error("cluster credentials: {0}")]
    Credentials(String),
    #[error("executor work directory: {0}")]
    WorkDir(String),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crowdlens_query::engine::Engine;

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
        let engine = ClusterEngine::new(ClusterAddress::parse("df://10.0.0.1:50050").unwrap(), Transport::InsecureLoopback);
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
        let plain = engine.explain("tonic: transport error: h2 protocol error: connection reset").unwrap();
        assert!(plain.contains("--engine-credentials"), "{plain}");
        let role = engine
            .explain("Status { code: PermissionDenied, message: \"the executor role's bundle may not call execute_query_push\" }")
            .unwrap();
        assert!(role.contains("only a coordinator's bundle may submit questions"), "{role}");
    }
}
