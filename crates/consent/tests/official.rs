//! Differential test against the IAB's own JavaScript libraries: `@iabtechlabtcf/core` encodes
//! random TC strings, `@iabgpp/cmpapi` random GPP and US Privacy strings, and crowdlens must
//! decode the same fields from every one. The libraries are installed from npm on first run
//! (pinned by `tests/official/package-lock.json`).

use crowdlens_consent::gpp::{self, SectionSummary};
use crowdlens_consent::usp::Flag;
use crowdlens_consent::{tcf, usp};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const STATES_PER_KIND: usize = 1000;

fn official_dir() -> PathBuf {
    // Cargo sets this when it runs the test. The compile-time value can name another checkout:
    // cargo does not rebuild a test whose sources moved when clones share a target directory.
    let crate_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    crate_dir.join("tests/official")
}

fn install_official_libraries(dir: &Path) {
    assert!(dir.join("package-lock.json").is_file(), "{} has no package-lock.json", dir.display());
    if dir.join("node_modules/@iabgpp/cmpapi").is_dir() && dir.join("node_modules/@iabtechlabtcf/core").is_dir() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .expect("npm is needed to install the official IAB libraries (install Node.js 18 or newer)");
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

fn official_states(seed: u64) -> Vec<Value> {
    let dir = official_dir();
    install_official_libraries(&dir);
    let out = Command::new("node")
        .args(["differential.mjs", &STATES_PER_KIND.to_string(), &seed.to_string()])
        .current_dir(&dir)
        .output()
        .expect("node is needed to run the official IAB libraries");
    assert!(out.status.success(), "differential.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn ids(v: &Value) -> Vec<u16> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u16).collect()
}

fn flag(text: &str) -> Flag {
    match text {
        "Y" => Flag::Yes,
        "N" => Flag::No,
        _ => Flag::NotApplicable,
    }
}

#[test]
fn decodes_what_the_official_libraries_encode() {
    let states = official_states(20261128);
    let mut checked = [0usize; 3];
    let mut us_sections = std::collections::BTreeSet::new();
    for state in &states {
        let string = state["string"].as_str().unwrap();
        let context = || format!("{string} from {state}");
        match state["kind"].as_str().unwrap() {
            "tcf" => {
                let tc = tcf::decode(string).unwrap_or_else(|e| panic!("{e}: {}", context()));
                assert_eq!(tc.cmp_id as u64, state["cmp_id"].as_u64().unwrap(), "{}", context());
                assert_eq!(tc.special_feature_optins, ids(&state["special_feature_optins"]), "{}", context());
                assert_eq!(tc.purposes_consent, ids(&state["purposes_consent"]), "{}", context());
                assert_eq!(
                    tc.purposes_legitimate_interest,
                    ids(&state["purposes_legitimate_interest"]),
                    "{}",
                    context()
                );
                assert_eq!(tc.vendor_consents, ids(&state["vendor_consents"]), "{}", context());
                checked[0] += 1;
            }
            "usp" => {
                let u = usp::decode(string).unwrap_or_else(|e| panic!("{e}: {}", context()));
                assert_eq!(u.explicit_notice, flag(state["notice"].as_str().unwrap()), "{}", context());
                assert_eq!(u.opt_out_sale, flag(state["opt_out_sale"].as_str().unwrap()), "{}", context());
                assert_eq!(u.lspa_covered, flag(state["lspa_covered"].as_str().unwrap()), "{}", context());
                checked[1] += 1;
            }
            "gpp" => {
                let g = gpp::decode(string).unwrap_or_else(|e| panic!("{e}: {}", context()));
                let mut section_ids = g.section_ids.clone();
                section_ids.sort();
                assert_eq!(section_ids, ids(&state["section_ids"]), "{}", context());
                for section in &g.sections {
                    match section {
                        SectionSummary::Tcfeuv2(tc) => {
                            let want = &state["tcfeuv2"];
                            assert_eq!(
                                tc.special_feature_optins,
                                ids(&want["special_feature_optins"]),
                                "{}",
                                context()
                            );
                            assert_eq!(tc.purposes_consent, ids(&want["purposes_consent"]), "{}", context());
                            assert_eq!(tc.vendor_consents, ids(&want["vendor_consents"]), "{}", context());
                        }
                        SectionSummary::Uspv1(u) => {
                            assert_eq!(
                                u.opt_out_sale,
                                flag(state["uspv1"]["opt_out_sale"].as_str().unwrap()),
                                "{}",
                                context()
                            );
                        }
                        SectionSummary::UsRegional(r) => {
                            let want = &state[r.name];
                            assert!(want.is_object(), "no expectation for {}: {}", r.name, context());
                            assert_eq!(r.sale_opt_out as u64, want["sale_opt_out"].as_u64().unwrap(), "{}", context());
                            if let Some(sharing) = want["sharing_opt_out"].as_u64() {
                                assert_eq!(r.sharing_opt_out.map(u64::from), Some(sharing), "{}", context());
                            }
                            if let Some(geo) = want["precise_geolocation"].as_u64() {
                                // An absent optional segment reads as None, the official as 0.
                                assert_eq!(
                                    u64::from(r.precise_geolocation.unwrap_or(0)),
                                    geo,
                                    "{} {}",
                                    r.name,
                                    context()
                                );
                            }
                            if let Some(gpc) = want["gpc"].as_bool() {
                                assert_eq!(r.gpc, Some(gpc), "{} {}", r.name, context());
                            }
                            us_sections.insert(r.name);
                        }
                        SectionSummary::NotJudged { id, .. } => panic!("unexpected section {id}: {}", context()),
                    }
                }
                checked[2] += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(checked, [STATES_PER_KIND; 3], "tcf, usp and gpp states checked");
    // usnat and all twenty state sections occurred, so every layout in src/us.rs was checked.
    assert_eq!(us_sections.len(), 21, "{us_sections:?}");
}
