//! The canonical device identity, from which the pseudonym is derived.
//!
//! One device must be one privacy unit in every feed. Feeds spell the same advertising id in
//! different ways: iOS writes IDFAs in upper case, Android AAIDs in lower case, some exchanges
//! wrap them in braces or drop the hyphens, and a feed may or may not say whether an id is an
//! IDFA or an AAID. Each spelling hashed as it came would mint a second pseudonym for the same
//! device, which then contributes twice the bound and loses twice the ε. So every id is brought
//! to one canonical text before it is hashed, and the id's type (guessed from an OS field or a
//! column that may be missing) is never part of the hash.

use std::fmt;

/// A device's advertising id in canonical form: a UUID as lower-case 8-4-4-4-12 hex, any other
/// id trimmed and lower-cased. Merging two spellings of different devices into one unit is
/// safe (they share one bound); splitting one device into two units is not, so the
/// canonicalisation errs towards merging.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeviceId(String);

/// Why an identifier names no device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotADevice {
    /// Empty after trimming.
    Empty,
    /// The all-zero UUID: what iOS sends when tracking is not authorised, and what some SDKs
    /// send for "limit ad tracking". Every such device would share one id. (Short ids such as
    /// GeoLife's user `000` are real ids and stay.)
    AllZero,
    /// The feed says the id is not an advertising id (a cookie, a publisher's user id, a
    /// session id): it cannot be tied to a device, so it must not become a unit of its own.
    NotAnAdvertisingId,
}

impl NotADevice {
    /// Whether a feed's id-type label (`id_type` column, OpenRTB `device.ext.ifa_type`) names
    /// an identifier that is not a device's advertising id. Labels are matched loosely because
    /// vendors spell them freely (`PPID`, `publisher_user_id`, `cookie_id`, `sessionid`).
    pub fn is_non_device_label(label: &str) -> bool {
        let label = label.trim().to_ascii_lowercase();
        ["cookie", "ppid", "publisher", "session", "user", "email", "sspid", "dpid"].iter().any(|k| label.contains(k))
    }
}

impl DeviceId {
    /// Canonicalises a raw advertising id.
    pub fn canonical(raw: &str) -> Result<DeviceId, NotADevice> {
        // Wrappers are peeled until none is left, so that the result is canonical itself:
        // `{{id}}` and `{id}` must not become two devices (found by the `device_id` fuzz target).
        let mut id = raw.trim();
        loop {
            let before = id;
            if let Some(inner) = id.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                id = inner.trim();
            }
            if let Some(rest) = strip_prefix_ignore_case(id, "urn:uuid:") {
                id = rest.trim();
            }
            if id == before {
                break;
            }
        }
        if id.is_empty() {
            return Err(NotADevice::Empty);
        }
        if let Some(digits) = uuid_digits(id) {
            if digits.iter().all(|&b| b == b'0') {
                return Err(NotADevice::AllZero);
            }
            // Every ping passes here: one allocation, the result's own.
            let mut text = String::with_capacity(36);
            for (i, &d) in digits.iter().enumerate() {
                if matches!(i, 8 | 12 | 16 | 20) {
                    text.push('-');
                }
                text.push(char::from(d));
            }
            return Ok(DeviceId(text));
        }
        Ok(DeviceId(id.to_lowercase()))
    }

    /// The canonical text, which only the pseudonym function reads.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The 32 lower-case hex digits of `id` when, hyphens aside, it is exactly 32 hex digits.
fn uuid_digits(id: &str) -> Option<[u8; 32]> {
    let mut digits = [0u8; 32];
    let mut n = 0;
    for b in id.bytes().filter(|&b| b != b'-') {
        if n == 32 || !b.is_ascii_hexdigit() {
            return None;
        }
        digits[n] = b.to_ascii_lowercase();
        n += 1;
    }
    (n == 32).then_some(digits)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

impl fmt::Debug for DeviceId {
    // A raw advertising id must never reach a log through a `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceId(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_uuid_are_one_device() {
        let want = DeviceId::canonical("6d92078a-8246-4ba4-ae5b-76104861e7dc").unwrap();
        for spelling in [
            "6D92078A-8246-4BA4-AE5B-76104861E7DC",
            " 6d92078a-8246-4ba4-ae5b-76104861e7dc ",
            "{6D92078A-8246-4BA4-AE5B-76104861E7DC}",
            "6d92078a82464ba4ae5b76104861e7dc",
            "urn:uuid:6d92078a-8246-4ba4-ae5b-76104861e7dc",
            "6d92078a-82464ba4-ae5b-76104861e7dc",
        ] {
            assert_eq!(DeviceId::canonical(spelling).unwrap(), want, "{spelling}");
        }
        assert_eq!(want.as_str(), "6d92078a-8246-4ba4-ae5b-76104861e7dc");
    }

    #[test]
    fn other_ids_are_trimmed_and_lower_cased() {
        assert_eq!(DeviceId::canonical(" User-7 ").unwrap().as_str(), "user-7");
        assert_eq!(DeviceId::canonical("000").unwrap().as_str(), "000");
        assert_eq!(DeviceId::canonical("12").unwrap().as_str(), "12");
    }

    #[test]
    fn zero_and_empty_ids_name_no_device() {
        for raw in [
            "00000000-0000-0000-0000-000000000000",
            "{00000000-0000-0000-0000-000000000000}",
            "00000000000000000000000000000000",
        ] {
            assert_eq!(DeviceId::canonical(raw), Err(NotADevice::AllZero), "{raw}");
        }
        for raw in ["", "   ", "{}", "urn:uuid:"] {
            assert_eq!(DeviceId::canonical(raw), Err(NotADevice::Empty), "{raw:?}");
        }
    }

    #[test]
    fn canonical_ids_are_canonical_again() {
        for raw in
            ["{{6D92078A-8246-4BA4-AE5B-76104861E7DC}}", "{ {x} }", "{{}}}}}}", "urn:uuid:{ABC}", "{urn:uuid:abc}"]
        {
            let once = DeviceId::canonical(raw);
            assert_eq!(
                once.as_ref().map(|d| DeviceId::canonical(d.as_str())),
                once.as_ref().map(|d| Ok(d.clone())),
                "{raw}"
            );
        }
        assert_eq!(
            DeviceId::canonical("{{6D92078A-8246-4BA4-AE5B-76104861E7DC}}"),
            DeviceId::canonical("6d92078a-8246-4ba4-ae5b-76104861e7dc")
        );
    }

    #[test]
    fn non_device_labels() {
        for label in ["PPID", "cookie_id", "publisher_user_id", "sessionid", "hashed_email", "sspid"] {
            assert!(NotADevice::is_non_device_label(label), "{label}");
        }
        for label in ["IDFA", "AAID", "gaid", "rida", "", "ifa"] {
            assert!(!NotADevice::is_non_device_label(label), "{label}");
        }
    }

    #[test]
    fn debug_hides_the_id() {
        assert_eq!(format!("{:?}", DeviceId::canonical("abc").unwrap()), "DeviceId(..)");
    }
}
