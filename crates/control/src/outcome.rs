//! The outcomes the audit chain records for a refused question, with a stable code each.
//!
//! A refusal is recorded as `refused [CODE]: EXPLANATION` (a dry run's as `dry run refused
//! [CODE]: …`): the code is what oversight counts by, the explanation what a reader sees.
//! Entries written before codes (`refused: EXPLANATION`) keep verifying as they are; they have
//! no code, and the report files them by their wording, as it always did.

/// Every refusal code, with the class the transparency report shows it under.
pub const REFUSAL_CODES: &[(&str, &str)] = &[
    ("budget_exhausted", "epoch budget exhausted"),
    ("delta_exhausted", "epoch budget exhausted"),
    ("epsilon_above_cap", "ε above the per-question cap"),
    ("epsilon_below_floor", "ε below the per-question floor"),
    ("accuracy_beyond_cap", "ε above the per-question cap"),
    ("purpose_not_allowed", "purpose not allowed"),
    ("missing_case", "no case given"),
    ("bad_case", "no case given"),
    ("resolution_too_fine", "finer than the resolution or time floor"),
    ("bucket_too_fine", "finer than the resolution or time floor"),
    ("bad_window", "window refused"),
    ("window_too_long", "window refused"),
    ("window_outside_data", "window refused"),
    ("too_many_partitions", "too many partitions"),
    ("bad_area", "area refused"),
    ("bad_parameter", "parameter refused"),
    ("unknown_question", "parameter refused"),
    ("bad_bound", "bad privacy parameters"),
    ("bad_privacy_parameters", "bad privacy parameters"),
    ("no_categories", "no categories"),
    ("ledger_error", "ledger or store error"),
    ("store_error", "ledger or store error"),
    ("engine_error", "query engine error"),
    ("engine_failed", "query engine error"),
    ("case_cap_exhausted", "case's share of the epoch spent"),
    ("token_cap_exhausted", "token's share of the epoch spent"),
    ("out_of_scope", "outside the token's scope"),
    ("approval_required", "waiting for a supervisor's approval"),
    ("token_revoked", "token revoked or expired"),
    ("self_approval", "approval refused"),
    ("approval_conflict", "approval refused"),
    ("bad_signature", "ledger or store error"),
];

/// The report's class of a refusal code; `other` for a code this build does not know.
pub fn class_of(code: &str) -> &'static str {
    REFUSAL_CODES.iter().find(|(c, _)| *c == code).map_or("other", |(_, class)| class)
}

/// The outcome of a question refused under `code`.
pub fn refused(code: &str, explanation: &str) -> String {
    format!("refused [{code}]: {explanation}")
}

/// The outcome of a question answered again from kept answer `id`, free.
pub fn reused(id: i64) -> String {
    format!("re-used answer #{id} (no charge)")
}

/// The outcome of a dry run that found kept answer `id` to give again, free.
pub fn reuse_priced(id: i64) -> String {
    format!("dry run: would re-use answer #{id} (no charge)")
}

/// The kept answer a re-use outcome names.
pub fn parse_reuse(outcome: &str) -> Option<i64> {
    outcome.strip_prefix("re-used answer #")?.split_once(' ')?.0.parse().ok()
}

/// The outcome of a pending question that supervisor approved (`approved`) or declined.
pub fn approval_decided(request: i64, approved: bool, asker: &str, supervisor: &str) -> String {
    let verb = if approved { "approved" } else { "declined" };
    format!("{verb} request #{request}: asked by {asker}, {verb} by {supervisor}")
}

/// The outcome of a dry run refused under `code`.
pub fn dry_run_refused(code: &str, explanation: &str) -> String {
    format!("dry run refused [{code}]: {explanation}")
}

/// A refusal outcome read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal<'a> {
    /// Absent in entries written before refusals had codes.
    pub code: Option<&'a str>,
    pub explanation: &'a str,
    pub dry_run: bool,
}

/// The refusal an outcome records, if it records one.
pub fn parse_refusal(outcome: &str) -> Option<Refusal<'_>> {
    let (dry_run, rest) = match outcome.strip_prefix("dry run refused") {
        Some(rest) => (true, rest),
        None => (false, outcome.strip_prefix("refused")?),
    };
    if let Some(coded) = rest.strip_prefix(" [") {
        let (code, explanation) = coded.split_once("]: ")?;
        return Some(Refusal { code: Some(code), explanation, dry_run });
    }
    Some(Refusal { code: None, explanation: rest.strip_prefix(": ")?, dry_run })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_back_with_their_codes_and_old_ones_without() {
        let new = refused("too_many_partitions", "the question has 9 partitions");
        assert_eq!(
            parse_refusal(&new),
            Some(Refusal { code: Some("too_many_partitions"), explanation: "the question has 9 partitions", dry_run: false })
        );
        let dry = dry_run_refused("bad_bound", "--max-partitions must be at least 1");
        assert_eq!(parse_refusal(&dry).unwrap().code, Some("bad_bound"));
        assert!(parse_refusal(&dry).unwrap().dry_run);
        let old = parse_refusal("refused: purpose \"x\" is not allowed").unwrap();
        assert_eq!((old.code, old.explanation), (None, "purpose \"x\" is not allowed"));
        assert_eq!(parse_refusal("answered"), None);
        assert_eq!(parse_refusal("refusedx"), None);
    }

    #[test]
    fn every_code_has_a_class_and_codes_are_unique() {
        let mut codes: Vec<&str> = REFUSAL_CODES.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), REFUSAL_CODES.len());
        assert!(REFUSAL_CODES.iter().all(|(c, _)| class_of(c) != "other"));
        assert_eq!(class_of("no_such_code"), "other");
    }
}
