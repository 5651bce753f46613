//! `budget`, `budget set` and `retention apply`: the ledger's rules and what is left of them.

use anyhow::{Context, Result};
use crowdlens_query::Asker;
use crowdlens_store::Store;
use std::path::Path;

use super::{local_actor, open_ledger, store_epochs};

pub(super) fn budget(store: &Path, json: bool) -> Result<()> {
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
pub(super) fn print_rules(rules: &crowdlens_control::Rules, store: &Store) {
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

pub(super) fn budget_set(store: &Path, rules: &[String], reason: &str) -> Result<()> {
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

pub(super) fn retention_apply(store: &Path, dry_run: bool, json: bool) -> Result<()> {
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
