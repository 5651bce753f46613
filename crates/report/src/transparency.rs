//! The transparency report: what was asked of a store, by whom and why, what it cost, what was
//! refused, which rules changed, which sources were committed and which epochs shredded, and
//! the audit chain's head. Built from the ledger, the audit chain, the manifest and the rules
//! only: it never reads a row of data, and nothing in it depends on the rows. Two stores that
//! differ by one device-week give the same report. Ingest appears as each source's kind and
//! commit time only: its exact accounting (rows read, stored, quarantined, dropped by reason)
//! counts individual devices' rows, so it is operator-only (`crowdlens store info`).

use crowdlens_control::Ledger;
use crowdlens_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::html::{bars, escape, number, page, spent_of_total, table};
use crate::ReportError;

/// The days the report covers, inclusive, as `YYYY-MM-DD`; `None` is unbounded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    fn contains(&self, at: &str) -> bool {
        let day = &at[..at.len().min(10)];
        self.from.as_deref().is_none_or(|f| day >= f) && self.to.as_deref().is_none_or(|t| day <= t)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TransparencyReport {
    pub generated_at: String,
    pub period: Period,
    pub guarantee: Guarantee,
    pub budget: Vec<EpochSpend>,
    pub spend: Spend,
    pub questions: QuestionCounts,
    /// Every rule recorded or changed in the period, in audit order.
    pub rule_changes: Vec<RuleChange>,
    pub largest_spends: Vec<LargeSpend>,
    pub ingest: Ingest,
    pub retention: Retention,
    pub audit: AuditHead,
}

/// The promise, in the numbers that make it: the ledger's rules in force when the report was
/// made (the rule changes list what they were before), and how the store keeps its rows.
#[derive(Debug, Clone, Serialize)]
pub struct Guarantee {
    pub privacy_unit: String,
    pub epsilon_per_epoch: f64,
    pub delta_per_epoch: f64,
    pub max_epsilon_per_question: f64,
    pub min_epsilon_per_question: f64,
    pub delta_per_question: f64,
    pub max_window_days: f64,
    pub default_contribution_bound: u32,
    pub max_partitions_per_question: u64,
    pub finest_h3_resolution: u8,
    pub finest_bucket_seconds: i64,
    pub stored_h3_resolution: u8,
    pub stored_time_seconds: i64,
    pub retention_weeks: u32,
    pub purposes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EpochSpend {
    pub epoch: String,
    pub epsilon_total: f64,
    /// The ε of the epoch's guarantee, its charges composed as the ledger composes them.
    pub epsilon_spent: f64,
    pub epsilon_remaining: f64,
    pub delta_spent: f64,
    /// The parts the guarantee combines: pure ε, ρ of zCDP, and (ε, δ) pairs.
    pub parts: crowdlens_control::Spend,
    pub questions: u64,
}

/// ε spent (summed over the epochs each question touched) and questions, by one grouping.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub key: String,
    pub epsilon: f64,
    pub questions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Spend {
    pub by_purpose: Vec<Share>,
    pub by_case: Vec<Share>,
    pub by_kind: Vec<Share>,
    pub by_role: Vec<Share>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct QuestionCounts {
    /// Questions charged (each read data).
    pub asked: u64,
    pub answered: u64,
    pub failed_after_charge: u64,
    pub abandoned_after_charge: u64,
    /// Questions refused before any data was read, with nothing charged.
    pub refused: u64,
    /// By class: one per code's class, and the old entries (before codes) by their wording.
    pub refused_by_reason: BTreeMap<String, u64>,
    /// By stable code ([`crowdlens_control::outcome::REFUSAL_CODES`]); entries written before
    /// refusals had codes count under `uncoded`.
    pub refused_by_code: BTreeMap<String, u64>,
    /// Dry runs (priced, nothing read or charged), and dry runs refused.
    pub dry_runs: u64,
    pub dry_runs_refused: u64,
    /// Questions given a kept answer again (the same question, asker, case and purpose, of the
    /// same data): nothing read or charged.
    pub reused: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LargeSpend {
    pub audit_id: i64,
    pub at: String,
    pub kind: String,
    pub case_id: String,
    pub purpose: String,
    pub role: String,
    pub epsilon: f64,
    pub epochs: Vec<String>,
}

/// One rule recorded (when the ledger was created, or a rule first recorded later) or
/// changed, from its audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChange {
    pub audit_id: i64,
    pub at: String,
    pub actor: String,
    pub rule: String,
    /// The value before; `null` when the rule was first recorded.
    pub from: serde_json::Value,
    /// The value after: a number, or a JSON array (such as a list of purposes).
    pub to: serde_json::Value,
    /// The reason given with the change; `null` for a first recording.
    pub reason: Option<String>,
}

/// What the report says about ingest: which sources were committed, never what they held.
#[derive(Debug, Clone, Serialize)]
pub struct Ingest {
    /// Sources committed in the period.
    pub sources: u64,
    /// Each one's kind (`pings`, `openrtb`, ...) and commit time, in commit order.
    pub committed: Vec<CommittedSource>,
    /// Where the exact accounting is, and why it is not here.
    pub accounting: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommittedSource {
    pub kind: String,
    pub committed_at: String,
}

/// Why the report has no ingest counts, as it says in JSON and HTML.
pub const INGEST_ACCOUNTING: &str = "Exact ingest accounting (rows read, stored, quarantined and dropped by reason) is operator-only: it counts individual devices' rows, so it is shown only to the store's owner by `crowdlens store info` and is never served by the API or published in this report.";

#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    pub weeks: u32,
    /// Epochs the audit chain records retention shredding in the period, and when it finished
    /// (`null` while one is begun and not finished).
    pub shredded: Vec<Shredded>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Shredded {
    pub epoch: String,
    pub at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditHead {
    pub entries: u64,
    pub head_id: Option<i64>,
    pub head_hash: Option<String>,
    pub verified: bool,
    pub problem: Option<String>,
}

/// A refusal's reason without the numbers that make each one different.
/// The class of a refusal audited before refusals had codes, read off its wording. Only such
/// old entries come here: every newer one carries its code.
fn legacy_reason_class(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    let classes: [(&[&str], &str); 11] = [
        (&["budget exhausted"], "epoch budget exhausted"),
        (&["above this store's cap"], "ε above the per-question cap"),
        (&["below this store's floor"], "ε below the per-question floor"),
        (&["purpose"], "purpose not allowed"),
        (&["case"], "no case given"),
        (&["finest", "floor", "bucket"], "finer than the resolution or time floor"),
        (&["window", "newest", "no data"], "window refused"),
        (&["partitions"], "too many partitions"),
        (&["area", "cell", "polygon", "geojson"], "area refused"),
        (&["epsilon", "delta", "bound"], "bad privacy parameters"),
        (&["categor"], "no categories"),
    ];
    classes.iter().find(|(needles, _)| needles.iter().any(|n| r.contains(n))).map_or("other", |(_, class)| class)
}

/// The rules an audit entry recorded or changed; empty for any other entry. Recordings
/// (`rules recorded`, question `{"rules": {NAME: VALUE, ...}}`) have no old value; changes
/// (`rule changed: NAME OLD -> NEW`, question `{"rule", "from", "to", "reason"}`) have both.
/// A value is kept as the JSON it was audited as: a number, or an array such as purposes.
fn rule_changes_of(e: &crowdlens_control::audit::Entry) -> Vec<RuleChange> {
    use serde_json::Value;
    if !e.outcome.starts_with("rule") {
        return Vec::new();
    }
    let Ok(q) = serde_json::from_str::<Value>(&e.question) else { return Vec::new() };
    let reason = q.get("reason").and_then(Value::as_str).map(str::to_string);
    let change = |rule: &str, from: Option<&Value>, to: Option<&Value>| RuleChange {
        audit_id: e.id.parse().unwrap_or_default(),
        at: e.at.clone(),
        actor: e.actor.clone(),
        rule: rule.to_string(),
        from: from.cloned().unwrap_or(Value::Null),
        to: to.cloned().unwrap_or(Value::Null),
        reason: reason.clone(),
    };
    if let Some(rule) = q.get("rule").and_then(Value::as_str) {
        return vec![change(rule, q.get("from"), q.get("to"))];
    }
    match q.get("rules").and_then(Value::as_object) {
        Some(rules) => rules
            .iter()
            .map(|(name, value)| match value.as_object() {
                // Several rules changed in one entry: {NAME: {"from", "to"}}.
                Some(fields) if fields.contains_key("to") => change(name, fields.get("from"), fields.get("to")),
                _ => change(name, None, Some(value)),
            })
            .collect(),
        None => Vec::new(),
    }
}

fn shares(map: BTreeMap<String, (f64, u64)>) -> Vec<Share> {
    let mut v: Vec<Share> =
        map.into_iter().map(|(key, (epsilon, questions))| Share { key, epsilon, questions }).collect();
    v.sort_by(|a, b| b.epsilon.total_cmp(&a.epsilon).then(a.key.cmp(&b.key)));
    v
}

/// Builds the report. `now` is written into it as the time it was generated.
pub fn transparency(
    store: &Store,
    ledger: &Ledger,
    period: &Period,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<TransparencyReport, ReportError> {
    let config = store.config();
    // Every rule is the ledger's; the config supplies only how the store keeps its rows.
    let rules = ledger.rules().clone();
    let guarantee = Guarantee {
        privacy_unit: "one device (one advertising id) in one epoch, an ISO week in UTC".into(),
        epsilon_per_epoch: rules.epsilon_per_epoch,
        delta_per_epoch: rules.delta_per_epoch,
        max_epsilon_per_question: rules.max_epsilon_per_question,
        min_epsilon_per_question: rules.min_epsilon_per_question,
        delta_per_question: rules.delta_per_question,
        max_window_days: rules.max_window_days,
        default_contribution_bound: rules.default_max_partitions,
        max_partitions_per_question: rules.max_partitions_per_question,
        finest_h3_resolution: rules.h3_finest_question,
        finest_bucket_seconds: rules.time_finest_bucket_seconds,
        stored_h3_resolution: config.resolution.h3_store,
        stored_time_seconds: config.resolution.time_store_seconds,
        retention_weeks: rules.retention_weeks,
        purposes: rules.purposes.clone(),
    };

    let entries = ledger.audit_entries()?;
    let by_id: BTreeMap<i64, &crowdlens_control::audit::Entry> =
        entries.iter().filter_map(|e| e.id.parse().ok().map(|id| (id, e))).collect();
    let in_period = |id: i64| by_id.get(&id).is_some_and(|e| period.contains(&e.at));

    // A charge's epochs and ε, from the charges table.
    let mut charged: BTreeMap<i64, (f64, Vec<String>)> = BTreeMap::new();
    let mut epochs: BTreeMap<String, EpochSpend> = BTreeMap::new();
    for c in ledger.charges()? {
        if !in_period(c.audit_id) {
            continue;
        }
        // A question's share is its own ε, as its entry records it (a Gaussian question's
        // charges row holds its ρ instead).
        let own = by_id.get(&c.audit_id).and_then(|e| e.epsilon.parse::<f64>().ok()).unwrap_or(c.epsilon);
        let entry = charged.entry(c.audit_id).or_insert((own, Vec::new()));
        entry.1.push(c.epoch.clone());
        let e = epochs.entry(c.epoch.clone()).or_insert_with(|| EpochSpend {
            epoch: c.epoch.clone(),
            epsilon_total: rules.epsilon_per_epoch,
            epsilon_spent: 0.0,
            epsilon_remaining: 0.0,
            delta_spent: 0.0,
            parts: Default::default(),
            questions: 0,
        });
        e.parts = e.parts.with(c.cost());
        e.questions += 1;
    }
    for e in epochs.values_mut() {
        let guarantee = e.parts.guarantee(rules.delta_per_epoch);
        e.epsilon_spent = guarantee.epsilon;
        e.delta_spent = guarantee.delta;
        e.epsilon_remaining = (e.epsilon_total - e.epsilon_spent).max(0.0);
    }

    let kind_of = |question: &str| -> String {
        serde_json::from_str::<serde_json::Value>(question)
            .ok()
            .and_then(|q| q.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_else(|| "unrecorded".into())
    };
    let mut counts = QuestionCounts::default();
    let (mut by_purpose, mut by_case, mut by_kind, mut by_role) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut largest = Vec::new();
    let mut rule_changes = Vec::new();
    // Epoch → when its shredding finished, from retention's audit entries.
    let mut shredded_at: BTreeMap<String, Option<String>> = BTreeMap::new();
    for e in &entries {
        if !period.contains(&e.at) {
            continue;
        }
        rule_changes.extend(rule_changes_of(e));
        let outcome = e.outcome.as_str();
        if let Some(epoch) = outcome.strip_prefix("shredding epoch ") {
            shredded_at.entry(epoch.to_string()).or_default();
        }
        if let Some(refusal) = crowdlens_control::outcome::parse_refusal(outcome) {
            if refusal.dry_run {
                counts.dry_runs_refused += 1;
                continue;
            }
            counts.refused += 1;
            let class = match refusal.code {
                Some(code) => crowdlens_control::outcome::class_of(code),
                None => legacy_reason_class(refusal.explanation),
            };
            *counts.refused_by_reason.entry(class.to_string()).or_default() += 1;
            *counts.refused_by_code.entry(refusal.code.unwrap_or("uncoded").to_string()).or_default() += 1;
        } else if outcome == "priced (dry run)" || outcome.starts_with("dry run: would re-use") {
            counts.dry_runs += 1;
        } else if crowdlens_control::outcome::parse_reuse(outcome).is_some() {
            counts.reused += 1;
        } else if outcome == "answered" {
            counts.answered += 1;
        } else if outcome.starts_with("failed after charge") {
            counts.failed_after_charge += 1;
        } else if outcome.starts_with("abandoned after charge") {
            counts.abandoned_after_charge += 1;
        } else if let Some(rest) = outcome.strip_prefix("epoch ") {
            if let Some(epoch) = rest.strip_suffix(" shredded: segments deleted, key destroyed") {
                shredded_at.insert(epoch.to_string(), Some(e.at.clone()));
            }
        } else if outcome == "charged" {
            counts.asked += 1;
            let id: i64 = e.id.parse().unwrap_or_default();
            let Some((epsilon, charged_epochs)) = charged.get(&id) else { continue };
            let total = epsilon * charged_epochs.len() as f64;
            let kind = kind_of(&e.question);
            for (map, key) in [
                (&mut by_purpose, e.purpose.clone()),
                (&mut by_case, e.case_id.clone()),
                (&mut by_kind, kind.clone()),
                (&mut by_role, e.role.clone()),
            ] {
                let s: &mut (f64, u64) = map.entry(key).or_default();
                s.0 += total;
                s.1 += 1;
            }
            largest.push(LargeSpend {
                audit_id: id,
                at: e.at.clone(),
                kind,
                case_id: e.case_id.clone(),
                purpose: e.purpose.clone(),
                role: e.role.clone(),
                epsilon: total,
                epochs: charged_epochs.clone(),
            });
        }
    }
    largest.sort_by(|a, b| b.epsilon.total_cmp(&a.epsilon).then(a.audit_id.cmp(&b.audit_id)));
    largest.truncate(10);

    // Of each source, only what does not depend on its rows: no counts, path or digest.
    let manifest = store.manifest()?;
    let committed: Vec<CommittedSource> = manifest
        .sources
        .iter()
        .filter(|s| period.contains(&s.committed_at))
        .map(|s| CommittedSource { kind: s.kind.clone(), committed_at: s.committed_at.clone() })
        .collect();
    let ingest = Ingest { sources: committed.len() as u64, committed, accounting: INGEST_ACCOUNTING.to_string() };
    let shredded = shredded_at.into_iter().map(|(epoch, at)| Shredded { epoch, at }).collect();

    let verified = ledger.verify_audit();
    let head = verified.as_ref().ok().cloned().flatten();
    Ok(TransparencyReport {
        generated_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        period: period.clone(),
        guarantee,
        budget: epochs.into_values().collect(),
        spend: Spend {
            by_purpose: shares(by_purpose),
            by_case: shares(by_case),
            by_kind: shares(by_kind),
            by_role: shares(by_role),
        },
        questions: counts,
        rule_changes,
        largest_spends: largest,
        ingest,
        retention: Retention { weeks: rules.retention_weeks, shredded },
        audit: AuditHead {
            entries: entries.len() as u64,
            head_id: head.as_ref().map(|h| h.id),
            head_hash: head.map(|h| h.hash),
            verified: verified.is_ok(),
            problem: verified.err().map(|e| e.to_string()),
        },
    })
}

/// A rule's value as it was audited: a number as JSON writes it, a list joined by commas.
fn rule_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "–".into(),
        other => other.to_string(),
    }
}

fn share_section(title: &str, id: &str, shares: &[Share]) -> String {
    if shares.is_empty() {
        return format!("<h3>{}</h3><p class=\"muted\">Nothing spent.</p>", escape(title));
    }
    let items: Vec<(String, f64)> = shares.iter().map(|s| (s.key.clone(), s.epsilon)).collect();
    format!(
        "<h3>{}</h3>{}",
        escape(title),
        bars(id, &items, None, "ε")
            + &table(
                &["", "ε spent", "questions"],
                &shares
                    .iter()
                    .map(|s| vec![s.key.clone(), number(s.epsilon, 3), number(s.questions as f64, 0)])
                    .collect::<Vec<_>>()
            )
    )
}

/// The report signed with the store's key, for publication: its payload is the report with
/// the chain's length and head it was built at (`witness`), so that anyone holding a published
/// copy can show a later ledger was rolled back (`crowdlens audit verify --receipts`).
pub fn signed_transparency(
    r: &TransparencyReport,
    ledger: &crowdlens_control::Ledger,
) -> Result<crowdlens_control::signed::Envelope, crowdlens_control::ControlError> {
    let mut payload = serde_json::to_value(r).expect("a report serialises");
    payload["witness"] = serde_json::json!({
        "chain_length": r.audit.head_id,
        "head": r.audit.head_hash,
    });
    ledger.sign(crowdlens_control::signed::TRANSPARENCY_REPORT, &payload)
}

/// The report as one self-contained HTML page.
pub fn transparency_html(r: &TransparencyReport) -> String {
    let g = &r.guarantee;
    let mut b = String::new();
    let period = match (&r.period.from, &r.period.to) {
        (None, None) => "everything recorded".to_string(),
        (f, t) => format!("{} to {}", f.as_deref().unwrap_or("the start"), t.as_deref().unwrap_or("now")),
    };
    let _ = write!(
        b,
        "<h1>crowdlens transparency report</h1><p class=\"muted\">Generated {} · period: {} · built from the ledger, the audit chain, the manifest's list of sources and the rules; no row of data was read to make it, and nothing in it depends on the rows.</p>",
        escape(&r.generated_at),
        escape(&period)
    );
    let _ = write!(
        b,
        "<h2>The guarantee</h2><div class=\"box\"><p>Every number this store releases is differentially private for <b>{}</b>. \
         Across all questions, every case and every analyst, one epoch may spend at most <b>ε = {}</b> and <b>δ = {}</b>; \
         a single question at most <b>ε = {}</b> and at least ε = {} (and δ = {} when it uses Gaussian noise or keys found in the data). \
         A question may cover at most {} days. Each device counts in at most <b>L = {}</b> partitions of a question unless the question sets a smaller or larger bound, \
         which its price reflects. No answer is finer than H3 resolution {} or {}-minute buckets; data is stored at resolution {} and {}-minute times, \
         under per-week pseudonyms whose keys are destroyed after {} weeks. Questions must name a case and one of these purposes: {}.</p>\
         <p>What this means: whether or not any one device's week is in the data changes the probability of any released answer by a factor of at most e<sup>ε</sup> (plus δ), \
         summed over every question touching that week. It does not hide facts about crowds, which is the point of the answers.</p></div>",
        escape(&g.privacy_unit),
        number(g.epsilon_per_epoch, 3),
        number(g.delta_per_epoch, 3),
        number(g.max_epsilon_per_question, 3),
        number(g.min_epsilon_per_question, 3),
        number(g.delta_per_question, 3),
        number(g.max_window_days, 0),
        g.default_contribution_bound,
        g.finest_h3_resolution,
        g.finest_bucket_seconds / 60,
        g.stored_h3_resolution,
        g.stored_time_seconds / 60,
        g.retention_weeks,
        escape(&g.purposes.join(", "))
    );

    b.push_str("<h2>Budget per epoch</h2>");
    if r.budget.is_empty() {
        b.push_str("<p class=\"muted\">No budget spent in this period.</p>");
    } else {
        let items: Vec<(String, f64, f64)> =
            r.budget.iter().map(|e| (e.epoch.clone(), e.epsilon_spent, e.epsilon_total)).collect();
        b.push_str(&spent_of_total("budget-chart", &items));
        let rows: Vec<Vec<String>> = r
            .budget
            .iter()
            .map(|e| {
                vec![
                    e.epoch.clone(),
                    number(e.epsilon_spent, 3),
                    number(e.epsilon_remaining, 3),
                    number(e.delta_spent, 3),
                    number(e.questions as f64, 0),
                ]
            })
            .collect();
        b.push_str(&table(&["epoch", "ε spent", "ε remaining", "δ spent", "questions"], &rows));
    }

    b.push_str(
        "<h2>How it was spent</h2><p class=\"muted\">ε summed over the epochs each question was charged in.</p>",
    );
    b.push_str(&share_section("By purpose", "by-purpose", &r.spend.by_purpose));
    b.push_str(&share_section("By case", "by-case", &r.spend.by_case));
    b.push_str(&share_section("By question", "by-kind", &r.spend.by_kind));
    b.push_str(&share_section("By role", "by-role", &r.spend.by_role));

    b.push_str("<h2>Rule changes in this period</h2><p class=\"muted\">Every budget rule, cap and floor lives in the ledger; each recording and each change is an audit entry, listed here beside the spend it governed.</p>");
    if r.rule_changes.is_empty() {
        b.push_str("<p class=\"muted\">No rule was recorded or changed in this period.</p>");
    } else {
        let rows: Vec<Vec<String>> = r
            .rule_changes
            .iter()
            .map(|c| {
                vec![
                    format!("#{}", c.audit_id),
                    c.at.get(..19).unwrap_or(&c.at).replace('T', " "),
                    c.actor.clone(),
                    c.rule.clone(),
                    if c.from.is_null() { "(first recorded)".into() } else { rule_value(&c.from) },
                    rule_value(&c.to),
                    c.reason.clone().unwrap_or_else(|| "–".into()),
                ]
            })
            .collect();
        b.push_str(&table(&["entry", "at (UTC)", "actor", "rule", "from", "to", "reason"], &rows));
    }

    let q = &r.questions;
    b.push_str("<h2>Questions</h2>");
    b.push_str(&table(
        &["", "count"],
        &[
            vec!["asked and charged (each read data)".into(), number(q.asked as f64, 0)],
            vec!["answered".into(), number(q.answered as f64, 0)],
            vec!["failed after the charge (the charge stands)".into(), number(q.failed_after_charge as f64, 0)],
            vec![
                "abandoned after the charge (timeout or cancel; the charge stands)".into(),
                number(q.abandoned_after_charge as f64, 0),
            ],
            vec!["refused before any data was read (nothing charged)".into(), number(q.refused as f64, 0)],
            vec!["priced only (dry run; nothing read or charged)".into(), number(q.dry_runs as f64, 0)],
            vec!["dry runs refused".into(), number(q.dry_runs_refused as f64, 0)],
        ],
    ));
    if !q.refused_by_reason.is_empty() {
        b.push_str("<h3>Refusals by reason</h3>");
        let rows: Vec<Vec<String>> =
            q.refused_by_reason.iter().map(|(k, v)| vec![k.clone(), number(*v as f64, 0)]).collect();
        b.push_str(&table(&["reason", "refusals"], &rows));
        let rows: Vec<Vec<String>> =
            q.refused_by_code.iter().map(|(k, v)| vec![k.clone(), number(*v as f64, 0)]).collect();
        b.push_str(&table(&["code", "refusals"], &rows));
    }
    b.push_str("<h3>Largest single spends</h3>");
    if r.largest_spends.is_empty() {
        b.push_str("<p class=\"muted\">None.</p>");
    } else {
        let rows: Vec<Vec<String>> = r
            .largest_spends
            .iter()
            .map(|s| {
                vec![
                    format!("#{}", s.audit_id),
                    s.at.get(..19).unwrap_or(&s.at).replace('T', " "),
                    s.kind.clone(),
                    s.case_id.clone(),
                    s.purpose.clone(),
                    s.role.clone(),
                    number(s.epsilon, 3),
                    s.epochs.join(" "),
                ]
            })
            .collect();
        b.push_str(&table(&["entry", "at (UTC)", "question", "case", "purpose", "role", "ε", "epochs"], &rows));
    }

    let _ = write!(
        b,
        "<h2>Ingest</h2><p>{} source(s) committed in this period. Every row read is stored, quarantined (malformed) or dropped for a stated reason: consent (COPPA, LMT, TCF, GPP, US Privacy), sensitive places, accuracy or identity.</p><p class=\"muted\">{}</p>",
        number(r.ingest.sources as f64, 0),
        escape(&r.ingest.accounting)
    );
    if !r.ingest.committed.is_empty() {
        let rows: Vec<Vec<String>> =
            r.ingest.committed.iter().map(|c| vec![c.kind.clone(), c.committed_at.clone()]).collect();
        b.push_str(&table(&["source kind", "committed at"], &rows));
    }

    let _ = write!(b, "<h2>Retention</h2><p>Epochs older than {} weeks are shredded: their segments deleted and their pseudonym key destroyed.</p>", r.retention.weeks);
    if r.retention.shredded.is_empty() {
        b.push_str("<p class=\"muted\">No epoch was shredded in this period.</p>");
    } else {
        let rows: Vec<Vec<String>> = r
            .retention
            .shredded
            .iter()
            .map(|s| vec![s.epoch.clone(), s.at.clone().unwrap_or_else(|| "–".into())])
            .collect();
        b.push_str(&table(&["epoch", "shredded at"], &rows));
        if r.retention.shredded.iter().any(|s| s.at.is_none()) {
            b.push_str("<p class=\"muted\">–: shredding begun and not yet finished; retention finishes it on its next run.</p>");
        }
    }

    let a = &r.audit;
    let _ = write!(
        b,
        "<h2>Audit chain</h2><div class=\"box {}\"><p>{}</p><p>Entries: {} · head entry: #{} · head hash:<br><code id=\"head-hash\">{}</code></p>\
         <p class=\"muted\">Each entry's SHA-256 covers the entry before it. Keep this hash: a later copy of the log, or a later report, must reach it unchanged (<code>crowdlens audit verify</code>).</p></div>",
        if a.verified { "ok" } else { "bad" },
        if a.verified {
            "Chain verified when this report was generated.".to_string()
        } else {
            format!("Chain did NOT verify: {}", escape(a.problem.as_deref().unwrap_or("unknown")))
        },
        number(a.entries as f64, 0),
        a.head_id.map_or("–".into(), |i| i.to_string()),
        escape(a.head_hash.as_deref().unwrap_or("–"))
    );
    page("crowdlens transparency report", &b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crowdlens_control::{LedgerFiles, Requester, Rules};
    use crowdlens_store::{Config, SourceCounts, SourceFile};
    use crowdlens_types::{Pseudonym, StoredPing};

    const MONDAY_W45: i64 = 1_793_577_600;

    /// A new store's rules, as `crowdlens_query::rules::rules_of_config` makes them.
    fn rules() -> Rules {
        let c = Config::default();
        let p = &c.privacy;
        Rules {
            epsilon_per_epoch: p.epsilon_per_epoch,
            delta_per_epoch: p.delta_per_epoch,
            max_epsilon_per_question: p.max_epsilon_per_question,
            min_epsilon_per_question: p.min_epsilon_per_question,
            delta_per_question: p.delta_per_question,
            max_window_days: f64::from(p.max_window_days),
            retention_weeks: p.retention_weeks,
            h3_finest_question: c.resolution.h3_finest_question,
            time_finest_bucket_seconds: c.resolution.time_finest_bucket_seconds,
            default_max_partitions: p.default_max_partitions,
            max_partitions_per_question: p.max_partitions_per_question,
            purposes: p.purposes.clone(),
            max_epsilon_per_case_per_epoch: p.epsilon_per_epoch,
            approval_above_epsilon: p.epsilon_per_epoch,
        }
    }

    fn admin() -> Requester {
        Requester {
            actor: "cli:uid=1000(admin)".into(),
            role: "admin".into(),
            case_id: "-".into(),
            purpose: "budget-rules".into(),
        }
    }

    /// A store with one committed source of `devices` devices, of which the last has three
    /// pings dropped at a reproductive-health clinic.
    fn store(dir: &std::path::Path, devices: u64, clinic_drops: u64) -> (Store, Ledger) {
        let store = Store::init(&dir.join("st"), &Config::default()).unwrap();
        let files = LedgerFiles { database: store.control_db_path(), witness: store.ledger_witness_path() };
        let ledger = Ledger::create(&files, &rules()).unwrap();
        let mut run = store.begin_ingest().unwrap();
        for d in 0..devices {
            let ping = StoredPing {
                pseudonym: Pseudonym(d),
                cell: 0x8a2a1072b59ffff,
                time_s: MONDAY_W45 + 60,
                category: None,
            };
            run.push(ping).unwrap();
        }
        let dropped = [("sensitive_place:reproductive_health".to_string(), clinic_drops), ("coppa".to_string(), 7)];
        let counts = SourceCounts {
            read: devices + 2 + clinic_drops + 7,
            stored: devices,
            quarantined: 2,
            dropped: dropped.into_iter().collect(),
        };
        let source = SourceFile {
            digest: format!("blake3:{devices:064}"),
            path: "/home/op/feeds/secret-vendor.csv".into(),
            bytes: 12_345 + devices,
        };
        run.commit(source, "pings", counts).unwrap();
        (store, ledger)
    }

    /// The report as JSON with the values that differ between any two runs (times, the
    /// chain's head) blanked.
    fn normalised(r: &TransparencyReport) -> serde_json::Value {
        fn blank(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map.iter_mut() {
                        if ["at", "committed_at", "generated_at", "head_hash"].contains(&k.as_str()) {
                            *v = serde_json::Value::Null;
                        } else {
                            blank(v);
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(blank),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(r).unwrap();
        blank(&mut v);
        v
    }

    #[test]
    fn ingest_says_nothing_that_depends_on_the_rows() {
        let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        // Neighbours: the second store has one more device, with three more clinic pings.
        let (a, a_ledger) = store(a_dir.path(), 40, 304);
        let (b, b_ledger) = store(b_dir.path(), 41, 307);
        let now = chrono::Utc::now();
        let ra = transparency(&a, &a_ledger, &Period::default(), now).unwrap();
        let rb = transparency(&b, &b_ledger, &Period::default(), now).unwrap();
        assert_eq!(normalised(&ra), normalised(&rb), "neighbouring stores give the same report");
        assert_eq!(transparency_html(&ra).len(), transparency_html(&rb).len());

        assert_eq!(ra.ingest.sources, 1);
        assert_eq!(ra.ingest.committed[0].kind, "pings");
        let json = serde_json::to_string(&ra).unwrap();
        let html = transparency_html(&ra);
        for page in [&json, &html] {
            for leak in
                ["secret-vendor", "/home/op", "blake3:", "sensitive_place", "reproductive", "coppa", ">304<", ":304"]
            {
                assert!(!page.contains(leak), "the report shows {leak:?}");
            }
            assert!(
                page.contains("operator-only") && page.contains("crowdlens store info"),
                "it says where the counts are"
            );
        }
        for field in
            ["\"read\"", "\"stored\"", "\"quarantined\"", "\"dropped\"", "\"path\"", "\"digest\"", "\"reconciles\""]
        {
            assert!(!json.contains(field), "{field} in {json}");
        }
    }

    #[test]
    fn rule_changes_are_listed_with_their_values_and_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut ledger) = store(dir.path(), 3, 0);
        ledger.set_rule(&admin(), "epsilon_per_epoch", &5.0.into(), "policy 2026-12").unwrap();
        // A rule whose value is a list.
        let purposes = serde_json::json!(["research", "public-health"]);
        ledger.set_rule(&admin(), "purposes", &purposes, "new programme").unwrap();
        let r = transparency(&store, &ledger, &Period::default(), chrono::Utc::now()).unwrap();
        // The rules recorded at creation come first, each without an old value.
        let recorded: Vec<&RuleChange> = r.rule_changes.iter().filter(|c| c.from.is_null()).collect();
        assert_eq!(recorded.len(), Rules::NAMES.len(), "{:?}", r.rule_changes);
        assert!(recorded.iter().all(|c| c.reason.is_none() && c.actor == "crowdlens" && !c.to.is_null()));
        let eps = r.rule_changes.iter().find(|c| c.rule == "epsilon_per_epoch" && !c.from.is_null()).unwrap();
        assert_eq!((eps.from.as_f64(), eps.to.as_f64()), (Some(10.0), Some(5.0)));
        assert_eq!((eps.reason.as_deref(), eps.actor.as_str()), (Some("policy 2026-12"), "cli:uid=1000(admin)"));
        let changed = r.rule_changes.last().unwrap();
        assert_eq!(changed.rule, "purposes");
        assert_eq!(changed.from, serde_json::json!(rules().purposes));
        assert_eq!(changed.to, purposes);
        assert_eq!(changed.reason.as_deref(), Some("new programme"));

        let json = serde_json::to_value(&r).unwrap();
        let first = &json["rule_changes"][0];
        for key in ["audit_id", "at", "actor", "rule", "from", "to", "reason"] {
            assert!(first.get(key).is_some(), "{key} in {first}");
        }
        let html = transparency_html(&r);
        assert!(html.contains("Rule changes in this period"));
        assert!(html.contains("policy 2026-12") && html.contains("research, public-health"), "{html}");
        // The section sits beside the spend, before the questions.
        assert!(html.find("Rule changes in this period").unwrap() < html.find("<h2>Questions</h2>").unwrap());

        // A period after the changes lists none.
        let later = Period { from: Some("2999-01-01".into()), to: None };
        let r = transparency(&store, &ledger, &later, chrono::Utc::now()).unwrap();
        assert!(r.rule_changes.is_empty());
        assert!(transparency_html(&r).contains("No rule was recorded or changed in this period."));
    }

    #[test]
    fn refusals_are_counted_by_code_and_old_ones_by_their_words() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut ledger) = store(dir.path(), 3, 0);
        let who = admin();
        let q = serde_json::json!({"kind": "presence"});
        for (code, _) in crowdlens_control::outcome::REFUSAL_CODES {
            ledger.record_refusal(&who, &q, code, "some explanation that names no class").unwrap();
        }
        // An entry from before codes, and a dry run's refusal.
        ledger.record_event(&who, &q, "refused: purpose \"x\" is not allowed by this store").unwrap();
        ledger.record_event(&who, &q, &crowdlens_control::outcome::dry_run_refused("bad_area", "x")).unwrap();
        let r = transparency(&store, &ledger, &Period { from: None, to: None }, chrono::Utc::now()).unwrap();
        let counts = &r.questions;
        let codes = crowdlens_control::outcome::REFUSAL_CODES;
        assert_eq!(counts.refused, codes.len() as u64 + 1);
        assert_eq!(counts.dry_runs_refused, 1);
        for (code, class) in codes {
            assert_eq!(counts.refused_by_code.get(*code), Some(&1), "{code}");
            assert!(counts.refused_by_reason.contains_key(*class), "{code}: {class}");
        }
        assert_eq!(counts.refused_by_code.get("uncoded"), Some(&1));
        assert_eq!(counts.refused_by_reason.get("purpose not allowed"), Some(&2));
        assert!(!counts.refused_by_reason.contains_key("other"), "{:?}", counts.refused_by_reason);
    }

    #[test]
    fn refusals_are_classed_without_their_numbers() {
        let below = crowdlens_control::ControlError::EpsilonBelowFloor { asked: 1e-16, floor: 0.01 }.to_string();
        assert_eq!(legacy_reason_class(&below), "ε below the per-question floor");
        let above = crowdlens_control::ControlError::EpsilonAboveCap { asked: 5.0, cap: 1.0 }.to_string();
        assert_eq!(legacy_reason_class(&above), "ε above the per-question cap");
    }

    #[test]
    fn shredded_epochs_come_from_the_audit_chain() {
        let dir = tempfile::tempdir().unwrap();
        let (store, mut ledger) = store(dir.path(), 3, 0);
        let who = Requester { purpose: "retention".into(), ..admin() };
        let what = serde_json::json!({"retention": {"epoch": "2026-W45", "key": true, "resumed": false}});
        ledger.record_event(&who, &what, "shredding epoch 2026-W45").unwrap();
        let r = transparency(&store, &ledger, &Period::default(), chrono::Utc::now()).unwrap();
        assert_eq!(r.retention.shredded.len(), 1);
        assert!(r.retention.shredded[0].at.is_none(), "begun, not finished");
        ledger.record_event(&who, &what, "epoch 2026-W45 shredded: segments deleted, key destroyed").unwrap();
        let r = transparency(&store, &ledger, &Period::default(), chrono::Utc::now()).unwrap();
        assert_eq!(r.retention.shredded[0].epoch, "2026-W45");
        assert!(r.retention.shredded[0].at.is_some());
        // The budget lists only charged epochs: none here, whatever weeks hold data.
        assert!(r.budget.is_empty());
    }
}
