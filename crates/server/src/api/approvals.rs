//! Approval requests: a question over the store's threshold waits for a supervisor who is not
//! its asker ([`crowdlens_control::approvals`]). Analysts see their own requests; supervisors
//! see everyone's and decide them.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use crowdlens_control::tokens::Role;
use serde::Deserialize;

use super::auth::{Caller, Requesters, Supervisors};
use super::{actor_of, json_body, ApiError, ServerState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ApprovalsQuery {
    /// Only requests still waiting.
    #[serde(default)]
    pending: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionBody {
    /// Why: recorded in the decision's audit entry.
    reason: String,
}

pub(super) async fn list(
    State(state): State<ServerState>,
    caller: Caller<Requesters>,
    Query(q): Query<ApprovalsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    let actor = (caller.token.role == Role::Analyst).then(|| actor_of(&caller.token));
    let requests = ledger.approval_requests(actor.as_deref(), q.pending)?;
    Ok(Json(serde_json::json!({ "approvals": requests, "threshold": ledger.rules().approval_above_epsilon })))
}

pub(super) async fn approve(
    state: State<ServerState>,
    caller: Caller<Supervisors>,
    id: Path<i64>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    decide(state, caller, id, body, true)
}

pub(super) async fn decline(
    state: State<ServerState>,
    caller: Caller<Supervisors>,
    id: Path<i64>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    decide(state, caller, id, body, false)
}

fn decide(
    State(state): State<ServerState>,
    caller: Caller<Supervisors>,
    Path(id): Path<i64>,
    body: Bytes,
    approve: bool,
) -> Result<Json<serde_json::Value>, ApiError> {
    let b: DecisionBody = json_body(&body)?;
    let (_, mut ledger) = state.open()?;
    let who = crowdlens_control::Requester {
        actor: actor_of(&caller.token),
        role: caller.token.role.as_str().into(),
        case_id: "-".into(),
        purpose: "-".into(),
    };
    let entry = ledger.decide(&who, id, approve, &b.reason).map_err(|e| match e {
        crowdlens_control::ControlError::Approval { .. } if ledger_lacks(&ledger, id) => {
            ApiError::new(axum::http::StatusCode::NOT_FOUND, "no_such_request", e.to_string())
        }
        e => ApiError::from(e),
    })?;
    let request = ledger.approval_request(id)?;
    Ok(Json(serde_json::json!({ "audit_id": entry, "request": request })))
}

fn ledger_lacks(ledger: &crowdlens_control::Ledger, id: i64) -> bool {
    matches!(ledger.approval_request(id), Ok(None))
}
