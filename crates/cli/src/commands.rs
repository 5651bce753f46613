//! Subcommands. Each one opens what it needs, calls a library crate, and prints.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use crowdlens_control::Ledger;
use crowdlens_dp::Mechanism;
use crowdlens_ingest::{ingest_openrtb, ingest_pings, IngestOptions, IngestSummary};
use crowdlens_query::questions::{
    Common, CovisitQuestion, DwellQuestion, FlowsQuestion, ReachQuestion, SeriesQuestion,
};
use crowdlens_query::{respond, window::parse_instant, Asker, PresenceQuestion, Question, Reply};
use crowdlens_store::{Config, Store};
use crowdlens_synth::{generate, SynthOptions};
use crowdlens_types::parse_span;
use std::path::{Path, PathBuf};

use crate::output::{print_answer, print_charge, print_json_line, print_summary, Bar};

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
    Ask(AskCommand),
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
    Risk {
        /// A ping feed: CSV, CSV.gz or Parquet.
        source: PathBuf,
        /// Column mapping FIELD=COLUMN, as for `ingest pings`.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Numbers of points drawn from each device's trace.
        #[arg(long, default_value = "1,2,3,4,5")]
        points: String,
        /// Devices sampled for the test (every device is still searched for a match).
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
        /// Seed of the device and point sampling.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the HTML page.
        #[arg(long, default_value = "crowdlens-risk.html")]
        out: PathBuf,
        /// Also print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
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
    /// Run a Ballista cluster node that knows crowdlens' functions: a scheduler, or an executor.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Serve the HTTP API (every request needs a bearer token).
    Serve {
        #[arg(long)]
        store: PathBuf,
        /// Run questions on a Ballista cluster (df://HOST:PORT of its scheduler); default: the
        /// store's [engine] cluster, else this process.
        #[arg(long, value_name = "df://HOST:PORT")]
        engine: Option<String>,
        /// Address to listen on; loopback by default.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// Largest request body in bytes.
        #[arg(long, default_value_t = 65_536)]
        max_body: usize,
        /// Requests per token per minute.
        #[arg(long, default_value_t = 120)]
        rate_limit: u32,
        /// Longest a question may run.
        #[arg(long, default_value = "120s")]
        question_timeout: String,
    },
}

#[derive(Subcommand)]
enum ClusterCommand {
    /// The scheduler: plans questions' stages and hands their tasks to executors.
    Scheduler {
        /// Address to listen on for executors and coordinators.
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: std::net::SocketAddr,
        /// Print the node's log (info level) to stderr. Records that hold a question's plan
        /// (and so its salt) are withheld.
        #[arg(long)]
        log: bool,
    },
    /// An executor: runs tasks, reading the store's segments from the path they have on the
    /// coordinator (a shared filesystem). It listens on --bind and the port after it.
    Executor {
        /// The scheduler's address.
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: std::net::SocketAddr,
        /// Address to serve task results on (the next port serves control).
        #[arg(long, default_value = "127.0.0.1:50051")]
        bind: std::net::SocketAddr,
        /// Tasks run at once; default: this machine's cores.
        #[arg(long)]
        concurrency: Option<usize>,
        /// Where shuffle files go; default: a temporary directory.
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Print the node's log (info level) to stderr.
        #[arg(long)]
        log: bool,
    },
}

#[derive(Subcommand)]
enum BudgetCommand {
    /// Change a budget rule. The change and its reason are written to the audit chain; the
    /// rules live in the ledger, so editing crowdlens.toml cannot change them.
    Set {
        #[arg(long)]
        store: PathBuf,
        /// NAME=VALUE, with NAME one of epsilon_per_epoch, delta_per_epoch,
        /// max_epsilon_per_question, delta_per_question, max_window_days.
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
        /// analyst (asks questions), auditor (reads budget and audit) or admin.
        #[arg(long)]
        role: String,
        /// Who holds it.
        #[arg(long)]
        name: String,
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
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every entry and the head checkpoint; exit 0 if intact, else name the first bad entry.
    Verify {
        #[arg(long)]
        store: PathBuf,
    },
    /// Write the log as JSON lines that an outside tool can re-verify (see README).
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
    /// outcomes in bids_truth.json; 0 writes no bidstream.
    #[arg(long, default_value_t = 8.0)]
    bids_per_day: f64,
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
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
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

#[derive(Subcommand)]
enum AskCommand {
    /// Distinct devices per (H3 cell, time bucket) over an area and window.
    Presence(PresenceArgs),
    /// Devices moving origin zone → destination zone within a day.
    Flows(FlowsArgs),
    /// Histogram of visit durations in an area.
    Dwell(DwellArgs),
    /// Devices seen in both area A and area B, and the lag between their visits.
    #[command(name = "co-visit")]
    CoVisit(CovisitArgs),
    /// Presence over time for a whole area, with % change against a baseline window.
    Series(SeriesArgs),
    /// Devices reached per ad/app content category per zone (bidstream stores).
    Reach(ReachArgs),
}

/// Flags every question takes.
#[derive(Args)]
struct CommonArgs {
    #[arg(long)]
    store: PathBuf,
    /// Window start (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long)]
    from: String,
    /// Window end, exclusive.
    #[arg(long)]
    to: String,
    /// Privacy loss this question spends in every epoch it touches.
    #[arg(long)]
    epsilon: f64,
    /// laplace (pure ε, default) or gaussian (zCDP reported as (ε, δ)).
    #[arg(long, default_value = "laplace")]
    mechanism: String,
    /// Contribution bound L per device (partitions, pairs or visits; default: the store's).
    #[arg(long)]
    max_partitions: Option<u32>,
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
    #[arg(long)]
    json: bool,
}

impl CommonArgs {
    fn common(&self) -> Result<Common> {
        Ok(Common {
            from_s: parse_instant(&self.from)?,
            to_s: parse_instant(&self.to)?,
            epsilon: self.epsilon,
            mechanism: self.mechanism.parse::<Mechanism>()?,
            max_partitions: self.max_partitions,
        })
    }
}

#[derive(Args)]
struct FlowsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Zone set as an area (bbox:/cells:/geojson:), tiled at --zones-res: every pair is released.
    #[arg(long)]
    area: Option<String>,
    /// H3 resolution of the zones: of the cells with --area (default 7), or at which --zones
    /// polygons are tiled (default: the finest, up to the store's finest question resolution,
    /// whose tiling stays under 300,000 cells; a state's counties get 7).
    #[arg(long)]
    zones_res: Option<u8>,
    /// Named zones: a GeoJSON FeatureCollection of polygons with a "name" property.
    #[arg(long)]
    zones: Option<String>,
    /// Top destinations from this H3 cell: destinations come from the data and are thresholded.
    #[arg(long)]
    top_from: Option<String>,
}

#[derive(Args)]
struct DwellArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long)]
    area: String,
    /// Resolution of the cells that define the area (default: the finest allowed).
    #[arg(long)]
    res: Option<u8>,
    /// A gap this long between pings ends a visit.
    #[arg(long, default_value = "30m")]
    max_gap: String,
}

#[derive(Args)]
struct CovisitArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Area A.
    #[arg(long)]
    area: String,
    /// Area B.
    #[arg(long)]
    area_b: String,
    #[arg(long)]
    res: Option<u8>,
}

#[derive(Args)]
struct SeriesArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long)]
    area: String,
    #[arg(long)]
    res: Option<u8>,
    #[arg(long, default_value = "1d")]
    bucket: String,
    /// Baseline window start.
    #[arg(long)]
    baseline_from: String,
    /// Baseline window end, exclusive.
    #[arg(long)]
    baseline_to: String,
}

#[derive(Args)]
struct ReachArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long)]
    area: String,
    /// H3 resolution of zones (default 7).
    #[arg(long)]
    zones_res: Option<u8>,
}

#[derive(Args)]
struct PresenceArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// bbox:minlon,minlat,maxlon,maxlat | cells:HEX,HEX,... | geojson:FILE
    #[arg(long)]
    area: String,
    /// Time bucket, e.g. 15m, 1h, 1d.
    #[arg(long, default_value = "1h")]
    bucket: String,
    /// H3 resolution of answer cells (default: the store's h3_default_question).
    #[arg(long)]
    res: Option<u8>,
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
        matches!(self.command, Command::Serve { .. } | Command::Cluster(_))
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo { dir } => demo(&dir),
        Command::Synth(a) => synth(&a, true).map(|_| ()),
        Command::Init { store } => {
            create_store(&store)?;
            println!(
                "created store {} (settings: {})",
                store.display(),
                store.join(crowdlens_store::CONFIG_FILE).display()
            );
            Ok(())
        }
        Command::Ingest(IngestCommand::Pings { source, map }) => {
            let options = ingest_options(source.sensitive.as_deref(), &map, None)?;
            ingest_command(&source, &options, Source::Pings)
        }
        Command::Ingest(IngestCommand::Openrtb { source, received_at, time_field, request_field }) => {
            let received_at_s = received_at
                .map(|t| {
                    crowdlens_ingest::decode::parse_timestamp(&t).map_err(|_| {
                        anyhow::anyhow!("--received-at {t:?}: expected Unix seconds or an RFC 3339 time such as 2026-11-02T14:00:00Z")
                    })
                })
                .transpose()?;
            let path = |flag: &str, spec: Option<String>| {
                spec.map(|p| crowdlens_ingest::openrtb::JsonPath::parse(&p).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
                    .transpose()
            };
            let mut options = ingest_options(source.sensitive.as_deref(), &[], received_at_s)?;
            options.line_layout = crowdlens_ingest::openrtb::LineLayout {
                request_field: path("--request-field", request_field)?,
                time_field: path("--time-field", time_field)?,
            };
            ingest_command(&source, &options, Source::Openrtb)
        }
        Command::Consent(ConsentCommand::Explain { string, store, json }) => {
            consent_explain(&string, store.as_deref(), json)
        }
        Command::Ask(AskCommand::Presence(a)) => answer(&a.common, presence_question(&a)?),
        Command::Ask(AskCommand::Flows(a)) => {
            let q = FlowsQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                zones_res: a.zones_res,
                zones_file: a.zones.clone(),
                top_from: a.top_from.clone(),
            };
            answer(&a.common, q)
        }
        Command::Ask(AskCommand::Dwell(a)) => {
            let q = DwellQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                res: a.res,
                max_gap_s: parse_span(&a.max_gap).context("--max-gap")?,
            };
            answer(&a.common, q)
        }
        Command::Ask(AskCommand::CoVisit(a)) => {
            let q = CovisitQuestion {
                common: a.common.common()?,
                area: a.area.clone(),
                area_b: a.area_b.clone(),
                res: a.res,
            };
            answer(&a.common, q)
        }
        Command::Ask(AskCommand::Series(a)) => {
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
        Command::Ask(AskCommand::Reach(a)) => {
            let q = ReachQuestion { common: a.common.common()?, area: a.area.clone(), zones_res: a.zones_res };
            answer(&a.common, q)
        }
        Command::Budget { action: Some(BudgetCommand::Set { store, rule, reason }), .. } => {
            budget_set(&store, &rule, &reason)
        }
        Command::Budget { action: None, store: Some(store), json } => budget(&store, json),
        Command::Budget { action: None, store: None, .. } => {
            bail!("budget needs --store PATH (or `budget set --store PATH --rule NAME=VALUE --reason TEXT`)")
        }
        Command::Retention(RetentionCommand::Apply { store, dry_run, json }) => retention_apply(&store, dry_run, json),
        Command::Risk { source, map, points, devices, seed, out, json } => {
            let points: Vec<usize> =
                points.split(',').map(|p| p.trim().parse::<usize>()).collect::<Result<_, _>>().map_err(|_| {
                    anyhow::anyhow!("--points {points:?}: give whole numbers separated by commas, e.g. 1,2,3,4,5")
                })?;
            let options = crowdlens_report::RiskOptions {
                points,
                devices,
                seed,
                column_overrides: IngestOptions::parse_mapping(&map)?,
                now_s: chrono::Utc::now().timestamp(),
            };
            let spinner = (!json).then(|| Bar::spinner(&format!("reading {} and testing unicity", source.display())));
            let report = crowdlens_report::unicity(&source, &options)?;
            drop(spinner);
            std::fs::write(&out, crowdlens_report::risk_html(&report))
                .with_context(|| format!("writing {}", out.display()))?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "{} devices in {} rows; {} sampled. Share singled out by p points:",
                    report.devices_total, report.rows_read, report.devices_sampled
                );
                for s in &report.resolutions {
                    let shares: Vec<String> =
                        s.unicity.iter().map(|(p, u)| format!("p={p}: {:.1}%", u * 100.0)).collect();
                    println!("  {:<46} {}", s.name, shares.join("  "));
                }
                println!("wrote {}", out.display());
            }
            Ok(())
        }
        Command::Report(ReportCommand::Transparency { store, out, from, to, json }) => {
            for (flag, day) in [("--from", &from), ("--to", &to)] {
                if let Some(d) = day {
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .with_context(|| format!("{flag} {d:?}: give a day as YYYY-MM-DD"))?;
                }
            }
            let store = Store::open(&store)?;
            let ledger = open_ledger(&store)?;
            let period = crowdlens_report::Period { from, to };
            let report = crowdlens_report::transparency(&store, &ledger, &period, chrono::Utc::now())?;
            std::fs::write(&out, crowdlens_report::transparency_html(&report))
                .with_context(|| format!("writing {}", out.display()))?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "wrote {}: {} questions asked, {} refused, {} dry runs; audit chain {} at #{}",
                    out.display(),
                    report.questions.asked,
                    report.questions.refused,
                    report.questions.dry_runs,
                    if report.audit.verified { "verified" } else { "BROKEN" },
                    report.audit.head_id.unwrap_or(0)
                );
            }
            Ok(())
        }
        Command::Store(StoreCommand::Info { store, json }) => store_info(&store, json),
        Command::Cluster(ClusterCommand::Scheduler { bind, log }) => {
            node_log(log);
            let rt = node_runtime()?;
            eprintln!("crowdlens cluster scheduler on {bind}; coordinators ask with --engine df://{bind}");
            rt.block_on(crowdlens_cluster::run_scheduler(bind))?;
            Ok(())
        }
        Command::Cluster(ClusterCommand::Executor { scheduler, bind, concurrency, work_dir, log }) => {
            node_log(log);
            let concurrency =
                concurrency.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let rt = node_runtime()?;
            eprintln!(
                "crowdlens cluster executor on {bind} (control on port {}), {concurrency} tasks at once, scheduler {scheduler}",
                bind.port().wrapping_add(1)
            );
            rt.block_on(crowdlens_cluster::run_executor(crowdlens_cluster::ExecutorOptions {
                scheduler,
                bind,
                concurrency,
                work_dir: work_dir.map(|d| d.to_string_lossy().into_owned()),
                crowdlens_functions: true,
            }))?;
            Ok(())
        }
        Command::Serve { store, engine, listen, max_body, rate_limit, question_timeout } => {
            let question_timeout = std::time::Duration::from_secs(
                parse_span(&question_timeout).map_err(|e| anyhow::anyhow!("--question-timeout: {e}"))? as u64,
            );
            let engine = engine_for(engine.as_deref(), question_timeout, &Store::open(&store)?)?;
            let limits =
                crowdlens_server::Limits { max_body_bytes: max_body, requests_per_minute: rate_limit, question_timeout };
            let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).try_init();
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let listener =
                    tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
                eprintln!(
                    "crowdlens on http://{}/ (web UI at /, API under /v1; store {})",
                    listener.local_addr()?,
                    store.display()
                );
                let mut state = crowdlens_server::ServerState::new(store.clone(), limits);
                if let Some(engine) = engine {
                    eprintln!("questions run on the cluster at {}", engine.name());
                    state = state.with_engine(engine);
                }
                crowdlens_server::serve(listener, state).await?;
                anyhow::Ok(())
            })
        }
        Command::Token(TokenCommand::Create { store, role, name }) => {
            let store = Store::open(&store)?;
            let ledger = open_ledger(&store)?;
            let (token, info) = ledger.create_token(&name, role.parse()?)?;
            println!("created {} token #{} for {}; it is shown only now:", info.role.as_str(), info.id, info.name);
            println!("{token}");
            Ok(())
        }
        Command::Token(TokenCommand::List { store, json }) => {
            let store = Store::open(&store)?;
            let tokens = open_ledger(&store)?.list_tokens()?;
            if json {
                println!("{}", serde_json::to_string(&tokens)?);
            } else {
                println!("{:>4}  {:<20} {:<8} {:<21} revoked", "id", "name", "role", "created");
                for t in tokens {
                    println!(
                        "{:>4}  {:<20} {:<8} {:<21} {}",
                        t.id,
                        t.name,
                        t.role.as_str(),
                        t.created_at,
                        t.revoked_at.unwrap_or_else(|| "-".into())
                    );
                }
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { store, id }) => {
            let store = Store::open(&store)?;
            if !open_ledger(&store)?.revoke_token(id)? {
                bail!("no live token #{id}; see `crowdlens token list --store {}`", store.root().display());
            }
            println!("revoked token #{id}");
            Ok(())
        }
        Command::Answers(AnswersCommand::List { store, case, json }) => {
            let store = Store::open(&store)?;
            let answers = open_ledger(&store)?.kept_answers(None, case.as_deref())?;
            if json {
                println!("{}", serde_json::to_string(&answers)?);
            } else if answers.is_empty() {
                println!("no kept answers{}", case.map(|c| format!(" for case {c}")).unwrap_or_default());
            } else {
                println!(
                    "{:>7}  {:<10} {:<14} {:<20} {:>8} {:>7}  released at",
                    "answer", "question", "case", "purpose", "ε", "rows"
                );
                for a in answers {
                    println!(
                        "{:>7}  {:<10} {:<14} {:<20} {:>8} {:>7}  {}",
                        format!("#{}", a.audit_id),
                        a.question,
                        a.case_id,
                        a.purpose,
                        a.epsilon,
                        a.rows,
                        a.at
                    );
                }
            }
            Ok(())
        }
        Command::Answers(AnswersCommand::Show { store, id }) => {
            let store = Store::open(&store)?;
            let Some(kept) = open_ledger(&store)?.kept_answer(id)? else {
                bail!("no kept answer #{id}; see `crowdlens answers list --store {}`", store.root().display());
            };
            println!("{}", kept.to_json()?);
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { store }) => {
            let store = Store::open(&store)?;
            let ledger = open_ledger(&store)?;
            match ledger.verify_audit()? {
                Some(head) => {
                    println!("audit log intact: {} entries", head.id);
                    println!("head hash: {}", head.hash);
                    println!("keep this hash outside the store; a later verify must reach it");
                }
                None => println!("audit log intact: no entries yet"),
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Export { store, out }) => {
            use std::io::Write;
            let store = Store::open(&store)?;
            let ledger = open_ledger(&store)?;
            let entries = ledger.audit_entries()?;
            let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            let mut w = std::io::BufWriter::new(file);
            for e in &entries {
                writeln!(w, "{}", serde_json::to_string(e)?)?;
            }
            w.flush()?;
            println!("wrote {} audit entries to {}", entries.len(), out.display());
            Ok(())
        }
    }
}

/// Ingest into a directory that does not exist yet (or is empty) creates a store with the
/// documented defaults, as `crowdlens init` would; any other non-store directory is refused.
fn open_or_create(path: &Path) -> Result<Store> {
    let empty = match std::fs::read_dir(path) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(_) => false,
    };
    if empty && !path.join(crowdlens_store::CONFIG_FILE).exists() {
        let store = create_store(path)?;
        eprintln!(
            "created store {} with default settings ({})",
            path.display(),
            path.join(crowdlens_store::CONFIG_FILE).display()
        );
        return Ok(store);
    }
    Ok(Store::open(path)?)
}

fn synth(a: &SynthArgs, show: bool) -> Result<crowdlens_synth::SynthSummary> {
    let start = chrono::NaiveDate::parse_from_str(&a.start, "%Y-%m-%d")
        .with_context(|| format!("--start {:?}: expected YYYY-MM-DD", a.start))?;
    let opts = SynthOptions {
        devices: a.devices,
        days: a.days,
        seed: a.seed,
        start,
        mean_pings_per_day: a.mean_pings,
        mean_bids_per_day: a.bids_per_day,
        ..Default::default()
    };
    let bar = Bar::counter(show, "synth devices", a.devices);
    let s = generate(&a.out, &opts, &mut |done| {
        if done % 100 == 0 {
            bar.set(done)
        }
    })?;
    crowdlens_ingest::Progress::finish(&bar);
    if show {
        println!(
            "wrote {} pings ({} IP-based) for {} devices over {} days to {}",
            s.pings,
            s.ip_based_pings,
            a.devices,
            a.days,
            s.pings_path.display()
        );
        println!("wrote {} sensitive places to {}", s.sensitive_places, s.sensitive_path.display());
        if let Some((bids, path)) = &s.bids {
            println!(
                "wrote {} OpenRTB bid requests to {} (true outcomes in {})",
                bids.requests,
                path.display(),
                a.out.join(crowdlens_synth::BIDS_TRUTH_FILE).display()
            );
        }
    }
    Ok(s)
}

fn ingest_command(args: &IngestArgs, options: &IngestOptions, source: Source) -> Result<()> {
    let store = open_or_create(&args.store)?;
    let summary = ingest_files(&store, &args.files, options, source, !args.json, !args.json)?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    Ok(())
}

fn ingest_options(sensitive: Option<&Path>, map: &[String], received_at_s: Option<i64>) -> Result<IngestOptions> {
    Ok(IngestOptions {
        sensitive: match sensitive {
            Some(p) => crowdlens_ingest::sensitive::SensitivePlaces::load(p)?,
            None => Default::default(),
        },
        column_overrides: IngestOptions::parse_mapping(map)?,
        now_s: None,
        received_at_s,
        line_layout: Default::default(),
    })
}

#[derive(Clone, Copy)]
enum Source {
    Pings,
    Openrtb,
}

fn ingest_files(
    store: &Store,
    files: &[PathBuf],
    options: &IngestOptions,
    source: Source,
    show_progress: bool,
    print_each: bool,
) -> Result<IngestSummary> {
    let mut total = IngestSummary::default();
    for file in files {
        let bar = Bar::new(show_progress, &format!("ingest {}", file.display()));
        let s = match source {
            Source::Pings => ingest_pings(store, file, options, &bar)?,
            Source::Openrtb => ingest_openrtb(store, file, options, &bar)?,
        };
        if print_each {
            print_summary(&file.display().to_string(), &s);
        }
        total.add(s);
    }
    if !total.reconciles() {
        bail!("internal error: ingest counts do not reconcile; the store was not changed for the failing file");
    }
    Ok(total)
}

fn asker(case: &str, purpose: &str) -> Asker {
    // The CLI acts as the local administrator of a store it can open.
    Asker { actor: local_actor(), role: "admin".into(), case_id: case.into(), purpose: purpose.into() }
}

fn local_actor() -> String {
    format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "local".into()))
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
    open_ledger(&store)?;
    Ok(store)
}

fn presence_question(a: &PresenceArgs) -> Result<PresenceQuestion> {
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
/// (a literal argument of `bounded_keys`), which must never reach a log. The log formatter writes
/// each record in one call, so a record is dropped whole, whichever module wrote it.
struct PlanFreeLog<W: std::io::Write>(W);

/// What stands in a node's log for a record that held a plan.
const PLAN_WITHHELD: &[u8] = b"[a record holding a question's plan was not logged]\n";

impl<W: std::io::Write> std::io::Write for PlanFreeLog<W> {
    fn write(&mut self, record: &[u8]) -> std::io::Result<usize> {
        const PLAN_MARK: &[u8] = b"bounded_keys(";
        if record.windows(PLAN_MARK.len()).any(|w| w == PLAN_MARK) {
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

/// The cluster a command's questions run on: its `--engine`, else the store's `[engine]`.
fn engine_for(
    flag: Option<&str>,
    deadline: std::time::Duration,
    store: &Store,
) -> Result<Option<std::sync::Arc<dyn crowdlens_query::engine::Engine>>> {
    let Some(address) = flag.map(str::to_string).or_else(|| store.config().engine.cluster.clone()) else {
        return Ok(None);
    };
    let address = crowdlens_cluster::ClusterAddress::parse(&address).map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
    // A coordinator is a network peer of the cluster from here on.
    crate::set_sigpipe(crate::SigPipe::Ignore);
    Ok(Some(std::sync::Arc::new(crowdlens_cluster::ClusterEngine::new(address).with_deadline(deadline))))
}

/// Runs one question: a dry run prices it, otherwise it is asked, charged and printed.
fn answer(c: &CommonArgs, q: impl Question) -> Result<()> {
    let store = Store::open(&c.store)?;
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    let deadline = parse_span(&c.engine_timeout).map_err(|e| anyhow::anyhow!("--engine-timeout: {e}"))?;
    let engine = engine_for(c.engine.as_deref(), std::time::Duration::from_secs(deadline as u64), &store)?;
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

fn store_epochs(store: &Store) -> Result<Vec<String>> {
    Ok(store.keyring().epochs()?.iter().map(|e| e.to_string()).collect())
}

fn budget(store: &Path, json: bool) -> Result<()> {
    let store = Store::open(store)?;
    let ledger = open_ledger(&store)?;
    let b = ledger.budget(&store_epochs(&store)?)?;
    let rules = ledger.rules();
    if json {
        println!("{}", serde_json::to_string(&serde_json::json!({ "rules": rules, "epochs": b }))?);
        return Ok(());
    }
    print_rules(rules, &store);
    if b.is_empty() {
        println!("no epochs yet: ingest data first");
    }
    println!("{:<10} {:>10} {:>10} {:>10} {:>10}", "epoch", "ε total", "ε spent", "ε left", "questions");
    for e in b {
        println!(
            "{:<10} {:>10} {:>10.4} {:>10.4} {:>10}",
            e.epoch, e.epsilon_total, e.epsilon_spent, e.epsilon_remaining, e.questions
        );
    }
    Ok(())
}

/// The rules in force (from the ledger), and a warning where the config file says otherwise.
fn print_rules(rules: &crowdlens_control::Rules, store: &Store) {
    println!(
        "rules (recorded in the ledger; change with `crowdlens budget set`): ε {} per epoch, at most ε {} per question; δ {:e} per epoch, {:e} per question; windows up to {} days",
        rules.epsilon_per_epoch,
        rules.max_epsilon_per_question,
        rules.delta_per_epoch,
        rules.delta_per_question,
        rules.max_window_days
    );
    let p = &store.config().privacy;
    let file = [
        ("epsilon_per_epoch", p.epsilon_per_epoch, rules.epsilon_per_epoch),
        ("delta_per_epoch", p.delta_per_epoch, rules.delta_per_epoch),
        ("max_epsilon_per_question", p.max_epsilon_per_question, rules.max_epsilon_per_question),
        ("delta_per_question", p.delta_per_question, rules.delta_per_question),
        ("max_window_days", f64::from(p.max_window_days), rules.max_window_days),
    ];
    for (name, in_file, in_ledger) in file {
        if in_file != in_ledger {
            eprintln!(
                "warning: crowdlens.toml says privacy.{name} = {in_file}, but the ledger's rule is {in_ledger}, which applies; use `crowdlens budget set` to change a rule"
            );
        }
    }
}

fn budget_set(store: &Path, rules: &[String], reason: &str) -> Result<()> {
    let store = Store::open(store)?;
    let mut ledger = open_ledger(&store)?;
    let who = crowdlens_control::Requester {
        actor: local_actor(),
        role: "admin".into(),
        case_id: "-".into(),
        purpose: "budget-rules".into(),
    };
    for spec in rules {
        let (name, value) = spec
            .split_once('=')
            .with_context(|| format!("--rule {spec:?}: expected NAME=VALUE, e.g. epsilon_per_epoch=5"))?;
        let value: f64 = value.trim().parse().with_context(|| format!("--rule {spec:?}: {value:?} is not a number"))?;
        let id = ledger.set_rule(&who, name.trim(), value, reason)?;
        println!("set {} = {value} (audit entry {id})", name.trim());
    }
    Ok(())
}

fn retention_apply(store: &Path, dry_run: bool, json: bool) -> Result<()> {
    let store = Store::open(store)?;
    let mut ledger = open_ledger(&store)?;
    let who = Asker { actor: local_actor(), role: "admin".into(), case_id: "-".into(), purpose: "retention".into() };
    let now = chrono::Utc::now().timestamp();
    let report = crowdlens_query::retention::apply_retention(&store, &mut ledger, &who, now, dry_run)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let verb = if dry_run { "would shred" } else { "shredded" };
    println!("retention: {} weeks; epochs that ended before {} expire", report.retention_weeks, report.cutoff);
    if report.epochs.is_empty() {
        println!("nothing has expired");
    }
    for e in &report.epochs {
        println!(
            "{verb} {}: {} segment(s), {} row(s){}{}",
            e.epoch,
            e.segments,
            e.rows,
            if e.key { ", key destroyed" } else { "" },
            if e.resumed { " (finishing an earlier run)" } else { "" }
        );
    }
    if !dry_run && !report.epochs.is_empty() {
        println!("the ledger keeps what these epochs spent; late data for them is dropped as epoch_shredded");
    }
    Ok(())
}

fn store_info(path: &Path, json: bool) -> Result<()> {
    let store = Store::open(path)?;
    let m = store.manifest()?;
    let ledger = open_ledger(&store)?;
    let budget = ledger.budget(&store_epochs(&store)?)?;
    let mut totals = crowdlens_store::SourceCounts::default();
    for s in &m.sources {
        totals.add(&s.counts);
    }
    let exposed = store.exposed_paths()?;
    if json {
        let days: Vec<_> = m
            .rows_by_day()
            .into_iter()
            .map(|(day, (files, rows))| serde_json::json!({"day": day, "files": files, "rows": rows}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "store": path,
                "generation": m.generation,
                "rows": m.total_rows(),
                "partitions": days,
                "sources": m.sources.len(),
                "ingest_totals": totals,
                "epochs": budget,
                "rules": ledger.rules(),
                "shredded_epochs": store.keyring().shredded_epochs()?.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                "exposed_paths": exposed,
                "config": store.config(),
            })
        );
        return Ok(());
    }
    if !exposed.is_empty() {
        eprintln!(
            "warning: {} path(s) in the store can be read or entered by other users, e.g. {}; run `chmod -R go-rwx {}`",
            exposed.len(),
            exposed[0].display(),
            path.display()
        );
    }
    println!("store {} (manifest generation {})", path.display(), m.generation);
    println!(
        "rows stored: {} in {} segment file(s) from {} source file(s)",
        m.total_rows(),
        m.segments.len(),
        m.sources.len()
    );
    println!(
        "ingest totals: read {} = stored {} + quarantined {} + dropped {}",
        totals.read,
        totals.stored,
        totals.quarantined,
        totals.dropped_total()
    );
    println!("\n{:<12} {:>6} {:>12}", "day", "files", "rows");
    for (day, (files, rows)) in m.rows_by_day() {
        println!("{day:<12} {files:>6} {rows:>12}");
    }
    println!("\n{:<10} {:>10} {:>10} {:>10}", "epoch", "ε total", "ε spent", "ε left");
    for e in budget {
        println!("{:<10} {:>10} {:>10.4} {:>10.4}", e.epoch, e.epsilon_total, e.epsilon_spent, e.epsilon_remaining);
    }
    let r = &store.config().resolution;
    println!(
        "\nresolution: cells stored at H3 {}, questions up to H3 {}; times stored to {}s, buckets ≥ {}s",
        r.h3_store, r.h3_finest_question, r.time_store_seconds, r.time_finest_bucket_seconds
    );
    print_rules(ledger.rules(), &store);
    println!("retention: {} weeks", store.config().privacy.retention_weeks);
    Ok(())
}

const DEMO_MARKER: &str = ".crowdlens-demo";

fn demo(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.join(DEMO_MARKER).exists() {
            bail!("{} exists and is not a crowdlens demo directory; pass --dir with a new path", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("removing previous demo at {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(DEMO_MARKER), "created by `crowdlens demo`; safe to delete\n")?;
    let city = dir.join("city");
    let store_dir = dir.join("store");
    let started = std::time::Instant::now();

    println!("== 1. synthesise a city (Twin Cities, 10,000 devices, 3 days, seed 1)");
    let s = synth(
        &SynthArgs {
            out: city.clone(),
            devices: 10_000,
            days: 3,
            seed: 1,
            start: "2026-11-02".into(),
            mean_pings: 40.0,
            bids_per_day: 8.0,
        },
        true,
    )?;

    println!("\n== 2. create a store with default settings");
    // The web UI's map opens on the synthetic city.
    let (min_lon, min_lat, max_lon, max_lat) = crowdlens_synth::TWIN_CITIES.bbox;
    let mut config = Config::default();
    config.map.home = Some([min_lon, min_lat, max_lon, max_lat]);
    let store = create_store_with(&store_dir, &config)?;
    println!("created {}", store_dir.display());

    println!("\n== 3. ingest: validate, drop sensitive places and coarse fixes, pseudonymise, store by day");
    let options = ingest_options(Some(&s.sensitive_path), &[], None)?;
    ingest_files(&store, std::slice::from_ref(&s.pings_path), &options, Source::Pings, true, true)?;
    if let Some((_, bids)) = &s.bids {
        println!("\n== 3b. ingest the bidstream: consent first (COPPA, LMT, TCF, US Privacy, GPP), then location");
        ingest_files(&store, std::slice::from_ref(bids), &options, Source::Openrtb, true, true)?;
    }

    println!("\n== 4. presence: three questions, each charged to the budget and audited");
    let questions = [
        (
            "Downtown Minneapolis in 3-hour buckets through Monday 2026-11-02",
            "bbox:-93.285,44.968,-93.245,44.988",
            "2026-11-02T00:00:00Z",
            "2026-11-03T00:00:00Z",
            "3h",
            1.0,
        ),
        (
            "The airport between 2 and 4 a.m. on Tuesday",
            "bbox:-93.245,44.870,-93.195,44.900",
            "2026-11-03T02:00:00Z",
            "2026-11-03T04:00:00Z",
            "1h",
            0.5,
        ),
        (
            "University of Minnesota, daily over the three days",
            "bbox:-93.245,44.965,-93.210,44.985",
            "2026-11-02",
            "2026-11-05",
            "1d",
            1.0,
        ),
    ];
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    for (title, area, from, to, bucket, epsilon) in questions {
        println!("\n-- {title}");
        let q = PresenceQuestion {
            area: area.into(),
            from_s: parse_instant(from)?,
            to_s: parse_instant(to)?,
            bucket_s: parse_span(bucket)?,
            res: None,
            epsilon,
            mechanism: Mechanism::Laplace,
            max_partitions: None,
        };
        let a = rt.block_on(q.ask(&store, &mut ledger, &asker("DEMO-1", "research")))?;
        print_answer(&a);
    }

    println!("\n== 5. the other questions: flows, dwell, co-visit, series, reach");
    let days = |from: &str, to: &str, epsilon: f64| -> Result<Common> {
        Ok(Common {
            from_s: parse_instant(from)?,
            to_s: parse_instant(to)?,
            epsilon,
            mechanism: Mechanism::Laplace,
            max_partitions: None,
        })
    };
    let who = asker("DEMO-1", "research");
    let downtown = "bbox:-93.285,44.968,-93.245,44.988".to_string();
    let campus = "bbox:-93.245,44.965,-93.210,44.985".to_string();

    println!("\n-- flows: devices moving between H3 res-7 zones across central Minneapolis, per pair");
    let flows = FlowsQuestion {
        common: days("2026-11-02", "2026-11-05", 1.0)?,
        area: Some("bbox:-93.30,44.955,-93.20,44.99".into()),
        zones_res: Some(7),
        zones_file: None,
        top_from: None,
    };
    print_answer(&rt.block_on(flows.ask(&store, &mut ledger, &who))?);

    println!("\n-- dwell: how long visits to downtown last");
    let dwell = DwellQuestion {
        common: days("2026-11-02", "2026-11-05", 1.0)?,
        area: downtown.clone(),
        res: None,
        max_gap_s: 1800,
    };
    print_answer(&rt.block_on(dwell.ask(&store, &mut ledger, &who))?);

    println!("\n-- co-visit: devices seen both downtown and on campus, and the lag between");
    let covisit = CovisitQuestion {
        common: days("2026-11-02", "2026-11-05", 1.0)?,
        area: downtown.clone(),
        area_b: campus,
        res: None,
    };
    print_answer(&rt.block_on(covisit.ask(&store, &mut ledger, &who))?);

    println!("\n-- series: downtown on Wednesday in 6-hour buckets, against Monday and Tuesday");
    let series = SeriesQuestion {
        common: days("2026-11-04", "2026-11-05", 1.0)?,
        area: downtown,
        res: None,
        bucket_s: 6 * 3600,
        baseline_from_s: parse_instant("2026-11-02")?,
        baseline_to_s: parse_instant("2026-11-04")?,
    };
    print_answer(&rt.block_on(series.ask(&store, &mut ledger, &who))?);

    println!("\n-- reach: devices per ad/app category per res-7 zone, city-wide, from the consented bidstream");
    let reach = ReachQuestion {
        common: days("2026-11-02", "2026-11-05", 1.0)?,
        area: "bbox:-93.40,44.85,-92.98,45.10".into(),
        zones_res: Some(7),
    };
    match rt.block_on(reach.ask(&store, &mut ledger, &who)) {
        Ok(a) => print_answer(&a),
        Err(e) => println!("refused, nothing charged: {e}"),
    }

    println!("\n== 6. budget after these questions");
    let b = ledger.budget(&store_epochs(&store)?)?;
    for e in &b {
        println!("{}: spent ε={:.2} of {}, {:.2} left", e.epoch, e.epsilon_spent, e.epsilon_total, e.epsilon_remaining);
    }

    println!("\n== where things are");
    println!("  synthetic feed:     {}", s.pings_path.display());
    println!("  sensitive places:   {}", s.sensitive_path.display());
    println!(
        "  store:              {}  (Parquet by day, manifest.json, keyring/, control.sqlite)",
        store_dir.display()
    );
    println!("\n== what the numbers mean");
    println!("  presence: distinct devices seen in that H3 cell during that bucket.");
    println!("  flows:    devices whose day took them from the origin zone straight to the destination zone.");
    println!("  dwell:    visits (runs of pings inside the area, gaps under 30 min) by how long they lasted.");
    println!("  co-visit: devices seen in both areas, and how far apart their first visits to each were.");
    println!("  series:   distinct devices in the whole area per bucket, and the % change against the");
    println!("            baseline buckets at the same time of day.");
    println!("  reach:    devices per ad or app category per zone, from bid requests that passed consent.");
    println!("  Every value is a count plus discrete Laplace noise from OpenDP. The interval holds the true");
    println!("  bounded count with 95% probability. Values can be negative or non-zero where no one was:");
    println!("  that noise keeps any single device from being detectable. Each device counts in at most L");
    println!(
        "  partitions (or visits) per question (L = {}), and each question spends its ε from the",
        store.config().privacy.default_max_partitions
    );
    println!("  week's budget.");
    println!("  Try: crowdlens budget --store {}", store_dir.display());
    println!(
        "       crowdlens token create --store {} --role analyst --name me   # then: crowdlens serve --store {} and open http://127.0.0.1:8787/",
        store_dir.display(),
        store_dir.display()
    );
    println!("       crowdlens report transparency --store {} --out report.html", store_dir.display());
    println!("       crowdlens risk {} --out risk.html", city.join(crowdlens_synth::PINGS_FILE).display());
    println!("\ndemo finished in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn consent_explain(string: &str, store: Option<&Path>, json: bool) -> Result<()> {
    let policy = match store {
        Some(path) => crowdlens_consent::ConsentPolicy {
            required_tcf_purposes: Store::open(path)?.config().policy.tcf_required_purposes.clone(),
        },
        None => crowdlens_consent::ConsentPolicy::default(),
    };
    let e = crowdlens_consent::explain::explain(string, &policy);
    if json {
        println!("{}", serde_json::to_string(&e)?);
        return Ok(());
    }
    crate::output::print_explanation(&e, &policy);
    Ok(())
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
    }
}
