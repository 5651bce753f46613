//! Released answers, kept beside the audit chain so that they can be re-viewed for free.
//!
//! An answer that has left crowdlens is already differentially private: showing it again
//! reveals nothing new, so re-opening one neither charges the budget nor runs a plan. It is
//! written in the same transaction as the `answered` audit entry that holds its digest, and
//! every read recomputes the digest and compares it with that entry, so a kept answer that was
//! edited in the database is refused rather than shown.
//!
//! # Digests
//! The audited digest covers the whole answer: its kind, its metadata (ε, δ, epochs, case,
//! purpose, the charge, derived results) and its rows ([`digest_of_answer`]). Answers kept
//! before that have an entry holding the SHA-256 of their rows only ([`digest_of`]); they stay
//! readable and are checked as they were audited. The audit chain itself is untouched: a digest
//! is one string of its entry, hashed as before. Either way, what the chain says elsewhere is
//! checked too: the metadata's case, purpose and charge must be the `answered` entry's, and its
//! ε and δ the `charged` entry's, so even an old answer's ε or case cannot be rewritten.

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
    /// The store's manifest generation the answer was computed on: the same question asked of
    /// the same generation is answered from this answer, free ([`reusable`]). Kept beside the
    /// answer, not in it: it counts the store's commits and is nothing an answer needs to say.
    pub store_generation: u64,
}

impl KeptAnswer {
    /// The digest the audit entry records: of the kind, the metadata and the rows together.
    pub fn digest(&self) -> String {
        digest_of_answer(&self.question, &self.meta_json, &self.rows_json)
    }
}

/// The digest of a whole kept answer: hex SHA-256 of
/// `"crowdlens kept answer v2\n" + question + "\n" + meta_json + "\n" + rows_json`. Compact
/// JSON has no raw newline and a kind has none, so the parts cannot run into each other.
pub fn digest_of_answer(question: &str, meta_json: &str, rows_json: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"crowdlens kept answer v2\n");
    for (i, part) in [question, meta_json, rows_json].into_iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The rows-only digest (SHA-256 of the rows' JSON) that answers kept before
/// [`digest_of_answer`] were audited with.
pub fn digest_of(rows_json: &str) -> String {
    hex::encode(Sha256::digest(rows_json.as_bytes()))
}

/// What a kept answer's audited digest covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestCovers {
    /// Kind, metadata and rows ([`digest_of_answer`]).
    Answer,
    /// Rows only ([`digest_of`]): kept before metadata was digested. Its metadata is still
    /// checked against the audit entries.
    RowsOnly,
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
    /// The whole question as asked; null for answers kept before questions were recorded whole.
    pub asked: serde_json::Value,
}

/// A kept answer read back, with the check of its digest against the audit chain.
#[derive(Debug, Clone)]
pub struct KeptRead {
    pub summary: KeptSummary,
    pub rows_json: String,
    pub meta_json: String,
    /// The digest recomputed from the kept answer; it equals the audit entry's.
    pub digest: String,
    pub digest_covers: DigestCovers,
    /// The receipt signed when it was released (none for answers released before receipts).
    pub receipt: Option<crate::signed::Envelope>,
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
            "digest_covers": self.digest_covers,
        });
        if let Some(receipt) = &self.receipt {
            answer["receipt"] = serde_json::to_value(receipt)?;
        }
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
            meta_json TEXT NOT NULL,
            store_generation INTEGER
        );",
    )?;
    // Answers kept before re-asks were free have no generation, and are never re-used.
    let has_generation: bool = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('kept_answers') WHERE name = 'store_generation'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has_generation {
        if let Err(e) = conn.execute_batch("ALTER TABLE kept_answers ADD COLUMN store_generation INTEGER") {
            let added: bool = conn.query_row(
                "SELECT COUNT(*) FROM pragma_table_info('kept_answers') WHERE name = 'store_generation'",
                [],
                |r| r.get::<_, i64>(0).map(|n| n > 0),
            )?;
            if !added {
                return Err(e.into());
            }
        }
    }
    Ok(())
}

/// The newest kept answer the same asker was given, for the same case and purpose, to exactly
/// the question `asked`, computed on the store's generation `generation`, its digest and
/// metadata checked: re-giving it is post-processing of a released answer, and costs nothing.
/// Another case or purpose is another inquiry, and is asked afresh.
pub(crate) fn reusable(
    conn: &Connection,
    who: &crate::Requester,
    asked: &serde_json::Value,
    generation: u64,
) -> Result<Option<KeptRead>, ControlError> {
    // Only answers to this very question are read (and their digests checked): the kept
    // metadata and `asked` are written by the same serialiser, so equal questions are equal text.
    let asked_text = asked.to_string();
    let mut stmt = conn.prepare(
        "SELECT k.audit_id FROM kept_answers k JOIN audit a ON a.id = k.audit_id
         WHERE a.actor = ?1 AND a.case_id = ?2 AND a.purpose = ?3 AND k.store_generation = ?4
           AND json_extract(k.meta_json, '$.asked') = json(?5)
         ORDER BY k.audit_id DESC",
    )?;
    let ids: Vec<i64> = stmt
        .query_map(params![who.actor, who.case_id, who.purpose, generation as i64, asked_text], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        match read(conn, id) {
            Ok(Some(kept)) if kept.summary.asked == *asked => return Ok(Some(kept)),
            // An answer altered in the database is never given again; the question is asked
            // afresh (and `answers show` reports the alteration).
            Ok(_) | Err(ControlError::KeptAnswerAltered { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
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
        "INSERT INTO kept_answers (audit_id, charged_in, question, epsilon, delta, rows, rows_json, meta_json,
                                   store_generation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            audit_id,
            charged_in,
            kept.question,
            epsilon,
            delta,
            kept.rows,
            kept.rows_json,
            kept.meta_json,
            kept.store_generation as i64
        ],
    )?;
    Ok(())
}

const SUMMARY_COLUMNS: &str =
    "k.audit_id, k.charged_in, a.at, a.actor, a.case_id, a.purpose, k.question, k.epsilon, k.delta, k.rows, k.meta_json";

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
        asked: serde_json::from_str::<serde_json::Value>(&r.get::<_, String>(10)?)
            .ok()
            .and_then(|mut meta| meta.get_mut("asked").map(serde_json::Value::take))
            .unwrap_or_default(),
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

/// One kept answer, its digest checked against the audit entry that names it, and its metadata
/// against what the audit chain says of the same question.
pub(crate) fn read(conn: &Connection, audit_id: i64) -> Result<Option<KeptRead>, ControlError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, k.rows_json, k.meta_json, a.answer_digest, a.outcome, a.question,
                        c.epsilon, c.delta, c.outcome
                 FROM kept_answers k JOIN audit a ON a.id = k.audit_id
                 LEFT JOIN audit c ON c.id = k.charged_in
                 WHERE k.audit_id = ?1"
            ),
            [audit_id],
            |r| {
                Ok((
                    summary(r)?,
                    (r.get::<_, String>(11)?, r.get::<_, String>(12)?),
                    (r.get::<_, String>(13)?, r.get::<_, String>(14)?, r.get::<_, String>(15)?),
                    (r.get::<_, Option<f64>>(16)?, r.get::<_, Option<f64>>(17)?, r.get::<_, Option<String>>(18)?),
                ))
            },
        )
        .optional()?;
    let Some((summary, (rows_json, meta_json), (audited_digest, outcome, answered_question), charged)) = found else {
        return Ok(None);
    };
    let altered = || ControlError::KeptAnswerAltered { id: audit_id };
    if outcome != "answered" {
        return Err(altered());
    }
    let digest_covers = if digest_of_answer(&summary.question, &meta_json, &rows_json) == audited_digest {
        DigestCovers::Answer
    } else if digest_of(&rows_json) == audited_digest {
        DigestCovers::RowsOnly
    } else {
        return Err(altered());
    };
    let answered: serde_json::Value = serde_json::from_str(&answered_question).map_err(|_| altered())?;
    let charge = match charged {
        (Some(epsilon), Some(delta), Some(outcome)) if outcome == "charged" => Some((epsilon, delta)),
        _ => None,
    };
    if !metadata_agrees(&summary, &meta_json, &answered, charge) {
        return Err(altered());
    }
    let receipt: Option<String> = conn
        .query_row("SELECT envelope FROM receipts WHERE audit_id = ?1", [audit_id], |r| r.get(0))
        .optional()?;
    let receipt = receipt.and_then(|r| serde_json::from_str(&r).ok());
    Ok(Some(KeptRead { summary, rows_json, meta_json, digest: audited_digest, digest_covers, receipt }))
}

/// Whether the kept columns and metadata say what the audit chain says: the charge the
/// `answered` entry names, that charge's ε and δ, and the entry's case and purpose. A field the
/// metadata lacks is not compared (the columns always are).
fn metadata_agrees(
    summary: &KeptSummary,
    meta_json: &str,
    answered: &serde_json::Value,
    charge: Option<(f64, f64)>,
) -> bool {
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(meta_json) else { return false };
    let Some(meta) = meta.as_object() else { return false };
    let Some((epsilon, delta)) = charge else { return false };
    // serde_json's default float parsing can land one ulp from the value it printed, so
    // numbers read back from JSON are compared to within a relative 1e-12.
    let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    let same_number = |key: &str, want: f64| meta.get(key).is_none_or(|v| v.as_f64().is_some_and(|x| close(x, want)));
    let same_text = |key: &str, want: &str| meta.get(key).is_none_or(|v| v.as_str() == Some(want));
    answered.get("charged_in").and_then(serde_json::Value::as_i64) == Some(summary.charged_in)
        && meta.get("charged_in").is_none_or(|v| v.as_i64() == Some(summary.charged_in))
        && close(summary.epsilon, epsilon)
        && close(summary.delta, delta)
        && same_number("epsilon", epsilon)
        && same_number("delta", delta)
        && same_text("case", &summary.case_id)
        && same_text("purpose", &summary.purpose)
        && same_text("question", &summary.question)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ledger, LedgerFiles, Requester, Rules};

    fn ledger(dir: &tempfile::TempDir) -> (Ledger, Connection) {
        let rules = Rules { purposes: vec!["research".into()], ..crate::rules::tests::sample() };
        let files = LedgerFiles { database: dir.path().join("c.sqlite"), witness: dir.path().join("witness") };
        let ledger = Ledger::create(&files, &rules).unwrap();
        // A second connection, as someone editing the database with sqlite3 would have.
        (ledger, Connection::open(&files.database).unwrap())
    }

    /// Answers a question at ε 0.5 for case C-guilty, keeping it as `release::keep` does.
    fn answer(l: &mut Ledger) -> i64 {
        let who = Requester {
            actor: "a".into(),
            role: "analyst".into(),
            case_id: "C-guilty".into(),
            purpose: "research".into(),
        };
        let reservation =
            l.reserve(&who, &serde_json::json!({"kind": "presence"}), &["2026-W45".into()], &crate::Price::pair(0.5, 0.0)).unwrap();
        let charged_in = reservation.charge_id();
        let meta = serde_json::json!({
            "question": "presence", "epsilon": 0.5, "delta": 0.0, "epochs": ["2026-W45"],
            "mechanism": "laplace", "max_partitions": 4, "confidence": 0.95,
            "case": "C-guilty", "purpose": "research", "charged_in": charged_in,
        });
        let kept = KeptAnswer {
            question: "presence".into(),
            rows_json: r#"[{"cell":"8a2a1072b59ffff","value":3}]"#.into(),
            meta_json: meta.to_string(),
            rows: 1,
            store_generation: 1,
        };
        reservation.answered(&kept, &crate::tests::facts()).unwrap().0
    }

    #[test]
    fn a_delta_that_json_does_not_round_trip_exactly_is_still_readable() {
        let dir = tempfile::tempdir().unwrap();
        let (mut l, _db) = ledger(&dir);
        let who =
            Requester { actor: "a".into(), role: "analyst".into(), case_id: "C".into(), purpose: "research".into() };
        // A δ like a reach answer's, of 17 significant digits. serde_json's default parsing read
        // some such back an ulp off; with `float_roundtrip` (the workspace's) every one reads
        // back exactly, and the answer is readable either way.
        let round_trips = |x: f64| serde_json::from_str::<f64>(&serde_json::to_string(&x).unwrap()).unwrap() == x;
        let delta = (0..100_000).map(|i| 9.309502491117172e-8 + f64::from(i) * 1e-22).find(|&x| x > 9.3095024911172e-8).unwrap();
        assert!((0..10_000).map(|i| delta + f64::from(i) * 1e-22).all(round_trips), "floats read back exactly");
        let reservation =
            l.reserve(&who, &serde_json::json!({"kind": "reach"}), &["2026-W45".into()], &crate::Price::pair(1.0, delta)).unwrap();
        let meta = serde_json::json!({"question": "reach", "epsilon": 1.0, "delta": delta, "case": "C",
            "purpose": "research", "charged_in": reservation.charge_id()});
        let kept =
            KeptAnswer {
                question: "reach".into(),
                rows_json: "[]".into(),
                meta_json: meta.to_string(),
                rows: 0,
                store_generation: 1,
            };
        let id = reservation.answered(&kept, &crate::tests::facts()).unwrap().0;
        assert!(l.kept_answer(id).unwrap().is_some());
    }

    fn edit(db: &Connection, id: i64, sql: &str) {
        db.execute(sql, [id]).unwrap();
    }

    const INNOCENT: &str = "UPDATE kept_answers SET meta_json = replace(replace(meta_json, '\"epsilon\":0.5', '\"epsilon\":0.001'), 'C-guilty', 'C-innocent') WHERE audit_id = ?1";

    #[test]
    fn the_digest_covers_metadata_and_an_edited_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut l, db) = ledger(&dir);
        let id = answer(&mut l);
        let read = l.kept_answer(id).unwrap().unwrap();
        assert_eq!(read.digest_covers, DigestCovers::Answer);
        let audited = l.audit_entries().unwrap().into_iter().find(|e| e.id == id.to_string()).unwrap();
        assert_eq!(read.digest, audited.answer_digest);
        assert_eq!(read.digest, digest_of_answer("presence", &read.meta_json, &read.rows_json));
        assert_eq!(read.to_json().unwrap()["kept"]["digest_covers"], "answer");

        // ε 0.001 and an innocent case, in the metadata only: refused.
        edit(&db, id, INNOCENT);
        assert!(matches!(l.kept_answer(id), Err(crate::ControlError::KeptAnswerAltered { id: i }) if i == id));
    }

    #[test]
    fn every_metadata_field_is_covered() {
        for sql in [
            // The mechanism: only the digest sees it.
            "UPDATE kept_answers SET meta_json = replace(meta_json, '\"laplace\"', '\"gaussian\"') WHERE audit_id = ?1",
            "UPDATE kept_answers SET epsilon = 0.001 WHERE audit_id = ?1",
            "UPDATE kept_answers SET question = 'flows' WHERE audit_id = ?1",
            "UPDATE kept_answers SET charged_in = 1 WHERE audit_id = ?1",
            "UPDATE kept_answers SET rows_json = replace(rows_json, ':3', ':4') WHERE audit_id = ?1",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (mut l, db) = ledger(&dir);
            let id = answer(&mut l);
            edit(&db, id, sql);
            assert!(matches!(l.kept_answer(id), Err(crate::ControlError::KeptAnswerAltered { .. })), "{sql}");
        }
    }

    #[test]
    fn answers_kept_with_a_rows_only_digest_stay_readable_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (mut l, db) = ledger(&dir);
        let id = answer(&mut l);
        // As an older version audited it: the rows' SHA-256 alone.
        let rows: String =
            db.query_row("SELECT rows_json FROM kept_answers WHERE audit_id = ?1", [id], |r| r.get(0)).unwrap();
        db.execute("UPDATE audit SET answer_digest = ?1 WHERE id = ?2", rusqlite::params![digest_of(&rows), id])
            .unwrap();
        let read = l.kept_answer(id).unwrap().unwrap();
        assert_eq!((read.digest_covers, read.digest.as_str()), (DigestCovers::RowsOnly, digest_of(&rows).as_str()));
        assert_eq!(read.to_json().unwrap()["kept"]["digest_covers"], "rows_only");
        // Its ε and case are still checked against the audit chain's entries.
        edit(&db, id, INNOCENT);
        assert!(matches!(l.kept_answer(id), Err(crate::ControlError::KeptAnswerAltered { .. })));
    }
}
