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
    println!(
        "{:<10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}",
        "epoch", "ε total", "ε spent", "ε left", "pure ε", "ρ", "(ε, δ) pairs", "questions"
    );
    for e in &b {
        let pairs = format!("{:.3}, {:.1e}", e.parts.epsilon_approx, e.parts.delta_approx);
        println!(
            "{:<10} {:>10} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>12} {:>10}",
            e.epoch,
            e.epsilon_total,
            e.epsilon_spent,
            e.epsilon_remaining,
            e.parts.epsilon_pure,
            e.parts.rho,
            pairs,
            e.questions
        );
    }
    if b.iter().any(|e| e.parts.rho > 0.0) {
        println!(
            "ε spent is the epoch's guarantee at δ {:e}: pure ε adds, ρ (Gaussian questions) composes in zCDP and \
             converts to (ε, δ) once for the epoch, and (ε, δ) pairs (thresholded keys) add",
            rules.delta_per_epoch
        );
    }
    Ok(())
}

/// The rules in force (from the ledger), and a warning where the config file says otherwise.
pub(super) fn print_rules(rules: &crowdlens_control::Rules, store: &Store) {
    println!(
        "rules (recorded in the ledger; change with `crowdlens budget set`): ε {} per epoch, ε {} to {} per question; δ {:e} per epoch, {:e} per question; windows up to {} days; cells no finer than H3 {}, buckets no shorter than {} s; default bound L {}; at most {} partitions; retention {} weeks; purposes: {}",
        rules.epsilon_per_epoch,
        rules.min_epsilon_per_question,
        rules.max_epsilon_per_question,
        rules.delta_per_epoch,
        rules.delta_per_question,
        rules.max_window_days,
        rules.h3_finest_question,
        rules.time_finest_bucket_seconds,
        rules.default_max_partitions,
        rules.max_partitions_per_question,
        rules.retention_weeks,
        rules.purposes.join(", ")
    );
    let in_file = crowdlens_query::rules::rules_of_config(store.config());
    for name in crowdlens_control::Rules::NAMES {
        let (file, ledger) = (in_file.get(name), rules.get(name));
        if file != ledger {
            eprintln!(
                "warning: crowdlens.toml says {name} = {}, but the ledger's rule is {}, which applies; use `crowdlens budget set` to change a rule",
                file.map_or("nothing".into(), |v| v.to_string()),
                ledger.map_or("nothing".into(), |v| v.to_string()),
            );
        }
    }
}

pub(super) fn budget_set(store: &Path, rules: &[String], reason: &str) -> Result<()> {
    let store = Store::open(store)?;
    let mut ledger = open_ledger(&store)?;
    let who = Asker { actor: local_actor(), role: "admin".into(), case_id: "-".into(), purpose: "budget-rules".into() };
    for spec in rules {
        let (name, value) = spec.split_once('=').with_context(|| {
            format!("--rule {spec:?}: expected NAME=VALUE, e.g. epsilon_per_epoch=5 or purposes=research,oversight")
        })?;
        let id = crowdlens_query::rules::change_rule(&store, &mut ledger, &who, name.trim(), value, reason)?;
        let now = ledger.rules().get(name.trim()).map_or(String::new(), |v| v.to_string());
        println!("set {} = {now} (audit entry {id})", name.trim());
    }
    Ok(())
}

/// Retention as it applies itself (at ingest, when `serve` starts and daily while it runs):
/// audited like `retention apply`, under the system's name. Returns the epochs shredded.
pub(crate) fn apply_retention_now(store: &Store) -> Result<Vec<String>> {
    let mut ledger = open_ledger(store)?;
    let who = Asker {
        actor: "crowdlens:retention".into(),
        role: "admin".into(),
        case_id: "-".into(),
        purpose: "retention".into(),
    };
    let now = chrono::Utc::now().timestamp();
    let report = crowdlens_query::retention::apply_retention(store, &mut ledger, &who, now, false)?;
    Ok(report.epochs.into_iter().map(|e| e.epoch).collect())
}

/// Says on stderr which epochs retention shredded by itself, if any.
pub(crate) fn report_retention(shredded: &[String]) {
    if !shredded.is_empty() {
        eprintln!("retention: shredded {} (older than the ledger's retention_weeks; audited)", shredded.join(", "));
    }
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
    crate::output::print_retention(&report);
    Ok(())
}
