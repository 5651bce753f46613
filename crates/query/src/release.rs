//! The one release path. Bounded exact aggregates come in; the ledger is charged (with the
//! audit entry, in one transaction); only then is noise added and the answer returned.

use crowdlens_control::{Ledger, Requester};
use crowdlens_dp::{CountRelease, CONFIDENCE};
use crowdlens_store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// Half-width of every released value's 95% interval.
    pub ci_half_width: f64,
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
}

impl Charge {
    pub(crate) fn calibrate(&self) -> Result<CountRelease, QueryError> {
        Ok(CountRelease::calibrate(self.mechanism, self.epsilon, self.delta, self.max_partitions)?)
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
    let rows: Vec<AnswerRow> = keys
        .into_iter()
        .zip(released)
        .map(|(key, value)| AnswerRow {
            key,
            value,
            ci_low: value as f64 - noise.ci_half_width,
            ci_high: value as f64 + noise.ci_half_width,
        })
        .collect();
    let mut answer = Answer {
        question: charge.question.clone(),
        epsilon: charge.epsilon,
        delta: noise.delta,
        epochs: charge.epochs.clone(),
        mechanism: charge.mechanism,
        max_partitions: charge.max_partitions,
        confidence: CONFIDENCE,
        case: asker.case_id.clone(),
        purpose: asker.purpose.clone(),
        audit_id: 0,
        rows,
    };
    let digest = hex::encode(Sha256::digest(serde_json::to_vec(&answer.rows).expect("rows serialise")));
    // The noisy answer exists only in this function until the charge commits; a refused charge
    // returns the error and the answer is dropped unseen.
    answer.audit_id =
        ledger.charge(&asker.requester(), question, &charge.epochs, charge.epsilon, noise.delta, &digest)?;
    Ok(answer)
}

/// Audits a question that was refused before reaching the ledger.
pub(crate) fn audit_refusal(ledger: &mut Ledger, asker: &Asker, question: &serde_json::Value, error: &QueryError) {
    // Budget refusals were audited inside the charge transaction already.
    if matches!(error, QueryError::Control(_)) {
        return;
    }
    let _ = ledger.record_refusal(&asker.requester(), question, &error.to_string());
}
