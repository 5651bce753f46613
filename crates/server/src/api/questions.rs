//! Questions: their descriptors (which the UI builds its forms from), and asking one.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use crowdlens_query::questions::{descriptors, Surface, ASKING_PARAMS};
use crowdlens_query::{respond_to, Asker, Reply};
use serde_json::{Map, Value};
use std::time::Instant;

use super::auth::{Analysts, AnyRole, Caller};
use super::{actor_of, ApiError, ServerState};

/// Every question's descriptor, as the API takes it: its parameters (file parameters, which
/// only the CLI takes, left out), keys and units, and the fields every question is asked with.
pub(super) async fn list_questions(_: Caller<AnyRole>) -> Json<Value> {
    Json(questions_document())
}

pub(crate) fn questions_document() -> Value {
    let questions: Vec<Value> = descriptors()
        .into_iter()
        .map(|mut d| {
            d.params.retain(|p| !p.cli_only);
            serde_json::to_value(d).expect("descriptors serialise")
        })
        .collect();
    serde_json::json!({ "questions": questions, "asking": ASKING_PARAMS })
}

/// `POST /v1/ask/{question}`: the body holds `case`, `purpose`, `dry_run` and the question's
/// parameters by their descriptor's names, which read and check them.
pub(super) async fn ask(
    State(state): State<ServerState>,
    caller: Caller<Analysts>,
    Path(question): Path<String>,
    body: Bytes,
) -> Result<Json<Reply>, ApiError> {
    let who = &caller.token;
    let mut fields: Map<String, Value> = match serde_json::from_slice(&body)? {
        Value::Object(fields) => fields,
        other => return Err(ApiError::bad(format!("the body must be a JSON object, not {other}"))),
    };
    let mut asking = |name: &str| -> Result<String, ApiError> {
        match fields.remove(name) {
            Some(Value::String(text)) => Ok(text),
            Some(other) => Err(ApiError { field: Some(name.into()), ..ApiError::bad(format!("{name}: give a string, not {other}")) }),
            None => Err(ApiError { field: Some(name.into()), ..ApiError::bad(format!("missing field `{name}`")) }),
        }
    };
    let case_id = asking("case")?;
    let purpose = asking("purpose")?;
    let dry_run = match fields.remove("dry_run") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(other) => return Err(ApiError::bad(format!("dry_run: give true or false, not {other}"))),
    };
    let (store, mut ledger) = state.open()?;
    let asker = Asker { actor: actor_of(who), role: who.role.as_str().into(), case_id, purpose };
    let run = respond_to(&question, &fields, Surface::Api, &store, &mut ledger, &asker, dry_run);
    let started = Instant::now();
    // A timeout drops the question's future; its charge, if it was made, stands, and the
    // ledger's reservation writes the audit entry that says it was abandoned.
    let run = async {
        match state.engine.clone() {
            Some(engine) => crowdlens_query::engine::with_engine(engine, run).await,
            None => run.await,
        }
    };
    let result = tokio::time::timeout(state.limits.question_timeout, run).await.map_err(|_| {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the question took longer than the server allows; its charge stands (see the audit log); ask a smaller one",
        )
    })?;
    // Logged: who, what kind, outcome and time. Never the answer values or the token.
    tracing::info!(token_id = who.id, question = %question, ok = result.is_ok(), ms = started.elapsed().as_millis() as u64, "ask");
    Ok(Json(result?))
}
