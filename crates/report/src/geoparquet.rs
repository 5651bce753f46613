//! GeoParquet 1.1.0 (<https://geoparquet.org/releases/v1.1.0/>): an answer's rows as a Parquet
//! file with a WKB `geometry` column and the `geo` metadata that describes it.
//!
//! Each column takes the type its values share: a key field whose values are all RFC 3339
//! times is a UTC timestamp, all whole numbers an integer, all numbers a double, all strings
//! (cells among them, as H3 strings) text; anything mixed is its values' JSON text, so that no
//! value is dropped. The measures are doubles. Geometry comes from [`super::export`]'s one
//! place for it, written as WKB by the georust `wkb` crate.

use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryBuilder, BooleanArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_json::{json, Value};

use super::export::{ExportError, MEASURES};

/// The geometry column's name, GeoParquet's usual one.
pub const GEOMETRY: &str = "geometry";

/// The type a column's values share.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Time,
    Integer,
    Double,
    Boolean,
    Text,
    Json,
}

fn kind_of(values: &[Option<&Value>], measure: bool) -> Kind {
    let present: Vec<&Value> = values.iter().flatten().copied().filter(|v| !v.is_null()).collect();
    let all = |f: &dyn Fn(&Value) -> bool| present.iter().all(|v| f(v));
    if all(&|v| v.is_number()) {
        // A measure is a double however it was written (a count is released as a number that
        // noise made, not a count).
        return if measure || !all(&|v| v.is_i64()) { Kind::Double } else { Kind::Integer };
    }
    if all(&|v| v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())) {
        return Kind::Time;
    }
    if all(&|v| v.is_string()) {
        return Kind::Text;
    }
    if all(&|v| v.is_boolean()) {
        return Kind::Boolean;
    }
    Kind::Json
}

fn present<'a>(v: &Option<&'a Value>) -> Option<&'a Value> {
    v.filter(|v| !v.is_null())
}

fn column(name: &str, values: &[Option<&Value>], kind: Kind) -> (Field, ArrayRef) {
    let (data_type, array): (DataType, ArrayRef) = match kind {
        Kind::Double => {
            (DataType::Float64, Arc::new(values.iter().map(|v| present(v).and_then(Value::as_f64)).collect::<Float64Array>()))
        }
        Kind::Integer => {
            (DataType::Int64, Arc::new(values.iter().map(|v| present(v).and_then(Value::as_i64)).collect::<Int64Array>()))
        }
        Kind::Boolean => {
            (DataType::Boolean, Arc::new(values.iter().map(|v| present(v).and_then(Value::as_bool)).collect::<BooleanArray>()))
        }
        Kind::Time => {
            let micros = values.iter().map(|v| {
                let text = present(v).and_then(Value::as_str)?;
                chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros())
            });
            let array = micros.collect::<TimestampMicrosecondArray>().with_timezone("UTC");
            (DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), Arc::new(array))
        }
        Kind::Text => (
            DataType::Utf8,
            Arc::new(values.iter().map(|v| present(v).and_then(Value::as_str).map(str::to_string)).collect::<StringArray>()),
        ),
        Kind::Json => (
            DataType::Utf8,
            Arc::new(values.iter().map(|v| present(v).map(|v| v.to_string())).collect::<StringArray>()),
        ),
    };
    (Field::new(name, data_type, true), array)
}

/// Bounds of every position in a GeoJSON geometry, grown into `bbox` ([min x, min y, max x, max y]).
fn grow(bbox: &mut Option<[f64; 4]>, value: &geojson::Value) {
    let mut add = |p: &[f64]| {
        if let [x, y, ..] = p {
            let b = bbox.get_or_insert([*x, *y, *x, *y]);
            *b = [b[0].min(*x), b[1].min(*y), b[2].max(*x), b[3].max(*y)];
        }
    };
    match value {
        geojson::Value::Point(p) => add(p),
        geojson::Value::MultiPoint(ps) | geojson::Value::LineString(ps) => ps.iter().for_each(|p| add(p)),
        geojson::Value::MultiLineString(ls) | geojson::Value::Polygon(ls) => ls.iter().flatten().for_each(|p| add(p)),
        geojson::Value::MultiPolygon(polys) => polys.iter().flatten().flatten().for_each(|p| add(p)),
        geojson::Value::GeometryCollection(gs) => gs.iter().for_each(|g| grow(bbox, &g.value)),
    }
}

/// GeoParquet's name for a geometry's type.
fn type_name(value: &geojson::Value) -> &'static str {
    match value {
        geojson::Value::Point(_) => "Point",
        geojson::Value::MultiPoint(_) => "MultiPoint",
        geojson::Value::LineString(_) => "LineString",
        geojson::Value::MultiLineString(_) => "MultiLineString",
        geojson::Value::Polygon(_) => "Polygon",
        geojson::Value::MultiPolygon(_) => "MultiPolygon",
        geojson::Value::GeometryCollection(_) => "GeometryCollection",
    }
}

fn wkb_of(geometry: &geojson::Geometry) -> Result<Vec<u8>, ExportError> {
    let geo = geo_types::Geometry::<f64>::try_from(&geometry.value).map_err(|e| ExportError::Parquet(format!("geometry: {e}")))?;
    let mut bytes = Vec::new();
    wkb::writer::write_geometry(&mut bytes, &geo, &wkb::writer::WriteOptions { endianness: wkb::Endianness::LittleEndian })
        .map_err(|e| ExportError::Parquet(format!("WKB: {e}")))?;
    Ok(bytes)
}

/// The rows as GeoParquet: `columns` (keys, then measures) and a geometry per row from
/// `geometry_of`, with `question` in the file's `crowdlens` metadata.
pub(crate) fn write(
    question: &Value,
    rows: &[Value],
    columns: &[String],
    geometry_of: &dyn Fn(&Value) -> Option<geojson::Geometry>,
) -> Result<Vec<u8>, ExportError> {
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for name in columns {
        let values: Vec<Option<&Value>> = rows.iter().map(|r| r.get(name)).collect();
        let (field, array) = column(name, &values, kind_of(&values, MEASURES.contains(&name.as_str())));
        fields.push(field);
        arrays.push(array);
    }
    let mut geometries = BinaryBuilder::new();
    let mut types: Vec<&'static str> = Vec::new();
    let mut bbox = None;
    for row in rows {
        match geometry_of(row) {
            Some(g) => {
                geometries.append_value(wkb_of(&g)?);
                grow(&mut bbox, &g.value);
                if !types.contains(&type_name(&g.value)) {
                    types.push(type_name(&g.value));
                }
            }
            None => geometries.append_null(),
        }
    }
    types.sort_unstable();
    fields.push(Field::new(GEOMETRY, DataType::Binary, true));
    arrays.push(Arc::new(geometries.finish()));

    let mut described = json!({"encoding": "WKB", "geometry_types": types});
    if let Some(b) = bbox {
        described["bbox"] = json!(b);
    }
    // No `crs`: GeoParquet's default, OGC:CRS84 (longitude, latitude on WGS 84), is the cells'.
    let geo = json!({"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: described}});
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays).map_err(|e| ExportError::Parquet(e.to_string()))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("geo".to_string(), geo.to_string()),
            KeyValue::new("crowdlens".to_string(), question.to_string()),
        ]))
        .build();
    let mut bytes = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut bytes, schema, Some(properties)).map_err(|e| ExportError::Parquet(e.to_string()))?;
    writer.write(&batch).map_err(|e| ExportError::Parquet(e.to_string()))?;
    writer.close().map_err(|e| ExportError::Parquet(e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, BinaryArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn read(bytes: Vec<u8>) -> (RecordBatch, std::collections::HashMap<String, String>) {
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &bytes).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let meta = builder.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
        let meta = meta.into_iter().filter_map(|kv| Some((kv.key, kv.value?))).collect();
        let batch = builder.build().unwrap().next().unwrap().unwrap();
        (batch, meta)
    }

    #[test]
    fn columns_take_their_values_types_and_geometry_is_wkb_with_geo_metadata() {
        let cell = h3o::LatLng::new(44.97, -93.27).unwrap().to_cell(h3o::Resolution::Eight);
        let rows = vec![
            json!({"cell": cell.to_string(), "bucket_start": "2026-11-02T12:00:00Z", "n": 3, "value": 5, "ci_low": -2.0, "ci_high": 12.0}),
            json!({"cell": null, "bucket_start": "2026-11-02T18:00:00+00:00", "n": [1], "value": 7.5, "ci_low": 1.0, "ci_high": 14.0}),
        ];
        let columns: Vec<String> = ["cell", "bucket_start", "n", "value", "ci_low", "ci_high"].map(String::from).into();
        let polygon = geojson::Geometry::new(geojson::Value::Polygon(vec![vec![
            vec![0.0, 0.0],
            vec![2.0, 0.0],
            vec![2.0, 1.0],
            vec![0.0, 0.0],
        ]]));
        let bytes = write(&json!({"question": "presence"}), &rows, &columns, &|row| {
            row["cell"].is_string().then(|| polygon.clone())
        })
        .unwrap();
        let (batch, meta) = read(bytes);
        let schema = batch.schema();
        let types: Vec<(&str, &DataType)> = schema.fields().iter().map(|f| (f.name().as_str(), f.data_type())).collect();
        assert_eq!(
            types,
            [
                ("cell", &DataType::Utf8),
                ("bucket_start", &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))),
                ("n", &DataType::Utf8),
                ("value", &DataType::Float64),
                ("ci_low", &DataType::Float64),
                ("ci_high", &DataType::Float64),
                ("geometry", &DataType::Binary),
            ]
        );
        let times = batch.column(1).as_any().downcast_ref::<TimestampMicrosecondArray>().unwrap();
        assert_eq!(times.value(1) - times.value(0), 6 * 3600 * 1_000_000);
        let n = batch.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!((n.value(0), n.value(1)), ("3", "[1]"), "a mixed column keeps every value, as JSON");
        let wkb = batch.column(6).as_any().downcast_ref::<BinaryArray>().unwrap();
        assert!(wkb.is_null(1));
        // Little-endian WKB: byte order 1, type 3 (polygon), one ring of four points.
        assert_eq!(&wkb.value(0)[..13], &[1, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0]);
        assert_eq!(wkb.value(0).len(), 1 + 4 + 4 + 4 + 4 * 16);

        let geo: Value = serde_json::from_str(&meta["geo"]).unwrap();
        assert_eq!(
            geo,
            json!({"version": "1.1.0", "primary_column": "geometry",
                   "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Polygon"], "bbox": [0.0, 0.0, 2.0, 1.0]}}})
        );
        assert_eq!(serde_json::from_str::<Value>(&meta["crowdlens"]).unwrap(), json!({"question": "presence"}));
    }

    #[test]
    fn an_answer_without_places_has_an_empty_list_of_types_and_no_bbox() {
        let rows = vec![json!({"lag": "0-1h", "value": 4})];
        let bytes = write(&json!({}), &rows, &["lag".into(), "value".into()], &|_| None).unwrap();
        let (batch, meta) = read(bytes);
        assert_eq!(batch.num_rows(), 1);
        let geo: Value = serde_json::from_str(&meta["geo"]).unwrap();
        assert_eq!(geo["columns"]["geometry"], json!({"encoding": "WKB", "geometry_types": []}));
    }
}
