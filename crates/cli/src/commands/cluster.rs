//! `cluster scheduler` and `cluster executor`: Ballista nodes that know crowdlens' functions,
//! with logs that never hold a question's plan.

use anyhow::Result;

use super::ClusterCommand;

pub(super) fn cluster(command: ClusterCommand) -> Result<()> {
    match command {
        ClusterCommand::Scheduler { bind, trust, log } => {
            let transport = node_transport(&trust, &[bind.ip()])?;
            node_log(log);
            let rt = node_runtime()?;
            eprintln!(
                "crowdlens cluster scheduler on {bind} ({}); coordinators ask with --engine df://{bind}",
                describe(&transport)
            );
            rt.block_on(crowdlens_cluster::run_scheduler(bind, transport))?;
            Ok(())
        }
        ClusterCommand::Executor { scheduler, bind, concurrency, work_dir, trust, log } => {
            let transport = node_transport(&trust, &[bind.ip(), scheduler.ip()])?;
            let work_dir = work_dir.unwrap_or_else(|| crowdlens_cluster::executor::default_work_dir(bind.port()));
            let work_dir = crowdlens_cluster::prepare_work_dir(&work_dir)?;
            node_log(log);
            let concurrency =
                concurrency.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let rt = node_runtime()?;
            let left = match work_dir.removed {
                0 => String::new(),
                n => format!("; removed {n} entries an earlier executor left there"),
            };
            eprintln!(
                "crowdlens cluster executor on {bind} ({}), {concurrency} tasks at once, scheduler {scheduler}, \
                 shuffle files in {}{left}",
                describe(&transport),
                work_dir.path.display()
            );
            rt.block_on(crowdlens_cluster::run_executor(crowdlens_cluster::ExecutorOptions {
                scheduler,
                bind,
                concurrency,
                work_dir,
                crowdlens_functions: true,
                transport,
            }))?;
            Ok(())
        }
        ClusterCommand::Credentials { out, nodes, store } => {
            let nodes = if nodes.is_empty() {
                ["scheduler", "executor-1", "executor-2"].map(String::from).to_vec()
            } else {
                nodes
            };
            // Check the store first, so that nothing is written for a store that is not one.
            let install = match &store {
                Some(store) => {
                    let opened = crowdlens_store::Store::open(store)?;
                    let at = super::ask::store_cluster_bundle(opened.root());
                    if at.exists() {
                        anyhow::bail!(
                            "{} already holds a coordinator bundle: remove it first to replace it",
                            at.display()
                        );
                    }
                    Some(at)
                }
                None => None,
            };
            let issued = crowdlens_cluster::credentials::issue(&out, &nodes)?;
            for (name, dir) in &issued.bundles {
                println!("{name}: {}", dir.display());
            }
            if let Some(at) = install {
                let (_, coordinator) = &issued.bundles[0];
                crowdlens_cluster::credentials::install(coordinator, &at)?;
                println!("the coordinator's bundle is installed in {}", at.display());
            }
            eprintln!(
                "give each node its own directory (--credentials DIR) and keep node.key owner-only; the authority's \
                 key was not kept"
            );
            Ok(())
        }
    }
}

fn node_transport(trust: &super::NodeTrust, addresses: &[std::net::IpAddr]) -> Result<crowdlens_cluster::Transport> {
    Ok(crowdlens_cluster::Transport::for_node(trust.credentials.as_deref(), trust.insecure_loopback, addresses)?)
}

fn describe(transport: &crowdlens_cluster::Transport) -> &'static str {
    match transport {
        crowdlens_cluster::Transport::MutualTls(_) => "mutual TLS",
        crowdlens_cluster::Transport::InsecureLoopback => "INSECURE: no credentials, loopback test cluster",
    }
}

/// A cluster node's runtime. Ballista's executor blocks some of its worker threads at startup;
/// with one worker per core on a 2-core machine its heartbeat sometimes never ran and the
/// scheduler dropped it, so nodes get at least eight workers.
fn node_runtime() -> Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(cores.max(8)).enable_all().build()?)
}

/// A cluster node's log on stderr, at info level at most, when asked for.
fn node_log(on: bool) {
    if on {
        use std::io::IsTerminal;
        let _ = tracing_subscriber::fmt()
            .with_writer(|| PlanFreeLog(std::io::stderr()))
            .with_ansi(std::io::stderr().is_terminal())
            .with_max_level(tracing::Level::INFO)
            .try_init();
    }
}

/// A log writer that drops every record holding a question's plan. Ballista's scheduler logs each
/// job's whole execution graph at info level, and a question's plan holds its per-question salt
/// (a literal argument of crowdlens' aggregates), which must never reach a log. The log formatter writes
/// each record in one call, so a record is dropped whole, whichever module wrote it.
struct PlanFreeLog<W: std::io::Write>(W);

/// What stands in a node's log for a record that held a plan.
const PLAN_WITHHELD: &[u8] = b"[a record holding a question's plan was not logged]\n";

impl<W: std::io::Write> std::io::Write for PlanFreeLog<W> {
    fn write(&mut self, record: &[u8]) -> std::io::Result<usize> {
        let holds_plan = crowdlens_query::engine::AGGREGATE_NAMES.iter().any(|name| {
            let mark = [name.as_bytes(), b"("].concat();
            record.windows(mark.len()).any(|w| w == mark)
        });
        if holds_plan {
            self.0.write_all(PLAN_WITHHELD)?;
        } else {
            self.0.write_all(record)?;
        }
        Ok(record.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_log_record_holding_a_plan_is_withheld_whole() {
        let mut log = PlanFreeLog(Vec::new());
        log.write_all(b"INFO Job [1] planning took 9ms\n").unwrap();
        let plan = b"INFO Submitting execution graph for job_id [1]:\n  AggregateExec: aggr=[bounded_keys(qcell, bidx, 4, 15376289504577966823) as keys]\n";
        log.write_all(plan).unwrap();
        let text = String::from_utf8(log.0).unwrap();
        assert!(text.starts_with("INFO Job [1] planning took 9ms\n"), "{text}");
        assert!(!text.contains("15376289504577966823") && !text.contains("Submitting"), "{text}");
        assert!(text.ends_with("was not logged]\n"), "{text}");
        let mut log = PlanFreeLog(Vec::new());
        log.write_all(b"INFO  AggregateExec: aggr=[zone_transitions(time_s, zone, NULL, 4, 99) as keys]\n").unwrap();
        assert!(!String::from_utf8(log.0).unwrap().contains("99"));
    }
}
