//! GPP v1 strings: a header naming the sections, then one encoded section per id. Each section
//! the policy reads is summarised here; the rest are listed by id.

use iab_gpp::sections::us_common::{Consent, OptOut};
use serde::Serialize;
use std::str::FromStr;

use crate::bits::{BitError, BitReader};
use crate::tcf::{self, TcConsent};
use crate::usp::{Flag, UsPrivacy};
use crate::{describe, DecodeError, MAX_STRING_BYTES};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GppConsent {
    /// Section ids in header order, e.g. 2 = tcfeuv2, 6 = uspv1, 7 = usnat.
    pub section_ids: Vec<u16>,
    pub sections: Vec<SectionSummary>,
}

impl GppConsent {
    /// The sections a request declares applicable (`regs.gpp_sid`), or all of them when it
    /// declares none.
    pub fn applicable<'a>(&'a self, gpp_sid: Option<&'a [u16]>) -> impl Iterator<Item = &'a SectionSummary> {
        self.sections.iter().filter(move |s| gpp_sid.is_none_or(|sid| sid.contains(&s.id())))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum SectionSummary {
    Tcfeuv2(TcConsent),
    Uspv1(UsPrivacy),
    /// `usnat` or a US state section.
    UsRegional(UsRegional),
    Other {
        id: u16,
        name: &'static str,
    },
}

impl SectionSummary {
    pub fn id(&self) -> u16 {
        match self {
            SectionSummary::Tcfeuv2(_) => 2,
            SectionSummary::Uspv1(_) => 6,
            SectionSummary::UsRegional(r) => r.id,
            SectionSummary::Other { id, .. } => *id,
        }
    }
}

/// The three items of a US section that decide admission. Values are the GPP codes:
/// 0 = not applicable, 1 = opted out / no consent, 2 = did not opt out / consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsRegional {
    pub id: u16,
    pub name: &'static str,
    pub sale_opt_out: u8,
    /// Only `usnat` and `usca` carry a separate sharing opt-out.
    pub sharing_opt_out: Option<u8>,
    /// The "precise geolocation" sensitive-data item; Colorado's section has none.
    pub precise_geolocation: Option<u8>,
}

/// GPP's code for "opted out" (opt-out fields) and "no consent" (consent fields).
pub const REFUSED: u8 = 1;

impl UsRegional {
    pub fn opted_out_of_sale_or_sharing(&self) -> bool {
        self.sale_opt_out == REFUSED || self.sharing_opt_out == Some(REFUSED)
    }

    pub fn refused_precise_geolocation(&self) -> bool {
        self.precise_geolocation == Some(REFUSED)
    }
}

/// The registered name of a GPP section id.
pub fn section_name(id: u16) -> &'static str {
    const NAMES: [&str; 24] = [
        "",
        "tcfeuv1",
        "tcfeuv2",
        "header",
        "signal_integrity",
        "tcfcav1",
        "uspv1",
        "usnat",
        "usca",
        "usva",
        "usco",
        "usut",
        "usct",
        "usfl",
        "usmt",
        "usor",
        "ustx",
        "usde",
        "usia",
        "usne",
        "usnh",
        "usnj",
        "ustn",
        "usmn",
    ];
    NAMES.get(id as usize).copied().filter(|n| !n.is_empty()).unwrap_or("unknown")
}

/// Most section ids a header may name; there are 23 registered sections.
const MAX_SECTIONS: usize = 64;

pub fn decode(s: &str) -> Result<GppConsent, DecodeError> {
    let err = |message: String| DecodeError { kind: "GPP", message };
    let s = s.trim();
    if s.is_empty() {
        return Err(err("the string is empty".into()));
    }
    if s.len() > MAX_STRING_BYTES {
        return Err(err(format!("longer than {MAX_STRING_BYTES} bytes")));
    }
    let mut parts = s.split('~');
    let header = parts.next().unwrap_or_default();
    let section_ids = read_header(header).map_err(err)?;
    let encoded: Vec<&str> = parts.collect();
    if encoded.len() != section_ids.len() {
        return Err(err(format!("the header names {} sections but {} follow", section_ids.len(), encoded.len())));
    }
    let mut sections = Vec::with_capacity(section_ids.len());
    for (&id, text) in section_ids.iter().zip(encoded) {
        let summary =
            summarise(id, text).map_err(|message| err(format!("section {} ({}): {message}", id, section_name(id))))?;
        sections.push(summary);
    }
    Ok(GppConsent { section_ids, sections })
}

/// Type (6 bits, 3 = header), version (6 bits, 1), then the section ids as a Fibonacci-coded
/// range: each single id, or each group's start, is an offset from the previous id.
fn read_header(header: &str) -> Result<Vec<u16>, String> {
    let bits = |e: BitError| match e {
        BitError::BadCharacter => "the header has a character that is not base64url".to_string(),
        BitError::EndOfString => "the header ends early (truncated?)".to_string(),
        BitError::Overflow => "the header has a section id too large to be real".to_string(),
    };
    let mut r = BitReader::new(header).map_err(bits)?;
    let kind = r.uint(6).map_err(bits)?;
    if kind != 3 {
        return Err(format!("header type {kind}, expected 3 (not a GPP string)"));
    }
    let version = r.uint(6).map_err(bits)?;
    if version != 1 {
        return Err(format!("GPP version {version}, only version 1 exists"));
    }
    let entries = r.uint(12).map_err(bits)?;
    let mut ids: Vec<u16> = Vec::new();
    let mut last = 0u64;
    let too_many = || format!("the header names more than {MAX_SECTIONS} sections");
    for _ in 0..entries {
        if r.bit().map_err(bits)? {
            let start = last.checked_add(r.fibonacci().map_err(bits)?).ok_or_else(|| bits(BitError::Overflow))?;
            let count = r.fibonacci().map_err(bits)?;
            if count >= MAX_SECTIONS as u64 {
                return Err(too_many());
            }
            let end = start.checked_add(count).ok_or_else(|| bits(BitError::Overflow))?;
            for id in start..=end {
                ids.push(u16::try_from(id).map_err(|_| bits(BitError::Overflow))?);
            }
            last = end;
        } else {
            last = last.checked_add(r.fibonacci().map_err(bits)?).ok_or_else(|| bits(BitError::Overflow))?;
            ids.push(u16::try_from(last).map_err(|_| bits(BitError::Overflow))?);
        }
        if ids.len() > MAX_SECTIONS {
            return Err(too_many());
        }
    }
    Ok(ids)
}

macro_rules! decoded {
    ($ty:ty, $text:expr) => {
        <$ty>::from_str($text).map_err(|e| describe(&e))?
    };
}

/// Decodes the sections the policy reads; any other section is listed by id and not decoded.
fn summarise(id: u16, text: &str) -> Result<SectionSummary, String> {
    use iab_gpp::sections::*;
    let regional = |sale_opt_out: u8, sharing_opt_out: Option<u8>, precise_geolocation: Option<u8>| {
        SectionSummary::UsRegional(UsRegional {
            id,
            name: section_name(id),
            sale_opt_out,
            sharing_opt_out,
            precise_geolocation,
        })
    };
    // A state section without a sharing opt-out; `geo` names its precise-geolocation item.
    macro_rules! state {
        ($ty:ty, geo: $geo:ident) => {{
            let core = decoded!($ty, text).core;
            regional(core.sale_opt_out.code(), None, Some(core.sensitive_data_processing.$geo.code()))
        }};
        ($ty:ty) => {
            regional(decoded!($ty, text).core.sale_opt_out.code(), None, None)
        };
    }
    Ok(match id {
        2 => return tcf::decode(text).map(SectionSummary::Tcfeuv2).map_err(|e| e.message),
        6 => {
            let u = decoded!(uspv1::UspV1, text);
            let flag = |f: &uspv1::Flag| match f {
                uspv1::Flag::Yes => Flag::Yes,
                uspv1::Flag::No => Flag::No,
                uspv1::Flag::NotApplicable => Flag::NotApplicable,
            };
            SectionSummary::Uspv1(UsPrivacy {
                version: 1,
                explicit_notice: flag(&u.opt_out_notice),
                opt_out_sale: flag(&u.opt_out_sale),
                lspa_covered: flag(&u.lspa_covered_transaction),
            })
        }
        7 => match decoded!(usnat::UsNat, text).core {
            usnat::Core::V1(c) => regional(
                c.sale_opt_out.code(),
                Some(c.sharing_opt_out.code()),
                Some(c.sensitive_data_processing.precise_geolocation_data.code()),
            ),
            usnat::Core::V2(c) => regional(
                c.sale_opt_out.code(),
                Some(c.sharing_opt_out.code()),
                Some(c.sensitive_data_processing.precise_geolocation_data.code()),
            ),
            _ => return Err("usnat core version not supported".into()),
        },
        8 => {
            let core = decoded!(usca::UsCa, text).core;
            regional(
                core.sale_opt_out.code(),
                Some(core.sharing_opt_out.code()),
                Some(core.sensitive_data_processing.precise_geolocation.code()),
            )
        }
        9 => state!(usva::UsVa, geo: precise_geolocation_data),
        // Colorado's sensitive data has no geolocation item.
        10 => state!(usco::UsCo),
        11 => state!(usut::UsUt, geo: specific_geolocation_data),
        12 => state!(usct::UsCt, geo: precise_geolocation_data),
        13 => state!(usfl::UsFl, geo: precise_geolocation_data),
        14 => state!(usmt::UsMt, geo: precise_geolocation_data),
        15 => state!(usor::UsOr, geo: precise_geolocation_data),
        16 => state!(ustx::UsTx, geo: precise_geolocation_data),
        17 => state!(usde::UsDe, geo: precise_geolocation_data),
        18 => state!(usia::UsIa, geo: precise_geolocation_data),
        19 => state!(usne::UsNe, geo: precise_geolocation_data),
        20 => state!(usnh::UsNh, geo: precise_geolocation_data),
        21 => state!(usnj::UsNj, geo: precise_geolocation_data),
        22 => state!(ustn::UsTn, geo: precise_geolocation_data),
        23 => state!(usmn::UsMn, geo: precise_geolocation_data),
        _ => SectionSummary::Other { id, name: section_name(id) },
    })
}

/// The 2-bit GPP code of an opt-out or consent field.
trait Code {
    fn code(&self) -> u8;
}

impl Code for OptOut {
    fn code(&self) -> u8 {
        match self {
            OptOut::NotApplicable => 0,
            OptOut::OptedOut => 1,
            OptOut::DidNotOptOut => 2,
        }
    }
}

impl Code for Consent {
    fn code(&self) -> u8 {
        match self {
            Consent::NotApplicable => 0,
            Consent::NoConsent => 1,
            Consent::Consent => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_crashes_are_errors() {
        // Inputs the fuzz targets found: each made iab_gpp's header reader overflow a u8 while
        // summing Fibonacci values (a panic with overflow checks, a wrong id without).
        for s in ["DBTACQuZ~DBABTA8YYN", "DBAIATAIAAABfAFBENAAAA/QI", "DBABCqifaALAIBAAAAAA.QA"] {
            assert!(decode(s).is_err(), "{s}");
        }
    }

    #[test]
    fn header_ids_single_and_grouped() {
        // From the official library: [7], [6], [2, 6] and a group 2..=3 style header.
        assert_eq!(read_header("DBABLA").unwrap(), vec![7]);
        assert_eq!(read_header("DBABTA").unwrap(), vec![6]);
        assert_eq!(read_header("DBACNYA").unwrap(), vec![2, 6]);
        assert!(read_header("DBABLA!").is_err());
        assert!(read_header("CBABLA").unwrap_err().contains("header type"));
    }

    #[test]
    fn sections_follow_the_header() {
        let e = decode("DBABLA~CFAoAAIAAABA.QA~1YNN").unwrap_err();
        assert!(e.message.contains("names 1 sections but 2 follow"), "{e}");
        let g = decode("DBABTA~1YYN").unwrap();
        assert_eq!(g.section_ids, vec![6]);
        assert!(matches!(g.sections[0], SectionSummary::Uspv1(u) if u.opted_out_of_sale()));
    }
}
