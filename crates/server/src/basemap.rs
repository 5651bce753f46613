//! The operator's own base map, drawn under the answers when `serve --basemap FILE` names one:
//! an MBTiles file (SQLite) or a PMTiles archive ([`crate::pmtiles`]) of vector tiles (Mapbox
//! Vector Tile) or raster tiles (png, jpg, webp). The web UI draws it with the vendored MapLibre GL; without one the UI keeps
//! its vendored outlines.
//!
//! Public: the file is the operator's geography, not the store's data, and a client names only
//! a tile's `z/x/y`, never a file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

enum Source {
    MbTiles(Mutex<Connection>),
    PmTiles(crate::pmtiles::PmTiles),
}

/// An open tile file and what its metadata says.
pub struct Basemap {
    path: PathBuf,
    source: Source,
    /// What the UI needs to draw it: kind, format, zooms, bounds, layers, attribution.
    info: serde_json::Value,
    media_type: &'static str,
}

impl std::fmt::Debug for Basemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Basemap").field("path", &self.path).finish()
    }
}

impl Basemap {
    /// Opens `path` read-only and checks it is an MBTiles file crowdlens can serve; the error
    /// says what is wrong with it and what to give instead.
    pub fn open(path: &Path) -> Result<Basemap, String> {
        let shown = path.display();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if !path.is_file() {
            return Err(format!("{shown}: no such file; --basemap takes an MBTiles file (.mbtiles) or a PMTiles archive (.pmtiles)"));
        }
        if ext == "pmtiles" {
            return Basemap::open_pmtiles(path);
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{shown}: not an MBTiles file ({e})"))?;
        let metadata = |name: &str| -> Result<Option<String>, String> {
            conn.query_row("SELECT value FROM metadata WHERE name = ?1", [name], |r| r.get::<_, String>(0))
                .optional()
                .map_err(|e| format!("{shown}: not an MBTiles file: it has no metadata table ({e})"))
        };
        let format = metadata("format")?.unwrap_or_else(|| "png".into()).to_ascii_lowercase();
        let (kind, media_type) = match format.as_str() {
            "pbf" | "mvt" => ("vector", "application/x-protobuf"),
            "png" => ("raster", "image/png"),
            "jpg" | "jpeg" => ("raster", "image/jpeg"),
            "webp" => ("raster", "image/webp"),
            other => return Err(format!("{shown}: tiles of format {other:?}; crowdlens serves pbf (vector), png, jpg or webp")),
        };
        let has_tiles: bool = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tiles'", [], |r| r.get::<_, i64>(0).map(|n| n > 0))
            .map_err(|e| format!("{shown}: {e}"))?;
        if !has_tiles {
            return Err(format!("{shown}: not an MBTiles file: it has no tiles table"));
        }
        let number = |name: &str| -> Result<Option<u8>, String> { Ok(metadata(name)?.and_then(|v| v.trim().parse().ok())) };
        let bounds: Option<Vec<f64>> = metadata("bounds")?.and_then(|b| b.split(',').map(|v| v.trim().parse().ok()).collect());
        let vector_layers = metadata("json")?
            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            .and_then(|j| j.get("vector_layers").cloned())
            .unwrap_or(serde_json::Value::Array(vec![]));
        let info = serde_json::json!({
            "kind": kind,
            "format": format,
            "name": metadata("name")?,
            "attribution": metadata("attribution")?,
            "minzoom": number("minzoom")?.unwrap_or(0),
            "maxzoom": number("maxzoom")?.unwrap_or(14),
            "bounds": bounds.filter(|b| b.len() == 4),
            "vector_layers": vector_layers,
        });
        Ok(Basemap { path: path.to_path_buf(), source: Source::MbTiles(Mutex::new(conn)), info, media_type })
    }

    fn open_pmtiles(path: &Path) -> Result<Basemap, String> {
        let shown = path.display();
        let archive = crate::pmtiles::PmTiles::open(path).map_err(|e| format!("{shown}: {e}"))?;
        let h = archive.header.clone();
        if h.min_zoom > h.max_zoom || h.max_zoom > 30 {
            return Err(format!("{shown}: its header gives zooms {} to {}; a PMTiles archive's run from at most 30 down", h.min_zoom, h.max_zoom));
        }
        let [w, s, e, n] = h.bounds;
        let bounds = (w < e && s < n && w >= -180.0 && e <= 180.0 && s >= -90.0 && n <= 90.0).then_some(h.bounds);
        let (kind, format, media_type) = match h.tile_type {
            1 => ("vector", "pbf", "application/x-protobuf"),
            2 => ("raster", "png", "image/png"),
            3 => ("raster", "jpg", "image/jpeg"),
            4 => ("raster", "webp", "image/webp"),
            other => return Err(format!("{shown}: tiles of type {other}; crowdlens serves vector (1), png (2), jpg (3) or webp (4)")),
        };
        if ![1, crate::pmtiles::GZIP].contains(&h.tile_compression) {
            return Err(format!("{shown}: tiles compressed with method {} (3 brotli, 4 zstd); crowdlens serves none or gzip", h.tile_compression));
        }
        let metadata = archive.metadata().map_err(|e| format!("{shown}: {e}"))?;
        // Written by tippecanoe or `pmtiles convert`: the layers at the top, or (converted from
        // MBTiles) inside the MBTiles `json` text.
        let vector_layers = metadata
            .get("vector_layers")
            .cloned()
            .or_else(|| {
                let text = metadata.get("json")?.as_str()?;
                serde_json::from_str::<serde_json::Value>(text).ok()?.get("vector_layers").cloned()
            })
            .unwrap_or(serde_json::Value::Array(vec![]));
        let info = serde_json::json!({
            "kind": kind,
            "format": format,
            "name": metadata.get("name"),
            "attribution": metadata.get("attribution"),
            "minzoom": h.min_zoom,
            "maxzoom": h.max_zoom,
            "bounds": bounds,
            "vector_layers": vector_layers,
        });
        Ok(Basemap { path: path.to_path_buf(), source: Source::PmTiles(archive), info, media_type })
    }

    pub fn info(&self) -> &serde_json::Value {
        &self.info
    }

    /// The tile at `z/x/y` (XYZ, as MapLibre asks), and whether it is gzip-compressed, or
    /// `None` where the file has none.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<(Vec<u8>, bool)>, String> {
        if z > 30 || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
            return Ok(None);
        }
        let conn = match &self.source {
            Source::PmTiles(archive) => {
                let gzipped = archive.header.tile_compression == crate::pmtiles::GZIP;
                return archive.tile(z, x, y).map(|t| t.map(|d| (d, gzipped))).map_err(|e| format!("basemap {}: {e}", self.path.display()));
            }
            Source::MbTiles(conn) => conn,
        };
        // MBTiles rows count from the south (TMS).
        let row = (1u64 << z) - 1 - u64::from(y);
        let conn = conn.lock().map_err(|_| "basemap: a reader panicked".to_string())?;
        let data: Option<Vec<u8>> = conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                rusqlite::params![z, x, row as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| format!("basemap {}: {e}", self.path.display()))?;
        Ok(data.map(|d| {
            let gzipped = d.starts_with(&[0x1f, 0x8b]);
            (d, gzipped)
        }))
    }

    pub fn media_type(&self) -> &'static str {
        self.media_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small MBTiles file as GDAL's writer lays it out: metadata, and one tile at z 1.
    fn mbtiles(dir: &Path, format: &str) -> PathBuf {
        let path = dir.join("map.mbtiles");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
        )
        .unwrap();
        for (k, v) in [("format", format), ("minzoom", "0"), ("maxzoom", "5"), ("bounds", "-93.6,44.7,-92.8,45.3"),
            ("json", r#"{"vector_layers":[{"id":"counties"}]}"#)]
        {
            conn.execute("INSERT INTO metadata VALUES (?1, ?2)", [k, v]).unwrap();
        }
        // XYZ (1, 0, 0) is TMS row 1.
        conn.execute("INSERT INTO tiles VALUES (1, 0, 1, x'1f8b0800')", []).unwrap();
        path
    }

    #[test]
    fn tiles_are_found_by_xyz_and_the_metadata_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let map = Basemap::open(&mbtiles(dir.path(), "pbf")).unwrap();
        assert_eq!(map.info()["kind"], "vector");
        assert_eq!(map.info()["vector_layers"][0]["id"], "counties");
        assert_eq!(map.info()["bounds"], serde_json::json!([-93.6, 44.7, -92.8, 45.3]));
        assert_eq!(map.tile(1, 0, 0).unwrap(), Some((vec![0x1f, 0x8b, 8, 0], true)));
        assert_eq!(map.tile(1, 0, 1).unwrap(), None);
        assert_eq!(map.tile(1, 5, 0).unwrap(), None, "outside the zoom's grid");
        assert_eq!(map.tile(31, 0, 0).unwrap(), None);
        assert_eq!(map.media_type(), "application/x-protobuf");
    }

    #[test]
    fn a_pmtiles_archive_serves_what_the_mbtiles_it_came_from_holds() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let pm = Basemap::open(&fixtures.join("twin-cities.pmtiles")).unwrap();
        let mb = Basemap::open(&fixtures.join("twin-cities.mbtiles")).unwrap();
        assert_eq!(pm.info()["vector_layers"], mb.info()["vector_layers"]);
        assert_eq!((pm.info()["kind"].clone(), pm.info()["minzoom"].clone()), (mb.info()["kind"].clone(), mb.info()["minzoom"].clone()));
        let (data, gzipped) = pm.tile(11, 493, 735).unwrap().unwrap();
        assert!(gzipped && data.starts_with(&[0x1f, 0x8b]));
        assert_eq!(Some((data, gzipped)), mb.tile(11, 493, 735).unwrap());
    }

    #[test]
    fn what_is_not_an_mbtiles_file_is_refused_saying_what_to_give() {
        let dir = tempfile::tempdir().unwrap();
        let e = Basemap::open(&dir.path().join("none.mbtiles")).unwrap_err();
        assert!(e.contains("no such file"), "{e}");
        let e = Basemap::open(&dir.path().join("city.pmtiles")).unwrap_err();
        assert!(e.contains("no such file"), "{e}");
        let fake = dir.path().join("fake.pmtiles");
        std::fs::write(&fake, [0u8; 300]).unwrap();
        assert!(Basemap::open(&fake).unwrap_err().contains("not a PMTiles archive"));
        let text = dir.path().join("notes.mbtiles");
        std::fs::write(&text, "hello").unwrap();
        assert!(Basemap::open(&text).unwrap_err().contains("not an MBTiles file"));
        let odd = mbtiles(dir.path(), "tiff");
        assert!(Basemap::open(&odd).unwrap_err().contains("format \"tiff\""));
    }
}
