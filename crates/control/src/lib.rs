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

pub mod accounting;
pub mod audit;
pub mod kept;
pub mod approvals;
pub mod outcome;
mod rules;
pub mod tokens;

pub use accounting::{Cost, Guarantee, Spend};
/// Signed evidence: the store's key, envelopes, canonical JSON ([`crowdlens_evidence`]).
pub use crowdlens_evidence as signed;
pub use rules::Rules;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("control database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("budget exhausted for epoch {epoch}: this question would add ε {needed:.4} to the epoch's guarantee, and only ε {remaining:.4} of {total} remains. A coarser or shorter question costs the same; what helps: a lower --epsilon that fits (wider intervals), --mechanism gaussian (charged in zCDP, which composes more cheaply), asking again a question you were already answered (free), a window in another week, or the operator raising the rule with `crowdlens budget set`")]
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
    #[error("epsilon {asked} is below this store's floor of {floor} per question; ask with --epsilon {floor} or more (a smaller ε would cost nothing against the budget, yet still read the data)")]
    EpsilonBelowFloor { asked: f64, floor: f64 },
    #[error("this store's ledger {path} is missing. Its budget and audit log cannot be recreated: restore control.sqlite (and control.head) from a backup, or create a new store with `crowdlens init`; no command creates a ledger for an existing store")]
    LedgerMissing { path: String },
    #[error("this store's ledger {path} holds no audit chain. Every ledger begins with its rules, so this one was emptied or replaced, and its budget and audit log cannot be recreated: restore control.sqlite (and control.head) from a backup. If `crowdlens init` itself was interrupted, the store holds nothing yet: create it again in a new directory")]
    LedgerEmptied { path: String },
    #[error("a ledger already exists at {path}; `crowdlens init` creates a ledger only for a new store")]
    LedgerExists { path: String },
    #[error("the ledger was rolled back: {reason}. It may have been restored from an older backup or replaced; nothing is answered from it. Restore the newest copy of control.sqlite, or ask the store's operator")]
    RolledBack { reason: String },
    #[error("kept answer #{id} does not match the digest its audit entry holds: it was altered after release, so it is not shown (run `crowdlens audit verify`)")]
    KeptAnswerAltered { id: i64 },
    #[error("signature check failed: {0}")]
    BadSignature(String),
    #[error("this store's signing key {path} is missing, but its audit chain records one: every receipt it gave was signed with that key, and a new one would not match them. Restore keyring/signing.ed25519 from a backup of the keyring")]
    SigningKeyMissing { path: String },
    #[error("this store's signing key {path} is not the key its audit chain records (public key {recorded}): the keyring was replaced or mixed with another store's. Restore keyring/signing.ed25519 from a backup")]
    SigningKeyReplaced { path: String, recorded: String },
    #[error("case {case:?} would spend ε {would:.4} in epoch {epoch}, over this store's cap of {cap} per case per epoch (it has spent ε {spent:.4}); ask less, in another week, or ask the operator to change max_epsilon_per_case_per_epoch")]
    CaseCapExhausted { case: String, epoch: String, would: f64, spent: f64, cap: f64 },
    #[error("this token would spend ε {would:.4} in epoch {epoch}, over its cap of {cap} per epoch (it has spent ε {spent:.4}); ask less, in another week, or ask an administrator for a token with a larger cap")]
    TokenCapExhausted { epoch: String, would: f64, spent: f64, cap: f64 },
    #[error("this question would bring its asker's or its case's spend in a week to ε {epsilon:.4}, above this store's threshold of {threshold} for a supervisor's approval: it is pending as request #{request}. Nothing was charged. Once a supervisor approves it (`crowdlens approve {request}`, the API or the UI's Approvals page), ask exactly the same question again")]
    ApprovalRequired { request: i64, epsilon: f64, threshold: f64 },
    #[error("{reason}; nothing was charged")]
    TokenRevoked { reason: String },
    #[error("{0}; ask within the token's scope, or ask an administrator for a token that covers it")]
    OutOfScope(String),
    #[error("approval request #{request}: {problem}")]
    Approval { request: i64, problem: String },
    #[error("approval request #{request} was asked by {asker}: whoever asked a question cannot approve it; a second person with the supervisor role must")]
    SelfApproval { request: i64, asker: String },
}

impl From<signed::EvidenceError> for ControlError {
    fn from(e: signed::EvidenceError) -> ControlError {
        match e {
            signed::EvidenceError::BadSignature(m) => ControlError::BadSignature(m),
            signed::EvidenceError::Io(m) => ControlError::Io(m),
        }
    }
}

impl ControlError {
    /// The refusal code ([`outcome::REFUSAL_CODES`]) a question refused with this error is
    /// audited under.
    pub fn refusal_code(&self) -> &'static str {
        match self {
            ControlError::BudgetExhausted { .. } => "budget_exhausted",
            ControlError::DeltaExhausted { .. } => "delta_exhausted",
            ControlError::EpsilonAboveCap { .. } => "epsilon_above_cap",
            ControlError::EpsilonBelowFloor { .. } => "epsilon_below_floor",
            ControlError::CaseCapExhausted { .. } => "case_cap_exhausted",
            ControlError::TokenCapExhausted { .. } => "token_cap_exhausted",
            ControlError::ApprovalRequired { .. } => "approval_required",
            ControlError::TokenRevoked { .. } => "token_revoked",
            ControlError::OutOfScope(_) => "out_of_scope",
            ControlError::SelfApproval { .. } => "self_approval",
            ControlError::Approval { .. } => "approval_conflict",
            ControlError::BadSignature(_) => "bad_signature",
            _ => "ledger_error",
        }
    }

    /// Refusals the ledger decided and audited inside its own transaction.
    pub fn is_audited_refusal(&self) -> bool {
        matches!(
            self,
            ControlError::BudgetExhausted { .. }
                | ControlError::DeltaExhausted { .. }
                | ControlError::EpsilonAboveCap { .. }
                | ControlError::EpsilonBelowFloor { .. }
                | ControlError::CaseCapExhausted { .. }
                | ControlError::TokenCapExhausted { .. }
                | ControlError::ApprovalRequired { .. }
                | ControlError::TokenRevoked { .. }
                | ControlError::OutOfScope(_)
        )
    }
}

/// Adds `column` to `table` when a ledger written by an earlier version lacks it. Another
/// process opening the same ledger may add it first; that is not an error.
pub(crate) fn add_column_if_missing(conn: &Connection, table: &str, column: &str, kind: &str) -> Result<(), ControlError> {
    let has = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(&format!("SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = ?1"), [column], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n > 0)
    };
    if has(conn)? {
        return Ok(());
    }
    match conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}")) {
        Ok(()) => Ok(()),
        Err(_) if has(conn)? => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What an epoch has spent so far, summed as [`Spend::with`] sums charges.
fn spend_of(conn: &Connection, epoch: &str) -> Result<Spend, ControlError> {
    spend_where(conn, epoch, Share::Epoch)
}

/// Whose charges in an epoch a spend sums.
#[derive(Debug, Clone, Copy)]
enum Share<'a> {
    Epoch,
    Case(&'a str),
    Actor(&'a str),
}

fn spend_where(conn: &Connection, epoch: &str, share: Share<'_>) -> Result<Spend, ControlError> {
    let (filter, value) = match share {
        Share::Epoch => ("", ""),
        // Case ids differ in letter case only when someone means them to be one case.
        Share::Case(case) => (" AND c.audit_id IN (SELECT id FROM audit WHERE lower(case_id) = lower(?2))", case),
        Share::Actor(actor) => (" AND c.audit_id IN (SELECT id FROM audit WHERE actor = ?2)", actor),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT COALESCE(SUM(CASE WHEN c.delta > 0 THEN 0 ELSE c.epsilon END), 0),
                COALESCE(SUM(c.rho), 0),
                COALESCE(SUM(CASE WHEN c.delta > 0 THEN c.epsilon ELSE 0 END), 0),
                COALESCE(SUM(c.delta), 0)
         FROM charges c WHERE c.epoch = ?1{filter}"
    ))?;
    let read = |r: &rusqlite::Row<'_>| {
        Ok(Spend { epsilon_pure: r.get(0)?, rho: r.get(1)?, epsilon_approx: r.get(2)?, delta_approx: r.get(3)? })
    };
    Ok(match share {
        Share::Epoch => stmt.query_row([epoch], read)?,
        _ => stmt.query_row(params![epoch, value], read)?,
    })
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
    /// The ε of the epoch's guarantee: its charges composed ([`accounting`]).
    pub epsilon_spent: f64,
    pub epsilon_remaining: f64,
    pub delta_total: f64,
    /// The δ of the epoch's guarantee: all of `delta_total` once ρ is spent (the conversion
    /// uses it), else what thresholded charges hold.
    pub delta_spent: f64,
    /// The parts the guarantee combines.
    pub parts: Spend,
    pub questions: u64,
}

/// What a question is charged: its own (ε, δ), which its audit entry records and its answer
/// states, and what each epoch it touches is charged ([`Cost`]): the same pair, or a Gaussian
/// question's ρ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Price {
    pub epsilon: f64,
    pub delta: f64,
    pub cost: Cost,
}

impl Price {
    /// A question whose epochs are charged its own (ε, δ): pure ε when δ is 0.
    pub fn pair(epsilon: f64, delta: f64) -> Price {
        Price { epsilon, delta, cost: Cost::approximate(epsilon, delta) }
    }
}

/// One epoch's share of one charge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChargeRecord {
    /// The `charged` audit entry.
    pub audit_id: i64,
    pub epoch: String,
    /// Pure ε when `delta` is 0, else the ε of an (ε, δ) pair ([`accounting::Cost`]).
    pub epsilon: f64,
    pub delta: f64,
    pub rho: f64,
}

impl ChargeRecord {
    /// What the charge cost the epoch.
    pub fn cost(&self) -> Cost {
        Cost { epsilon: self.epsilon, delta: self.delta, rho: self.rho }
    }
}

/// What one case spent under one purpose in one epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSpend {
    pub epoch: String,
    pub case_id: String,
    pub purpose: String,
    pub epsilon_spent: f64,
    pub delta_spent: f64,
    /// ρ of zCDP charged (Gaussian questions).
    pub rho_spent: f64,
    pub questions: u64,
}

/// What an audit entry's question holds when the ledger's head is witnessed in the keyring from
/// then on: written in the chain, so that the mark cannot be removed without breaking it.
const WITNESS_MARK: &str = "keyring/ledger.witness";

// Relative tolerance for float sums in the ledger: spending exactly the remaining budget must
// succeed even when ε values like 0.1 do not add exactly. It is relative to the total, and
// the rules keep the floor on ε per question above a thousand times it
// ([`Rules::validate`]): an exhausted epoch refuses every question.
use accounting::RELATIVE_SLACK;

pub struct Ledger {
    conn: Connection,
    checkpoint_path: PathBuf,
    witness_path: PathBuf,
    rules: Rules,
    /// The store's signing key, which signs every receipt; set by `create` and `open`.
    key: Option<signed::StoreKey>,
}

/// The outcome of the entry that records a store's public signing key.
const SIGNING_KEY_RECORDED: &str = "signing key recorded";

/// What a receipt says beyond what the ledger adds (the audit entries, the chain's head, the
/// sources' commitment): filled in by the release path.
#[derive(Debug, Clone)]
pub struct ReceiptFacts {
    /// A JSON object: the answer's digest, the question, the charge, the method, the interval.
    pub payload: serde_json::Value,
    /// The digests of the sources the answered epochs hold.
    pub sources: Vec<String>,
}

/// Who writes entries that no asker caused (the rules recorded at creation).
fn system() -> Requester {
    Requester { actor: "crowdlens".into(), role: "admin".into(), case_id: "-".into(), purpose: "-".into() }
}

/// Whether [`Ledger::connect`] opens the ledger `create` just made, or one that must already
/// hold its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    New,
    Existing,
}

/// How many entries the audit chain holds, or `None` when the database has no chain at all.
fn chain_length(conn: &Connection) -> Result<Option<i64>, ControlError> {
    let has_audit: bool =
        conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit'", [], |r| {
            r.get::<_, i64>(0).map(|n| n > 0)
        })?;
    if !has_audit {
        return Ok(None);
    }
    Ok(Some(conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?))
}

/// Where a store keeps its ledger: the database, its head checkpoint beside it, and a second
/// copy of the head (the witness) in the keyring, so that restoring an older `control.sqlite`
/// and `control.head` together is still caught.
#[derive(Debug, Clone)]
pub struct LedgerFiles {
    pub database: PathBuf,
    pub witness: PathBuf,
}

impl LedgerFiles {
    fn checkpoint(&self) -> PathBuf {
        self.database.with_extension("head")
    }

    /// The store's signing key: in the keyring beside the witness, owner-only. Retention shreds
    /// epoch keys only (`EPOCH.key`), never this.
    pub fn signing_key(&self) -> PathBuf {
        self.witness.with_file_name("signing.ed25519")
    }
}

/// The public signing key the chain records last, as hex.
fn recorded_signing_key(conn: &Connection) -> Result<Option<String>, ControlError> {
    let question: Option<String> = conn
        .query_row(
            "SELECT question FROM audit WHERE actor = 'crowdlens' AND outcome = ?1 ORDER BY id DESC LIMIT 1",
            [SIGNING_KEY_RECORDED],
            |r| r.get(0),
        )
        .optional()?;
    Ok(question
        .and_then(|q| serde_json::from_str::<serde_json::Value>(&q).ok())
        .and_then(|q| q["signing_key"].as_str().map(str::to_string)))
}

/// The public key a store's chain records, read-only: what receipts are checked against.
pub fn recorded_public_key(files: &LedgerFiles) -> Result<ed25519_dalek::VerifyingKey, ControlError> {
    let conn = read_only(files)?;
    let hex = recorded_signing_key(&conn)?.ok_or_else(|| ControlError::SigningKeyMissing {
        path: files.signing_key().display().to_string(),
    })?;
    Ok(signed::read_public_key(&hex)?)
}

/// Opens a ledger read-only, writing nothing beside it.
fn read_only(files: &LedgerFiles) -> Result<Connection, ControlError> {
    if !files.database.exists() {
        return Err(ControlError::LedgerMissing { path: files.database.display().to_string() });
    }
    // Without a WAL beside it the database file is the whole ledger: opened immutable,
    // SQLite creates no -wal or -shm file either. With one, a plain read-only open.
    let wal = std::path::PathBuf::from(format!("{}-wal", files.database.display()));
    let conn = if wal.exists() {
        Connection::open_with_flags(&files.database, OpenFlags::SQLITE_OPEN_READ_ONLY)?
    } else {
        let uri = format!("file:{}?immutable=1", files.database.display());
        Connection::open_with_flags(&uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)?
    };
    conn.busy_timeout(Duration::from_secs(30))?;
    if chain_length(&conn)?.unwrap_or(0) == 0 {
        return Err(ControlError::LedgerEmptied { path: files.database.display().to_string() });
    }
    Ok(conn)
}

impl Ledger {
    /// Creates the ledger of a new store and records its rules. Refuses if one exists, or if
    /// the keyring already witnesses one: a store gets exactly one ledger, at `init`.
    pub fn create(files: &LedgerFiles, initial: &Rules) -> Result<Ledger, ControlError> {
        initial.validate()?;
        if files.database.exists() || files.witness.exists() || files.signing_key().exists() {
            return Err(ControlError::LedgerExists { path: files.database.display().to_string() });
        }
        create_private_file(&files.database)?;
        let mut ledger = Ledger::connect(files, initial, Opening::New)?;
        ledger.rules = ledger.record_initial_rules(initial, true)?;
        let key = signed::StoreKey::create(&files.signing_key())?;
        ledger.record_signing_key(&key)?;
        ledger.key = Some(key);
        Ok(ledger)
    }

    /// Opens an existing ledger; never creates one. Refuses a ledger that is behind, or differs
    /// from, the head witnessed in the keyring (a rollback), and one whose charges or rules
    /// tables disagree with the audit chain. Rules the chain does not record yet (a ledger
    /// written by an earlier version) are recorded from `defaults`, with an audit entry, once.
    pub fn open(files: &LedgerFiles, defaults: &Rules) -> Result<Ledger, ControlError> {
        if !files.database.exists() {
            return Err(ControlError::LedgerMissing { path: files.database.display().to_string() });
        }
        let mut ledger = Ledger::connect(files, defaults, Opening::Existing)?;
        let witnessed = audit::witnessed(&ledger.conn)?;
        audit::check_witness(&ledger.conn, audit::read_checkpoint(&files.witness).as_ref(), witnessed)?;
        // The head checkpoint beside the database may lag the chain (a crash after a commit),
        // never lead it or differ from it.
        audit::check_witness(&ledger.conn, audit::read_checkpoint(&files.checkpoint()).as_ref(), false)?;
        audit::check_tables(&ledger.conn)?;
        ledger.rules = ledger.record_initial_rules(defaults, false)?;
        if !witnessed {
            // A ledger from before the witness existed: from now on it is witnessed, and the
            // chain says so, so that deleting the witness later is a rollback, not an old store.
            let tx = ledger.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = audit::append(
                &tx,
                &audit::NewEntry {
                    who: &system(),
                    question: &serde_json::json!({ "witness": WITNESS_MARK }),
                    outcome: "witness begun",
                    epsilon: 0.0,
                    delta: 0.0,
                    answer_digest: "",
                },
            )?;
            tx.commit()?;
            ledger.checkpoint(id);
        }
        ledger.key = Some(ledger.signing_key_of(files)?);
        Ok(ledger)
    }

    /// The store's signing key: the keyring's, which must be the one the chain records. A
    /// ledger from before keys gets one now, recorded in the chain; a chain that records a key
    /// the keyring lacks is refused, so that losing the key is never quietly a new one.
    fn signing_key_of(&mut self, files: &LedgerFiles) -> Result<signed::StoreKey, ControlError> {
        let path = files.signing_key();
        let recorded = recorded_signing_key(&self.conn)?;
        match (signed::StoreKey::load(&path)?, recorded) {
            (Some(key), Some(recorded)) if key.public_hex() == recorded => Ok(key),
            (Some(_), Some(recorded)) => {
                Err(ControlError::SigningKeyReplaced { path: path.display().to_string(), recorded })
            }
            (None, Some(_)) => Err(ControlError::SigningKeyMissing { path: path.display().to_string() }),
            (Some(key), None) => {
                self.record_signing_key(&key)?;
                Ok(key)
            }
            (None, None) => {
                let key = signed::StoreKey::create(&path)?;
                self.record_signing_key(&key)?;
                Ok(key)
            }
        }
    }

    fn record_signing_key(&mut self, key: &signed::StoreKey) -> Result<(), ControlError> {
        let question = serde_json::json!({ "signing_key": key.public_hex(), "algorithm": "ed25519" });
        self.append_outcome(&system(), &question, SIGNING_KEY_RECORDED, "").map(drop)
    }

    fn key(&self) -> Result<&signed::StoreKey, ControlError> {
        self.key.as_ref().ok_or_else(|| ControlError::Io("the ledger was opened without its signing key".into()))
    }

    /// The store's public signing key.
    pub fn public_key(&self) -> Result<ed25519_dalek::VerifyingKey, ControlError> {
        Ok(self.key()?.public())
    }

    /// Signs a document of `kind` (a transparency report) with the store's key.
    pub fn sign(&self, kind: &str, payload: &serde_json::Value) -> Result<signed::Envelope, ControlError> {
        Ok(self.key()?.sign(kind, payload))
    }

    /// The commitment a receipt holds to `digests` ([`signed::StoreKey::commit_sources`]).
    pub fn commit_sources(&self, digests: &[String]) -> Result<String, ControlError> {
        Ok(self.key()?.commit_sources(digests))
    }

    /// The receipt of the answer `audit_id` names, if it has one.
    pub fn receipt(&self, audit_id: i64) -> Result<Option<signed::Envelope>, ControlError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT envelope FROM receipts WHERE audit_id = ?1", [audit_id], |r| r.get(0))
            .optional()?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| ControlError::Io(format!("receipt #{audit_id}: {e}"))))
            .transpose()
    }

    fn connect(files: &LedgerFiles, defaults: &Rules, opening: Opening) -> Result<Ledger, ControlError> {
        let conn = Connection::open_with_flags(&files.database, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        if opening == Opening::Existing && chain_length(&conn)?.unwrap_or(0) == 0 {
            // `create` always records the rules, so an existing ledger without entries was
            // truncated or replaced: opening it would start a fresh budget.
            return Err(ControlError::LedgerEmptied { path: files.database.display().to_string() });
        }
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
                delta REAL NOT NULL,
                rho REAL NOT NULL DEFAULT 0
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
            );
            CREATE TABLE IF NOT EXISTS rules (name TEXT PRIMARY KEY, value REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS rule_values (name TEXT PRIMARY KEY, json TEXT NOT NULL);",
        )?;
        // A ledger written before charges kept ρ: its charges keep their (ε, δ), which compose
        // as pairs, so their spend carries over as it was.
        add_column_if_missing(&conn, "charges", "rho", "REAL NOT NULL DEFAULT 0")?;
        tokens::create_table(&conn)?;
        kept::create_table(&conn)?;
        approvals::create_table(&conn)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS receipts (audit_id INTEGER PRIMARY KEY, envelope TEXT NOT NULL);")?;
        Ok(Ledger {
            conn,
            checkpoint_path: files.checkpoint(),
            witness_path: files.witness.clone(),
            rules: defaults.clone(),
            key: None,
        })
    }

    /// Replays the rules the audit chain records (`rules recorded`, then every `rule
    /// changed`), refuses a rules table that disagrees with them, records `initial` for every
    /// rule the chain lacks, and returns the rules in force. The chain, which every entry's
    /// hash covers, is the authority; the table is a copy.
    fn record_initial_rules(&mut self, initial: &Rules, creating: bool) -> Result<Rules, ControlError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let chained = audit::recorded_rules(&tx)?;
        let mut rules = initial.clone();
        let mut missing = Vec::new();
        for name in Rules::NAMES {
            match chained.get(name) {
                Some(v) => rules.set(name, v)?,
                None => missing.push(name),
            }
        }
        check_rule_table(&tx, &chained)?;
        if !missing.is_empty() {
            for name in &missing {
                let value = rules.get(name).expect("a known name");
                tx.execute(
                    "INSERT OR REPLACE INTO rule_values (name, json) VALUES (?1, ?2)",
                    params![name, value.to_string()],
                )?;
            }
            let recorded: serde_json::Map<String, serde_json::Value> =
                missing.iter().map(|n| (n.to_string(), rules.get(n).expect("a known name"))).collect();
            let mut question = serde_json::json!({ "rules": recorded });
            if creating {
                question["witness"] = WITNESS_MARK.into();
            }
            let id = audit::append(
                &tx,
                &audit::NewEntry {
                    who: &system(),
                    question: &question,
                    outcome: "rules recorded",
                    epsilon: 0.0,
                    delta: 0.0,
                    answer_digest: "",
                },
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
    pub fn set_rule(
        &mut self,
        who: &Requester,
        name: &str,
        value: &serde_json::Value,
        reason: &str,
    ) -> Result<i64, ControlError> {
        if reason.trim().is_empty() {
            return Err(ControlError::BadRule("a rule change needs a reason (--reason)".into()));
        }
        let mut rules = self.rules.clone();
        let old = rules.get(name);
        rules.set(name, value)?;
        rules.validate()?;
        let new = rules.get(name).expect("a known name");
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT OR REPLACE INTO rule_values (name, json) VALUES (?1, ?2)", params![name, new.to_string()])?;
        let question = serde_json::json!({"rule": name, "from": old, "to": new, "reason": reason});
        let outcome = format!("rule changed: {name} {} -> {new}", old.map_or("none".to_string(), |v| v.to_string()));
        let id = audit::append(
            &tx,
            &audit::NewEntry {
                who,
                question: &question,
                outcome: &outcome,
                epsilon: 0.0,
                delta: 0.0,
                answer_digest: "",
            },
        )?;
        tx.commit()?;
        self.checkpoint(id);
        self.rules = rules;
        Ok(id)
    }

    /// The refusal, if any, that the ledger would give a question charging `epsilon` and
    /// `delta` to each of `epochs` now: the per-question cap and floor, then each epoch's ε and δ.
    fn refusal(
        conn: &Connection,
        rules: &Rules,
        who: &Requester,
        kind: &str,
        epochs: &[String],
        epsilon: f64,
        cost: Cost,
    ) -> Result<Option<ControlError>, ControlError> {
        // A token's question is checked against the token as it is now, inside the charge's
        // transaction: a revocation, an expiry or a narrowed scope counts at once.
        let mut token_cap = None;
        if let Some(id) = tokens::token_id_of_actor(&who.actor) {
            let Some(info) = tokens::by_id(conn, id)? else {
                return Ok(Some(ControlError::TokenRevoked { reason: "this token no longer exists".into() }));
            };
            if let Some(reason) = tokens::no_longer_valid(&info) {
                return Ok(Some(ControlError::TokenRevoked { reason: reason.into() }));
            }
            if let Some(why) = info.scope.refusal(kind, &who.purpose, &who.case_id) {
                return Ok(Some(ControlError::OutOfScope(why)));
            }
            token_cap = info.epsilon_cap_per_epoch;
        }
        let (cap, floor) = (rules.max_epsilon_per_question, rules.min_epsilon_per_question);
        // A zCDP charge is held to the ρ that the cap's and the floor's pure ε imply (ε²/2, Bun
        // and Steinke): in the composition the ledger keeps, it is then no larger a share than a
        // question at the cap, and no smaller than one at the floor. Its ε alone, at some δ, is
        // not what composes.
        let as_pure = if cost.rho > 0.0 { (2.0 * cost.rho).sqrt() } else { epsilon };
        if !(as_pure <= cap * (1.0 + RELATIVE_SLACK)) {
            return Ok(Some(ControlError::EpsilonAboveCap { asked: as_pure, cap }));
        }
        if !(as_pure >= floor * (1.0 - RELATIVE_SLACK)) {
            return Ok(Some(ControlError::EpsilonBelowFloor { asked: as_pure, floor }));
        }
        // A charge is never free: pure ε or a pair at least the question's ε, or a ρ above 0.
        let finite = [cost.epsilon, cost.delta, cost.rho].iter().all(|v| v.is_finite() && *v >= 0.0);
        if !finite || !(cost.rho > 0.0 || cost.epsilon >= epsilon * (1.0 - RELATIVE_SLACK)) {
            return Err(ControlError::BadRule(format!(
                "a question of ε {epsilon} may not be charged {cost:?}: its charge must be its ε or a ρ above 0"
            )));
        }
        let (epsilon_total, delta_total) = (rules.epsilon_per_epoch, rules.delta_per_epoch);
        for epoch in epochs {
            let before = spend_of(conn, epoch)?;
            let after = before.with(cost);
            // δ first: pairs that would hold more than the epoch's δ, or ρ with no δ left to
            // convert it at.
            let delta_left = delta_total - before.delta_approx;
            let delta_over = after.delta_approx > delta_total * (1.0 + RELATIVE_SLACK);
            // Once any ρ is spent, its conversion needs some δ the pairs leave.
            let rho_stranded = after.rho > 0.0 && after.delta_approx >= delta_total;
            if (cost.delta > 0.0 && delta_over) || ((cost.rho > 0.0 || cost.delta > 0.0) && rho_stranded) {
                return Ok(Some(ControlError::DeltaExhausted {
                    epoch: epoch.clone(),
                    needed: cost.delta,
                    remaining: delta_left.max(0.0),
                }));
            }
            let spent = before.epsilon_at(delta_total);
            let would = after.epsilon_at(delta_total);
            if would > epsilon_total * (1.0 + RELATIVE_SLACK) {
                return Ok(Some(ControlError::BudgetExhausted {
                    epoch: epoch.clone(),
                    needed: would - spent.min(would),
                    remaining: (epsilon_total - spent).max(0.0),
                    total: epsilon_total,
                }));
            }
            // The case's and the token's shares, composed as the epoch's charges are.
            let share = |share: Share<'_>| -> Result<(f64, f64), ControlError> {
                let before = spend_where(conn, epoch, share)?;
                Ok((before.epsilon_at(delta_total), before.with(cost).epsilon_at(delta_total)))
            };
            let case_cap = rules.max_epsilon_per_case_per_epoch;
            let (spent, would) = share(Share::Case(&who.case_id))?;
            if would > case_cap * (1.0 + RELATIVE_SLACK) {
                return Ok(Some(ControlError::CaseCapExhausted {
                    case: who.case_id.clone(),
                    epoch: epoch.clone(),
                    would,
                    spent,
                    cap: case_cap,
                }));
            }
            if let Some(cap) = token_cap {
                let (spent, would) = share(Share::Actor(&who.actor))?;
                if would > cap * (1.0 + RELATIVE_SLACK) {
                    return Ok(Some(ControlError::TokenCapExhausted { epoch: epoch.clone(), would, spent, cap }));
                }
            }
        }
        Ok(None)
    }

    /// The largest ε a charge of `cost` would bring its asker's or its case's share of one of
    /// `epochs` to, each share composed as the epoch's charges are: what the approval threshold
    /// is held to, so that splitting a question into small ones does not pass it.
    fn approval_share(conn: &Connection, rules: &Rules, who: &Requester, epochs: &[String], cost: Cost) -> Result<f64, ControlError> {
        let mut most: f64 = 0.0;
        for epoch in epochs {
            for share in [Share::Actor(&who.actor), Share::Case(&who.case_id)] {
                most = most.max(spend_where(conn, epoch, share)?.with(cost).epsilon_at(rules.delta_per_epoch));
            }
        }
        Ok(most)
    }

    /// Whether `who` asking a question charged `price` to `epochs` now would wait for a
    /// supervisor's approval: what a dry run says.
    pub fn needs_approval(&self, who: &Requester, epochs: &[String], price: &Price) -> Result<bool, ControlError> {
        if !self.rules.approval_applies() {
            return Ok(false);
        }
        let share = Ledger::approval_share(&self.conn, &self.rules, who, epochs, price.cost)?;
        Ok(share > self.rules.approval_above_epsilon * (1.0 + RELATIVE_SLACK))
    }

    /// How many questions charged `price` the epochs could still pay for, this one included
    /// (the fewest any epoch can): what a dry run tells an analyst before they spend.
    pub fn questions_left(&self, epochs: &[String], price: &Price) -> Result<u64, ControlError> {
        let (epsilon_total, delta_total) = (self.rules.epsilon_per_epoch, self.rules.delta_per_epoch);
        let mut fewest = u64::MAX;
        for epoch in epochs {
            let spend = spend_of(&self.conn, epoch)?;
            fewest = fewest.min(spend.times_that_fit(price.cost, epsilon_total, delta_total));
        }
        Ok(if fewest == u64::MAX { 0 } else { fewest })
    }

    /// What [`Ledger::reserve`] would refuse now, without charging or writing anything: the
    /// dry run's budget check.
    pub fn check_charge(
        &self,
        who: &Requester,
        question: &serde_json::Value,
        epochs: &[String],
        price: &Price,
    ) -> Result<(), ControlError> {
        let kind = question["kind"].as_str().unwrap_or_default();
        match Ledger::refusal(&self.conn, &self.rules, who, kind, epochs, price.epsilon, price.cost)? {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Atomically checks the per-question cap and floor and every epoch's remaining budget
    /// and, if all allow it, commits the charge with its audit entry, before the question reads
    /// any data. The returned [`Reservation`] then records how the question ended. On refusal
    /// nothing is charged, and the refusal itself is audited.
    pub fn reserve(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        epochs: &[String],
        price: &Price,
    ) -> Result<Reservation<'_>, ControlError> {
        let Price { epsilon, delta, cost } = *price;
        // IMMEDIATE takes the write lock before reading the sums, so two processes can never
        // both see the same remaining budget and overspend it.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kind = question["kind"].as_str().unwrap_or_default();
        let mut refusal = Ledger::refusal(&tx, &self.rules, who, kind, epochs, epsilon, cost)?;
        // Over the threshold (its asker's or its case's share of an epoch, with this charge), a
        // question is charged only with an approval of exactly it.
        let mut permit = None;
        let key = question.to_string();
        if refusal.is_none() && self.rules.approval_applies() {
            let share = Ledger::approval_share(&tx, &self.rules, who, epochs, cost)?;
            if share > self.rules.approval_above_epsilon * (1.0 + RELATIVE_SLACK) {
                match approvals::permit(&tx, who, &key, share)? {
                    Some(id) => permit = Some(id),
                    None => {
                        let request = approvals::request(&tx, who, &key, share)?;
                        refusal = Some(ControlError::ApprovalRequired {
                            request,
                            epsilon: share,
                            threshold: self.rules.approval_above_epsilon,
                        });
                    }
                }
            }
        }
        let outcome = match &refusal {
            None => "charged".to_string(),
            Some(e) => outcome::refused(e.refusal_code(), &e.to_string()),
        };
        let (eps_logged, delta_logged) = if refusal.is_none() { (epsilon, delta) } else { (0.0, 0.0) };
        // The epochs charged go into the hashed entry, so that the charges table can be
        // checked against the chain (`audit::check_tables`).
        let mut chained = question.clone();
        if refusal.is_none() {
            if let Some(fields) = chained.as_object_mut() {
                fields.insert("charged_epochs".into(), epochs.into());
                // What each epoch's charges row holds, which the entry's own (ε, δ) may not
                // be (a Gaussian question is charged its ρ).
                fields.insert("charged_cost".into(), serde_json::to_value(cost).expect("costs serialise"));
                if let Some(id) = permit {
                    fields.insert("approval".into(), id.into());
                }
            }
        }
        let audit_id = audit::append(
            &tx,
            &audit::NewEntry {
                who,
                question: &chained,
                outcome: &outcome,
                epsilon: eps_logged,
                delta: delta_logged,
                answer_digest: "",
            },
        )?;
        if refusal.is_none() {
            for epoch in epochs {
                tx.execute(
                    "INSERT INTO charges (audit_id, epoch, epsilon, delta, rho) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![audit_id, epoch, cost.epsilon, cost.delta, cost.rho],
                )?;
            }
            if let Some(id) = permit {
                approvals::mark_used(&tx, id, audit_id)?;
            }
        }
        if let Some(ControlError::ApprovalRequired { request, .. }) = &refusal {
            approvals::set_requested_in(&tx, *request, audit_id)?;
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
        self.append_released(who, question, outcome, digest, kept, None).map(|(id, _)| id)
    }

    /// As [`Ledger::append_outcome_keeping`], and signs the answer's receipt in the same
    /// transaction: its audit entries, the chain's length and head with its own entry in it.
    fn append_released(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        outcome: &str,
        digest: &str,
        kept: Option<(&kept::KeptAnswer, i64, f64, f64)>,
        receipt: Option<&ReceiptFacts>,
    ) -> Result<(i64, Option<signed::Envelope>), ControlError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = audit::append(
            &tx,
            &audit::NewEntry { who, question, outcome, epsilon: 0.0, delta: 0.0, answer_digest: digest },
        )?;
        if let Some((answer, charged_in, epsilon, delta)) = kept {
            kept::insert(&tx, id, charged_in, answer, epsilon, delta)?;
        }
        let mut envelope = None;
        if let (Some(facts), Some((_, charged_in, _, _))) = (receipt, kept) {
            let key = self.key.as_ref().ok_or_else(|| ControlError::Io("no signing key to sign the receipt".into()))?;
            let entry = |id: i64| -> Result<(String, String), ControlError> {
                Ok(tx.query_row("SELECT hash, at FROM audit WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?)
            };
            let (hash, at) = entry(id)?;
            let (charged_hash, _) = entry(charged_in)?;
            let length: i64 = tx.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?;
            let mut payload = facts.payload.clone();
            payload["released_at"] = at.into();
            payload["audit"] = serde_json::json!({
                "charged": { "id": charged_in, "hash": charged_hash },
                "answered": { "id": id, "hash": hash },
                "chain_length": length,
                "head": hash,
            });
            payload["sources"] = serde_json::json!({
                "count": facts.sources.len(),
                "commitment": key.commit_sources(&facts.sources),
            });
            let signed = key.sign(signed::RECEIPT, &payload);
            tx.execute(
                "INSERT INTO receipts (audit_id, envelope) VALUES (?1, ?2)",
                params![id, serde_json::to_string(&signed).expect("an envelope serialises")],
            )?;
            envelope = Some(signed);
        }
        tx.commit()?;
        self.checkpoint(id);
        Ok((id, envelope))
    }

    /// Records a question refused before any budget check (bad parameters, missing purpose).
    pub fn record_refusal(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        code: &str,
        reason: &str,
    ) -> Result<i64, ControlError> {
        self.append_outcome(who, question, &outcome::refused(code, reason), "")
    }

    /// Spent and remaining budget for each of `epochs` plus every epoch with a charge.
    pub fn budget(&self, epochs: &[String]) -> Result<Vec<EpochBudget>, ControlError> {
        let mut stmt = self.conn.prepare("SELECT epoch, COUNT(DISTINCT audit_id) FROM charges GROUP BY epoch")?;
        let mut questions: std::collections::BTreeMap<String, u64> =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?.collect::<Result<_, _>>()?;
        for e in epochs {
            questions.entry(e.clone()).or_insert(0);
        }
        let (epsilon_total, delta_total) = (self.rules.epsilon_per_epoch, self.rules.delta_per_epoch);
        questions
            .into_iter()
            .map(|(epoch, questions)| {
                let parts = spend_of(&self.conn, &epoch)?;
                let guarantee = parts.guarantee(delta_total);
                Ok(EpochBudget {
                    epoch,
                    epsilon_total,
                    epsilon_spent: guarantee.epsilon,
                    epsilon_remaining: (epsilon_total - guarantee.epsilon).max(0.0),
                    delta_total,
                    delta_spent: guarantee.delta,
                    parts,
                    questions,
                })
            })
            .collect()
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
            let head = audit::Checkpoint { id, hash };
            let _ = audit::write_checkpoint(&self.checkpoint_path, &head);
            // Written last: a witness is never ahead of the checkpoint. Never moved back: a
            // slower writer of an older entry must not lower it.
            if audit::read_checkpoint(&self.witness_path).is_none_or(|w| w.id < id) {
                let _ = audit::write_checkpoint(&self.witness_path, &head);
            }
        }
    }

    /// Checks the whole chain, its checkpoint and the keyring's witness; returns the head (id
    /// and hash).
    pub fn verify_audit(&self) -> Result<Option<audit::Checkpoint>, ControlError> {
        verify_connection(&self.conn, &self.checkpoint_path, &self.witness_path)
    }

    /// Verifies a store's ledger without creating, migrating or writing anything: what `audit
    /// verify` runs. A missing ledger is an error, never a new one.
    pub fn verify_files(files: &LedgerFiles) -> Result<Option<audit::Checkpoint>, ControlError> {
        let conn = read_only(files)?;
        verify_connection(&conn, &files.checkpoint(), &files.witness)
    }

    /// Where the head checkpoint lives (beside the database).
    pub fn checkpoint_path(&self) -> &Path {
        &self.checkpoint_path
    }

    /// Creates an API token; the returned string is the only copy of its secret.
    pub fn create_token(&self, new: &tokens::NewToken) -> Result<(String, tokens::TokenInfo), ControlError> {
        tokens::create(&self.conn, new)
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

    /// A kept answer `who` may be given again for `asked`, free: see [`kept::reusable`].
    pub fn reusable_answer(
        &self,
        who: &Requester,
        asked: &serde_json::Value,
        store_generation: u64,
    ) -> Result<Option<kept::KeptRead>, ControlError> {
        kept::reusable(&self.conn, who, asked, store_generation)
    }

    /// Audits that `reused` was given again for `question`: no charge, and the entry holds the
    /// answer's digest, so the chain says what was given.
    pub fn record_reuse(
        &mut self,
        who: &Requester,
        question: &serde_json::Value,
        reused: &kept::KeptRead,
        dry_run: bool,
    ) -> Result<i64, ControlError> {
        let id = reused.summary.audit_id;
        let outcome = if dry_run { outcome::reuse_priced(id) } else { outcome::reused(id) };
        self.append_outcome(who, question, &outcome, if dry_run { "" } else { &reused.digest })
    }

    /// A kept answer by its `answered` audit entry, or `None`. Reading it charges nothing
    /// and runs nothing; an answer whose rows no longer match the audited digest is an error.
    pub fn kept_answer(&self, audit_id: i64) -> Result<Option<kept::KeptRead>, ControlError> {
        kept::read(&self.conn, audit_id)
    }

    /// Every charge, one row per epoch it touched, in audit order.
    pub fn charges(&self) -> Result<Vec<ChargeRecord>, ControlError> {
        let mut stmt =
            self.conn.prepare("SELECT audit_id, epoch, epsilon, delta, rho FROM charges ORDER BY audit_id, epoch")?;
        let rows = stmt.query_map([], |r| {
            Ok(ChargeRecord { audit_id: r.get(0)?, epoch: r.get(1)?, epsilon: r.get(2)?, delta: r.get(3)?, rho: r.get(4)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Spent ε and δ and questions asked, per epoch, case and purpose.
    pub fn spend_by_case(&self) -> Result<Vec<CaseSpend>, ControlError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.epoch, a.case_id, a.purpose, SUM(c.epsilon), SUM(c.delta), COUNT(DISTINCT c.audit_id), SUM(c.rho)
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
                rho_spent: r.get(6)?,
                questions: r.get::<_, i64>(5)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every audit entry, in order, as exported.
    pub fn audit_entries(&self) -> Result<Vec<audit::Entry>, ControlError> {
        Ok(audit::entries(&self.conn)?.into_iter().map(|(_, e)| e).collect())
    }

    /// Approval requests, newest first: every one, or `actor`'s; only pending ones if asked.
    pub fn approval_requests(&self, actor: Option<&str>, pending_only: bool) -> Result<Vec<approvals::Request>, ControlError> {
        approvals::list(&self.conn, actor, pending_only)
    }

    pub fn approval_request(&self, id: i64) -> Result<Option<approvals::Request>, ControlError> {
        approvals::get(&self.conn, id)
    }

    /// A supervisor's decision on pending request `id`, audited with both actors; refused when
    /// `who` is not a supervisor, is the asker, or the request is not pending.
    pub fn decide(&mut self, who: &Requester, id: i64, approve: bool, reason: &str) -> Result<i64, ControlError> {
        if reason.trim().is_empty() {
            return Err(ControlError::Approval { request: id, problem: "a decision needs a reason (--reason)".into() });
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let request = approvals::decidable(&tx, who, id)?;
        let question = serde_json::json!({
            "approval": id,
            "requested_in": request.requested_in,
            "requested_by": request.actor,
            "question": request.question,
            "epsilon": request.epsilon,
            "reason": reason,
        });
        let outcome = outcome::approval_decided(id, approve, &request.actor, &who.actor);
        let decider = Requester { case_id: request.case_id.clone(), purpose: request.purpose.clone(), ..who.clone() };
        let audit_id = audit::append(
            &tx,
            &audit::NewEntry { who: &decider, question: &question, outcome: &outcome, epsilon: 0.0, delta: 0.0, answer_digest: "" },
        )?;
        approvals::set_decision(&tx, id, approve, &decider, audit_id)?;
        tx.commit()?;
        self.checkpoint(audit_id);
        Ok(audit_id)
    }
}

/// What `audit verify --receipts` found of one signed document against the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WitnessCheck {
    pub kind: String,
    /// The chain's length and head the document saw.
    pub chain_length: i64,
    pub head: String,
    /// Why the ledger does not hold what the document saw, or `None` if it does.
    pub problem: Option<String>,
}

/// Checks signed documents (receipts, transparency reports) against a store's ledger,
/// read-only: each is checked with the public key the chain records, and the ledger must be at
/// least as long as the chain each saw and hold the same entries where each names one. A
/// shorter ledger, or one that differs there, was rolled back or reset.
pub fn check_witnesses(files: &LedgerFiles, documents: &[signed::Envelope]) -> Result<Vec<WitnessCheck>, ControlError> {
    let conn = read_only(files)?;
    let key = recorded_signing_key(&conn)?
        .ok_or_else(|| ControlError::SigningKeyMissing { path: files.signing_key().display().to_string() })?;
    let key = signed::read_public_key(&key)?;
    let length: i64 = conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?;
    let hash_at = |id: i64| -> Result<Option<String>, ControlError> {
        Ok(conn.query_row("SELECT hash FROM audit WHERE id = ?1", [id], |r| r.get(0)).optional()?)
    };
    let mut out = Vec::new();
    for document in documents {
        let payload = match document.verify(&key, None) {
            Ok(p) => p,
            Err(e) => {
                out.push(WitnessCheck { kind: document.kind.clone(), chain_length: 0, head: String::new(), problem: Some(e.to_string()) });
                continue;
            }
        };
        // A receipt names its entries under `audit`; a signed report its head under `witness`.
        let audit = payload.get("witness").unwrap_or(&payload["audit"]);
        let seen = audit["chain_length"].as_i64().unwrap_or(0);
        let head = audit["head"].as_str().unwrap_or_default().to_string();
        let mut named: Vec<(String, i64, String)> = vec![("head".into(), seen, head.clone())];
        for part in ["charged", "answered"] {
            if let (Some(id), Some(hash)) = (audit[part]["id"].as_i64(), audit[part]["hash"].as_str()) {
                named.push((format!("{part} entry"), id, hash.to_string()));
            }
        }
        let problem = if seen <= 0 || head.is_empty() {
            Some("it names no chain length and head".to_string())
        } else if length < seen {
            Some(format!("the ledger holds {length} entries, but this {} saw {seen}: the ledger was rolled back or reset", document.kind))
        } else {
            let mut problem = None;
            for (what, id, hash) in named {
                match hash_at(id)? {
                    Some(h) if h == hash => {}
                    Some(h) => {
                        problem = Some(format!("entry #{id} ({what}) is {h} in the ledger, but this {} saw {hash}: the ledger was replaced from that entry on", document.kind));
                        break;
                    }
                    None => {
                        problem = Some(format!("entry #{id} ({what}) is missing from the ledger"));
                        break;
                    }
                }
            }
            problem
        };
        out.push(WitnessCheck { kind: document.kind.clone(), chain_length: seen, head, problem });
    }
    Ok(out)
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

    fn settle(
        &mut self,
        outcome: &str,
        kept: Option<&kept::KeptAnswer>,
        receipt: Option<&ReceiptFacts>,
    ) -> Result<(i64, Option<signed::Envelope>), ControlError> {
        self.settled = true;
        let question = serde_json::json!({ "charged_in": self.charge_id });
        let who = self.who.clone();
        let digest = kept.map(kept::KeptAnswer::digest).unwrap_or_default();
        let kept = kept.map(|k| (k, self.charge_id, self.epsilon, self.delta));
        self.ledger.append_released(&who, &question, outcome, &digest, kept, receipt)
    }

    /// Records the released answer's digest, keeps the answer and signs its receipt, in one
    /// transaction; returns the entry's id, which names the kept answer, and the receipt.
    pub fn answered(
        mut self,
        answer: &kept::KeptAnswer,
        receipt: &ReceiptFacts,
    ) -> Result<(i64, signed::Envelope), ControlError> {
        let (id, envelope) = self.settle("answered", Some(answer), Some(receipt))?;
        Ok((id, envelope.expect("a kept answer is signed")))
    }

    /// Records that the question failed after its charge.
    pub fn failed(mut self, reason: &str) -> Result<i64, ControlError> {
        self.settle(&format!("failed after charge: {reason}"), None, None).map(|(id, _)| id)
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.settled {
            // Nothing to return an error to: the question's future is gone. The charge
            // committed already; this entry only says the question never finished.
            let _ = self.settle("abandoned after charge: cancelled or timed out before an answer", None, None);
        }
    }
}

/// Every check `audit verify` makes: the chain first (it names the entry that was edited,
/// removed or inserted) against its checkpoint, then the keyring's witness, then the charges
/// and rules tables against the chain. Returns the head.
fn verify_connection(
    conn: &Connection,
    checkpoint: &Path,
    witness: &Path,
) -> Result<Option<audit::Checkpoint>, ControlError> {
    let head = audit::verify(conn, audit::read_checkpoint(checkpoint).as_ref())?;
    audit::check_witness(conn, audit::read_checkpoint(witness).as_ref(), audit::witnessed(conn)?)?;
    audit::check_tables(conn)?;
    check_rule_table(conn, &audit::recorded_rules(conn)?)?;
    Ok(head)
}

/// Refuses a rules table that disagrees with the rules the chain records: the table is only a
/// copy, and an edit to it must not pass for a rule.
fn check_rule_table(
    conn: &Connection,
    chained: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<(), ControlError> {
    let mut tabled: Vec<(String, serde_json::Value)> = {
        let mut stmt = conn.prepare("SELECT name, value FROM rules")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, serde_json::Value::from(r.get::<_, f64>(1)?))))?;
        rows.collect::<Result<_, _>>()?
    };
    if conn
        .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rule_values'", [], |_| Ok(()))
        .optional()?
        .is_some()
    {
        let mut stmt = conn.prepare("SELECT name, json FROM rule_values")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (name, json) = row?;
            let value = serde_json::from_str(&json).unwrap_or(serde_json::Value::Null);
            tabled.retain(|(n, _)| n != &name);
            tabled.push((name, value));
        }
    }
    for (name, value) in &tabled {
        let Some(recorded) = chained.get(name) else { continue };
        let agrees = match (value.as_f64(), recorded.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => value == recorded,
        };
        if !agrees {
            return Err(ControlError::RolledBack {
                reason: format!("the ledger's table holds {name} = {value}, but its audit chain records {recorded}"),
            });
        }
    }
    Ok(())
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
