#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crowdlens_consent::tcf::decode(s);
        let _ = crowdlens_consent::explain::explain(s, &Default::default());
    }
});
