//! The one release path. Bounded exact aggregates come in; the ledger is charged (with the
//! audit entry, in one transaction); only then is noise added and the answer returned.

use crowdlens_control::{Ledger, Requester};
use crowdlens_dp::{CountRelease, Sensitivity, ThresholdRelease, CONFIDENCE};
use crowdlens_store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::QueryError;

/// Who is asking, for which case and purpose.
#[derive(Debug, Clone)]
pub struct Asker {
    pub actor: String,
    pub role: String,
    pub case_id: String,
    pub purpose: String,
}

impl Asker {
    fn requester(&self) -> Requester {
        Requester {
            actor: self.actor.clone(),
            role: self.role.clone(),
            case_id: self.case_id.clone(),
            purpose: self.purpose.clone(),
        }
    }

    pub(crate) fn check(&self, store: &Store) -> Result<(), QueryError> {
        if self.case_id.trim().is_empty() {
            return Err(QueryError::MissingCase);
        }
        let allowed = &store.config().privacy.purposes;
        if !allowed.iter().any(|p| p == &self.purpose) {
            return Err(QueryError::BadPurpose { given: self.purpose.clone(), allowed: allowed.join(", ") });
        }
        Ok(())
    }
}

/// What a question costs, shown by `--dry-run` before anything is spent.
#[derive(Debug, Clone, Serialize)]
pub struct Charge {
    pub question: String,
    pub epochs: Vec<String>,
    pub epsilon: f64,
    pub delta: f64,
    pub mechanism: crowdlens_dp::Mechanism,
    pub max_partitions: u32,
    pub partitions: u64,
    /// How much one device can change the released vector, after bounding.
    pub sensitivity: Sensitivity,
    /// Public keys (all released) or private keys (released above `threshold` only).
    pub keys: KeySelection,
    /// Half-width of every released value's 95% interval.
    pub ci_half_width: f64,
    /// The δ budget private selection was calibrated to (the priced `delta` is at most this).
    #[serde(skip)]
    delta_target: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum KeySelection {
    /// Keys fixed by the question (area cells × buckets, zone pairs, bins): all released.
    Public,
    /// Keys found in the data: released only when the noisy count reaches `threshold`, which
    /// costs `delta`.
    Private { threshold: i64 },
}

/// One released value with its key and interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRow {
    #[serde(flatten)]
    pub key: serde_json::Map<String, serde_json::Value>,
    pub value: i64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A released answer. Every number in it is noisy.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub epsilon: f64,
    pub delta: f64,
    pub epochs: Vec<String>,
    pub mechanism: crowdlens_dp::Mechanism,
    pub max_partitions: u32,
    pub confidence: f64,
    pub case: String,
    pub purpose: String,
    pub audit_id: i64,
    pub rows: Vec<AnswerRow>,
    /// Question-specific results derived from the noisy rows (post-processing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<serde_json::Value>,
}

impl Charge {
    /// Prices a question: fills δ, the threshold (for private keys) and the interval width.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        question: &str,
        epochs: Vec<String>,
        epsilon: f64,
        mechanism: crowdlens_dp::Mechanism,
        delta_per_question: f64,
        max_partitions: u32,
        partitions: u64,
        sensitivity: Sensitivity,
        private_keys: bool,
    ) -> Result<Charge, QueryError> {
        let mut c = Charge {
            question: question.into(),
            epochs,
            epsilon,
            delta: 0.0,
            mechanism,
            max_partitions,
            partitions,
            sensitivity,
            keys: KeySelection::Public,
            ci_half_width: 0.0,
            delta_target: delta_per_question,
        };
        if private_keys {
            // Thresholding is defined for discrete Laplace noise; δ pays for the selection.
            c.mechanism = crowdlens_dp::Mechanism::Laplace;
            let t = ThresholdRelease::calibrate(epsilon, delta_per_question, sensitivity)?;
            c.delta = t.delta;
            c.keys = KeySelection::Private { threshold: t.threshold };
            c.ci_half_width = t.ci_half_width;
        } else {
            if mechanism == crowdlens_dp::Mechanism::Gaussian {
                c.delta = delta_per_question;
            }
            c.ci_half_width = c.calibrate()?.ci_half_width;
        }
        Ok(c)
    }

    pub(crate) fn calibrate(&self) -> Result<CountRelease, QueryError> {
        Ok(CountRelease::calibrate_for(self.mechanism, self.epsilon, self.delta, self.sensitivity)?)
    }
}

/// Charges, then noises `bounded` (one entry per key, in key order), then builds the answer.
pub(crate) fn publish(
    ledger: &mut Ledger,
    asker: &Asker,
    question: &serde_json::Value,
    charge: &Charge,
    keys: Vec<serde_json::Map<String, serde_json::Value>>,
    bounded: Vec<i64>,
) -> Result<Answer, QueryError> {
    debug_assert_eq!(keys.len(), bounded.len());
    let noise = charge.calibrate()?;
    let released = noise.release(&bounded)?;
    drop(bounded);
    let rows = keys.into_iter().zip(released).map(|(key, value)| row(key, value, noise.ci_half_width)).collect();
    finish(ledger, asker, question, charge, rows)
}

/// Like [`publish`] for keys found in the data: each key's noisy count is released only when
/// it reaches the threshold. `labels` names every key id that `bounded` may hold.
pub(crate) fn publish_private(
    ledger: &mut Ledger,
    asker: &Asker,
    question: &serde_json::Value,
    charge: &Charge,
    labels: HashMap<u64, serde_json::Map<String, serde_json::Value>>,
    bounded: HashMap<u64, i64>,
) -> Result<Answer, QueryError> {
    // Calibration is deterministic, so this is the release that was priced.
    let t = ThresholdRelease::calibrate(charge.epsilon, charge.delta_target, charge.sensitivity)?;
    let released = t.release(&bounded)?;
    drop(bounded);
    let mut ids: Vec<u64> = released.keys().copied().collect();
    ids.sort_unstable();
    let rows =
        ids.into_iter().filter_map(|id| Some(row(labels.get(&id)?.clone(), released[&id], t.ci_half_width))).collect();
    finish(ledger, asker, question, charge, rows)
}

fn row(key: serde_json::Map<String, serde_json::Value>, value: i64, half: f64) -> AnswerRow {
    AnswerRow { key, value, ci_low: value as f64 - half, ci_high: value as f64 + half }
}

fn finish(
    ledger: &mut Ledger,
    asker: &Asker,
    question: &serde_json::Value,
    charge: &Charge,
    rows: Vec<AnswerRow>,
) -> Result<Answer, QueryError> {
    let mut answer = Answer {
        question: charge.question.clone(),
        epsilon: charge.epsilon,
        delta: charge.delta,
        epochs: charge.epochs.clone(),
        mechanism: charge.mechanism,
        max_partitions: charge.max_partitions,
        confidence: CONFIDENCE,
        case: asker.case_id.clone(),
        purpose: asker.purpose.clone(),
        audit_id: 0,
        rows,
        derived: None,
    };
    let digest = rows_digest(&answer.rows);
    // The noisy answer exists only in this function until the charge commits; a refused charge
    // returns the error and the answer is dropped unseen.
    answer.audit_id =
        ledger.charge(&asker.requester(), question, &charge.epochs, charge.epsilon, charge.delta, &digest)?;
    Ok(answer)
}

/// Audits a question that was refused before reaching the ledger.
fn audit_refusal(ledger: &mut Ledger, asker: &Asker, question: &serde_json::Value, error: &QueryError) {
    // Budget refusals were audited inside the charge transaction already.
    if matches!(error, QueryError::Control(_)) {
        return;
    }
    let _ = ledger.record_refusal(&asker.requester(), question, &error.to_string());
}

/// Runs `body`, auditing any refusal, as every question must.
pub(crate) async fn audited<F>(
    ledger: &mut Ledger,
    asker: &Asker,
    question: &serde_json::Value,
    body: F,
) -> Result<Answer, QueryError>
where
    F: AsyncFnOnce(&mut Ledger) -> Result<Answer, QueryError>,
{
    let result = body(ledger).await;
    if let Err(e) = &result {
        audit_refusal(ledger, asker, question, e);
    }
    result
}

/// SHA-256 of the rows' JSON, streamed into the hash: a city-wide answer is tens of MB of JSON
/// that need not be held to be hashed.
fn rows_digest(rows: &[AnswerRow]) -> String {
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hash = HashWriter(Sha256::new());
    serde_json::to_writer(std::io::BufWriter::with_capacity(64 * 1024, &mut hash), rows).expect("rows serialise");
    hex::encode(hash.0.finalize())
}
