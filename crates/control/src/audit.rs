//! Audit chain: each entry's hash covers its own fields and the previous entry's hash, so any
//! edit, insertion, removal or reordering breaks every later link. Removal of the newest entries
//! is caught by a checkpoint of the head kept outside the database.
//!
//! Construction (also in docs/audit.md, so outside tools can re-verify an export):
//! `fields = [id, at, actor, role, case_id, purpose, question, outcome, epsilon, delta,
//! answer_digest]`, every one a string (numbers as written in the export), serialised as a
//! compact JSON array; `hash = hex(SHA-256(prev_hash ‖ "\n" ‖ fields))`; the first entry's
//! `prev_hash` is 64 zeros.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::{ControlError, Requester};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as exported: every hashed field is a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub case_id: String,
    pub purpose: String,
    pub question: String,
    pub outcome: String,
    pub epsilon: String,
    pub delta: String,
    pub answer_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    pub fn compute_hash(&self) -> String {
        let fields = [
            &self.id,
            &self.at,
            &self.actor,
            &self.role,
            &self.case_id,
            &self.purpose,
            &self.question,
            &self.outcome,
            &self.epsilon,
            &self.delta,
            &self.answer_digest,
        ];
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(serde_json::to_string(&fields).expect("strings serialise").as_bytes());
        hex::encode(h.finalize())
    }
}

/// Numbers are hashed as Rust writes them (`0.5`, `1e-7`), and exported the same way.
fn number(x: f64) -> String {
    format!("{x:?}")
}

/// An entry about to be appended: who, what, how it ended, what it spent.
pub(crate) struct NewEntry<'a> {
    pub who: &'a Requester,
    pub question: &'a serde_json::Value,
    pub outcome: &'a str,
    pub epsilon: f64,
    pub delta: f64,
    pub answer_digest: &'a str,
}

pub(crate) fn append(tx: &Transaction<'_>, new: &NewEntry<'_>) -> Result<i64, ControlError> {
    let NewEntry { who, question, outcome, epsilon, delta, answer_digest } = *new;
    let (prev_id, prev_hash): (i64, String) = tx
        .query_row("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((0, GENESIS.to_string()));
    let id = prev_id + 1;
    let mut e = Entry {
        id: id.to_string(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor: who.actor.clone(),
        role: who.role.clone(),
        case_id: who.case_id.clone(),
        purpose: who.purpose.clone(),
        question: question.to_string(),
        outcome: outcome.to_string(),
        epsilon: number(epsilon),
        delta: number(delta),
        answer_digest: answer_digest.to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    tx.execute(
        "INSERT INTO audit (id, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![id, e.at, e.actor, e.role, e.case_id, e.purpose, e.question, e.outcome, epsilon, delta, e.answer_digest, e.prev_hash, e.hash],
    )?;
    Ok(id)
}

/// Every entry in id order, as exported.
pub(crate) fn entries(conn: &Connection) -> Result<Vec<(i64, Entry)>, ControlError> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, prev_hash, hash
         FROM audit ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let id: i64 = r.get(0)?;
        Ok((
            id,
            Entry {
                id: id.to_string(),
                at: r.get(1)?,
                actor: r.get(2)?,
                role: r.get(3)?,
                case_id: r.get(4)?,
                purpose: r.get(5)?,
                question: r.get(6)?,
                outcome: r.get(7)?,
                epsilon: number(r.get(8)?),
                delta: number(r.get(9)?),
                answer_digest: r.get(10)?,
                prev_hash: r.get(11)?,
                hash: r.get(12)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The head as last recorded outside the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub id: i64,
    pub hash: String,
}

pub(crate) fn write_checkpoint(path: &Path, c: &Checkpoint) -> std::io::Result<()> {
    // A name per writer: concurrent askers must not interleave their bytes in one temp file.
    let tmp = path.with_extension(format!("head.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    std::io::Write::write_all(&mut options.open(&tmp)?, &serde_json::to_vec(c).expect("serialises"))?;
    std::fs::rename(&tmp, path)
}

pub(crate) fn read_checkpoint(path: &Path) -> Option<Checkpoint> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Walks the chain in id order and checks it against the checkpoint. Returns the head.
pub(crate) fn verify(conn: &Connection, checkpoint: Option<&Checkpoint>) -> Result<Option<Checkpoint>, ControlError> {
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    let mut head = None;
    let mut checkpoint_seen = false;
    for (id, e) in entries(conn)? {
        let broken = |reason: &str| ControlError::AuditBroken { id, reason: reason.to_string() };
        if id != expected_id {
            return Err(broken(&format!(
                "expected entry {expected_id} next; entries were removed, inserted or reordered"
            )));
        }
        if e.prev_hash != expected_prev {
            return Err(broken("its prev_hash does not match the entry before it"));
        }
        if e.compute_hash() != e.hash {
            return Err(broken("its contents were edited after it was written"));
        }
        if let Some(c) = checkpoint {
            if c.id == id {
                checkpoint_seen = true;
                if c.hash != e.hash {
                    return Err(broken("it differs from the checkpointed head; the log was rewritten"));
                }
            }
        }
        expected_prev = e.hash.clone();
        expected_id += 1;
        head = Some(Checkpoint { id, hash: e.hash });
    }
    if let Some(c) = checkpoint {
        if !checkpoint_seen && c.id > 0 {
            return Err(ControlError::AuditBroken {
                id: c.id,
                reason: format!(
                    "the checkpoint records {} entries but the log holds {}; the newest entries were removed",
                    c.id,
                    expected_id - 1
                ),
            });
        }
    }
    Ok(head)
}

/// Checks the log against the head witnessed in the keyring: the log must hold the witnessed
/// entry, unchanged. A log behind its witness was rolled back (an older copy restored); one
/// whose entry differs was replaced. `witnessed` says the ledger has kept a witness before, so
/// a missing witness file is a deletion, not an old store.
pub(crate) fn check_witness(
    conn: &Connection,
    witness: Option<&Checkpoint>,
    witnessed: bool,
) -> Result<(), ControlError> {
    let rolled_back = |reason: String| Err(ControlError::RolledBack { reason });
    let Some(w) = witness else {
        return if witnessed {
            rolled_back("the keyring's witness of the ledger's head (keyring/ledger.witness) is missing".into())
        } else {
            Ok(())
        };
    };
    let held: Option<String> =
        conn.query_row("SELECT hash FROM audit WHERE id = ?1", [w.id], |r| r.get(0)).optional()?;
    match held {
        Some(h) if h == w.hash => Ok(()),
        Some(_) => {
            rolled_back(format!("entry {} differs from the one the keyring witnessed; the log was replaced", w.id))
        }
        None => {
            let len: i64 = conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?;
            rolled_back(format!("the keyring witnessed {} audit entries but the ledger holds {len}", w.id))
        }
    }
}

/// Whether the chain says the ledger's head is witnessed in the keyring: the rules recorded at
/// creation, or a `witness begun` entry, carry the mark.
pub(crate) fn witnessed(conn: &Connection) -> Result<bool, ControlError> {
    let mut stmt =
        conn.prepare("SELECT question FROM audit WHERE outcome IN ('rules recorded', 'witness begun') ORDER BY id")?;
    let questions = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for q in questions {
        let q: serde_json::Value = serde_json::from_str(&q?).unwrap_or(serde_json::Value::Null);
        if q.get("witness").is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The rules as the chain records them: every `rules recorded` entry, then every `rule
/// changed` entry, in order.
pub(crate) fn recorded_rules(
    conn: &Connection,
) -> Result<std::collections::BTreeMap<String, serde_json::Value>, ControlError> {
    let mut rules = std::collections::BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT question, outcome FROM audit WHERE outcome = 'rules recorded' OR outcome LIKE 'rule changed:%' ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (question, outcome) = row?;
        let q: serde_json::Value = serde_json::from_str(&question).unwrap_or(serde_json::Value::Null);
        if outcome == "rules recorded" {
            if let Some(recorded) = q.get("rules").and_then(|r| r.as_object()) {
                for (name, value) in recorded {
                    rules.insert(name.clone(), value.clone());
                }
            }
        } else if let (Some(name), Some(to)) = (q.get("rule").and_then(|n| n.as_str()), q.get("to")) {
            rules.insert(name.to_string(), to.clone());
        }
    }
    Ok(rules)
}

/// Checks the charges table against the chain: every row belongs to a `charged` entry with the
/// same ε and δ; every `charged` entry has its rows, one per epoch it names (entries written
/// before the epochs were chained need at least one). Deleting or editing charges to give
/// budget back is thus a refused ledger, not a fresh budget.
/// Costs read back from the chain's JSON can land one ulp from the value the table holds
/// (serde_json's default float parsing), so they agree to within a relative 1e-12.
fn same_cost(a: &crate::Cost, b: &crate::Cost) -> bool {
    let close = |x: f64, y: f64| x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    close(a.epsilon, b.epsilon) && close(a.delta, b.delta) && close(a.rho, b.rho)
}

/// A `charged_cost` as the chain records it.
#[derive(serde::Deserialize)]
struct CostRecord {
    epsilon: f64,
    delta: f64,
    rho: f64,
}

pub(crate) fn check_tables(conn: &Connection) -> Result<(), ControlError> {
    // One snapshot for both reads: another process may commit a charge between them.
    let snapshot = conn.unchecked_transaction()?;
    let conn: &Connection = &snapshot;
    let tampered = |reason: String| Err(ControlError::RolledBack { reason });
    // Each charged entry's cost per epoch: `charged_cost` in its hashed question, or, for
    // entries written before the ledger kept ρ, its own (ε, δ).
    let mut charged: std::collections::BTreeMap<i64, (crate::Cost, Option<Vec<String>>)> = Default::default();
    {
        let mut stmt = conn.prepare("SELECT id, epsilon, delta, question FROM audit WHERE outcome = 'charged'")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?, r.get::<_, f64>(2)?, r.get::<_, String>(3)?))
        })?;
        for row in rows {
            let (id, epsilon, delta, question) = row?;
            let q: serde_json::Value = serde_json::from_str(&question).unwrap_or(serde_json::Value::Null);
            let epochs = q.get("charged_epochs").and_then(|e| e.as_array()).map(|a| {
                let mut v: Vec<String> = a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect();
                v.sort();
                v
            });
            let cost = q
                .get("charged_cost")
                .and_then(|c| serde_json::from_value::<CostRecord>(c.clone()).ok())
                .map_or(crate::Cost::approximate(epsilon, delta), |c| crate::Cost {
                    epsilon: c.epsilon,
                    delta: c.delta,
                    rho: c.rho,
                });
            charged.insert(id, (cost, epochs));
        }
    }
    let mut rows_of: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    {
        // A ledger not yet opened by a version that keeps ρ (`audit verify` opens it read-only
        // and migrates nothing) has no column for it, and no ρ.
        let has_rho: bool = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('charges') WHERE name = 'rho'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        let select = if has_rho {
            "SELECT audit_id, epoch, epsilon, delta, rho FROM charges"
        } else {
            "SELECT audit_id, epoch, epsilon, delta, 0.0 FROM charges"
        };
        let mut stmt = conn.prepare(select)?;
        let rows = stmt.query_map([], |r| {
            let cost = crate::Cost { epsilon: r.get(2)?, delta: r.get(3)?, rho: r.get(4)? };
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, cost))
        })?;
        for row in rows {
            let (audit_id, epoch, cost) = row?;
            match charged.get(&audit_id) {
                Some((recorded, _)) if same_cost(recorded, &cost) => rows_of.entry(audit_id).or_default().push(epoch),
                _ => {
                    return tampered(format!(
                        "the charges table holds a charge for entry {audit_id} that the audit chain does not record"
                    ))
                }
            }
        }
    }
    for (id, (_, epochs)) in &charged {
        let mut held = rows_of.remove(id).unwrap_or_default();
        held.sort();
        let complete = match epochs {
            Some(named) => &held == named,
            None => !held.is_empty(),
        };
        if !complete {
            return tampered(format!("the charges of audit entry {id} were removed or changed in the charges table"));
        }
    }
    Ok(())
}
