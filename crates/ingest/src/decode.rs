//! Field-level decoding. Every failure is a [`Reject`] whose text is safe to write to the
//! quarantine: it names what was wrong, never the value.

use chrono::{DateTime, NaiveDateTime, Utc};
use crowdlens_types::{DeviceId, NotADevice};
use std::fmt;

/// A decoded ping. It still holds the device's advertising id, so it never leaves memory: the
/// only way onward is through [`crate::policy`] and [`crate::minimize`].
#[derive(Clone, PartialEq)]
pub struct RawPing {
    /// The canonical advertising id, or why the row's id names no device (the policy drops
    /// such rows by reason).
    pub device: Result<DeviceId, NotADevice>,
    pub time_s: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: Option<f64>,
}

impl fmt::Debug for RawPing {
    // Location and time are as identifying as the id itself: a raw ping prints as a shape only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawPing(..)")
    }
}

/// Why a row was quarantined. Stable snake_case codes, so counts can be compared across runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reject {
    WrongFieldCount,
    RecordTooLong,
    InvalidUtf8,
    EmptyDeviceId,
    DeviceIdTooLong,
    BadLatitude,
    BadLongitude,
    LatitudeLongitudeSwapped,
    NullIsland,
    BadTimestamp,
    TimestampOutOfRange,
    BadAccuracy,
    MalformedCsv,
    InvalidJson,
    NotABidRequest,
    MissingTime,
    RequestNotFound,
}

impl Reject {
    pub fn code(self) -> &'static str {
        match self {
            Reject::WrongFieldCount => "wrong_field_count",
            Reject::RecordTooLong => "record_too_long",
            Reject::InvalidUtf8 => "invalid_utf8",
            Reject::EmptyDeviceId => "empty_device_id",
            Reject::DeviceIdTooLong => "device_id_too_long",
            Reject::BadLatitude => "bad_latitude",
            Reject::BadLongitude => "bad_longitude",
            Reject::LatitudeLongitudeSwapped => "latitude_longitude_swapped",
            Reject::NullIsland => "null_island",
            Reject::BadTimestamp => "bad_timestamp",
            Reject::TimestampOutOfRange => "timestamp_out_of_range",
            Reject::BadAccuracy => "bad_accuracy",
            Reject::MalformedCsv => "malformed_csv",
            Reject::InvalidJson => "invalid_json",
            Reject::NotABidRequest => "not_a_bid_request",
            Reject::MissingTime => "missing_time",
            Reject::RequestNotFound => "request_not_found",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Reject::WrongFieldCount => "the row has a different number of fields than the header (truncated line?)",
            Reject::RecordTooLong => "the record is longer than the limit (64 KiB for CSV rows, 1 MiB for JSON lines)",
            Reject::InvalidUtf8 => "a required field is not valid UTF-8",
            Reject::EmptyDeviceId => "the device id is empty",
            Reject::DeviceIdTooLong => "the device id is longer than 256 bytes",
            Reject::BadLatitude => "latitude is not a number in [-90, 90]",
            Reject::BadLongitude => "longitude is not a number in [-180, 180]",
            Reject::LatitudeLongitudeSwapped => {
                "latitude is outside [-90, 90] but would be a valid longitude, and the longitude a valid latitude: \
                 the two columns are likely swapped (map them with --map latitude=COLUMN --map longitude=COLUMN)"
            }
            Reject::NullIsland => "latitude and longitude are both 0 (a missing fix)",
            Reject::BadTimestamp => "timestamp is neither Unix seconds/ms/µs nor an ISO 8601 date-time",
            Reject::TimestampOutOfRange => "timestamp is before 2000-01-01 or more than a day in the future",
            Reject::BadAccuracy => "horizontal accuracy is not a non-negative number",
            Reject::MalformedCsv => "the CSV record could not be parsed",
            Reject::InvalidJson => "the line is not one complete JSON object",
            Reject::NotABidRequest => {
                "a field the bid request needs has the wrong JSON type (see OpenRTB 2.6 section 3.2)"
            }
            Reject::MissingTime => {
                "the request's time is unknown: no value at --time-field, no ext.ts, and no --received-at"
            }
            Reject::RequestNotFound => "the line has no JSON object at the path --request-field names",
        }
    }
}

/// Longest raw record accepted; longer rows are quarantined rather than parsed.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
const MAX_DEVICE_ID_BYTES: usize = 256;
/// 2000-01-01T00:00:00Z: feeds before the ad-id era are corrupt, not historical.
const EARLIEST_S: i64 = 946_684_800;

/// The field values of one row, in crowdlens' terms.
pub struct Fields<'a> {
    pub device_id: &'a [u8],
    pub id_type: Option<&'a [u8]>,
    pub timestamp: &'a [u8],
    pub latitude: &'a [u8],
    pub longitude: &'a [u8],
    pub accuracy: Option<&'a [u8]>,
}

/// Decodes one row. `now_s` bounds timestamps from above (a day of clock skew is allowed).
///
/// The id type column, where a feed has one, never enters the pseudonym: typing an id by a
/// column that one feed has and another lacks would split a device (see [`DeviceId`]). It is
/// read only to notice ids that are not advertising ids at all (cookies, publisher ids).
pub fn decode(f: &Fields<'_>, now_s: i64) -> Result<RawPing, Reject> {
    let device_id = std::str::from_utf8(f.device_id).map_err(|_| Reject::InvalidUtf8)?;
    let not_a_device = match f.id_type {
        Some(b) => NotADevice::is_non_device_label(std::str::from_utf8(b).map_err(|_| Reject::InvalidUtf8)?),
        None => false,
    };
    let latitude = parse_f64(f.latitude).ok_or(Reject::BadLatitude)?;
    let longitude = parse_f64(f.longitude).ok_or(Reject::BadLongitude)?;
    let ts = std::str::from_utf8(f.timestamp).map_err(|_| Reject::BadTimestamp)?;
    let time_s = parse_timestamp(ts)?;
    let accuracy_m = match f.accuracy {
        None => None,
        Some(b) if b.iter().all(|c| c.is_ascii_whitespace()) => None,
        Some(b) => Some(parse_f64(b).ok_or(Reject::BadAccuracy)?),
    };
    RawPing::identified(device_id, not_a_device, time_s, latitude, longitude, accuracy_m, now_s)
}

impl RawPing {
    /// A ping whose values are already typed, from its raw device id: canonicalises the id
    /// (unless `not_a_device`, which the id type column said) and checks the values. Text rows
    /// come here after [`decode`] parses them; generated feeds come here directly.
    pub fn identified(
        device_id: &str,
        not_a_device: bool,
        time_s: i64,
        latitude: f64,
        longitude: f64,
        accuracy_m: Option<f64>,
        now_s: i64,
    ) -> Result<RawPing, Reject> {
        let device = match device_id.trim() {
            "" => return Err(Reject::EmptyDeviceId),
            _ if not_a_device => Err(NotADevice::NotAnAdvertisingId),
            raw => DeviceId::canonical(raw),
        };
        RawPing::validated(device, time_s, latitude, longitude, accuracy_m, now_s)
    }
}

impl RawPing {
    /// Checks values that arrived already typed (as in JSON) or were just parsed (as in CSV),
    /// so both sources share one notion of a valid ping. The device is canonicalised by the
    /// caller, once.
    pub fn validated(
        device: Result<DeviceId, NotADevice>,
        time_s: i64,
        latitude: f64,
        longitude: f64,
        accuracy_m: Option<f64>,
        now_s: i64,
    ) -> Result<RawPing, Reject> {
        if device.as_ref().is_ok_and(|d| d.as_str().len() > MAX_DEVICE_ID_BYTES) {
            return Err(Reject::DeviceIdTooLong);
        }
        if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
            let swapped = (-180.0..=180.0).contains(&latitude) && (-90.0..=90.0).contains(&longitude);
            return Err(if swapped { Reject::LatitudeLongitudeSwapped } else { Reject::BadLatitude });
        }
        if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
            return Err(Reject::BadLongitude);
        }
        if latitude == 0.0 && longitude == 0.0 {
            return Err(Reject::NullIsland);
        }
        if !(EARLIEST_S..=now_s + 86_400).contains(&time_s) {
            return Err(Reject::TimestampOutOfRange);
        }
        if accuracy_m.is_some_and(|a| !(a.is_finite() && a >= 0.0)) {
            return Err(Reject::BadAccuracy);
        }
        Ok(RawPing { device, time_s, latitude, longitude, accuracy_m })
    }
}

fn parse_f64(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?.trim();
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Parses Unix time in seconds, milliseconds, microseconds or nanoseconds (told apart by
/// magnitude, which is unambiguous for dates after 2001), or an ISO 8601 / RFC 3339 date-time.
/// Date-times without a zone are taken as UTC. Returns whole seconds.
pub fn parse_timestamp(text: &str) -> Result<i64, Reject> {
    let s = text.trim();
    if s.is_empty() {
        return Err(Reject::BadTimestamp);
    }
    if s.bytes().all(|c| c.is_ascii_digit()) {
        // Whole Unix time, the common case: integer division is exact where dividing a
        // float is not (a microsecond value can round up into the next second).
        if let Ok(v) = s.parse::<u64>() {
            let seconds = match v {
                0..100_000_000_000 => v,
                100_000_000_000..100_000_000_000_000 => v / 1_000,
                100_000_000_000_000..100_000_000_000_000_000 => v / 1_000_000,
                _ => v / 1_000_000_000,
            };
            return i64::try_from(seconds).map_err(|_| Reject::TimestampOutOfRange);
        }
    }
    if s.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'-') && s.bytes().any(|c| c.is_ascii_digit()) {
        let v: f64 = s.parse().map_err(|_| Reject::BadTimestamp)?;
        if !v.is_finite() || v < 0.0 {
            return Err(Reject::TimestampOutOfRange);
        }
        let seconds = if v < 1e11 {
            v
        } else if v < 1e14 {
            v / 1e3
        } else if v < 1e17 {
            v / 1e6
        } else if v < 1e20 {
            v / 1e9
        } else {
            return Err(Reject::TimestampOutOfRange);
        };
        return Ok(seconds.floor() as i64);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y/%m/%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc().timestamp());
        }
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Ok(t.with_timezone(&Utc).timestamp());
        }
    }
    Err(Reject::BadTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn fields<'a>(id: &'a str, ts: &'a str, lat: &'a str, lon: &'a str, acc: Option<&'a str>) -> Fields<'a> {
        Fields {
            device_id: id.as_bytes(),
            id_type: Some(b"idfa"),
            timestamp: ts.as_bytes(),
            latitude: lat.as_bytes(),
            longitude: lon.as_bytes(),
            accuracy: acc.map(str::as_bytes),
        }
    }

    #[test]
    fn timestamp_units_agree() {
        let want = 1_793_577_600;
        for text in [
            "1793577600",
            "1793577600000",
            "1793577600000000",
            "1793577600000000000",
            "1793577600.25",
            "2026-11-02T00:00:00Z",
            "2026-11-02T01:00:00+01:00",
            "2026-11-02 00:00:00",
            "2026-11-02T00:00:00.500",
            " 2026-11-02 00:00:00 ",
        ] {
            assert_eq!(parse_timestamp(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn whole_timestamps_never_round_into_the_next_second() {
        assert_eq!(parse_timestamp("1793577600999999"), Ok(1_793_577_600));
        assert_eq!(parse_timestamp("1793577600999999999"), Ok(1_793_577_600));
        assert_eq!(parse_timestamp("99999999999999999999"), Err(Reject::TimestampOutOfRange));
    }

    #[test]
    fn timestamp_garbage_is_rejected() {
        for text in ["", "yesterday", "2026-13-40 00:00:00", "NaN", "1e400", "--"] {
            assert!(parse_timestamp(text).is_err(), "{text}");
        }
    }

    #[test]
    fn decodes_a_good_row() {
        let p = decode(&fields("ABC", "1793577600000", "44.97", "-93.26", Some("12.5")), NOW).unwrap();
        assert_eq!(p.device.unwrap().as_str(), "abc");
        assert_eq!(p.accuracy_m, Some(12.5));
        assert_eq!(p.time_s, 1_793_577_600);
    }

    #[test]
    fn debug_prints_no_id_place_or_time() {
        let p = decode(&fields("secret-id", "1793577600000", "44.97", "-93.26", None), NOW).unwrap();
        assert_eq!(format!("{p:?}"), "RawPing(..)");
    }

    #[test]
    fn each_bad_field_has_its_reason() {
        let cases = [
            (fields("", "1793577600", "1", "1", None), Reject::EmptyDeviceId),
            (fields("a", "1793577600", "NaN", "1", None), Reject::BadLatitude),
            (fields("a", "1793577600", "91", "1", None), Reject::LatitudeLongitudeSwapped),
            (fields("a", "1793577600", "-93.26", "44.97", None), Reject::LatitudeLongitudeSwapped),
            (fields("a", "1793577600", "191", "1", None), Reject::BadLatitude),
            (fields("a", "1793577600", "95", "-93.1", None), Reject::BadLatitude),
            (fields("a", "1793577600", "1", "-180.5", None), Reject::BadLongitude),
            (fields("a", "1793577600", "1", "inf", None), Reject::BadLongitude),
            (fields("a", "1793577600", "0", "0", None), Reject::NullIsland),
            (fields("a", "soon", "1", "1", None), Reject::BadTimestamp),
            (fields("a", "100", "1", "1", None), Reject::TimestampOutOfRange),
            (fields("a", "4000000000", "1", "1", None), Reject::TimestampOutOfRange),
            (fields("a", "1793577600", "1", "1", Some("-3")), Reject::BadAccuracy),
        ];
        for (f, want) in cases {
            assert_eq!(decode(&f, NOW), Err(want));
        }
        let bad_utf8 = Fields { device_id: b"\xff\xfe", ..fields("a", "1793577600", "1", "1", None) };
        assert_eq!(decode(&bad_utf8, NOW), Err(Reject::InvalidUtf8));
    }
}
