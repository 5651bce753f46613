//! A reader of PMTiles version 3 archives (<https://github.com/protomaps/PMTiles>, `spec/v3`):
//! the 127-byte header, directories of varint-coded entries keyed by Hilbert tile ids, leaf
//! directories, and gzip or uncompressed internal data. Tested tile for tile against the
//! archive the official Python library (`pmtiles` on PyPI) writes from the same MBTiles file.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// What the header says.
#[derive(Debug, Clone)]
pub struct Header {
    root: (u64, u64),
    metadata: (u64, u64),
    leaves_offset: u64,
    tiles_offset: u64,
    internal_compression: u8,
    pub tile_compression: u8,
    pub tile_type: u8,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub bounds: [f64; 4],
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u64,
    run_length: u64,
}

pub struct PmTiles {
    file: File,
    pub header: Header,
    root: Vec<Entry>,
}

/// Gzip, in the spec's numbering (1 none, 2 gzip, 3 brotli, 4 zstd).
pub const GZIP: u8 = 2;

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"))
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(b[at..at + 4].try_into().expect("four bytes"))
}

/// The Hilbert tile id of z/x/y (z at most 31, x and y below 2^z, as [`PmTiles::tile`]
/// checks): the tiles of every coarser zoom first, then the position on the zoom's Hilbert
/// curve.
pub(crate) fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    let mut id = ((1u64 << (2 * u32::from(z))) - 1) / 3;
    let mut s = 1u64 << z >> 1;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        id += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = s - 1 - (x & (s - 1));
                y = s - 1 - (y & (s - 1));
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    id
}

fn varint(b: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos).ok_or("a directory ends inside a number")?;
        *pos += 1;
        if shift == 63 && byte > 1 {
            return Err("a directory has a number past 64 bits".into());
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a directory has a malformed number".into())
}

impl PmTiles {
    pub fn open(path: &Path) -> Result<PmTiles, String> {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut head = [0u8; 127];
        file.read_exact_at(&mut head, 0).map_err(|_| "shorter than a PMTiles header (127 bytes)".to_string())?;
        if &head[..7] != b"PMTiles" {
            return Err("not a PMTiles archive (its first bytes are not \"PMTiles\")".into());
        }
        if head[7] != 3 {
            return Err(format!("PMTiles version {}; crowdlens reads version 3 (convert with `pmtiles convert`)", head[7]));
        }
        let e7 = |at| f64::from(i32_at(&head, at)) / 1e7;
        let header = Header {
            root: (u64_at(&head, 8), u64_at(&head, 16)),
            metadata: (u64_at(&head, 24), u64_at(&head, 32)),
            leaves_offset: u64_at(&head, 40),
            tiles_offset: u64_at(&head, 56),
            internal_compression: head[97],
            tile_compression: head[98],
            tile_type: head[99],
            min_zoom: head[100],
            max_zoom: head[101],
            bounds: [e7(102), e7(106), e7(110), e7(114)],
        };
        if ![1, GZIP].contains(&header.internal_compression) {
            return Err(format!(
                "its directories are compressed with method {} (3 brotli, 4 zstd); crowdlens reads none or gzip",
                header.internal_compression
            ));
        }
        let mut reader = PmTiles { file, header, root: Vec::new() };
        reader.root = reader.directory(reader.header.root.0, reader.header.root.1)?;
        Ok(reader)
    }

    fn read(&self, offset: u64, length: u64) -> Result<Vec<u8>, String> {
        // Directories and tiles are small; a length past a few MB is a broken archive.
        if length > 64 << 20 {
            return Err(format!("a block of {length} bytes at {offset}, past any tile or directory"));
        }
        let mut buf = vec![0u8; length as usize];
        self.file.read_exact_at(&mut buf, offset).map_err(|e| format!("reading {length} bytes at {offset}: {e}"))?;
        Ok(buf)
    }

    fn inflate(&self, raw: Vec<u8>) -> Result<Vec<u8>, String> {
        if self.header.internal_compression != GZIP {
            return Ok(raw);
        }
        const MOST: u64 = 64 << 20;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .take(MOST + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("a directory does not inflate: {e}"))?;
        if out.len() as u64 > MOST {
            return Err("a directory or the metadata inflates past 64 MB".into());
        }
        Ok(out)
    }

    fn directory(&self, offset: u64, length: u64) -> Result<Vec<Entry>, String> {
        let b = self.inflate(self.read(offset, length)?)?;
        let mut pos = 0;
        let n = varint(&b, &mut pos)? as usize;
        // Each entry takes at least four bytes (four numbers), and no real directory holds
        // millions: a count past either is a broken or hostile archive.
        if n > b.len() / 4 || n > 1 << 21 {
            return Err(format!("a directory claims {n} entries in {} bytes", b.len()));
        }
        let mut entries = vec![Entry { tile_id: 0, offset: 0, length: 0, run_length: 0 }; n];
        let mut last = 0u64;
        for e in entries.iter_mut() {
            last = last.checked_add(varint(&b, &mut pos)?).ok_or("a directory's tile ids overflow")?;
            e.tile_id = last;
        }
        for e in entries.iter_mut() {
            e.run_length = varint(&b, &mut pos)?;
        }
        for e in entries.iter_mut() {
            e.length = varint(&b, &mut pos)?;
        }
        for i in 0..n {
            let v = varint(&b, &mut pos)?;
            entries[i].offset = if i > 0 && v == 0 {
                entries[i - 1].offset.saturating_add(entries[i - 1].length)
            } else {
                v.saturating_sub(1)
            };
        }
        Ok(entries)
    }

    /// The archive's metadata (JSON), `{}` when it has none.
    pub fn metadata(&self) -> Result<serde_json::Value, String> {
        let (offset, length) = self.header.metadata;
        if length == 0 {
            return Ok(serde_json::json!({}));
        }
        let text = self.inflate(self.read(offset, length)?)?;
        serde_json::from_slice(&text).map_err(|e| format!("its metadata is not JSON: {e}"))
    }

    /// The tile at z/x/y, as stored (compressed as the header's `tile_compression` says).
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String> {
        if z > 31 || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
            return Ok(None);
        }
        let id = tile_id(z, x, y);
        let mut leaf: Option<Vec<Entry>> = None;
        // The spec allows a root and up to three levels of leaves.
        for _ in 0..4 {
            let entries = leaf.as_deref().unwrap_or(&self.root);
            let found = match entries.binary_search_by(|e| e.tile_id.cmp(&id)) {
                Ok(i) => Some(entries[i]),
                Err(0) => None,
                Err(i) => Some(entries[i - 1]).filter(|e| e.run_length == 0 || id - e.tile_id < e.run_length),
            };
            let Some(e) = found else { return Ok(None) };
            if e.run_length > 0 {
                if e.length == 0 {
                    return Ok(None);
                }
                return self.read(self.header.tiles_offset.saturating_add(e.offset), e.length).map(Some);
            }
            leaf = Some(self.directory(self.header.leaves_offset.saturating_add(e.offset), e.length)?);
        }
        Err("leaf directories nest deeper than the spec allows".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
    }

    #[test]
    fn tile_ids_follow_the_spec() {
        // The spec's examples: z0 is 0, z1 starts at 1, z2 at 5; (1, 0, 1) is 2 on the curve.
        assert_eq!(tile_id(0, 0, 0), 0);
        assert_eq!((tile_id(1, 0, 0), tile_id(1, 0, 1), tile_id(1, 1, 1), tile_id(1, 1, 0)), (1, 2, 3, 4));
        assert_eq!(tile_id(2, 0, 0), 5);
        assert_eq!(tile_id(12, 3423, 1763), 19078479, "as the Python library computes it");
    }

    /// GDAL wrote the MBTiles file from the vendored county outlines; the official Python
    /// library converted it to PMTiles. Every tile must read back the same.
    #[test]
    fn every_tile_reads_as_the_official_writer_stored_it() {
        let archive = PmTiles::open(&fixture("twin-cities.pmtiles")).unwrap();
        assert_eq!((archive.header.min_zoom, archive.header.max_zoom, archive.header.tile_type), (5, 12, 1));
        assert_eq!(archive.header.bounds, [-93.6, 44.7, -92.8, 45.3]);
        assert!(archive.metadata().unwrap().get("json").is_some());
        let mbtiles = rusqlite::Connection::open(fixture("twin-cities.mbtiles")).unwrap();
        let mut stmt = mbtiles.prepare("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").unwrap();
        let rows: Vec<(u8, u32, u32, Vec<u8>)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
        assert!(rows.len() > 100);
        for (z, x, tms_y, data) in rows {
            let y = (1u32 << z) - 1 - tms_y;
            assert_eq!(archive.tile(z, x, y).unwrap().as_deref(), Some(data.as_slice()), "{z}/{x}/{y}");
        }
        assert_eq!(archive.tile(12, 0, 0).unwrap(), None);
        assert_eq!(archive.tile(13, 99999, 0).unwrap(), None);
    }

    #[test]
    fn what_is_not_an_archive_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.pmtiles");
        std::fs::write(&short, b"PMTiles").unwrap();
        assert!(PmTiles::open(&short).err().unwrap().contains("shorter than a PMTiles header"));
        let other = dir.path().join("other.pmtiles");
        std::fs::write(&other, [0u8; 200]).unwrap();
        assert!(PmTiles::open(&other).err().unwrap().contains("not a PMTiles archive"));
        let mut v2 = b"PMTiles".to_vec();
        v2.push(2);
        v2.resize(200, 0);
        std::fs::write(&other, v2).unwrap();
        assert!(PmTiles::open(&other).err().unwrap().contains("version 2"));
    }
}
