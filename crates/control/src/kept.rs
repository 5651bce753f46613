//! Released answers, kept beside the audit chain so that they can be re-viewed for free.
//!
//! An answer that has left crowdlens is already differentially private: showing it again
//! reveals nothing new, so re-opening one neither charges the budget nor runs a plan. It is
//! written in the same transaction as the `answered` audit entry that holds its digest, and
//! every read recomputes the digest from the stored rows and compares it with that entry, so
//! a kept answer that was edited in the database is refused rather than shown.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ControlError;

/// A released answer as it is kept: its rows exactly as their digest was computed, and the
/// rest of the answer (ε, δ, epochs, derived results) as JSON.
#[derive(Debug, Clone)]
pub struct KeptAnswer {
    /// The question's kind (`presence`, `flows`, ...).
    pub question: String,
    /// The rows' JSON: the bytes whose SHA-256 is the audited digest.
    pub rows_json: String,
    /// Everything else the answer says, as a JSON object.
    pub meta_json: String,
    /// How many rows `rows_json` holds.
    pub rows: i64,
}

impl KeptAnswer {
    /// The digest the audit entry records: SHA-256 of the rows' JSON.
    pub fn digest(&self) -> String {
        digest_of(&self.rows_json)
    }
}

pub fn digest_of(rows_json: &str) -> String {
    hex::encode(Sha256::digest(rows_json.as_bytes()))
}

/// One kept answer in a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeptSummary {
    /// The `answered` audit entry, which names the answer.
    pub audit_id: i64,
    /// The audit entry that charged for it.
    pub charged_in: i64,
    pub at: String,
    pub actor: String,
    pub case_id: String,
    pub purpose: String,
    pub question: String,
    pub epsilon: f64,
    pub delta: f64,
    pub rows: i64,
}

/// A kept answer read back, with the check of its digest against the audit chain.
#[derive(Debug, Clone)]
pub struct KeptRead {
    pub summary: KeptSummary,
    pub rows_json: String,
    pub meta_json: String,
    /// The digest recomputed from `rows_json`; it equals the audit entry's.
    pub digest: String,
}

impl KeptRead {
    /// The answer as it was released, plus a `kept` object naming its digest and when it was
    /// released: the same JSON the API and `crowdlens answers show` return.
    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        let mut answer: serde_json::Value = serde_json::from_str(&self.meta_json)?;
        answer["audit_id"] = self.summary.audit_id.into();
        answer["rows"] = serde_json::from_str(&self.rows_json)?;
        answer["kept"] = serde_json::json!({
            "at": self.summary.at,
            "digest": self.digest,
            "digest_matches_audit_entry": true,
        });
        Ok(answer)
    }
}

pub(crate) fn create_table(conn: &Connection) -> Result<(), ControlError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS kept_answers (
            audit_id INTEGER PRIMARY KEY,
            charged_in INTEGER NOT NULL,
            question TEXT NOT NULL,
            epsilon REAL NOT NULL,
            delta REAL NOT NULL,
            rows INTEGER NOT NULL,
            rows_json TEXT NOT NULL,
            meta_json TEXT NOT NULL
        );",
    )?;
    Ok(())
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    audit_id: i64,
    charged_in: i64,
    kept: &KeptAnswer,
    epsilon: f64,
    delta: f64,
) -> Result<(), ControlError> {
    tx.execute(
        "INSERT INTO kept_answers (audit_id, charged_in, question, epsilon, delta, rows, rows_json, meta_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![audit_id, charged_in, kept.question, epsilon, delta, kept.rows, kept.rows_json, kept.meta_json],
    )?;
    Ok(())
}

const SUMMARY_COLUMNS: &str =
    "k.audit_id, k.charged_in, a.at, a.actor, a.case_id, a.purpose, k.question, k.epsilon, k.delta, k.rows";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeptSummary> {
    Ok(KeptSummary {
        audit_id: r.get(0)?,
        charged_in: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        case_id: r.get(4)?,
        purpose: r.get(5)?,
        question: r.get(6)?,
        epsilon: r.get(7)?,
        delta: r.get(8)?,
        rows: r.get(9)?,
    })
}

/// Kept answers, newest first, optionally only one actor's and one case's.
pub(crate) fn list(
    conn: &Connection,
    actor: Option<&str>,
    case_id: Option<&str>,
) -> Result<Vec<KeptSummary>, ControlError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM kept_answers k JOIN audit a ON a.id = k.audit_id
         WHERE (?1 IS NULL OR a.actor = ?1) AND (?2 IS NULL OR a.case_id = ?2)
         ORDER BY k.audit_id DESC"
    ))?;
    let rows = stmt.query_map(params![actor, case_id], summary)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One kept answer, its digest checked against the audit entry that names it.
pub(crate) fn read(conn: &Connection, audit_id: i64) -> Result<Option<KeptRead>, ControlError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, k.rows_json, k.meta_json, a.answer_digest, a.outcome
                 FROM kept_answers k JOIN audit a ON a.id = k.audit_id WHERE k.audit_id = ?1"
            ),
            [audit_id],
            |r| {
                Ok((
                    summary(r)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                    r.get::<_, String>(13)?,
                ))
            },
        )
        .optional()?;
    let Some((summary, rows_json, meta_json, audited_digest, outcome)) = found else {
        return Ok(None);
    };
    let digest = digest_of(&rows_json);
    if outcome != "answered" || digest != audited_digest {
        return Err(ControlError::KeptAnswerAltered { id: audit_id });
    }
    Ok(Some(KeptRead { summary, rows_json, meta_json, digest }))
}
