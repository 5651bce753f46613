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
    let asked = Asked::read(question, &body)?;
    let deadline = state.limits.question_timeout;
    Ok(Json(asked.run(state, caller.token, deadline).await?))
}

/// A question as the API takes it: its kind, who it is for, and its parameters, unread until
/// it runs (its descriptor reads them, and a refusal of one is audited).
pub(super) struct Asked {
    pub(super) kind: String,
    case_id: String,
    purpose: String,
    pub(super) dry_run: bool,
    fields: Map<String, Value>,
}

impl Asked {
    /// Reads a request body: a JSON object of `case`, `purpose`, `dry_run` and the question's
    /// parameters.
    pub(super) fn read(kind: String, body: &[u8]) -> Result<Asked, ApiError> {
        match serde_json::from_slice(body)? {
            Value::Object(fields) => Asked::from_fields(kind, fields),
            other => Err(ApiError::bad(format!("the body must be a JSON object, not {other}"))),
        }
    }

    pub(super) fn from_fields(kind: String, mut fields: Map<String, Value>) -> Result<Asked, ApiError> {
        let mut asking = |name: &str| -> Result<String, ApiError> {
            match fields.remove(name) {
                Some(Value::String(text)) => Ok(text),
                Some(other) => Err(ApiError::bad(format!("{name}: give a string, not {other}")).on_field(name)),
                None => Err(ApiError::bad(format!("missing field `{name}`")).on_field(name)),
            }
        };
        let case_id = asking("case")?;
        let purpose = asking("purpose")?;
        let dry_run = match fields.remove("dry_run") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(other) => return Err(ApiError::bad(format!("dry_run: give true or false, not {other}"))),
        };
        Ok(Asked { kind, case_id, purpose, dry_run, fields })
    }

    /// Prices or asks the question for `who`, on the server's engine, within `deadline`. Owned,
    /// so that a job can run it on a task of its own.
    pub(super) async fn run(
        self,
        state: ServerState,
        who: crowdlens_control::tokens::TokenInfo,
        deadline: std::time::Duration,
    ) -> Result<Reply, ApiError> {
        let (store, mut ledger) = state.open()?;
        let Asked { kind, case_id, purpose, dry_run, fields } = self;
        let asker = Asker { actor: actor_of(&who), role: who.role.as_str().into(), case_id, purpose };
        let run = respond_to(&kind, &fields, Surface::Api, &store, &mut ledger, &asker, dry_run);
        let started = Instant::now();
        // A timeout (or a job's cancel) drops the question's future; its charge, if it was
        // made, stands, and the ledger's reservation writes the audit entry that says it was
        // abandoned.
        let run = async {
            match state.engine.clone() {
                Some(engine) => crowdlens_query::engine::with_engine(engine, run).await,
                None => run.await,
            }
        };
        let result = tokio::time::timeout(deadline, run).await.map_err(|_| {
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                "the question took longer than the server allows; its charge stands (see the audit log); ask a \
                 smaller one, or submit it as a job (POST /v1/jobs), which may run longer",
            )
        })?;
        // Logged: who, what kind, outcome and time. Never the answer values or the token.
        tracing::info!(token_id = who.id, question = %kind, ok = result.is_ok(), ms = started.elapsed().as_millis() as u64, "ask");
        Ok(result?)
    }
}
