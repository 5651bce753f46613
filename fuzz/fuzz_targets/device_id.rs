//! Advertising ids from any feed: canonicalising never panics and is idempotent, so an id that
//! was canonical once (in one feed) maps to itself again (in another).
#![no_main]
use crowdlens_types::DeviceId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = std::str::from_utf8(data) {
        if let Ok(id) = DeviceId::canonical(raw) {
            assert_eq!(DeviceId::canonical(id.as_str()), Ok(id.clone()));
        }
    }
});
