//! Areas, the spatial half of a question: `bbox:minlon,minlat,maxlon,maxlat`,
//! `cells:HEX,HEX,...`, or a GeoJSON polygon file (`geojson:PATH`, or any path ending in
//! `.geojson`/`.json`). An area resolves to the H3 cells whose centroids it contains; those
//! cells are public partition keys.
//!
//! Kept apart from the query engine so that parsing an analyst's area, the first thing done
//! with untrusted question text, builds and fuzzes without DataFusion.

use geo::{MultiPolygon, Polygon, Rect};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};
use std::collections::BTreeSet;
use std::str::FromStr;

/// Why an area cannot be used. Every message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("{0}")]
    Invalid(String),
    #[error("the area contains no cell centre at resolution {res}; use a finer --res or a larger area")]
    NoCell { res: u8 },
    #[error("the area covers more than {limit} cells at resolution {res}; use a coarser --res or a smaller area")]
    TooLarge { limit: usize, res: u8 },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Polygons(MultiPolygon<f64>),
    Cells(Vec<CellIndex>),
}

/// Upper bound on cells an area may expand to before we stop tiling; the partition limit
/// usually refuses far earlier, but this keeps a continent-sized bbox from exhausting memory.
const MAX_AREA_CELLS: usize = 2_000_000;

impl Area {
    pub fn parse(spec: &str) -> Result<Area, AreaError> {
        let spec = spec.trim();
        if let Some(rest) = spec.strip_prefix("bbox:") {
            let v: Vec<f64> =
                rest.split(',').map(|s| s.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
                    AreaError::Invalid(format!("{spec:?}: bbox needs four numbers minlon,minlat,maxlon,maxlat"))
                })?;
            let [min_lon, min_lat, max_lon, max_lat] = v[..] else {
                return Err(AreaError::Invalid(format!(
                    "{spec:?}: bbox needs four numbers minlon,minlat,maxlon,maxlat"
                )));
            };
            let ok = v.iter().all(|x| x.is_finite())
                && (-180.0..=180.0).contains(&min_lon)
                && (-180.0..=180.0).contains(&max_lon)
                && (-90.0..=90.0).contains(&min_lat)
                && (-90.0..=90.0).contains(&max_lat)
                && min_lon < max_lon
                && min_lat < max_lat;
            if !ok {
                return Err(AreaError::Invalid(format!(
                    "{spec:?}: need -180 ≤ minlon < maxlon ≤ 180 and -90 ≤ minlat < maxlat ≤ 90"
                )));
            }
            // H3 reads a polygon edge longer than 180° of longitude as crossing the
            // antimeridian, so a whole-world box would tile to nothing; it is far too large for
            // a question anyway.
            if max_lon - min_lon >= 180.0 {
                return Err(AreaError::Invalid(format!(
                    "{spec:?} spans {}° of longitude: the area is far too large for a question (it must be narrower \
                     than 180°, and the partition limit refuses far smaller); use a smaller area",
                    max_lon - min_lon
                )));
            }
            let rect = Rect::new((min_lon, min_lat), (max_lon, max_lat));
            return Ok(Area::Polygons(MultiPolygon(vec![rect.to_polygon()])));
        }
        if let Some(rest) = spec.strip_prefix("cells:") {
            let cells = rest
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    CellIndex::from_str(s.trim()).map_err(|_| {
                        AreaError::Invalid(format!(
                            "{:?} is not an H3 cell index (hex, e.g. 882830829bfffff)",
                            s.trim()
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if cells.is_empty() {
                return Err(AreaError::Invalid("cells: needs at least one H3 cell".into()));
            }
            let res = cells[0].resolution();
            if cells.iter().any(|c| c.resolution() != res) {
                return Err(AreaError::Invalid("all cells in cells: must have the same resolution".into()));
            }
            return Ok(Area::Cells(cells));
        }
        if spec.starts_with('{') {
            return parse_polygons(spec, "the pasted GeoJSON").map(Area::Polygons);
        }
        let path = spec.strip_prefix("geojson:").unwrap_or(spec);
        if spec.starts_with("geojson:") || path.ends_with(".geojson") || path.ends_with(".json") {
            return read_polygons(path).map(Area::Polygons);
        }
        Err(AreaError::Invalid(format!(
            "{spec:?}: use bbox:minlon,minlat,maxlon,maxlat, cells:HEX,HEX,..., geojson:FILE or a GeoJSON object"
        )))
    }

    /// The resolution explicit cells impose, if any.
    pub fn fixed_resolution(&self) -> Option<u8> {
        match self {
            Area::Cells(c) => Some(u8::from(c[0].resolution())),
            Area::Polygons(_) => None,
        }
    }

    /// Sorted, de-duplicated cells at `res`.
    pub fn cells(&self, res: Resolution) -> Result<Vec<CellIndex>, AreaError> {
        match self {
            Area::Cells(c) => {
                let set: BTreeSet<CellIndex> = c.iter().copied().collect();
                Ok(set.into_iter().collect())
            }
            Area::Polygons(mp) => {
                let mut tiler = TilerBuilder::new(res).containment_mode(ContainmentMode::ContainsCentroid).build();
                for p in &mp.0 {
                    tiler.add(p.clone()).map_err(|e| AreaError::Invalid(format!("invalid polygon: {e}")))?;
                }
                if tiler.coverage_size_hint() > MAX_AREA_CELLS {
                    return Err(AreaError::TooLarge { limit: MAX_AREA_CELLS, res: u8::from(res) });
                }
                let set: BTreeSet<CellIndex> = tiler.into_coverage().collect();
                if set.is_empty() {
                    return Err(AreaError::NoCell { res: u8::from(res) });
                }
                Ok(set.into_iter().collect())
            }
        }
    }
}

fn read_polygons(path: &str) -> Result<MultiPolygon<f64>, AreaError> {
    let text = std::fs::read_to_string(path).map_err(|e| AreaError::Invalid(format!("{path}: {e}")))?;
    parse_polygons(&text, path)
}

/// The polygons of a GeoJSON text; `path` names it in errors.
fn parse_polygons(text: &str, path: &str) -> Result<MultiPolygon<f64>, AreaError> {
    let gj: geojson::GeoJson = text.parse().map_err(|e| AreaError::Invalid(format!("{path}: not GeoJSON: {e}")))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features.into_iter().filter_map(|f| f.geometry).collect(),
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::Geometry(g) => vec![g],
    };
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for g in geometries {
        rings_are_closed(&g, path)?;
        let geom: geo::Geometry<f64> = g.try_into().map_err(|e| AreaError::Invalid(format!("{path}: {e}")))?;
        match geom {
            geo::Geometry::Polygon(p) => polygons.push(p),
            geo::Geometry::MultiPolygon(mp) => polygons.extend(mp.0),
            _ => return Err(AreaError::Invalid(format!("{path}: only Polygon and MultiPolygon areas are supported"))),
        }
    }
    if polygons.is_empty() {
        return Err(AreaError::Invalid(format!("{path}: no polygon found")));
    }
    Ok(MultiPolygon(polygons))
}

/// GeoJSON rings must end where they start (RFC 7946 §3.1.6); a ring that does not is most
/// often a truncated or hand-edited file, which would otherwise be closed silently.
pub fn rings_are_closed(geometry: &geojson::Geometry, path: &str) -> Result<(), AreaError> {
    let polygons: Vec<&Vec<Vec<Vec<f64>>>> = match &geometry.value {
        geojson::Value::Polygon(rings) => vec![rings],
        geojson::Value::MultiPolygon(polygons) => polygons.iter().collect(),
        _ => return Ok(()),
    };
    for (p, rings) in polygons.iter().enumerate() {
        for (r, ring) in rings.iter().enumerate() {
            let closed = ring.len() >= 4 && ring.first() == ring.last();
            if !closed {
                return Err(AreaError::Invalid(format!(
                    "{path}: ring {r} of polygon {p} is not closed (a ring has at least four positions and its last \
                     repeats its first): is the file truncated?"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_tiles_to_cells() {
        let a = Area::parse("bbox:-93.30,44.95,-93.24,44.99").unwrap();
        let cells = a.cells(Resolution::Eight).unwrap();
        // ~4.7 km × 4.4 km at ~0.74 km² per cell.
        assert!((20..=40).contains(&cells.len()), "{}", cells.len());
        assert!(cells.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn explicit_cells() {
        let a = Area::parse("cells:882830829bfffff, 882830829bfffff").unwrap();
        assert_eq!(a.fixed_resolution(), Some(8));
        assert_eq!(a.cells(Resolution::Eight).unwrap().len(), 1);
        assert!(Area::parse("cells:zzz").is_err());
        assert!(Area::parse("cells:882830829bfffff,8928308280fffff").is_err());
    }

    #[test]
    fn a_whole_world_box_is_far_too_large_and_an_open_ring_is_refused() {
        let world = Area::parse("bbox:-180,-90,180,90").unwrap_err().to_string();
        assert!(world.contains("far too large"), "{world}");
        let open = r#"{"type":"Polygon","coordinates":[[[-93.30,44.95],[-93.24,44.95],[-93.24,44.99],[-93.30,44.99]]]}"#;
        let e = Area::parse(open).unwrap_err().to_string();
        assert!(e.contains("ring 0 of polygon 0 is not closed"), "{e}");
    }

    #[test]
    fn bad_specs_explain_themselves() {
        for bad in ["bbox:1,2,3", "bbox:1,2,0,3", "bbox:a,b,c,d", "somewhere", "bbox:-200,0,0,1"] {
            let e = Area::parse(bad).unwrap_err();
            assert!(matches!(e, AreaError::Invalid(_)), "{e}");
        }
    }

    #[test]
    fn pasted_geojson_is_an_area() {
        let square = r#"{"type":"Polygon","coordinates":[[[-93.30,44.95],[-93.24,44.95],[-93.24,44.99],[-93.30,44.99],[-93.30,44.95]]]}"#;
        let pasted = Area::parse(square).unwrap();
        let bbox = Area::parse("bbox:-93.30,44.95,-93.24,44.99").unwrap();
        assert_eq!(pasted.cells(Resolution::Eight).unwrap(), bbox.cells(Resolution::Eight).unwrap());
        let feature = format!(r#"{{"type":"Feature","properties":{{}},"geometry":{square}}}"#);
        assert_eq!(Area::parse(&feature).unwrap(), pasted);
        for bad in
            [r#"{"type":"Point","coordinates":[1,2]}"#, "{not json", r#"{"type":"FeatureCollection","features":[]}"#]
        {
            let e = Area::parse(bad).unwrap_err();
            assert!(e.to_string().contains("pasted GeoJSON"), "{e}");
        }
    }
}
