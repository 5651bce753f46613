//! `risk` and `report transparency`: the two HTML reports. The risk report is operator-only
//! (exact figures of a raw feed); the transparency report is for publication.

use anyhow::{Context, Result};
use crowdlens_ingest::IngestOptions;
use crowdlens_store::Store;

use super::{open_ledger, ReportCommand, RiskArgs};
use crate::output::Bar;

/// `risk`: how unique a feed's devices are by a few of their points.
pub(super) fn risk(options: RiskArgs) -> Result<()> {
    let RiskArgs { source, map, points, devices, seed, out, json } = options;
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
    std::fs::write(&out, crowdlens_report::risk_html(&report)).with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", crowdlens_report::risk::RISK_BANNER);
        println!(
            "{} devices in {} rows; {} sampled. Share singled out by p points:",
            report.devices_total, report.rows_read, report.devices_sampled
        );
        for s in &report.resolutions {
            let shares: Vec<String> = s.unicity.iter().map(|(p, u)| format!("p={p}: {:.1}%", u * 100.0)).collect();
            println!("  {:<46} {}", s.name, shares.join("  "));
        }
        println!("wrote {}", out.display());
    }
    Ok(())
}

pub(super) fn report(command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Transparency { store, out, from, to, json, signed } => {
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
            if let Some(path) = &signed {
                let envelope = crowdlens_report::signed_transparency(&report, &ledger)?;
                std::fs::write(path, format!("{}\n", serde_json::to_string_pretty(&envelope)?))
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote the signed report to {} (check it with crowdlens verify)", path.display());
            }
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
    }
}
