//! Opening a source: its digest (for exactly-once ingest), its format, and a byte counter that
//! drives progress whatever the compression.

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::IngestError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GzipCsv,
    Parquet,
}

/// Identifies the format from the first bytes, never from the file name, so a mislabelled file
/// is still read correctly or refused clearly.
pub fn sniff(path: &Path) -> Result<Format, IngestError> {
    let mut f = File::open(path).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?;
    let mut head = [0u8; 6];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(IngestError::Unreadable { path: path.into(), cause: e }),
        }
    }
    let head = &head[..n];
    if head.is_empty() {
        return Err(IngestError::Empty { path: path.into() });
    }
    let unsupported = |kind| Err(IngestError::UnsupportedCompression { path: path.into(), kind });
    match head {
        [0x1f, 0x8b, ..] => Ok(Format::GzipCsv),
        [b'P', b'A', b'R', b'1', ..] => Ok(Format::Parquet),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => unsupported("zstd"),
        [b'B', b'Z', b'h', ..] => unsupported("bzip2"),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00] => unsupported("xz"),
        [b'P', b'K', 0x03, 0x04, ..] => unsupported("zip"),
        [0x04, 0x22, 0x4d, 0x18, ..] => unsupported("lz4"),
        _ => Ok(Format::Csv),
    }
}

/// A source file's content identity.
///
/// The identity is BLAKE3, several times faster than SHA-256 on one core. It only has to tell
/// one file's bytes from another's so that a rerun does not count them twice; it signs nothing
/// and no one gains from forging it (a deliberate collision would make crowdlens skip a file
/// as already ingested, which the summary reports), and BLAKE3 is collision-resistant anyway.
/// Stores written before the change identify sources by bare hex SHA-256: for them the
/// SHA-256 is taken as well, and only when such a source has the file's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDigest {
    /// `blake3:` and the hex BLAKE3 of the bytes.
    pub identity: String,
    /// Hex SHA-256 of the bytes, when asked for.
    pub legacy_sha256: Option<String>,
    pub bytes: u64,
}

impl SourceDigest {
    /// Whether `manifest` already holds these bytes, under either identity.
    pub fn committed_in(&self, manifest: &crowdlens_store::Manifest) -> bool {
        manifest.find_source(&self.identity).is_some()
            || self.legacy_sha256.as_deref().is_some_and(|sha| manifest.find_source(sha).is_some())
    }
}

/// The file's identity, with its SHA-256 too when `with_sha256`, in one pass over its bytes.
pub fn digest(path: &Path, with_sha256: bool) -> Result<SourceDigest, IngestError> {
    let f = File::open(path).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?;
    let mut reader = BufReader::with_capacity(1 << 20, f);
    let mut hasher = blake3::Hasher::new();
    let mut sha256 = with_sha256.then(Sha256::new);
    let mut buf = vec![0u8; 1 << 20];
    let mut length = 0;
    loop {
        let n = reader.read(&mut buf).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(sha256) = &mut sha256 {
            sha256.update(&buf[..n]);
        }
        length += n as u64;
    }
    Ok(SourceDigest {
        identity: blake3_identity(&hasher),
        legacy_sha256: sha256.map(|h| hex::encode(h.finalize())),
        bytes: length,
    })
}

fn blake3_identity(hasher: &blake3::Hasher) -> String {
    format!("{}{}", crowdlens_store::BLAKE3_PREFIX, hasher.finalize().to_hex())
}

/// A file's identity and length, taken as a reader streams its bytes: a source that is read
/// front to back once needs no separate pass to identify it. Shared so the reading thread feeds
/// it and the committing thread reads it. Streamed only when no committed source has the
/// file's length, so it never needs the old SHA-256 identity.
#[derive(Clone, Default)]
pub struct StreamDigest(Arc<Mutex<(blake3::Hasher, u64)>>);

impl StreamDigest {
    fn update(&self, bytes: &[u8]) {
        let mut state = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.0.update(bytes);
        state.1 += bytes.len() as u64;
    }

    /// The identity and byte count of everything read so far.
    pub fn finish(&self) -> SourceDigest {
        let state = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        SourceDigest { identity: blake3_identity(&state.0), legacy_sha256: None, bytes: state.1 }
    }
}

/// Counts bytes read from the underlying file, shared with the progress display, and feeds
/// them to a digest if one is attached.
pub struct Counting<R> {
    inner: R,
    pub(crate) count: Arc<AtomicU64>,
    digest: Option<StreamDigest>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(digest) = &self.digest {
            digest.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Opens a CSV source (plain or gzip) as a byte stream with any UTF-8 byte-order mark removed.
///
/// With `digest`, every byte of the file passes through it by the time the stream ends: the
/// gzip decoder reads to the end of the file, and refuses trailing bytes it cannot decode.
pub fn open_text(
    path: &Path,
    format: Format,
    count: Arc<AtomicU64>,
    digest: Option<StreamDigest>,
) -> Result<Box<dyn Read + Send>, IngestError> {
    let f = File::open(path).map_err(|e| IngestError::Unreadable { path: path.into(), cause: e })?;
    let counted = Counting { inner: BufReader::with_capacity(1 << 20, f), count, digest };
    let stream: Box<dyn Read + Send> = match format {
        Format::GzipCsv => Box::new(BufReader::with_capacity(1 << 20, MultiGzDecoder::new(counted))),
        _ => Box::new(counted),
    };
    Ok(Box::new(SkipBom { inner: stream, checked: false, pending: Vec::new(), consumed: 0 }))
}

/// Removes a leading UTF-8 byte-order mark and turns CRLF into LF. The CSV reader accepts CRLF
/// itself, but then reports the line of a record that follows a CRLF one too low, and the
/// quarantine must name the right line.
struct SkipBom<R> {
    inner: R,
    checked: bool,
    /// Bytes read from `inner` and not yet returned start at `pending[consumed]`.
    pending: Vec<u8>,
    consumed: usize,
}

impl<R: Read> SkipBom<R> {
    fn fill(&mut self) -> io::Result<bool> {
        self.pending.drain(..self.consumed);
        self.consumed = 0;
        let mut chunk = [0u8; 64 * 1024];
        let n = loop {
            match self.inner.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(false);
        }
        let mut start = 0;
        if !self.checked {
            self.checked = true;
            // A BOM split across reads is vanishingly rare for files; the first read of a
            // BufReader-backed stream returns at least 3 bytes unless the file is shorter.
            if chunk[..n].starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
        }
        self.pending.extend_from_slice(&chunk[start..n]);
        Ok(true)
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Keep a trailing CR pending until the next byte shows whether it starts a CRLF.
        while self.consumed == self.pending.len() || self.pending.last() == Some(&b'\r') {
            if !self.fill()? {
                break;
            }
        }
        if self.consumed == self.pending.len() {
            return Ok(0);
        }
        let mut out = 0;
        let mut i = self.consumed;
        // Most files have no CR at all: copy runs up to the next CR in one go.
        while i < self.pending.len() && out < buf.len() {
            let rest = &self.pending[i..];
            let run = memchr::memchr(b'\r', rest).unwrap_or(rest.len()).min(buf.len() - out);
            buf[out..out + run].copy_from_slice(&rest[..run]);
            out += run;
            i += run;
            if i < self.pending.len() && out < buf.len() && self.pending[i] == b'\r' {
                if self.pending.get(i + 1) == Some(&b'\n') {
                    i += 1;
                    continue;
                }
                buf[out] = b'\r';
                out += 1;
                i += 1;
            }
        }
        self.consumed = i;
        if self.consumed == self.pending.len() {
            self.pending.clear();
            self.consumed = 0;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff(file_with(b"a,b\n").path()).unwrap(), Format::Csv);
        assert_eq!(sniff(file_with(&[0x1f, 0x8b, 8, 0]).path()).unwrap(), Format::GzipCsv);
        assert_eq!(sniff(file_with(b"PAR1xxxx").path()).unwrap(), Format::Parquet);
        assert!(matches!(
            sniff(file_with(&[0x28, 0xb5, 0x2f, 0xfd, 0, 0]).path()),
            Err(IngestError::UnsupportedCompression { kind: "zstd", .. })
        ));
        assert!(matches!(sniff(file_with(b"").path()), Err(IngestError::Empty { .. })));
        assert!(matches!(sniff(Path::new("/nonexistent/crowdlens")), Err(IngestError::Unreadable { .. })));
    }

    #[test]
    fn a_streamed_digest_covers_every_byte_of_plain_and_gzip_files() {
        let text = "lat,lng\n".repeat(50_000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        for (bytes, format) in [(text.as_bytes().to_vec(), Format::Csv), (gz.finish().unwrap(), Format::GzipCsv)] {
            let f = file_with(&bytes);
            let streamed = StreamDigest::default();
            let mut out = String::new();
            open_text(f.path(), format, Default::default(), Some(streamed.clone()))
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
            assert_eq!(streamed.finish(), digest(f.path(), false).unwrap(), "{format:?}");
            assert_eq!(streamed.finish().bytes, bytes.len() as u64);
        }
    }

    #[test]
    fn strips_bom_once() {
        let f = file_with(b"\xEF\xBB\xBFlat,lng\r\n1,2\r\n\xEF\xBB\xBF\r3\r");
        let mut s = String::new();
        open_text(f.path(), Format::Csv, Default::default(), None).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "lat,lng\n1,2\n\u{feff}\r3\r");
    }
}
