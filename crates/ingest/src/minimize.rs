//! Minimisation: the raw id becomes a keyed pseudonym, the coordinate an H3 cell and the time
//! a floored bucket. What comes out is all the store ever sees.

use crowdlens_store::{Keyring, ResolutionConfig, StoreError};
use crowdlens_types::pseudonym::PseudonymHasher;
use crowdlens_types::{DeviceId, Epoch, Pseudonym, StoredPing};
use h3o::{LatLng, Resolution};

use crate::policy::Admitted;

pub struct Minimizer {
    keyring: Keyring,
    resolution: Resolution,
    time_step_s: i64,
    /// Per epoch met in this run: its key's prepared HMAC, and the pseudonyms of devices seen
    /// recently. Feeds that interleave devices in time (as brokers send them) would otherwise
    /// hash nearly every row; feeds that keep a device's pings together hit the same entry row
    /// after row.
    epochs: Vec<(Epoch, PseudonymHasher, foldhash::HashMap<DeviceId, Pseudonym>)>,
    remembered: usize,
}

/// Most devices a minimiser remembers at once; when full it forgets them all. About 100 bytes
/// each: a few MB per worker thread, enough for every device of a city-sized feed.
const REMEMBERED_DEVICES: usize = 1 << 16;

impl Minimizer {
    pub fn new(keyring: Keyring, config: &ResolutionConfig) -> Result<Minimizer, StoreError> {
        let resolution = Resolution::try_from(config.h3_store)
            .map_err(|e| StoreError::InvalidSetting(format!("resolution.h3_store: {e}")))?;
        Ok(Minimizer { keyring, resolution, time_step_s: config.time_store_seconds, epochs: Vec::new(), remembered: 0 })
    }

    fn pseudonym(&mut self, epoch: Epoch, device: &DeviceId) -> Result<Pseudonym, StoreError> {
        let at = match self.epochs.iter().position(|(e, _, _)| *e == epoch) {
            Some(at) => at,
            None => {
                let hasher = self.keyring.key_for(epoch)?.hasher();
                self.epochs.push((epoch, hasher, Default::default()));
                self.epochs.len() - 1
            }
        };
        if let Some(pseudonym) = self.epochs[at].2.get(device) {
            return Ok(*pseudonym);
        }
        if self.remembered >= REMEMBERED_DEVICES {
            self.epochs.iter_mut().for_each(|(_, _, seen)| seen.clear());
            self.remembered = 0;
        }
        let (_, hasher, seen) = &mut self.epochs[at];
        let pseudonym = hasher.pseudonym(device);
        seen.insert(device.clone(), pseudonym);
        self.remembered += 1;
        Ok(pseudonym)
    }

    pub fn minimize(&mut self, admitted: Admitted, category: Option<u32>) -> Result<StoredPing, StoreError> {
        let p = admitted.ping();
        let epoch = Epoch::of_unix_seconds(p.time_s).expect("decode bounds timestamps to a representable range");
        let pseudonym = self.pseudonym(epoch, admitted.device())?;
        let cell = LatLng::new(p.latitude, p.longitude)
            .expect("decode bounds coordinates to finite, in-range degrees")
            .to_cell(self.resolution);
        Ok(StoredPing {
            pseudonym,
            cell: u64::from(cell),
            time_s: p.time_s - p.time_s.rem_euclid(self.time_step_s),
            category,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::RawPing;
    use crate::policy::Policy;
    use crate::sensitive::SensitivePlaces;
    use crowdlens_store::{Config, Store};

    #[test]
    fn reused_pseudonyms_equal_fresh_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
        let mut minimizer = Minimizer::new(store.keyring(), &store.config().resolution).unwrap();
        let mut keyring = store.keyring();
        let places = SensitivePlaces::default();
        let policy = Policy { config: &store.config().policy, sensitive: &places };
        let monday = 1_793_577_600;
        // Repeats, a switch, a return, another spelling and the next week's key.
        for (id, t) in
            [("a", monday), ("a", monday + 60), ("b", monday), ("a", monday), ("A", monday), ("a", monday + 8 * 86_400)]
        {
            let device = DeviceId::canonical(id);
            let ping = RawPing {
                device: device.clone(),
                time_s: t,
                latitude: 44.97,
                longitude: -93.26,
                accuracy_m: Some(5.0),
            };
            let row = minimizer.minimize(policy.admit(ping).unwrap(), None).unwrap();
            let epoch = Epoch::of_unix_seconds(t).unwrap();
            assert_eq!(row.pseudonym, keyring.key_for(epoch).unwrap().pseudonym(&device.unwrap()), "{id} {t}");
        }
    }

    #[test]
    fn a_full_memory_of_devices_is_forgotten_not_grown() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(&dir.path().join("st"), &Config::default()).unwrap();
        let mut minimizer = Minimizer::new(store.keyring(), &store.config().resolution).unwrap();
        let mut keyring = store.keyring();
        let epoch = Epoch::of_unix_seconds(1_793_577_600).unwrap();
        let key = keyring.key_for(epoch).unwrap().clone();
        for round in 0..2 {
            for i in 0..(REMEMBERED_DEVICES + 10) {
                let device = DeviceId::canonical(&format!("device-{i}")).unwrap();
                assert_eq!(minimizer.pseudonym(epoch, &device).unwrap(), key.pseudonym(&device), "{round} {i}");
                assert!(minimizer.remembered <= REMEMBERED_DEVICES);
            }
        }
    }
}
