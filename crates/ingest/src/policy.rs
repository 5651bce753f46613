//! Admission policy for location rows. [`Admitted`] can only be built by [`Policy::admit`], so
//! the minimiser cannot receive a row that skipped it.

use crowdlens_store::PolicyConfig;

use crate::decode::RawPing;
use crate::sensitive::SensitivePlaces;

/// A ping that passed every policy check.
#[derive(Debug)]
pub struct Admitted(RawPing);

impl Admitted {
    pub fn ping(&self) -> &RawPing {
        &self.0
    }
}

/// Why a valid row was not stored. `Display` gives the summary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drop {
    AccuracyAboveCeiling,
    AccuracyUnknown,
    SensitivePlace(String),
}

impl std::fmt::Display for Drop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drop::AccuracyAboveCeiling => f.write_str("accuracy_above_ceiling"),
            Drop::AccuracyUnknown => f.write_str("accuracy_unknown"),
            Drop::SensitivePlace(c) => write!(f, "sensitive_place:{c}"),
        }
    }
}

pub struct Policy<'a> {
    pub config: &'a PolicyConfig,
    pub sensitive: &'a SensitivePlaces,
}

impl Policy<'_> {
    pub fn admit(&self, ping: RawPing) -> Result<Admitted, Drop> {
        match ping.accuracy_m {
            Some(a) if a > self.config.max_accuracy_m => return Err(Drop::AccuracyAboveCeiling),
            None if !self.config.admit_unknown_accuracy => return Err(Drop::AccuracyUnknown),
            _ => {}
        }
        if let Some(category) = self.sensitive.category_at(ping.latitude, ping.longitude) {
            return Err(Drop::SensitivePlace(category.to_string()));
        }
        Ok(Admitted(ping))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(acc: Option<f64>) -> RawPing {
        RawPing {
            device_id: "d".into(),
            id_type: "IDFA".into(),
            time_s: 1_793_577_600,
            latitude: 44.97,
            longitude: -93.26,
            accuracy_m: acc,
        }
    }

    #[test]
    fn accuracy_ceiling_and_unknown() {
        let places = SensitivePlaces::default();
        let mut config =
            PolicyConfig { max_accuracy_m: 100.0, admit_unknown_accuracy: true, tcf_required_purposes: vec![1] };
        let p = Policy { config: &config, sensitive: &places };
        assert!(p.admit(ping(Some(100.0))).is_ok());
        assert_eq!(p.admit(ping(Some(100.1))).unwrap_err(), Drop::AccuracyAboveCeiling);
        assert!(p.admit(ping(None)).is_ok());
        config.admit_unknown_accuracy = false;
        let p = Policy { config: &config, sensitive: &places };
        assert_eq!(p.admit(ping(None)).unwrap_err().to_string(), "accuracy_unknown");
    }

    #[test]
    fn sensitive_places_drop_by_category() {
        let places = SensitivePlaces::parse(
            r#"{"type":"Feature","properties":{"category":"shelter"},"geometry":{"type":"Point","coordinates":[-93.26,44.97]}}"#,
        )
        .unwrap();
        let config =
            PolicyConfig { max_accuracy_m: 100.0, admit_unknown_accuracy: true, tcf_required_purposes: vec![1] };
        let p = Policy { config: &config, sensitive: &places };
        assert_eq!(p.admit(ping(Some(5.0))).unwrap_err().to_string(), "sensitive_place:shelter");
    }
}
