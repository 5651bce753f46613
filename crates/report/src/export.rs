//! A released or kept answer as a file that other tools read: CSV, JSON, GeoJSON or
//! GeoParquet, each carrying the whole question, so an export read alone still says what it
//! answers.
//!
//! Exports are post-processing of a release: they rearrange its rows and add geometry from
//! public cell ids (and the asker's own named zones), never anything from the store.
//!
//! - **CSV**: lines starting with `#` carry the question (read with `comment='#'` in pandas),
//!   then one row per released value, the key's fields first, then the measures.
//! - **JSON**: the answer as the API gives it.
//! - **GeoJSON** (RFC 7946): one feature per row. A row keyed by an H3 cell (`cell`, `zone`)
//!   is that cell's polygon; a flow between two cells is a line between their centres (a cell
//!   to itself is its polygon); a named zone is its polygon from the zones file when given.
//!   Rows without a place (co-visit's lags, dwell's bins) have a null geometry. The question is
//!   the collection's `crowdlens` member.
//! - **GeoParquet** (1.1.0): the same geometries as WKB in a `geometry` column, described by
//!   the file's `geo` metadata (its types and bounding box; OGC:CRS84, the default), beside
//!   typed columns: the key's fields (times as UTC timestamps, cells as H3 strings) and the
//!   measures as doubles. The question is the file's `crowdlens` metadata.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use h3o::{CellIndex, LatLng};
use serde_json::{json, Map, Value};

/// The measures of a row, in the order every export writes them, after the key's fields.
pub const MEASURES: [&str; 4] = ["value", "ci_low", "ci_high", "adjusted"];

/// The most rows an export with geometry (GeoJSON, GeoParquet) holds: each is a polygon of seven positions, about 500
/// bytes, so this is about 100 MB of text.
pub const MAX_GEOJSON_ROWS: usize = 200_000;

/// The members of an answer that are not its question: the rows themselves, and what is
/// recomputed from them.
// The receipt travels in the JSON export, which `crowdlens verify` reads; the other formats
// carry the question.
const NOT_THE_QUESTION: [&str; 4] = ["rows", "derived", "fresh", "receipt"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    GeoJson,
    GeoParquet,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] =
        [ExportFormat::Csv, ExportFormat::Json, ExportFormat::GeoJson, ExportFormat::GeoParquet];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::GeoJson => "geojson",
            ExportFormat::GeoParquet => "geoparquet",
        }
    }

    /// The media type an HTTP reply carries.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::GeoJson => "application/geo+json",
            ExportFormat::GeoParquet => "application/vnd.apache.parquet",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::GeoParquet => "parquet",
            other => other.name(),
        }
    }

    /// Whether the file is binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        self == ExportFormat::GeoParquet
    }

    /// Whether each row carries a geometry, so that the file's size follows the rows'.
    pub fn has_geometry(self) -> bool {
        matches!(self, ExportFormat::GeoJson | ExportFormat::GeoParquet)
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ExportFormat {
    type Err = ExportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ExportError::UnknownFormat(s.chars().take(40).collect()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no export format {0:?}: use csv, json, geojson or geoparquet")]
    UnknownFormat(String),
    #[error("this is not an answer: it has no rows")]
    NotAnAnswer,
    #[error("the answer has {rows} rows, more than the {limit} a {format} export holds; export it as csv or json, or ask a smaller question")]
    TooLarge { rows: usize, limit: usize, format: ExportFormat },
    #[error("writing GeoParquet: {0}")]
    Parquet(String),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// `answer` (a released or kept answer as JSON) in `format`: text but for GeoParquet.
/// `named_zones` gives the polygons of named zones by name, for the formats with geometry; a
/// zone not in it has a null geometry.
pub fn export(
    answer: &Value,
    format: ExportFormat,
    named_zones: &HashMap<String, geojson::Geometry>,
) -> Result<Vec<u8>, ExportError> {
    let rows = answer.get("rows").and_then(Value::as_array).ok_or(ExportError::NotAnAnswer)?;
    if format.has_geometry() && rows.len() > MAX_GEOJSON_ROWS {
        return Err(ExportError::TooLarge { rows: rows.len(), limit: MAX_GEOJSON_ROWS, format });
    }
    Ok(match format {
        ExportFormat::Json => (serde_json::to_string_pretty(answer)? + "\n").into_bytes(),
        ExportFormat::Csv => csv_text(answer, rows)?.into_bytes(),
        ExportFormat::GeoJson => (serde_json::to_string(&geojson_of(answer, rows, named_zones))? + "\n").into_bytes(),
        ExportFormat::GeoParquet => crate::geoparquet::write(&question_of(answer), rows, &columns(rows), &|row| {
            geometry_of(row, named_zones)
        })?,
    })
}

/// The question an answer answers: everything but its rows.
fn question_of(answer: &Value) -> Value {
    let about: Map<String, Value> = answer
        .as_object()
        .map(|o| o.iter().filter(|(k, _)| !NOT_THE_QUESTION.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Value::Object(about)
}

/// The columns of the rows: the key's fields as first seen (rows name them in order), then the
/// measures present.
pub(crate) fn columns(rows: &[Value]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for row in rows.iter().filter_map(Value::as_object) {
        for k in row.keys() {
            if !MEASURES.contains(&k.as_str()) && !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    for m in MEASURES {
        if rows.iter().any(|r| r.get(m).is_some()) {
            columns.push(m.to_string());
        }
    }
    columns
}

fn csv_text(answer: &Value, rows: &[Value]) -> Result<String, ExportError> {
    let mut out = String::new();
    // A case id or purpose is the asker's text: a line break in it must not end the comment
    // and start rows of its own.
    let field = |k: &str| one_line(&answer.get(k).map(plain).unwrap_or_default());
    out.push_str(&format!(
        "# crowdlens answer #{} ({}), case {}, purpose {}\n",
        field("audit_id"),
        field("question"),
        field("case"),
        field("purpose")
    ));
    out.push_str(&format!("# asked: {}\n", answer.get("asked").cloned().unwrap_or(Value::Null)));
    out.push_str(&format!(
        "# epsilon {}, delta {}, mechanism {}, L {}, confidence {}, epochs {}\n",
        field("epsilon"),
        field("delta"),
        field("mechanism"),
        field("max_partitions"),
        field("confidence"),
        field("epochs")
    ));
    if let Some(post) = answer.get("post_processing") {
        out.push_str(&format!("# post-processing (adjusted): {post}\n"));
    }
    let columns = columns(rows);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns)?;
    for row in rows {
        writer.write_record(columns.iter().map(|c| row.get(c).map(plain).unwrap_or_default()))?;
    }
    let body = writer.into_inner().map_err(|e| ExportError::Csv(e.into_error().into()))?;
    out.push_str(&String::from_utf8_lossy(&body));
    Ok(out)
}

/// Text on one line: control characters (line breaks among them) written as escapes.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// A value as a CSV field or header word: strings without their quotes, lists joined by `;`.
fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn geojson_of(answer: &Value, rows: &[Value], named_zones: &HashMap<String, geojson::Geometry>) -> Value {
    let features: Vec<Value> = rows
        .iter()
        .map(|row| {
            let geometry = geometry_of(row, named_zones).and_then(|g| serde_json::to_value(g).ok()).unwrap_or(Value::Null);
            json!({"type": "Feature", "geometry": geometry, "properties": row})
        })
        .collect();
    json!({"type": "FeatureCollection", "crowdlens": question_of(answer), "features": features})
}

fn cell(v: Option<&Value>) -> Option<CellIndex> {
    v.and_then(Value::as_str).and_then(|s| CellIndex::from_str(s).ok())
}

fn geometry_of(row: &Value, named_zones: &HashMap<String, geojson::Geometry>) -> Option<geojson::Geometry> {
    if let Some(c) = cell(row.get("cell")).or_else(|| cell(row.get("zone"))) {
        return Some(polygon(c));
    }
    if let (Some(o), Some(d)) = (cell(row.get("origin")), cell(row.get("destination"))) {
        if o == d {
            return Some(polygon(o));
        }
        return Some(geojson::Geometry::new(geojson::Value::LineString(vec![position(LatLng::from(o)), position(LatLng::from(d))])));
    }
    let named = |k: &str| row.get(k).and_then(Value::as_str).and_then(|n| named_zones.get(n));
    if let (Some(o), Some(d)) = (named("origin"), named("destination")) {
        if row.get("origin") == row.get("destination") {
            return Some(o.clone());
        }
        return Some(geojson::Geometry::new(geojson::Value::GeometryCollection(vec![o.clone(), d.clone()])));
    }
    named("zone").cloned()
}

fn position(ll: LatLng) -> Vec<f64> {
    vec![round(ll.lng()), round(ll.lat())]
}

/// Seven decimals, about a centimetre: what RFC 7946 calls enough for a position.
fn round(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

/// The cell's boundary as a closed, counter-clockwise ring (RFC 7946's right-hand rule).
fn polygon(c: CellIndex) -> geojson::Geometry {
    let mut ring: Vec<Vec<f64>> = c.boundary().iter().map(|ll| position(*ll)).collect();
    if signed_area(&ring) < 0.0 {
        ring.reverse();
    }
    if let Some(first) = ring.first().cloned() {
        ring.push(first);
    }
    geojson::Geometry::new(geojson::Value::Polygon(vec![ring]))
}

fn signed_area(ring: &[Vec<f64>]) -> f64 {
    let n = ring.len();
    (0..n).map(|i| ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1]).sum::<f64>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(answer: &Value, format: ExportFormat, named: &HashMap<String, geojson::Geometry>) -> Result<String, ExportError> {
        export(answer, format, named).map(|bytes| String::from_utf8(bytes).unwrap())
    }

    /// Two neighbouring cells over Minneapolis, at resolution 8.
    fn cells() -> (String, String) {
        let a = LatLng::new(44.97, -93.27).unwrap().to_cell(h3o::Resolution::Eight);
        let b = a.grid_disk::<Vec<_>>(1).into_iter().find(|c| *c != a).unwrap();
        (a.to_string(), b.to_string())
    }

    fn presence() -> Value {
        let (a, b) = cells();
        json!({
            "question": "presence", "audit_id": 12, "case": "C-1", "purpose": "research",
            "asked": {"area": "bbox:-93.3,44.95,-93.24,44.99", "res": 8},
            "epsilon": 0.5, "delta": 0.0, "mechanism": "laplace", "max_partitions": 4,
            "confidence": 0.95, "epochs": ["2026-W45"],
            "rows": [
                {"ci_high": 12.0, "ci_low": -2.0, "value": 5, "cell": a, "bucket_start": "2026-11-02T12:00:00Z"},
                {"ci_high": 30.0, "ci_low": 16.0, "value": 23, "cell": b, "bucket_start": "2026-11-02T12:00:00Z"}
            ]
        })
    }

    #[test]
    fn csv_carries_the_question_and_puts_the_key_first() {
        let text = text_of(&presence(), ExportFormat::Csv, &HashMap::new()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("# crowdlens answer #12 (presence), case C-1"), "{text}");
        assert!(lines[1].contains("\"area\":\"bbox:-93.3,44.95,-93.24,44.99\""), "{text}");
        assert!(lines[2].contains("epsilon 0.5") && lines[2].contains("epochs 2026-W45"), "{text}");
        assert_eq!(lines[3], "bucket_start,cell,value,ci_low,ci_high");
        assert_eq!(lines[4], format!("2026-11-02T12:00:00Z,{},5,-2.0,12.0", cells().0));
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn a_line_break_in_the_asker_text_stays_in_its_comment() {
        let mut a = presence();
        a["case"] = json!("C-1\ncell,value\n8828308281fffff,9999");
        let text = text_of(&a, ExportFormat::Csv, &HashMap::new()).unwrap();
        assert!(text.lines().next().unwrap().contains("case C-1\\ncell,value\\n8828308281fffff,9999, purpose"), "{text}");
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 3, "a header and two rows: {text}");
    }

    #[test]
    fn a_huge_answer_is_refused_as_geojson_only() {
        let rows: Vec<Value> = (0..=MAX_GEOJSON_ROWS).map(|i| json!({"value": i})).collect();
        let a = json!({"question": "presence", "rows": rows});
        let e = export(&a, ExportFormat::GeoJson, &HashMap::new()).unwrap_err();
        assert!(matches!(e, ExportError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("a geojson export holds; export it as csv or json"), "{e}");
        assert!(matches!(export(&a, ExportFormat::GeoParquet, &HashMap::new()), Err(ExportError::TooLarge { .. })));
        assert!(export(&a, ExportFormat::Csv, &HashMap::new()).is_ok());
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let a = json!({"question": "reach", "rows": [{"category_name": "Food, \"Drink\"", "value": 1}]});
        let text = text_of(&a, ExportFormat::Csv, &HashMap::new()).unwrap();
        assert!(text.ends_with("category_name,value\n\"Food, \"\"Drink\"\"\",1\n"), "{text}");
    }

    #[test]
    fn geojson_holds_closed_counter_clockwise_cells_and_the_question() {
        let text = text_of(&presence(), ExportFormat::GeoJson, &HashMap::new()).unwrap();
        let fc: geojson::FeatureCollection = text.parse().unwrap();
        assert_eq!(fc.features.len(), 2);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["crowdlens"]["asked"]["res"], 8);
        assert!(v["crowdlens"].get("rows").is_none());
        let geojson::Value::Polygon(rings) = &fc.features[0].geometry.as_ref().unwrap().value else { panic!("not a polygon") };
        let ring = &rings[0];
        assert_eq!(ring.first(), ring.last(), "closed");
        assert!(signed_area(ring) > 0.0, "counter-clockwise");
        assert_eq!(fc.features[1].property("ci_low"), Some(&json!(16.0)));
    }

    #[test]
    fn flows_are_lines_and_unplaced_rows_have_no_geometry() {
        let (c, d) = cells();
        let a = json!({"question": "flows", "rows": [
            {"origin": c, "destination": d, "value": 3},
            {"origin": c, "destination": c, "value": 9},
            {"origin": "north", "destination": "south", "value": 1},
            {"measure": "lag", "lag": "0-1h", "value": 4}
        ]});
        let zone = geojson::Geometry::new(geojson::Value::Point(vec![1.0, 2.0]));
        let named = HashMap::from([("north".to_string(), zone.clone()), ("south".to_string(), zone)]);
        let v: Value = serde_json::from_str(&text_of(&a, ExportFormat::GeoJson, &named).unwrap()).unwrap();
        let kinds: Vec<&Value> = v["features"].as_array().unwrap().iter().map(|f| &f["geometry"]["type"]).collect();
        assert_eq!(kinds, [&json!("LineString"), &json!("Polygon"), &json!("GeometryCollection"), &Value::Null]);
    }

    #[test]
    fn formats_are_named_and_anything_else_is_refused() {
        for f in ExportFormat::ALL {
            assert_eq!(f.name().parse::<ExportFormat>().unwrap(), f);
        }
        assert_eq!("GeoJSON".parse::<ExportFormat>().unwrap(), ExportFormat::GeoJson);
        let e = "shapefile".parse::<ExportFormat>().unwrap_err();
        assert_eq!(e.to_string(), "no export format \"shapefile\": use csv, json, geojson or geoparquet");
        assert!(matches!(export(&json!({"question": "x"}), ExportFormat::Csv, &HashMap::new()), Err(ExportError::NotAnAnswer)));
    }
}
