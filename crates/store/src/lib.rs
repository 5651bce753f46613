//! The on-disk store: Parquet files partitioned by day, a manifest that is the single commit
//! point, the per-epoch keyring, and the store's configuration.
//!
//! # Layout
//! ```text
//! STORE/
//!   crowdlens.toml          configuration (resolution floors, policy, budget, purposes)
//!   manifest.json           committed segments and ingested sources; replaced atomically
//!   keyring/EPOCH.key       one 256-bit key per epoch, mode 0600, deleted to crypto-shred
//!   data/day=YYYY-MM-DD/    Parquet segments (pseudonym, cell, time_s, category)
//!   staging/RUN/            segments being written; never read
//!   quarantine/RUN.jsonl    rejected rows: source, line and reason, never the row itself
//!   control.sqlite          ledger and audit (owned by crowdlens-control)
//!   lock                    held by the single writer
//! ```
//!
//! A segment is visible only once `manifest.json` names it, and the manifest is written by
//! rename, so a crash at any point leaves either the old or the new store, never a mix.

mod config;
mod error;
mod keyring;
mod manifest;
mod writer;

pub use config::{Config, PolicyConfig, PrivacyConfig, ResolutionConfig};
pub use error::StoreError;
pub use keyring::Keyring;
pub use manifest::{IngestedSource, Manifest, Segment, SourceCounts, SourceFile};
pub use writer::{IngestRun, ROW_SCHEMA_FIELDS};

use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// An opened store. Reading needs no lock; [`Store::begin_ingest`] takes the writer lock.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: Config,
}

pub const CONFIG_FILE: &str = "crowdlens.toml";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const CONTROL_DB: &str = "control.sqlite";

impl Store {
    /// Creates a new store with `config`, refusing to touch an existing one.
    pub fn init(root: &Path, config: &Config) -> Result<Store, StoreError> {
        if root.join(CONFIG_FILE).exists() {
            return Err(StoreError::AlreadyExists(root.to_path_buf()));
        }
        config.validate()?;
        for dir in ["data", "staging", "quarantine", "keyring"] {
            fs::create_dir_all(root.join(dir)).map_err(|e| StoreError::io(root.join(dir), e))?;
        }
        restrict_to_owner(&root.join("keyring"), 0o700)?;
        let text = config.to_documented_toml();
        write_atomically(&root.join(CONFIG_FILE), text.as_bytes())?;
        Manifest::default().save(root)?;
        Ok(Store { root: root.to_path_buf(), config: config.clone() })
    }

    /// Opens an existing store.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Err(StoreError::NotAStore(root.to_path_buf()));
        }
        let text = fs::read_to_string(&path).map_err(|e| StoreError::io(&path, e))?;
        let config = Config::from_toml(&text).map_err(|e| StoreError::BadConfig { path, reason: e })?;
        config.validate()?;
        Ok(Store { root: root.to_path_buf(), config })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        Manifest::load(&self.root)
    }

    pub fn control_db_path(&self) -> PathBuf {
        self.root.join(CONTROL_DB)
    }

    pub fn keyring(&self) -> Keyring {
        Keyring::new(self.root.join("keyring"))
    }

    /// Absolute paths of the committed segments whose day lies in `[from_day, to_day]`
    /// (inclusive, as `YYYY-MM-DD`). Files not named by the manifest are never returned.
    pub fn segments_between(&self, from_day: &str, to_day: &str) -> Result<Vec<PathBuf>, StoreError> {
        let manifest = self.manifest()?;
        Ok(manifest
            .segments
            .iter()
            .filter(|s| s.day.as_str() >= from_day && s.day.as_str() <= to_day)
            .map(|s| self.root.join(&s.path))
            .collect())
    }

    /// Takes the writer lock and clears what a killed run left behind.
    pub fn begin_ingest(&self) -> Result<IngestRun<'_>, StoreError> {
        IngestRun::begin(self)
    }
}

/// Writes `bytes` to `path` so that readers see the old or the new content, never a torn file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| StoreError::io(&tmp, e))?;
        f.sync_all().map_err(|e| StoreError::io(&tmp, e))?;
    }
    fs::rename(&tmp, path).map_err(|e| StoreError::io(path, e))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    // Directory fsync makes the rename itself durable; not all platforms allow opening a
    // directory, so a failure to open is not fatal.
    if let Ok(d) = File::open(dir) {
        d.sync_all().map_err(|e| StoreError::io(dir, e))?;
    }
    Ok(())
}

#[cfg(unix)]
pub(crate) fn restrict_to_owner(path: &Path, mode: u32) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| StoreError::io(path, e))
}

#[cfg(not(unix))]
pub(crate) fn restrict_to_owner(_path: &Path, _mode: u32) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests;
