//! The US sections of GPP: `usnat` (id 7) and the state sections (ids 8 to 27), read from a
//! table of their layouts.
//!
//! Every field of a US core segment after its 6-bit version is a 2-bit code, so one section
//! differs from another only in the order and count of its fields. The tables below are the
//! field lists of the official library `@iabgpp/cmpapi` 3.2.0 (`encoder/segment/Us*Segment.js`)
//! and are checked against it by `tests/official.rs`.
//!
//! Written here rather than taken from the `iab_gpp` crate because that crate refuses a whole
//! section when any field holds a value the policy never reads (an MSPA mode of 0, which the
//! official library decodes), and it does not know the sections after id 23. Here a section
//! fails only when it is not whole, when its version is one this table does not describe, or
//! when a field the policy reads holds a code GPP does not define: fail closed on what is read,
//! not on what is not.

use serde::Serialize;

use crate::bits::{BitError, BitReader};

/// The three items of a US section that decide admission, and the GPC flag. Values are the GPP
/// codes: 0 = not applicable, 1 = opted out / no consent, 2 = did not opt out / consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsRegional {
    pub id: u16,
    pub name: &'static str,
    pub sale_opt_out: u8,
    /// Only `usnat` and `usca` carry a separate sharing opt-out.
    pub sharing_opt_out: Option<u8>,
    /// The "precise geolocation" sensitive-data item. Colorado's and Maryland's sections have
    /// none; Indiana's, Kentucky's and Rhode Island's carry it in an optional segment.
    pub precise_geolocation: Option<u8>,
    /// Global Privacy Control, from the optional GPC segment of the sections that have one.
    pub gpc: Option<bool>,
}

/// GPP's code for "opted out" (opt-out fields) and "no consent" (consent fields).
pub const REFUSED: u8 = 1;

impl UsRegional {
    /// A sale or sharing opt-out, or a GPC signal, which the state laws that know it treat as
    /// an opt-out of sale and sharing.
    pub fn opted_out_of_sale_or_sharing(&self) -> bool {
        self.sale_opt_out == REFUSED || self.sharing_opt_out == Some(REFUSED) || self.gpc == Some(true)
    }

    pub fn refused_precise_geolocation(&self) -> bool {
        self.precise_geolocation == Some(REFUSED)
    }
}

/// Where a section keeps its precise-geolocation item, as a 1-based index into its
/// `SensitiveDataProcessing` list.
#[derive(Clone, Copy)]
enum Geolocation {
    Absent,
    InCore(usize),
    /// In the second segment, a `SensitiveDataProcessing` list of the given length.
    InSensitiveSegment {
        index: usize,
        of: usize,
    },
}

/// What a section's second segment (after `.`) holds.
#[derive(Clone, Copy, PartialEq)]
enum Second {
    None,
    /// 2-bit segment type, then the 1-bit GPC flag.
    Gpc,
    SensitiveData,
}

struct Layout {
    id: u16,
    name: &'static str,
    /// Versions this layout describes.
    versions: &'static [u64],
    /// The 2-bit fields after the 6-bit version, each with its count (lists have more than 1).
    core: &'static [(&'static str, usize)],
    geolocation: Geolocation,
    second: Second,
}

const SALE: &str = "SaleOptOut";
const SHARING: &str = "SharingOptOut";
const SENSITIVE: &str = "SensitiveDataProcessing";

macro_rules! fields {
    ($($name:literal $(* $n:literal)?),* $(,)?) => { &[$(($name, fields!(@n $($n)?))),*] };
    (@n) => { 1 };
    (@n $n:literal) => { $n };
}

/// The layout most state sections share: notices, the two opt-outs, sensitive data, child
/// consents, for some an additional-processing consent, then the three MSPA fields.
macro_rules! state {
    ($id:literal, $name:literal, first: $first:literal, sensitive: $s:literal, child: $c:literal, $(extra: $extra:literal,)? geo: $g:expr, $second:expr) => {
        Layout {
            id: $id,
            name: $name,
            versions: &[1],
            core: fields![
                $first,
                "SaleOptOutNotice",
                "TargetedAdvertisingOptOutNotice",
                "SaleOptOut",
                "TargetedAdvertisingOptOut",
                "SensitiveDataProcessing" * $s,
                "KnownChildSensitiveDataConsents" * $c,
                $($extra,)?
                "MspaCoveredTransaction",
                "MspaOptOutOptionMode",
                "MspaServiceProviderMode",
            ],
            geolocation: $g,
            second: $second,
        }
    };
}

/// The MSPA-first layout of the sections added in 2025 (Indiana, Kentucky, Maryland, Rhode
/// Island): the 6-bit field is the MSPA version; Maryland's has no child consent.
macro_rules! mspa_first {
    ($id:literal, $name:literal, $(child: $child:literal,)? geo: $g:expr, $second:expr) => {
        Layout {
            id: $id,
            name: $name,
            versions: &[1],
            core: fields![
                "MspaCoveredTransaction",
                "MspaMode",
                "ProcessingNotice",
                "SaleOptOutNotice",
                "TargetedAdvertisingOptOutNotice",
                "SaleOptOut",
                "TargetedAdvertisingOptOut",
                $($child,)?
                "AdditionalDataProcessingConsent",
            ],
            geolocation: $g,
            second: $second,
        }
    };
}

use Geolocation::{Absent, InCore, InSensitiveSegment};

/// `usnat` version 2's layout; version 1 strings are widened to it first (see [`widen_usnat_v1`]).
const USNAT: Layout = Layout {
    id: 7,
    name: "usnat",
    versions: &[1, 2],
    core: fields![
        "SharingNotice",
        "SaleOptOutNotice",
        "SharingOptOutNotice",
        "TargetedAdvertisingOptOutNotice",
        "SensitiveDataProcessingOptOutNotice",
        "SensitiveDataLimitUseNotice",
        "SaleOptOut",
        "SharingOptOut",
        "TargetedAdvertisingOptOut",
        "SensitiveDataProcessing" * 16,
        "KnownChildSensitiveDataConsents" * 3,
        "PersonalDataConsents",
        "MspaCoveredTransaction",
        "MspaOptOutOptionMode",
        "MspaServiceProviderMode",
    ],
    geolocation: InCore(8),
    second: Second::Gpc,
};

const LAYOUTS: [Layout; 21] = [
    USNAT,
    Layout {
        id: 8,
        name: "usca",
        versions: &[1],
        core: fields![
            "SaleOptOutNotice",
            "SharingOptOutNotice",
            "SensitiveDataLimitUseNotice",
            "SaleOptOut",
            "SharingOptOut",
            "SensitiveDataProcessing" * 9,
            "KnownChildSensitiveDataConsents" * 2,
            "PersonalDataConsents",
            "MspaCoveredTransaction",
            "MspaOptOutOptionMode",
            "MspaServiceProviderMode",
        ],
        // California's sensitive items are "limit the use" opt-outs; item 3 is precise geolocation.
        geolocation: InCore(3),
        second: Second::Gpc,
    },
    state!(9, "usva", first: "SharingNotice", sensitive: 8, child: 1, geo: InCore(8), Second::None),
    // Colorado's sensitive data has no geolocation item.
    state!(10, "usco", first: "SharingNotice", sensitive: 7, child: 1, geo: Absent, Second::Gpc),
    Layout {
        id: 11,
        name: "usut",
        versions: &[1],
        core: fields![
            "SharingNotice",
            "SaleOptOutNotice",
            "TargetedAdvertisingOptOutNotice",
            "SensitiveDataProcessingOptOutNotice",
            "SaleOptOut",
            "TargetedAdvertisingOptOut",
            "SensitiveDataProcessing" * 8,
            "KnownChildSensitiveDataConsents",
            "MspaCoveredTransaction",
            "MspaOptOutOptionMode",
            "MspaServiceProviderMode",
        ],
        // Utah calls it "specific geolocation data".
        geolocation: InCore(8),
        second: Second::None,
    },
    state!(12, "usct", first: "SharingNotice", sensitive: 8, child: 3, geo: InCore(8), Second::Gpc),
    state!(13, "usfl", first: "ProcessingNotice", sensitive: 8, child: 3, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::None),
    state!(14, "usmt", first: "SharingNotice", sensitive: 8, child: 3, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(15, "usor", first: "ProcessingNotice", sensitive: 11, child: 3, extra: "AdditionalDataProcessingConsent", geo: InCore(11), Second::Gpc),
    state!(16, "ustx", first: "ProcessingNotice", sensitive: 8, child: 1, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(17, "usde", first: "ProcessingNotice", sensitive: 9, child: 5, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    Layout {
        id: 18,
        name: "usia",
        versions: &[1],
        core: fields![
            "ProcessingNotice",
            "SaleOptOutNotice",
            "TargetedAdvertisingOptOutNotice",
            "SensitiveDataOptOutNotice",
            "SaleOptOut",
            "TargetedAdvertisingOptOut",
            "SensitiveDataProcessing" * 8,
            "KnownChildSensitiveDataConsents",
            "MspaCoveredTransaction",
            "MspaOptOutOptionMode",
            "MspaServiceProviderMode",
        ],
        geolocation: InCore(8),
        second: Second::Gpc,
    },
    state!(19, "usne", first: "ProcessingNotice", sensitive: 8, child: 1, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(20, "usnh", first: "ProcessingNotice", sensitive: 8, child: 3, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(21, "usnj", first: "ProcessingNotice", sensitive: 10, child: 5, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(22, "ustn", first: "ProcessingNotice", sensitive: 8, child: 1, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    state!(23, "usmn", first: "ProcessingNotice", sensitive: 8, child: 1, extra: "AdditionalDataProcessingConsent", geo: InCore(8), Second::Gpc),
    // Maryland forbids selling sensitive data outright, so its section has no sensitive items.
    mspa_first!(24, "usmd", geo: Absent, Second::Gpc),
    mspa_first!(25, "usin", child: "KnownChildSensitiveDataConsents", geo: InSensitiveSegment { index: 8, of: 8 }, Second::SensitiveData),
    mspa_first!(26, "usky", child: "KnownChildSensitiveDataConsents", geo: InSensitiveSegment { index: 8, of: 8 }, Second::SensitiveData),
    mspa_first!(27, "usri", child: "KnownChildSensitiveDataConsents", geo: InSensitiveSegment { index: 8, of: 8 }, Second::SensitiveData),
];

/// Whether `id` is a US section this module reads.
pub fn is_us_section(id: u16) -> bool {
    LAYOUTS.iter().any(|l| l.id == id)
}

/// Decodes the US section `id` from its text (`core[.second]`). The error never quotes the text.
pub fn decode(id: u16, text: &str) -> Result<UsRegional, String> {
    let layout = LAYOUTS.iter().find(|l| l.id == id).ok_or_else(|| format!("section {id} is not a US section"))?;
    let mut segments = text.split('.');
    let core_text = segments.next().unwrap_or_default();
    let mut r = if layout.id == USNAT.id {
        let bits = BitReader::new(core_text).map_err(BitError::describe)?.into_bits();
        BitReader::from_bits(widen_usnat_v1(bits))
    } else {
        BitReader::new(core_text).map_err(BitError::describe)?
    };
    let version = r.uint(6).map_err(BitError::describe)?;
    if !layout.versions.contains(&version) {
        return Err(format!(
            "section version {version}; crowdlens reads version {:?} of {}",
            layout.versions, layout.name
        ));
    }
    let mut sale = None;
    let mut sharing = None;
    let mut geolocation = None;
    for &(field, count) in layout.core {
        for item in 1..=count {
            let code = r.uint(2).map_err(BitError::describe)? as u8;
            match (field, layout.geolocation) {
                (SALE, _) => sale = Some(code),
                (SHARING, _) => sharing = Some(code),
                (SENSITIVE, InCore(index)) if index == item => geolocation = Some(code),
                _ => {}
            }
        }
    }
    let mut gpc = None;
    if let Some(second) = segments.next() {
        let mut r = BitReader::new(second).map_err(BitError::describe)?;
        match (layout.second, layout.geolocation) {
            (Second::Gpc, _) => {
                let _segment_type = r.uint(2).map_err(BitError::describe)?;
                gpc = Some(r.bit().map_err(BitError::describe)?);
            }
            (Second::SensitiveData, InSensitiveSegment { index, of }) => {
                for item in 1..=of {
                    let code = r.uint(2).map_err(BitError::describe)? as u8;
                    if item == index {
                        geolocation = Some(code);
                    }
                }
            }
            // The official library reads no second segment for these sections either.
            _ => {}
        }
    }
    let sale_opt_out = sale.ok_or("the section has no sale opt-out")?;
    for (field, code) in
        [("SaleOptOut", Some(sale_opt_out)), ("SharingOptOut", sharing), ("precise geolocation", geolocation)]
    {
        if code == Some(3) {
            return Err(format!("{field} holds 3, a code GPP does not define (0, 1 or 2)"));
        }
    }
    Ok(UsRegional {
        id,
        name: layout.name,
        sale_opt_out,
        sharing_opt_out: sharing,
        precise_geolocation: geolocation,
        gpc,
    })
}

/// `usnat` version 1 had 12 sensitive-data items and 2 child consents where version 2 has 16
/// and 3. The official library tells the two apart by length (60 or 66 bits) and widens the
/// old layout with zeros ("not applicable"); the same is done here, so both read alike.
fn widen_usnat_v1(bits: Vec<bool>) -> Vec<bool> {
    let zeros = |n: usize| std::iter::repeat_n(false, n);
    match bits.len() {
        60 => bits[..48]
            .iter()
            .copied()
            .chain(zeros(8))
            .chain(bits[48..52].iter().copied())
            .chain(zeros(2))
            .chain(bits[52..60].iter().copied())
            .chain(zeros(2))
            .collect(),
        66 => bits[..48]
            .iter()
            .copied()
            .chain(zeros(8))
            .chain(bits[48..52].iter().copied())
            .chain(zeros(2))
            .chain(bits[52..62].iter().copied())
            .collect(),
        _ => bits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_is_distinct_and_reads_a_sale_opt_out() {
        let mut ids: Vec<u16> = LAYOUTS.iter().map(|l| l.id).collect();
        ids.dedup();
        assert_eq!(ids, (7..=27).collect::<Vec<u16>>());
        for layout in &LAYOUTS {
            assert!(layout.core.iter().any(|(f, _)| *f == SALE), "{}", layout.name);
            assert_eq!(crate::gpp::section_name(layout.id), layout.name);
            if let InCore(index) = layout.geolocation {
                let (_, count) = layout.core.iter().find(|(f, _)| *f == SENSITIVE).unwrap();
                assert!(index <= *count, "{}", layout.name);
            }
        }
    }

    #[test]
    fn mspa_modes_of_zero_are_read() {
        // From the official library's tests: usnat v2 and v1 with every MSPA field 0 but the
        // covered transaction; `iab_gpp` refused both.
        let v2 = decode(7, "CAAAAAAAAQA.QA").unwrap();
        assert_eq!(
            (v2.sale_opt_out, v2.sharing_opt_out, v2.precise_geolocation, v2.gpc),
            (0, Some(0), Some(0), Some(false))
        );
        let v1 = decode(7, "BAAAAAAAAABA.QA").unwrap();
        assert_eq!((v1.sale_opt_out, v1.precise_geolocation), (0, Some(0)));
    }

    #[test]
    fn fails_closed_on_read_fields_only() {
        // usva v1 with SaleOptOut = 3: version 000001, three notices 000000, then 11.
        assert!(decode(9, "BAwAAAA").unwrap_err().contains("SaleOptOut holds 3"));
        // A notice of 3 is not read: the section decodes.
        assert_eq!(decode(9, "BwAAAAAA").unwrap().sale_opt_out, 0);
        assert!(decode(9, "BA").unwrap_err().contains("ends early"));
        assert!(decode(9, "CAAAAAAA").unwrap_err().contains("section version 2"));
        assert!(decode(9, "BAAA+AAA").unwrap_err().contains("base64url"));
    }

    #[test]
    fn gpc_counts_as_an_opt_out() {
        // usnat v2, nothing opted out, GPC segment with Gpc = true (01 1 → "Y").
        let r = decode(7, "CAAAAAAAAQA.YA").unwrap();
        assert_eq!(r.gpc, Some(true));
        assert!(r.opted_out_of_sale_or_sharing());
    }
}
