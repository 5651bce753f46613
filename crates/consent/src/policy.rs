//! The consent rules of DESIGN.md § Consent, as one function from a request's signals to a
//! verdict. The order of the checks is fixed so each record is counted under one reason.

use crate::gpp::{self, GppConsent, SectionSummary};
use crate::tcf::{self, TcConsent, PRECISE_GEOLOCATION};
use crate::usp;
use crate::DecodeError;

/// The consent signals of one bid request, wherever in the request they were found.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals<'a> {
    pub coppa: bool,
    pub lmt: bool,
    /// `regs.gdpr = 1`: the GDPR applies and a TC string must grant precise geolocation.
    pub gdpr: bool,
    pub tc_string: Option<&'a str>,
    pub us_privacy: Option<&'a str>,
    pub gpp: Option<&'a str>,
    pub gpp_sid: Option<&'a [u16]>,
}

/// What a deployment requires beyond the fixed rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPolicy {
    /// TCF purposes that must have consent when the GDPR applies.
    pub required_tcf_purposes: Vec<u16>,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        // 1 = store and/or access information on a device; 9 = understand audiences through
        // statistics. Aggregate location statistics rest on both.
        ConsentPolicy { required_tcf_purposes: vec![1, 9] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    Coppa,
    Lmt,
    GdprNoTcString,
    GdprInvalidTcString,
    GdprNoPreciseGeolocationOptin,
    GdprMissingPurposeConsent,
    UspOptOutOfSale,
    GppSaleOrSharingOptOut,
    GppNoPreciseGeolocationConsent,
}

impl DropReason {
    pub const ALL: [DropReason; 9] = [
        DropReason::Coppa,
        DropReason::Lmt,
        DropReason::GdprNoTcString,
        DropReason::GdprInvalidTcString,
        DropReason::GdprNoPreciseGeolocationOptin,
        DropReason::GdprMissingPurposeConsent,
        DropReason::UspOptOutOfSale,
        DropReason::GppSaleOrSharingOptOut,
        DropReason::GppNoPreciseGeolocationConsent,
    ];

    /// Stable snake_case code, the key in ingest summaries.
    pub fn code(self) -> &'static str {
        match self {
            DropReason::Coppa => "coppa",
            DropReason::Lmt => "lmt",
            DropReason::GdprNoTcString => "gdpr_no_tc_string",
            DropReason::GdprInvalidTcString => "gdpr_invalid_tc_string",
            DropReason::GdprNoPreciseGeolocationOptin => "gdpr_no_precise_geolocation_optin",
            DropReason::GdprMissingPurposeConsent => "gdpr_missing_purpose_consent",
            DropReason::UspOptOutOfSale => "usp_opt_out_of_sale",
            DropReason::GppSaleOrSharingOptOut => "gpp_sale_or_sharing_opt_out",
            DropReason::GppNoPreciseGeolocationConsent => "gpp_no_precise_geolocation_consent",
        }
    }
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Admit,
    Drop(DropReason),
    /// A string that must be read could not be. The record is not judged at all.
    Quarantine {
        code: &'static str,
        error: DecodeError,
    },
}

impl Verdict {
    /// `admit`, `drop:<reason>` or `quarantine:<reason>`.
    pub fn label(&self) -> String {
        match self {
            Verdict::Admit => "admit".to_string(),
            Verdict::Drop(r) => format!("drop:{r}"),
            Verdict::Quarantine { code, .. } => format!("quarantine:{code}"),
        }
    }
}

pub fn judge(signals: &Signals<'_>, policy: &ConsentPolicy) -> Verdict {
    match judge_decoded(signals, policy) {
        Ok(()) => Verdict::Admit,
        Err(v) => v,
    }
}

fn judge_decoded(signals: &Signals<'_>, policy: &ConsentPolicy) -> Result<(), Verdict> {
    if signals.coppa {
        return Err(Verdict::Drop(DropReason::Coppa));
    }
    if signals.lmt {
        return Err(Verdict::Drop(DropReason::Lmt));
    }
    let gpp: Option<GppConsent> = match signals.gpp.filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(gpp::decode(s).map_err(|error| Verdict::Quarantine { code: "undecodable_gpp", error })?),
        None => None,
    };
    let us_privacy = match signals.us_privacy.filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(usp::decode(s).map_err(|error| Verdict::Quarantine { code: "undecodable_us_privacy", error })?),
        None => None,
    };
    let applicable: Vec<&SectionSummary> = gpp.iter().flat_map(|g| g.applicable(signals.gpp_sid)).collect();

    if signals.gdpr {
        let from_gpp = applicable.iter().find_map(|s| match s {
            SectionSummary::Tcfeuv2(tc) => Some(tc),
            _ => None,
        });
        match (signals.tc_string.filter(|s| !s.trim().is_empty()), from_gpp) {
            (Some(s), _) => {
                let tc = tcf::decode(s).map_err(|_| Verdict::Drop(DropReason::GdprInvalidTcString))?;
                check_tc(&tc, policy)?;
            }
            (None, Some(tc)) => check_tc(tc, policy)?,
            (None, None) => return Err(Verdict::Drop(DropReason::GdprNoTcString)),
        }
    }
    if us_privacy.is_some_and(|u| u.opted_out_of_sale()) {
        return Err(Verdict::Drop(DropReason::UspOptOutOfSale));
    }
    for section in &applicable {
        match section {
            SectionSummary::Uspv1(u) if u.opted_out_of_sale() => {
                return Err(Verdict::Drop(DropReason::UspOptOutOfSale));
            }
            SectionSummary::UsRegional(r) if r.opted_out_of_sale_or_sharing() => {
                return Err(Verdict::Drop(DropReason::GppSaleOrSharingOptOut));
            }
            SectionSummary::UsRegional(r) if r.refused_precise_geolocation() => {
                return Err(Verdict::Drop(DropReason::GppNoPreciseGeolocationConsent));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_tc(tc: &TcConsent, policy: &ConsentPolicy) -> Result<(), Verdict> {
    if !tc.special_feature_optins.contains(&PRECISE_GEOLOCATION) {
        return Err(Verdict::Drop(DropReason::GdprNoPreciseGeolocationOptin));
    }
    if !policy.required_tcf_purposes.iter().all(|p| tc.purposes_consent.contains(p)) {
        return Err(Verdict::Drop(DropReason::GdprMissingPurposeConsent));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
