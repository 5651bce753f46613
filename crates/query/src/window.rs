//! Time windows: `[from, to)` in Unix seconds, split into equal buckets.

use chrono::{DateTime, NaiveDate};
use crowdlens_control::Rules;
use crowdlens_store::{ResolutionConfig, Store};
use crowdlens_types::span::format_span;
use crowdlens_types::Epoch;

use crate::QueryError;

/// Parses RFC 3339 (`2026-11-02T00:00:00Z`) or a bare date (`2026-11-02`, midnight UTC).
pub fn parse_instant(text: &str) -> Result<i64, QueryError> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp());
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp());
    }
    Err(QueryError::BadWindow(format!(
        "{t:?} is not a time: use RFC 3339 like 2026-11-02T00:00:00Z or a date like 2026-11-02"
    )))
}

/// A checked window with its bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_s: i64,
    pub to_s: i64,
    pub bucket_s: i64,
}

impl Window {
    /// A window of `bucket_s` buckets, held to the rules' shortest bucket and aligned to the
    /// store's time resolution (`floors`).
    pub fn new(
        from_s: i64,
        to_s: i64,
        bucket_s: i64,
        floors: &ResolutionConfig,
        rules: &Rules,
    ) -> Result<Window, QueryError> {
        if to_s <= from_s {
            return Err(QueryError::BadWindow("--to must be after --from".into()));
        }
        if bucket_s < rules.time_finest_bucket_seconds {
            return Err(QueryError::BucketTooFine {
                asked: format_span(bucket_s),
                floor: format_span(rules.time_finest_bucket_seconds),
            });
        }
        if bucket_s % floors.time_store_seconds != 0 {
            return Err(QueryError::BadWindow(format!(
                "--bucket must be a multiple of the store's time resolution ({})",
                format_span(floors.time_store_seconds)
            )));
        }
        if (to_s - from_s) % bucket_s != 0 {
            return Err(QueryError::BadWindow(format!(
                "the window is not a whole number of {} buckets; align --to with --from",
                format_span(bucket_s)
            )));
        }
        if from_s % floors.time_store_seconds != 0 {
            return Err(QueryError::BadWindow(format!(
                "--from must fall on a multiple of the store's time resolution ({})",
                format_span(floors.time_store_seconds)
            )));
        }
        Ok(Window { from_s, to_s, bucket_s })
    }

    pub fn buckets(&self) -> u64 {
        ((self.to_s - self.from_s) / self.bucket_s) as u64
    }

    pub fn bucket_start(&self, index: u64) -> i64 {
        self.from_s + index as i64 * self.bucket_s
    }

    /// First and last UTC day the window touches, for picking day partitions.
    pub fn days(&self) -> (String, String) {
        (utc_day(self.from_s), utc_day(self.to_s - 1))
    }
}

/// Checks a window's length against the rules and its end against the newest epoch the store
/// holds. Both are decided from the question and the store's public metadata (which weeks hold
/// data), never from rows, so refusing costs nothing. Without the length cap one question
/// could charge every epoch from 1970 to 2100; without the end check it could spend the
/// budget of weeks whose data has not arrived yet.
pub(crate) fn check_span(store: &Store, rules: &Rules, from_s: i64, to_s: i64) -> Result<(), QueryError> {
    if to_s <= from_s {
        return Err(QueryError::BadWindow("--to must be after --from".into()));
    }
    let days = (to_s - from_s) as f64 / 86_400.0;
    if days > rules.max_window_days {
        return Err(QueryError::WindowTooLong { days, limit: rules.max_window_days });
    }
    let manifest = store.manifest()?;
    let newest = manifest
        .segments
        .iter()
        .filter_map(|s| NaiveDate::parse_from_str(&s.day, "%Y-%m-%d").ok())
        .max()
        .map(Epoch::of_date)
        .ok_or_else(|| QueryError::WindowOutsideData("the store holds no data yet; ingest a source first".into()))?;
    if to_s > newest.end_unix_seconds() {
        return Err(QueryError::WindowOutsideData(format!(
            "the window reaches past {newest}, the newest week this store holds; end it by {} at the latest",
            utc_day(newest.end_unix_seconds())
        )));
    }
    Ok(())
}

/// The UTC day (`YYYY-MM-DD`) of a Unix time, as the store names its day partitions.
pub(crate) fn utc_day(s: i64) -> String {
    DateTime::from_timestamp(s, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floors() -> ResolutionConfig {
        crowdlens_store::Config::default().resolution
    }

    fn rules() -> Rules {
        crate::release::rules_of_config(&crowdlens_store::Config::default())
    }

    #[test]
    fn instants() {
        assert_eq!(parse_instant("2026-11-02T00:00:00Z").unwrap(), 1_793_577_600);
        assert_eq!(parse_instant("2026-11-02").unwrap(), 1_793_577_600);
        assert!(parse_instant("tomorrow").is_err());
    }

    #[test]
    fn refusals_say_the_floor() {
        let e = Window::new(0, 3600, 300, &floors(), &rules()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bucket 5m is shorter than this store allows (shortest: 15m); use --bucket 15m or longer"
        );
        assert!(Window::new(3600, 0, 3600, &floors(), &rules()).is_err());
        assert!(Window::new(0, 5400, 3600, &floors(), &rules()).is_err());
        let w = Window::new(1_793_577_600, 1_793_577_600 + 86_400, 3600, &floors(), &rules()).unwrap();
        assert_eq!(w.buckets(), 24);
        assert_eq!(w.days(), ("2026-11-02".to_string(), "2026-11-02".to_string()));
    }
}
