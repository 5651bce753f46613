//! The HTTP API (axum). Every route checks its bearer token and role, then calls the same
//! library functions as the CLI: no route can reach row-level data, and answers leave only
//! through the query crate's release path.
//!
//! # Layout
//! - `api`: the routes, one module per resource (questions, answers, tokens, oversight, store),
//!   all in one table, which builds the router and is exported as [`ROUTES`]; authentication
//!   and role are an extractor (`api::auth::Caller`), and errors convert through `From`.
//! - `/v1/questions` serves every question's descriptor; `POST /v1/ask/{question}` reads its
//!   body through the same descriptor, and [`openapi_document`] is built from them too.
//! - [`ui`](crate::ui): the web UI at `/` and `/ui/...`, compiled in, calling only `/v1`; the
//!   operator's base map, when `serve --basemap` names one ([`Basemap`]), under `/ui/basemap/`.
//! - [`ApiError`]: every failure as `{"code", "message"}` with a stable code.
//! - [`serve_tls`]: the same router over HTTPS (rustls), from a PEM certificate and key
//!   ([`TlsConfig`]).
//! - limits: request body size (413), per-address and per-token rate limits (429), a
//!   per-question timeout (504).
// The OpenAPI document is one `serde_json::json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

mod api;
mod basemap;
mod openapi;
mod pmtiles;
mod tls;
mod ui;

pub use api::{router, ApiError, Limits, ServerState, API_VERSION, ROUTES};
pub use basemap::Basemap;
pub use openapi::openapi_document;
pub use tls::{serve_tls, TlsConfig, TlsError, HANDSHAKE_TIMEOUT};

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: ServerState) -> std::io::Result<()> {
    // Per-address rate limits need the peer address.
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}
