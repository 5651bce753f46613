#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(places) = crowdlens_ingest::sensitive::SensitivePlaces::parse(s) {
            let _ = places.category_at(44.97, -93.26);
        }
    }
});
