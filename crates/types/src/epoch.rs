//! Epochs are ISO calendar weeks in UTC. They scope both the pseudonym key and the privacy
//! budget, so "one device in one epoch" is the unit every bound refers to.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO week, e.g. `2026-W45`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Epoch {
    pub iso_year: i32,
    pub week: u32,
}

impl Epoch {
    /// The epoch containing a Unix time in seconds. `None` for times chrono cannot represent.
    pub fn of_unix_seconds(seconds: i64) -> Option<Epoch> {
        let date = DateTime::<Utc>::from_timestamp(seconds, 0)?.date_naive();
        Some(Epoch::of_date(date))
    }

    pub fn of_date(date: NaiveDate) -> Epoch {
        let w = date.iso_week();
        Epoch { iso_year: w.year(), week: w.week() }
    }

    /// First second of the epoch (Monday 00:00 UTC).
    pub fn start_unix_seconds(self) -> i64 {
        let monday = NaiveDate::from_isoywd_opt(self.iso_year, self.week, Weekday::Mon)
            .expect("an Epoch is only built from a valid ISO week");
        monday.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp()
    }

    /// First second after the epoch.
    pub fn end_unix_seconds(self) -> i64 {
        self.start_unix_seconds() + 7 * 86_400
    }

    /// Every epoch that overlaps the half-open window `[from, to)`, in order.
    pub fn covering(from_s: i64, to_s: i64) -> Vec<Epoch> {
        let mut out = Vec::new();
        if to_s <= from_s {
            return out;
        }
        let Some(mut epoch) = Epoch::of_unix_seconds(from_s) else { return out };
        loop {
            out.push(epoch);
            let next_start = epoch.end_unix_seconds();
            if next_start >= to_s {
                return out;
            }
            match Epoch::of_unix_seconds(next_start) {
                Some(next) => epoch = next,
                None => return out,
            }
        }
    }
}

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.iso_year, self.week)
    }
}

impl FromStr for Epoch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid epoch {s:?}: expected an ISO week like 2026-W45");
        let (year, week) = s.split_once("-W").ok_or_else(bad)?;
        let iso_year: i32 = year.parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(iso_year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Epoch { iso_year, week })
    }
}

impl TryFrom<String> for Epoch {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Epoch> for String {
    fn from(e: Epoch) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_of_known_date() {
        // 2026-11-02 is a Monday in ISO week 45.
        let e = Epoch::of_unix_seconds(1_793_577_600).unwrap();
        assert_eq!(e.to_string(), "2026-W45");
        assert_eq!(e.start_unix_seconds(), 1_793_577_600);
        assert_eq!("2026-W45".parse::<Epoch>().unwrap(), e);
    }

    #[test]
    fn covering_spans_weeks() {
        let start = 1_793_577_600; // Monday
        assert_eq!(Epoch::covering(start, start + 86_400).len(), 1);
        assert_eq!(Epoch::covering(start, start + 7 * 86_400).len(), 1);
        assert_eq!(Epoch::covering(start, start + 7 * 86_400 + 1).len(), 2);
        assert_eq!(Epoch::covering(start - 1, start + 1).len(), 2);
        assert!(Epoch::covering(start, start).is_empty());
    }

    #[test]
    fn rejects_bad_text() {
        assert!("2026-45".parse::<Epoch>().is_err());
        assert!("2026-W60".parse::<Epoch>().is_err());
    }
}
