use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    // `cause`, not `source`: the message holds it, and a source would print it twice in chains.
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{0} is not a crowdlens store (no crowdlens.toml); create one with `crowdlens init --store {0}`")]
    NotAStore(PathBuf),
    #[error("{0} already holds a crowdlens store; choose another directory or remove it first")]
    AlreadyExists(PathBuf),
    #[error("{0} is not empty: a new store goes in a new or empty directory (if this is a store missing its crowdlens.toml, restore it from a backup)")]
    NotEmpty(PathBuf),
    #[error("{path}: invalid configuration: {reason}")]
    BadConfig { path: PathBuf, reason: String },
    #[error("invalid configuration: {0}")]
    InvalidSetting(String),
    #[error("{path}: manifest is unreadable ({reason}); the store may have been edited by hand")]
    BadManifest { path: PathBuf, reason: String },
    #[error("another ingest holds the store lock ({0}); wait for it to finish")]
    Locked(PathBuf),
    #[error("{path}: keyring entry is damaged: {reason}")]
    BadKey { path: PathBuf, reason: String },
    #[error("{store} was written with pseudonym scheme {scheme}, which could give one device several pseudonyms; this version cannot add to it without splitting devices. Create a new store and ingest the sources into it again")]
    OldPseudonymScheme { store: PathBuf, scheme: u32 },
    #[error("{store} holds units identified by id kind `{stored}`, and this ingest's are `{offered}`: a store holds one kind of id only, because one person seen under two kinds of id would be two privacy units (twice the contributions, twice the privacy loss). Ingest this feed into a separate store")]
    IdKindMismatch { store: PathBuf, stored: crate::IdKind, offered: crate::IdKind },
    #[error("epoch {0} was shredded by retention; its data and key are gone and no new key is made for it")]
    EpochShredded(String),
    #[error("writing Parquet segment {path}: {reason}")]
    Parquet { path: PathBuf, reason: String },
}

impl StoreError {
    pub(crate) fn io(path: impl AsRef<Path>, source: std::io::Error) -> StoreError {
        StoreError::Io { path: path.as_ref().to_path_buf(), cause: source }
    }
}
