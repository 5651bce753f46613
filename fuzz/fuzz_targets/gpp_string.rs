#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(gpp) = crowdlens_consent::gpp::decode(s) {
            assert_eq!(gpp.section_ids.len(), gpp.sections.len());
        }
        let signals = crowdlens_consent::Signals { gdpr: true, gpp: Some(s), ..Default::default() };
        let _ = crowdlens_consent::judge(&signals, &Default::default());
    }
});
