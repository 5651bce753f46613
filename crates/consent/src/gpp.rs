//! GPP v1 strings: a header naming the sections, then one encoded section per id. Each section
//! the policy reads is summarised here; the rest are listed by id.

use serde::Serialize;

use crate::bits::{BitError, BitReader};
use crate::tcf::{self, TcConsent};
pub use crate::us::{UsRegional, REFUSED};
use crate::usp::{self, UsPrivacy};
use crate::{us, DecodeError, MAX_STRING_BYTES};

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
    /// A section the policy has no rule for: neither decoded nor judged, and said so.
    NotJudged {
        id: u16,
        name: &'static str,
        reason: &'static str,
    },
}

impl SectionSummary {
    pub fn id(&self) -> u16 {
        match self {
            SectionSummary::Tcfeuv2(_) => 2,
            SectionSummary::Uspv1(_) => 6,
            SectionSummary::UsRegional(r) => r.id,
            SectionSummary::NotJudged { id, .. } => *id,
        }
    }
}

/// The registered name of a GPP section id.
pub fn section_name(id: u16) -> &'static str {
    const NAMES: [&str; 28] = [
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
        "usmd",
        "usin",
        "usky",
        "usri",
    ];
    NAMES.get(id as usize).copied().filter(|n| !n.is_empty()).unwrap_or("unknown")
}

/// Most section ids a header may name; there are 27 registered sections.
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

/// Decodes the sections the policy reads; any other section is listed with the reason it is
/// not judged.
fn summarise(id: u16, text: &str) -> Result<SectionSummary, String> {
    Ok(match id {
        2 => SectionSummary::Tcfeuv2(tcf::decode(text).map_err(|e| e.message)?),
        // The uspv1 section is a US Privacy string as it stands.
        6 => SectionSummary::Uspv1(usp::decode(text).map_err(|e| e.message)?),
        id if us::is_us_section(id) => SectionSummary::UsRegional(us::decode(id, text)?),
        _ => SectionSummary::NotJudged { id, name: section_name(id), reason: not_judged_because(id) },
    })
}

/// Why a section is not judged, for `consent explain` and the ingest summary.
fn not_judged_because(id: u16) -> &'static str {
    match id {
        1 => "TCF EU v1 was retired in 2020; a request under the GDPR needs a v2 TC string",
        3 | 4 => "a header or signal-integrity id is not a consent section",
        5 => {
            "the Canadian TCF section: crowdlens' policy (DESIGN.md, Consent) has no Canadian rule, so its \
              content is neither read nor checked"
        }
        _ => "not a section id registered with the GPP (1 to 27); its content is neither read nor checked",
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

    #[test]
    fn sections_without_a_rule_are_listed_with_a_reason() {
        // tcfcav1 (5) holding text that is no TC string at all, and an unregistered id 40.
        let g = decode("DBABDA~anything").unwrap();
        assert_eq!(g.section_ids, vec![5]);
        assert!(
            matches!(&g.sections[0], SectionSummary::NotJudged { id: 5, name: "tcfcav1", reason } if reason.contains("Canadian"))
        );
        let g = decode("DBABSM~x").unwrap();
        assert!(
            matches!(&g.sections[0], SectionSummary::NotJudged { id: 40, name: "unknown", reason } if reason.contains("registered"))
        );
    }
}
