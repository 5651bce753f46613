//! The scheduler: Ballista's, served by crowdlens behind mutual TLS.
//!
//! Ballista's own `start_server` serves plain gRPC (with a REST API and a Flight proxy beside
//! it); here the scheduler's gRPC service alone is served, by a tonic server that demands a
//! client certificate before any request is read.

use crate::{ClusterError, Transport};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::serde::protobuf::scheduler_grpc_server::SchedulerGrpcServer;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_server::SessionBuilder;
use crowdlens_query::engine::aggregates;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use std::net::SocketAddr;
use std::sync::Arc;

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
/// A finished job's last-stage output is removed when its coordinator says it has the
/// results; this is the backstop for a coordinator that died first (Ballista's default is 300 s).
pub const FINISHED_JOB_DATA_S: u64 = 60;

/// Runs a scheduler on `bind` until the process is stopped.
pub async fn run_scheduler(bind: SocketAddr, transport: Transport) -> Result<(), ClusterError> {
    let stopped = |e: &dyn std::fmt::Display| ClusterError::Stopped { role: "scheduler", cause: e.to_string() };
    // Executors poll for tasks: then no executor serves a control port a plan could be pushed
    // to, and the scheduler hands out clean-ups in its poll replies.
    let mut config = SchedulerConfig::default()
        .with_hostname(bind.ip().to_string())
        .with_port(bind.port())
        .with_scheduler_policy(TaskSchedulingPolicy::PullStaged)
        .with_override_session_builder(session_builder());
    if let Some(hook) = transport.endpoint_hook() {
        config = config.with_override_create_grpc_client_endpoint(hook);
    }
    config.executor_timeout_seconds = EXECUTOR_TIMEOUT_S;
    config.expire_dead_executor_interval_seconds = 5;
    config.no_executors_grace_period_seconds = NO_EXECUTORS_GRACE_S;
    config.finished_job_data_clean_up_interval_seconds = FINISHED_JOB_DATA_S;
    config.validate().map_err(|e| stopped(&e))?;
    let cluster = BallistaCluster::new_from_config(&config).await.map_err(|e| stopped(&e))?;
    let (max_decoding, max_encoding) =
        (config.grpc_server_max_decoding_message_size as usize, config.grpc_server_max_encoding_message_size as usize);
    let scheduler =
        ballista_scheduler::scheduler_process::create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(
            cluster,
            Arc::new(config),
        )
        .await
        .map_err(|e| stopped(&e))?;
    let guarded = crate::roles::GuardedScheduler { inner: scheduler, policy: transport.policy() };
    let service = SchedulerGrpcServer::new(guarded)
        .max_decoding_message_size(max_decoding)
        .max_encoding_message_size(max_encoding);
    let mut server = tonic::transport::Server::builder();
    if let Some(tls) = transport.server_tls() {
        server = server.tls_config(tls).map_err(|e| stopped(&e))?;
    }
    server.add_service(service).serve(bind).await.map_err(|e| stopped(&e))
}
