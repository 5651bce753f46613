//! The HTTP API (axum). Every route checks its bearer token and role, then calls the same
//! library functions as the CLI: no route can reach row-level data, and answers leave only
//! through the query crate's release path.
//!
//! # Layout
//! - routes: `/v1/health`, `/v1/token`, `/v1/store`, `/v1/budget`, `/v1/audit`,
//!   `/v1/ask/{question}`, `/v1/answers` (kept answers, re-read for free), `/v1/cells` (H3
//!   outlines), `/v1/tokens` and `/v1/retention/apply` (admin), `/v1/openapi.json`; all in
//!   one table, which builds the router and is exported as [`ROUTES`].
//! - [`ui`](crate::ui): the web UI at `/` and `/ui/...`, compiled in, calling only `/v1`.
//! - [`ApiError`]: every failure as `{"code", "message"}` with a stable code.
//! - limits: request body size (413), per-address and per-token rate limits (429), a
//!   per-question timeout (504).

mod api;
mod openapi;
mod ui;

pub use api::{router, ApiError, Limits, ServerState, ROUTES};
pub use openapi::openapi_document;

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: ServerState) -> std::io::Result<()> {
    // Per-address rate limits need the peer address.
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}
