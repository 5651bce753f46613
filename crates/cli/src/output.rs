//! Human-readable printing and progress bars.

use crowdlens_ingest::{IngestSummary, Progress};
use crowdlens_query::{Answer, Charge};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};

/// A byte progress bar on stderr, shown only when stderr is a terminal.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn new(enabled: bool, label: &str) -> Bar {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Bar(Some(bar))
    }

    /// A counting bar (devices, rows) rather than bytes.
    pub fn counter(enabled: bool, label: &str, total: u64) -> Bar {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} eta {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Bar(Some(bar))
    }

    /// A spinner for work whose length is not known, cleared when dropped.
    pub fn spinner(label: &str) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_message(label.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(Some(bar))
    }

    pub fn set(&self, pos: u64) {
        if let Some(b) = &self.0 {
            b.set_position(pos);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn start(&self, total_bytes: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total_bytes);
        }
    }
    fn advance_to(&self, bytes: u64) {
        self.set(bytes);
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

pub fn print_summary(path: &str, s: &IngestSummary) {
    if s.skipped_already_ingested > 0 && s.read == 0 {
        println!("{path}: already ingested (same bytes); skipped");
        return;
    }
    println!("{path}:");
    println!("  read         {:>12}", s.read);
    println!("  stored       {:>12}", s.stored);
    println!("  quarantined  {:>12}", s.quarantined);
    for (reason, n) in &s.quarantine_reasons {
        println!("    {reason:<36} {n:>10}");
    }
    let dropped: u64 = s.dropped.values().sum();
    println!("  dropped      {:>12}", dropped);
    for (reason, n) in &s.dropped {
        println!("    {reason:<36} {n:>10}");
    }
    let ok = if s.reconciles() { "reconciles" } else { "DOES NOT RECONCILE" };
    println!(
        "  read = stored + quarantined + dropped: {} = {} + {} + {} ({ok})",
        s.read, s.stored, s.quarantined, dropped
    );
    for f in &s.quarantine_files {
        println!("  quarantine file: {}", f.display());
    }
}

/// Writes one compact JSON document and a newline to stdout through a buffer: a city-wide
/// answer is tens of MB, which need not be built as one string first.
pub fn print_json_line(value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The question's own parameters, as `name=value` (ε, mechanism and L are on the line above).
fn asked_line(asked: &serde_json::Value) -> String {
    let Some(fields) = asked.as_object() else { return String::new() };
    fields
        .iter()
        .filter(|(name, value)| {
            !value.is_null() && !["kind", "epsilon", "mechanism", "max_partitions"].contains(&name.as_str())
        })
        .map(|(name, value)| match value.as_str() {
            Some(text) if text.len() > 80 => format!("{name}={}…", text.chars().take(80).collect::<String>()),
            Some(text) => format!("{name}={text}"),
            None => format!("{name}={value}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A kept answer given again: what it is, and its rows as they were released.
pub fn print_reused(kept: &serde_json::Value) {
    let reused = &kept["reused"];
    let verb = if reused["dry_run"] == true { "would be given again" } else { "given again" };
    println!(
        "{} · the same question of the same data as answer #{}, {verb} at no charge (audit entry #{})",
        kept["question"].as_str().unwrap_or_default(),
        reused["answer"],
        reused["audit_id"]
    );
    println!("asked: {}", asked_line(&kept["asked"]));
    if reused["dry_run"] == true {
        return;
    }
    let rows = kept["rows"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        for name in row.as_object().into_iter().flat_map(|o| o.keys()) {
            if !columns.contains(&name.as_str()) {
                columns.push(name);
            }
        }
    }
    println!("{}", columns.join("\t"));
    for row in rows {
        let cells: Vec<String> =
            columns.iter().map(|c| row.get(*c).map(|v| v.as_str().map_or(v.to_string(), str::to_string)).unwrap_or_default()).collect();
        println!("{}", cells.join("\t"));
    }
}

pub fn print_answer(a: &Answer) {
    print_answer_rows(a, None);
}

/// Like [`print_answer`], showing at most `most` rows, the largest values first.
pub fn print_answer_rows(a: &Answer, most: Option<usize>) {
    println!(
        "{} · ε={} δ={} · {} noise · each device bounded to {} · case {} ({})",
        a.question,
        a.epsilon,
        fmt_delta(a.delta),
        mechanism_name(a.mechanism),
        a.max_partitions,
        a.case,
        a.purpose
    );
    println!("epochs charged: {} · audit entry #{} (its charge: #{})", a.epochs.join(", "), a.audit_id, a.charged_in);
    println!("asked: {}", asked_line(&a.asked));
    println!("tiled: {} cells at H3 resolution {}", a.tiled.cells, a.tiled.res);
    let half = a.rows.first().map(|r| r.value as f64 - r.ci_low).unwrap_or(0.0);
    println!("every value is a noisy count; 95% interval = value ± {half}");
    if a.rows.is_empty() {
        println!("(no key cleared the release threshold)");
        return;
    }
    println!();
    let mut columns: Vec<&str> = Vec::new();
    for r in &a.rows {
        for (name, _) in r.key.fields() {
            if !columns.contains(&name) {
                columns.push(name);
            }
        }
    }
    let width = |c: &&str| {
        a.rows.iter().map(|r| r.key.get(c).unwrap_or_default().chars().count()).max().unwrap_or(0).max(c.len())
    };
    let widths: Vec<usize> = columns.iter().map(width).collect();
    let header: Vec<String> = columns.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
    println!("{}  {:>8}   {:>21}", header.join("  "), "value", "95% interval");
    let mut shown: Vec<&crowdlens_query::AnswerRow> = a.rows.iter().collect();
    if let Some(most) = most.filter(|m| *m < a.rows.len()) {
        shown.sort_by_key(|r| std::cmp::Reverse(r.value));
        shown.truncate(most);
    }
    for r in &shown {
        let cells: Vec<String> =
            columns.iter().zip(&widths).map(|(c, w)| format!("{:<w$}", r.key.get(c).unwrap_or_default())).collect();
        println!("{}  {:>8}   [{:>8}, {:>8}]", cells.join("  "), r.value, r.ci_low, r.ci_high);
    }
    if shown.len() < a.rows.len() {
        println!(
            "… the {} largest of {} rows; `crowdlens answers show {}` gives them all",
            shown.len(),
            a.rows.len(),
            a.audit_id
        );
    }
    if let Some(d) = &a.derived {
        if let Some(changes) = d.get("change").and_then(|c| c.as_array()) {
            println!("\nchange against the baseline (mean of baseline buckets at the same time of day):");
            for c in changes {
                match c["change_pct"].as_f64() {
                    Some(p) => println!(
                        "  {}  {:+7.1}%  [{:+.1}%, {:+.1}%]",
                        text(c.get("bucket_start")),
                        p,
                        c["ci_low"].as_f64().unwrap_or(0.0),
                        c["ci_high"].as_f64().unwrap_or(0.0)
                    ),
                    None => println!("  {}  n/a ({})", text(c.get("bucket_start")), text(c.get("note"))),
                }
            }
        }
    }
}

fn text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

pub fn print_charge(c: &Charge) {
    println!("dry run: nothing was run or charged");
    println!("  question        {}", c.question);
    println!("  partitions      {}", c.partitions);
    println!("  epochs          {}", c.epochs.join(", "));
    if let Some(accuracy) = c.accuracy {
        println!("  asked by        accuracy ±{accuracy} per value at 95%: the least ε that meets it");
    }
    if c.cost.rho > 0.0 {
        println!("  cost per epoch  ρ={:.4} of zCDP (alone: ε={:.3} δ={})", c.cost.rho, c.epsilon, fmt_delta(c.delta));
    } else {
        println!("  cost per epoch  ε={} δ={}", c.epsilon, fmt_delta(c.delta));
    }
    println!("  mechanism       {}, each device bounded to {}", mechanism_name(c.mechanism), c.max_partitions);
    if !c.considered.is_empty() {
        let by_accuracy = c.accuracy.is_some();
        let compared: Vec<String> = c
            .considered
            .iter()
            .map(|o| {
                let cap = if o.above_cap { ", above the cap" } else { "" };
                if by_accuracy {
                    format!("{} fits {} a week{cap}", mechanism_name(o.mechanism), o.per_epoch)
                } else {
                    format!("{} ±{}{cap}", mechanism_name(o.mechanism), o.ci_half_width)
                }
            })
            .collect();
        let why = if by_accuracy { "more questions at this accuracy" } else { "the narrower interval at this ε" };
        println!("  chosen for      {why}: {}", compared.join(", "));
    }
    if let crowdlens_query::KeySelection::Private { threshold } = c.keys {
        println!("  keys            from the data; released only when the noisy count reaches {threshold}");
    }
    println!("  95% interval    value ± {}", c.ci_half_width);
    if let Some(n) = c.questions_left {
        println!("  budget left     pays for {n} question(s) like this one, this one included");
    }
}

/// What `retention apply` did (or, in a dry run, would do): epochs and whether their keys go,
/// never how many rows or segments they held.
pub fn print_retention(report: &crowdlens_query::retention::RetentionReport) {
    let verb = if report.dry_run { "would shred" } else { "shredded" };
    println!("retention: {} weeks; epochs that ended before {} expire", report.retention_weeks, report.cutoff);
    if report.epochs.is_empty() {
        println!("nothing has expired");
    }
    for e in &report.epochs {
        let key = match (e.key, report.dry_run) {
            (true, true) => ": its key would be destroyed",
            (true, false) => ": key destroyed",
            (false, _) => ": no key left",
        };
        println!("{verb} {}{key}{}", e.epoch, if e.resumed { " (finishing an earlier run)" } else { "" });
    }
    if !report.dry_run && !report.epochs.is_empty() {
        println!("the ledger keeps what these epochs spent; late data for them is dropped as epoch_shredded");
    }
}

fn mechanism_name(m: crowdlens_dp::Mechanism) -> &'static str {
    match m {
        crowdlens_dp::Mechanism::Laplace => "discrete Laplace",
        crowdlens_dp::Mechanism::Gaussian => "discrete Gaussian",
    }
}

fn fmt_delta(delta: f64) -> String {
    if delta == 0.0 {
        "0".into()
    } else {
        format!("{delta:e}")
    }
}

pub fn print_explanation(e: &crowdlens_consent::explain::Explanation, policy: &crowdlens_consent::ConsentPolicy) {
    use crowdlens_consent::gpp::{section_name, SectionSummary};
    let ids = |v: &[u16]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
        }
    };
    let kind = match e.kind {
        crowdlens_consent::explain::Kind::Tcf => "TCF v2 TC string",
        crowdlens_consent::explain::Kind::Gpp => "GPP string",
        crowdlens_consent::explain::Kind::Usp => "US Privacy string",
    };
    println!("kind:     {kind}");
    match &e.error {
        Some(error) => println!("valid:    no: {error}"),
        None => println!("valid:    yes"),
    }
    if let Some(tc) = &e.tcf {
        println!(
            "cmp:      id {} (vendor list {}, policy version {})",
            tc.cmp_id, tc.vendor_list_version, tc.tcf_policy_version
        );
    }
    if let Some(sections) = &e.gpp_sections {
        let named: Vec<String> = sections.iter().map(|id| format!("{id} ({})", section_name(*id))).collect();
        println!("sections: {}", if named.is_empty() { "none".into() } else { named.join(", ") });
    }
    if e.tcf.is_some() || e.sections.iter().any(|s| matches!(s, SectionSummary::Tcfeuv2(_))) {
        println!("special features opted in: {} (1 = precise geolocation)", ids(&e.special_feature_optins));
        println!(
            "purposes consented:        {} (required: {})",
            ids(&e.purposes_consent),
            ids(&policy.required_tcf_purposes)
        );
        println!("vendors consented:         {} vendors", e.vendor_consents.len());
    }
    if let Some(u) = &e.usp {
        println!("notice {:?}, opt-out of sale {:?}, LSPA {:?}", u.explicit_notice, u.opt_out_sale, u.lspa_covered);
    }
    for section in &e.sections {
        match section {
            SectionSummary::Uspv1(u) => println!("uspv1:    opt-out of sale {:?}", u.opt_out_sale),
            SectionSummary::UsRegional(r) => println!(
                "{}:    sale opt-out {}, sharing opt-out {}, precise geolocation {}, GPC {} (0 = n/a, 1 = opted out / no consent, 2 = not opted out / consent)",
                r.name,
                r.sale_opt_out,
                r.sharing_opt_out.map_or("n/a".into(), |v| v.to_string()),
                r.precise_geolocation.map_or("n/a".into(), |v| v.to_string()),
                r.gpc.map_or("n/a", |on| if on { "on (an opt-out)" } else { "off" })
            ),
            _ => {}
        }
    }
    for n in &e.not_judged {
        println!("not judged: section {} ({}): {}", n.id, n.name, n.reason);
    }
    println!("verdict:  {}", e.verdict);
}
