//! `ingest pings`, `ingest openrtb` and `synth` (to files, or straight into a store): sources in,
//! counted; stores created on demand.

use anyhow::{bail, Context, Result};
use crowdlens_ingest::{
    check_id_kind, ingest_openrtb, ingest_pings, pings_device_ids, DeviceIds, GeneratedFeed, GeneratedPing, IdKind,
    IngestError, IngestOptions, IngestSummary,
};
use crowdlens_store::Store;
use crowdlens_synth::{generate, SynthOptions};
use std::path::{Path, PathBuf};

use super::{create_store, IngestArgs, IngestCommand, SynthArgs};
use crate::output::{print_summary, Bar};

pub(super) fn ingest(command: IngestCommand) -> Result<()> {
    match command {
        IngestCommand::Pings { source, map, id_kind } => {
            let mut options = ingest_options(source.sensitive.as_deref(), &map, None)?;
            options.id_kind = id_kind.as_deref().map(IngestOptions::parse_id_kind).transpose()?;
            ingest_command(&source, &options, Source::Pings)
        }
        IngestCommand::Openrtb { source, received_at, time_field, request_field } => {
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

pub(super) fn synth_command(a: &SynthArgs) -> Result<()> {
    match &a.store {
        Some(store) => synth_into_store(a, store),
        None => synth(a, true).map(|_| ()),
    }
}

fn synth_options(a: &SynthArgs) -> Result<SynthOptions> {
    let start = chrono::NaiveDate::parse_from_str(&a.start, "%Y-%m-%d")
        .with_context(|| format!("--start {:?}: expected YYYY-MM-DD", a.start))?;
    let mean_bids_per_day = match (a.bids_per_day, &a.store) {
        (Some(bids), Some(_)) if bids > 0.0 => bail!(
            "synth --store generates pings only; to ingest bid requests, write them with `synth --out DIR` \
             (without --store) and run `ingest openrtb DIR/bids.jsonl.gz`"
        ),
        (_, Some(_)) => 0.0,
        (bids, None) => bids.unwrap_or(8.0),
    };
    let opts = SynthOptions {
        devices: a.devices,
        days: a.days,
        seed: a.seed,
        start,
        mean_pings_per_day: a.mean_pings,
        mean_bids_per_day,
        ..Default::default()
    };
    crowdlens_synth::check(&opts)?;
    Ok(opts)
}

/// The synthetic city as a feed generated in memory, one unit per device.
struct SynthFeed {
    opts: SynthOptions,
    places: Vec<crowdlens_synth::SensitivePlace>,
}

impl GeneratedFeed for SynthFeed {
    fn description(&self) -> String {
        let o = &self.opts;
        format!(
            "synth v1 city={} seed={} devices={} days={} start={} mean_pings={}",
            o.city.name, o.seed, o.devices, o.days, o.start, o.mean_pings_per_day
        )
    }

    fn units(&self) -> u64 {
        self.opts.devices
    }

    fn emit(&self, unit: u64, each: &mut dyn FnMut(&GeneratedPing<'_>)) {
        // The values as pings.csv carries them (micro-degrees, decimetres), so the store holds
        // the rows that writing the CSV and ingesting it would.
        let micro = |x: f64| (x * 1e6).round() / 1e6;
        crowdlens_synth::device_pings(&self.opts, &self.places, unit, |p| {
            each(&GeneratedPing {
                device_id: p.ad_id,
                id_type: Some(p.id_type),
                time_ms: p.time_ms,
                latitude: micro(p.latitude),
                longitude: micro(p.longitude),
                accuracy_m: Some((p.accuracy_m * 10.0).round() / 10.0),
            })
        })
    }
}

fn synth_into_store(a: &SynthArgs, store_dir: &Path) -> Result<()> {
    let opts = synth_options(a)?;
    // The store first: a directory that is not one is refused before anything is written.
    let store = open_or_create(store_dir)?;
    drop(super::open_ledger(&store)?);
    let (places, sensitive_path) = crowdlens_synth::write_sensitive_places(&a.out, &opts)?;
    println!("wrote {} sensitive places to {}", places.len(), sensitive_path.display());
    let options = ingest_options(Some(&sensitive_path), &[], None)?;
    let feed = SynthFeed { opts, places };
    let started = std::time::Instant::now();
    let bar = Bar::counter(true, "synth devices into the store", feed.units());
    let summary = crowdlens_ingest::ingest_generated(&store, &feed, &options, &bar)?;
    if !summary.reconciles() {
        bail!("internal error: ingest counts do not reconcile; the store was not changed");
    }
    if summary.skipped_already_ingested > 0 {
        println!("{}: already in the store (same generator and parameters); skipped", feed.description());
        return Ok(());
    }
    print_summary(&feed.description(), &summary);
    print_device_ids(&summary);
    let seconds = started.elapsed().as_secs_f64();
    println!("built the store in {seconds:.1} s ({:.0} pings a second)", summary.read as f64 / seconds.max(1e-9));
    super::budget::report_retention(&super::budget::apply_retention_now(&store)?);
    Ok(())
}

pub(super) fn synth(a: &SynthArgs, show: bool) -> Result<crowdlens_synth::SynthSummary> {
    let opts = synth_options(a)?;
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
    check_sources(&args.store, &args.files, options, source)?;
    let store = open_or_create(&args.store)?;
    // A store whose ledger is missing or rolled back takes no data: its budget is unknown.
    drop(super::open_ledger(&store)?);
    let summary = ingest_files(&store, &args.files, options, source, !args.json, !args.json)?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    super::budget::report_retention(&super::budget::apply_retention_now(&store)?);
    Ok(())
}

pub(super) fn ingest_options(
    sensitive: Option<&Path>,
    map: &[String],
    received_at_s: Option<i64>,
) -> Result<IngestOptions> {
    Ok(IngestOptions {
        sensitive: match sensitive {
            Some(p) => crowdlens_ingest::sensitive::SensitivePlaces::load(p)?,
            None => Default::default(),
        },
        column_overrides: IngestOptions::parse_mapping(map)?,
        id_kind: None,
        now_s: None,
        received_at_s,
        line_layout: Default::default(),
    })
}

/// Every source's header and the id kind of its units, checked before the store is created or
/// anything is written: a refused source leaves no store behind and no other source half
/// ingested. Each ingest checks its own again under the writer lock.
fn check_sources(store_dir: &Path, files: &[PathBuf], options: &IngestOptions, source: Source) -> Result<()> {
    let mut first: Option<(&PathBuf, DeviceIds)> = None;
    for file in files {
        let ids = match source {
            Source::Pings => pings_device_ids(file, options)?,
            Source::Openrtb => DeviceIds {
                column: crowdlens_ingest::pipeline::OPENRTB_DEVICE_COLUMN.into(),
                kind: IdKind::AdvertisingId,
            },
        };
        match &first {
            None => first = Some((file, ids)),
            Some((first_file, first_ids)) if first_ids.kind != ids.kind => {
                return Err(IngestError::MixedIdKinds {
                    path: file.clone(),
                    column: ids.column,
                    offered: ids.kind,
                    first: (*first_file).clone(),
                    first_column: first_ids.column.clone(),
                    first_kind: first_ids.kind,
                }
                .into())
            }
            Some(_) => {}
        }
    }
    if let Some((file, ids)) = first {
        if store_dir.join(crowdlens_store::CONFIG_FILE).exists() {
            check_id_kind(&Store::open(store_dir)?, file, &ids)?;
        }
    }
    Ok(())
}

/// The summary's line on identity: which column the units come from, and their id kind.
fn print_device_ids(s: &IngestSummary) {
    if let Some(kind) = s.id_kind {
        let what = match kind {
            IdKind::AdvertisingId => "advertising ids",
            IdKind::Other => "mapped explicitly, declared to identify devices",
        };
        println!("  device id    {} (id kind {kind}: {what})", s.device_id_columns.join(", "));
    }
}

#[derive(Clone, Copy)]
pub(super) enum Source {
    Pings,
    Openrtb,
}

pub(super) fn ingest_files(
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
            print_device_ids(&s);
        }
        total.add(s);
    }
    if !total.reconciles() {
        bail!("internal error: ingest counts do not reconcile; the store was not changed for the failing file");
    }
    Ok(total)
}
