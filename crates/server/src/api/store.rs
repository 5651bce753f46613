//! The store itself: its public settings, the outlines of H3 cells (pure geometry), and
//! retention (administrators).

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use crowdlens_query::Asker;
use serde::Deserialize;

use super::auth::{Admins, AnyRole, Caller};
use super::{actor_of, json_body, ApiError, ServerState};

/// What a client needs to build a question: the store's public settings and rules, which
/// days hold data, and where its map opens. Nothing here is derived from the rows.
pub(super) async fn store_info(
    State(state): State<ServerState>,
    _: Caller<AnyRole>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (store, ledger) = state.open()?;
    let manifest = store.manifest()?;
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
        "coverage": config.map.coverage,
    })))
}

/// The most cells one request may ask the outline of.
const MAX_OUTLINED_CELLS: usize = 5_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CellsBody {
    /// Cells to outline.
    cells: Option<Vec<String>>,
    /// Or the grid: every cell at `res` whose centre lies in this `bbox:` area.
    grid: Option<String>,
    res: Option<u8>,
}

/// The outline of each H3 cell as `[[lon, lat], ...]`, so that a page can draw answers and the
/// grid without an H3 library of its own. Pure geometry: it reads no store data.
pub(super) async fn cell_boundaries(_: Caller<AnyRole>, body: Bytes) -> Result<Json<serde_json::Value>, ApiError> {
    let b: CellsBody = json_body(&body)?;
    let too_many = || ApiError::bad(format!("more than {MAX_OUTLINED_CELLS} cells; use a coarser res or a smaller box"));
    let cells: Vec<h3o::CellIndex> = match (b.cells, b.grid) {
        (Some(texts), None) => {
            if texts.len() > MAX_OUTLINED_CELLS {
                return Err(ApiError::bad(format!("at most {MAX_OUTLINED_CELLS} cells per request; send them in batches")));
            }
            texts
                .iter()
                .map(|t| {
                    t.parse().map_err(|_| ApiError::bad(format!("{t:?} is not an H3 cell index (hex, e.g. 882830829bfffff)")))
                })
                .collect::<Result<_, _>>()?
        }
        (None, Some(grid)) => {
            // Only a bounding box: a file path here would let a client read the server's files.
            if !grid.starts_with("bbox:") {
                return Err(ApiError::bad("grid: give a bbox:minlon,minlat,maxlon,maxlat"));
            }
            let res = b.res.ok_or_else(|| ApiError::bad("grid needs `res`"))?;
            let res = h3o::Resolution::try_from(res)
                .map_err(|_| ApiError::bad(format!("res {res} is not an H3 resolution (0 to 15)")))?;
            let area = crowdlens_query::area::Area::parse(&grid).map_err(ApiError::bad)?;
            // Refuse a box that is far too large from its size alone, before tiling it: a
            // tiling costs time in proportion to the cells, up to the area's own cap of millions.
            let edges: Vec<f64> = grid["bbox:".len()..].split(',').filter_map(|v| v.trim().parse().ok()).collect();
            if let [min_lon, min_lat, max_lon, max_lat] = edges[..] {
                let km_per_degree = 111.2;
                let mid_lat = ((min_lat + max_lat) / 2.0_f64).to_radians();
                let box_km2 = (max_lon - min_lon) * km_per_degree * mid_lat.cos() * (max_lat - min_lat) * km_per_degree;
                if box_km2 / res.area_km2() > 4.0 * MAX_OUTLINED_CELLS as f64 {
                    return Err(too_many());
                }
            }
            match area.cells(res) {
                Ok(cells) if cells.len() <= MAX_OUTLINED_CELLS => cells,
                Ok(_) | Err(crowdlens_query::area::AreaError::TooLarge { .. }) => return Err(too_many()),
                Err(crowdlens_query::area::AreaError::NoCell { .. }) => Vec::new(),
                Err(e) => return Err(ApiError::bad(e)),
            }
        }
        _ => return Err(ApiError::bad("give either `cells` or `grid` with `res`")),
    };
    let mut out = serde_json::Map::new();
    for cell in cells {
        let ring: Vec<[f64; 2]> = cell.boundary().iter().map(|ll| [ll.lng(), ll.lat()]).collect();
        out.insert(cell.to_string(), serde_json::json!(ring));
    }
    Ok(Json(serde_json::json!({ "boundaries": out })))
}

/// The JSON body of `POST /v1/retention/apply`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RetentionBody {
    #[serde(default)]
    dry_run: bool,
}

pub(super) async fn retention(
    State(state): State<ServerState>,
    caller: Caller<Admins>,
    body: Bytes,
) -> Result<Json<crowdlens_query::retention::RetentionReport>, ApiError> {
    let b: RetentionBody = if body.is_empty() { RetentionBody::default() } else { json_body(&body)? };
    let (store, mut ledger) = state.open()?;
    let who = &caller.token;
    let asker =
        Asker { actor: actor_of(who), role: who.role.as_str().into(), case_id: "-".into(), purpose: "retention".into() };
    let now = unix_now();
    // Shredding is file work under the writer lock: keep it off the executor.
    let report = tokio::task::spawn_blocking(move || {
        crowdlens_query::retention::apply_retention(&store, &mut ledger, &asker, now, b.dry_run)
    })
    .await
    .map_err(|e| ApiError::internal(format!("retention: {e}")))?;
    report.map(Json).map_err(|e| match e {
        crowdlens_query::QueryError::Store(e) => e.into(),
        other => ApiError::internal(other.to_string()),
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
