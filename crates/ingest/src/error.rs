use std::path::PathBuf;
use thiserror::Error;

/// Whole-source failures. Bad rows are not errors: they go to the quarantine file.
#[derive(Debug, Error)]
pub enum IngestError {
    // Not named `source`: the message already holds the cause, and a source would make
    // error chains print it twice.
    #[error("{path}: cannot read: {cause}")]
    Unreadable { path: PathBuf, cause: std::io::Error },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: {kind} compression is not supported; decompress it first, or recompress with gzip")]
    UnsupportedCompression { path: PathBuf, kind: &'static str },
    #[error("{path}: {reason}")]
    MissingColumns { path: PathBuf, reason: String },
    #[error("{path}: not a readable CSV or Parquet file: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("invalid --map {0:?}: expected FIELD=COLUMN with FIELD one of device_id, id_type, timestamp, latitude, longitude, accuracy")]
    BadMapping(String),
    #[error("{path}: sensitive places file: {reason}")]
    BadSensitivePlaces { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] crowdlens_store::StoreError),
    #[error("{path}: writing quarantine: {cause}")]
    Quarantine { path: PathBuf, cause: std::io::Error },
}
