//! Per-epoch HMAC keys. Each key is its own file so that retention can destroy one epoch's key
//! (crypto-shredding) without rewriting the others.

use crowdlens_types::{Epoch, EpochKey};
use rand::TryRngCore;
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::StoreError;

#[derive(Debug)]
pub struct Keyring {
    dir: PathBuf,
    cache: HashMap<Epoch, EpochKey>,
}

impl Keyring {
    pub(crate) fn new(dir: PathBuf) -> Keyring {
        Keyring { dir, cache: HashMap::new() }
    }

    /// The key for `epoch`, created from the OS CSPRNG on first use and persisted (0600)
    /// before it is returned, so no row is ever pseudonymised under an unsaved key. A shredded
    /// epoch has no key and never gets a new one: a new key would give its devices a second
    /// pseudonym in a week whose first one was destroyed.
    pub fn key_for(&mut self, epoch: Epoch) -> Result<&EpochKey, StoreError> {
        if !self.cache.contains_key(&epoch) {
            if self.is_shredded(epoch) {
                return Err(StoreError::EpochShredded(epoch.to_string()));
            }
            let key = self.load_or_create(epoch)?;
            self.cache.insert(epoch, key);
        }
        Ok(&self.cache[&epoch])
    }

    fn tombstone_path(&self, epoch: Epoch) -> PathBuf {
        self.dir.join(format!("{epoch}.shredded"))
    }

    fn key_path(&self, epoch: Epoch) -> PathBuf {
        self.dir.join(format!("{epoch}.key"))
    }

    /// Whether retention has begun or finished shredding `epoch`.
    pub fn is_shredded(&self, epoch: Epoch) -> bool {
        self.tombstone_path(epoch).exists()
    }

    pub(crate) fn has_key(&self, epoch: Epoch) -> bool {
        self.key_path(epoch).exists()
    }

    /// Marks `epoch` shredded before anything of it is deleted, so that from this moment no
    /// ingest can create a key for it. Durable before it returns.
    pub(crate) fn write_tombstone(&self, epoch: Epoch, at: &str) -> Result<(), StoreError> {
        crate::create_private_dir(&self.dir)?;
        let path = self.tombstone_path(epoch);
        crate::write_atomically(&path, format!("shredded at {at}\n").as_bytes())
    }

    /// Destroys the epoch's key: after this no pseudonym of the epoch can be linked to a
    /// device id again.
    pub(crate) fn destroy_key(&self, epoch: Epoch) -> Result<(), StoreError> {
        let path = self.key_path(epoch);
        match fs::remove_file(&path) {
            Ok(()) => crate::sync_dir(&self.dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }

    /// Epochs with a tombstone.
    pub fn shredded_epochs(&self) -> Result<Vec<Epoch>, StoreError> {
        self.list("shredded")
    }

    /// Epochs that still have a key.
    pub fn epochs(&self) -> Result<Vec<Epoch>, StoreError> {
        self.list("key")
    }

    fn list(&self, extension: &str) -> Result<Vec<Epoch>, StoreError> {
        let suffix = format!(".{extension}");
        let mut out = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(StoreError::io(&self.dir, e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(stem) = name.strip_suffix(suffix.as_str()) {
                if let Ok(e) = stem.parse() {
                    out.push(e);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn load_or_create(&self, epoch: Epoch) -> Result<EpochKey, StoreError> {
        let path = self.key_path(epoch);
        match fs::read(&path) {
            Ok(bytes) => {
                let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| StoreError::BadKey {
                    path: path.clone(),
                    reason: format!("expected 32 bytes, found {}", bytes.len()),
                })?;
                return Ok(EpochKey(arr));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&path, e)),
        }
        crate::create_private_dir(&self.dir)?;
        let mut key = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| StoreError::BadKey { path: path.clone(), reason: format!("no OS randomness: {e}") })?;
        // Each writer stages under its own name: with a shared one, two ingest threads
        // creating the same epoch's key could each link the other's bytes and then
        // pseudonymise under a key that was never saved.
        let mut nonce = [0u8; 8];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| StoreError::BadKey { path: path.clone(), reason: format!("no OS randomness: {e}") })?;
        let tmp = self.dir.join(format!("{epoch}.key.{}.tmp", u64::from_le_bytes(nonce)));
        {
            let mut opts = fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
            f.write_all(&key).map_err(|e| StoreError::io(&tmp, e))?;
            f.sync_all().map_err(|e| StoreError::io(&tmp, e))?;
        }
        // Another writer may have created the key meanwhile; hard-linking fails if so, and
        // then theirs wins, so every row of an epoch uses the same key.
        match fs::hard_link(&tmp, &path) {
            Ok(()) => {
                let _ = fs::remove_file(&tmp);
                crate::sync_dir(&self.dir)?;
                Ok(EpochKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&tmp);
                self.load_or_create(epoch)
            }
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }
}
