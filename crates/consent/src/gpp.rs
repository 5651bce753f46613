//! GPP v1 strings: a header naming the sections, then one encoded section per id. Each section
//! the policy reads is summarised here; the rest are listed by id.

use iab_gpp::sections::us_common::{Consent, OptOut};
use iab_gpp::sections::{Section, SectionDecodeError, SectionId};
use iab_gpp::v1::{GPPDecodeError, GPPString};
use serde::Serialize;
use std::str::FromStr;

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

pub fn decode(s: &str) -> Result<GppConsent, DecodeError> {
    let err = |message: String| DecodeError { kind: "GPP", message };
    let s = s.trim();
    if s.is_empty() {
        return Err(err("the string is empty".into()));
    }
    if s.len() > MAX_STRING_BYTES {
        return Err(err(format!("longer than {MAX_STRING_BYTES} bytes")));
    }
    let gpp = GPPString::from_str(s).map_err(|e| err(describe_header(&e)))?;
    let mut section_ids = Vec::new();
    let mut sections = Vec::new();
    for &id in gpp.section_ids() {
        let number = id as u16;
        section_ids.push(number);
        let summary = match gpp.decode_section(id) {
            Ok(section) => summarise(section),
            Err(SectionDecodeError::UnsupportedSectionId(_)) => {
                SectionSummary::Other { id: number, name: section_name(number) }
            }
            Err(e) => return Err(err(format!("section {}: {}", section_name(number), describe(&e)))),
        };
        sections.push(summary);
    }
    Ok(GppConsent { section_ids, sections })
}

fn describe_header(e: &GPPDecodeError) -> String {
    match e {
        GPPDecodeError::InvalidHeaderType { found } => format!("header type {found}, expected 3 (not a GPP string)"),
        GPPDecodeError::InvalidGPPVersion { found } => format!("GPP version {found}, only version 1 exists"),
        GPPDecodeError::UnsupportedSectionId(id) => format!("the header names unknown section id {id}"),
        GPPDecodeError::IdSectionMismatch { ids, sections } => {
            format!("the header names {ids} sections but {sections} follow")
        }
        _ => "the header could not be decoded".to_string(),
    }
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

fn summarise(section: Section) -> SectionSummary {
    use SectionId as Id;
    match section {
        Section::TcfEuV2(tc) => SectionSummary::Tcfeuv2(tcf::from_section(&tc)),
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
