//! Admission policy for location rows. [`Admitted`] can only be built by [`Policy::admit`], so
//! the minimiser cannot receive a row that skipped it.

use crowdlens_store::PolicyConfig;
use crowdlens_types::DeviceId;

use crate::decode::RawPing;
use crate::sensitive::SensitivePlaces;

/// A ping that passed every policy check, with the device it belongs to.
pub struct Admitted {
    ping: RawPing,
    device: DeviceId,
}

impl std::fmt::Debug for Admitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Admitted(..)")
    }
}

impl Admitted {
    pub fn ping(&self) -> &RawPing {
        &self.ping
    }

    pub fn device(&self) -> &DeviceId {
        &self.device
    }
}

/// Why a valid row was not stored. `Display` gives the summary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drop {
    /// The row's id names no device: empty after canonicalising, the all-zero id, or labelled
    /// by the feed as a cookie or publisher id. Such ids must never become privacy units.
    NoAdvertisingId,
    AccuracyAboveCeiling,
    AccuracyUnknown,
    SensitivePlace(String),
}

impl std::fmt::Display for Drop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drop::NoAdvertisingId => f.write_str(NO_ADVERTISING_ID),
            Drop::AccuracyAboveCeiling => f.write_str("accuracy_above_ceiling"),
            Drop::AccuracyUnknown => f.write_str("accuracy_unknown"),
            Drop::SensitivePlace(c) => write!(f, "sensitive_place:{c}"),
        }
    }
}

/// The drop reason of a row or request without a device's advertising id.
pub const NO_ADVERTISING_ID: &str = "no_advertising_id";

pub struct Policy<'a> {
    pub config: &'a PolicyConfig,
    pub sensitive: &'a SensitivePlaces,
}

impl Policy<'_> {
    pub fn admit(&self, mut ping: RawPing) -> Result<Admitted, Drop> {
        // Moved, not cloned: this runs for every row. From here on the device is read from
        // `Admitted::device`.
        let device = std::mem::replace(&mut ping.device, Err(crowdlens_types::NotADevice::Empty))
            .map_err(|_| Drop::NoAdvertisingId)?;
        match ping.accuracy_m {
            Some(a) if a > self.config.max_accuracy_m => return Err(Drop::AccuracyAboveCeiling),
            None if !self.config.admit_unknown_accuracy => return Err(Drop::AccuracyUnknown),
            _ => {}
        }
        if let Some(category) = self.sensitive.category_at(ping.latitude, ping.longitude) {
            return Err(Drop::SensitivePlace(category.to_string()));
        }
        Ok(Admitted { ping, device })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(acc: Option<f64>) -> RawPing {
        RawPing {
            device: DeviceId::canonical("d"),
            time_s: 1_793_577_600,
            latitude: 44.97,
            longitude: -93.26,
            accuracy_m: acc,
        }
    }

    #[test]
    fn accuracy_ceiling_and_unknown() {
        let places = SensitivePlaces::default();
        let mut config = PolicyConfig {
            max_accuracy_m: 100.0,
            admit_unknown_accuracy: true,
            admit_untyped_geo: false,
            tcf_required_purposes: vec![1],
        };
        let p = Policy { config: &config, sensitive: &places };
        assert!(p.admit(ping(Some(100.0))).is_ok());
        assert_eq!(p.admit(ping(Some(100.1))).unwrap_err(), Drop::AccuracyAboveCeiling);
        assert!(p.admit(ping(None)).is_ok());
        config.admit_unknown_accuracy = false;
        let p = Policy { config: &config, sensitive: &places };
        assert_eq!(p.admit(ping(None)).unwrap_err().to_string(), "accuracy_unknown");
    }

    #[test]
    fn rows_without_a_device_are_dropped() {
        let places = SensitivePlaces::default();
        let config = crowdlens_store::Config::default().policy;
        let p = Policy { config: &config, sensitive: &places };
        let zero = RawPing { device: DeviceId::canonical("00000000-0000-0000-0000-000000000000"), ..ping(Some(5.0)) };
        assert_eq!(p.admit(zero).unwrap_err().to_string(), "no_advertising_id");
        assert_eq!(format!("{:?}", p.admit(ping(Some(5.0))).unwrap()), "Admitted(..)");
    }

    #[test]
    fn sensitive_places_drop_by_category() {
        let places = SensitivePlaces::parse(
            r#"{"type":"Feature","properties":{"category":"shelter"},"geometry":{"type":"Point","coordinates":[-93.26,44.97]}}"#,
        )
        .unwrap();
        let config = PolicyConfig {
            max_accuracy_m: 100.0,
            admit_unknown_accuracy: true,
            admit_untyped_geo: false,
            tcf_required_purposes: vec![1],
        };
        let p = Policy { config: &config, sensitive: &places };
        assert_eq!(p.admit(ping(Some(5.0))).unwrap_err().to_string(), "sensitive_place:shelter");
    }
}
