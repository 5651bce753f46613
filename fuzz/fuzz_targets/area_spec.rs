#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(area) = crowdlens_area::Area::parse(s) {
            let _ = area.cells(h3o::Resolution::Five);
        }
    }
});
