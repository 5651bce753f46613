//! The synthetic bidstream: OpenRTB 2.6 bid requests (a fifth in 2.5 form, with consent in
//! `ext`) from the same devices as the ping feed, with a realistic mix of location types and
//! consent signals, and the true outcome of every request written beside them.
//!
//! The consent strings are real: each was encoded by the official IAB library
//! (`crates/consent/tests/official/palette.mjs`), so the truth here does not depend on the
//! decoder it tests.

use flate2::write::GzEncoder;
use flate2::Compression;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::{pings_today, stream, Device, SynthOptions};

pub const BIDS_FILE: &str = "bids.jsonl.gz";
pub const BIDS_TRUTH_FILE: &str = "bids_truth.json";
/// The truth key of requests that pass consent and carry a GPS or user-provided fix and an id.
/// They end stored, or dropped by the location policy (accuracy, sensitive places).
pub const CONSENTED_WITH_LOCATION: &str = "consented_with_location";

const TC_ADMIT: &str = "CQuZP8AQuZP8AAfAFBENCWFoAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const TC_NO_GEO: &str = "CQuZP8AQuZP8AAfAFBENCWFgAIDAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
const TC_NO_PURPOSE_9: &str = "CQuZP8AQuZP8AAfAFBENCWFoAPAAAAAAAAYgF5wAwABgA5AXmAAAAAAA.IAAA.YAAAAAAAAAAA";
/// Truncated in transit: a real failure mode of TC strings in logs.
const TC_TRUNCATED: &str = "CQuZP8AQuZP8AAfAFBENC";
const GPP_TCF_ADMIT: &str = "DBABMA~CQuZP8AQuZP8AAAAAAENAAFoAICAAAAAAAAAAAAAAAAA.IAAA.YAAAAAAAAAAA";
const GPP_USNAT_ADMIT: &str = "DBABLA~CFAoAAIAAABA.QA";
const GPP_USNAT_SALE_OPT_OUT: &str = "DBABLA~CFAYAAIAAABA.QA";
const GPP_USNAT_SHARING_OPT_OUT: &str = "DBABLA~CFAkAAIAAABA.QA";
const GPP_USNAT_NO_GEO: &str = "DBABLA~CFAoAAEAAABA.QA";
const GPP_USPV1_OPT_OUT: &str = "DBABTA~1YYN";
/// The header names one section but two follow.
const GPP_UNDECODABLE: &str = "DBABLA~CFAoAAIAAABA.QA~1YNN";

/// A device's consent state: what its requests carry, and the outcome that state must get.
struct ConsentProfile {
    gdpr: bool,
    tc_string: Option<&'static str>,
    us_privacy: Option<&'static str>,
    gpp: Option<(&'static str, u16)>,
    outcome: &'static str,
}

const ADMIT: &str = "admit";

/// (weight in ‰, profile).
const PROFILES: [(u32, ConsentProfile); 17] = [
    (50, ConsentProfile { gdpr: true, tc_string: Some(TC_ADMIT), us_privacy: None, gpp: None, outcome: ADMIT }),
    (
        20,
        ConsentProfile {
            gdpr: true,
            tc_string: Some(TC_NO_GEO),
            us_privacy: None,
            gpp: None,
            outcome: "gdpr_no_precise_geolocation_optin",
        },
    ),
    (
        10,
        ConsentProfile {
            gdpr: true,
            tc_string: Some(TC_NO_PURPOSE_9),
            us_privacy: None,
            gpp: None,
            outcome: "gdpr_missing_purpose_consent",
        },
    ),
    (
        5,
        ConsentProfile {
            gdpr: true,
            tc_string: Some(TC_TRUNCATED),
            us_privacy: None,
            gpp: None,
            outcome: "gdpr_invalid_tc_string",
        },
    ),
    (5, ConsentProfile { gdpr: true, tc_string: None, us_privacy: None, gpp: None, outcome: "gdpr_no_tc_string" }),
    (
        10,
        ConsentProfile { gdpr: true, tc_string: None, us_privacy: None, gpp: Some((GPP_TCF_ADMIT, 2)), outcome: ADMIT },
    ),
    (300, ConsentProfile { gdpr: false, tc_string: None, us_privacy: Some("1YNN"), gpp: None, outcome: ADMIT }),
    (
        50,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: Some("1YYN"),
            gpp: None,
            outcome: "usp_opt_out_of_sale",
        },
    ),
    (50, ConsentProfile { gdpr: false, tc_string: None, us_privacy: Some("1---"), gpp: None, outcome: ADMIT }),
    (
        150,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_USNAT_ADMIT, 7)),
            outcome: ADMIT,
        },
    ),
    (
        30,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_USNAT_SALE_OPT_OUT, 7)),
            outcome: "gpp_sale_or_sharing_opt_out",
        },
    ),
    (
        20,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_USNAT_SHARING_OPT_OUT, 7)),
            outcome: "gpp_sale_or_sharing_opt_out",
        },
    ),
    (
        20,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_USNAT_NO_GEO, 7)),
            outcome: "gpp_no_precise_geolocation_consent",
        },
    ),
    (
        10,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_USPV1_OPT_OUT, 6)),
            outcome: "usp_opt_out_of_sale",
        },
    ),
    (
        10,
        ConsentProfile {
            gdpr: false,
            tc_string: None,
            us_privacy: None,
            gpp: Some((GPP_UNDECODABLE, 7)),
            outcome: "undecodable_gpp",
        },
    ),
    // A TC string where the GDPR does not apply is not consulted.
    (
        10,
        ConsentProfile { gdpr: false, tc_string: Some(TC_NO_GEO), us_privacy: Some("1YNN"), gpp: None, outcome: ADMIT },
    ),
    (250, ConsentProfile { gdpr: false, tc_string: None, us_privacy: None, gpp: None, outcome: ADMIT }),
];

fn profile_for(rng: &mut ChaCha8Rng) -> &'static ConsentProfile {
    let total: u32 = PROFILES.iter().map(|(w, _)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (weight, profile) in &PROFILES {
        if pick < *weight {
            return profile;
        }
        pick -= weight;
    }
    unreachable!("pick < total")
}

/// What the bid writer produced: requests written and the true outcome counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BidsSummary {
    pub requests: u64,
    pub outcomes: BTreeMap<String, u64>,
}

/// Per-device state the bid writer keeps across days.
pub(crate) struct BidDevice {
    profile: &'static ConsentProfile,
    lmt: bool,
    /// Some apps send the exchange's user id only, no advertising id.
    ifa_missing: bool,
    app_category: u32,
}

impl BidDevice {
    pub(crate) fn new(opts: &SynthOptions, device: u64) -> BidDevice {
        let mut rng = stream(opts.seed, device, 1 << 32);
        BidDevice {
            profile: profile_for(&mut rng),
            lmt: rng.random_bool(0.04),
            ifa_missing: rng.random_bool(0.05),
            app_category: rng.random_range(1..=26),
        }
    }
}

pub(crate) struct BidWriter {
    out: BufWriter<GzEncoder<File>>,
    pub(crate) summary: BidsSummary,
    line: Vec<u8>,
}

impl BidWriter {
    pub(crate) fn create(path: &Path) -> std::io::Result<BidWriter> {
        let file = File::create(path)?;
        Ok(BidWriter {
            out: BufWriter::with_capacity(1 << 20, GzEncoder::new(file, Compression::fast())),
            summary: BidsSummary::default(),
            line: Vec::with_capacity(4096),
        })
    }

    /// Writes one device-day of requests.
    pub(crate) fn device_day(
        &mut self,
        opts: &SynthOptions,
        device: u64,
        profile: &Device,
        bidder: &BidDevice,
        day: u32,
    ) -> std::io::Result<()> {
        let mut rng = stream(opts.seed, device, (1 << 33) + day as u64);
        let n = pings_today(&mut rng, opts.mean_bids_per_day);
        let day_start = opts.start.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp() + day as i64 * 86_400;
        let mut times: Vec<i64> = (0..n).map(|_| rng.random_range(0..86_400_000i64)).collect();
        times.sort_unstable();
        for t in times {
            let outcome = self.request(&mut rng, opts, device, profile, bidder, day, day_start * 1000 + t, t)?;
            self.summary.requests += 1;
            *self.summary.outcomes.entry(outcome.to_string()).or_default() += 1;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        &mut self,
        rng: &mut ChaCha8Rng,
        opts: &SynthOptions,
        device: u64,
        profile: &Device,
        bidder: &BidDevice,
        day: u32,
        ts_ms: i64,
        t_of_day_ms: i64,
    ) -> std::io::Result<&'static str> {
        // A log line cut short, as a crashed logger leaves it.
        if rng.random_bool(0.001) {
            self.out.write_all(b"{\"id\":\"cut\",\"device\":{\"geo\":{\"lat\":44.9\n")?;
            return Ok("invalid_json");
        }
        let coppa = rng.random_bool(0.01);
        let v25 = rng.random_bool(0.2);
        let plan = profile.day_plan(opts, day, opts.start + chrono::Days::new(day as u64));
        let (lon, lat, accuracy, ip_based) = profile.locate(rng, t_of_day_ms, &plan, opts);
        let geo_kind = if rng.random_bool(0.04) {
            None
        } else if ip_based {
            Some(2)
        } else if rng.random_bool(0.05) {
            Some(3)
        } else {
            Some(1)
        };
        let lastfix = rng.random_range(0..120);
        let anonymous = rng.random_bool(0.005);
        let mut request = json!({
            "id": format!("{device:x}-{ts_ms:x}"),
            "at": 1,
            "tmax": 300,
            "imp": [{"id": "1", "banner": {"w": 320, "h": 50}, "bidfloor": 0.5}],
            "device": {
                "ua": profile.user_agent,
                "ip": profile.ip,
                "os": if profile.id_type == "IDFA" { "iOS" } else { "Android" },
                "devicetype": 4,
            },
            "user": {},
            "regs": {},
            "ext": {"ts": ts_ms},
        });
        let device_json = &mut request["device"];
        if !bidder.ifa_missing && !anonymous {
            // Exchanges spell one device's id in several ways (case, braces) and do not always
            // say the OS: ingest must still see one device, the one the ping feed names.
            let ifa = match rng.random_range(0..20u8) {
                0..=2 => profile.ad_id.to_lowercase(),
                3 => format!("{{{}}}", profile.ad_id),
                _ => profile.ad_id.clone(),
            };
            device_json["ifa"] = json!(ifa);
            if rng.random_bool(0.1) {
                device_json.as_object_mut().expect("object").remove("os");
            }
        }
        device_json["lmt"] = json!(bidder.lmt as u8);
        if let Some(kind) = geo_kind {
            device_json["geo"] = json!({
                "lat": (lat * 1e6).round() / 1e6, "lon": (lon * 1e6).round() / 1e6, "type": kind,
                "accuracy": accuracy.round(), "lastfix": lastfix, "country": "USA",
            });
        }
        if bidder.ifa_missing && !anonymous {
            request["user"]["id"] = json!(format!("exch-{device:08x}"));
        }
        let p = bidder.profile;
        if rng.random_bool(0.7) {
            let cat = format!("IAB{}-{}", bidder.app_category, 1 + device % 5);
            request["app"] = if v25 {
                json!({"bundle": "com.example.synth", "cat": [cat]})
            } else {
                json!({"bundle": "com.example.synth", "cat": [cat], "cattax": 1})
            };
        } else {
            request["site"] = json!({"domain": "news.example", "content": {"cat": [format!("{}", 400 + bidder.app_category)], "cattax": 7}});
        }
        request["regs"]["coppa"] = json!(coppa as u8);
        let regs_field = |name: &str| if v25 { format!("/regs/ext/{name}") } else { format!("/regs/{name}") };
        set(&mut request, &regs_field("gdpr"), json!(p.gdpr as u8));
        if let Some(tc) = p.tc_string {
            if v25 {
                request["user"]["ext"] = json!({"consent": tc});
            } else {
                request["user"]["consent"] = json!(tc);
            }
        }
        if let Some(usp) = p.us_privacy {
            set(&mut request, &regs_field("us_privacy"), json!(usp));
        }
        if let Some((gpp, sid)) = p.gpp {
            set(&mut request, &regs_field("gpp"), json!(gpp));
            set(&mut request, &regs_field("gpp_sid"), json!([sid]));
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, &request).expect("a Value always serialises");
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;

        Ok(if coppa {
            "coppa"
        } else if bidder.lmt {
            "lmt"
        } else if p.outcome != ADMIT {
            p.outcome
        } else {
            match geo_kind {
                None => "no_geolocation",
                Some(2) => "ip_geolocation",
                // A user id without an advertising id names no device.
                _ if anonymous || bidder.ifa_missing => "no_advertising_id",
                _ => CONSENTED_WITH_LOCATION,
            }
        })
    }

    pub(crate) fn finish(self, truth_path: &Path) -> std::io::Result<BidsSummary> {
        let encoder = self.out.into_inner().map_err(|e| e.into_error())?;
        encoder.finish()?.sync_all()?;
        let truth = json!({
            "requests": self.summary.requests,
            "outcomes": self.summary.outcomes,
            "note": "outcomes are keyed as `ingest openrtb` reports them: dropped and quarantine reasons, \
                     plus consented_with_location = stored + dropped by the location policy",
        });
        let mut text = serde_json::to_string_pretty(&truth).expect("serialisable");
        text.push('\n');
        std::fs::write(truth_path, text)?;
        Ok(self.summary)
    }
}

/// Sets a field at a JSON pointer whose parent objects exist or are created.
fn set(value: &mut Value, pointer: &str, field: Value) {
    let (parent, name) = pointer.rsplit_once('/').expect("pointer has a parent");
    let mut at = value;
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        at = at.as_object_mut().expect("object").entry(part).or_insert_with(|| json!({}));
    }
    at[name] = field;
}
