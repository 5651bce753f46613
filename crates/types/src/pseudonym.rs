//! The keyed pseudonym is the only device identity that ever reaches disk. Keys are per epoch,
//! so destroying an epoch's key unlinks its rows from every device (crypto-shredding).

use hmac::{Hmac, Mac};

use crate::device::DeviceId;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;

/// HMAC-SHA256 of the device identity under an epoch key, truncated to 64 bits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pseudonym(pub u64);

impl fmt::Debug for Pseudonym {
    // Deliberately opaque: pseudonyms are still per-device values and must not end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonym(..)")
    }
}

/// A 256-bit secret for one epoch.
#[derive(Clone, PartialEq, Eq)]
pub struct EpochKey(pub [u8; 32]);

impl fmt::Debug for EpochKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EpochKey(..)")
    }
}

impl EpochKey {
    /// The device's pseudonym in this key's epoch. The HMAC reads only the canonical id (under
    /// a fixed domain tag), never the id's type, so every feed's spelling of one device gives
    /// one pseudonym.
    pub fn pseudonym(&self, device: &DeviceId) -> Pseudonym {
        self.hasher().pseudonym(device)
    }

    /// This key's HMAC with the key and domain tag already absorbed, for pseudonymising many
    /// devices: each then costs only the hashing of its own id.
    pub fn hasher(&self) -> PseudonymHasher {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(PSEUDONYM_DOMAIN);
        mac.update(&[0x1f]);
        PseudonymHasher(mac)
    }
}

/// [`EpochKey::pseudonym`] for one key, computed from a keyed state prepared once.
#[derive(Clone)]
pub struct PseudonymHasher(Hmac<Sha256>);

impl fmt::Debug for PseudonymHasher {
    // It holds the key's HMAC state, which is as secret as the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymHasher(..)")
    }
}

impl PseudonymHasher {
    pub fn pseudonym(&self, device: &DeviceId) -> Pseudonym {
        let mut mac = self.0.clone();
        mac.update(device.as_str().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Pseudonym(u64::from_be_bytes(first))
    }
}

/// Names the pseudonym scheme inside the HMAC input, so a later scheme cannot collide with it.
const PSEUDONYM_DOMAIN: &[u8] = b"crowdlens-device-v2";

/// The pseudonym scheme stores record: 1 hashed `id_type ‖ 0x1f ‖ raw id` (one device could
/// have several pseudonyms); 2 hashes the canonical [`DeviceId`].
pub const PSEUDONYM_SCHEME: u32 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hmac_sha256_reference() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" gives
        // 5bdcc146bf60754e.... A 32-byte zero-padded key equals the 4-byte key under HMAC (keys
        // are zero-padded to the block size), so the same construction applies to EpochKey.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(hex_prefix(&mac.finalize().into_bytes()), "5bdcc146bf60754e");

        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let device = DeviceId::canonical("ABC").unwrap();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"crowdlens-device-v2\x1fabc");
        let d = mac.finalize().into_bytes();
        assert_eq!(EpochKey(key).pseudonym(&device).0, u64::from_be_bytes(d[..8].try_into().unwrap()));
    }

    #[test]
    fn a_prepared_hasher_gives_the_keys_pseudonyms() {
        let key = EpochKey([7u8; 32]);
        let other = EpochKey([8u8; 32]);
        let hasher = key.hasher();
        for id in [
            "a",
            "6d92078a-8246-4ba4-ae5b-76104861e7dc",
            "a much longer identifier than one block holds, \
                   so that the id spans more than one SHA-256 block of input to the HMAC",
        ] {
            let device = DeviceId::canonical(id).unwrap();
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).unwrap();
            mac.update(b"crowdlens-device-v2\x1f");
            mac.update(device.as_str().as_bytes());
            let want = u64::from_be_bytes(mac.finalize().into_bytes()[..8].try_into().unwrap());
            assert_eq!(hasher.pseudonym(&device).0, want, "{id}");
            assert_eq!(key.pseudonym(&device).0, want, "{id}");
            assert_ne!(other.hasher().pseudonym(&device).0, want, "{id}");
        }
    }

    fn hex_prefix(bytes: &[u8]) -> String {
        bytes[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn spellings_share_a_pseudonym() {
        let k = EpochKey([7; 32]);
        let a = DeviceId::canonical("{6D92078A-8246-4BA4-AE5B-76104861E7DC}").unwrap();
        let b = DeviceId::canonical("6d92078a-8246-4ba4-ae5b-76104861e7dc").unwrap();
        assert_eq!(k.pseudonym(&a), k.pseudonym(&b));
    }

    #[test]
    fn keys_unlink_epochs() {
        let a = EpochKey([1; 32]);
        let b = EpochKey([2; 32]);
        let x = DeviceId::canonical("x").unwrap();
        assert_ne!(a.pseudonym(&x), b.pseudonym(&x));
        assert_eq!(a.pseudonym(&x), a.pseudonym(&x));
    }

    #[test]
    fn debug_hides_values() {
        assert_eq!(format!("{:?}", Pseudonym(42)), "Pseudonym(..)");
        assert_eq!(format!("{:?}", EpochKey([9; 32])), "EpochKey(..)");
    }
}
