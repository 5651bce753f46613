//! The `/v1` API, one module per resource: [`questions`] (ask, and the questions' descriptors),
//! [`jobs`] (questions run as jobs), [`answers`] (kept answers), [`tokens`], [`oversight`] (budget, audit, report) and [`store`]
//! (the store's public settings, cell outlines, retention). [`auth`] authenticates every
//! request as an extractor before a handler runs; [`ApiError`] is every failure, converted from
//! the library's errors through `From`.

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crowdlens_control::{ControlError, Ledger};
use crowdlens_query::QueryError;
use crowdlens_store::Store;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod answers;
mod approvals;
pub(crate) mod auth;
mod jobs;
mod oversight;
mod places;
mod questions;
mod store;
mod tokens;

/// Server limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// Requests per token per minute, and per client address per minute (counted before the
    /// token is checked, so guessing tokens is rate-limited too).
    pub requests_per_minute: u32,
    pub question_timeout: Duration,
    /// The longest a job (`POST /v1/jobs`) may run before it is dropped, as a timed-out
    /// question is.
    pub job_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            requests_per_minute: 120,
            question_timeout: Duration::from_secs(120),
            job_timeout: Duration::from_secs(3600),
        }
    }
}

/// The API's major version: it changes only when a change would break a client (a field
/// removed or retyped, a route moved). `/v1/health` says it, and clients refuse majors they do
/// not know.
pub const API_VERSION: u32 = 1;

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
    /// The operator's base map, drawn under the answers.
    pub(crate) basemap: Option<Arc<crate::Basemap>>,
    /// Questions running, or finished, as jobs.
    jobs: Arc<jobs::Jobs>,
}

impl ServerState {
    pub fn new(store_root: PathBuf, limits: Limits) -> ServerState {
        ServerState {
            store_root,
            limits,
            engine: None,
            rate: Default::default(),
            rate_by_address: Default::default(),
            basemap: None,
            jobs: Default::default(),
        }
    }

    pub fn with_basemap(mut self, basemap: crate::Basemap) -> ServerState {
        self.basemap = Some(Arc::new(basemap));
        self
    }

    /// Runs questions' plans on `engine` (a cluster) instead of in this process.
    pub fn with_engine(mut self, engine: Arc<dyn crowdlens_query::engine::Engine>) -> ServerState {
        self.engine = Some(engine);
        self
    }

    /// Opens the store and its ledger; only ever called after authentication.
    fn open(&self) -> Result<(Store, Ledger), ApiError> {
        let store = Store::open(&self.store_root)?;
        let ledger = crowdlens_query::open_ledger(&store)?;
        Ok((store, ledger))
    }
}

/// An error as the API returns it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The question parameter the error is about, when it names one.
    pub field: Option<String>,
    /// The approval request a question over the threshold made (`approval_required`).
    pub approval: Option<i64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, approval: None }
    }

    fn internal(message: String) -> ApiError {
        tracing::error!(%message, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }

    /// The same error, about the request's field `name`.
    fn on_field(mut self, name: &str) -> ApiError {
        self.field = Some(name.to_string());
        self
    }

    /// A request the client must change.
    fn bad(message: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"code": self.code, "message": self.message});
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        if let Some(request) = self.approval {
            body["approval"] = request.into();
        }
        (self.status, Json(body)).into_response()
    }
}

/// A refused question keeps its stable code (the one its audit entry records).
impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        let status = match e.kind() {
            QueryError::Control(
                ControlError::BudgetExhausted { .. }
                | ControlError::DeltaExhausted { .. }
                | ControlError::CaseCapExhausted { .. }
                | ControlError::TokenCapExhausted { .. },
            ) => StatusCode::CONFLICT,
            // Pending a supervisor: not answered until one approves; the body names the request.
            QueryError::Control(ControlError::ApprovalRequired { request, .. }) => {
                let request = *request;
                let mut error = ApiError::new(StatusCode::FORBIDDEN, "approval_required", e.to_string());
                error.approval = Some(request);
                return error;
            }
            QueryError::Control(ControlError::OutOfScope(_) | ControlError::SelfApproval { .. }) => StatusCode::FORBIDDEN,
            QueryError::Control(ControlError::TokenRevoked { .. }) => StatusCode::UNAUTHORIZED,
            QueryError::Control(ControlError::Approval { .. }) => StatusCode::CONFLICT,
            QueryError::BadPurpose { .. } | QueryError::MissingCase | QueryError::BadCase(_) => StatusCode::FORBIDDEN,
            QueryError::UnknownQuestion(..) => StatusCode::NOT_FOUND,
            // The operator must restore the ledger; nothing is answered until then.
            QueryError::Control(
                ControlError::LedgerMissing { .. } | ControlError::LedgerEmptied { .. } | ControlError::RolledBack { .. },
            ) => {
                tracing::error!(message = %e, "ledger refused");
                return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ledger_unavailable", e.to_string());
            }
            QueryError::Control(ControlError::EpsilonAboveCap { .. } | ControlError::EpsilonBelowFloor { .. })
            | QueryError::BadParameter { .. }
            | QueryError::BadArea(_)
            | QueryError::BadWindow(_)
            | QueryError::ResolutionTooFine { .. }
            | QueryError::BucketTooFine { .. }
            | QueryError::TooManyPartitions { .. }
            | QueryError::NoCategories
            | QueryError::BadBound
            | QueryError::EpsilonAboveCap { .. }
            | QueryError::EpsilonBelowFloor { .. }
            | QueryError::WindowTooLong { .. }
            | QueryError::WindowOutsideData(_)
            | QueryError::Dp(_) => StatusCode::BAD_REQUEST,
            _ => return ApiError::internal(e.to_string()),
        };
        let field = e.field().map(str::to_string);
        ApiError { status, code: e.code(), message: e.to_string(), field, approval: None }
    }
}

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> ApiError {
        QueryError::from(e).into()
    }
}

impl From<crowdlens_store::StoreError> for ApiError {
    fn from(e: crowdlens_store::StoreError) -> ApiError {
        match e {
            crowdlens_store::StoreError::Locked(_) => ApiError::new(StatusCode::CONFLICT, "locked", e.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// A body that is not the JSON its handler takes.
impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> ApiError {
        ApiError::bad(format!("invalid JSON body: {e}"))
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
    GET "/v1/health" => || async {
        Json(serde_json::json!({"status": "ok", "api_version": API_VERSION, "crowdlens": env!("CARGO_PKG_VERSION")}))
    },
    GET "/v1/openapi.json" => || async { Json(crate::openapi_document()) },
    GET "/v1/token" => tokens::token_info,
    GET "/v1/budget" => oversight::budget,
    GET "/v1/audit" => oversight::audit,
    GET "/v1/questions" => questions::list_questions,
    POST "/v1/ask/{question}" => questions::ask,
    POST "/v1/jobs" => jobs::submit,
    GET "/v1/jobs" => jobs::list,
    GET "/v1/jobs/{id}" => jobs::status,
    GET "/v1/jobs/{id}/result" => jobs::result,
    POST "/v1/jobs/{id}/cancel" => jobs::cancel,
    POST "/v1/retention/apply" => store::retention,
    GET "/v1/store" => store::store_info,
    POST "/v1/cells" => store::cell_boundaries,
    GET "/v1/places" => places::places,
    GET "/v1/answers" => answers::list_answers,
    GET "/v1/answers/{id}" => answers::show_answer,
    GET "/v1/answers/{id}/export" => answers::export_answer,
    GET "/v1/answers/{id}/receipt" => answers::receipt,
    GET "/v1/key" => answers::public_key,
    GET "/v1/approvals" => approvals::list,
    POST "/v1/approvals/{id}/approve" => approvals::approve,
    POST "/v1/approvals/{id}/decline" => approvals::decline,
    GET "/v1/tokens" => tokens::list_tokens,
    POST "/v1/tokens" => tokens::create_token,
    GET "/v1/report" => oversight::transparency_report,
    POST "/v1/tokens/{id}/revoke" => tokens::revoke_token,
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

/// The body of a request, read as `T`; an empty body is `T`'s default where one is allowed.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    Ok(serde_json::from_slice(body)?)
}

/// What each request body and query string accepts, as (method, path, parameters in, field
/// names), read off serde's refusal of an unknown field (and, for questions, off their
/// descriptors), so that the OpenAPI test compares the document with what the handlers take.
#[cfg(test)]
pub(crate) fn accepted_fields() -> Vec<(&'static str, &'static str, &'static str, Vec<String>)> {
    pub(crate) fn fields<T: serde::de::DeserializeOwned>() -> Vec<String> {
        let refused = serde_json::from_str::<T>(r#"{"zz_probe": 0}"#).err().map(|e| e.to_string()).unwrap_or_default();
        let expected = refused.split("expected ").nth(1).unwrap_or("");
        let mut names: Vec<String> = expected.split('`').skip(1).step_by(2).map(String::from).collect();
        names.sort();
        names
    }
    vec![
        ("POST", "/v1/cells", "body", fields::<store::CellsBody>()),
        ("POST", "/v1/tokens", "body", fields::<tokens::TokenBody>()),
        ("POST", "/v1/retention/apply", "body", fields::<store::RetentionBody>()),
        ("POST", "/v1/approvals/{id}/approve", "body", fields::<approvals::DecisionBody>()),
        ("POST", "/v1/approvals/{id}/decline", "body", fields::<approvals::DecisionBody>()),
        ("GET", "/v1/approvals", "query", fields::<approvals::ApprovalsQuery>()),
        ("GET", "/v1/answers", "query", fields::<answers::AnswersQuery>()),
        ("GET", "/v1/jobs/{id}", "query", fields::<jobs::StatusQuery>()),
        ("GET", "/v1/places", "query", fields::<places::PlacesQuery>()),
        ("GET", "/v1/answers/{id}/export", "query", fields::<answers::ExportQuery>()),
        ("GET", "/v1/report", "query", fields::<oversight::ReportQuery>()),
    ]
}

/// The actor a token's questions are recorded under.
fn actor_of(who: &crowdlens_control::tokens::TokenInfo) -> String {
    who.actor()
}
