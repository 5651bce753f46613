//! Subcommands. Each one opens what it needs, calls a library crate, and prints.

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use crowdlens_control::Ledger;
use crowdlens_dp::Mechanism;
use crowdlens_ingest::{ingest_pings, IngestOptions, IngestSummary};
use crowdlens_query::{ask_presence, preview_presence, window::parse_instant, Asker, PresenceQuestion};
use crowdlens_store::{Config, Store};
use crowdlens_synth::{generate, SynthOptions};
use crowdlens_types::parse_span;
use std::path::{Path, PathBuf};

use crate::output::{print_answer, print_charge, print_summary, Bar};

#[derive(Parser)]
#[command(name = "crowdlens", version, about = "Differentially private answers about places, times and flows in location data. It sees crowds, never people.")]
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
    /// Show privacy budget spent and remaining per epoch.
    Budget {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Inspect a store (partitions, row counts, epochs, budget). Prints no row-level data.
    #[command(subcommand)]
    Store(StoreCommand),
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
}

#[derive(Subcommand)]
enum IngestCommand {
    /// Broker ping feeds: CSV, CSV.gz or Parquet, columns detected or mapped with --map.
    Pings {
        /// Source files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        store: PathBuf,
        /// GeoJSON of sensitive places; pings inside them are dropped and counted.
        #[arg(long)]
        sensitive: Option<PathBuf>,
        /// Column mapping FIELD=COLUMN (fields: device_id, id_type, timestamp, latitude, longitude, accuracy).
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AskCommand {
    /// Distinct devices per (H3 cell, time bucket) over an area and window.
    Presence(PresenceArgs),
}

#[derive(Args)]
struct PresenceArgs {
    #[arg(long)]
    store: PathBuf,
    /// bbox:minlon,minlat,maxlon,maxlat | cells:HEX,HEX,... | geojson:FILE
    #[arg(long)]
    area: String,
    /// Window start (RFC 3339 or YYYY-MM-DD, UTC).
    #[arg(long)]
    from: String,
    /// Window end, exclusive.
    #[arg(long)]
    to: String,
    /// Time bucket, e.g. 15m, 1h, 1d.
    #[arg(long, default_value = "1h")]
    bucket: String,
    /// H3 resolution of answer cells (default: the store's h3_default_question).
    #[arg(long)]
    res: Option<u8>,
    /// Privacy loss this question spends in every epoch it touches.
    #[arg(long)]
    epsilon: f64,
    /// laplace (pure ε, default) or gaussian (zCDP reported as (ε, δ)).
    #[arg(long, default_value = "laplace")]
    mechanism: String,
    /// Contribution bound L: partitions one device may add to (default: the store's).
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
    #[arg(long)]
    json: bool,
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

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo { dir } => demo(&dir),
        Command::Synth(a) => synth(&a, true).map(|_| ()),
        Command::Init { store } => {
            Store::init(&store, &Config::default())?;
            println!("created store {} (settings: {})", store.display(), store.join(crowdlens_store::CONFIG_FILE).display());
            Ok(())
        }
        Command::Ingest(IngestCommand::Pings { files, store, sensitive, map, json }) => {
            let store = Store::open(&store)?;
            let summary = ingest_files(&store, &files, sensitive.as_deref(), &map, !json, !json)?;
            if json {
                println!("{}", serde_json::to_string(&summary)?);
            }
            Ok(())
        }
        Command::Ask(AskCommand::Presence(a)) => presence(&a),
        Command::Budget { store, json } => budget(&store, json),
        Command::Store(StoreCommand::Info { store, json }) => store_info(&store, json),
    }
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
            s.pings, s.ip_based_pings, a.devices, a.days, s.pings_path.display()
        );
        println!("wrote {} sensitive places to {}", s.sensitive_places, s.sensitive_path.display());
    }
    Ok(s)
}

fn ingest_files(
    store: &Store,
    files: &[PathBuf],
    sensitive: Option<&Path>,
    map: &[String],
    show_progress: bool,
    print_each: bool,
) -> Result<IngestSummary> {
    let options = IngestOptions {
        sensitive: match sensitive {
            Some(p) => crowdlens_ingest::sensitive::SensitivePlaces::load(p)?,
            None => Default::default(),
        },
        column_overrides: IngestOptions::parse_mapping(map)?,
        now_s: None,
    };
    let mut total = IngestSummary::default();
    for file in files {
        let bar = Bar::new(show_progress, &format!("ingest {}", file.display()));
        let s = ingest_pings(store, file, &options, &bar)?;
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
    let p = &store.config().privacy;
    Ok(Ledger::open(&store.control_db_path(), p.epsilon_per_epoch, p.delta_per_epoch)?)
}

fn presence_question(a: &PresenceArgs) -> Result<PresenceQuestion> {
    Ok(PresenceQuestion {
        area: a.area.clone(),
        from_s: parse_instant(&a.from)?,
        to_s: parse_instant(&a.to)?,
        bucket_s: parse_span(&a.bucket).context("--bucket")?,
        res: a.res,
        epsilon: a.epsilon,
        mechanism: a.mechanism.parse::<Mechanism>()?,
        max_partitions: a.max_partitions,
    })
}

fn presence(a: &PresenceArgs) -> Result<()> {
    let store = Store::open(&a.store)?;
    let q = presence_question(a)?;
    if a.dry_run {
        let c = preview_presence(&store, &q)?;
        if a.json {
            println!("{}", serde_json::to_string(&c)?);
        } else {
            print_charge(&c);
        }
        return Ok(());
    }
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    let answer = rt.block_on(ask_presence(&store, &mut ledger, &asker(&a.case, &a.purpose), &q))?;
    if a.json {
        println!("{}", serde_json::to_string(&answer)?);
    } else {
        print_answer(&answer);
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
    if json {
        println!("{}", serde_json::to_string(&serde_json::json!({ "epochs": b }))?);
        return Ok(());
    }
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

fn store_info(path: &Path, json: bool) -> Result<()> {
    let store = Store::open(path)?;
    let m = store.manifest()?;
    let ledger = open_ledger(&store)?;
    let budget = ledger.budget(&store_epochs(&store)?)?;
    let mut totals = crowdlens_store::SourceCounts::default();
    for s in &m.sources {
        totals.add(&s.counts);
    }
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
                "config": store.config(),
            })
        );
        return Ok(());
    }
    println!("store {} (manifest generation {})", path.display(), m.generation);
    println!("rows stored: {} in {} segment file(s) from {} source file(s)", m.total_rows(), m.segments.len(), m.sources.len());
    println!(
        "ingest totals: read {} = stored {} + quarantined {} + dropped {}",
        totals.read, totals.stored, totals.quarantined, totals.dropped_total()
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
    println!("\nresolution: cells stored at H3 {}, questions up to H3 {}; times stored to {}s, buckets ≥ {}s", r.h3_store, r.h3_finest_question, r.time_store_seconds, r.time_finest_bucket_seconds);
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
        &SynthArgs { out: city.clone(), devices: 10_000, days: 3, seed: 1, start: "2026-11-02".into(), mean_pings: 40.0 },
        true,
    )?;

    println!("\n== 2. create a store with default settings");
    let store = Store::init(&store_dir, &Config::default())?;
    println!("created {}", store_dir.display());

    println!("\n== 3. ingest: validate, drop sensitive places and coarse fixes, pseudonymise, store by day");
    ingest_files(&store, &[s.pings_path.clone()], Some(&s.sensitive_path), &[], true, true)?;

    println!("\n== 4. three presence questions, each charged to the budget and audited");
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
        let a = rt.block_on(ask_presence(&store, &mut ledger, &asker("DEMO-1", "research"), &q))?;
        print_answer(&a);
    }

    println!("\n== 5. budget after three questions");
    let b = ledger.budget(&store_epochs(&store)?)?;
    for e in &b {
        println!("{}: spent ε={:.2} of {}, {:.2} left", e.epoch, e.epsilon_spent, e.epsilon_total, e.epsilon_remaining);
    }

    println!("\n== where things are");
    println!("  synthetic feed:     {}", s.pings_path.display());
    println!("  sensitive places:   {}", s.sensitive_path.display());
    println!("  store:              {}  (Parquet by day, manifest.json, keyring/, control.sqlite)", store_dir.display());
    println!("\n== what the numbers mean");
    println!("  Each value is the number of distinct devices seen in that H3 cell during that bucket,");
    println!("  plus discrete Laplace noise from OpenDP. The interval holds the true bounded count with");
    println!("  95% probability. Values can be negative or non-zero where no one was: that is the noise");
    println!("  that keeps any single device from being detectable. Each device counts in at most L");
    println!("  partitions per question (L = {}), and each question spends its ε from the week's budget.", store.config().privacy.default_max_partitions);
    println!("  Try: crowdlens budget --store {}", store_dir.display());
    println!("\ndemo finished in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
