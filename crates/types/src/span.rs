//! Durations as people write them: `300s`, `15m`, `1h`, `1d`.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("invalid duration {text:?}: expected a positive whole number followed by s, m, h or d (e.g. 15m, 1h)")]
pub struct SpanError {
    pub text: String,
}

/// Parses a duration into whole seconds.
pub fn parse_span(text: &str) -> Result<i64, SpanError> {
    let err = || SpanError { text: text.to_string() };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (digits, unit) = t.split_at(split);
    let n: i64 = digits.parse().map_err(|_| err())?;
    let unit_s = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    match n.checked_mul(unit_s) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(err()),
    }
}

/// Formats seconds back into the largest exact unit.
pub fn format_span(seconds: i64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds % size == 0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_span("300s"), Ok(300));
        assert_eq!(parse_span("15m"), Ok(900));
        assert_eq!(parse_span("1h"), Ok(3600));
        assert_eq!(parse_span("2d"), Ok(172_800));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "h", "0h", "-1h", "1w", "1.5h", "99999999999999999999d"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips() {
        for s in ["5m", "1h", "1d", "90s"] {
            assert_eq!(format_span(parse_span(s).unwrap()), s);
        }
    }
}
