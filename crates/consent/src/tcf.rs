//! TCF v2 TC strings (IAB "Consent string and vendor list formats v2"): the core segment,
//! read field by field. A GPP `tcfeuv2` section is a TC string byte for byte.

use serde::Serialize;

use crate::bits::{BitError, BitReader};
use crate::{DecodeError, MAX_STRING_BYTES};

/// The fields of a TC string that decide admission, and a few that help explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TcConsent {
    pub cmp_id: u16,
    pub vendor_list_version: u16,
    pub tcf_policy_version: u8,
    pub created_s: u64,
    pub publisher_country: String,
    pub special_feature_optins: Vec<u16>,
    pub purposes_consent: Vec<u16>,
    pub purposes_legitimate_interest: Vec<u16>,
    pub vendor_consents: Vec<u16>,
}

/// Special Feature 1 of TCF v2: "Use precise geolocation data".
pub const PRECISE_GEOLOCATION: u16 = 1;

fn error(message: impl Into<String>) -> DecodeError {
    DecodeError { kind: "TC", message: message.into() }
}

fn bit_error(e: BitError) -> DecodeError {
    error(e.describe())
}

pub fn decode(s: &str) -> Result<TcConsent, DecodeError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(error("the string is empty"));
    }
    if s.len() > MAX_STRING_BYTES {
        return Err(error(format!("longer than {MAX_STRING_BYTES} bytes")));
    }
    // The first six bits are the version: 2 encodes as `C`, 1 as `B`.
    match s.as_bytes()[0] {
        b'C' => {}
        b'B' => return Err(error("a TCF v1 string; only TCF v2 is supported")),
        _ => return Err(error("not a TCF v2 TC string (those start with C); GPP strings start with D")),
    }
    // Later segments (disclosed vendors, publisher purposes) do not bear on admission, but a
    // string whose later segments are not base64url is refused whole, as the official
    // libraries refuse it.
    let mut segments = s.split('.');
    let core = segments.next().unwrap_or_default();
    for segment in segments {
        BitReader::new(segment).map_err(bit_error)?;
    }
    read_core(&mut BitReader::new(core).map_err(bit_error)?).map_err(bit_error)
}

fn read_core(r: &mut BitReader) -> Result<TcConsent, BitError> {
    let _version = r.uint(6)?;
    let created_s = r.uint(36)? / 10; // deciseconds
    let _last_updated = r.uint(36)?;
    let cmp_id = r.uint(12)? as u16;
    let _cmp_version = r.uint(12)?;
    let _consent_screen = r.uint(6)?;
    let _consent_language = r.letters()?;
    let vendor_list_version = r.uint(12)? as u16;
    let tcf_policy_version = r.uint(6)? as u8;
    let _is_service_specific = r.bit()?;
    let _use_non_standard_texts = r.bit()?;
    let special_feature_optins = r.bitfield(12)?;
    let purposes_consent = r.bitfield(24)?;
    let purposes_legitimate_interest = r.bitfield(24)?;
    let _purpose_one_treatment = r.bit()?;
    let publisher_country = r.letters()?;
    let vendor_consents = expand(&vendor_section(r)?);
    let _vendor_legitimate_interests = vendor_section(r)?;
    // Publisher restrictions are the last field, the policy does not read them, and CMPs that
    // have none often end the segment before their count: the official GPP library decodes
    // such strings, so a string that ends inside them is whole for this purpose. A bad
    // character was refused above, so the only error here is the end of the string.
    let _ = publisher_restrictions(r);
    Ok(TcConsent {
        cmp_id,
        vendor_list_version,
        tcf_policy_version,
        created_s,
        publisher_country,
        special_feature_optins,
        purposes_consent,
        purposes_legitimate_interest,
        vendor_consents,
    })
}

fn publisher_restrictions(r: &mut BitReader) -> Result<(), BitError> {
    for _ in 0..r.uint(12)? {
        let _purpose = r.uint(6)?;
        let _restriction = r.uint(2)?;
        ranges(r)?;
    }
    Ok(())
}

/// A vendor section (MaxVendorId, then a bitfield or range entries) as sorted, disjoint,
/// inclusive ranges. Ranges are never expanded here, so a string of any shape costs time in
/// proportion to its length.
fn vendor_section(r: &mut BitReader) -> Result<Vec<(u16, u16)>, BitError> {
    let max_vendor_id = r.uint(16)? as u32;
    if r.bit()? {
        return ranges(r);
    }
    let mut out: Vec<(u16, u16)> = Vec::new();
    for id in 1..=max_vendor_id {
        if r.bit()? {
            let id = id as u16;
            match out.last_mut() {
                Some((_, end)) if *end + 1 == id => *end = id,
                _ => out.push((id, id)),
            }
        }
    }
    Ok(out)
}

/// NumEntries (12 bits), then per entry IsARange, a start id and, for ranges, an end id.
fn ranges(r: &mut BitReader) -> Result<Vec<(u16, u16)>, BitError> {
    let entries = r.uint(12)?;
    let mut out = Vec::with_capacity(entries as usize);
    for _ in 0..entries {
        let is_range = r.bit()?;
        let start = r.uint(16)? as u16;
        let end = if is_range { r.uint(16)? as u16 } else { start };
        if end >= start {
            out.push((start, end));
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(out.len());
    for (start, end) in out {
        match merged.last_mut() {
            Some((_, last_end)) if start <= last_end.saturating_add(1) => *last_end = (*last_end).max(end),
            _ => merged.push((start, end)),
        }
    }
    Ok(merged)
}

/// Disjoint ranges within 0..=65535 expand to at most 65,536 ids.
fn expand(ranges: &[(u16, u16)]) -> Vec<u16> {
    ranges.iter().flat_map(|&(a, b)| a..=b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crafted_range_string_costs_time_in_its_length_only() {
        // 2,700 ranges each covering every vendor id: the shape that made iab_gpp expand 177M
        // ids. Here it decodes to the merged set at once.
        let mut bits = String::new();
        let mut put = |v: u64, n: usize| bits.push_str(&format!("{v:0n$b}"));
        for (v, n) in [(2, 6), (0, 36), (0, 36), (31, 12), (1, 12), (1, 6), (0, 12), (150, 12), (4, 6), (0, 2)] {
            put(v, n);
        }
        put(1 << 11, 12);
        for (v, n) in [(0, 24), (0, 24), (0, 1), (0, 12), (65535, 16), (1, 1), (2700, 12)] {
            put(v, n);
        }
        for _ in 0..2700 {
            put(1, 1);
            put(1, 16);
            put(65535, 16);
        }
        for (v, n) in [(0, 16), (0, 1), (0, 12)] {
            put(v, n);
        }
        while !bits.len().is_multiple_of(6) {
            bits.push('0');
        }
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let text: String = bits
            .as_bytes()
            .chunks(6)
            .map(|c| ALPHABET[usize::from_str_radix(std::str::from_utf8(c).unwrap(), 2).unwrap()] as char)
            .collect();
        let tc = decode(&text).unwrap();
        assert_eq!(tc.vendor_consents.len(), 65535);
        assert_eq!(tc.special_feature_optins, vec![1]);
    }

    #[test]
    fn decodes_the_published_example() {
        // From the GPP specification's examples: a TC string with no opt-ins at all.
        let tc = decode("CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA").unwrap();
        assert_eq!(tc.cmp_id, 31);
        assert_eq!(tc.vendor_list_version, 126);
        assert_eq!(tc.publisher_country, "DE");
        assert!(tc.special_feature_optins.is_empty());
        assert!(tc.purposes_consent.is_empty());
    }

    #[test]
    fn errors_do_not_quote_the_input() {
        for bad in ["", "CPX", "!!!!notbase64", "BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"] {
            let e = decode(bad).unwrap_err();
            assert!(bad.is_empty() || !e.to_string().contains(bad), "{e}");
        }
        assert!(decode(&"C".repeat(MAX_STRING_BYTES + 1)).is_err());
        assert!(decode("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA").unwrap_err().message.contains("TCF v1"));
        assert!(decode("CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAA!").unwrap_err().message.contains("base64url"));
        assert!(decode("garbage").unwrap_err().message.contains("start with C"));
    }

    #[test]
    fn a_core_segment_may_end_before_its_publisher_restrictions() {
        // The official library's test string (cmp 10, purposes 1 and 3 to 6) with its last
        // 12 bits, the restriction count, cut off; the GPP library decodes it, and so must this.
        let whole =
            decode("CPTtLAAPTtLAAAKAAAENAAFgALwAAEAAAAAAAOgAgABgAAAA.IAoAAgABgAAEAQAAEAAA.d4AACEAAAAAA").unwrap();
        let cut = decode("CPTtLAAPTtLAAAKAAAENAAFgALwAAEAAAAAAAOgAgABgAA").unwrap();
        assert_eq!(cut, whole);
        assert_eq!(cut.purposes_consent, vec![1, 3, 4, 5, 6]);
        // Cut into the vendor legitimate-interest section, which comes before: refused.
        assert!(decode("CPTtLAAPTtLAAAKAAAENAAFgALwAAEAAAAAAAOgAgABgA").unwrap_err().message.contains("ends early"));
        // A later segment that is not base64url (standard base64 padding) refuses the string.
        assert!(decode("CPTtLAAPTtLAAAKAAAENAAFgALwAAEAAAAAAAOgAgABgAAAA.cAAAAAAAITg=")
            .unwrap_err()
            .message
            .contains("base64url"));
    }
}
