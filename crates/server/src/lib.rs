//! The HTTP API (axum). Every route checks its bearer token and role, then calls the same
//! library functions as the CLI: no route can reach row-level data, and answers leave only
//! through the query crate's release path.
//!
//! # Layout
//! - routes: `/v1/health`, `/v1/token`, `/v1/budget`, `/v1/audit`, `/v1/ask/{question}`,
//!   `/v1/openapi.json`.
//! - [`ApiError`]: every failure as `{"code", "message"}` with a stable code.
//! - limits: request body size (413), a per-token rate limit (429), a per-question timeout (504).

mod api;
mod openapi;

pub use api::{router, ApiError, Limits, ServerState};
pub use openapi::openapi_document;

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: ServerState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
