//! Store configuration, kept as commented TOML so an operator can read what each default means.

use serde::{Deserialize, Serialize};

use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub resolution: ResolutionConfig,
    pub policy: PolicyConfig,
    pub privacy: PrivacyConfig,
    #[serde(default)]
    pub map: MapConfig,
    #[serde(default)]
    pub engine: EngineConfig,
}

/// Where questions' plans run when a command does not say (`--engine`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// A Ballista cluster's scheduler, `df://HOST:PORT`; this process when absent.
    #[serde(default)]
    pub cluster: Option<String>,
}

/// How the web UI draws the store's region. Public: it names a region, never data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    /// Where the map opens: `[min_lon, min_lat, max_lon, max_lat]`.
    #[serde(default)]
    pub home: Option<[f64; 4]>,
    /// The region the store's feeds cover, as the operator declares it (never computed from
    /// the rows, which would make it depend on them): the UI warns when an area lies outside.
    #[serde(default)]
    pub coverage: Option<[f64; 4]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionConfig {
    /// H3 resolution of stored cells.
    pub h3_store: u8,
    /// Finest H3 resolution a question may ask for.
    pub h3_finest_question: u8,
    /// H3 resolution questions use when they do not say.
    pub h3_default_question: u8,
    /// Stored times are floored to this many seconds.
    pub time_store_seconds: i64,
    /// Shortest time bucket a question may ask for, in seconds.
    pub time_finest_bucket_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Pings whose horizontal accuracy is worse (larger) than this many metres are dropped.
    pub max_accuracy_m: f64,
    /// Whether pings with no accuracy column at all are admitted.
    pub admit_unknown_accuracy: bool,
    /// Whether a bid request's `device.geo` without `type` is taken as a precise fix. Off by
    /// default: the fix may come from the IP address (type 2), which is too coarse and too
    /// often wrong. Many exchanges omit the type even for GPS fixes; turn this on only for a
    /// feed known to send device locations there.
    #[serde(default)]
    pub admit_untyped_geo: bool,
    /// TCF purposes a bid request under the GDPR must have consent for, besides Special
    /// Feature 1 (precise geolocation), which is always required.
    #[serde(default = "default_tcf_required_purposes")]
    pub tcf_required_purposes: Vec<u16>,
}

/// 1 = store and/or access information on a device; 9 = understand audiences through
/// statistics. Aggregate location statistics rest on both.
pub fn default_tcf_required_purposes() -> Vec<u16> {
    vec![1, 9]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Total ε each epoch (ISO week) may spend across all questions and cases.
    pub epsilon_per_epoch: f64,
    /// Total δ each epoch may spend (only the gaussian mechanism spends δ).
    pub delta_per_epoch: f64,
    /// δ a single gaussian question spends.
    pub delta_per_question: f64,
    /// Default bound L: partitions one device may contribute to in one question.
    pub default_max_partitions: u32,
    /// Largest number of released partitions (cells × buckets) in one question.
    pub max_partitions_per_question: u64,
    /// Purposes a question may name.
    pub purposes: Vec<String>,
    /// Largest ε one question may spend.
    #[serde(default = "default_max_epsilon_per_question")]
    pub max_epsilon_per_question: f64,
    /// Smallest ε one question may spend.
    #[serde(default = "default_min_epsilon_per_question")]
    pub min_epsilon_per_question: f64,
    /// Longest window one question may cover, in days.
    #[serde(default = "default_max_window_days")]
    pub max_window_days: u32,
    /// Epochs older than this many weeks are deleted and their keys destroyed by
    /// `crowdlens retention apply`.
    #[serde(default = "default_retention_weeks")]
    pub retention_weeks: u32,
}

/// One question may spend at most ε = 1: with the default L = 4, a released count's 95%
/// interval is then about ±12 devices, and a single question can never pin a count down.
pub fn default_max_epsilon_per_question() -> f64 {
    1.0
}

/// Below ε = 0.01 a question costs next to nothing against a week's budget while it still reads
/// the data: without a floor an exhausted week would still answer millions of tiny questions.
pub fn default_min_epsilon_per_question() -> f64 {
    0.01
}

/// A season: long enough for a baseline and a comparison, short enough that one question
/// cannot charge a year of epochs.
pub fn default_max_window_days() -> u32 {
    92
}

/// Half a year, then the epoch's rows and its key are destroyed.
pub fn default_retention_weeks() -> u32 {
    26
}

impl Default for Config {
    fn default() -> Self {
        Config {
            resolution: ResolutionConfig {
                h3_store: 10,
                h3_finest_question: 9,
                h3_default_question: 8,
                time_store_seconds: 300,
                time_finest_bucket_seconds: 900,
            },
            policy: PolicyConfig {
                max_accuracy_m: 200.0,
                admit_unknown_accuracy: true,
                admit_untyped_geo: false,
                tcf_required_purposes: default_tcf_required_purposes(),
            },
            privacy: PrivacyConfig {
                epsilon_per_epoch: 10.0,
                delta_per_epoch: 1e-5,
                delta_per_question: 1e-7,
                default_max_partitions: 4,
                max_partitions_per_question: 1_000_000,
                purposes: vec![
                    "fraud-investigation".into(),
                    "public-health".into(),
                    "transport-planning".into(),
                    "emergency-response".into(),
                    "research".into(),
                    "oversight".into(),
                ],
                max_epsilon_per_question: default_max_epsilon_per_question(),
                min_epsilon_per_question: default_min_epsilon_per_question(),
                max_window_days: default_max_window_days(),
                retention_weeks: default_retention_weeks(),
            },
            map: MapConfig::default(),
            engine: EngineConfig::default(),
        }
    }
}

impl Config {
    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    pub fn validate(&self) -> Result<(), StoreError> {
        let bad = |m: String| Err(StoreError::InvalidSetting(m));
        let r = &self.resolution;
        if r.h3_store > 15 {
            return bad(format!("resolution.h3_store must be 0..=15 (got {})", r.h3_store));
        }
        if r.h3_finest_question > r.h3_store {
            return bad(format!(
                "resolution.h3_finest_question ({}) cannot be finer than resolution.h3_store ({})",
                r.h3_finest_question, r.h3_store
            ));
        }
        if r.h3_default_question > r.h3_finest_question {
            return bad("resolution.h3_default_question cannot be finer than h3_finest_question".into());
        }
        if r.time_store_seconds <= 0 || 86_400 % r.time_store_seconds != 0 {
            return bad(format!(
                "resolution.time_store_seconds must divide a day evenly (got {})",
                r.time_store_seconds
            ));
        }
        if r.time_finest_bucket_seconds < r.time_store_seconds
            || r.time_finest_bucket_seconds % r.time_store_seconds != 0
        {
            return bad("resolution.time_finest_bucket_seconds must be a multiple of time_store_seconds".into());
        }
        let p = &self.privacy;
        if !(p.epsilon_per_epoch.is_finite() && p.epsilon_per_epoch > 0.0) {
            return bad("privacy.epsilon_per_epoch must be a positive number".into());
        }
        if !(p.delta_per_epoch >= 0.0 && p.delta_per_epoch < 1.0) {
            return bad("privacy.delta_per_epoch must be in [0, 1)".into());
        }
        if !(p.max_epsilon_per_question.is_finite() && p.max_epsilon_per_question > 0.0) {
            return bad("privacy.max_epsilon_per_question must be a positive number".into());
        }
        if !(p.min_epsilon_per_question.is_finite()
            && p.min_epsilon_per_question > 0.0
            && p.min_epsilon_per_question <= p.max_epsilon_per_question)
        {
            return bad("privacy.min_epsilon_per_question must be positive and at most max_epsilon_per_question".into());
        }
        if !(p.delta_per_question >= 0.0 && p.delta_per_question < 1.0) {
            return bad("privacy.delta_per_question must be in [0, 1)".into());
        }
        if p.max_window_days == 0 {
            return bad("privacy.max_window_days must be at least 1".into());
        }
        if p.retention_weeks == 0 {
            return bad("privacy.retention_weeks must be at least 1".into());
        }
        if p.default_max_partitions == 0 {
            return bad("privacy.default_max_partitions must be at least 1".into());
        }
        // Written so that NaN is refused too.
        if let Some(p) = self.policy.tcf_required_purposes.iter().find(|p| !(1..=24).contains(*p)) {
            return bad(format!("policy.tcf_required_purposes: {p} is not a TCF purpose (1 to 24)"));
        }
        if self.policy.max_accuracy_m.is_nan() || self.policy.max_accuracy_m <= 0.0 {
            return bad("policy.max_accuracy_m must be positive".into());
        }
        for (name, bbox) in [("map.home", self.map.home), ("map.coverage", self.map.coverage)] {
            let Some([min_lon, min_lat, max_lon, max_lat]) = bbox else { continue };
            let ok = (-180.0..=180.0).contains(&min_lon)
                && (-180.0..=180.0).contains(&max_lon)
                && (-90.0..=90.0).contains(&min_lat)
                && (-90.0..=90.0).contains(&max_lat)
                && min_lon < max_lon
                && min_lat < max_lat;
            if !ok {
                return bad(format!("{name} must be [min_lon, min_lat, max_lon, max_lat] with min < max, in degrees"));
            }
        }
        Ok(())
    }

    /// The configuration as TOML with a comment on every setting.
    pub fn to_documented_toml(&self) -> String {
        let r = &self.resolution;
        let p = &self.policy;
        let v = &self.privacy;
        let purposes = v.purposes.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
        format!(
            r#"# crowdlens store configuration. Edit with care: changing resolutions affects only new data.

[resolution]
# H3 resolution of stored cells (10 ≈ 0.015 km² hexagons).
h3_store = {}
# Finest H3 resolution a question may ask for; finer questions are refused.
h3_finest_question = {}
# Resolution used when a question does not pass --res.
h3_default_question = {}
# Stored times are floored to this many seconds (minimisation).
time_store_seconds = {}
# Shortest time bucket a question may ask for, in seconds.
time_finest_bucket_seconds = {}

[policy]
# Pings with horizontal accuracy worse than this many metres are dropped (IP-based fixes).
max_accuracy_m = {:?}
# Admit pings from feeds that carry no accuracy column at all.
admit_unknown_accuracy = {}
# Admit bid requests whose device.geo has lat/lon but no `type`. Off: such a fix may be
# derived from the IP address. Turn on only for an exchange known to send device locations
# without the type; requests are then dropped as geo_type_unknown no more.
admit_untyped_geo = {}
# Bid requests under the GDPR need Special Feature 1 (precise geolocation) opted in and
# consent for each of these TCF purposes (1 = store/access on a device, 9 = audience statistics).
tcf_required_purposes = {:?}

[privacy]
# Every rule in this section (budgets, per-question caps and floors, retention, the default
# bound, the partition cap and the purposes), and the two question floors in [resolution]
# (h3_finest_question, time_finest_bucket_seconds), is recorded in the ledger (control.sqlite)
# when the store is created, and the ledger's values apply from then on: editing them here
# changes nothing. Change them with `crowdlens budget set --rule NAME=VALUE --reason TEXT`,
# which writes an audit entry that the transparency report lists.
# Total epsilon each epoch (ISO week, UTC) may spend, across every case and analyst.
epsilon_per_epoch = {:?}
# Total delta each epoch may spend (gaussian noise and thresholded keys spend delta).
delta_per_epoch = {:e}
# Delta one gaussian or thresholded question spends.
delta_per_question = {:e}
# Largest epsilon one question may spend.
max_epsilon_per_question = {:?}
# Smallest epsilon one question may spend (a tinier one would be nearly free yet read data).
min_epsilon_per_question = {:?}
# Longest window one question may cover, in days.
max_window_days = {}
# Epochs older than this many weeks are deleted, and their keys destroyed: at every ingest,
# when `serve` starts and daily while it runs, and by `crowdlens retention apply`.
retention_weeks = {}
# Default contribution bound L: partitions one device may add to in one question.
default_max_partitions = {}
# Largest number of released partitions (cells x buckets) one question may ask for.
max_partitions_per_question = {}
# Purposes a question may name with --purpose.
purposes = [{}]

[map]
# Where the web UI's map opens: [min_lon, min_lat, max_lon, max_lat] (public; names a region).
{}
# The region the feeds cover, as you declare it (public; never computed from the data): the
# web UI warns when an area lies outside it.
{}

[engine]
# Where questions run when a command gives no --engine: a Ballista cluster's scheduler started
# with `crowdlens cluster scheduler` (df://HOST:PORT), or, when absent, this process.
{}
"#,
            r.h3_store,
            r.h3_finest_question,
            r.h3_default_question,
            r.time_store_seconds,
            r.time_finest_bucket_seconds,
            p.max_accuracy_m,
            p.admit_unknown_accuracy,
            p.admit_untyped_geo,
            p.tcf_required_purposes,
            v.epsilon_per_epoch,
            v.delta_per_epoch,
            v.delta_per_question,
            v.max_epsilon_per_question,
            v.min_epsilon_per_question,
            v.max_window_days,
            v.retention_weeks,
            v.default_max_partitions,
            v.max_partitions_per_question,
            purposes,
            match self.map.home {
                Some(h) => format!("home = {h:?}"),
                None => "# home = [-93.40, 44.85, -92.98, 45.10]".into(),
            },
            match self.map.coverage {
                Some(c) => format!("coverage = {c:?}"),
                None => "# coverage = [-93.40, 44.85, -92.98, 45.10]".into(),
            },
            match &self.engine.cluster {
                Some(c) => format!("cluster = {c:?}"),
                None => "# cluster = \"df://127.0.0.1:50050\"".into(),
            }
        )
    }
}
