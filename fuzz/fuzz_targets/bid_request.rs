//! One line through the bid-request decode path: parse, consent, identity, category, time.
#![no_main]
use crowdlens_consent::{judge, ConsentPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = crowdlens_ingest::openrtb::parse(data) {
        let _ = judge(&request.signals(), &ConsentPolicy::default());
        let _ = request.advertising_id();
        let _ = request.category();
        let _ = request.received_at(Some(1_793_577_600));
    }
});

