//! Audit chain: each entry's hash is SHA-256 over its own fields and the previous hash, so any
//! edit, insertion, removal or reordering breaks every later link.
//!
//! `hash = hex(SHA-256(prev_hash ‖ 0x0a ‖ canonical JSON of the entry without hash))`, with the
//! first entry's `prev_hash` being 64 zeros.

use rusqlite::{params, Connection, Transaction};
use sha2::{Digest, Sha256};

use crate::{ControlError, Requester};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev_hash: &str,
    id: i64,
    at: &str,
    who: (&str, &str, &str, &str),
    question: &str,
    outcome: &str,
    epsilon: f64,
    delta: f64,
    answer_digest: &str,
) -> String {
    // serde_json's map keeps keys sorted (no preserve_order feature), which makes this canonical.
    let body = serde_json::json!({
        "id": id,
        "at": at,
        "actor": who.0,
        "role": who.1,
        "case_id": who.2,
        "purpose": who.3,
        "question": question,
        "outcome": outcome,
        "epsilon": epsilon,
        "delta": delta,
        "answer_digest": answer_digest,
    });
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.to_string().as_bytes());
    hex::encode(h.finalize())
}

pub(crate) fn append(
    tx: &Transaction<'_>,
    who: &Requester,
    question: &serde_json::Value,
    outcome: &str,
    epsilon: f64,
    delta: f64,
    answer_digest: &str,
) -> Result<i64, ControlError> {
    let (prev_id, prev_hash): (i64, String) = tx
        .query_row("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((0, GENESIS.to_string()));
    let id = prev_id + 1;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let question = question.to_string();
    let hash = entry_hash(
        &prev_hash,
        id,
        &at,
        (&who.actor, &who.role, &who.case_id, &who.purpose),
        &question,
        outcome,
        epsilon,
        delta,
        answer_digest,
    );
    tx.execute(
        "INSERT INTO audit (id, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![id, at, who.actor, who.role, who.case_id, who.purpose, question, outcome, epsilon, delta, answer_digest, prev_hash, hash],
    )?;
    Ok(id)
}

/// Walks the chain in id order. Returns the head hash, or the first broken entry as an error.
pub(crate) fn verify(conn: &Connection) -> Result<Option<String>, ControlError> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, prev_hash, hash
         FROM audit ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let broken = |reason: &str| ControlError::AuditBroken { id, reason: reason.to_string() };
        if id != expected_id {
            return Err(broken(&format!("expected entry {expected_id}; entries were removed or inserted")));
        }
        let prev: String = r.get(11)?;
        if prev != expected_prev {
            return Err(broken("its prev_hash does not match the previous entry"));
        }
        let recomputed = entry_hash(
            &prev,
            id,
            &r.get::<_, String>(1)?,
            (&r.get::<_, String>(2)?, &r.get::<_, String>(3)?, &r.get::<_, String>(4)?, &r.get::<_, String>(5)?),
            &r.get::<_, String>(6)?,
            &r.get::<_, String>(7)?,
            r.get(8)?,
            r.get(9)?,
            &r.get::<_, String>(10)?,
        );
        let stored: String = r.get(12)?;
        if recomputed != stored {
            return Err(broken("its contents were edited after it was written"));
        }
        expected_prev = stored;
        expected_id += 1;
    }
    Ok((expected_id > 1).then_some(expected_prev))
}
