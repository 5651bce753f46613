#![no_main]
use libfuzzer_sys::fuzz_target;

// The gazetteer's decoder on any bytes, and a place search (from /v1/places?q=) on any text.
fuzz_target!(|data: &[u8]| {
    let _ = crowdlens_places::decode(data);
    if let Ok(q) = std::str::from_utf8(data) {
        for found in crowdlens_places::gazetteer().search(q, 5) {
            assert!(found.bbox[0] <= found.bbox[2] && found.bbox[1] <= found.bbox[3]);
        }
    }
});
