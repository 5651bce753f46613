//! Differential test over consent strings taken from the official IAB libraries' own test
//! suites (`../shared/data/consent_vectors_iab.json`, beside the repository; its README says how
//! it was made). Each string carries the official libraries' decode. crowdlens must agree on
//! whether the string is valid and on every field its policy reads; where it deliberately does
//! not, the string is listed in `DELIBERATE` with the reason, and docs/consent.md repeats the list.

use crowdlens_consent::gpp::{self, SectionSummary};
use crowdlens_consent::tcf::{self, TcConsent};
use crowdlens_consent::usp::Flag;
use serde_json::Value;
use std::path::PathBuf;

/// The strings on which crowdlens and `@iabtechlabtcf/core` deliberately disagree.
const DELIBERATE: &[(&str, Difference)] = &[
    ("BOhwdphOxFC7tAHABBFRC--AAAAuhr_7__7-_9_-_f__9uj3Or_v_f__32ccL59v_h_7v-_7fi_20nV4u_1vft9yfk1-5ctDztp507iakivXmqdeb9v_nz3_5pxP78k89r7337Ew_v8_v-b7BCON_YxEiA", Difference::TcfV1),
    ("BO2e4qiO2e4qiB9ABADEDS-AAAAxKABgACBiQA", Difference::TcfV1),
    ("BOOzQoAOOzQoAAPAFSENCW-AIBACCACgACADIAHg", Difference::TcfV1),
    ("BObdrPUOevsguAfDqFENCNAAAAAmeAAA", Difference::TcfV1),
    ("BOOzQoAOOzQoAAPAFSENCW-AIBACBAAABCA", Difference::TcfV1),
    ("CPSG_8APSG_8AAAAAAENAAFgAAAAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA", Difference::CmpIdZero),
    ("CPTtLAAPTtLAAAAAAAENAAFgAAAAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA", Difference::CmpIdZero),
    ("CPSG_8APSG_8AAAAAAENAACgAAAAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA", Difference::CmpIdZero),
    ("CPTtLAAPTtLAAAAAAAENAAFgALwAAEAAAAAAAOgAgABgAAAA.IAoAAgABgAAEAQAAEAAA.d4AACEAAAAAA", Difference::CmpIdZero),
    ("CPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAAAA.QAAA.IAAA", Difference::CmpIdZero),
    ("CPSG_8APSG_8AAAAAAENAACgAAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAAA", Difference::CmpIdZero),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Difference {
    /// A TCF v1 string the official library still decodes. TCF v1 was retired on 15 August 2020
    /// and its strings carry no Special Feature 1, so none can grant precise geolocation:
    /// crowdlens refuses them, and a request under the GDPR carrying one is dropped.
    TcfV1,
    /// A TC string with CmpId 0, which `@iabtechlabtcf/core` refuses and `@iabgpp/cmpapi`
    /// decodes. The policy reads the special features and purposes, not the CMP id, so
    /// crowdlens decodes it as the GPP library does, and its fields are compared with that
    /// library's decode (`official_gpp`).
    CmpIdZero,
}

fn vectors() -> Vec<Value> {
    let crate_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    // shared/ sits beside the repository (DESIGN.md: ../shared/data from the root).
    let path = crate_dir
        .ancestors()
        .map(|a| a.join("shared/data/consent_vectors_iab.json"))
        .find(|p| p.exists())
        .expect("shared/data/consent_vectors_iab.json beside the repository");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn set_ids(bools: &Value) -> Vec<u16> {
    bools
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, b)| b.as_bool().unwrap())
        .map(|(i, _)| i as u16 + 1)
        .collect()
}

fn id_list(v: &Value) -> Vec<u16> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u16).collect()
}

fn iso_seconds(text: &str) -> u64 {
    // "2022-01-01T00:00:00.000Z": days from civil date, as chrono would, without chrono.
    let (y, m, d) =
        (text[0..4].parse::<i64>().unwrap(), text[5..7].parse::<i64>().unwrap(), text[8..10].parse::<i64>().unwrap());
    let (h, min, s) = (
        text[11..13].parse::<i64>().unwrap(),
        text[14..16].parse::<i64>().unwrap(),
        text[17..19].parse::<i64>().unwrap(),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + h * 3600 + min * 60 + s) as u64
}

/// The fields of a TC string the policy reads (and a few that show the decode is aligned),
/// against a decode by `@iabtechlabtcf/core` (snake_case, id lists).
fn check_tc_against_tcf_library(tc: &TcConsent, official: &Value, context: &str) {
    assert_eq!(tc.special_feature_optins, id_list(&official["special_feature_optins"]), "{context}");
    assert_eq!(tc.purposes_consent, id_list(&official["purposes_consent"]), "{context}");
    assert_eq!(tc.purposes_legitimate_interest, id_list(&official["purposes_li"]), "{context}");
    assert_eq!(tc.vendor_consents, id_list(&official["vendor_consents"]), "{context}");
    assert_eq!(u64::from(tc.cmp_id), official["cmp_id"].as_u64().unwrap(), "{context}");
    assert_eq!(u64::from(tc.vendor_list_version), official["vendor_list_version"].as_u64().unwrap(), "{context}");
    assert_eq!(u64::from(tc.tcf_policy_version), official["policy_version"].as_u64().unwrap(), "{context}");
    assert_eq!(tc.publisher_country, official["publisher_country_code"].as_str().unwrap(), "{context}");
    assert_eq!(tc.created_s, iso_seconds(official["created"].as_str().unwrap()), "{context}");
}

/// The same against a `tcfeuv2` section decoded by `@iabgpp/cmpapi` (UpperCamelCase, booleans).
fn check_tc_against_gpp_library(tc: &TcConsent, official: &Value, context: &str) {
    assert_eq!(tc.special_feature_optins, set_ids(&official["SpecialFeatureOptins"]), "{context}");
    assert_eq!(tc.purposes_consent, set_ids(&official["PurposeConsents"]), "{context}");
    assert_eq!(tc.purposes_legitimate_interest, set_ids(&official["PurposeLegitimateInterests"]), "{context}");
    assert_eq!(tc.vendor_consents, id_list(&official["VendorConsents"]), "{context}");
    assert_eq!(u64::from(tc.cmp_id), official["CmpId"].as_u64().unwrap(), "{context}");
    assert_eq!(u64::from(tc.tcf_policy_version), official["PolicyVersion"].as_u64().unwrap(), "{context}");
    assert_eq!(tc.created_s, iso_seconds(official["Created"].as_str().unwrap()), "{context}");
}

fn flag(text: &str) -> Flag {
    match text {
        "Y" => Flag::Yes,
        "N" => Flag::No,
        _ => Flag::NotApplicable,
    }
}

/// The 1-based item of `SensitiveDataProcessing` that is precise geolocation, per section, from
/// the GPP state specifications (independent of the table in `src/us.rs`).
fn geolocation_item(name: &str) -> Option<usize> {
    match name {
        "usca" => Some(3),
        "usor" => Some(11),
        "usco" | "usmd" => None,
        _ => Some(8),
    }
}

fn check_gpp_section(section: &SectionSummary, official: &Value, context: &str) {
    match section {
        SectionSummary::Tcfeuv2(tc) => check_tc_against_gpp_library(tc, &official["tcfeuv2"], context),
        SectionSummary::Uspv1(u) => {
            let want = &official["uspv1"];
            assert_eq!(u.explicit_notice, flag(want["Notice"].as_str().unwrap()), "{context}");
            assert_eq!(u.opt_out_sale, flag(want["OptOutSale"].as_str().unwrap()), "{context}");
            assert_eq!(u.lspa_covered, flag(want["LspaCovered"].as_str().unwrap()), "{context}");
        }
        SectionSummary::UsRegional(r) => {
            let want = &official[r.name];
            assert!(want.is_object(), "the official decode has no {} section: {context}", r.name);
            assert_eq!(u64::from(r.sale_opt_out), want["SaleOptOut"].as_u64().unwrap(), "{} {context}", r.name);
            assert_eq!(r.sharing_opt_out.map(u64::from), want["SharingOptOut"].as_u64(), "{} {context}", r.name);
            match geolocation_item(r.name) {
                Some(item) => assert_eq!(
                    u64::from(r.precise_geolocation.unwrap_or(0)),
                    want["SensitiveDataProcessing"][item - 1].as_u64().unwrap(),
                    "{} {context}",
                    r.name
                ),
                None => assert_eq!(r.precise_geolocation, None, "{} {context}", r.name),
            }
            if let Some(gpc) = want["Gpc"].as_bool() {
                assert_eq!(r.gpc.unwrap_or(false), gpc, "{} {context}", r.name);
            }
        }
        SectionSummary::NotJudged { name, .. } => {
            // Not decoded, so nothing to compare; only sections without a rule land here.
            assert!(["tcfeuv1", "tcfcav1", "unknown"].contains(name), "{name} {context}");
        }
    }
}

#[test]
fn agrees_with_the_official_decode_of_the_iab_test_suites() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 82, "the shared file changed; review DELIBERATE");
    let mut agreed = 0;
    let mut deliberate_seen = Vec::new();
    let mut sections_compared = 0;
    for v in &vectors {
        let string = v["string"].as_str().unwrap();
        let official = &v["official"];
        let official_valid = official["valid"].as_bool().unwrap();
        let context = format!("{string} (from {})", v["sources"]);
        let deliberate = DELIBERATE.iter().find(|(s, _)| *s == string).map(|(_, d)| *d);
        match v["kind"].as_str().unwrap() {
            "tcf" => {
                let ours = tcf::decode(string);
                match deliberate {
                    Some(Difference::TcfV1) => {
                        assert!(
                            official_valid,
                            "listed as a v1 difference but the official decode refuses it: {context}"
                        );
                        assert!(ours.unwrap_err().message.contains("TCF v1"), "{context}");
                        deliberate_seen.push(string);
                    }
                    Some(Difference::CmpIdZero) => {
                        assert!(!official_valid && official["error"].as_str().unwrap().contains("cmpId"), "{context}");
                        let gpp_decode = &v["official_gpp"];
                        assert_eq!(gpp_decode["valid"], true, "{context}");
                        let tc = ours.unwrap_or_else(|e| panic!("{e}: {context}"));
                        assert_eq!(tc.cmp_id, 0, "{context}");
                        let camel = serde_json::json!({
                            "SpecialFeatureOptins": (1..=12).map(|i| gpp_decode["special_feature_optins"].as_array().unwrap().contains(&i.into())).collect::<Vec<_>>(),
                            "PurposeConsents": (1..=24).map(|i| gpp_decode["purposes_consent"].as_array().unwrap().contains(&i.into())).collect::<Vec<_>>(),
                            "PurposeLegitimateInterests": (1..=24).map(|i| gpp_decode["purposes_li"].as_array().unwrap().contains(&i.into())).collect::<Vec<_>>(),
                            "VendorConsents": gpp_decode["vendor_consents"],
                            "CmpId": gpp_decode["cmp_id"],
                            "PolicyVersion": gpp_decode["policy_version"],
                            "Created": gpp_decode["created"],
                        });
                        check_tc_against_gpp_library(&tc, &camel, &context);
                        deliberate_seen.push(string);
                    }
                    None if official_valid => {
                        let tc = ours.unwrap_or_else(|e| panic!("official decodes it, crowdlens says {e}: {context}"));
                        check_tc_against_tcf_library(&tc, official, &context);
                        agreed += 1;
                    }
                    None => {
                        assert!(
                            ours.is_err(),
                            "official refuses it ({}), crowdlens decodes it: {context}",
                            official["error"]
                        );
                        agreed += 1;
                    }
                }
            }
            "gpp" => {
                assert!(deliberate.is_none(), "no GPP string is a deliberate difference: {context}");
                let ours = gpp::decode(string);
                if !official_valid {
                    assert!(
                        ours.is_err(),
                        "official refuses it ({}), crowdlens decodes it: {context}",
                        official["error"]
                    );
                    agreed += 1;
                    continue;
                }
                let g = ours.unwrap_or_else(|e| panic!("official decodes it, crowdlens says {e}: {context}"));
                let mut ids = g.section_ids.clone();
                ids.sort_unstable();
                assert_eq!(ids, id_list(&official["section_ids"]), "{context}");
                for section in &g.sections {
                    check_gpp_section(section, &official["sections"], &context);
                    sections_compared += 1;
                }
                agreed += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    for (string, _) in DELIBERATE {
        assert!(deliberate_seen.contains(string), "{string} is listed as deliberate but is not in the shared file");
    }
    assert_eq!(agreed + deliberate_seen.len(), vectors.len());
    println!(
        "{agreed} of {} strings agree with the official decode ({sections_compared} GPP sections compared field by field); {} differ deliberately",
        vectors.len(),
        deliberate_seen.len()
    );
}
