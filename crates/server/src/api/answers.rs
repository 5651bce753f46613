//! Kept answers: re-read without a charge and without running anything.

use axum::extract::{Path, Query, State};
use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crowdlens_control::tokens::Role;
use crowdlens_control::ControlError;
use crowdlens_report::{ExportError, ExportFormat};
use serde::Deserialize;

use super::auth::{Caller, Readers};
use super::{actor_of, ApiError, ServerState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswersQuery {
    case: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ShowQuery {
    /// Add post-processed values beside the raw ones ([`crowdlens_query::adjust`]).
    #[serde(default)]
    adjust: bool,
}

/// Kept answers, newest first: an analyst sees the answers their token was given, an auditor
/// all of them.
pub(super) async fn list_answers(
    State(state): State<ServerState>,
    caller: Caller<Readers>,
    Query(q): Query<AnswersQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    let who = &caller.token;
    let actor = (who.role == Role::Analyst).then(|| actor_of(who));
    let answers = ledger.kept_answers(actor.as_deref(), q.case.as_deref())?;
    Ok(Json(serde_json::json!({ "answers": answers })))
}

/// A kept answer; its rows' digest is recomputed and must equal the audit entry's.
pub(super) async fn show_answer(
    State(state): State<ServerState>,
    caller: Caller<Readers>,
    Path(id): Path<i64>,
    Query(view): Query<ShowQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    readable_answer(&state, &caller, id, view.adjust).map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExportQuery {
    /// csv (the default), json or geojson.
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    adjust: bool,
}

/// A kept answer as a file carrying its question ([`crowdlens_report::export`]). Named zones
/// have no geometry here: their polygons are the asker's file, which the server never reads.
pub(super) async fn export_answer(
    State(state): State<ServerState>,
    caller: Caller<Readers>,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format: ExportFormat = q
        .format
        .as_deref()
        .unwrap_or("csv")
        .parse()
        .map_err(|e: ExportError| ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", e.to_string()).on_field("format"))?;
    let answer = readable_answer(&state, &caller, id, q.adjust)?;
    // A large answer takes a while to write: off the executor, so other requests go on.
    let text = tokio::task::spawn_blocking(move || crowdlens_report::export(&answer, format, &HashMap::new()))
        .await
        .map_err(|e| ApiError::internal(format!("kept answer #{id}: {e}")))?
        .map_err(|e| match e {
            ExportError::TooLarge { .. } => ApiError::new(StatusCode::BAD_REQUEST, "too_large", e.to_string()).on_field("format"),
            e => ApiError::internal(format!("kept answer #{id}: {e}")),
        })?;
    let disposition = format!("attachment; filename=\"crowdlens-answer-{id}.{}\"", format.extension());
    Ok(([(header::CONTENT_TYPE, format.media_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], text).into_response())
}

/// The signed receipt of kept answer `id`, as `crowdlens answers receipt` writes it: check it
/// offline with `crowdlens verify` and the store's public key.
pub(super) async fn receipt(
    State(state): State<ServerState>,
    caller: Caller<Readers>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let answer = readable_answer(&state, &caller, id, false)?;
    match answer.get("receipt") {
        Some(receipt) => Ok(Json(receipt.clone())),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_receipt",
            format!("kept answer #{id} was released before receipts were signed, so it has none"),
        )),
    }
}

/// The store's public signing key, which every receipt and signed report is checked with.
pub(super) async fn public_key(
    State(state): State<ServerState>,
    _: Caller<super::auth::AnyRole>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    let key = ledger.public_key()?;
    Ok(Json(serde_json::json!({
        "algorithm": "ed25519",
        "public_key": crowdlens_control::signed::public_hex(&key),
        "pem": crowdlens_control::signed::public_pem(&key),
    })))
}

/// Kept answer `id` as the caller may read it: an analyst only their own (another's is absent,
/// not forbidden, so its id says nothing).
fn readable_answer(state: &ServerState, caller: &Caller<Readers>, id: i64, adjust: bool) -> Result<serde_json::Value, ApiError> {
    let (_, ledger) = state.open()?;
    let missing = || {
        ApiError::new(StatusCode::NOT_FOUND, "no_such_answer", format!("no kept answer #{id}; list them at /v1/answers"))
    };
    let kept = match ledger.kept_answer(id) {
        Ok(Some(k)) => k,
        Ok(None) => return Err(missing()),
        Err(e @ ControlError::KeptAnswerAltered { .. }) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "answer_altered", e.to_string()))
        }
        Err(e) => return Err(ApiError::internal(e.to_string())),
    };
    if caller.token.role == Role::Analyst && kept.summary.actor != actor_of(&caller.token) {
        return Err(missing());
    }
    let mut answer = kept.to_json().map_err(|e| ApiError::internal(format!("kept answer #{id}: {e}")))?;
    if adjust {
        crowdlens_query::adjust::adjust(&mut answer);
    }
    Ok(answer)
}
