//! A second person's approval for large spends. A question charged more than the rule
//! `approval_above_epsilon` is not charged: the ledger records it as a pending request (and its
//! refusal, `approval_required`, in the audit chain). A supervisor who is not its asker approves
//! or declines it ([`crate::Ledger::decide`]), audited with both actors. The asker then asks the
//! same question again, and the approval is used by that one charge, in its transaction.
//!
//! The table is the ledger's working copy; the chain holds every step: the request's refusal,
//! the decision (`approved request #N: asked by A, approved by S`) and the charge naming the
//! request (`approval` in its question). A permit is used only if its decision's entry is in
//! the chain as the table says.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::{ControlError, Requester};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Approved,
    Declined,
    /// Approved, and charged once: an approval pays for one question.
    Used,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::Used => "used",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "approved" => Status::Approved,
            "declined" => Status::Declined,
            "used" => Status::Used,
            _ => Status::Pending,
        }
    }
}

/// One request, as `crowdlens approve --pending` and `GET /v1/approvals` list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub id: i64,
    /// The audit entry of the refusal that made it pending.
    pub requested_in: i64,
    pub actor: String,
    pub role: String,
    pub case_id: String,
    pub purpose: String,
    /// The whole question as asked.
    pub question: serde_json::Value,
    /// The ε its asker's or its case's share of a week would come to with it, composed.
    pub epsilon: f64,
    pub status: Status,
    pub decided_by: Option<String>,
    pub decided_in: Option<i64>,
    pub used_in: Option<i64>,
}

pub(crate) fn create_table(conn: &Connection) -> Result<(), ControlError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS approvals (
            id INTEGER PRIMARY KEY,
            requested_in INTEGER NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            case_id TEXT NOT NULL,
            purpose TEXT NOT NULL,
            question TEXT NOT NULL,
            epsilon REAL NOT NULL,
            status TEXT NOT NULL,
            decided_by TEXT,
            decided_in INTEGER,
            used_in INTEGER
        );",
    )?;
    Ok(())
}

const COLUMNS: &str =
    "id, requested_in, actor, role, case_id, purpose, question, epsilon, status, decided_by, decided_in, used_in";

fn request_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Request> {
    let question: String = r.get(6)?;
    let status: String = r.get(8)?;
    Ok(Request {
        id: r.get(0)?,
        requested_in: r.get(1)?,
        actor: r.get(2)?,
        role: r.get(3)?,
        case_id: r.get(4)?,
        purpose: r.get(5)?,
        question: serde_json::from_str(&question).unwrap_or(serde_json::Value::Null),
        epsilon: r.get(7)?,
        status: Status::parse(&status),
        decided_by: r.get(9)?,
        decided_in: r.get(10)?,
        used_in: r.get(11)?,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Request>, ControlError> {
    Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM approvals WHERE id = ?1"), [id], request_of).optional()?)
}

/// Every request, newest first; only `actor`'s when given, only pending ones when asked.
pub(crate) fn list(conn: &Connection, actor: Option<&str>, pending_only: bool) -> Result<Vec<Request>, ControlError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM approvals WHERE (?1 IS NULL OR actor = ?1) AND (?2 = 0 OR status = 'pending')
         ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map(params![actor, pending_only as i64], request_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The approved, unused request of `who` for exactly `question` that covers `share` (the
/// asker's or the case's share of a week the question would bring now), if one is, with its
/// decision in the chain as the table says. An approval covers the share it was asked at: spent
/// beyond that meanwhile, the question is asked anew.
pub(crate) fn permit(conn: &Connection, who: &Requester, question: &str, share: f64) -> Result<Option<i64>, ControlError> {
    let found: Option<(i64, i64, String)> = conn
        .query_row(
            "SELECT id, decided_in, decided_by FROM approvals
             WHERE status = 'approved' AND actor = ?1 AND case_id = ?2 AND purpose = ?3 AND question = ?4
             AND ?5 <= epsilon * (1 + ?6)
             ORDER BY id LIMIT 1",
            params![who.actor, who.case_id, who.purpose, question, share, crate::accounting::RELATIVE_SLACK],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((id, decided_in, decided_by)) = found else { return Ok(None) };
    let outcome = crate::outcome::approval_decided(id, true, &who.actor, &decided_by);
    let chained: Option<String> = conn
        .query_row("SELECT outcome FROM audit WHERE id = ?1 AND actor = ?2", params![decided_in, decided_by], |r| r.get(0))
        .optional()?;
    if chained.as_deref() != Some(outcome.as_str()) {
        return Err(ControlError::RolledBack {
            reason: format!("approval request #{id} is marked approved, but its audit entry #{decided_in} does not say so"),
        });
    }
    Ok(Some(id))
}

/// The pending request of `who` for `question`, made now if there is none.
pub(crate) fn request(conn: &Connection, who: &Requester, question: &str, epsilon: f64) -> Result<i64, ControlError> {
    let pending: Option<i64> = conn
        .query_row(
            "SELECT id FROM approvals WHERE status = 'pending' AND actor = ?1 AND case_id = ?2 AND purpose = ?3
             AND question = ?4 ORDER BY id LIMIT 1",
            params![who.actor, who.case_id, who.purpose, question],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = pending {
        // What the supervisor sees is the share as it stands now.
        conn.execute("UPDATE approvals SET epsilon = ?2 WHERE id = ?1", params![id, epsilon])?;
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO approvals (requested_in, actor, role, case_id, purpose, question, epsilon, status)
         VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
        params![who.actor, who.role, who.case_id, who.purpose, question, epsilon],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn set_requested_in(conn: &Connection, id: i64, audit_id: i64) -> Result<(), ControlError> {
    conn.execute("UPDATE approvals SET requested_in = ?2 WHERE id = ?1 AND requested_in = 0", params![id, audit_id])?;
    Ok(())
}

pub(crate) fn mark_used(conn: &Connection, id: i64, audit_id: i64) -> Result<(), ControlError> {
    let changed = conn.execute(
        "UPDATE approvals SET status = ?3, used_in = ?2 WHERE id = ?1 AND status = 'approved'",
        params![id, audit_id, Status::Used.as_str()],
    )?;
    if changed != 1 {
        return Err(ControlError::Approval { request: id, problem: "was used by another question meanwhile".into() });
    }
    Ok(())
}

/// Checks that `who` may decide `id` now; returns the request.
pub(crate) fn decidable(conn: &Connection, who: &Requester, id: i64) -> Result<Request, ControlError> {
    let request = get(conn, id)?
        .ok_or_else(|| ControlError::Approval { request: id, problem: "no such request (see `crowdlens approve --pending`)".into() })?;
    if who.role != "supervisor" {
        return Err(ControlError::Approval {
            request: id,
            problem: format!("deciding needs the supervisor role; this actor acts as {}", who.role),
        });
    }
    if same_person(&request.actor, &who.actor) {
        return Err(ControlError::SelfApproval { request: id, asker: request.actor });
    }
    if request.status != Status::Pending {
        return Err(ControlError::Approval { request: id, problem: format!("is {}, not pending", request.status.as_str()) });
    }
    Ok(request)
}

/// Whether two actors name one person: the same actor, or the same holder (a token's name, or
/// the OS user the CLI ran as), letter case and spaces aside. Two tokens given to one person
/// are still one person.
fn same_person(a: &str, b: &str) -> bool {
    let holder = |actor: &str| -> String {
        let name = if let Some(rest) = actor.strip_prefix("token:") {
            rest.split_once(':').map_or(rest, |(_, name)| name)
        } else if let Some(rest) = actor.strip_prefix("cli:uid=") {
            rest.split_once('(').map_or(rest, |(_, name)| name.trim_end_matches(')'))
        } else {
            actor
        };
        name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
    };
    let uid = |actor: &str| -> Option<String> {
        let rest = actor.strip_prefix("cli:uid=")?;
        Some(rest.split('(').next().unwrap_or(rest).to_string())
    };
    a == b || holder(a) == holder(b) || uid(a).is_some_and(|u| uid(b) == Some(u))
}

pub(crate) fn set_decision(conn: &Connection, id: i64, approved: bool, who: &Requester, audit_id: i64) -> Result<(), ControlError> {
    let status = if approved { Status::Approved } else { Status::Declined };
    conn.execute(
        "UPDATE approvals SET status = ?2, decided_by = ?3, decided_in = ?4 WHERE id = ?1 AND status = 'pending'",
        params![id, status.as_str(), who.actor, audit_id],
    )?;
    Ok(())
}
