use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
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
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Server limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// Requests per token per minute, and per client address per minute (counted before the
    /// token is checked, so guessing tokens is rate-limited too).
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
    /// Client address → (window start, requests in window).
    rate_by_address: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl ServerState {
    pub fn new(store_root: PathBuf, limits: Limits) -> ServerState {
        ServerState { store_root, limits, rate: Default::default(), rate_by_address: Default::default() }
    }

    /// Opens the store and its ledger; only ever called after authentication.
    fn open(&self) -> Result<(Store, Ledger), ApiError> {
        let store = Store::open(&self.store_root).map_err(|e| ApiError::internal(e.to_string()))?;
        let ledger = crowdlens_query::open_ledger(&store).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((store, ledger))
    }
}

/// Counts one request in a fixed one-minute window; `false` once over `limit`.
fn within_rate<K: std::hash::Hash + Eq>(table: &Mutex<HashMap<K, (Instant, u32)>>, key: K, limit: u32) -> bool {
    let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Forget idle clients so the table cannot grow without bound.
    if table.len() > 10_000 {
        table.retain(|_, (start, _)| start.elapsed() < Duration::from_secs(60));
    }
    let entry = table.entry(key).or_insert((Instant::now(), 0));
    if entry.0.elapsed() >= Duration::from_secs(60) {
        *entry = (Instant::now(), 0);
    }
    entry.1 += 1;
    entry.1 <= limit
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
            QueryError::EpsilonAboveCap { .. } | QueryError::Control(ControlError::EpsilonAboveCap { .. }) => {
                bad("epsilon_above_cap")
            }
            QueryError::WindowTooLong { .. } | QueryError::WindowOutsideData(_) => bad("bad_window"),
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
        .route("/v1/retention/apply", post(retention))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see /v1/openapi.json")
        })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

fn rate_limited(limit: u32, whom: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("more than {limit} requests in a minute for this {whom}; wait and retry"),
    )
}

/// Authenticates before anything else: the client address's rate limit first (before any
/// hashing), then the token, checked on a blocking thread (argon2 costs tens of milliseconds
/// and must not stall the executor), then the token's own rate limit and its role. The store
/// is opened only after this succeeds.
async fn authorize(
    state: &ServerState,
    client: SocketAddr,
    headers: &HeaderMap,
    allowed: &[Role],
) -> Result<TokenInfo, ApiError> {
    let limit = state.limits.requests_per_minute;
    if !within_rate(&state.rate_by_address, client.ip(), limit) {
        return Err(rate_limited(limit, "address"));
    }
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
        .map(|t| t.trim().to_string())
        .ok_or_else(unauthorized)?;
    let db = state.store_root.join(crowdlens_store::CONTROL_DB);
    let checked = tokio::task::spawn_blocking(move || crowdlens_control::tokens::check_at(&db, &token))
        .await
        .map_err(|e| ApiError::internal(format!("token check: {e}")))?;
    let info = checked.map_err(|e| ApiError::internal(e.to_string()))?.ok_or_else(unauthorized)?;
    if !within_rate(&state.rate, info.id, limit) {
        return Err(rate_limited(limit, "token"));
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

async fn token_info(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<TokenInfo>, ApiError> {
    Ok(Json(authorize(&state, client, &headers, &[Role::Analyst, Role::Auditor, Role::Admin]).await?))
}

async fn budget(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, client, &headers, &[Role::Auditor]).await?;
    let (store, ledger) = state.open()?;
    let epochs: Vec<String> = store
        .keyring()
        .epochs()
        .map_err(|e| ApiError::internal(e.to_string()))?
        .iter()
        .map(|e| e.to_string())
        .collect();
    let b = ledger.budget(&epochs).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "rules": ledger.rules(), "epochs": b })))
}

async fn audit(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, client, &headers, &[Role::Auditor]).await?;
    let (_, ledger) = state.open()?;
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

/// The JSON body of `POST /v1/retention/apply`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionBody {
    #[serde(default)]
    dry_run: bool,
}

async fn retention(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<crowdlens_query::retention::RetentionReport>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Admin]).await?;
    let b: RetentionBody = if body.is_empty() {
        RetentionBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(format!("invalid JSON body: {e}")))?
    };
    let (store, mut ledger) = state.open()?;
    let asker = Asker {
        actor: format!("token:{}:{}", who.id, who.name),
        role: who.role.as_str().into(),
        case_id: "-".into(),
        purpose: "retention".into(),
    };
    let now = unix_now();
    // Shredding is file work under the writer lock: keep it off the executor.
    let report = tokio::task::spawn_blocking(move || {
        crowdlens_query::retention::apply_retention(&store, &mut ledger, &asker, now, b.dry_run)
    })
    .await
    .map_err(|e| ApiError::internal(format!("retention: {e}")))?;
    report.map(Json).map_err(|e| match e {
        QueryError::Store(crowdlens_store::StoreError::Locked(_)) => {
            ApiError::new(StatusCode::CONFLICT, "locked", e.to_string())
        }
        other => ApiError::internal(other.to_string()),
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

async fn ask(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(question): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Reply>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Analyst]).await?;
    let (store, mut ledger) = state.open()?;
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
    // A timeout drops the question's future; its charge, if it was made, stands, and the
    // ledger's reservation writes the audit entry that says it was abandoned.
    let result = tokio::time::timeout(state.limits.question_timeout, run).await.map_err(|_| {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the question took longer than the server allows; its charge stands (see the audit log); ask a smaller one",
        )
    })?;
    // Logged: who, what kind, outcome and time. Never the answer values or the token.
    tracing::info!(token_id = who.id, question = %question, ok = result.is_ok(), ms = started.elapsed().as_millis() as u64, "ask");
    result.map(Json)
}
