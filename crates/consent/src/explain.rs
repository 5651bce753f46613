//! `crowdlens consent explain`: one consent string, decoded, with the verdict the store's
//! policy gives a request that carries it and nothing else.

use serde::Serialize;

use crate::gpp::{self, SectionSummary};
use crate::policy::{judge, ConsentPolicy, Signals};
use crate::tcf::{self, TcConsent};
use crate::usp::{self, UsPrivacy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Tcf,
    Gpp,
    Usp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub kind: Kind,
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub special_feature_optins: Vec<u16>,
    pub purposes_consent: Vec<u16>,
    pub vendor_consents: Vec<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpp_sections: Option<Vec<u16>>,
    /// `admit`, `drop:<reason>` or, for an unreadable GPP or US Privacy string,
    /// `quarantine:<reason>`.
    pub verdict: String,
    /// The decoded fields in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcf: Option<TcConsent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usp: Option<UsPrivacy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionSummary>,
    /// GPP sections the policy has no rule for, each with the reason; the verdict does not
    /// depend on them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<NotJudged>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotJudged {
    pub id: u16,
    pub name: &'static str,
    pub reason: &'static str,
}

/// Tells the three kinds apart by their first characters: a GPP header starts `D` (type 3) and
/// sections follow `~`; a TC string v2 starts `C`; a US Privacy string is `1` and three flags.
pub fn kind_of(s: &str) -> Kind {
    let s = s.trim();
    if s.starts_with('D') || s.contains('~') {
        Kind::Gpp
    } else if s.len() == 4 || s.starts_with(|c: char| c.is_ascii_digit()) {
        Kind::Usp
    } else {
        Kind::Tcf
    }
}

pub fn explain(s: &str, policy: &ConsentPolicy) -> Explanation {
    let kind = kind_of(s);
    let mut out = Explanation {
        kind,
        valid: true,
        error: None,
        special_feature_optins: vec![],
        purposes_consent: vec![],
        vendor_consents: vec![],
        gpp_sections: None,
        verdict: String::new(),
        tcf: None,
        usp: None,
        sections: vec![],
        not_judged: vec![],
    };
    let mut signals = Signals::default();
    let take_tc = |out: &mut Explanation, tc: &TcConsent| {
        out.special_feature_optins = tc.special_feature_optins.clone();
        out.purposes_consent = tc.purposes_consent.clone();
        out.vendor_consents = tc.vendor_consents.clone();
    };
    match kind {
        Kind::Tcf => {
            signals.gdpr = true;
            signals.tc_string = Some(s);
            match tcf::decode(s) {
                Ok(tc) => {
                    take_tc(&mut out, &tc);
                    out.tcf = Some(tc);
                }
                Err(e) => (out.valid, out.error) = (false, Some(e.to_string())),
            }
        }
        Kind::Usp => {
            signals.us_privacy = Some(s);
            match usp::decode(s) {
                Ok(u) => out.usp = Some(u),
                Err(e) => (out.valid, out.error) = (false, Some(e.to_string())),
            }
        }
        Kind::Gpp => {
            signals.gpp = Some(s);
            out.gpp_sections = Some(vec![]);
            match gpp::decode(s) {
                Ok(g) => {
                    for section in &g.sections {
                        match section {
                            SectionSummary::Tcfeuv2(tc) => {
                                // A tcfeuv2 section is only sent where the GDPR applies.
                                signals.gdpr = true;
                                take_tc(&mut out, tc);
                            }
                            &SectionSummary::NotJudged { id, name, reason } => {
                                out.not_judged.push(NotJudged { id, name, reason })
                            }
                            _ => {}
                        }
                    }
                    out.gpp_sections = Some(g.section_ids);
                    out.sections = g.sections;
                }
                Err(e) => (out.valid, out.error) = (false, Some(e.to_string())),
            }
        }
    }
    out.verdict = judge(&signals, policy).label();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_examples() {
        let policy = ConsentPolicy::default();
        let tc = explain("CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", &policy);
        assert_eq!((tc.kind, tc.valid), (Kind::Tcf, true));
        assert_eq!(tc.verdict, "drop:gdpr_no_precise_geolocation_optin");
        let gpp = explain("DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", &policy);
        assert_eq!((gpp.kind, gpp.valid), (Kind::Gpp, true));
        assert_eq!(gpp.gpp_sections, Some(vec![2]));
        assert_eq!(gpp.verdict, "drop:gdpr_no_precise_geolocation_optin");
        // 1YNN: notice given, no opt-out of sale.
        let usp = explain("1YNN", &policy);
        assert_eq!((usp.kind, usp.valid, usp.verdict.as_str()), (Kind::Usp, true, "admit"));
        assert_eq!(explain("1YYN", &policy).verdict, "drop:usp_opt_out_of_sale");
    }

    #[test]
    fn invalid_strings_say_why() {
        let policy = ConsentPolicy::default();
        let bad = explain("CPX", &policy);
        assert!(!bad.valid);
        assert_eq!(bad.verdict, "drop:gdpr_invalid_tc_string");
        assert!(bad.error.unwrap().contains("TC string"));
        let bad = explain("DBABM~zzz", &policy);
        assert!(!bad.valid);
        assert_eq!(bad.verdict, "quarantine:undecodable_gpp");
        let json = serde_json::to_value(explain("1Y", &policy)).unwrap();
        assert_eq!(json["kind"], "usp");
        assert_eq!(json["valid"], false);
    }

    #[test]
    fn sections_not_judged_are_named_with_their_reason() {
        // tcfcav1, holding something that is not a Canadian TC string, then uspv1.
        let e = explain("DBACDY~not a tc string~1YNN", &ConsentPolicy::default());
        assert!(e.valid, "{:?}", e.error);
        assert_eq!(e.verdict, "admit");
        assert_eq!(e.not_judged.len(), 1);
        assert_eq!((e.not_judged[0].id, e.not_judged[0].name), (5, "tcfcav1"));
        let json = serde_json::to_value(&e).unwrap();
        assert!(json["not_judged"][0]["reason"].as_str().unwrap().contains("Canadian"), "{json}");
    }
}
