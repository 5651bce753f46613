//! What each holder of a bundle may ask of a node. TLS proves a peer has a bundle from the
//! cluster's authority; the role its certificate names decides what it may call. Without
//! roles, one stolen executor bundle (or a taken-over scheduler machine) could submit a plan
//! that reads the segments exactly: only the coordinator submits plans.
//!
//! | who | scheduler | an executor's Flight service |
//! |---|---|---|
//! | coordinator | submit, cancel and clean jobs, their status | fetch results |
//! | executor | poll for tasks, report them, register, heartbeat, job status | fetch shuffle partitions |
//! | scheduler | nothing | nothing |

use ballista_core::serde::protobuf::scheduler_grpc_server::SchedulerGrpc;
use ballista_core::serde::protobuf::*;
use rustls_pki_types::{DnsName, ServerName};
use tonic::{Request, Response, Status};

/// A bundle's role, named in its certificate as `ROLE.crowdlens-cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Coordinator,
    Scheduler,
    Executor,
}

impl Role {
    const ALL: [Role; 3] = [Role::Coordinator, Role::Scheduler, Role::Executor];

    /// The name a certificate of this role carries beside [`crate::credentials::SERVER_NAME`].
    pub fn dns_name(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator.crowdlens-cluster",
            Role::Scheduler => "scheduler.crowdlens-cluster",
            Role::Executor => "executor.crowdlens-cluster",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Scheduler => "scheduler",
            Role::Executor => "executor",
        }
    }

    /// The role `crowdlens cluster credentials` gives a bundle by its name.
    pub fn of_bundle(name: &str) -> Role {
        if name == crate::credentials::COORDINATOR {
            Role::Coordinator
        } else if name.starts_with("scheduler") {
            Role::Scheduler
        } else {
            Role::Executor
        }
    }
}

/// The role of the peer that sent `request`, from its certificate; `None` when it has none or
/// the certificate names no role.
fn peer_role<T>(request: &Request<T>) -> Option<Role> {
    let certs = request.peer_certs()?;
    let leaf = webpki::EndEntityCert::try_from(certs.first()?).ok()?;
    Role::ALL.into_iter().find(|role| {
        let name = DnsName::try_from(role.dns_name()).expect("role names are DNS names");
        leaf.verify_is_valid_for_subject_name(&ServerName::DnsName(name)).is_ok()
    })
}

/// Who may call what, on one node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Off only on a loopback test cluster, where no peer has a certificate.
    pub(crate) enforce: bool,
}

impl Policy {
    pub(crate) fn admit<T>(&self, request: &Request<T>, allowed: &[Role], call: &str) -> Result<(), Status> {
        if !self.enforce {
            return Ok(());
        }
        match peer_role(request) {
            Some(role) if allowed.contains(&role) => Ok(()),
            Some(role) => Err(Status::permission_denied(format!("the {} role's bundle may not call {call}", role.name()))),
            None => Err(Status::permission_denied(format!("{call} needs a certificate that names a cluster role"))),
        }
    }
}

const COORDINATOR: &[Role] = &[Role::Coordinator];
const EXECUTOR: &[Role] = &[Role::Executor];
const EITHER: &[Role] = &[Role::Coordinator, Role::Executor];

/// The Flight service's check: results and shuffle partitions go to coordinators and executors.
pub(crate) fn flight_interceptor(policy: Policy) -> impl tonic::service::Interceptor + Clone {
    move |request: Request<()>| {
        policy.admit(&request, EITHER, "an executor's Flight service")?;
        Ok(request)
    }
}

/// Ballista's scheduler service, each call admitted by the caller's role first.
pub(crate) struct GuardedScheduler<S> {
    pub(crate) inner: S,
    pub(crate) policy: Policy,
}

/// The impl is written by a macro whole, attribute and all, so that `async_trait` sees the
/// methods the macro writes.
macro_rules! guarded {
    ($($method:ident($params:ty) -> $result:ty: $allowed:expr;)*) => {
        #[tonic::async_trait]
        impl<S: SchedulerGrpc> SchedulerGrpc for GuardedScheduler<S> {
            type ExecuteQueryPushStream = S::ExecuteQueryPushStream;
            $(
                async fn $method(&self, request: Request<$params>) -> Result<Response<$result>, Status> {
                    self.policy.admit(&request, $allowed, stringify!($method))?;
                    self.inner.$method(request).await
                }
            )*
        }
    };
}

guarded! {
    poll_work(PollWorkParams) -> PollWorkResult: EXECUTOR;
    register_executor(RegisterExecutorParams) -> RegisterExecutorResult: EXECUTOR;
    heart_beat_from_executor(HeartBeatParams) -> HeartBeatResult: EXECUTOR;
    update_task_status(UpdateTaskStatusParams) -> UpdateTaskStatusResult: EXECUTOR;
    executor_stopped(ExecutorStoppedParams) -> ExecutorStoppedResult: EXECUTOR;
    create_update_session(CreateUpdateSessionParams) -> CreateUpdateSessionResult: COORDINATOR;
    remove_session(RemoveSessionParams) -> RemoveSessionResult: COORDINATOR;
    execute_query_push(ExecuteQueryParams) -> Self::ExecuteQueryPushStream: COORDINATOR;
    execute_query(ExecuteQueryParams) -> ExecuteQueryResult: COORDINATOR;
    get_job_status(GetJobStatusParams) -> GetJobStatusResult: EITHER;
    get_job_metrics(GetJobMetricsParams) -> GetJobMetricsResult: COORDINATOR;
    cancel_job(CancelJobParams) -> CancelJobResult: COORDINATOR;
    clean_job_data(CleanJobDataParams) -> CleanJobDataResult: COORDINATOR;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_get_their_roles_by_name() {
        assert_eq!(Role::of_bundle("coordinator"), Role::Coordinator);
        assert_eq!(Role::of_bundle("scheduler"), Role::Scheduler);
        assert_eq!(Role::of_bundle("scheduler-b"), Role::Scheduler);
        assert_eq!(Role::of_bundle("exec-a"), Role::Executor);
    }

    #[test]
    fn a_request_without_a_certificate_is_refused_where_roles_are_enforced() {
        let request = Request::new(());
        let refused = Policy { enforce: true }.admit(&request, EITHER, "x").unwrap_err();
        assert_eq!(refused.code(), tonic::Code::PermissionDenied);
        assert!(Policy { enforce: false }.admit(&request, EITHER, "x").is_ok());
    }
}
