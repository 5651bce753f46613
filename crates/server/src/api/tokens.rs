//! Tokens: the caller's own, and (for administrators) listing, creating and revoking them.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use crowdlens_control::tokens::{expiry_of, NewToken, Role, Scope, TokenInfo};
use crowdlens_control::ControlError;
use serde::Deserialize;

use super::auth::{Admins, AnyRole, Caller};
use super::{actor_of, json_body, ApiError, ServerState};

pub(super) async fn token_info(caller: Caller<AnyRole>) -> Json<TokenInfo> {
    Json(caller.token)
}

pub(super) async fn list_tokens(
    State(state): State<ServerState>,
    _: Caller<Admins>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    let tokens = ledger.list_tokens()?;
    Ok(Json(serde_json::json!({ "tokens": tokens })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenBody {
    name: String,
    role: String,
    /// When it stops working: an RFC 3339 time, or a span from now (`30d`, `12h`).
    #[serde(default)]
    expires: Option<String>,
    /// Question kinds it may ask; any when absent.
    #[serde(default)]
    kinds: Option<Vec<String>>,
    /// Purposes it may ask for; any allowed by the rules when absent.
    #[serde(default)]
    purposes: Option<Vec<String>>,
    /// Cases it may ask for; any when absent.
    #[serde(default)]
    cases: Option<Vec<String>>,
    /// Largest ε its questions may spend in one epoch, composed.
    #[serde(default)]
    epsilon_cap_per_epoch: Option<f64>,
}



/// Who an administrative act is audited under.
pub(super) fn admin_requester(who: &TokenInfo, purpose: &str) -> crowdlens_control::Requester {
    crowdlens_control::Requester {
        actor: actor_of(who),
        role: who.role.as_str().into(),
        case_id: "-".into(),
        purpose: purpose.into(),
    }
}

/// Creates a token; the response holds the only copy of its secret. Audited.
pub(super) async fn create_token(
    State(state): State<ServerState>,
    caller: Caller<Admins>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let b: TokenBody = json_body(&body)?;
    let name = b.name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::bad("name: give the holder's name, 1 to 100 printable characters"));
    }
    let role: Role = b.role.parse().map_err(|e: ControlError| ApiError::bad(e))?;
    let expires_at = b.expires.as_deref().map(expiry_of).transpose().map_err(|e| ApiError::bad(e).on_field("expires"))?;
    let new = NewToken {
        name: name.into(),
        role,
        expires_at,
        scope: Scope { kinds: b.kinds, purposes: b.purposes, cases: b.cases },
        epsilon_cap_per_epoch: b.epsilon_cap_per_epoch,
    };
    let (_, mut ledger) = state.open()?;
    let (secret, info) = ledger.create_token(&new).map_err(|e| match e {
        ControlError::BadToken(m) => ApiError::bad(m),
        e => ApiError::from(e),
    })?;
    ledger.record_event(
        &admin_requester(&caller.token, "token-management"),
        &info.as_created(),
        "token created",
    )?;
    Ok(Json(serde_json::json!({ "token": secret, "info": info })))
}

/// Revokes a token at once. Audited.
pub(super) async fn revoke_token(
    State(state): State<ServerState>,
    caller: Caller<Admins>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, mut ledger) = state.open()?;
    if !ledger.revoke_token(id)? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no_such_token", format!("no live token #{id}")));
    }
    ledger.record_event(
        &admin_requester(&caller.token, "token-management"),
        &serde_json::json!({"token_revoked": id}),
        "token revoked",
    )?;
    // At once: its running jobs are dropped too (a charged one is audited as abandoned).
    let cancelled = state.jobs.cancel_all_of(id);
    Ok(Json(serde_json::json!({ "revoked": id, "jobs_cancelled": cancelled })))
}

