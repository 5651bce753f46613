//! `ingest pings`, `ingest openrtb` and `synth`: files in, counted; stores created on demand.

use anyhow::{bail, Context, Result};
use crowdlens_ingest::{ingest_openrtb, ingest_pings, IngestOptions, IngestSummary};
use crowdlens_store::Store;
use crowdlens_synth::{generate, SynthOptions};
use std::path::{Path, PathBuf};

use super::{create_store, IngestArgs, IngestCommand, SynthArgs};
use crate::output::{print_summary, Bar};

pub(super) fn ingest(command: IngestCommand) -> Result<()> {
    match command {
        IngestCommand::Pings { source, map } => {
            let options = ingest_options(source.sensitive.as_deref(), &map, None)?;
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

pub(super) fn synth(a: &SynthArgs, show: bool) -> Result<crowdlens_synth::SynthSummary> {
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
        now_s: None,
        received_at_s,
        line_layout: Default::default(),
    })
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
        }
        total.add(s);
    }
    if !total.reconciles() {
        bail!("internal error: ingest counts do not reconcile; the store was not changed for the failing file");
    }
    Ok(total)
}
