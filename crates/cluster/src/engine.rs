//! The coordinator's side: a question's plan runs on the cluster, and whatever becomes of it,
//! its job's shuffle files are removed before the answer returns.

use crate::{ClusterAddress, Transport};
use ballista::prelude::SessionContextExt;
use ballista_core::execution_plans::DistributedQueryExec;
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::protobuf::{CancelJobParams, CleanJobDataParams};
use crowdlens_query::engine::{aggregates, Engine, AGGREGATE_NAMES};
use crowdlens_query::QueryError;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion_proto::protobuf::LogicalPlanNode;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Runs questions' plans on the cluster whose scheduler is at `address`.
#[derive(Debug, Clone)]
pub struct ClusterEngine {
    address: ClusterAddress,
    deadline: std::time::Duration,
    transport: Transport,
}

/// How long a question may run on a cluster unless told otherwise. Ballista can leave a job
/// waiting on a lost executor's tasks; a deadline makes that a settled failure, not a hang.
pub const DEFAULT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

impl ClusterEngine {
    pub fn new(address: ClusterAddress, transport: Transport) -> ClusterEngine {
        ClusterEngine { address, deadline: DEFAULT_DEADLINE, transport }
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
            let config = match self.transport.endpoint_hook() {
                Some(hook) => config.with_ballista_override_create_grpc_client_endpoint(hook),
                None => config,
            };
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

    fn collect(
        &self,
        frame: DataFrame,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<RecordBatch>, QueryError>> + Send + '_>> {
        Box::pin(async move {
            let task = Arc::new(frame.task_ctx());
            let plan = frame.create_physical_plan().await?;
            let run = datafusion::physical_plan::collect(Arc::clone(&plan), task);
            tokio::pin!(run);
            let outcome = match tokio::time::timeout(self.deadline, &mut run).await {
                Ok(batches) => Some(batches),
                Err(_) => {
                    // Past the deadline before the scheduler's reply named the job, the job
                    // still runs there: keep the call going until it names it, to cancel it.
                    let named = async {
                        while job_of(&plan).is_none() {
                            tokio::select! {
                                _ = &mut run => break,
                                () = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
                            }
                        }
                    };
                    let _ = tokio::time::timeout(END_JOB_WAIT, named).await;
                    None
                }
            };
            // The job's shuffle files (its last stage's output among them) stay on the
            // executors until the scheduler is told the job is over; whatever the outcome, it is
            // told now, before the answer or the error goes back to the asker.
            if let Some(job) = job_of(&plan) {
                let finished = matches!(outcome, Some(Ok(_)));
                self.end_job(job, finished).await;
            }
            match outcome {
                Some(batches) => Ok(batches?),
                None => Err(crowdlens_query::engine::past_deadline(&self.name(), self.deadline)),
            }
        })
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
        if lower.contains("may not call") || lower.contains("names a cluster role") {
            return Some(format!(
                "the cluster at {address} admitted this coordinator's certificate but not its role: only a \
                 coordinator's bundle may submit questions; give --engine-credentials the `coordinator` bundle from \
                 `crowdlens cluster credentials` ({error})"
            ));
        }
        let refused = lower.contains("connection refused");
        if matches!(self.transport, Transport::InsecureLoopback) && !refused && lower.contains("error") {
            if ["transport", "h2", "reset", "broken pipe", "protocol", "connection closed"].iter().any(|w| lower.contains(w)) {
                return Some(format!(
                    "the cluster at {address} did not take plain gRPC from this coordinator: if its nodes were started \
                     with --credentials, give this coordinator its bundle with --engine-credentials DIR ({error})"
                ));
            }
        }
        if !refused && (lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")) {
            return Some(format!(
                "the cluster at {address} refused this coordinator's credentials, or this coordinator refused the \
                 cluster's: every node and coordinator needs a bundle from the same `crowdlens cluster credentials` \
                 run ({error})"
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


impl ClusterEngine {
    /// Tells the scheduler that `job` is over: cancelled first when it did not finish, then its
    /// data cleaned, which executors act on at their next poll (every 50 ms when idle). A
    /// scheduler that cannot be reached is not waited on for long: executors then remove the
    /// files at their own age limit, or when they next start.
    async fn end_job(&self, job: String, finished: bool) {
        let scheduler = async {
            let channel = self.transport.endpoint(&format!("{}:{}", self.address.host, self.address.port)).ok()?;
            let channel = channel.connect().await.ok()?;
            Some(SchedulerGrpcClient::new(channel))
        };
        let ended = async {
            let Some(mut scheduler) = scheduler.await else { return };
            if !finished {
                let _ = scheduler.cancel_job(CancelJobParams { job_id: job.clone() }).await;
            }
            let _ = scheduler.clean_job_data(CleanJobDataParams { job_id: job.clone(), remove_stage_ids: vec![] }).await;
        };
        if tokio::time::timeout(END_JOB_WAIT, ended).await.is_err() {
            log::warn!("the scheduler at {} did not take the end of job {job} in time", self.address);
        }
    }
}

/// How long a coordinator waits on the scheduler to end a job after its question.
const END_JOB_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The Ballista job a plan ran as: its root (or a descendant) is the query Ballista's planner
/// sends whole to the scheduler.
fn job_of(plan: &Arc<dyn ExecutionPlan>) -> Option<String> {
    if let Some(query) = plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>() {
        return query.job_id().map(|job| job.into_inner());
    }
    plan.children().into_iter().find_map(job_of)
}
