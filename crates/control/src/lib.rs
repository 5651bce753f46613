//! The control plane's durable state in SQLite: the per-epoch privacy ledger and the
//! hash-chained audit log, written in one transaction so there is never a charge without its
//! audit entry, nor an entry without its charge.
//!
//! # Layout
//! - [`Ledger`]: opening the database, charging, refusing, reading budget state.
//! - [`Rules`]: the budget totals and per-question caps, recorded in the database (not in an
//!   editable file) and changed only through [`Ledger::set_rule`], which audits the change.
//! - [`Reservation`]: a committed charge whose question is still running; it audits how the
//!   question ended, even when it is dropped unfinished.
//! - [`audit`]: the chain's hash construction, checkpoint and verification.
//! - [`tokens`]: API tokens (argon2-hashed secrets) and roles.
//! - [`kept`]: released answers, kept with the entry that audits their digest so that they
//!   can be re-viewed without a charge.

pub mod audit;
pub mod kept;
pub mod tokens;

use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("control database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("budget exhausted for epoch {epoch}: this question needs ε={needed}, but only ε={remaining} of {total} remains. Ask a coarser or shorter question, lower --epsilon, or wait for a new epoch")]
    BudgetExhausted { epoch: String, needed: f64, remaining: f64, total: f64 },
    #[error("delta budget exhausted for epoch {epoch}: this question needs δ={needed:e}, only δ={remaining:e} remains; use --mechanism laplace, which spends no δ")]
    DeltaExhausted { epoch: String, needed: f64, remaining: f64 },
    #[error("token: {0}")]
    BadToken(String),
    #[error("audit chain broken at entry {id}: {reason}")]
    AuditBroken { id: i64, reason: String },
    #[error("epsilon {asked} is above this store's cap of {cap} per question; ask with --epsilon {cap} or less (an administrator can change the cap with `crowdlens budget set`)")]
    EpsilonAboveCap { asked: f64, cap: f64 },
    #[error("invalid rule: {0}")]
    BadRule(String),
    #[error("control database: {0}")]
    Io(String),
    #[error("kept answer #{id} does not match the digest its audit entry holds: it was altered after release, so it is not shown (run `crowdlens audit verify`)")]
    KeptAnswerAltered { id: i64 },
}

impl ControlError {
    /// Refusals the ledger decided and audited inside its own transaction.
    pub fn is_audited_refusal(&self) -> bool {
        matches!(
            self,
            ControlError::BudgetExhausted { .. }
                | ControlError::DeltaExhausted { .. }
                | ControlError::EpsilonAboveCap { .. }
        )
    }
}

/// The privacy rules of a store. They are written to the ledger when the store is created and
/// read from it on every open, so editing a file cannot raise a budget; a change goes through
/// [`Ledger::set_rule`] and leaves an audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rules {
    /// Total ε each epoch may spend across all questions.
    pub epsilon_per_epoch: f64,
    /// Total δ each epoch may spend.
    pub delta_per_epoch: f64,
    /// Largest ε one question may spend.
    pub max_epsilon_per_question: f64,
    /// δ one question spends (gaussian noise, thresholded keys).
    pub delta_per_question: f64,
    /// Longest window a question may cover, in days.
    pub max_window_days: f64,
}

impl Rules {
    pub const NAMES: [&'static str; 5] =
        ["epsilon_per_epoch", "delta_per_epoch", "max_epsilon_per_question", "delta_per_question", "max_window_days"];

    fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "epsilon_per_epoch" => self.epsilon_per_epoch,
            "delta_per_epoch" => self.delta_per_epoch,
            "max_epsilon_per_question" => self.max_epsilon_per_question,
            "delta_per_question" => self.delta_per_question,
            "max_window_days" => self.max_window_days,
            _ => return None,
        })
    }

    fn set(&mut self, name: &str, value: f64) -> Result<(), ControlError> {
        let bad = |why: &str| Err(ControlError::BadRule(format!("{name} = {value}: {why}")));
        match name {
            "epsilon_per_epoch" | "max_epsilon_per_question" if !(value.is_finite() && value > 0.0) => {
                return bad("must be a positive number")
            }
            "delta_per_epoch" | "delta_per_question" if !(0.0..1.0).contains(&value) => {
                return bad("must be in [0, 1)")
            }
            "max_window_days" if !(value.is_finite() && value >= 1.0 && value.fract() == 0.0) => {
                return bad("must be a whole number of days, at least 1")
            }
            _ => {}
        }
        match name {
            "epsilon_per_epoch" => self.epsilon_per_epoch = value,
            "delta_per_epoch" => self.delta_per_epoch = value,
            "max_epsilon_per_question" => self.max_epsilon_per_question = value,
            "delta_per_question" => self.delta_per_question = value,
            "max_window_days" => self.max_window_days = value,
            other => {
                return Err(ControlError::BadRule(format!("no rule {other:?}; rules are {}", Rules::NAMES.join(", "))))
            }
        }
        Ok(())
    }

    /// Checks every rule's range.
    pub fn validate(&self) -> Result<(), ControlError> {
        let mut copy = *self;
        for name in Rules::NAMES {
            copy.set(name, self.get(name).expect("a known name"))?;
        }
        Ok(())
    }
}

/// Who asked, why, and what: the context recorded with every charge.
#[derive(Debug, Clone, Serialize)]
pub struct Requester {
    pub actor: String,
    pub role: String,
    pub case_id: String,
    pub purpose: String,
}

/// Budget state of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpochBudget {
    pub epoch: String,
    pub epsilon_total: f64,
    pub epsilon_spent: f64,
    pub epsilon_remaining: f64,
    pub delta_total: f64,
    pub delta_spent: f64,
    pub questions: u64,
}

/// One epoch's share of one charge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChargeRecord {
    /// The `charged` audit entry.
    pub audit_id: i64,
    pub epoch: String,
    pub epsilon: f64,
    pub delta: f64,
}

/// What one case spent under one purpose in one epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSpend {
    pub epoch: String,
    pub case_id: String,
    pub purpose: String,
    pub epsilon_spent: f64,
    pub delta_spent: f64,
    pub questions: u64,
}

/// Tolerance for float sums in the ledger: spending exactly the remaining budget must succeed
/// even when ε values like 0.1 do not add exactly.
const EPS_SLACK: f64 = 1e-9;

pub struct Ledger {
    conn: Connection,
    checkpoint_path: PathBuf,
    rules: Rules,
}

/// Who writes entries that no asker caused (the rules recorded at creation).
fn system() -> Requester {
    Requester { actor: "crowdlens".into(), role: "admin".into(), case_id: "-".into(), purpose: "-".into() }
}

impl Ledger {
    /// Opens (or creates) the database. `initial` rules are recorded only if the database holds
    /// none yet, that is when the store is created; after that the recorded rules apply.
    pub fn open(path: &Path, initial: &Rules) -> Result<Ledger, ControlError> {
        initial.validate()?;
        create_private_file(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // Switching to WAL needs the database to itself, and SQLite reports a conflict at once
        // instead of waiting: two processes opening a new store together would otherwise fail.
        let mut attempts = 0;
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && attempts < 300 =>
                {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(e.into()),
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS charges (
                id INTEGER PRIMARY KEY,
                audit_id INTEGER NOT NULL,
                epoch TEXT NOT NULL,
                epsilon REAL NOT NULL,
                delta REAL NOT NULL
            );
            CREATE INDEX IF NOT EXISTS charges_epoch ON charges(epoch);
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                case_id TEXT NOT NULL,
                purpose TEXT NOT NULL,
                question TEXT NOT NULL,
                outcome TEXT NOT NULL,
                epsilon REAL NOT NULL,
                delta REAL NOT NULL,
                answer_digest TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );",
        )?;
        tokens::create_table(&conn)?;
        kept::create_table(&conn)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS rules (name TEXT PRIMARY KEY, value REAL NOT NULL);")?;
        let mut ledger = Ledger { conn, checkpoint_path: path.with_extension("head"), rules: *initial };
        ledger.rules = ledger.record_initial_rules(initial)?;
        Ok(ledger)
    }

    /// Writes `initial` as the rules unless rules exist, and returns the rules in force.
    fn record_initial_rules(&mut self, initial: &Rules) -> Result<Rules, ControlError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let recorded: Vec<(String, f64)> = {
            let mut stmt = tx.prepare("SELECT name, value FROM rules")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut rules = *initial;
        let mut missing = Vec::new();
        for name in Rules::NAMES {
            match recorded.iter().find(|(n, _)| n == name) {
                Some((_, v)) => rules.set(name, *v)?,
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            for name in &missing {
                tx.execute("INSERT INTO rules (name, value) VALUES (?1, ?2)", params![name, rules.get(name)])?;
            }
            let recorded: serde_json::Map<String, serde_json::Value> =
                missing.iter().map(|n| (n.to_string(), rules.get(n).into())).collect();
            let id = audit::append(
                &tx,
                &system(),
                &serde_json::json!({ "rules": recorded }),
                "rules recorded",
                0.0,
                0.0,
                "",
            )?;
            tx.commit()?;
            self.checkpoint(id);
        }
        Ok(rules)
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Changes one rule and audits the change (old value, new value, who and why) in the same
    /// transaction. Lowering `epsilon_per_epoch` below what an epoch has spent leaves it with
    /// nothing to spend; spent budget is never given back.
    pub fn set_rule(&mut self, who: &Requester, name: &str, value: f64, reason: &str) -> Result<i64, ControlError> {
        if reason.trim().is_empty() {
            return Err(ControlError::BadRule("a rule change needs a reason (--reason)".into()));
        }
        let mut rules = self.rules;
        let old = rules.get(name);
        rules.set(name, value)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT OR REPLACE INTO rules (name, value) VALUES (?1, ?2)", params![name, value])?;
        let question = serde_json::json!({"rule": name, "from": old, "to": value, "reason": reason});
        let id = audit::append(&tx, who, &question, &format!("rule changed: {name} {old:?} -> {value}"), 0.0, 0.0, "")?;
        tx.commit()?;
        self.checkpoint(id);
        self.rules = rules;
        Ok(id)
    }

    /// Atomically checks the per-question cap and every epoch's remaining budget and, if all
    /// allow it, commits the charge with its audit entry, before the question reads any data.
    /// The returned [`Reservation`] then records how the question ended. On refusal nothing is
    /// charged, and the refusal itself is audited.
    pub fn reserve(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        epochs: &[String],
        epsilon: f64,
        delta: f64,
    ) -> Result<Reservation<'_>, ControlError> {
        let rules = self.rules;
        // IMMEDIATE takes the write lock before reading the sums, so two processes can never
        // both see the same remaining budget and overspend it.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut refusal = None;
        if !(epsilon <= rules.max_epsilon_per_question + EPS_SLACK) {
            refusal = Some(ControlError::EpsilonAboveCap { asked: epsilon, cap: rules.max_epsilon_per_question });
        }
        for epoch in epochs {
            if refusal.is_some() {
                break;
            }
            let (eps_spent, delta_spent): (f64, f64) = tx.query_row(
                "SELECT COALESCE(SUM(epsilon), 0), COALESCE(SUM(delta), 0) FROM charges WHERE epoch = ?1",
                [epoch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let remaining = rules.epsilon_per_epoch - eps_spent;
            if epsilon > remaining + EPS_SLACK {
                refusal = Some(ControlError::BudgetExhausted {
                    epoch: epoch.clone(),
                    needed: epsilon,
                    remaining: remaining.max(0.0),
                    total: rules.epsilon_per_epoch,
                });
                break;
            }
            let delta_remaining = rules.delta_per_epoch - delta_spent;
            if delta > 0.0 && delta > delta_remaining * (1.0 + EPS_SLACK) {
                refusal = Some(ControlError::DeltaExhausted {
                    epoch: epoch.clone(),
                    needed: delta,
                    remaining: delta_remaining.max(0.0),
                });
                break;
            }
        }
        let outcome = match &refusal {
            None => "charged".to_string(),
            Some(e) => format!("refused: {e}"),
        };
        let (eps_logged, delta_logged) = if refusal.is_none() { (epsilon, delta) } else { (0.0, 0.0) };
        let audit_id = audit::append(&tx, who, question, &outcome, eps_logged, delta_logged, "")?;
        if refusal.is_none() {
            for epoch in epochs {
                tx.execute(
                    "INSERT INTO charges (audit_id, epoch, epsilon, delta) VALUES (?1, ?2, ?3, ?4)",
                    params![audit_id, epoch, epsilon, delta],
                )?;
            }
        }
        tx.commit()?;
        self.checkpoint(audit_id);
        match refusal {
            None => {
                Ok(Reservation { ledger: self, who: who.clone(), charge_id: audit_id, epsilon, delta, settled: false })
            }
            Some(e) => Err(e),
        }
    }

    /// Records an administrative event (such as retention shredding an epoch); spends nothing.
    pub fn record_event(
        &mut self,
        who: &Requester,
        what: &serde_json::Value,
        outcome: &str,
    ) -> Result<i64, ControlError> {
        self.append_outcome(who, what, outcome, "")
    }

    /// Appends an entry that spends nothing: how a charged question ended, or a refusal.
    fn append_outcome(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        outcome: &str,
        digest: &str,
    ) -> Result<i64, ControlError> {
        self.append_outcome_keeping(who, question, outcome, digest, None)
    }

    /// As [`Ledger::append_outcome`], and keeps a released answer in the same transaction.
    fn append_outcome_keeping(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        outcome: &str,
        digest: &str,
        kept: Option<(&kept::KeptAnswer, i64, f64, f64)>,
    ) -> Result<i64, ControlError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = audit::append(&tx, who, question, outcome, 0.0, 0.0, digest)?;
        if let Some((answer, charged_in, epsilon, delta)) = kept {
            kept::insert(&tx, id, charged_in, answer, epsilon, delta)?;
        }
        tx.commit()?;
        self.checkpoint(id);
        Ok(id)
    }

    /// Records a question refused before any budget check (bad parameters, missing purpose).
    pub fn record_refusal(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        reason: &str,
    ) -> Result<i64, ControlError> {
        self.append_outcome(who, question, &format!("refused: {reason}"), "")
    }

    /// Spent and remaining budget for each of `epochs` plus every epoch with a charge.
    pub fn budget(&self, epochs: &[String]) -> Result<Vec<EpochBudget>, ControlError> {
        let mut stmt = self
            .conn
            .prepare("SELECT epoch, SUM(epsilon), SUM(delta), COUNT(DISTINCT audit_id) FROM charges GROUP BY epoch")?;
        let mut spent: std::collections::BTreeMap<String, (f64, f64, u64)> = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as u64))))?
            .collect::<Result<_, _>>()?;
        for e in epochs {
            spent.entry(e.clone()).or_insert((0.0, 0.0, 0));
        }
        Ok(spent
            .into_iter()
            .map(|(epoch, (eps, delta, questions))| EpochBudget {
                epoch,
                epsilon_total: self.rules.epsilon_per_epoch,
                epsilon_spent: eps,
                epsilon_remaining: (self.rules.epsilon_per_epoch - eps).max(0.0),
                delta_total: self.rules.delta_per_epoch,
                delta_spent: delta,
                questions,
            })
            .collect())
    }

    /// Number of audit entries.
    pub fn audit_len(&self) -> Result<i64, ControlError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?)
    }

    /// Records the head outside the database. A crash before this write leaves the checkpoint
    /// behind the log, which verification accepts; only a log shorter than its checkpoint is
    /// truncation.
    fn checkpoint(&self, id: i64) {
        if let Ok(hash) = self.conn.query_row("SELECT hash FROM audit WHERE id = ?1", [id], |r| r.get::<_, String>(0)) {
            let _ = audit::write_checkpoint(&self.checkpoint_path, &audit::Checkpoint { id, hash });
        }
    }

    /// Checks the whole chain and its checkpoint; returns the head (id and hash).
    pub fn verify_audit(&self) -> Result<Option<audit::Checkpoint>, ControlError> {
        audit::verify(&self.conn, audit::read_checkpoint(&self.checkpoint_path).as_ref())
    }

    /// Where the head checkpoint lives (beside the database).
    pub fn checkpoint_path(&self) -> &Path {
        &self.checkpoint_path
    }

    /// Creates an API token; the returned string is the only copy of its secret.
    pub fn create_token(&self, name: &str, role: tokens::Role) -> Result<(String, tokens::TokenInfo), ControlError> {
        tokens::create(&self.conn, name, role)
    }

    /// The token's holder and role, or `None` for an unknown, malformed or revoked token.
    pub fn check_token(&self, token: &str) -> Result<Option<tokens::TokenInfo>, ControlError> {
        tokens::check(&self.conn, token)
    }

    /// Revokes at once; `false` if there was no such live token.
    pub fn revoke_token(&self, id: i64) -> Result<bool, ControlError> {
        tokens::revoke(&self.conn, id)
    }

    pub fn list_tokens(&self) -> Result<Vec<tokens::TokenInfo>, ControlError> {
        tokens::list(&self.conn)
    }

    /// Kept answers, newest first: all of them, or one actor's, or one case's.
    pub fn kept_answers(
        &self,
        actor: Option<&str>,
        case_id: Option<&str>,
    ) -> Result<Vec<kept::KeptSummary>, ControlError> {
        kept::list(&self.conn, actor, case_id)
    }

    /// A kept answer by its `answered` audit entry, or `None`. Reading it charges nothing
    /// and runs nothing; an answer whose rows no longer match the audited digest is an error.
    pub fn kept_answer(&self, audit_id: i64) -> Result<Option<kept::KeptRead>, ControlError> {
        kept::read(&self.conn, audit_id)
    }

    /// Every charge, one row per epoch it touched, in audit order.
    pub fn charges(&self) -> Result<Vec<ChargeRecord>, ControlError> {
        let mut stmt =
            self.conn.prepare("SELECT audit_id, epoch, epsilon, delta FROM charges ORDER BY audit_id, epoch")?;
        let rows = stmt.query_map([], |r| {
            Ok(ChargeRecord { audit_id: r.get(0)?, epoch: r.get(1)?, epsilon: r.get(2)?, delta: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Spent ε and δ and questions asked, per epoch, case and purpose.
    pub fn spend_by_case(&self) -> Result<Vec<CaseSpend>, ControlError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.epoch, a.case_id, a.purpose, SUM(c.epsilon), SUM(c.delta), COUNT(DISTINCT c.audit_id)
             FROM charges c JOIN audit a ON a.id = c.audit_id
             GROUP BY c.epoch, a.case_id, a.purpose ORDER BY c.epoch, a.case_id, a.purpose",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CaseSpend {
                epoch: r.get(0)?,
                case_id: r.get(1)?,
                purpose: r.get(2)?,
                epsilon_spent: r.get(3)?,
                delta_spent: r.get(4)?,
                questions: r.get::<_, i64>(5)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every audit entry, in order, as exported.
    pub fn audit_entries(&self) -> Result<Vec<audit::Entry>, ControlError> {
        Ok(audit::entries(&self.conn)?.into_iter().map(|(_, e)| e).collect())
    }
}

/// A charge committed before its question read any data. It records how the question ended:
/// [`Reservation::answered`] with the answer's digest, [`Reservation::failed`] with the reason,
/// or, if it is dropped unsettled (a timeout, a cancelled request, a panic), an entry saying
/// so. Either way the charge stands: a question that touched data is never free.
pub struct Reservation<'a> {
    ledger: &'a mut Ledger,
    who: Requester,
    charge_id: i64,
    epsilon: f64,
    delta: f64,
    settled: bool,
}

impl Reservation<'_> {
    /// The audit entry that holds the charge.
    pub fn charge_id(&self) -> i64 {
        self.charge_id
    }

    fn settle(&mut self, outcome: &str, kept: Option<&kept::KeptAnswer>) -> Result<i64, ControlError> {
        self.settled = true;
        let question = serde_json::json!({ "charged_in": self.charge_id });
        let who = self.who.clone();
        let digest = kept.map(kept::KeptAnswer::digest).unwrap_or_default();
        let kept = kept.map(|k| (k, self.charge_id, self.epsilon, self.delta));
        self.ledger.append_outcome_keeping(&who, &question, outcome, &digest, kept)
    }

    /// Records the released answer's digest and keeps the answer, in one transaction;
    /// returns the entry's id, which names the kept answer.
    pub fn answered(mut self, answer: &kept::KeptAnswer) -> Result<i64, ControlError> {
        self.settle("answered", Some(answer))
    }

    /// Records that the question failed after its charge.
    pub fn failed(mut self, reason: &str) -> Result<i64, ControlError> {
        self.settle(&format!("failed after charge: {reason}"), None)
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.settled {
            // Nothing to return an error to: the question's future is gone. The charge
            // committed already; this entry only says the question never finished.
            let _ = self.settle("abandoned after charge: cancelled or timed out before an answer", None);
        }
    }
}

/// Creates the database file owner-only before SQLite opens it; SQLite gives its journal and
/// WAL files the database file's mode.
fn create_private_file(path: &Path) -> Result<(), ControlError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(|e| ControlError::Io(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests;
