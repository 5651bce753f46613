use crowdlens_store::IdKind;
use std::path::PathBuf;
use thiserror::Error;

use crate::columns::ColumnError;

/// Whole-source failures. Bad rows are not errors: they go to the quarantine file. Each has a
/// stable snake_case [`IngestError::code`].
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
    /// The header does not give the fields a ping needs, or gives the device only under a
    /// name that is not an advertising id ([`ColumnError::NotAnAdvertisingId`]).
    #[error("{path}: {error}")]
    Columns { path: PathBuf, error: ColumnError },
    #[error("{path}: not a readable CSV or Parquet file: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("invalid --map {0:?}: expected FIELD=COLUMN with FIELD one of device_id, id_type, timestamp, latitude, longitude, accuracy")]
    BadMapping(String),
    #[error(
        "invalid --id-kind {0:?}: expected advertising-id (the device column holds mobile advertising ids) or other"
    )]
    BadIdKind(String),
    /// The feed's units are of another id kind than the store's. Refused before anything is
    /// written.
    #[error("{path}: its device id (column {column}) is of id kind `{offered}`, and the store {store} holds units of id kind `{stored}`. A store holds one kind of id only: one person seen under an advertising id and under another id would be two privacy units, with twice the contributions and twice the privacy loss. Ingest this feed into a separate store{hint}", hint = id_kind_hint(.offered))]
    IdKindMismatch { path: PathBuf, column: String, store: PathBuf, stored: IdKind, offered: IdKind },
    /// Two sources of one command whose units are of different id kinds.
    #[error("{path}: its device id (column {column}) is of id kind `{offered}`, but {first} (column {first_column}), given before it, is of id kind `{first_kind}`. A store holds one kind of id only: one person seen under an advertising id and under another id would be two privacy units. Ingest them into separate stores")]
    MixedIdKinds {
        path: PathBuf,
        column: String,
        offered: IdKind,
        first: PathBuf,
        first_column: String,
        first_kind: IdKind,
    },
    #[error("{path}: sensitive places file: {reason}")]
    BadSensitivePlaces { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] crowdlens_store::StoreError),
    #[error("{path}: writing quarantine: {cause}")]
    Quarantine { path: PathBuf, cause: std::io::Error },
}

fn id_kind_hint(offered: &IdKind) -> &'static str {
    match offered {
        IdKind::Other => " (or, if the column does hold mobile advertising ids, say so with --id-kind advertising-id)",
        IdKind::AdvertisingId => "",
    }
}

impl IngestError {
    /// A stable snake_case code for the kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Unreadable { .. } => "unreadable",
            IngestError::Empty { .. } => "empty",
            IngestError::UnsupportedCompression { .. } => "unsupported_compression",
            IngestError::Columns { error, .. } => error.code(),
            IngestError::Malformed { .. } => "malformed",
            IngestError::BadMapping(_) => "bad_mapping",
            IngestError::BadIdKind(_) => "bad_id_kind",
            IngestError::IdKindMismatch { .. } => "id_kind_mismatch",
            IngestError::MixedIdKinds { .. } => "mixed_id_kinds",
            IngestError::BadSensitivePlaces { .. } => "bad_sensitive_places",
            IngestError::Store(_) => "store",
            IngestError::Quarantine { .. } => "quarantine",
        }
    }
}
