//! `ask`: each question built from its arguments, asked (or priced, with `--dry-run`) on this
//! process or a cluster, and printed.

use anyhow::Result;
use clap::{ArgMatches, Args, FromArgMatches, Subcommand};
use crowdlens_query::questions::{descriptor_of, descriptors, Descriptor, Surface};
use crowdlens_query::{respond_to, QueryError, Reply};
use crowdlens_store::Store;
use crowdlens_types::parse_span;
use serde_json::{Map, Value};

use super::{asker, open_ledger, AskingArgs};
use crate::output::{print_answer, print_charge, print_json_line};

/// `ask QUESTION …`: one subcommand per question, its flags built from the question's
/// descriptor, so that a new question's module is all the CLI needs.
pub(crate) struct AskCommand {
    kind: &'static str,
    /// The question's parameters as given, by their API names.
    fields: Map<String, Value>,
    asking: AskingArgs,
}

fn subcommand_of(d: &Descriptor) -> clap::Command {
    let mut command = clap::Command::new(d.kind);
    for p in d.params_for(Surface::Cli) {
        let help = match p.default {
            Some(default) => format!("{} [default: {default}]", p.help),
            None => p.help.to_string(),
        };
        let arg = clap::Arg::new(p.name)
            .long(p.flag().trim_start_matches("--").to_string())
            .value_name(p.kind.value_name())
            .help(help)
            .required(p.required)
            .num_args(1);
        command = command.arg(arg);
    }
    // After the asking flags, whose own doc would otherwise become the subcommand's about.
    AskingArgs::augment_args(command).about(d.summary).long_about(format!("{}\n\n{}", d.summary, d.about))
}

impl FromArgMatches for AskCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let missing = || clap::Error::raw(clap::error::ErrorKind::MissingSubcommand, "ask which question?\n");
        let (name, sub) = matches.subcommand().ok_or_else(missing)?;
        let d = descriptor_of(name).ok_or_else(missing)?;
        let mut fields = Map::new();
        for p in d.params_for(Surface::Cli) {
            if let Some(text) = sub.get_one::<String>(p.name) {
                let value = p.kind.from_text(p.name, text).map_err(|e| {
                    clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{}: {}\n", p.flag(), problem_of(&e)))
                })?;
                fields.insert(p.name.into(), value);
            }
        }
        Ok(AskCommand { kind: d.kind, fields, asking: AskingArgs::from_arg_matches(sub)? })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = AskCommand::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for AskCommand {
    fn augment_subcommands(command: clap::Command) -> clap::Command {
        descriptors().iter().fold(command, |command, d| command.subcommand(subcommand_of(d))).subcommand_required(true)
    }

    fn augment_subcommands_for_update(command: clap::Command) -> clap::Command {
        AskCommand::augment_subcommands(command)
    }

    fn has_subcommand(name: &str) -> bool {
        descriptor_of(name).is_some()
    }
}

fn problem_of(e: &QueryError) -> String {
    match e {
        QueryError::BadParameter { problem, .. } => problem.clone(),
        other => other.to_string(),
    }
}

pub(super) fn ask(command: AskCommand) -> Result<()> {
    let AskCommand { kind, fields, asking } = command;
    let store = Store::open(&asking.store)?;
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    let deadline = parse_span(&asking.engine_timeout).map_err(|e| anyhow::anyhow!("--engine-timeout: {e}"))?;
    let deadline = std::time::Duration::from_secs(deadline as u64);
    let engine = engine_for(asking.engine.as_deref(), &asking.engine_trust, deadline, &store)?;
    let asker = asker(&asking.case, &asking.purpose);
    let asking_it = respond_to(kind, &fields, Surface::Cli, &store, &mut ledger, &asker, asking.dry_run);
    let reply = match engine {
        Some(engine) => rt.block_on(crowdlens_query::engine::with_engine(engine, asking_it)),
        None => rt.block_on(asking_it),
    };
    let reply = reply.map_err(|e| match e {
        // The CLI names a parameter by its flag.
        QueryError::BadParameter { name, problem } => match descriptor_of(kind).and_then(|d| d.param(&name).copied()) {
            Some(p) => anyhow::anyhow!("{}: {problem}", p.flag()),
            None => anyhow::anyhow!("{name}: {problem}"),
        },
        other => other.into(),
    })?;
    match (&reply, asking.json) {
        (_, true) => print_json_line(&reply)?,
        (Reply::Price(charge), false) => print_charge(charge),
        (Reply::Answer(a), false) => print_answer(a),
        (Reply::Reused(kept), false) => crate::output::print_reused(kept),
    }
    Ok(())
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
