use super::*;

#[test]
fn reads_2_6_native_locations() {
    let line = br#"{"id":"r1","device":{"ifa":"AAAA-1","os":"iOS","lmt":0,"geo":{"lat":44.97,"lon":-93.26,"type":1,"accuracy":8,"lastfix":30}},
        "user":{"id":"u1","consent":"TC"},"regs":{"coppa":0,"gdpr":1,"us_privacy":"1YNN","gpp":"DBABTA~1YNN","gpp_sid":[6]},
        "app":{"bundle":"com.example","cat":["IAB9-2","IAB1"],"cattax":1},"ext":{"ts":1793577600000}}"#;
    let r = parse(line).unwrap();
    let s = r.signals();
    assert!(s.gdpr && !s.coppa && !s.lmt);
    assert_eq!(
        (s.tc_string, s.us_privacy, s.gpp, s.gpp_sid),
        (Some("TC"), Some("1YNN"), Some("DBABTA~1YNN"), Some(&[6u16][..]))
    );
    assert_eq!(r.advertising_id().unwrap().as_str(), "aaaa-1");
    assert_eq!(r.category().map(category::describe).as_deref(), Some("IAB9-2"));
    assert_eq!(r.received_at(None), Some(1_793_577_600));
    let geo = r.device.as_ref().unwrap().geo.as_ref().unwrap();
    assert_eq!((geo.kind, geo.lastfix), (Some(1), Some(30)));
}

#[test]
fn reads_2_5_ext_locations() {
    let line = br#"{"device":{"ifa":"x","os":"android","lmt":true},"user":{"ext":{"consent":"TC25"}},
        "regs":{"ext":{"gdpr":1,"us_privacy":"1YYN"}},"site":{"content":{"cat":["IAB19"]}}}"#;
    let r = parse(line).unwrap();
    let s = r.signals();
    assert!(s.gdpr && s.lmt);
    assert_eq!((s.tc_string, s.us_privacy), (Some("TC25"), Some("1YYN")));
    assert_eq!(r.advertising_id().unwrap().as_str(), "x");
    assert_eq!(r.category().map(category::describe).as_deref(), Some("IAB19"));
    assert_eq!(r.received_at(Some(5)), Some(5));
}

#[test]
fn only_an_advertising_id_names_a_device() {
    let id = |line: &[u8]| parse(line).unwrap().advertising_id();
    // A user id is the exchange's, not the device's: it never stands in for a missing ifa.
    assert_eq!(
        id(br#"{"device":{"ifa":"00000000-0000-0000-0000-000000000000"},"user":{"id":"exch-7"}}"#),
        Err(NotADevice::AllZero)
    );
    assert_eq!(id(br#"{"user":{"id":"exch-7"}}"#), Err(NotADevice::Empty));
    assert_eq!(id(br#"{"device":{"ifa":"  "}}"#), Err(NotADevice::Empty));
    assert_eq!(id(br#"{}"#), Err(NotADevice::Empty));
    assert_eq!(
        id(br#"{"device":{"ifa":"6d92078a-8246-4ba4-ae5b-76104861e7dc","ext":{"ifa_type":"ppid"}}}"#),
        Err(NotADevice::NotAnAdvertisingId)
    );
}

#[test]
fn the_os_does_not_split_a_device() {
    let want = DeviceId::canonical("6d92078a-8246-4ba4-ae5b-76104861e7dc").unwrap();
    for line in [
        &br#"{"device":{"ifa":"6D92078A-8246-4BA4-AE5B-76104861E7DC","os":"iOS"}}"#[..],
        br#"{"device":{"ifa":"6d92078a-8246-4ba4-ae5b-76104861e7dc","os":"Android"}}"#,
        br#"{"device":{"ifa":"{6d92078a-8246-4ba4-ae5b-76104861e7dc}"}}"#,
        br#"{"device":{"ifa":"6d92078a-8246-4ba4-ae5b-76104861e7dc","ext":{"ifa_type":"idfa"}}}"#,
    ] {
        assert_eq!(parse(line).unwrap().advertising_id().unwrap(), want);
    }
}

#[test]
fn debug_prints_no_request_content() {
    let r = parse(br#"{"device":{"ifa":"secret-ifa","geo":{"lat":44.9,"lon":-93.2}},"user":{"id":"secret-user"}}"#)
        .unwrap();
    let text = format!("{r:?} {:?} {:?} {:?}", r.device, r.user, r.device.as_ref().unwrap().geo);
    assert!(!text.contains("secret") && !text.contains("44.9"), "{text}");
}

#[test]
fn escaped_strings_are_read_too() {
    let r = parse(br#"{"device":{"ifa":"a\u0062c"}}"#).unwrap();
    assert_eq!(r.advertising_id().unwrap().as_str(), "abc");
}

#[test]
fn bad_lines_have_reasons() {
    assert_eq!(parse(b"{not json").unwrap_err(), Reject::InvalidJson);
    assert_eq!(parse(b"[1,2]").unwrap_err(), Reject::NotABidRequest);
    assert_eq!(parse(br#"{"device":{"geo":{"lat":"north"}}}"#).unwrap_err(), Reject::NotABidRequest);
    assert_eq!(parse(br#"{"regs":{"coppa":2}}"#).unwrap_err(), Reject::NotABidRequest);
    assert_eq!(parse(br#"{"device":{}} trailing"#).unwrap_err(), Reject::InvalidJson);
    assert_eq!(parse(&vec![b' '; MAX_LINE_BYTES + 1]).unwrap_err(), Reject::RecordTooLong);
}

#[test]
fn fuzz_crash_is_a_quarantine() {
    // Found by the bid_request fuzz target: a GPP header whose section ids overflowed.
    let line = br#"{"app":{"bundle":"com.example.synth","cat":["IAB000000000000000 0000000000000000016775908611955097598-1"]},"at":1,"devxt":{"ts":1793697479627},"id":"0-1a1a0b37bcb","imp":[{"banner":{"h":50,"w":320},"bidfloor":1.5,"id":"1"}],"regs":{"coppa":0,"ext":{"gdpr":0,"gpp":"DBABCqifaALAIBAAAAAA.QA","gspp_id":[7]}},"tmax":300,"user":{}}"#;
    let r = parse(line).unwrap();
    assert_eq!(r.category(), None);
    let verdict = crowdlens_consent::judge(&r.signals(), &Default::default());
    assert_eq!(verdict.label(), "quarantine:undecodable_gpp");
}

#[test]
fn numbers_and_flags_sent_as_strings_are_read() {
    let line = br#"{"device":{"ifa":"a","lmt":"0","geo":{"lat":"44.97","lon":"-93.26","type":"1","accuracy":"8"}},
        "regs":{"gdpr":"1","gpp_sid":"7,8"},"ext":{"ts":"1793577600"}}"#;
    let r = parse(line).unwrap();
    let geo = r.device.as_ref().unwrap().geo.as_ref().unwrap();
    assert_eq!((geo.lat, geo.lon, geo.kind, geo.accuracy), (Some(44.97), Some(-93.26), Some(1), Some(8.0)));
    let s = r.signals();
    assert!(s.gdpr && !s.lmt);
    assert_eq!(s.gpp_sid, Some(&[7u16, 8][..]));
    assert_eq!(r.received_at(None), Some(1_793_577_600));
    // A consent flag that cannot be read is an error, never "the GDPR does not apply".
    assert_eq!(parse(br#"{"regs":{"gdpr":"maybe"}}"#).err(), Some(Reject::NotABidRequest));
}

fn layout(request: Option<&str>, time: Option<&str>) -> LineLayout {
    LineLayout {
        request_field: request.map(|p| JsonPath::parse(p).unwrap()),
        time_field: time.map(|p| JsonPath::parse(p).unwrap()),
    }
}

#[test]
fn wrapped_logs_are_unwrapped_and_timed() {
    let line = br#"{"received_at":"2026-11-02T08:00:00Z","meta":{"ts":1793606400123},"request":{"device":{"ifa":"a","geo":{"lat":1.5,"lon":2.5,"type":1}}}}"#;
    // Without flags, the wrapper is found by its key; the time is not guessed.
    let plain = parse_logged(line, &LineLayout::default()).unwrap();
    assert!(plain.request.device.is_some());
    assert!(plain.time_s.is_none());
    let timed = parse_logged(line, &layout(None, Some("received_at"))).unwrap();
    assert_eq!(timed.time_s, Some(Ok(1_793_606_400)));
    let nested = parse_logged(line, &layout(Some("request"), Some("meta.ts"))).unwrap();
    assert_eq!(nested.time_s, Some(Ok(1_793_606_400)));
    assert!(nested.request.device.is_some());
    // A path that names nothing leaves the time to ext.ts or --received-at.
    assert!(parse_logged(line, &layout(None, Some("meta.nothing"))).unwrap().time_s.is_none());
    assert_eq!(parse_logged(line, &layout(Some("nowhere"), None)).err(), Some(Reject::RequestNotFound));
    let bad = parse_logged(br#"{"ts":"soon","device":{}}"#, &layout(None, Some("ts"))).unwrap();
    assert_eq!(bad.time_s, Some(Err(Reject::BadTimestamp)));
    assert!(JsonPath::parse("a..b").unwrap_err().contains("not a JSON path"));
}
