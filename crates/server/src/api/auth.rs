//! Authentication and role, as an extractor: a handler that takes a [`Caller<R>`] runs only
//! for a valid token whose role `R` allows. The client address's rate limit is counted first
//! (before any hashing), then the token is checked on a blocking thread (argon2 costs tens of
//! milliseconds and must not stall the executor), then the token's own rate limit and its
//! role. The store is opened only after this succeeds.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use crowdlens_control::tokens::{Role, TokenInfo};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{ApiError, ServerState};

/// The roles a route admits.
pub(crate) trait Admits: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Any valid token.
pub(crate) struct AnyRole;
/// Analysts only: they ask questions.
pub(crate) struct Analysts;
/// Analysts and auditors: kept answers.
pub(crate) struct Readers;
/// Auditors only: the audit log and the report.
pub(crate) struct Auditors;
/// Administrators only: tokens and retention.
pub(crate) struct Admins;
/// Analysts (their own requests) and supervisors (everyone's): approval requests.
pub(crate) struct Requesters;
/// Supervisors only: they decide approval requests.
pub(crate) struct Supervisors;

impl Admits for AnyRole {
    const ROLES: &'static [Role] = &[Role::Analyst, Role::Auditor, Role::Admin, Role::Supervisor];
}
impl Admits for Requesters {
    const ROLES: &'static [Role] = &[Role::Analyst, Role::Supervisor];
}
impl Admits for Supervisors {
    const ROLES: &'static [Role] = &[Role::Supervisor];
}
impl Admits for Analysts {
    const ROLES: &'static [Role] = &[Role::Analyst];
}
impl Admits for Readers {
    const ROLES: &'static [Role] = &[Role::Analyst, Role::Auditor];
}
impl Admits for Auditors {
    const ROLES: &'static [Role] = &[Role::Auditor];
}
impl Admits for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// The authenticated token of a request whose role `R` admits.
pub(crate) struct Caller<R: Admits> {
    pub(crate) token: TokenInfo,
    admitted: PhantomData<R>,
}

impl<R: Admits> FromRequestParts<ServerState> for Caller<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Caller<R>, ApiError> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| *address)
            .ok_or_else(|| ApiError::internal("the server was started without client addresses".into()))?;
        let bearer = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let token = authorize(state, client, bearer, R::ROLES).await?;
        Ok(Caller { token, admitted: PhantomData })
    }
}

async fn authorize(
    state: &ServerState,
    client: SocketAddr,
    bearer: Option<String>,
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
            "send a valid token as the header Authorization: Bearer cl_... (create one with crowdlens token create)",
        )
    };
    let token = bearer.ok_or_else(unauthorized)?;
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

fn rate_limited(limit: u32, whom: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("more than {limit} requests in a minute for this {whom}; wait and retry"),
    )
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
