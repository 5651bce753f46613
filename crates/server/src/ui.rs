//! The web UI: one page, its script and style, and the base-map data, compiled into the binary
//! so that a deployment without internet access serves everything itself. The page only calls
//! the same `/v1` API as any other client, with the token the user signs in with.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::ServerState;

/// (path under `/ui/`, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../ui/app.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("../ui/app.css")),
    (
        "vendor/topojson-client.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../ui/vendor/topojson-client.min.js"),
    ),
    (
        "vendor/us-atlas-counties-10m.json",
        "application/json",
        include_bytes!("../ui/vendor/us-atlas-counties-10m.json"),
    ),
    (
        "vendor/world-atlas-countries-50m.json",
        "application/json",
        include_bytes!("../ui/vendor/world-atlas-countries-50m.json"),
    ),
    (
        "vendor/maplibre-gl-csp.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../ui/vendor/maplibre-gl-csp.js"),
    ),
    (
        "vendor/maplibre-gl-csp-worker.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../ui/vendor/maplibre-gl-csp-worker.js"),
    ),
    ("vendor/maplibre-gl.css", "text/css; charset=utf-8", include_bytes!("../ui/vendor/maplibre-gl.css")),
    ("vendor/README.md", "text/plain; charset=utf-8", include_bytes!("../ui/vendor/README.md")),
];

const INDEX: &str = include_str!("../ui/index.html");

/// Nothing but this origin: no CDN, no tile server, no framing. Styles may be set inline
/// because the map's SVG is built with attributes.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn with_headers(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub(crate) async fn index() -> Response {
    with_headers("text/html; charset=utf-8", INDEX.as_bytes())
}

pub(crate) async fn asset(State(state): State<ServerState>, Path(path): Path<String>) -> Response {
    if let Some(rest) = path.strip_prefix("basemap/") {
        return basemap(&state, rest).await;
    }
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, body)) => with_headers(content_type, body),
        None => crate::api::not_found(),
    }
}

/// `info.json` (what to draw) and `{z}/{x}/{y}` (a tile) of the operator's base map; 404 when
/// `serve` has none, so the UI keeps its outlines.
async fn basemap(state: &ServerState, rest: &str) -> Response {
    let Some(map) = state.basemap.clone() else { return crate::api::not_found() };
    if rest == "info.json" {
        let mut response = axum::Json(map.info().clone()).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return response;
    }
    let xyz: Vec<Option<u32>> = rest.trim_end_matches(".pbf").split('/').map(|n| n.parse().ok()).collect();
    let [Some(z), Some(x), Some(y)] = xyz[..] else { return crate::api::not_found() };
    let Ok(z) = u8::try_from(z) else { return crate::api::not_found() };
    // Tiles need no token (the page draws the map before sign-in), so a flood of them must not
    // take the blocking threads that token checks and questions use: a few read at a time.
    static TILE_READS: std::sync::LazyLock<tokio::sync::Semaphore> =
        std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(4));
    let Ok(_permit) = TILE_READS.acquire().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    match tokio::task::spawn_blocking(move || map.tile(z, x, y).map(|t| (t, map.media_type()))).await {
        Ok(Ok((Some((data, gzipped)), media_type))) => {
            let mut response = (StatusCode::OK, data).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            if gzipped {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            response
        }
        // No tile there: an empty one, which MapLibre draws as nothing.
        Ok(Ok((None, _))) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(e)) => {
            tracing::error!(message = %e, "basemap tile");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!(message = %e, "basemap tile");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_names_only_assets_that_exist() {
        for needed in super::INDEX.split("/ui/").skip(1) {
            let name = needed.split('"').next().unwrap();
            assert!(
                super::ASSETS.iter().any(|(n, _, _)| *n == name),
                "index.html names /ui/{name}, which is not served"
            );
        }
    }

    #[test]
    fn nothing_is_loaded_from_another_origin() {
        let script = std::str::from_utf8(super::ASSETS[0].2).unwrap();
        for text in [super::INDEX, script] {
            // The SVG namespace is a name, not a fetch.
            let text = text.replace("http://www.w3.org/2000/svg", "");
            assert!(!text.contains("http://") && !text.contains("https://"), "the UI must not name another origin");
        }
    }
}
