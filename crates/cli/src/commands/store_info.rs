//! `store info`: what a store holds, what it has spent, and whether others can read it.

use anyhow::Result;
use crowdlens_store::Store;
use std::path::Path;

use super::budget::print_rules;
use super::{open_ledger, store_epochs};

pub(super) fn store_info(path: &Path, json: bool) -> Result<()> {
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
    let rules = ledger.rules();
    println!(
        "\nresolution: cells stored at H3 {}, questions up to H3 {}; times stored to {}s, buckets ≥ {}s",
        r.h3_store, rules.h3_finest_question, r.time_store_seconds, rules.time_finest_bucket_seconds
    );
    print_rules(rules, &store);
    println!("retention: {} weeks", rules.retention_weeks);
    Ok(())
}
