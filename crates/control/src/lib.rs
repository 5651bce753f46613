//! The control plane's durable state in SQLite: the per-epoch privacy ledger and the
//! hash-chained audit log, written in one transaction so there is never a charge without its
//! audit entry, nor an entry without its charge.
//!
//! # Layout
//! - [`Ledger`]: opening the database, charging, refusing, reading budget state.
//! - [`audit`]: the chain's hash construction, checkpoint and verification.
//! - [`tokens`]: API tokens (argon2-hashed secrets) and roles.

pub mod audit;
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

/// Tolerance for float sums in the ledger: spending exactly the remaining budget must succeed
/// even when ε values like 0.1 do not add exactly.
const EPS_SLACK: f64 = 1e-9;

pub struct Ledger {
    conn: Connection,
    checkpoint_path: PathBuf,
    epsilon_per_epoch: f64,
    delta_per_epoch: f64,
}

impl Ledger {
    pub fn open(path: &Path, epsilon_per_epoch: f64, delta_per_epoch: f64) -> Result<Ledger, ControlError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
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
        Ok(Ledger { conn, checkpoint_path: path.with_extension("head"), epsilon_per_epoch, delta_per_epoch })
    }

    /// Atomically checks every epoch's remaining budget and, if all suffice, records the charge
    /// and its audit entry. `answer_digest` is computed before the call, so the charge is
    /// committed before any answer leaves. On refusal nothing is charged, and the refusal
    /// itself is audited.
    pub fn charge(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        epochs: &[String],
        epsilon: f64,
        delta: f64,
        answer_digest: &str,
    ) -> Result<i64, ControlError> {
        // IMMEDIATE takes the write lock before reading the sums, so two processes can never
        // both see the same remaining budget and overspend it.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut refusal = None;
        for epoch in epochs {
            let (eps_spent, delta_spent): (f64, f64) = tx.query_row(
                "SELECT COALESCE(SUM(epsilon), 0), COALESCE(SUM(delta), 0) FROM charges WHERE epoch = ?1",
                [epoch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let remaining = self.epsilon_per_epoch - eps_spent;
            if epsilon > remaining + EPS_SLACK {
                refusal = Some(ControlError::BudgetExhausted {
                    epoch: epoch.clone(),
                    needed: epsilon,
                    remaining: remaining.max(0.0),
                    total: self.epsilon_per_epoch,
                });
                break;
            }
            let delta_remaining = self.delta_per_epoch - delta_spent;
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
            None => "answered".to_string(),
            Some(e) => format!("refused: {e}"),
        };
        let (eps_logged, delta_logged) = if refusal.is_none() { (epsilon, delta) } else { (0.0, 0.0) };
        let digest = if refusal.is_none() { answer_digest } else { "" };
        let audit_id = audit::append(&tx, who, question, &outcome, eps_logged, delta_logged, digest)?;
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
            None => Ok(audit_id),
            Some(e) => Err(e),
        }
    }

    /// Records a question refused before any budget check (bad parameters, missing purpose).
    pub fn record_refusal(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        reason: &str,
    ) -> Result<i64, ControlError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = audit::append(&tx, who, question, &format!("refused: {reason}"), 0.0, 0.0, "")?;
        tx.commit()?;
        self.checkpoint(id);
        Ok(id)
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
                epsilon_total: self.epsilon_per_epoch,
                epsilon_spent: eps,
                epsilon_remaining: (self.epsilon_per_epoch - eps).max(0.0),
                delta_total: self.delta_per_epoch,
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

    /// Every audit entry, in order, as exported.
    pub fn audit_entries(&self) -> Result<Vec<audit::Entry>, ControlError> {
        Ok(audit::entries(&self.conn)?.into_iter().map(|(_, e)| e).collect())
    }
}

#[cfg(test)]
mod tests;
