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
//!
//! Everything is created owner-only (directories 0700, files 0600): pseudonymised rows are
//! still personal data, and the keyring links them to devices.

mod config;
mod error;
mod keyring;
mod manifest;
pub mod retention;
mod writer;

pub use config::{Config, PolicyConfig, PrivacyConfig, ResolutionConfig};
pub use error::StoreError;
pub use keyring::Keyring;
pub use manifest::{IdKind, IngestedSource, Manifest, Segment, SourceCounts, SourceFile, BLAKE3_PREFIX};
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
pub const LEDGER_WITNESS: &str = "ledger.witness";

impl Store {
    /// Creates a new store with `config`, refusing to touch an existing one.
    pub fn init(root: &Path, config: &Config) -> Result<Store, StoreError> {
        if root.join(CONFIG_FILE).exists() {
            return Err(StoreError::AlreadyExists(root.to_path_buf()));
        }
        // Any other leftover (a keyring, data, a manifest, a ledger) is a store missing its
        // config, never a place for a fresh one: a new store there would get a fresh budget
        // over the old keys and rows. Checked before anything is written.
        if fs::read_dir(root).is_ok_and(|mut entries| entries.next().is_some()) {
            return Err(StoreError::NotEmpty(root.to_path_buf()));
        }
        config.validate()?;
        create_private_dir(root)?;
        // An existing empty directory keeps its mode under `create_dir`; the store's root
        // must not be listable by others either.
        restrict_to_owner(root, 0o700)?;
        for dir in ["data", "staging", "quarantine", "keyring"] {
            create_private_dir(&root.join(dir))?;
        }
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

    /// The second copy of the ledger's head, kept with the keys: restoring an older ledger and
    /// its checkpoint together leaves the ledger behind this witness.
    pub fn ledger_witness_path(&self) -> PathBuf {
        self.root.join("keyring").join(LEDGER_WITNESS)
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

    /// Takes the writer lock and clears what a killed run left behind, for rows of devices
    /// identified by advertising ids.
    pub fn begin_ingest(&self) -> Result<IngestRun<'_>, StoreError> {
        IngestRun::begin(self, IdKind::AdvertisingId)
    }

    /// As [`Store::begin_ingest`], for units identified by `kind`. A store whose units are of
    /// another kind is refused ([`StoreError::IdKindMismatch`]) before anything is staged.
    pub fn begin_ingest_as(&self, kind: IdKind) -> Result<IngestRun<'_>, StoreError> {
        IngestRun::begin(self, kind)
    }

    /// Files and directories in the store that users other than its owner can read, write or
    /// enter (any group or other permission bit), e.g. from an older version or a copy made
    /// with a loose umask.
    #[cfg(unix)]
    pub fn exposed_paths(&self) -> Result<Vec<PathBuf>, StoreError> {
        use std::os::unix::fs::PermissionsExt;
        let mut out = Vec::new();
        let mut pending = vec![self.root.clone()];
        while let Some(path) = pending.pop() {
            let meta = fs::symlink_metadata(&path).map_err(|e| StoreError::io(&path, e))?;
            if meta.permissions().mode() & 0o077 != 0 {
                out.push(path.clone());
            }
            if meta.is_dir() {
                for entry in fs::read_dir(&path).map_err(|e| StoreError::io(&path, e))?.flatten() {
                    pending.push(entry.path());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    #[cfg(not(unix))]
    pub fn exposed_paths(&self) -> Result<Vec<PathBuf>, StoreError> {
        Ok(Vec::new())
    }
}

/// Creates `path` and its missing parents owner-only (0700). Existing directories keep their
/// mode.
pub fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| StoreError::io(path, e))
}

/// Creates (or truncates) a file readable and writable by its owner only (0600).
pub fn create_private_file(path: &Path) -> Result<File, StoreError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| StoreError::io(path, e))
}

/// Writes `bytes` to `path` so that readers see the old or the new content, never a torn file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut f = create_private_file(&tmp)?;
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
