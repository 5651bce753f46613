//! Each rule, with strings encoded by the official IAB libraries (`tests/official/palette.mjs`).

use super::*;

const TC_ADMIT: &str = "CQuZP8AQuZP8AAfAFBENCWFoAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const TC_NO_GEO: &str = "CQuZP8AQuZP8AAfAFBENCWFgAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const TC_NO_PURPOSE_9: &str = "CQuZP8AQuZP8AAfAFBENCWFoAPAAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const GPP_USNAT_ADMIT: &str = "DBABLA~CFAoAAIAAABA.QA";
const GPP_USNAT_SALE_OPT_OUT: &str = "DBABLA~CFAYAAIAAABA.QA";
const GPP_USNAT_SHARING_OPT_OUT: &str = "DBABLA~CFAkAAIAAABA.QA";
const GPP_USNAT_NO_GEO: &str = "DBABLA~CFAoAAEAAABA.QA";
const GPP_USPV1_OPT_OUT: &str = "DBABTA~1YYN";
const GPP_TCF_ADMIT: &str = "DBABMA~CQuZP8AQuZP8AAAAAAENAAFoAICAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA";
const GPP_TCF_NO_GEO: &str = "DBABMA~CQuZP8AQuZP8AAAAAAENAAFgAICAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA";

fn verdict(signals: Signals<'_>) -> String {
    judge(&signals, &ConsentPolicy::default()).label()
}

fn gdpr(tc: &str) -> Signals<'_> {
    Signals { gdpr: true, tc_string: Some(tc), ..Default::default() }
}

fn gpp(s: &str) -> Signals<'_> {
    Signals { gpp: Some(s), ..Default::default() }
}

#[test]
fn no_signals_admit() {
    assert_eq!(verdict(Signals::default()), "admit");
}

#[test]
fn coppa_and_lmt_come_first() {
    assert_eq!(verdict(Signals { coppa: true, lmt: true, ..gdpr(TC_ADMIT) }), "drop:coppa");
    assert_eq!(verdict(Signals { lmt: true, ..gdpr(TC_ADMIT) }), "drop:lmt");
}

#[test]
fn gdpr_rules() {
    assert_eq!(verdict(gdpr(TC_ADMIT)), "admit");
    assert_eq!(verdict(gdpr(TC_NO_GEO)), "drop:gdpr_no_precise_geolocation_optin");
    assert_eq!(verdict(gdpr(TC_NO_PURPOSE_9)), "drop:gdpr_missing_purpose_consent");
    assert_eq!(verdict(gdpr("not a tc string")), "drop:gdpr_invalid_tc_string");
    assert_eq!(verdict(gdpr("  ")), "drop:gdpr_no_tc_string");
    assert_eq!(verdict(Signals { gdpr: true, ..Default::default() }), "drop:gdpr_no_tc_string");
    // A TC string where the GDPR does not apply is not consulted.
    assert_eq!(verdict(Signals { tc_string: Some(TC_NO_GEO), ..Default::default() }), "admit");
    let lenient = ConsentPolicy { required_tcf_purposes: vec![1] };
    assert_eq!(judge(&gdpr(TC_NO_PURPOSE_9), &lenient), Verdict::Admit);
}

#[test]
fn gdpr_falls_back_to_the_gpp_tcf_section() {
    assert_eq!(verdict(Signals { gdpr: true, ..gpp(GPP_TCF_ADMIT) }), "admit");
    assert_eq!(verdict(Signals { gdpr: true, ..gpp(GPP_TCF_NO_GEO) }), "drop:gdpr_no_precise_geolocation_optin");
    // The explicit TC string wins over the GPP section.
    assert_eq!(verdict(Signals { gdpr: true, tc_string: Some(TC_ADMIT), ..gpp(GPP_TCF_NO_GEO) }), "admit");
}

#[test]
fn us_privacy() {
    assert_eq!(verdict(Signals { us_privacy: Some("1YYN"), ..Default::default() }), "drop:usp_opt_out_of_sale");
    assert_eq!(verdict(Signals { us_privacy: Some("1YNN"), ..Default::default() }), "admit");
    assert_eq!(verdict(Signals { us_privacy: Some("1---"), ..Default::default() }), "admit");
    assert_eq!(verdict(Signals { us_privacy: Some("bad"), ..Default::default() }), "quarantine:undecodable_us_privacy");
    assert_eq!(verdict(gpp(GPP_USPV1_OPT_OUT)), "drop:usp_opt_out_of_sale");
}

#[test]
fn gpp_us_sections() {
    assert_eq!(verdict(gpp(GPP_USNAT_ADMIT)), "admit");
    assert_eq!(verdict(gpp(GPP_USNAT_SALE_OPT_OUT)), "drop:gpp_sale_or_sharing_opt_out");
    assert_eq!(verdict(gpp(GPP_USNAT_SHARING_OPT_OUT)), "drop:gpp_sale_or_sharing_opt_out");
    assert_eq!(verdict(gpp(GPP_USNAT_NO_GEO)), "drop:gpp_no_precise_geolocation_consent");
    assert_eq!(verdict(gpp("DBABLA~garbage!")), "quarantine:undecodable_gpp");
    assert_eq!(verdict(gpp("not gpp")), "quarantine:undecodable_gpp");
}

#[test]
fn gpp_sid_limits_the_sections_consulted() {
    let only_tcf: &[u16] = &[2];
    assert_eq!(verdict(Signals { gpp_sid: Some(only_tcf), ..gpp(GPP_USNAT_SALE_OPT_OUT) }), "admit");
    let usnat: &[u16] = &[7];
    assert_eq!(
        verdict(Signals { gpp_sid: Some(usnat), ..gpp(GPP_USNAT_SALE_OPT_OUT) }),
        "drop:gpp_sale_or_sharing_opt_out"
    );
}
