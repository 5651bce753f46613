//! `ask`: each question built from its arguments, asked (or priced, with `--dry-run`) on this
//! process or a cluster, and printed.

use anyhow::{Context, Result};
use crowdlens_query::questions::{CovisitQuestion, DwellQuestion, FlowsQuestion, ReachQuestion, SeriesQuestion};
use crowdlens_query::{respond, window::parse_instant, PresenceQuestion, Question, Reply};
use crowdlens_store::Store;
use crowdlens_types::parse_span;

use super::{asker, open_ledger, AskCommand, CommonArgs, PresenceArgs};
use crate::output::{print_answer, print_charge, print_json_line};

pub(super) fn ask(command: AskCommand) -> Result<()> {
    match command {
        AskCommand::Presence(a) => answer(&a.common, presence_question(&a)?),
        AskCommand::Flows(a) => {
            let q = FlowsQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                zones_res: a.zones_res,
                zones_file: a.zones.clone(),
                top_from: a.top_from.clone(),
            };
            answer(&a.common, q)
        }
        AskCommand::Dwell(a) => {
            let q = DwellQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                res: a.res,
                max_gap_s: parse_span(&a.max_gap).context("--max-gap")?,
            };
            answer(&a.common, q)
        }
        AskCommand::CoVisit(a) => {
            let q = CovisitQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                area_b: a.area_b.clone(),
                res: a.res,
            };
            answer(&a.common, q)
        }
        AskCommand::Series(a) => {
            let q = SeriesQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                res: a.res,
                bucket_s: parse_span(&a.bucket).context("--bucket")?,
                baseline_from_s: parse_instant(&a.baseline_from)?,
                baseline_to_s: parse_instant(&a.baseline_to)?,
            };
            answer(&a.common, q)
        }
        AskCommand::Reach(a) => {
            let q = ReachQuestion { common: a.common.common()?, area: a.area.clone(), zones_res: a.zones_res };
            answer(&a.common, q)
        }
    }
}

pub(super) fn presence_question(a: &PresenceArgs) -> Result<PresenceQuestion> {
    let c = a.common.common()?;
    Ok(PresenceQuestion {
        area: a.area.clone(),
        from_s: c.from_s,
        to_s: c.to_s,
        bucket_s: parse_span(&a.bucket).context("--bucket")?,
        res: a.res,
        epsilon: c.epsilon,
        mechanism: c.mechanism,
        max_partitions: c.max_partitions,
    })
}

/// The cluster a command's questions run on: its `--engine`, else the store's `[engine]`.
pub(super) fn engine_for(
    flag: Option<&str>,
    trust: &super::EngineTrust,
    deadline: std::time::Duration,
    store: &Store,
) -> Result<Option<std::sync::Arc<dyn crowdlens_query::engine::Engine>>> {
    let Some(address) = flag.map(str::to_string).or_else(|| store.config().engine.cluster.clone()) else {
        return Ok(None);
    };
    let address = crowdlens_cluster::ClusterAddress::parse(&address).map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
    let transport = coordinator_transport(&address, trust, store)?;
    // A coordinator is a network peer of the cluster from here on.
    crate::set_sigpipe(crate::SigPipe::Ignore);
    Ok(Some(std::sync::Arc::new(
        crowdlens_cluster::ClusterEngine::new(address, transport).with_deadline(deadline),
    )))
}

/// Where a coordinator keeps its cluster bundle unless told otherwise.
pub(super) fn store_cluster_bundle(store: &std::path::Path) -> std::path::PathBuf {
    store.join("cluster")
}

/// A coordinator speaks mutual TLS with its bundle (`--engine-credentials`, else the store's
/// own); plain gRPC only when told, and only to a loopback address.
fn coordinator_transport(
    address: &crowdlens_cluster::ClusterAddress,
    trust: &super::EngineTrust,
    store: &Store,
) -> Result<crowdlens_cluster::Transport> {
    use crowdlens_cluster::{Credentials, Transport};
    if trust.engine_insecure_loopback {
        // An address, not a name: a name can resolve beyond loopback, and the plan with its salt
        // would then cross the network in the clear.
        let loopback = address.host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if trust.engine_credentials.is_some() {
            anyhow::bail!("give either --engine-credentials or --engine-insecure-loopback, not both");
        }
        if !loopback {
            anyhow::bail!(
                "--engine-insecure-loopback is for a test cluster on loopback only, and {address} is not a loopback \
                 address (such as 127.0.0.1): give the coordinator its bundle with --engine-credentials DIR"
            );
        }
        return Ok(Transport::InsecureLoopback);
    }
    let dir = match &trust.engine_credentials {
        Some(dir) => dir.clone(),
        None => {
            let own = store_cluster_bundle(store.root());
            if !own.exists() {
                anyhow::bail!(
                    "no credentials for the cluster at {address}: give --engine-credentials DIR (the coordinator's \
                     bundle from `crowdlens cluster credentials`), or install it in the store with `crowdlens cluster \
                     credentials --store {}`; a test cluster on loopback started with --insecure-loopback takes \
                     --engine-insecure-loopback",
                    store.root().display()
                );
            }
            own
        }
    };
    Ok(Transport::MutualTls(std::sync::Arc::new(Credentials::load(&dir)?)))
}

/// Runs one question: a dry run prices it, otherwise it is asked, charged and printed.
pub(super) fn answer(c: &CommonArgs, q: impl Question) -> Result<()> {
    let store = Store::open(&c.store)?;
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    let deadline = parse_span(&c.engine_timeout).map_err(|e| anyhow::anyhow!("--engine-timeout: {e}"))?;
    let engine = engine_for(c.engine.as_deref(), &c.engine_trust, std::time::Duration::from_secs(deadline as u64), &store)?;
    let asker = asker(&c.case, &c.purpose);
    let asking = respond(&q, &store, &mut ledger, &asker, c.dry_run);
    let reply = match engine {
        Some(engine) => rt.block_on(crowdlens_query::engine::with_engine(engine, asking))?,
        None => rt.block_on(asking)?,
    };
    match (&reply, c.json) {
        (_, true) => print_json_line(&reply)?,
        (Reply::Price(charge), false) => print_charge(charge),
        (Reply::Answer(a), false) => print_answer(a),
    }
    Ok(())
}
