//! One line through the bid-request decode path: parse (bare or wrapped), consent, identity,
//! category, time.
#![no_main]
use crowdlens_consent::{judge, ConsentPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    use crowdlens_ingest::openrtb::{parse_logged, JsonPath, LineLayout};
    // As a bare request, with wrapper detection; and as a wrapped log with a time field.
    let wrapped = LineLayout {
        request_field: Some(JsonPath::parse("request").unwrap()),
        time_field: Some(JsonPath::parse("meta.ts").unwrap()),
    };
    for layout in [LineLayout::default(), wrapped] {
        if let Ok(logged) = parse_logged(data, &layout) {
            let request = logged.request;
            let _ = judge(&request.signals(), &ConsentPolicy::default());
            let _ = request.advertising_id();
            let _ = request.category();
            let _ = request.received_at(Some(1_793_577_600));
        }
    }
});

