//! What oversight reads: the budget and its spend, the audit log, the transparency report.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crowdlens_control::tokens::Role;
use crowdlens_control::{ControlError, Ledger};
use serde::Deserialize;
use std::collections::HashMap;

use super::auth::{AnyRole, Auditors, Caller};
use super::{actor_of, ApiError, ServerState};

/// The rules and each epoch's spend, for every role. Spend per case and purpose names other
/// people's cases: an auditor or admin gets all of it, an analyst only the spend of questions
/// asked with their own token (`by_case_scope` says which).
pub(super) async fn budget(
    State(state): State<ServerState>,
    caller: Caller<AnyRole>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (store, ledger) = state.open()?;
    let epochs: Vec<String> = store.keyring().epochs()?.iter().map(|e| e.to_string()).collect();
    let b = ledger.budget(&epochs)?;
    let (by_case, scope) = if caller.token.role == Role::Analyst {
        (spend_of_actor(&ledger, &actor_of(&caller.token))?, "token")
    } else {
        (ledger.spend_by_case()?, "all")
    };
    Ok(Json(serde_json::json!({ "rules": ledger.rules(), "epochs": b, "by_case": by_case, "by_case_scope": scope })))
}

/// As [`Ledger::spend_by_case`], for the questions one actor was charged for.
fn spend_of_actor(ledger: &Ledger, actor: &str) -> Result<Vec<crowdlens_control::CaseSpend>, ControlError> {
    let mine: HashMap<i64, (String, String)> = ledger
        .audit_entries()?
        .into_iter()
        .filter(|e| e.actor == actor && e.outcome == "charged")
        .filter_map(|e| Some((e.id.parse().ok()?, (e.case_id, e.purpose))))
        .collect();
    type Group = (f64, f64, f64, std::collections::BTreeSet<i64>);
    let mut groups: std::collections::BTreeMap<(String, String, String), Group> = Default::default();
    for c in ledger.charges()? {
        if let Some((case_id, purpose)) = mine.get(&c.audit_id) {
            let g = groups.entry((c.epoch, case_id.clone(), purpose.clone())).or_default();
            g.0 += c.epsilon;
            g.1 += c.delta;
            g.2 += c.rho;
            g.3.insert(c.audit_id);
        }
    }
    Ok(groups
        .into_iter()
        .map(|((epoch, case_id, purpose), (epsilon_spent, delta_spent, rho_spent, ids))| crowdlens_control::CaseSpend {
            epoch,
            case_id,
            purpose,
            epsilon_spent,
            delta_spent,
            rho_spent,
            questions: ids.len() as u64,
        })
        .collect())
}

pub(super) async fn audit(
    State(state): State<ServerState>,
    _: Caller<Auditors>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    let verified = ledger.verify_audit();
    let entries = ledger.audit_entries()?;
    Ok(Json(serde_json::json!({
        "intact": verified.is_ok(),
        "problem": verified.err().map(|e| e.to_string()),
        "entries": entries,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// The transparency report, as `crowdlens report transparency` writes it: JSON, or the HTML
/// page with `?format=html`. Built from the ledger, audit chain, manifest and rules only, and
/// holding nothing that depends on the rows: no ingest counts and no source paths (those are
/// operator-only, and no route serves them).
pub(super) async fn transparency_report(
    State(state): State<ServerState>,
    _: Caller<Auditors>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    for day in [&q.from, &q.to].into_iter().flatten() {
        if day.len() != 10 || !day.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(ApiError::bad(format!("{day:?}: give days as YYYY-MM-DD")));
        }
    }
    let (store, ledger) = state.open()?;
    let period = crowdlens_report::Period { from: q.from, to: q.to };
    let report = crowdlens_report::transparency(&store, &ledger, &period, chrono::Utc::now())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        // Signed with the store's key and carrying the chain's head: a copy to publish.
        Some("signed") => Ok(Json(crowdlens_report::signed_transparency(&report, &ledger)?).into_response()),
        Some("html") => Ok((
            [
                (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            ],
            crowdlens_report::transparency_html(&report),
        )
            .into_response()),
        Some(other) => Err(ApiError::bad(format!("format {other:?}: use json, signed or html"))),
    }
}
