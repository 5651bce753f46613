#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(u) = crowdlens_consent::usp::decode(s) {
            assert_eq!(s.trim().len(), 4);
            let _ = u.opted_out_of_sale();
        }
    }
});
