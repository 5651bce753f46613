//! The transparency report: what was asked of a store, by whom and why, what it cost, what was
//! refused, what was ingested and shredded, and the audit chain's head. Built from the ledger,
//! the audit chain, the manifest and the config only: it never reads a row of data.

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
    pub largest_spends: Vec<LargeSpend>,
    pub ingest: Vec<SourceAccount>,
    pub retention: Retention,
    pub audit: AuditHead,
}

/// The promise, in the numbers that make it.
#[derive(Debug, Clone, Serialize)]
pub struct Guarantee {
    pub privacy_unit: String,
    pub epsilon_per_epoch: f64,
    pub delta_per_epoch: f64,
    pub max_epsilon_per_question: f64,
    pub delta_per_question: f64,
    pub max_window_days: f64,
    pub default_contribution_bound: u32,
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
    pub epsilon_spent: f64,
    pub epsilon_remaining: f64,
    pub delta_spent: f64,
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
    pub refused_by_reason: BTreeMap<String, u64>,
    /// Dry runs (priced, nothing read or charged), and dry runs refused.
    pub dry_runs: u64,
    pub dry_runs_refused: u64,
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

#[derive(Debug, Clone, Serialize)]
pub struct SourceAccount {
    pub path: String,
    pub kind: String,
    pub committed_at: String,
    pub read: u64,
    pub stored: u64,
    pub quarantined: u64,
    pub dropped: BTreeMap<String, u64>,
    pub reconciles: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    pub weeks: u32,
    /// Epochs whose key is destroyed, and when the audit chain says it was done.
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
fn reason_class(reason: &str) -> &'static str {
    let r = reason.to_lowercase();
    let classes: [(&[&str], &str); 10] = [
        (&["budget exhausted"], "epoch budget exhausted"),
        (&["above this store's cap"], "ε above the per-question cap"),
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
    let rules = *ledger.rules();
    let guarantee = Guarantee {
        privacy_unit: "one device (one advertising id) in one epoch, an ISO week in UTC".into(),
        epsilon_per_epoch: rules.epsilon_per_epoch,
        delta_per_epoch: rules.delta_per_epoch,
        max_epsilon_per_question: rules.max_epsilon_per_question,
        delta_per_question: rules.delta_per_question,
        max_window_days: rules.max_window_days,
        default_contribution_bound: config.privacy.default_max_partitions,
        finest_h3_resolution: config.resolution.h3_finest_question,
        finest_bucket_seconds: config.resolution.time_finest_bucket_seconds,
        stored_h3_resolution: config.resolution.h3_store,
        stored_time_seconds: config.resolution.time_store_seconds,
        retention_weeks: config.privacy.retention_weeks,
        purposes: config.privacy.purposes.clone(),
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
        let entry = charged.entry(c.audit_id).or_insert((c.epsilon, Vec::new()));
        entry.1.push(c.epoch.clone());
        let e = epochs.entry(c.epoch.clone()).or_insert_with(|| EpochSpend {
            epoch: c.epoch.clone(),
            epsilon_total: rules.epsilon_per_epoch,
            epsilon_spent: 0.0,
            epsilon_remaining: 0.0,
            delta_spent: 0.0,
            questions: 0,
        });
        e.epsilon_spent += c.epsilon;
        e.delta_spent += c.delta;
        e.questions += 1;
    }
    for e in epochs.values_mut() {
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
    let mut shredded_at: BTreeMap<String, String> = BTreeMap::new();
    for e in &entries {
        if !period.contains(&e.at) {
            continue;
        }
        let outcome = e.outcome.as_str();
        if let Some(reason) = outcome.strip_prefix("refused: ") {
            counts.refused += 1;
            *counts.refused_by_reason.entry(reason_class(reason).to_string()).or_default() += 1;
        } else if outcome == "priced (dry run)" {
            counts.dry_runs += 1;
        } else if outcome.starts_with("dry run refused") {
            counts.dry_runs_refused += 1;
        } else if outcome == "answered" {
            counts.answered += 1;
        } else if outcome.starts_with("failed after charge") {
            counts.failed_after_charge += 1;
        } else if outcome.starts_with("abandoned after charge") {
            counts.abandoned_after_charge += 1;
        } else if let Some(rest) = outcome.strip_prefix("epoch ") {
            if let Some(epoch) = rest.strip_suffix(" shredded: segments deleted, key destroyed") {
                shredded_at.insert(epoch.to_string(), e.at.clone());
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

    let manifest = store.manifest()?;
    let ingest = manifest
        .sources
        .iter()
        .filter(|s| period.contains(&s.committed_at))
        .map(|s| SourceAccount {
            path: s.path.clone(),
            kind: s.kind.clone(),
            committed_at: s.committed_at.clone(),
            read: s.counts.read,
            stored: s.counts.stored,
            quarantined: s.counts.quarantined,
            dropped: s.counts.dropped.clone(),
            reconciles: s.counts.reconciles(),
        })
        .collect();
    let shredded = store
        .keyring()
        .shredded_epochs()?
        .into_iter()
        .map(|e| {
            let epoch = e.to_string();
            Shredded { at: shredded_at.get(&epoch).cloned(), epoch }
        })
        .collect();

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
        largest_spends: largest,
        ingest,
        retention: Retention { weeks: config.privacy.retention_weeks, shredded },
        audit: AuditHead {
            entries: entries.len() as u64,
            head_id: head.as_ref().map(|h| h.id),
            head_hash: head.map(|h| h.hash),
            verified: verified.is_ok(),
            problem: verified.err().map(|e| e.to_string()),
        },
    })
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
        "<h1>crowdlens transparency report</h1><p class=\"muted\">Generated {} · period: {} · built from the ledger, the audit chain, the manifest and the configuration; no row of data was read to make it.</p>",
        escape(&r.generated_at),
        escape(&period)
    );
    let _ = write!(
        b,
        "<h2>The guarantee</h2><div class=\"box\"><p>Every number this store releases is differentially private for <b>{}</b>. \
         Across all questions, every case and every analyst, one epoch may spend at most <b>ε = {}</b> and <b>δ = {}</b>; \
         a single question at most <b>ε = {}</b> (and δ = {} when it uses Gaussian noise or keys found in the data). \
         A question may cover at most {} days. Each device counts in at most <b>L = {}</b> partitions of a question unless the question sets a smaller or larger bound, \
         which its price reflects. No answer is finer than H3 resolution {} or {}-minute buckets; data is stored at resolution {} and {}-minute times, \
         under per-week pseudonyms whose keys are destroyed after {} weeks. Questions must name a case and one of these purposes: {}.</p>\
         <p>What this means: whether or not any one device's week is in the data changes the probability of any released answer by a factor of at most e<sup>ε</sup> (plus δ), \
         summed over every question touching that week. It does not hide facts about crowds, which is the point of the answers.</p></div>",
        escape(&g.privacy_unit),
        number(g.epsilon_per_epoch, 3),
        number(g.delta_per_epoch, 3),
        number(g.max_epsilon_per_question, 3),
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

    b.push_str("<h2>Ingest accounting</h2><p class=\"muted\">Every input row is stored, quarantined (malformed) or dropped for a stated reason: consent (COPPA, LMT, TCF, GPP, US Privacy), sensitive places, accuracy or identity. read = stored + quarantined + dropped.</p>");
    if r.ingest.is_empty() {
        b.push_str("<p class=\"muted\">Nothing ingested in this period.</p>");
    }
    for s in &r.ingest {
        let _ = write!(
            b,
            "<h3>{} <span class=\"muted\">({}, {})</span></h3>",
            escape(&s.path),
            escape(&s.kind),
            escape(&s.committed_at)
        );
        let mut rows = vec![
            vec!["read".into(), number(s.read as f64, 0)],
            vec!["stored".into(), number(s.stored as f64, 0)],
            vec!["quarantined".into(), number(s.quarantined as f64, 0)],
        ];
        rows.extend(s.dropped.iter().map(|(k, v)| vec![format!("dropped: {k}"), number(*v as f64, 0)]));
        rows.push(vec!["reconciles".into(), if s.reconciles { "yes".into() } else { "NO".into() }]);
        b.push_str(&table(&["", "rows"], &rows));
    }

    let _ = write!(b, "<h2>Retention</h2><p>Epochs older than {} weeks are shredded: their segments deleted and their pseudonym key destroyed.</p>", r.retention.weeks);
    if r.retention.shredded.is_empty() {
        b.push_str("<p class=\"muted\">No epoch has been shredded yet.</p>");
    } else {
        let rows: Vec<Vec<String>> = r
            .retention
            .shredded
            .iter()
            .map(|s| vec![s.epoch.clone(), s.at.clone().unwrap_or_else(|| "–".into())])
            .collect();
        b.push_str(&table(&["epoch", "shredded at"], &rows));
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
