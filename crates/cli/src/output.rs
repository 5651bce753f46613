//! Human-readable printing and progress bars.

use crowdlens_ingest::{IngestSummary, Progress};
use crowdlens_query::{Answer, Charge};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

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

    pub fn set(&self, pos: u64) {
        if let Some(b) = &self.0 {
            b.set_position(pos);
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
    println!("  read = stored + quarantined + dropped: {} = {} + {} + {} ({ok})", s.read, s.stored, s.quarantined, dropped);
    for f in &s.quarantine_files {
        println!("  quarantine file: {}", f.display());
    }
}

pub fn print_answer(a: &Answer) {
    println!(
        "{} · ε={} δ={} · {:?} noise · each device in at most {} partition(s) · case {} ({})",
        a.question, a.epsilon, fmt_delta(a.delta), a.mechanism, a.max_partitions, a.case, a.purpose
    );
    println!("epochs charged: {} · audit entry #{}", a.epochs.join(", "), a.audit_id);
    let half = a.rows.first().map(|r| r.value as f64 - r.ci_low).unwrap_or(0.0);
    println!("every value is a noisy count of distinct devices; 95% interval = value ± {half}");
    println!();
    println!("{:<17} {:<22} {:>8}   {:>21}", "cell", "bucket_start", "devices", "95% interval");
    for r in &a.rows {
        let cell = r.key.get("cell").and_then(|v| v.as_str()).unwrap_or("");
        let bucket = r.key.get("bucket_start").and_then(|v| v.as_str()).unwrap_or("");
        println!("{cell:<17} {bucket:<22} {:>8}   [{:>8}, {:>8}]", r.value, r.ci_low, r.ci_high);
    }
}

pub fn print_charge(c: &Charge) {
    println!("dry run: nothing was run or charged");
    println!("  question        {}", c.question);
    println!("  partitions      {}", c.partitions);
    println!("  epochs          {}", c.epochs.join(", "));
    println!("  cost per epoch  ε={} δ={}", c.epsilon, fmt_delta(c.delta));
    println!("  mechanism       {:?}, each device in at most {} partition(s)", c.mechanism, c.max_partitions);
    println!("  95% interval    value ± {}", c.ci_half_width);
}

fn fmt_delta(delta: f64) -> String {
    if delta == 0.0 {
        "0".into()
    } else {
        format!("{delta:e}")
    }
}
