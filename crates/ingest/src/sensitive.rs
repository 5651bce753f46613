//! Sensitive places: polygons, or points with a radius, each with a category. Pings inside any
//! of them are dropped at ingest and counted under `sensitive_place:<category>`.

use geo::{BoundingRect, Contains, Distance, Haversine, MultiPolygon, Point, Rect};
use geojson::GeoJson;
use std::path::Path;

use crate::IngestError;

pub use crowdlens_types::sensitive::FTC_CATEGORIES;

/// Default radius for point features that do not carry `radius_m`.
pub const DEFAULT_RADIUS_M: f64 = 100.0;

enum Shape {
    Area(MultiPolygon<f64>),
    Circle { centre: Point<f64>, radius_m: f64 },
}

struct Place {
    category: String,
    shape: Shape,
}

/// Grid cells are 0.01° (about 1.1 km north-south): small enough that a lookup tests a handful
/// of places, large enough that a city's places index in a few thousand cells.
const GRID: f64 = 0.01;
/// Places wider than this many grid cells are tested for every ping instead of being indexed.
const MAX_INDEXED_CELLS: i64 = 40_000;

#[derive(Default)]
pub struct SensitivePlaces {
    places: Vec<Place>,
    /// Looked up once per ping, so it uses a fast (still seeded) hasher. Its keys come from
    /// the operator's places file, not from the feed.
    grid: foldhash::HashMap<(i32, i32), Vec<u32>>,
    unindexed: Vec<u32>,
}

impl std::fmt::Debug for SensitivePlaces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SensitivePlaces({} places)", self.places.len())
    }
}

impl SensitivePlaces {
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn load(path: &Path) -> Result<SensitivePlaces, IngestError> {
        let bad = |reason: String| IngestError::BadSensitivePlaces { path: path.into(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        Self::parse(&text).map_err(bad)
    }

    pub fn parse(text: &str) -> Result<SensitivePlaces, String> {
        let geojson: GeoJson = text.parse().map_err(|e| format!("not valid GeoJSON: {e}"))?;
        let features = match geojson {
            GeoJson::FeatureCollection(fc) => fc.features,
            GeoJson::Feature(f) => vec![f],
            GeoJson::Geometry(_) => {
                return Err("expected a FeatureCollection whose features carry a \"category\" property".into())
            }
        };
        let mut out = SensitivePlaces::default();
        for (i, feature) in features.into_iter().enumerate() {
            let category = feature
                .property("category")
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("feature {i} has no \"category\" property"))?;
            let radius_m = feature.property("radius_m").and_then(|v| v.as_f64()).unwrap_or(DEFAULT_RADIUS_M);
            if !(radius_m.is_finite() && radius_m > 0.0) {
                return Err(format!("feature {i}: radius_m must be a positive number"));
            }
            let geometry = feature.geometry.ok_or_else(|| format!("feature {i} has no geometry"))?;
            let geom: geo::Geometry<f64> =
                geometry.try_into().map_err(|e| format!("feature {i}: unsupported geometry: {e}"))?;
            let shape = match geom {
                geo::Geometry::Point(p) => Shape::Circle { centre: p, radius_m },
                geo::Geometry::Polygon(p) => Shape::Area(MultiPolygon(vec![p])),
                geo::Geometry::MultiPolygon(mp) => Shape::Area(mp),
                _ => return Err(format!("feature {i}: only Point, Polygon and MultiPolygon are supported")),
            };
            out.add(Place { category, shape });
        }
        Ok(out)
    }

    fn add(&mut self, place: Place) {
        let id = self.places.len() as u32;
        let rect = match &place.shape {
            Shape::Area(mp) => mp.bounding_rect(),
            Shape::Circle { centre, radius_m } => {
                let dlat = radius_m / 111_000.0;
                let dlon = radius_m / (111_000.0 * centre.y().to_radians().cos().max(0.01));
                Some(Rect::new((centre.x() - dlon, centre.y() - dlat), (centre.x() + dlon, centre.y() + dlat)))
            }
        };
        self.places.push(place);
        let Some(rect) = rect else { return };
        let (x0, y0) = grid_of(rect.min().y, rect.min().x);
        let (x1, y1) = grid_of(rect.max().y, rect.max().x);
        let cells = (i64::from(x1 - x0) + 1) * (i64::from(y1 - y0) + 1);
        if cells > MAX_INDEXED_CELLS {
            self.unindexed.push(id);
            return;
        }
        for gx in x0..=x1 {
            for gy in y0..=y1 {
                self.grid.entry((gx, gy)).or_default().push(id);
            }
        }
    }

    /// The category of the first place containing the point, if any.
    pub fn category_at(&self, latitude: f64, longitude: f64) -> Option<&str> {
        if self.places.is_empty() {
            return None;
        }
        let point = Point::new(longitude, latitude);
        let candidates = self.grid.get(&grid_of(latitude, longitude)).into_iter().flatten().chain(&self.unindexed);
        for &id in candidates {
            let place = &self.places[id as usize];
            let inside = match &place.shape {
                Shape::Area(mp) => mp.contains(&point),
                Shape::Circle { centre, radius_m } => Haversine.distance(*centre, point) <= *radius_m,
            };
            if inside {
                return Some(&place.category);
            }
        }
        None
    }
}

fn grid_of(latitude: f64, longitude: f64) -> (i32, i32) {
    ((longitude / GRID).floor() as i32, (latitude / GRID).floor() as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"category":"medical","radius_m":50},
       "geometry":{"type":"Point","coordinates":[-93.26,44.97]}},
      {"type":"Feature","properties":{"category":"place_of_worship"},
       "geometry":{"type":"Polygon","coordinates":[[[-93.10,44.90],[-93.09,44.90],[-93.09,44.91],[-93.10,44.91],[-93.10,44.90]]]}}
    ]}"#;

    #[test]
    fn points_and_polygons() {
        let s = SensitivePlaces::parse(FILE).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.category_at(44.97, -93.26), Some("medical"));
        assert_eq!(s.category_at(44.9703, -93.26), Some("medical")); // ~33 m north
        assert_eq!(s.category_at(44.9710, -93.26), None); // ~110 m north
        assert_eq!(s.category_at(44.905, -93.095), Some("place_of_worship"));
        assert_eq!(s.category_at(44.915, -93.095), None);
    }

    #[test]
    fn clear_errors() {
        assert!(SensitivePlaces::parse("{").unwrap_err().contains("not valid GeoJSON"));
        let no_cat = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        assert!(SensitivePlaces::parse(no_cat).unwrap_err().contains("category"));
        let line = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"category":"x"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#;
        assert!(SensitivePlaces::parse(line).unwrap_err().contains("only Point"));
    }
}
