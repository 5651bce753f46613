//! Minimisation: the raw id becomes a keyed pseudonym, the coordinate an H3 cell and the time
//! a floored bucket. What comes out is all the store ever sees.

use crowdlens_store::{Keyring, ResolutionConfig, StoreError};
use crowdlens_types::{Epoch, StoredPing};
use h3o::{LatLng, Resolution};

use crate::policy::Admitted;

pub struct Minimizer {
    keyring: Keyring,
    resolution: Resolution,
    time_step_s: i64,
}

impl Minimizer {
    pub fn new(keyring: Keyring, config: &ResolutionConfig) -> Result<Minimizer, StoreError> {
        let resolution = Resolution::try_from(config.h3_store)
            .map_err(|e| StoreError::InvalidSetting(format!("resolution.h3_store: {e}")))?;
        Ok(Minimizer { keyring, resolution, time_step_s: config.time_store_seconds })
    }

    pub fn minimize(&mut self, admitted: Admitted, category: Option<u32>) -> Result<StoredPing, StoreError> {
        let p = admitted.ping();
        let epoch = Epoch::of_unix_seconds(p.time_s).expect("decode bounds timestamps to a representable range");
        let key = self.keyring.key_for(epoch)?;
        let pseudonym = key.pseudonym(&p.id_type, &p.device_id);
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
