//! GPP v1 strings: a header naming the sections, then one encoded section per id. Each section
//! the policy reads is summarised here; the rest are listed by id.

use iab_gpp::sections::us_common::{Consent, OptOut};
use iab_gpp::sections::Section;
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
    let section = match id {
        2 => return tcf::decode(text).map(SectionSummary::Tcfeuv2).map_err(|e| e.message),
        6 => Section::UspV1(decoded!(uspv1::UspV1, text)),
        7 => Section::UsNat(decoded!(usnat::UsNat, text)),
        8 => Section::UsCa(decoded!(usca::UsCa, text)),
        9 => Section::UsVa(decoded!(usva::UsVa, text)),
        10 => Section::UsCo(decoded!(usco::UsCo, text)),
        11 => Section::UsUt(decoded!(usut::UsUt, text)),
        12 => Section::UsCt(decoded!(usct::UsCt, text)),
        13 => Section::UsFl(decoded!(usfl::UsFl, text)),
        14 => Section::UsMt(decoded!(usmt::UsMt, text)),
        15 => Section::UsOr(decoded!(usor::UsOr, text)),
        16 => Section::UsTx(decoded!(ustx::UsTx, text)),
        17 => Section::UsDe(decoded!(usde::UsDe, text)),
        18 => Section::UsIa(decoded!(usia::UsIa, text)),
        19 => Section::UsNe(decoded!(usne::UsNe, text)),
        20 => Section::UsNh(decoded!(usnh::UsNh, text)),
        21 => Section::UsNj(decoded!(usnj::UsNj, text)),
        22 => Section::UsTn(decoded!(ustn::UsTn, text)),
        23 => Section::UsMn(decoded!(usmn::UsMn, text)),
        _ => return Ok(SectionSummary::Other { id, name: section_name(id) }),
    };
    Ok(from_section(section))
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

fn code(field: &impl Code) -> u8 {
    field.code()
}

macro_rules! geo_of {
    ($module:ident) => {
        |c: &iab_gpp::sections::$module::Core| Some(code(&c.sensitive_data_processing.precise_geolocation_data))
    };
}

macro_rules! us_regional {
    ($id:expr, $section:expr, sharing: $sharing:expr, geo: $geo:expr) => {{
        let s = $section;
        SectionSummary::UsRegional(UsRegional {
            id: $id as u16,
            name: section_name($id as u16),
            sale_opt_out: code(&s.core.sale_opt_out),
            sharing_opt_out: ($sharing)(&s.core),
            precise_geolocation: ($geo)(&s.core),
        })
    }};
}

fn from_section(section: Section) -> SectionSummary {
    use iab_gpp::sections::SectionId as Id;
    match section {
        Section::UspV1(u) => {
            let flag = |f: &iab_gpp::sections::uspv1::Flag| match f {
                iab_gpp::sections::uspv1::Flag::Yes => Flag::Yes,
                iab_gpp::sections::uspv1::Flag::No => Flag::No,
                iab_gpp::sections::uspv1::Flag::NotApplicable => Flag::NotApplicable,
            };
            SectionSummary::Uspv1(UsPrivacy {
                version: 1,
                explicit_notice: flag(&u.opt_out_notice),
                opt_out_sale: flag(&u.opt_out_sale),
                lspa_covered: flag(&u.lspa_covered_transaction),
            })
        }
        Section::UsNat(s) => {
            use iab_gpp::sections::usnat::Core;
            let (sale, sharing, geo) = match &s.core {
                Core::V1(c) => (
                    code(&c.sale_opt_out),
                    code(&c.sharing_opt_out),
                    code(&c.sensitive_data_processing.precise_geolocation_data),
                ),
                Core::V2(c) => (
                    code(&c.sale_opt_out),
                    code(&c.sharing_opt_out),
                    code(&c.sensitive_data_processing.precise_geolocation_data),
                ),
                _ => return SectionSummary::Other { id: 7, name: "usnat" },
            };
            SectionSummary::UsRegional(UsRegional {
                id: 7,
                name: "usnat",
                sale_opt_out: sale,
                sharing_opt_out: Some(sharing),
                precise_geolocation: Some(geo),
            })
        }
        Section::UsCa(s) => {
            us_regional!(Id::UsCa, s, sharing: |c: &iab_gpp::sections::usca::Core| Some(code(&c.sharing_opt_out)),
            geo: |c: &iab_gpp::sections::usca::Core| Some(code(&c.sensitive_data_processing.precise_geolocation)))
        }
        Section::UsCo(s) => us_regional!(Id::UsCo, s, sharing: |_| None, geo: |_| None),
        Section::UsUt(s) => us_regional!(Id::UsUt, s, sharing: |_| None,
            geo: |c: &iab_gpp::sections::usut::Core| Some(code(&c.sensitive_data_processing.specific_geolocation_data))),
        Section::UsVa(s) => us_regional!(Id::UsVa, s, sharing: |_| None, geo: geo_of!(usva)),
        Section::UsCt(s) => us_regional!(Id::UsCt, s, sharing: |_| None, geo: geo_of!(usct)),
        Section::UsFl(s) => us_regional!(Id::UsFl, s, sharing: |_| None, geo: geo_of!(usfl)),
        Section::UsMt(s) => us_regional!(Id::UsMt, s, sharing: |_| None, geo: geo_of!(usmt)),
        Section::UsOr(s) => us_regional!(Id::UsOr, s, sharing: |_| None, geo: geo_of!(usor)),
        Section::UsTx(s) => us_regional!(Id::UsTx, s, sharing: |_| None, geo: geo_of!(ustx)),
        Section::UsDe(s) => us_regional!(Id::UsDe, s, sharing: |_| None, geo: geo_of!(usde)),
        Section::UsIa(s) => us_regional!(Id::UsIa, s, sharing: |_| None, geo: geo_of!(usia)),
        Section::UsNe(s) => us_regional!(Id::UsNe, s, sharing: |_| None, geo: geo_of!(usne)),
        Section::UsNh(s) => us_regional!(Id::UsNh, s, sharing: |_| None, geo: geo_of!(usnh)),
        Section::UsNj(s) => us_regional!(Id::UsNj, s, sharing: |_| None, geo: geo_of!(usnj)),
        Section::UsTn(s) => us_regional!(Id::UsTn, s, sharing: |_| None, geo: geo_of!(ustn)),
        Section::UsMn(s) => us_regional!(Id::UsMn, s, sharing: |_| None, geo: geo_of!(usmn)),
        other => {
            let id = other.id() as u16;
            SectionSummary::Other { id, name: section_name(id) }
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
