//! Minimisation: the raw id becomes a keyed pseudonym, the coordinate an H3 cell and the time
//! a floored bucket. What comes out is all the store ever sees.

use crowdlens_store::{Keyring, ResolutionConfig, StoreError};
use crowdlens_types::{DeviceId, Epoch, Pseudonym, StoredPing};
use h3o::{LatLng, Resolution};

use crate::policy::Admitted;

pub struct Minimizer {
    keyring: Keyring,
    resolution: Resolution,
    time_step_s: i64,
    /// The previous row's identity and pseudonym. Feeds list a device's pings together, so
    /// most rows reuse it instead of computing the HMAC again. It is in memory only, like
    /// the `RawPing` it came from, and goes with the run.
    last: Option<(Epoch, DeviceId, Pseudonym)>,
}

impl Minimizer {
    pub fn new(keyring: Keyring, config: &ResolutionConfig) -> Result<Minimizer, StoreError> {
        let resolution = Resolution::try_from(config.h3_store)
            .map_err(|e| StoreError::InvalidSetting(format!("resolution.h3_store: {e}")))?;
        Ok(Minimizer { keyring, resolution, time_step_s: config.time_store_seconds, last: None })
    }

    pub fn minimize(&mut self, admitted: Admitted, category: Option<u32>) -> Result<StoredPing, StoreError> {
        let p = admitted.ping();
        let device = admitted.device();
        let epoch = Epoch::of_unix_seconds(p.time_s).expect("decode bounds timestamps to a representable range");
        let pseudonym = match &self.last {
            Some((e, id, pseudonym)) if *e == epoch && id == device => *pseudonym,
            _ => {
                let pseudonym = self.keyring.key_for(epoch)?.pseudonym(device);
                self.last = Some((epoch, device.clone(), pseudonym));
                pseudonym
            }
        };
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
}
