//! TCF v2 TC strings: the core segment's consent fields, read through `iab_gpp`'s `tcfeuv2`
//! decoder (a GPP `tcfeuv2` section is a TC string byte for byte).

use iab_gpp::sections::tcfeuv2::TcfEuV2;
use serde::Serialize;
use std::str::FromStr;

use crate::{describe, DecodeError, MAX_STRING_BYTES};

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

pub fn decode(s: &str) -> Result<TcConsent, DecodeError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DecodeError { kind: "TC", message: "the string is empty".into() });
    }
    if s.len() > MAX_STRING_BYTES {
        return Err(DecodeError { kind: "TC", message: format!("longer than {MAX_STRING_BYTES} bytes") });
    }
    // The first six bits are the version: 2 encodes as `C`, 1 as `B`.
    match s.as_bytes()[0] {
        b'C' => {}
        b'B' => return Err(DecodeError { kind: "TC", message: "a TCF v1 string; only TCF v2 is supported".into() }),
        _ => {
            return Err(DecodeError {
                kind: "TC",
                message: "not a TCF v2 TC string (those start with C); GPP strings start with D".into(),
            })
        }
    }
    let tc = TcfEuV2::from_str(s).map_err(|e| DecodeError { kind: "TC", message: describe(&e) })?;
    Ok(from_section(&tc))
}

pub(crate) fn from_section(tc: &TcfEuV2) -> TcConsent {
    let core = &tc.core;
    TcConsent {
        cmp_id: core.cmp_id,
        vendor_list_version: core.vendor_list_version,
        tcf_policy_version: core.policy_version,
        created_s: core.created,
        publisher_country: core.publisher_country_code.clone(),
        special_feature_optins: core.special_feature_optins.iter().copied().collect(),
        purposes_consent: core.purpose_consents.iter().copied().collect(),
        purposes_legitimate_interest: core.purpose_legitimate_interests.iter().copied().collect(),
        vendor_consents: core.vendor_consents.iter().copied().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(decode("garbage").unwrap_err().message.contains("start with C"));
    }
}
