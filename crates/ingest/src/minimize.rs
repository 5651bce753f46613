//! Minimisation: the raw id becomes a keyed pseudonym, the coordinate an H3 cell and the time
//! a floored bucket. What comes out is all the store ever sees.

use crowdlens_store::{Keyring, ResolutionConfig, StoreError};
use crowdlens_types::{Epoch, Pseudonym, StoredPing};
use h3o::{LatLng, Resolution};

use crate::policy::Admitted;

pub struct Minimizer {
    keyring: Keyring,
    resolution: Resolution,
    time_step_s: i64,
    /// The previous row's identity and pseudonym. Feeds list a device's pings together, so
    /// most rows reuse it instead of computing the HMAC again. It is in memory only, like
    /// the `RawPing` it came from, and goes with the run.
    last: Option<(Epoch, String, String, Pseudonym)>,
}

impl Minimizer {
    pub fn new(keyring: Keyring, config: &ResolutionConfig) -> Result<Minimizer, StoreError> {
        let resolution = Resolution::try_from(config.h3_store)
            .map_err(|e| StoreError::InvalidSetting(format!("resolution.h3_store: {e}")))?;
        Ok(Minimizer { keyring, resolution, time_step_s: config.time_store_seconds, last: None })
    }

    pub fn minimize(&mut self, admitted: Admitted, category: Option<u32>) -> Result<StoredPing, StoreError> {
        let p = admitted.ping();
        let epoch = Epoch::of_unix_seconds(p.time_s).expect("decode bounds timestamps to a representable range");
        let pseudonym = match &self.last {
            Some((e, id_type, id, pseudonym)) if *e == epoch && *id_type == p.id_type && *id == p.device_id => {
                *pseudonym
            }
            _ => {
                let pseudonym = self.keyring.key_for(epoch)?.pseudonym(&p.id_type, &p.device_id);
                self.last = Some((epoch, p.id_type.clone(), p.device_id.clone(), pseudonym));
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
        // Repeats, a switch, a return, another id type and the next week's key.
        for (id_type, id, t) in [
            ("IDFA", "a", monday),
            ("IDFA", "a", monday + 60),
            ("IDFA", "b", monday),
            ("IDFA", "a", monday),
            ("AAID", "a", monday),
            ("IDFA", "a", monday + 8 * 86_400),
        ] {
            let ping = RawPing {
                device_id: id.into(),
                id_type: id_type.into(),
                time_s: t,
                latitude: 44.97,
                longitude: -93.26,
                accuracy_m: Some(5.0),
            };
            let row = minimizer.minimize(policy.admit(ping).unwrap(), None).unwrap();
            let epoch = Epoch::of_unix_seconds(t).unwrap();
            assert_eq!(row.pseudonym, keyring.key_for(epoch).unwrap().pseudonym(id_type, id), "{id_type} {id} {t}");
        }
    }
}
