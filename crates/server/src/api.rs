use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crowdlens_control::tokens::{Role, TokenInfo};
use crowdlens_control::{ControlError, Ledger};
use crowdlens_dp::Mechanism;
use crowdlens_query::questions::{
    Common, CovisitQuestion, DwellQuestion, FlowsQuestion, ReachQuestion, SeriesQuestion,
};
use crowdlens_query::{respond, window::parse_instant, Asker, PresenceQuestion, QueryError, Reply};
use crowdlens_store::Store;
use crowdlens_types::parse_span;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Server limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// Requests per token per minute.
    pub requests_per_minute: u32,
    pub question_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 64 * 1024, requests_per_minute: 120, question_timeout: Duration::from_secs(120) }
    }
}

#[derive(Clone)]
pub struct ServerState {
    store_root: PathBuf,
    limits: Limits,
    /// Token id → (window start, requests in window).
    rate: Arc<Mutex<HashMap<i64, (Instant, u32)>>>,
}

impl ServerState {
    pub fn new(store_root: PathBuf, limits: Limits) -> ServerState {
        ServerState { store_root, limits, rate: Default::default() }
    }

    fn open(&self) -> Result<(Store, Ledger), ApiError> {
        let store = Store::open(&self.store_root).map_err(|e| ApiError::internal(e.to_string()))?;
        let p = &store.config().privacy;
        let ledger = Ledger::open(&store.control_db_path(), p.epsilon_per_epoch, p.delta_per_epoch)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((store, ledger))
    }
}

/// An error as the API returns it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }
    fn internal(message: String) -> ApiError {
        tracing::error!(%message, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({"code": self.code, "message": self.message}))).into_response()
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        let bad = |code| ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string());
        match &e {
            QueryError::Control(ControlError::BudgetExhausted { .. } | ControlError::DeltaExhausted { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "budget_exhausted", e.to_string())
            }
            QueryError::BadPurpose { .. } | QueryError::MissingCase => {
                ApiError::new(StatusCode::FORBIDDEN, "purpose_required", e.to_string())
            }
            QueryError::BadArea(_) => bad("bad_area"),
            QueryError::BadWindow(_) => bad("bad_window"),
            QueryError::ResolutionTooFine { .. } | QueryError::BucketTooFine { .. } => bad("below_floor"),
            QueryError::TooManyPartitions { .. } => bad("too_many_partitions"),
            QueryError::Dp(_) | QueryError::BadBound => bad("bad_privacy_parameters"),
            QueryError::NoCategories => bad("no_categories"),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

pub fn router(state: ServerState) -> Router {
    let limit = state.limits.max_body_bytes;
    Router::new()
        .route("/v1/health", get(|| async { Json(serde_json::json!({"status": "ok"})) }))
        .route("/v1/openapi.json", get(|| async { Json(crate::openapi_document()) }))
        .route("/v1/token", get(token_info))
        .route("/v1/budget", get(budget))
        .route("/v1/audit", get(audit))
        .route("/v1/ask/{question}", post(ask))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see /v1/openapi.json")
        })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Authenticates the bearer token, applies the rate limit, and checks the role.
fn authorize(
    state: &ServerState,
    ledger: &Ledger,
    headers: &HeaderMap,
    allowed: &[Role],
) -> Result<TokenInfo, ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send a valid token as `Authorization: Bearer cl_...` (create one with `crowdlens token create`)",
        )
    };
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let info =
        ledger.check_token(token.trim()).map_err(|e| ApiError::internal(e.to_string()))?.ok_or_else(unauthorized)?;
    {
        let mut rate = state.rate.lock().expect("rate table");
        let entry = rate.entry(info.id).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= Duration::from_secs(60) {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        if entry.1 > state.limits.requests_per_minute {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "more than {} requests in a minute for this token; wait and retry",
                    state.limits.requests_per_minute
                ),
            ));
        }
    }
    if !allowed.contains(&info.role) {
        let need: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs the {} role; your token is {}", need.join(" or "), info.role.as_str()),
        ));
    }
    Ok(info)
}

async fn token_info(State(state): State<ServerState>, headers: HeaderMap) -> Result<Json<TokenInfo>, ApiError> {
    let (_, ledger) = state.open()?;
    Ok(Json(authorize(&state, &ledger, &headers, &[Role::Analyst, Role::Auditor, Role::Admin])?))
}

async fn budget(State(state): State<ServerState>, headers: HeaderMap) -> Result<Json<serde_json::Value>, ApiError> {
    let (store, ledger) = state.open()?;
    authorize(&state, &ledger, &headers, &[Role::Auditor])?;
    let epochs: Vec<String> = store
        .keyring()
        .epochs()
        .map_err(|e| ApiError::internal(e.to_string()))?
        .iter()
        .map(|e| e.to_string())
        .collect();
    let b = ledger.budget(&epochs).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "epochs": b })))
}

async fn audit(State(state): State<ServerState>, headers: HeaderMap) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, ledger) = state.open()?;
    authorize(&state, &ledger, &headers, &[Role::Auditor])?;
    let verified = ledger.verify_audit();
    let entries = ledger.audit_entries().map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({
        "intact": verified.is_ok(),
        "problem": verified.err().map(|e| e.to_string()),
        "entries": entries,
    })))
}

/// The JSON body of `POST /v1/ask/{question}`: the CLI's flags, by the same names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AskBody {
    case: String,
    purpose: String,
    from: String,
    to: String,
    epsilon: f64,
    mechanism: Option<String>,
    max_partitions: Option<u32>,
    #[serde(default)]
    dry_run: bool,
    area: Option<String>,
    area_b: Option<String>,
    bucket: Option<String>,
    res: Option<u8>,
    zones_res: Option<u8>,
    top_from: Option<String>,
    max_gap: Option<String>,
    baseline_from: Option<String>,
    baseline_to: Option<String>,
}

fn required<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    v.as_deref().ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("missing field `{name}`")))
}

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string())
}

async fn ask(
    State(state): State<ServerState>,
    Path(question): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Reply>, ApiError> {
    let (store, mut ledger) = state.open()?;
    let who = authorize(&state, &ledger, &headers, &[Role::Analyst])?;
    let b: AskBody = serde_json::from_slice(&body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    // Area files would let a client read server-side paths: the API takes inline areas only.
    for a in [&b.area, &b.area_b].into_iter().flatten() {
        if !(a.starts_with("bbox:") || a.starts_with("cells:")) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_area", "the API takes bbox: or cells: areas only"));
        }
    }
    let common = Common {
        from_s: parse_instant(&b.from)?,
        to_s: parse_instant(&b.to)?,
        epsilon: b.epsilon,
        mechanism: b.mechanism.as_deref().unwrap_or("laplace").parse::<Mechanism>().map_err(QueryError::from)?,
        max_partitions: b.max_partitions,
    };
    let asker = Asker {
        actor: format!("token:{}:{}", who.id, who.name),
        role: who.role.as_str().into(),
        case_id: b.case.clone(),
        purpose: b.purpose.clone(),
    };
    let span = |s: &Option<String>, default: &str, name: &str| -> Result<i64, ApiError> {
        parse_span(s.as_deref().unwrap_or(default)).map_err(|e| bad(format!("{name}: {e}")))
    };
    let run = async {
        let reply = match question.as_str() {
            "presence" => {
                let q = PresenceQuestion {
                    area: required(&b.area, "area")?.into(),
                    from_s: common.from_s,
                    to_s: common.to_s,
                    bucket_s: span(&b.bucket, "1h", "bucket")?,
                    res: b.res,
                    epsilon: common.epsilon,
                    mechanism: common.mechanism,
                    max_partitions: common.max_partitions,
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            "flows" => {
                let q = FlowsQuestion {
                    common: common.clone(),
                    area: b.area.clone(),
                    zones_res: b.zones_res,
                    zones_file: None,
                    top_from: b.top_from.clone(),
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            "dwell" => {
                let q = DwellQuestion {
                    common: common.clone(),
                    area: required(&b.area, "area")?.into(),
                    res: b.res,
                    max_gap_s: span(&b.max_gap, "30m", "max_gap")?,
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            "co-visit" => {
                let q = CovisitQuestion {
                    common: common.clone(),
                    area: required(&b.area, "area")?.into(),
                    area_b: required(&b.area_b, "area_b")?.into(),
                    res: b.res,
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            "series" => {
                let q = SeriesQuestion {
                    common: common.clone(),
                    area: required(&b.area, "area")?.into(),
                    res: b.res,
                    bucket_s: span(&b.bucket, "1d", "bucket")?,
                    baseline_from_s: parse_instant(required(&b.baseline_from, "baseline_from")?)?,
                    baseline_to_s: parse_instant(required(&b.baseline_to, "baseline_to")?)?,
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            "reach" => {
                let q = ReachQuestion {
                    common: common.clone(),
                    area: required(&b.area, "area")?.into(),
                    zones_res: b.zones_res,
                };
                respond(&q, &store, &mut ledger, &asker, b.dry_run).await?
            }
            other => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_question",
                    format!("no question {other:?}: use presence, flows, dwell, co-visit, series or reach"),
                ))
            }
        };
        Ok(reply)
    };
    let started = Instant::now();
    let result = tokio::time::timeout(state.limits.question_timeout, run).await.map_err(|_| {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the question took longer than the server allows; ask a smaller one",
        )
    })?;
    // Logged: who, what kind, outcome and time. Never the answer values or the token.
    tracing::info!(token_id = who.id, question = %question, ok = result.is_ok(), ms = started.elapsed().as_millis() as u64, "ask");
    result.map(Json)
}
