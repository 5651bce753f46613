//! The executor: Ballista's, polling its scheduler for tasks, with its one port (Flight, where
//! shuffle partitions are fetched) behind mutual TLS, and its shuffle files owner-only and
//! short-lived.
//!
//! Shuffle files hold exact partial aggregates and, for flows and dwell, each pseudonym's
//! (time, zone) pings. They live in a work directory only this user can open. They are removed
//! when their job ends (the coordinator tells the scheduler, which tells the executors at their
//! next poll), at the age limit if nobody does, when the executor stops, and whatever an
//! executor that crashed left behind is removed when one next starts on the directory.

use crate::{ClusterError, Transport};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::error::BallistaError;
use ballista_core::extension::SessionConfigExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_executor::flight_service::BallistaFlightService;
use ballista_executor::ArrowFlightServerProvider;
use crowdlens_query::engine::aggregates;
use datafusion::prelude::SessionConfig;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file that marks a directory as an executor's work directory, whose contents it may
/// remove at start.
pub const WORK_DIR_MARK: &str = ".crowdlens-executor";

/// A job directory nobody has written to for this long is removed even if its end was never
/// announced (a scheduler or coordinator that died mid-question). Longer than any question's
/// default deadline (10 minutes), so no running job loses its files.
pub const ORPHANED_JOB_S: u64 = 3600;

/// An executor's settings.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    pub scheduler: SocketAddr,
    /// Where it serves shuffle partitions (Flight).
    pub bind: SocketAddr,
    /// Tasks it runs at once; its cores by default.
    pub concurrency: usize,
    /// Where it keeps shuffle files: prepared (and locked) by [`prepare_work_dir`].
    pub work_dir: WorkDir,
    /// Register crowdlens' functions. Off only to stand for a stock Ballista executor in tests.
    pub crowdlens_functions: bool,
    pub transport: Transport,
}

/// A work directory that is owner-only and holds nothing but its mark.
#[derive(Debug, Clone)]
pub struct WorkDir {
    pub path: PathBuf,
    /// Entries an earlier executor left behind, removed.
    pub removed: usize,
    /// The mark, locked while this executor lives: a second executor on the same directory
    /// would empty the first one's live files.
    _lock: Arc<std::fs::File>,
}

/// The work directory an executor on `port` uses unless told otherwise: the same on every
/// start, so that a restart finds what a crash left.
pub fn default_work_dir(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("crowdlens-executor-{}-{port}", current_uid()))
}

/// Makes `dir` an owner-only work directory holding only its mark, removing whatever an
/// earlier executor left. A directory that holds other files, or that another user owns, is
/// refused rather than emptied.
pub fn prepare_work_dir(dir: &Path) -> Result<WorkDir, ClusterError> {
    let failed = |e: std::io::Error| ClusterError::WorkDir(format!("{}: {e}", dir.display()));
    match std::fs::symlink_metadata(dir) {
        Ok(meta) => {
            if !meta.is_dir() {
                return Err(ClusterError::WorkDir(format!(
                    "{} is not a directory (a symbolic link is not followed): give --work-dir a directory of its own",
                    dir.display()
                )));
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                if meta.uid() != current_uid() {
                    return Err(ClusterError::WorkDir(format!(
                        "{} belongs to another user (uid {}): an executor's shuffle files must be in a directory it owns",
                        dir.display(),
                        meta.uid()
                    )));
                }
            }
            let marked = dir.join(WORK_DIR_MARK).exists();
            let holds_files = std::fs::read_dir(dir).map_err(failed)?.next().is_some();
            if holds_files && !marked {
                return Err(ClusterError::WorkDir(format!(
                    "{} holds files and is not an executor's work directory (no {WORK_DIR_MARK}): an executor \
                     removes what its directory holds when it starts, so give it an empty or a new one",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir).map_err(failed)?,
        Err(e) => return Err(failed(e)),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    let lock = lock_mark(dir)?;
    let removed = empty_work_dir(dir).map_err(failed)?;
    Ok(WorkDir { path: dir.to_path_buf(), removed, _lock: Arc::new(lock) })
}

/// Opens (not following a symbolic link) and locks the directory's mark.
fn lock_mark(dir: &Path) -> Result<std::fs::File, ClusterError> {
    use std::io::Write;
    let path = dir.join(WORK_DIR_MARK);
    let failed = |e: std::io::Error| ClusterError::WorkDir(format!("{}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    let mut mark = options.open(&path).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor this function owns; no memory is shared.
        if unsafe { libc::flock(mark.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(ClusterError::WorkDir(format!(
                "another executor is using {}: give each executor a work directory of its own",
                dir.display()
            )));
        }
    }
    mark.set_len(0).map_err(failed)?;
    mark.write_all(b"crowdlens executor work directory: emptied at every start\n").map_err(failed)?;
    Ok(mark)
}

/// Removes everything in a work directory but its mark; the number of entries removed.
fn empty_work_dir(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == WORK_DIR_MARK {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
        removed += 1;
    }
    Ok(removed)
}

pub(crate) fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Largest gRPC message the Flight service sends or takes (Ballista's default).
const FLIGHT_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Runs an executor until the process is stopped; its work directory is emptied when it stops.
/// It sets the process's file-creation mask to 077: Ballista creates shuffle files with the
/// default modes, and an executor's process writes nothing another user should read.
pub async fn run_executor(options: ExecutorOptions) -> Result<(), ClusterError> {
    // SAFETY: umask only sets this process's file-creation mask; no memory is involved.
    unsafe { libc::umask(0o077) };
    let mut registry = BallistaFunctionRegistry::default();
    if options.crowdlens_functions {
        for udaf in aggregates() {
            registry.aggregate_functions.insert(udaf.name().to_string(), Arc::new(udaf));
        }
    }
    let hook = options.transport.endpoint_hook();
    let task_hook = hook.clone();
    // Every task's session carries the hook, so shuffle reads from other executors use TLS too.
    let config_producer = Arc::new(move || {
        let config = SessionConfig::new_with_ballista();
        match &task_hook {
            Some(hook) => config.with_ballista_override_create_grpc_client_endpoint(Arc::clone(hook)),
            None => config,
        }
    });
    let work_dir = options.work_dir.path.to_string_lossy().into_owned();
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        external_host: Some(options.bind.ip().to_string()),
        port: options.bind.port(),
        // Unused: an executor that polls serves no control port.
        grpc_port: options.bind.port().wrapping_add(1),
        scheduler_host: options.scheduler.ip().to_string(),
        scheduler_port: options.scheduler.port(),
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        // Started beside its scheduler, an executor waits for it rather than failing at once.
        scheduler_connect_timeout_seconds: 30,
        vcores: options.concurrency.max(1),
        work_dir: Some(work_dir),
        job_data_clean_up_interval_seconds: 60,
        job_data_ttl_seconds: ORPHANED_JOB_S,
        executor_heartbeat_interval_seconds: 5,
        // The same bound per task as a question has in one process, not Ballista's 70% of the
        // machine: executors share machines with other work.
        memory_pool_size: Some(crowdlens_query::engine::QUERY_MEMORY_BYTES as u64 * options.concurrency.max(1) as u64),
        override_function_registry: Some(Arc::new(registry)),
        override_config_producer: Some(config_producer),
        override_create_grpc_client_endpoint: hook,
        override_arrow_flight_service: Some(flight_server(options.transport.clone())),
        ..ExecutorProcessConfig::default()
    };
    let sweeper = tokio::spawn(sweep_ended_jobs(
        options.work_dir.path.clone(),
        options.transport.clone(),
        options.scheduler,
    ));
    let stopped = start_executor_process(Arc::new(config))
        .await
        .map_err(|e| ClusterError::Stopped { role: "executor", cause: e.to_string() });
    sweeper.abort();
    let emptied = empty_work_dir(&options.work_dir.path).map_err(|e| ClusterError::WorkDir(format!(
        "{}: {e}",
        options.work_dir.path.display()
    )));
    stopped.and(emptied.map(|_| ()))
}

/// How often an executor asks after the jobs it holds files of.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Removes the files of every job the scheduler reports failed (or cancelled) or does not know.
/// The scheduler's clean-up reaches an executor once; a task of a cancelled job that was still
/// running then writes its output after it, and in pull scheduling nothing stops that task.
/// A finished job's files stay until its coordinator has the results (or the scheduler's
/// backstop), since its last stage's output is what the coordinator fetches.
async fn sweep_ended_jobs(work_dir: PathBuf, transport: Transport, scheduler: SocketAddr) {
    use ballista_core::serde::protobuf::job_status::Status;
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
    use ballista_core::serde::protobuf::GetJobStatusParams;
    let mut client = None;
    loop {
        tokio::time::sleep(SWEEP_INTERVAL).await;
        let jobs: Vec<(String, PathBuf)> = match std::fs::read_dir(&work_dir) {
            Ok(entries) => entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .filter(|(name, _)| !name.starts_with("datafusion-"))
                .collect(),
            Err(_) => continue,
        };
        if jobs.is_empty() {
            continue;
        }
        if client.is_none() {
            let Ok(endpoint) = transport.endpoint(&scheduler.to_string()) else { continue };
            let Ok(channel) = endpoint.connect().await else { continue };
            client = Some(SchedulerGrpcClient::new(channel));
        }
        let Some(scheduler) = client.as_mut() else { continue };
        for (job, path) in jobs {
            match scheduler.get_job_status(GetJobStatusParams { job_id: job.clone() }).await {
                Ok(reply) => {
                    let status = reply.into_inner().status.and_then(|s| s.status);
                    if matches!(status, None | Some(Status::Failed(_))) {
                        if let Err(e) = std::fs::remove_dir_all(&path) {
                            log::warn!("cannot remove the files of ended job {job}: {e}");
                        }
                    }
                }
                Err(_) => {
                    // Reconnect at the next sweep; the files wait for it (or their age limit).
                    client = None;
                    break;
                }
            }
        }
    }
}

/// The executor's Flight service (shuffle partitions and final results), served with the
/// transport's TLS.
fn flight_server(transport: Transport) -> Arc<ArrowFlightServerProvider> {
    Arc::new(move |work_dir: String, address: SocketAddr, mut shutdown, grpc: ballista_core::utils::GrpcServerConfig| {
        let tls = transport.server_tls();
        let policy = transport.policy();
        tokio::spawn(async move {
            let mut server = ballista_core::utils::create_grpc_server(&grpc);
            if let Some(tls) = tls {
                server = server.tls_config(tls).map_err(BallistaError::TonicError)?;
            }
            let service = arrow_flight::flight_service_server::FlightServiceServer::new(BallistaFlightService::new(work_dir))
                .max_decoding_message_size(FLIGHT_MESSAGE_BYTES)
                .max_encoding_message_size(FLIGHT_MESSAGE_BYTES);
            let service = tonic::service::interceptor::InterceptedService::new(
                service,
                crate::roles::flight_interceptor(policy),
            );
            server
                .add_service(service)
                .serve_with_shutdown(address, async move { shutdown.recv().await })
                .await
                .map_err(BallistaError::TonicError)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_work_directory_is_owner_only_and_emptied_of_what_an_executor_left() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/b");
        let prepared = prepare_work_dir(&fresh).unwrap();
        assert_eq!(prepared.removed, 0);
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);

        // What a killed executor leaves: a job's stage directories and a spill file.
        std::fs::create_dir_all(fresh.join("job1/1/0")).unwrap();
        std::fs::write(fresh.join("job1/1/0/data.arrow"), b"pings").unwrap();
        std::fs::write(fresh.join("spill.tmp"), b"x").unwrap();
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o755)).unwrap();
        drop(prepared);
        let again = prepare_work_dir(&fresh).unwrap();
        assert_eq!(again.removed, 2);
        let twice = prepare_work_dir(&fresh).unwrap_err().to_string();
        assert!(twice.contains("another executor is using"), "{twice}");
        let left: Vec<_> = std::fs::read_dir(&fresh).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [WORK_DIR_MARK]);
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[test]
    fn a_directory_that_is_not_an_executors_is_refused_not_emptied() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.tex"), b"mine").unwrap();
        let refused = prepare_work_dir(root.path()).unwrap_err().to_string();
        assert!(refused.contains("not an executor's work directory"), "{refused}");
        assert!(root.path().join("thesis.tex").exists());
        let file = root.path().join("thesis.tex");
        assert!(prepare_work_dir(&file).unwrap_err().to_string().contains("not a directory"));
        #[cfg(unix)]
        {
            let link = root.path().join("link");
            std::os::unix::fs::symlink(tempfile::tempdir().unwrap().path(), &link).unwrap();
            assert!(prepare_work_dir(&link).unwrap_err().to_string().contains("symbolic link"));
        }
    }
}
