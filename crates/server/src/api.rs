use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
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
    /// Where questions' plans run; this process when `None`.
    engine: Option<Arc<dyn crowdlens_query::engine::Engine>>,
    /// Token id → (window start, requests in window).
    rate: Arc<Mutex<HashMap<i64, (Instant, u32)>>>,
    /// Client address → (window start, requests in window).
    rate_by_address: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl ServerState {
    pub fn new(store_root: PathBuf, limits: Limits) -> ServerState {
        ServerState { store_root, limits, engine: None, rate: Default::default(), rate_by_address: Default::default() }
    }

    /// Runs questions' plans on `engine` (a cluster) instead of in this process.
    pub fn with_engine(mut self, engine: Arc<dyn crowdlens_query::engine::Engine>) -> ServerState {
        self.engine = Some(engine);
        self
    }

    /// Opens the store and its ledger; only ever called after authentication.
    fn open(&self) -> Result<(Store, Ledger), ApiError> {
        let store = Store::open(&self.store_root).map_err(|e| ApiError::internal(e.to_string()))?;
        let ledger = crowdlens_query::open_ledger(&store).map_err(ApiError::from)?;
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
            QueryError::EpsilonBelowFloor { .. } | QueryError::Control(ControlError::EpsilonBelowFloor { .. }) => {
                bad("epsilon_below_floor")
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
            // The operator must restore the ledger; nothing is answered until then.
            QueryError::Control(ControlError::LedgerMissing { .. } | ControlError::RolledBack { .. }) => {
                tracing::error!(message = %e, "ledger refused");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable", e.to_string())
            }
            _ => ApiError::internal(e.to_string()),
        }
    }
}

/// The one table of routes: it both builds the router ([`router`]) and defines [`ROUTES`], so
/// that no route can be served without being listed (the neighbouring-stores test requests
/// every entry of `ROUTES`).
macro_rules! route_table {
    (@method GET $handler:expr) => { get($handler) };
    (@method POST $handler:expr) => { post($handler) };
    ($($method:ident $path:literal => $handler:expr,)*) => {
        /// Every route the server answers, as (method, path pattern), from the table that
        /// builds the router.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn with_routes(router: Router<ServerState>) -> Router<ServerState> {
            router$(.route($path, route_table!(@method $method $handler)))*
        }
    };
}

route_table! {
    GET "/v1/health" => || async { Json(serde_json::json!({"status": "ok"})) },
    GET "/v1/openapi.json" => || async { Json(crate::openapi_document()) },
    GET "/v1/token" => token_info,
    GET "/v1/budget" => budget,
    GET "/v1/audit" => audit,
    POST "/v1/ask/{question}" => ask,
    POST "/v1/retention/apply" => retention,
    GET "/v1/store" => store_info,
    POST "/v1/cells" => cell_boundaries,
    GET "/v1/answers" => list_answers,
    GET "/v1/answers/{id}" => show_answer,
    GET "/v1/tokens" => list_tokens,
    POST "/v1/tokens" => create_token,
    GET "/v1/report" => transparency_report,
    POST "/v1/tokens/{id}/revoke" => revoke_token,
    GET "/" => crate::ui::index,
    GET "/ui/{*path}" => crate::ui::asset,
}

pub fn router(state: ServerState) -> Router {
    let limit = state.limits.max_body_bytes;
    with_routes(Router::new()).fallback(|| async { not_found() }).layer(DefaultBodyLimit::max(limit)).with_state(state)
}

pub(crate) fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see /v1/openapi.json").into_response()
}

const EVERY_ROLE: &[Role] = &[Role::Analyst, Role::Auditor, Role::Admin];

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
    Ok(Json(authorize(&state, client, &headers, EVERY_ROLE).await?))
}

/// What a client needs to build a question: the store's public settings and rules, which
/// days hold data, and where its map opens. Nothing here is derived from the rows.
async fn store_info(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, client, &headers, EVERY_ROLE).await?;
    let (store, ledger) = state.open()?;
    let manifest = store.manifest().map_err(|e| ApiError::internal(e.to_string()))?;
    let days: std::collections::BTreeSet<&str> = manifest.segments.iter().map(|s| s.day.as_str()).collect();
    let config = store.config();
    let rules = ledger.rules();
    // The floors are the ledger's rules; the rest of the resolution is the store's layout.
    let mut resolution = serde_json::to_value(&config.resolution).map_err(|e| ApiError::internal(e.to_string()))?;
    resolution["h3_finest_question"] = rules.h3_finest_question.into();
    resolution["time_finest_bucket_seconds"] = rules.time_finest_bucket_seconds.into();
    resolution["h3_default_question"] = config.resolution.h3_default_question.min(rules.h3_finest_question).into();
    Ok(Json(serde_json::json!({
        "resolution": resolution,
        "purposes": rules.purposes,
        "default_max_partitions": rules.default_max_partitions,
        "max_partitions_per_question": rules.max_partitions_per_question,
        "rules": rules,
        "first_day": days.first(),
        "last_day": days.last(),
        "map_home": config.map.home,
    })))
}

/// The most cells one request may ask the outline of.
const MAX_OUTLINED_CELLS: usize = 5_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CellsBody {
    /// Cells to outline.
    cells: Option<Vec<String>>,
    /// Or the grid: every cell at `res` whose centre lies in this `bbox:` area.
    grid: Option<String>,
    res: Option<u8>,
}

/// The outline of each H3 cell as `[[lon, lat], ...]`, so that a page can draw answers and the
/// grid without an H3 library of its own. Pure geometry: it reads no store data.
async fn cell_boundaries(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, client, &headers, EVERY_ROLE).await?;
    let b: CellsBody = serde_json::from_slice(&body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    let cells: Vec<h3o::CellIndex> = match (b.cells, b.grid) {
        (Some(texts), None) => {
            if texts.len() > MAX_OUTLINED_CELLS {
                return Err(bad(format!("at most {MAX_OUTLINED_CELLS} cells per request; send them in batches")));
            }
            texts
                .iter()
                .map(|t| {
                    t.parse().map_err(|_| bad(format!("{t:?} is not an H3 cell index (hex, e.g. 882830829bfffff)")))
                })
                .collect::<Result<_, _>>()?
        }
        (None, Some(grid)) => {
            // Only a bounding box: a file path here would let a client read the server's files.
            if !grid.starts_with("bbox:") {
                return Err(bad("grid: give a bbox:minlon,minlat,maxlon,maxlat"));
            }
            let res = b.res.ok_or_else(|| bad("grid needs `res`"))?;
            let res = h3o::Resolution::try_from(res)
                .map_err(|_| bad(format!("res {res} is not an H3 resolution (0 to 15)")))?;
            let area = crowdlens_query::area::Area::parse(&grid).map_err(bad)?;
            // Refuse a box that is far too large from its size alone, before tiling it: a
            // tiling costs time in proportion to the cells, up to the area's own cap of millions.
            let edges: Vec<f64> = grid["bbox:".len()..].split(',').filter_map(|v| v.trim().parse().ok()).collect();
            if let [min_lon, min_lat, max_lon, max_lat] = edges[..] {
                let km_per_degree = 111.2;
                let mid_lat = ((min_lat + max_lat) / 2.0_f64).to_radians();
                let box_km2 = (max_lon - min_lon) * km_per_degree * mid_lat.cos() * (max_lat - min_lat) * km_per_degree;
                if box_km2 / res.area_km2() > 4.0 * MAX_OUTLINED_CELLS as f64 {
                    return Err(bad(format!(
                        "more than {MAX_OUTLINED_CELLS} cells; use a coarser res or a smaller box"
                    )));
                }
            }
            match area.cells(res) {
                Ok(cells) if cells.len() <= MAX_OUTLINED_CELLS => cells,
                Ok(_) | Err(crowdlens_query::area::AreaError::TooLarge { .. }) => {
                    return Err(bad(format!(
                        "more than {MAX_OUTLINED_CELLS} cells; use a coarser res or a smaller box"
                    )))
                }
                Err(crowdlens_query::area::AreaError::NoCell { .. }) => Vec::new(),
                Err(e) => return Err(bad(e)),
            }
        }
        _ => return Err(bad("give either `cells` or `grid` with `res`")),
    };
    let mut out = serde_json::Map::new();
    for cell in cells {
        let ring: Vec<[f64; 2]> = cell.boundary().iter().map(|ll| [ll.lng(), ll.lat()]).collect();
        out.insert(cell.to_string(), serde_json::json!(ring));
    }
    Ok(Json(serde_json::json!({ "boundaries": out })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersQuery {
    case: Option<String>,
}

/// The actor a token's questions are recorded under.
fn actor_of(who: &TokenInfo) -> String {
    format!("token:{}:{}", who.id, who.name)
}

/// Kept answers, newest first: an analyst sees the answers their token was given, an auditor
/// all of them.
async fn list_answers(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<AnswersQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Analyst, Role::Auditor]).await?;
    let (_, ledger) = state.open()?;
    let actor = (who.role == Role::Analyst).then(|| actor_of(&who));
    let answers =
        ledger.kept_answers(actor.as_deref(), q.case.as_deref()).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "answers": answers })))
}

/// A kept answer, re-read without a charge and without running anything; its rows' digest is
/// recomputed and must equal the audit entry's.
async fn show_answer(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Analyst, Role::Auditor]).await?;
    let (_, ledger) = state.open()?;
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_such_answer",
            format!("no kept answer #{id}; list them at /v1/answers"),
        )
    };
    let kept = match ledger.kept_answer(id) {
        Ok(Some(k)) => k,
        Ok(None) => return Err(missing()),
        Err(e @ ControlError::KeptAnswerAltered { .. }) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "answer_altered", e.to_string()))
        }
        Err(e) => return Err(ApiError::internal(e.to_string())),
    };
    // Another analyst's answer is reported as absent, not forbidden: its id says nothing.
    if who.role == Role::Analyst && kept.summary.actor != actor_of(&who) {
        return Err(missing());
    }
    let answer = kept.to_json().map_err(|e| ApiError::internal(format!("kept answer #{id}: {e}")))?;
    Ok(Json(answer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// The transparency report, as `crowdlens report transparency` writes it: JSON, or the HTML
/// page with `?format=html`. Built from the ledger, audit chain, manifest and rules only, and
/// holding nothing that depends on the rows: no ingest counts and no source paths (those are
/// operator-only, and no route serves them).
async fn transparency_report(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    authorize(&state, client, &headers, &[Role::Auditor]).await?;
    for day in [&q.from, &q.to].into_iter().flatten() {
        if day.len() != 10 || !day.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(bad(format!("{day:?}: give days as YYYY-MM-DD")));
        }
    }
    let (store, ledger) = state.open()?;
    let period = crowdlens_report::Period { from: q.from, to: q.to };
    let report = crowdlens_report::transparency(&store, &ledger, &period, chrono::Utc::now())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("html") => Ok((
            [
                (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            ],
            crowdlens_report::transparency_html(&report),
        )
            .into_response()),
        Some(other) => Err(bad(format!("format {other:?}: use json or html"))),
    }
}

async fn list_tokens(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, client, &headers, &[Role::Admin]).await?;
    let (_, ledger) = state.open()?;
    let tokens = ledger.list_tokens().map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "tokens": tokens })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    name: String,
    role: String,
}

/// Who an administrative act is audited under.
fn admin_requester(who: &TokenInfo, purpose: &str) -> crowdlens_control::Requester {
    crowdlens_control::Requester {
        actor: actor_of(who),
        role: who.role.as_str().into(),
        case_id: "-".into(),
        purpose: purpose.into(),
    }
}

/// Creates a token; the response holds the only copy of its secret. Audited.
async fn create_token(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Admin]).await?;
    let b: TokenBody = serde_json::from_slice(&body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    let name = b.name.trim();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(bad("name: give the holder's name, 1 to 100 printable characters"));
    }
    let role: Role = b.role.parse().map_err(|e: ControlError| bad(e))?;
    let (_, mut ledger) = state.open()?;
    let (secret, info) = ledger.create_token(name, role).map_err(|e| ApiError::internal(e.to_string()))?;
    ledger
        .record_event(
            &admin_requester(&who, "token-management"),
            &serde_json::json!({"token_created": info.id, "name": info.name, "role": role.as_str()}),
            "token created",
        )
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "token": secret, "info": info })))
}

/// Revokes a token at once. Audited.
async fn revoke_token(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = authorize(&state, client, &headers, &[Role::Admin]).await?;
    let (_, mut ledger) = state.open()?;
    if !ledger.revoke_token(id).map_err(|e| ApiError::internal(e.to_string()))? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no_such_token", format!("no live token #{id}")));
    }
    ledger
        .record_event(
            &admin_requester(&who, "token-management"),
            &serde_json::json!({"token_revoked": id}),
            "token revoked",
        )
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(serde_json::json!({ "revoked": id })))
}

/// The rules and each epoch's spend, for every role. Spend per case and purpose names other
/// people's cases: an auditor or admin gets all of it, an analyst only the spend of questions
/// asked with their own token (`by_case_scope` says which).
async fn budget(
    State(state): State<ServerState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = authorize(&state, client, &headers, EVERY_ROLE).await?;
    let (store, ledger) = state.open()?;
    let epochs: Vec<String> = store
        .keyring()
        .epochs()
        .map_err(|e| ApiError::internal(e.to_string()))?
        .iter()
        .map(|e| e.to_string())
        .collect();
    let b = ledger.budget(&epochs).map_err(|e| ApiError::internal(e.to_string()))?;
    let (by_case, scope) = if who.role == Role::Analyst {
        (spend_of_actor(&ledger, &actor_of(&who)).map_err(|e| ApiError::internal(e.to_string()))?, "token")
    } else {
        (ledger.spend_by_case().map_err(|e| ApiError::internal(e.to_string()))?, "all")
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
    type Group = (f64, f64, std::collections::BTreeSet<i64>);
    let mut groups: std::collections::BTreeMap<(String, String, String), Group> = Default::default();
    for c in ledger.charges()? {
        if let Some((case_id, purpose)) = mine.get(&c.audit_id) {
            let g = groups.entry((c.epoch, case_id.clone(), purpose.clone())).or_default();
            g.0 += c.epsilon;
            g.1 += c.delta;
            g.2.insert(c.audit_id);
        }
    }
    Ok(groups
        .into_iter()
        .map(|((epoch, case_id, purpose), (epsilon_spent, delta_spent, ids))| crowdlens_control::CaseSpend {
            epoch,
            case_id,
            purpose,
            epsilon_spent,
            delta_spent,
            questions: ids.len() as u64,
        })
        .collect())
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

/// What each request body and query string accepts, as (method, path, parameters in, field
/// names), read off serde's refusal of an unknown field, so that the OpenAPI test compares the
/// document with what the handlers really take.
#[cfg(test)]
pub(crate) fn accepted_fields() -> Vec<(&'static str, &'static str, &'static str, Vec<String>)> {
    fn fields<T: serde::de::DeserializeOwned>() -> Vec<String> {
        let refused = serde_json::from_str::<T>(r#"{"zz_probe": 0}"#).err().map(|e| e.to_string()).unwrap_or_default();
        let expected = refused.split("expected ").nth(1).unwrap_or("");
        let mut names: Vec<String> = expected.split('`').skip(1).step_by(2).map(String::from).collect();
        names.sort();
        names
    }
    vec![
        ("POST", "/v1/cells", "body", fields::<CellsBody>()),
        ("POST", "/v1/tokens", "body", fields::<TokenBody>()),
        ("POST", "/v1/ask/{question}", "body", fields::<AskBody>()),
        ("POST", "/v1/retention/apply", "body", fields::<RetentionBody>()),
        ("GET", "/v1/answers", "query", fields::<AnswersQuery>()),
        ("GET", "/v1/report", "query", fields::<ReportQuery>()),
    ]
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
        actor: actor_of(&who),
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
        let a = a.trim_start();
        if !(a.starts_with("bbox:") || a.starts_with("cells:") || a.starts_with('{')) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_area",
                "the API takes inline areas only: bbox:minlon,minlat,maxlon,maxlat, cells:HEX,... or a GeoJSON object",
            ));
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
        actor: actor_of(&who),
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
    result.map(Json)
}
