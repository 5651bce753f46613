//! The command line: every command's arguments (clap) here, and each command's work in a
//! module of its own. Commands parse and print; every decision is made in the library crates.
//!
//! - [`ingest`]: `ingest pings`, `ingest openrtb`, `synth`
//! - [`ask`]: the six questions
//! - [`budget`]: `budget`, `budget set`, `retention apply`
//! - [`store_info`]: `store info`
//! - [`report`]: `risk`, `report transparency`
//! - [`admin`]: `token`, `answers`, `audit`
//! - [`serve`], [`cluster`], [`consent`], [`demo`]

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use crowdlens_control::Ledger;
use crowdlens_query::Asker;
use crowdlens_store::{Config, Store};
use std::path::{Path, PathBuf};

mod admin;
mod ask;
mod budget;
mod cluster;
mod consent;
mod demo;
mod evidence;
mod ingest;
mod report;
mod serve;
mod store_info;

#[derive(Parser)]
#[command(
    name = "crowdlens",
    version,
    about = "Differentially private answers about places, times and flows in location data. It sees crowds, never people."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole job end to end on a synthetic city: synth, init, ingest, three questions.
    Demo {
        /// Directory to create (a previous demo directory there is replaced).
        #[arg(long, default_value = "crowdlens-demo")]
        dir: PathBuf,
    },
    /// Generate a synthetic city: a broker ping feed and its sensitive places.
    Synth(SynthArgs),
    /// Create a store with documented default settings.
    Init {
        #[arg(long)]
        store: PathBuf,
    },
    /// Load source files into a store.
    #[command(subcommand)]
    Ingest(IngestCommand),
    /// Ask a differentially private question.
    #[command(subcommand)]
    Ask(ask::AskCommand),
    /// Decode consent strings and explain the verdict ingest would give.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Show privacy budget spent and remaining per epoch, and the budget rules; `budget set`
    /// changes a rule (audited).
    #[command(args_conflicts_with_subcommands = true)]
    Budget {
        #[command(subcommand)]
        action: Option<BudgetCommand>,
        #[arg(long)]
        store: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Delete expired epochs and destroy their keys (crypto-shredding).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Reports for oversight, as self-contained HTML and JSON.
    #[command(subcommand)]
    Report(ReportCommand),
    /// How identifying is a raw ping feed? The unicity test of de Montjoye et al. (2013) at
    /// four scales; reads the feed as ingest would and writes nothing raw.
    Risk(RiskArgs),
    /// Inspect a store (partitions, row counts, epochs, budget). Prints no row-level data.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Verify or export the hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List and re-open released answers; re-opening charges nothing.
    #[command(subcommand)]
    Answers(AnswersCommand),
    /// The store's signing key, which signs every answer's receipt and the transparency report.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Check a signed receipt (and the answer it names) or a signed transparency report
    /// offline, with the store's public key only: no store is opened.
    Verify {
        /// A receipt (`answers receipt`, or an answer whose `receipt` it holds) or a signed report.
        receipt: PathBuf,
        /// The answer the receipt is for (JSON as `ask --json`, `answers show` or the API give it).
        answer: Option<PathBuf>,
        /// The store's public key, from `crowdlens key export-public` (PEM) or as 64 hex digits.
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
    },
    /// Approve or decline a question waiting for a second person's approval (it charged more
    /// than the rule approval_above_epsilon), or list those waiting.
    Approve {
        #[arg(long)]
        store: PathBuf,
        /// The request's number (the asker was told it).
        #[arg(required_unless_present = "pending")]
        id: Option<i64>,
        /// The role this command acts in; it must be stated, and only a supervisor decides.
        #[arg(long, required_unless_present = "pending")]
        role: Option<String>,
        /// Why: recorded in the decision's audit entry.
        #[arg(long, required_unless_present = "pending")]
        reason: Option<String>,
        /// Decline instead of approving.
        #[arg(long)]
        decline: bool,
        /// List the requests waiting instead.
        #[arg(long, conflicts_with_all = ["id", "decline"])]
        pending: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run a Ballista cluster node that knows crowdlens' functions: a scheduler, or an executor.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Serve the HTTP API (every request needs a bearer token).
    Serve(ServeArgs),
}

// `risk`'s options (the command's doc is its variant's).
#[derive(Args)]
pub(crate) struct RiskArgs {
    /// A ping feed: CSV, CSV.gz or Parquet.
    pub(super) source: PathBuf,
    /// Column mapping FIELD=COLUMN, as for `ingest pings`: an id column that is not under an
    /// advertising-id name is the device only with --map device_id=COLUMN.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub(super) map: Vec<String>,
    /// Numbers of points drawn from each device's trace.
    #[arg(long, default_value = "1,2,3,4,5")]
    pub(super) points: String,
    /// Devices sampled for the test (every device is still searched for a match).
    #[arg(long, default_value_t = 10_000)]
    pub(super) devices: usize,
    /// Seed of the device and point sampling.
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
    /// Where to write the HTML page.
    #[arg(long, default_value = "crowdlens-risk.html")]
    pub(super) out: PathBuf,
    /// Also print the report as JSON on stdout.
    #[arg(long)]
    pub(super) json: bool,
}

// `serve`'s options.
#[derive(Args)]
pub(crate) struct ServeArgs {
    #[arg(long)]
    pub(super) store: PathBuf,
    /// Run questions on a Ballista cluster (df://HOST:PORT of its scheduler); default: the
    /// store's [engine] cluster, else this process.
    #[arg(long, value_name = "df://HOST:PORT")]
    pub(super) engine: Option<String>,
    #[command(flatten)]
    pub(super) engine_trust: EngineTrust,
    /// Address to listen on; loopback by default.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub(super) listen: String,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 65_536)]
    pub(super) max_body: usize,
    /// Requests per token per minute.
    #[arg(long, default_value_t = 120)]
    pub(super) rate_limit: u32,
    /// Longest a question may run.
    #[arg(long, default_value = "120s")]
    pub(super) question_timeout: String,
    /// Longest a question submitted as a job (POST /v1/jobs) may run.
    #[arg(long, default_value = "1h")]
    pub(super) job_timeout: String,
    /// A base map to draw under the answers: an MBTiles file or a PMTiles archive of vector
    /// (pbf) or raster tiles.
    /// Without it the map shows the vendored country, state and county outlines.
    #[arg(long, value_name = "FILE")]
    pub(super) basemap: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain (the server's certificate first). Needed
    /// whenever --listen is not loopback: bearer tokens would otherwise cross the network in the
    /// clear. Not needed behind a TLS-terminating proxy on the same host.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(super) tls_cert: Option<PathBuf>,
    /// The certificate's PEM private key (PKCS#8, RSA or EC), with --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(super) tls_key: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ClusterCommand {
    /// The scheduler: plans questions' stages and hands their tasks to executors.
    Scheduler {
        /// Address to listen on for executors and coordinators.
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: std::net::SocketAddr,
        #[command(flatten)]
        trust: NodeTrust,
        /// Print the node's log (info level) to stderr. Records that hold a question's plan
        /// (and so its salt) are withheld.
        #[arg(long)]
        log: bool,
    },
    /// An executor: runs tasks, reading the store's segments from the path they have on the
    /// coordinator (a shared filesystem). It polls the scheduler for tasks and serves shuffle
    /// partitions on --bind.
    Executor {
        /// The scheduler's address.
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: std::net::SocketAddr,
        /// Address to serve shuffle partitions and results on.
        #[arg(long, default_value = "127.0.0.1:50051")]
        bind: std::net::SocketAddr,
        /// Tasks run at once; default: this machine's cores.
        #[arg(long)]
        concurrency: Option<usize>,
        /// Where shuffle files go (owner-only; emptied at every start and stop); default:
        /// crowdlens-executor-UID-PORT in the temporary directory.
        #[arg(long)]
        work_dir: Option<PathBuf>,
        #[command(flatten)]
        trust: NodeTrust,
        /// Print the node's log (info level) to stderr.
        #[arg(long)]
        log: bool,
    },
    /// Make a new cluster authority and a credentials bundle for the coordinator and for each
    /// node (ca.pem, node.pem, node.key). The authority's key is never written: to add a node,
    /// issue a new set.
    Credentials {
        /// A new, empty directory for the bundles (one subdirectory each).
        #[arg(long)]
        out: PathBuf,
        /// A node's name; one bundle each. Default: scheduler, executor-1, executor-2.
        #[arg(long = "node", value_name = "NAME")]
        nodes: Vec<String>,
        /// Also install the coordinator's bundle in this store (STORE/cluster), where `ask
        /// --engine` and `serve` look for it.
        #[arg(long)]
        store: Option<PathBuf>,
    },
}

/// How a cluster node proves itself and checks its peers.
#[derive(clap::Args)]
pub(crate) struct NodeTrust {
    /// The node's bundle from `crowdlens cluster credentials`: every connection is mutual TLS
    /// with the cluster's authority.
    #[arg(long, value_name = "DIR")]
    pub(crate) credentials: Option<PathBuf>,
    /// Start without credentials, as a test cluster on loopback only (refused for any other
    /// address). Every local user can reach such a cluster.
    #[arg(long)]
    pub(crate) insecure_loopback: bool,
}

#[derive(Subcommand)]
enum BudgetCommand {
    /// Change a budget rule. The change and its reason are written to the audit chain; the
    /// rules live in the ledger, so editing crowdlens.toml cannot change them.
    Set {
        #[arg(long)]
        store: PathBuf,
        /// NAME=VALUE, with NAME one of epsilon_per_epoch, delta_per_epoch,
        /// max_epsilon_per_question, min_epsilon_per_question, delta_per_question,
        /// max_window_days, retention_weeks, h3_finest_question, time_finest_bucket_seconds,
        /// default_max_partitions, max_partitions_per_question, purposes (comma-separated).
        #[arg(long, value_name = "NAME=VALUE", required = true)]
        rule: Vec<String>,
        /// Why the rule changes (recorded in the audit entry).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Every question asked of a store, what it cost and why, refusals, ingest accounting,
    /// retention and the audit chain's head. Reads no data.
    Transparency {
        #[arg(long)]
        store: PathBuf,
        /// Where to write the HTML page.
        #[arg(long, default_value = "crowdlens-transparency.html")]
        out: PathBuf,
        /// First day covered (YYYY-MM-DD, UTC, inclusive).
        #[arg(long)]
        from: Option<String>,
        /// Last day covered (YYYY-MM-DD, UTC, inclusive).
        #[arg(long)]
        to: Option<String>,
        /// Also print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Also write the report signed with the store's key, carrying the audit chain's length
        /// and head, for publication: a witness `crowdlens verify` and `audit verify
        /// --receipts` check.
        #[arg(long, value_name = "FILE")]
        signed: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Remove every epoch older than privacy.retention_weeks: its segments leave the manifest,
    /// their files are deleted, then its key; a tombstone keeps late data from minting a new key.
    Apply {
        #[arg(long)]
        store: PathBuf,
        /// Show what would be removed; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        #[arg(long)]
        store: PathBuf,
        /// analyst (asks questions), auditor (reads budget and audit), admin, or supervisor
        /// (approves others' large questions).
        #[arg(long)]
        role: String,
        /// Who holds it.
        #[arg(long)]
        name: String,
        /// When it stops working: an RFC 3339 time or a span from now (30d, 12h). Default: never.
        #[arg(long)]
        expires: Option<String>,
        /// Question kinds it may ask, comma-separated (presence,flows,...). Default: all.
        #[arg(long, value_delimiter = ',')]
        kinds: Option<Vec<String>>,
        /// Purposes it may ask for, comma-separated. Default: every purpose the rules allow.
        #[arg(long, value_delimiter = ',')]
        purposes: Option<Vec<String>>,
        /// Cases it may ask for, comma-separated. Default: any.
        #[arg(long, value_delimiter = ',')]
        cases: Option<Vec<String>>,
        /// Largest ε its questions may spend in one epoch, composed. Default: the epoch's budget.
        #[arg(long)]
        epsilon_cap: Option<f64>,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once.
    Revoke {
        #[arg(long)]
        store: PathBuf,
        /// The token's id (the number after cl_).
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum AnswersCommand {
    /// Every kept answer, newest first (optionally one case's).
    List {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One kept answer as JSON, its rows' digest checked against its audit entry.
    Show {
        #[arg(long)]
        store: PathBuf,
        /// The answer's audit entry (the number `ask` printed).
        id: i64,
        /// Add post-processed values beside the raw ones: totals consistent with their parts
        /// (co-visit), negatives raised to 0. Labelled in the output; free, nothing is released.
        #[arg(long)]
        adjust: bool,
    },
    /// The signed receipt of a kept answer: check it offline with `crowdlens verify`.
    Receipt {
        #[arg(long)]
        store: PathBuf,
        /// The answer's audit entry (the number `ask` printed).
        id: i64,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One kept answer as a file other tools read, carrying its whole question: CSV (`#` lines
    /// hold the question), JSON, or GeoJSON (cell and zone polygons with each value and its
    /// interval).
    Export {
        #[arg(long)]
        store: PathBuf,
        /// The answer's audit entry (the number `ask` printed).
        id: i64,
        /// csv, json, geojson or geoparquet (GeoParquet 1.1, which needs --out).
        #[arg(long, default_value = "csv")]
        format: crowdlens_report::ExportFormat,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Add the post-processed values beside the raw ones, as `answers show --adjust` does.
        #[arg(long)]
        adjust: bool,
        /// Named zones' polygons for GeoJSON and GeoParquet (the flows question's zones file); by default the
        /// file the question was asked with, when it is still there.
        #[arg(long)]
        zones: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Write the store's public signing key (PEM), which anyone checks receipts with.
    ExportPublic {
        #[arg(long)]
        store: PathBuf,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every entry and the head checkpoint; exit 0 if intact, else name the first bad entry.
    Verify {
        #[arg(long)]
        store: PathBuf,
        /// Also check every receipt and signed report (*.json) in DIR against the ledger: it
        /// fails if the ledger is shorter than the chain any of them saw, or differs from it at
        /// an entry one names (a rollback or a reset).
        #[arg(long, value_name = "DIR")]
        receipts: Option<PathBuf>,
    },
    /// Write the log as JSON lines that an outside tool can re-verify (see docs/audit.md).
    Export {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
struct SynthArgs {
    /// Output directory (pings.csv and sensitive.geojson are written there).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 2_000)]
    devices: u64,
    #[arg(long, default_value_t = 3)]
    days: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First day (UTC), YYYY-MM-DD.
    #[arg(long, default_value = "2026-11-02")]
    start: String,
    /// Mean pings per device-day (heavy-tailed around it).
    #[arg(long, default_value_t = 40.0)]
    mean_pings: f64,
    /// Mean OpenRTB bid requests per device-day, written to bids.jsonl.gz with their true
    /// outcomes in bids_truth.json; 0 writes no bidstream. Default 8, or 0 with --store.
    #[arg(long)]
    bids_per_day: Option<f64>,
    /// Put the pings straight into this store (created if missing) instead of writing
    /// pings.csv: each ping is admitted and pseudonymised exactly as `ingest pings` would
    /// admit its CSV line. For scales whose CSV would not fit on disk (a billion pings is
    /// about 90 GB of text). sensitive.geojson is still written to --out and applied.
    #[arg(long)]
    store: Option<PathBuf>,
}

/// What every ingest command takes.
#[derive(Args)]
struct IngestArgs {
    /// Source files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long)]
    store: PathBuf,
    /// GeoJSON of sensitive places; locations inside them are dropped and counted.
    #[arg(long)]
    sensitive: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum IngestCommand {
    /// Broker ping feeds: CSV, CSV.gz or Parquet, columns detected or mapped with --map.
    Pings {
        #[command(flatten)]
        source: IngestArgs,
        /// Column mapping FIELD=COLUMN (fields: device_id, id_type, timestamp, latitude, longitude, accuracy).
        /// The device is detected only under an advertising-id name (mobile_ad_id, maid, ad_id,
        /// advertising_id, adid, ifa, idfa, aaid, gaid, device_id); any other id column (a user
        /// id, a hashed e-mail, GeoLife's uid) is taken only with --map device_id=COLUMN, which
        /// declares that the column identifies devices.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// What the device column holds: advertising-id or other. By default a column under an
        /// advertising-id name holds advertising ids and any other mapped column is `other`.
        /// A store keeps units of one kind only and refuses a feed of another.
        #[arg(long = "id-kind", value_name = "KIND")]
        id_kind: Option<String>,
    },
    /// OpenRTB 2.5/2.6 bid requests, one JSON object per line, plain or gzip. Consent (COPPA,
    /// LMT, TCF, US Privacy, GPP) is enforced first; drops are counted by reason.
    Openrtb {
        #[command(flatten)]
        source: IngestArgs,
        /// When the requests were received (Unix seconds or RFC 3339), for logs whose requests
        /// carry no time of their own. A value at --time-field, then the request's `ext.ts`,
        /// win over it.
        #[arg(long, value_name = "TIME")]
        received_at: Option<String>,
        /// JSON path, from each line's top level, of the time the request was received, for
        /// logs that keep it outside the OpenRTB body: `ts` in {"ts":…,"request":{…}}, or
        /// `meta.received_at`. Unix s/ms/µs or ISO 8601, as a number or a string.
        #[arg(long, value_name = "PATH")]
        time_field: Option<String>,
        /// JSON path of the OpenRTB request inside each line, for wrapped logs such as
        /// {"ts":…,"request":{…}}. Without it, a line that holds no request field is looked
        /// into under the keys request, bid_request, bidrequest, bidRequest, BidRequest, req,
        /// body, payload and openrtb.
        #[arg(long, value_name = "PATH")]
        request_field: Option<String>,
    },
}

#[derive(Subcommand)]
enum ConsentCommand {
    /// Decode a TC string, GPP string or US Privacy string and show the verdict the store's
    /// policy gives a bid request that carries it.
    Explain {
        /// The consent string, e.g. CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA, DBABM~… or 1YNN.
        string: String,
        /// Store whose policy (required TCF purposes) to apply; the defaults without it.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Flags every question takes beside its own parameters (which come from its descriptor, see
/// `ask::AskCommand`): where and how it is asked, never what.
#[derive(Args)]
struct AskingArgs {
    /// The store to ask.
    #[arg(long)]
    store: PathBuf,
    /// Case id this question belongs to.
    #[arg(long)]
    case: String,
    /// Purpose, from the store's configured list.
    #[arg(long)]
    purpose: String,
    /// Print what the question would cost and its interval width; run and charge nothing.
    #[arg(long)]
    dry_run: bool,
    /// Run the bounded aggregation on a Ballista cluster (df://HOST:PORT of its scheduler);
    /// default: the store's [engine] cluster, else this process. Checks, charge, noise and
    /// audit stay here.
    #[arg(long, value_name = "df://HOST:PORT")]
    engine: Option<String>,
    /// Longest the question may run on a cluster before it is given up (and settled as a
    /// failure after its charge), such as 90s or 10m.
    #[arg(long, default_value = "10m", value_name = "SPAN")]
    engine_timeout: String,
    #[command(flatten)]
    engine_trust: EngineTrust,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// How a coordinator proves itself to a cluster and checks it.
#[derive(clap::Args)]
pub(crate) struct EngineTrust {
    /// The coordinator's bundle from `crowdlens cluster credentials`; default: STORE/cluster.
    #[arg(long, value_name = "DIR")]
    pub(crate) engine_credentials: Option<PathBuf>,
    /// Speak plain gRPC to a test cluster on loopback started with --insecure-loopback.
    #[arg(long)]
    pub(crate) engine_insecure_loopback: bool,
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Partitions, row counts, epochs, ingested sources and budget.
    Info {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    /// Whether the command serves or joins a network (`serve`, `cluster`): such a process must
    /// outlive a peer that hangs up (see `SigPipe`).
    pub fn is_network_peer(&self) -> bool {
        matches!(self.command, Command::Serve(_) | Command::Cluster(_))
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo { dir } => demo::demo(&dir),
        Command::Synth(a) => ingest::synth_command(&a),
        Command::Init { store } => {
            create_store(&store)?;
            println!(
                "created store {} (settings: {})",
                store.display(),
                store.join(crowdlens_store::CONFIG_FILE).display()
            );
            Ok(())
        }
        Command::Ingest(command) => ingest::ingest(command),
        Command::Consent(ConsentCommand::Explain { string, store, json }) => {
            consent::consent_explain(&string, store.as_deref(), json)
        }
        Command::Ask(command) => ask::ask(command),
        Command::Budget { action: Some(BudgetCommand::Set { store, rule, reason }), .. } => {
            budget::budget_set(&store, &rule, &reason)
        }
        Command::Budget { action: None, store: Some(store), json } => budget::budget(&store, json),
        Command::Budget { action: None, store: None, .. } => {
            bail!("budget needs --store PATH (or `budget set --store PATH --rule NAME=VALUE --reason TEXT`)")
        }
        Command::Retention(RetentionCommand::Apply { store, dry_run, json }) => {
            budget::retention_apply(&store, dry_run, json)
        }
        Command::Risk(options) => report::risk(options),
        Command::Report(command) => report::report(command),
        Command::Store(StoreCommand::Info { store, json }) => store_info::store_info(&store, json),
        Command::Cluster(command) => cluster::cluster(command),
        Command::Serve(options) => serve::serve(options),
        Command::Token(command) => admin::token(command),
        Command::Answers(command) => admin::answers(command),
        Command::Audit(command) => admin::audit(command),
        Command::Key(KeyCommand::ExportPublic { store, out }) => evidence::export_public_key(&store, out.as_deref()),
        Command::Verify { receipt, answer, public_key } => evidence::verify(&receipt, answer.as_deref(), &public_key),
        Command::Approve { store, id, role, reason, decline, pending, json } => {
            evidence::approve(&store, id, role.as_deref(), reason.as_deref(), !decline, pending, json)
        }
    }
}

fn asker(case: &str, purpose: &str) -> Asker {
    // The CLI acts as the local administrator of a store it can open.
    Asker { actor: local_actor(), role: "admin".into(), case_id: case.into(), purpose: purpose.into() }
}

/// Who the CLI's audit entries name: the process's real user, from its uid and the password
/// database, as `cli:uid=1000(alice)` (`cli:uid=1000` when the uid has no entry). Never from
/// `$USER` or any other variable, which whoever runs the command can set to any name.
fn local_actor() -> String {
    // SAFETY: getuid cannot fail and has no preconditions.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0u8; 1024];
    let name = loop {
        // SAFETY: `pwd`, `buf` and `found` outlive the call, and `buf.len()` is `buf`'s size;
        // getpwuid_r writes only into them and is thread-safe.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr().cast(), buf.len(), &mut found) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            break None;
        }
        // SAFETY: on success pw_name points at a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        break Some(name.to_string_lossy().into_owned());
    };
    match name {
        Some(name) => format!("cli:uid={uid}({name})"),
        None => format!("cli:uid={uid}"),
    }
}

fn open_ledger(store: &Store) -> Result<Ledger> {
    Ok(crowdlens_query::open_ledger(store)?)
}

/// A new store with default settings, its budget rules recorded in the ledger at once.
fn create_store(path: &Path) -> Result<Store> {
    create_store_with(path, &Config::default())
}

fn create_store_with(path: &Path, config: &Config) -> Result<Store> {
    let store = Store::init(path, config)?;
    crowdlens_query::create_ledger(&store)?;
    Ok(store)
}

fn store_epochs(store: &Store) -> Result<Vec<String>> {
    Ok(store.keyring().epochs()?.iter().map(|e| e.to_string()).collect())
}
