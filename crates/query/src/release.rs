//! The one release path. A question is checked from its parameters alone (free refusals),
//! then charged in the ledger with its audit entry, and only then reads any data; its bounded
//! exact aggregates are noised here, and the answer's digest is audited before it leaves.
//! Whatever happens after the charge (an engine error, a timeout, a dropped request), the
//! charge stands and the audit chain says how the question ended.

use crowdlens_control::{Ledger, LedgerFiles, Requester, Rules};
use crowdlens_dp::{CountRelease, Sensitivity, ThresholdRelease, CONFIDENCE};
use crowdlens_store::Store;
use serde::Serialize;
use std::collections::HashMap;

use crate::key::RowKey;
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
    pub(crate) fn requester(&self) -> Requester {
        Requester {
            actor: self.actor.clone(),
            role: self.role.clone(),
            case_id: self.case_id.clone(),
            purpose: self.purpose.clone(),
        }
    }

    /// The checks on who asks and why, against the ledger's rules.
    pub(crate) fn check(&self, rules: &Rules) -> Result<(), QueryError> {
        if self.case_id.trim().is_empty() {
            return Err(QueryError::MissingCase);
        }
        // A case's share of an epoch is capped by its id: "C-1 " or "C-1" with an invisible
        // character would be another case, and another share.
        let invisible = |c: char| {
            c.is_control()
                || c.is_whitespace() && c != ' '
                || matches!(
                    c,
                    '\u{00ad}'
                        | '\u{034f}'
                        | '\u{061c}'
                        | '\u{180e}'
                        | '\u{200b}'..='\u{200f}'
                        | '\u{202a}'..='\u{202e}'
                        | '\u{2060}'..='\u{2069}'
                        | '\u{fe00}'..='\u{fe0f}'
                        | '\u{feff}'
                        | '\u{e0000}'..='\u{e007f}'
                )
        };
        let case = &self.case_id;
        if case.trim() != case || case.chars().count() > 128 || case.chars().any(invisible) {
            return Err(QueryError::BadCase(case.clone()));
        }
        let allowed = &rules.purposes;
        if !allowed.iter().any(|p| p == &self.purpose) {
            return Err(QueryError::BadPurpose { given: self.purpose.clone(), allowed: allowed.join(", ") });
        }
        Ok(())
    }
}

/// What a question costs, shown by `--dry-run` before anything is spent.
#[derive(Debug, Clone, Serialize)]
pub struct Charge {
    /// The question's kind.
    pub question: String,
    /// The whole question as asked, defaults filled in ([`crate::Question::asked`]).
    pub asked: serde_json::Value,
    /// Its area as tiled: the H3 resolution and the number of cells (or zones) it covers.
    pub tiled: Tiled,
    pub epochs: Vec<String>,
    pub epsilon: f64,
    pub delta: f64,
    /// The mechanism the question is answered with (chosen, when asked with `auto`).
    pub mechanism: crowdlens_dp::Mechanism,
    /// The accuracy asked (±N per value at 95%), for a question asked by accuracy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    pub max_partitions: u32,
    pub partitions: u64,
    /// How much one device can change the released vector, after bounding.
    pub sensitivity: Sensitivity,
    /// Public keys (all released) or private keys (released above `threshold` only).
    pub keys: KeySelection,
    /// Half-width of every released value's 95% interval.
    pub ci_half_width: f64,
    /// What each epoch is charged: this (ε, δ) pair, or, for Gaussian noise, its ρ of zCDP,
    /// which the ledger composes tightly with the epoch's other charges.
    pub cost: crowdlens_control::Cost,
    /// With `auto`: each mechanism priced, the chosen one among them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub considered: Vec<Considered>,
    /// In a dry run: how many questions charged like this one the epochs can still pay for,
    /// this one included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions_left: Option<u64>,
    /// The store's manifest generation it was priced on, which its kept answer records so that
    /// the same question of the same data is given again free.
    #[serde(skip)]
    pub(crate) store_generation: u64,
    /// The digests of the sources the epochs hold, which the receipt commits to.
    #[serde(skip)]
    pub(crate) sources: Vec<String>,
    /// In a dry run: the question is over the store's threshold for a supervisor's approval, so
    /// asking it makes a pending request instead of an answer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_approval: bool,
    /// The δ budget private selection was calibrated to (the priced `delta` is at most this).
    #[serde(skip)]
    delta_target: f64,
}

/// An area as a question tiles it. Public: it follows from the question and the H3 grid alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tiled {
    /// The H3 resolution of the cells or zones.
    pub res: u8,
    /// How many cells the area (both areas, for co-visit) or the zone set covers.
    pub cells: u64,
}

/// The noisy rows of an answer and what is derived from them, before the answer's digest is
/// audited. Only `publish` and `publish_private` make rows.
pub(crate) struct Released {
    pub(crate) rows: Vec<AnswerRow>,
    pub(crate) derived: Option<serde_json::Value>,
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
    pub key: RowKey,
    pub value: i64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A released answer. Every number in it is noisy.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The question's kind.
    pub question: String,
    /// The whole question as asked, defaults filled in.
    pub asked: serde_json::Value,
    /// Its area as tiled.
    pub tiled: Tiled,
    pub epsilon: f64,
    pub delta: f64,
    pub epochs: Vec<String>,
    pub mechanism: crowdlens_dp::Mechanism,
    pub max_partitions: u32,
    pub confidence: f64,
    pub case: String,
    pub purpose: String,
    /// The audit entry that records this answer's digest.
    pub audit_id: i64,
    /// The audit entry that charged the budget, written before any data was read.
    pub charged_in: i64,
    pub rows: Vec<AnswerRow>,
    /// Question-specific results derived from the noisy rows (post-processing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<serde_json::Value>,
    /// The store's signed receipt for this answer ([`crowdlens_control::signed`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<crowdlens_control::signed::Envelope>,
}

/// Whose keys a question's answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keys {
    /// Fixed by the question (cells × buckets, zone pairs, bins): every one is released.
    Public,
    /// Found in the data (cell pairs, categories): released only past a noisy threshold.
    FromData,
}

/// What a question's price depends on beyond its ε and mechanism: its bound, its partitions,
/// how one device can move them, and whose keys it has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// L, the contribution bound per device.
    pub(crate) bound: u32,
    pub(crate) partitions: u64,
    pub(crate) sensitivity: Sensitivity,
    pub(crate) keys: Keys,
    pub(crate) tiled: Tiled,
}

/// The asked part of a price: which question (whole, as [`crate::Question::asked`] gives it),
/// over which epochs, at what ε or accuracy, by which mechanism.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    pub(crate) question: serde_json::Value,
    /// The store's manifest generation.
    pub(crate) store_generation: u64,
    /// The digests of the sources the epochs hold ([`store_state`]).
    pub(crate) sources: Vec<String>,
    pub(crate) epochs: Vec<String>,
    pub(crate) budget: Budget,
    pub(crate) mechanism: MechanismChoice,
}

/// What a question says it will spend: an ε, or the interval it wants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// Spend this ε in every epoch the question touches.
    Epsilon(f64),
    /// Spend the least that gives every value a 95% interval of at most ±this.
    Accuracy(f64),
}

impl Budget {
    /// The budget a question's `epsilon` and `accuracy` parameters name: exactly one of them.
    pub fn of(epsilon: Option<f64>, accuracy: Option<f64>) -> Result<Budget, QueryError> {
        match (epsilon, accuracy) {
            (Some(e), None) => Ok(Budget::Epsilon(e)),
            (None, Some(a)) => Ok(Budget::Accuracy(a)),
            (Some(_), Some(_)) => Err(QueryError::BadParameter {
                name: "accuracy".into(),
                problem: "give epsilon or accuracy, not both: epsilon is what the question spends, accuracy the interval \
                          it needs (and the least ε that meets it is spent)"
                    .into(),
            }),
            (None, None) => Err(QueryError::BadParameter {
                name: "epsilon".into(),
                problem: "missing; give epsilon (the privacy loss to spend) or accuracy (±N per value at 95%: the least \
                          ε that meets it is spent)"
                    .into(),
            }),
        }
    }
}

/// The noise a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MechanismChoice {
    /// Whichever costs less for the accuracy asked (see [`Charge::new`]).
    #[default]
    Auto,
    Laplace,
    Gaussian,
}

impl std::str::FromStr for MechanismChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(MechanismChoice::Auto),
            "laplace" => Ok(MechanismChoice::Laplace),
            "gaussian" => Ok(MechanismChoice::Gaussian),
            other => Err(format!("unknown mechanism {other:?}: use auto, laplace or gaussian")),
        }
    }
}

/// One way a question could be answered: a mechanism at the ε it would charge, the interval
/// it would give, and how many questions charged like it fit in an unspent epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Considered {
    pub mechanism: crowdlens_dp::Mechanism,
    pub epsilon: f64,
    pub delta: f64,
    pub ci_half_width: f64,
    pub cost: crowdlens_control::Cost,
    /// Questions charged like this one that an unspent epoch can pay for, under the rules.
    pub per_epoch: u64,
    /// Above the rules' cap on ε per question: not an option.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub above_cap: bool,
    /// Asked at an ε below the floor's (for Gaussian noise, the ρ the floor's ε implies).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub below_floor: bool,
    #[serde(skip)]
    least: f64,
    #[serde(skip)]
    threshold: Option<i64>,
}

impl Considered {
    fn price(
        mechanism: crowdlens_dp::Mechanism,
        budget: Budget,
        shape: &Shape,
        rules: &Rules,
    ) -> Result<Considered, QueryError> {
        use crowdlens_dp::Mechanism;
        let delta_per_question = rules.delta_per_question;
        let (cap, floor) = (rules.max_epsilon_per_question, rules.min_epsilon_per_question);
        // The ledger holds a ρ charge to the ρ the floor's pure ε implies (ε²/2): the least ε
        // alone (at δ per question) whose Gaussian noise charges that much.
        let least = match mechanism {
            Mechanism::Laplace => floor,
            Mechanism::Gaussian => crowdlens_dp::zcdp_epsilon(floor * floor / 2.0 * (1.0 + 1e-9), delta_per_question)?,
        };
        let epsilon = match budget {
            Budget::Epsilon(e) => e,
            // Asked by accuracy, a looser interval than the floor's is simply answered more
            // accurately.
            Budget::Accuracy(a) => {
                crowdlens_dp::epsilon_for_accuracy(mechanism, a, delta_per_question, shape.sensitivity)?.max(least)
            }
        };
        let (delta, ci_half_width, cost, threshold) = if shape.keys == Keys::FromData {
            let t = ThresholdRelease::calibrate(epsilon, delta_per_question, shape.sensitivity)?;
            (t.delta, t.ci_half_width, crowdlens_control::Cost::approximate(epsilon, t.delta), Some(t.threshold))
        } else {
            let delta = if mechanism == Mechanism::Gaussian { delta_per_question } else { 0.0 };
            let release = CountRelease::calibrate_for(mechanism, epsilon, delta, shape.sensitivity)?;
            let cost = match mechanism {
                Mechanism::Laplace => crowdlens_control::Cost::pure(epsilon),
                Mechanism::Gaussian => crowdlens_control::Cost::zcdp(release.rho),
            };
            (delta, release.ci_half_width, cost, None)
        };
        let per_epoch = crowdlens_control::accounting::Spend::default().times_that_fit(
            cost,
            rules.epsilon_per_epoch,
            rules.delta_per_epoch,
        );
        // As the ledger holds it: a ρ charge against the ρ the cap's pure ε implies.
        let as_pure = if cost.rho > 0.0 { (2.0 * cost.rho).sqrt() } else { epsilon };
        Ok(Considered {
            mechanism,
            epsilon,
            delta,
            ci_half_width,
            cost,
            per_epoch,
            above_cap: as_pure > cap,
            below_floor: epsilon < least,
            least,
            threshold,
        })
    }
}

impl Charge {
    /// Prices a question: picks its mechanism, fills ε (for a question asked by accuracy), δ,
    /// the threshold (for private keys) and the interval width.
    ///
    /// With `auto`, keys found in the data take discrete Laplace (thresholding is defined for it).
    /// Otherwise both mechanisms are priced: asked by ε, the one with the narrower interval at
    /// that ε wins; asked by accuracy, the one of which more questions fit in an epoch (what a
    /// week's budget buys at that accuracy, with ρ composing as the ledger composes it). Ties go
    /// to Laplace, whose guarantee needs no δ.
    ///
    /// Refuses an ε above the rules' per-question cap here, from the parameters alone, so the
    /// refusal costs nothing and a dry run shows it too (the ledger checks the cap again).
    pub(crate) fn new(asked: Asked, shape: Shape, rules: &Rules) -> Result<Charge, QueryError> {
        use crowdlens_dp::Mechanism;
        let Asked { question, store_generation, sources, epochs, budget, mechanism: choice } = asked;
        // Every question is charged in at least one week; a window that covers none is no window.
        if epochs.is_empty() {
            return Err(QueryError::BadWindow("the window covers no week the ledger can charge".into()));
        }
        if let Budget::Epsilon(epsilon) = budget {
            if epsilon > rules.max_epsilon_per_question {
                return Err(QueryError::EpsilonAboveCap { asked: epsilon, cap: rules.max_epsilon_per_question });
            }
            // NaN passes here and is refused by the calibration, which says what a valid ε is.
            if epsilon < rules.min_epsilon_per_question {
                return Err(QueryError::EpsilonBelowFloor { asked: epsilon, floor: rules.min_epsilon_per_question });
            }
        }
        let candidates: &[Mechanism] = match (shape.keys, choice) {
            (Keys::FromData, _) | (_, MechanismChoice::Laplace) => &[Mechanism::Laplace],
            (_, MechanismChoice::Gaussian) => &[Mechanism::Gaussian],
            (_, MechanismChoice::Auto) => &[Mechanism::Laplace, Mechanism::Gaussian],
        };
        let considered =
            candidates.iter().map(|m| Considered::price(*m, budget, &shape, rules)).collect::<Result<Vec<_>, _>>()?;
        let chosen = considered
            .iter()
            .filter(|c| !c.above_cap && !c.below_floor)
            .reduce(|best, c| {
                let better = match budget {
                    Budget::Epsilon(_) => c.ci_half_width < best.ci_half_width,
                    Budget::Accuracy(_) => c.per_epoch > best.per_epoch,
                };
                if better {
                    c
                } else {
                    best
                }
            })
            .cloned();
        let Some(chosen) = chosen else {
            if let (Budget::Epsilon(asked), Some(low)) = (budget, considered.iter().find(|c| c.below_floor)) {
                return Err(QueryError::EpsilonBelowFloor { asked, floor: low.least });
            }
            let needs = considered.iter().map(|c| c.epsilon).fold(f64::INFINITY, f64::min);
            let cap = rules.max_epsilon_per_question;
            let finest = candidates
                .iter()
                .filter_map(|m| Considered::price(*m, Budget::Epsilon(cap), &shape, rules).ok())
                .map(|c| c.ci_half_width)
                .fold(f64::INFINITY, f64::min);
            let asked = match budget {
                Budget::Accuracy(a) => a,
                Budget::Epsilon(e) => e,
            };
            return Err(QueryError::AccuracyBeyondCap { asked, needs, cap, finest });
        };
        let Shape { bound: max_partitions, partitions, sensitivity, keys: _, tiled } = shape;
        let kind = question.get("kind").and_then(|k| k.as_str()).unwrap_or_default().to_string();
        Ok(Charge {
            question: kind,
            asked: question,
            tiled,
            epochs,
            epsilon: chosen.epsilon,
            delta: chosen.delta,
            mechanism: chosen.mechanism,
            accuracy: match budget {
                Budget::Accuracy(a) => Some(a),
                Budget::Epsilon(_) => None,
            },
            max_partitions,
            partitions,
            sensitivity,
            keys: match chosen.threshold {
                Some(threshold) => KeySelection::Private { threshold },
                None => KeySelection::Public,
            },
            ci_half_width: chosen.ci_half_width,
            cost: chosen.cost,
            considered: if considered.len() > 1 { considered } else { Vec::new() },
            questions_left: None,
            store_generation,
            sources,
            needs_approval: false,
            delta_target: rules.delta_per_question,
        })
    }

    /// What the ledger charges for it.
    pub fn price(&self) -> crowdlens_control::Price {
        crowdlens_control::Price { epsilon: self.epsilon, delta: self.delta, cost: self.cost }
    }

    pub(crate) fn calibrate(&self) -> Result<CountRelease, QueryError> {
        Ok(CountRelease::calibrate_for(self.mechanism, self.epsilon, self.delta, self.sensitivity)?)
    }
}

/// Noises `bounded` (one entry per key, in key order). Called only after the charge.
pub(crate) fn publish(charge: &Charge, keys: Vec<RowKey>, bounded: Vec<i64>) -> Result<Released, QueryError> {
    debug_assert_eq!(keys.len(), bounded.len());
    let noise = charge.calibrate()?;
    let released = noise.release(&bounded)?;
    drop(bounded);
    let rows = keys.into_iter().zip(released).map(|(key, value)| row(key, value, noise.ci_half_width)).collect();
    Ok(Released { rows, derived: None })
}

/// Like [`publish`] for keys found in the data: each key's noisy count is released only when
/// it reaches the threshold. `labels` names every key id that `bounded` may hold.
pub(crate) fn publish_private(
    charge: &Charge,
    labels: HashMap<u64, RowKey>,
    bounded: HashMap<u64, i64>,
) -> Result<Released, QueryError> {
    // Calibration is deterministic, so this is the release that was priced.
    let t = ThresholdRelease::calibrate(charge.epsilon, charge.delta_target, charge.sensitivity)?;
    let released = t.release(&bounded)?;
    drop(bounded);
    let mut ids: Vec<u64> = released.keys().copied().collect();
    ids.sort_unstable();
    let rows =
        ids.into_iter().filter_map(|id| Some(row(labels.get(&id)?.clone(), released[&id], t.ci_half_width))).collect();
    Ok(Released { rows, derived: None })
}

fn row(key: RowKey, value: i64, half: f64) -> AnswerRow {
    AnswerRow { key, value, ci_low: value as f64 - half, ci_high: value as f64 + half }
}

/// Audits a question refused before its charge: from its parameters or the store's public
/// metadata, never from its data. The ledger audits its own refusals (budget, cap).
/// A question as its audit entries record it: its parameters, and its kind under `kind`, so that
/// a report can count questions by kind even when they never finished.
pub(crate) fn audited_question(kind: &str, q: &impl Serialize) -> serde_json::Value {
    let mut question = serde_json::to_value(q).expect("questions serialise");
    if let Some(fields) = question.as_object_mut() {
        fields.insert("kind".into(), kind.into());
    }
    question
}

fn audit_refusal(ledger: &mut Ledger, asker: &Asker, question: &serde_json::Value, error: &QueryError) {
    if matches!(error, QueryError::Control(e) if e.is_audited_refusal()) {
        return;
    }
    // If the database itself is failing this may fail too; the question is refused either way.
    let _ = ledger.record_refusal(&asker.requester(), question, error.code(), &error.audited_reason());
}

/// Every question runs through here, in the order the privacy model requires:
/// 1. `price` checks the question from its parameters (and public store metadata) and prices
///    it; a refusal here is audited and costs nothing;
/// 2. the ledger reserves the charge and commits it with its audit entry, or refuses;
/// 3. `run` reads the data and releases noisy rows (through [`publish`] or
///    [`publish_private`]);
/// 4. the answer's digest is audited, and only then does the answer leave.
///
/// A failure in `run`, or the future being dropped (a server timeout), leaves the charge in
/// place and an audit entry saying so: no refusal that depends on the data is free.
pub(crate) async fn answer<P>(
    ledger: &mut Ledger,
    asker: &Asker,
    question: &serde_json::Value,
    price: impl FnOnce(&Rules) -> Result<(Charge, P), QueryError>,
    run: impl AsyncFnOnce(P, &Charge) -> Result<Released, QueryError>,
) -> Result<Answer, QueryError> {
    crate::progress::enter(crate::progress::Stage::Checking);
    let priced = asker.check(ledger.rules()).and_then(|()| price(ledger.rules()));
    let (charge, plan) = match priced {
        Ok(p) => p,
        Err(e) => {
            audit_refusal(ledger, asker, question, &e);
            return Err(e);
        }
    };
    let error = match ledger.reserve(&asker.requester(), question, &charge.epochs, &charge.price()) {
        Ok(reservation) => return run_charged(reservation, asker, charge, plan, run).await,
        Err(e) => QueryError::from(e),
    };
    audit_refusal(ledger, asker, question, &error);
    Err(error)
}

/// Steps 3 and 4 of [`answer`], once the charge is committed.
async fn run_charged<P>(
    reservation: crowdlens_control::Reservation<'_>,
    asker: &Asker,
    charge: Charge,
    plan: P,
    run: impl AsyncFnOnce(P, &Charge) -> Result<Released, QueryError>,
) -> Result<Answer, QueryError> {
    let charged_in = reservation.charge_id();
    crate::progress::enter(crate::progress::Stage::Reading);
    let released = match run(plan, &charge).await {
        Ok(r) => r,
        Err(e) => {
            let _ = reservation.failed(&e.audited_reason());
            return Err(e);
        }
    };
    crate::progress::enter(crate::progress::Stage::Releasing);
    let answer = Answer {
        question: charge.question.clone(),
        asked: charge.asked.clone(),
        tiled: charge.tiled,
        epsilon: charge.epsilon,
        delta: charge.delta,
        epochs: charge.epochs.clone(),
        mechanism: charge.mechanism,
        max_partitions: charge.max_partitions,
        confidence: CONFIDENCE,
        case: asker.case_id.clone(),
        purpose: asker.purpose.clone(),
        audit_id: 0,
        charged_in,
        rows: released.rows,
        derived: released.derived,
        receipt: None,
    };
    // A large answer takes a while to serialise: off the executor, so that other requests go
    // on, and awaited, so that a question dropped meanwhile (a job's cancel, a timeout) is
    // abandoned after its charge rather than recorded as answered.
    let generation = charge.store_generation;
    let facts_charge = charge.clone();
    let (mut answer, kept, receipt) = match tokio::task::spawn_blocking(move || {
        let kept = keep(&answer, generation);
        let receipt = receipt_facts(&answer, &facts_charge);
        (answer, kept, receipt)
    })
    .await
    {
        Ok(done) => done,
        Err(e) => {
            let e = QueryError::EngineFailed(format!("writing the answer out: {e}"));
            let _ = reservation.failed(&e.audited_reason());
            return Err(e);
        }
    };
    // The answer leaves only once its digest is in the audit chain, and it is kept there so
    // that re-viewing it costs nothing; its receipt is signed in the same transaction.
    let (audit_id, receipt) = reservation.answered(&kept, &receipt)?;
    answer.audit_id = audit_id;
    answer.receipt = Some(receipt);
    Ok(answer)
}

/// The store's manifest generation and the digests of every source it holds at it, which an
/// answer's receipt commits to. Every source, not those with rows in the answered weeks: which
/// sources hold rows in a week depends on the rows (a neighbouring store, without one device's
/// week, can lack one), while the list of sources is the store's public extent.
pub(crate) fn store_state(store: &Store) -> Result<(u64, Vec<String>), QueryError> {
    let manifest = store.manifest()?;
    Ok((manifest.generation, manifest.sources.iter().map(|s| s.digest.clone()).collect()))
}

/// What the receipt of `answer` says beyond the ledger's part: see [`crowdlens_control::ReceiptFacts`].
/// The answer's digest leaves out its audit id, which the receipt names beside it.
fn receipt_facts(answer: &Answer, charge: &Charge) -> crowdlens_control::ReceiptFacts {
    let mut released = serde_json::to_value(answer).expect("answers serialise");
    if let Some(fields) = released.as_object_mut() {
        fields.remove("audit_id");
    }
    let payload = serde_json::json!({
        "crowdlens": env!("CARGO_PKG_VERSION"),
        "answer_digest": crowdlens_control::signed::answer_digest(&released),
        "digest_of": crowdlens_control::signed::ANSWER_FIELDS.iter().filter(|f| **f != "audit_id").collect::<Vec<_>>(),
        "question": answer.question,
        "asked": answer.asked,
        "case": answer.case,
        "purpose": answer.purpose,
        "charged": {
            "epsilon": charge.epsilon,
            "delta": charge.delta,
            "rho": charge.cost.rho,
            "cost": charge.cost,
            "epochs": charge.epochs,
        },
        "method": {
            "mechanism": charge.mechanism,
            "max_partitions": charge.max_partitions,
            "sensitivity": charge.sensitivity,
            "keys": charge.keys,
            "tiled": charge.tiled,
        },
        "interval": { "confidence": CONFIDENCE, "ci_half_width": charge.ci_half_width },
        "store": { "manifest_generation": charge.store_generation },
    });
    crowdlens_control::ReceiptFacts { payload, sources: charge.sources.clone() }
}

/// Opens the store's ledger; never creates one. Rules the ledger lacks (a store made by an
/// earlier version) are recorded from the store's config once, audited; after that the
/// ledger's own rules apply.
pub fn open_ledger(store: &Store) -> Result<Ledger, QueryError> {
    Ok(Ledger::open(&ledger_files(store), &initial_rules(store))?)
}

/// Creates a new store's ledger with the rules of its config: `init` is the only caller.
pub fn create_ledger(store: &Store) -> Result<Ledger, QueryError> {
    Ok(Ledger::create(&ledger_files(store), &initial_rules(store))?)
}

/// Checks receipts and signed reports against a store's ledger, read-only
/// ([`crowdlens_control::check_witnesses`]).
pub fn check_witnesses(
    store: &Store,
    documents: &[crowdlens_control::signed::Envelope],
) -> Result<Vec<crowdlens_control::WitnessCheck>, QueryError> {
    Ok(crowdlens_control::check_witnesses(&ledger_files(store), documents)?)
}

/// Whether a receipt's commitment to its sources still holds for this store, read-only:
/// `Ok(None)` when the store is at the receipt's generation and holds the same sources in its
/// epochs; `Ok(Some(note))` when the store has changed since (a later ingest or retention
/// changes the sources, so there is nothing to compare); an error when, at the same
/// generation, the sources differ.
pub fn check_sources(store: &Store, payload: &serde_json::Value) -> Result<Option<String>, QueryError> {
    let epochs: Vec<String> = payload["charged"]["epochs"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let (generation, sources) = store_state(store)?;
    let signed = payload["store"]["manifest_generation"].as_u64();
    if signed != Some(generation) {
        return Ok(Some(format!(
            "the store is at generation {generation}, the receipt at {}: its sources were not compared",
            signed.map_or("none".into(), |g| g.to_string())
        )));
    }
    let key = crowdlens_control::signed::StoreKey::load(&ledger_files(store).signing_key())
        .map_err(crowdlens_control::ControlError::from)?
        .ok_or_else(|| QueryError::Control(crowdlens_control::ControlError::SigningKeyMissing {
            path: ledger_files(store).signing_key().display().to_string(),
        }))?;
    if payload["sources"]["commitment"].as_str() != Some(key.commit_sources(&sources).as_str()) {
        return Err(QueryError::Control(crowdlens_control::ControlError::BadSignature(format!(
            "the store holds other sources in {} than the answer was computed from, at the same generation: its \
             manifest was altered",
            epochs.join(", ")
        ))));
    }
    Ok(None)
}

/// Checks a store's audit chain without creating or writing anything.
pub fn verify_ledger(store: &Store) -> Result<Option<crowdlens_control::audit::Checkpoint>, QueryError> {
    Ok(Ledger::verify_files(&ledger_files(store))?)
}

fn ledger_files(store: &Store) -> LedgerFiles {
    LedgerFiles { database: store.control_db_path(), witness: store.ledger_witness_path() }
}

fn initial_rules(store: &Store) -> Rules {
    rules_of_config(store.config())
}

/// The rules a store's config names: what a new store's ledger records.
pub fn rules_of_config(c: &crowdlens_store::Config) -> Rules {
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
        // Neither limits anything until the operator sets it: a case, or an asker, may spend the
        // whole epoch without a second person.
        max_epsilon_per_case_per_epoch: p.epsilon_per_epoch,
        approval_above_epsilon: p.epsilon_per_epoch,
    }
}

/// The answer as the ledger keeps it: the rows' JSON and everything else but the audit id,
/// which the keeping entry itself is. The audited digest covers both
/// (`crowdlens_control::kept::digest_of_answer`).
fn keep(a: &Answer, store_generation: u64) -> crowdlens_control::kept::KeptAnswer {
    let mut meta = serde_json::json!({
        "question": a.question, "asked": a.asked, "tiled": a.tiled, "epsilon": a.epsilon, "delta": a.delta, "epochs": a.epochs,
        "mechanism": a.mechanism, "max_partitions": a.max_partitions, "confidence": a.confidence,
        "case": a.case, "purpose": a.purpose, "charged_in": a.charged_in,
    });
    if let Some(derived) = &a.derived {
        meta["derived"] = derived.clone();
    }
    crowdlens_control::kept::KeptAnswer {
        question: a.question.clone(),
        rows_json: serde_json::to_string(&a.rows).expect("rows serialise"),
        meta_json: meta.to_string(),
        rows: a.rows.len() as i64,
        store_generation,
    }
}
