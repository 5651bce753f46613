//! The manifest is the commit record: a segment or an ingested source exists once it is here.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::{write_atomically, StoreError, MANIFEST_FILE};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Incremented on every commit.
    pub generation: u64,
    /// How the stored pseudonyms were derived ([`crowdlens_types::pseudonym::PSEUDONYM_SCHEME`]).
    /// Manifests written before it was recorded used scheme 1.
    #[serde(default = "legacy_scheme")]
    pub pseudonym_scheme: u32,
    /// The kind of id the store's units are, recorded by the first commit of an ingest: a
    /// store holds one kind only. Absent before the first commit, and in manifests written
    /// before it was recorded; read it through [`Manifest::unit_id_kind`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id_kind: Option<IdKind>,
    pub segments: Vec<Segment>,
    pub sources: Vec<IngestedSource>,
}

/// What identifies a store's units (its devices). A store holds units of one kind only: one
/// person seen under an advertising id in one feed and under a user id in another would be two
/// privacy units, with twice the contributions and twice the privacy loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// A mobile advertising id (IDFA, AAID/GAID): a column detected under an advertising-id
    /// name, OpenRTB's `device.ifa`, or a mapped column the operator declared as one.
    AdvertisingId,
    /// Any other id column mapped explicitly as the device (a publisher's user id, a hashed
    /// e-mail, a data set's own user number).
    Other,
}

impl IdKind {
    /// The stable code, as the manifest and JSON summaries write it.
    pub fn code(self) -> &'static str {
        match self {
            IdKind::AdvertisingId => "advertising_id",
            IdKind::Other => "other",
        }
    }

    /// Reads `advertising-id` or `other` (as `--id-kind` takes them), or the codes.
    pub fn parse(text: &str) -> Option<IdKind> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "advertising-id" => Some(IdKind::AdvertisingId),
            "other" => Some(IdKind::Other),
            _ => None,
        }
    }
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Path relative to the store root.
    pub path: String,
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub rows: u64,
    /// Ingest run that wrote it.
    pub run: String,
}

/// What one committed ingest of one source file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestedSource {
    /// The source file's content identity: `blake3:` and the hex BLAKE3 of its bytes; in
    /// manifests written before BLAKE3, the bare hex SHA-256 (read from the old `sha256` key).
    /// A feed generated in memory (`synth --store`) has `generated:` and the hex BLAKE3 of its
    /// description instead. The same bytes, or the same feed, are never ingested twice.
    #[serde(alias = "sha256")]
    pub digest: String,
    /// Path as given on the command line (for the operator; not used for matching).
    pub path: String,
    pub kind: String,
    pub run: String,
    /// RFC 3339 time of the commit.
    pub committed_at: String,
    pub counts: SourceCounts,
    /// Length of the source file. Absent in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

/// How a BLAKE3 content identity starts; older identities are bare hex SHA-256.
pub const BLAKE3_PREFIX: &str = "blake3:";

/// The identity of a source file being committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file's content identity, as [`IngestedSource::digest`].
    pub digest: String,
    /// Path as given on the command line.
    pub path: String,
    pub bytes: u64,
}

/// The reconciliation of one source: `read = stored + quarantined + Σ dropped`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCounts {
    pub read: u64,
    pub stored: u64,
    pub quarantined: u64,
    pub dropped: BTreeMap<String, u64>,
}

impl SourceCounts {
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    pub fn reconciles(&self) -> bool {
        self.read == self.stored + self.quarantined + self.dropped_total()
    }

    pub fn add(&mut self, other: &SourceCounts) {
        self.read += other.read;
        self.stored += other.stored;
        self.quarantined += other.quarantined;
        for (k, v) in &other.dropped {
            *self.dropped.entry(k.clone()).or_default() += v;
        }
    }
}

fn legacy_scheme() -> u32 {
    1
}

impl Default for Manifest {
    fn default() -> Manifest {
        Manifest {
            generation: 0,
            pseudonym_scheme: crowdlens_types::pseudonym::PSEUDONYM_SCHEME,
            unit_id_kind: None,
            segments: Vec::new(),
            sources: Vec::new(),
        }
    }
}

impl Manifest {
    pub fn load(root: &Path) -> Result<Manifest, StoreError> {
        let path = root.join(MANIFEST_FILE);
        let text = fs::read_to_string(&path).map_err(|e| StoreError::io(&path, e))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| StoreError::BadManifest { path: path.clone(), reason: e.to_string() })?;
        // A manifest that names files outside this store's data/ would answer questions on
        // another store's rows under this store's ledger: refused when read, before any use.
        for (i, segment) in manifest.segments.iter().enumerate() {
            if let Err(why) = confined_segment_path(&segment.path) {
                return Err(StoreError::BadManifest {
                    path,
                    reason: format!("segment {i} (day {}) has path {:?}: {why}", segment.day, segment.path),
                });
            }
        }
        Ok(manifest)
    }

    pub(crate) fn save(&self, root: &Path) -> Result<(), StoreError> {
        let text = serde_json::to_vec_pretty(self).expect("manifest serialises");
        write_atomically(&root.join(MANIFEST_FILE), &text)
    }

    /// The kind of id the store's units are: the recorded kind; for a manifest written before
    /// the kind was recorded that already holds data, advertising ids (the only kind stores
    /// then took, by intent); `None` while nothing is committed, so the first ingest decides.
    pub fn unit_id_kind(&self) -> Option<IdKind> {
        self.unit_id_kind
            .or_else(|| (!self.sources.is_empty() || !self.segments.is_empty()).then_some(IdKind::AdvertisingId))
    }

    pub fn find_source(&self, digest: &str) -> Option<&IngestedSource> {
        self.sources.iter().find(|s| s.digest == digest)
    }

    /// Whether a source committed under the old SHA-256 identity could have the same bytes as
    /// a file of this length: only then must a new file's SHA-256 be taken too, to recognise a
    /// rerun of a file ingested before the change to BLAKE3.
    pub fn may_hold_sha256_source_of_length(&self, bytes: u64) -> bool {
        self.sources.iter().any(|s| !s.digest.starts_with(BLAKE3_PREFIX) && s.bytes.is_none_or(|b| b == bytes))
    }

    /// Whether a committed source could have the same bytes as a file of this length. When
    /// not, the file is new whatever its digest, so the digest can be taken while ingesting
    /// instead of in a pass of its own.
    pub fn may_hold_source_of_length(&self, bytes: u64) -> bool {
        self.sources.iter().any(|s| s.bytes.is_none_or(|b| b == bytes))
    }

    pub fn total_rows(&self) -> u64 {
        self.segments.iter().map(|s| s.rows).sum()
    }

    /// Rows per day, in day order.
    pub fn rows_by_day(&self) -> BTreeMap<String, (u64, u64)> {
        let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for s in &self.segments {
            let e = out.entry(s.day.clone()).or_default();
            e.0 += 1;
            e.1 += s.rows;
        }
        out
    }
}

/// A segment path must be relative, inside `data/`, and made of plain names only (no `..`, no
/// `.`, no root or prefix), so that joining it to the store root stays in the store.
fn confined_segment_path(path: &str) -> Result<(), &'static str> {
    // Checked on the text, not on `Path::components`, which quietly drops `.` parts.
    let mut parts = path.split('/');
    if parts.next() != Some("data") {
        return Err("segments must lie inside the store's data/ directory, named relative to the store");
    }
    let mut names = 0;
    for part in parts {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') || part.contains(':') {
            return Err("a segment path may not hold `..`, `.`, empty parts, `\\` or `:`");
        }
        names += 1;
    }
    if names == 0 {
        return Err("not a segment file name");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_paths_outside_data_are_refused_when_the_manifest_is_read() {
        assert!(confined_segment_path("data/day=2026-11-02/run.parquet").is_ok());
        for bad in [
            "/etc/passwd",
            "../other/data/day=2026-11-02/x.parquet",
            "data/../../other/x.parquet",
            "data/./x.parquet",
            "keyring/2026-W45.key",
            "data",
            "",
        ] {
            assert!(confined_segment_path(bad).is_err(), "{bad:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::default();
        m.segments.push(Segment {
            path: "/tmp/other-store/data/day=2026-11-02/x.parquet".into(),
            day: "2026-11-02".into(),
            rows: 1,
            run: "r".into(),
        });
        m.save(dir.path()).unwrap();
        let e = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("segment 0 (day 2026-11-02)") && e.contains("inside the store's data/"), "{e}");
    }

    #[test]
    fn unit_id_kind_is_recorded_and_defaults_for_old_manifests() {
        // A manifest written before the kind was recorded, holding a source: advertising ids.
        let old = r#"{"generation":3,"pseudonym_scheme":2,"segments":[],"sources":[{"digest":"blake3:00","path":"a.csv",
            "kind":"pings","run":"r","committed_at":"2026-01-01T00:00:00Z","counts":{"read":1,"stored":1,"quarantined":0,"dropped":{}}}]}"#;
        let m: Manifest = serde_json::from_str(old).unwrap();
        assert_eq!(m.unit_id_kind, None);
        assert_eq!(m.unit_id_kind(), Some(IdKind::AdvertisingId));
        // An empty store has no kind yet, and writes none.
        let fresh = Manifest::default();
        assert_eq!(fresh.unit_id_kind(), None);
        assert!(!serde_json::to_string(&fresh).unwrap().contains("unit_id_kind"));
        // A recorded kind is written and read back as its code.
        let other = Manifest { unit_id_kind: Some(IdKind::Other), ..Manifest::default() };
        let text = serde_json::to_string(&other).unwrap();
        assert!(text.contains(r#""unit_id_kind":"other""#), "{text}");
        assert_eq!(serde_json::from_str::<Manifest>(&text).unwrap().unit_id_kind(), Some(IdKind::Other));
    }

    #[test]
    fn id_kind_parses_the_flag_spellings() {
        assert_eq!(IdKind::parse("advertising-id"), Some(IdKind::AdvertisingId));
        assert_eq!(IdKind::parse("advertising_id"), Some(IdKind::AdvertisingId));
        assert_eq!(IdKind::parse(" Other "), Some(IdKind::Other));
        assert_eq!(IdKind::parse("user"), None);
    }
}
