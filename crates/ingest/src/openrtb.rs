//! OpenRTB 2.5 / 2.6 bid requests, one JSON object per line. Only the fields DESIGN.md lists
//! are read, each from its 2.6 home or its 2.5 `ext` home; everything else in a request is
//! skipped unparsed. Strings are borrowed from the line where JSON allows (no escapes), which is
//! what makes this path faster than a generic `serde_json::Value` parse (see the throughput
//! example, `examples/openrtb_throughput.rs`).

use crowdlens_consent::Signals;
use crowdlens_types::{category, DeviceId, NotADevice};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::Cow;

use crate::decode::Reject;

/// Longest line read as a bid request. Real requests are a few kB; the cap bounds memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Default, Deserialize)]
pub struct BidRequest<'a> {
    #[serde(borrow, default)]
    pub device: Option<Device<'a>>,
    #[serde(borrow, default)]
    pub user: Option<User<'a>>,
    #[serde(borrow, default)]
    pub regs: Option<Regs<'a>>,
    #[serde(borrow, default)]
    pub app: Option<Distribution<'a>>,
    #[serde(borrow, default)]
    pub site: Option<Distribution<'a>>,
    #[serde(default)]
    pub ext: Option<RequestExt>,
}

#[derive(Default, Deserialize)]
pub struct Device<'a> {
    #[serde(default)]
    pub geo: Option<Geo>,
    #[serde(borrow, default)]
    pub ifa: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "flag")]
    pub lmt: Option<bool>,
    #[serde(borrow, default)]
    pub ext: Option<DeviceExt<'a>>,
}

/// The IAB's "Guidelines for IFA on OTT platforms" put the kind of `ifa` in `device.ext`:
/// `idfa`, `aaid`, `rida`, ... for device ids, `ppid` or `sessionid` for ids that are not.
#[derive(Default, Deserialize)]
pub struct DeviceExt<'a> {
    #[serde(borrow, default)]
    pub ifa_type: Option<Cow<'a, str>>,
}

#[derive(Default, Deserialize)]
pub struct Geo {
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// AdCOM location type: 1 = GPS/location services, 2 = IP address, 3 = user-provided.
    #[serde(rename = "type", default)]
    pub kind: Option<u8>,
    #[serde(default)]
    pub accuracy: Option<f64>,
    /// Seconds since this fix was taken.
    #[serde(default)]
    pub lastfix: Option<i64>,
}

#[derive(Default, Deserialize)]
pub struct User<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub consent: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub ext: Option<UserExt<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserExt<'a> {
    #[serde(borrow, default)]
    pub consent: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Regs<'a> {
    #[serde(default, deserialize_with = "flag")]
    pub coppa: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub gdpr: Option<bool>,
    #[serde(borrow, default)]
    pub us_privacy: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub gpp: Option<Cow<'a, str>>,
    #[serde(default)]
    pub gpp_sid: Option<Vec<u16>>,
    #[serde(borrow, default)]
    pub ext: Option<RegsExt<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegsExt<'a> {
    #[serde(default, deserialize_with = "flag")]
    pub gdpr: Option<bool>,
    #[serde(borrow, default)]
    pub us_privacy: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub gpp: Option<Cow<'a, str>>,
    #[serde(default)]
    pub gpp_sid: Option<Vec<u16>>,
}

/// `app` or `site`: only the categories are read; bundle and domain are not.
#[derive(Debug, Default, Deserialize)]
pub struct Distribution<'a> {
    #[serde(borrow, default)]
    pub cat: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    pub cattax: Option<u16>,
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Content<'a> {
    #[serde(borrow, default)]
    pub cat: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    pub cattax: Option<u16>,
}

/// crowdlens' convention for logged requests: the time the request was received, in Unix
/// seconds or milliseconds, at `ext.ts`. Without it, `--received-at` supplies the time.
#[derive(Debug, Default, Deserialize)]
pub struct RequestExt {
    #[serde(default)]
    pub ts: Option<f64>,
}

// Requests hold advertising ids, user ids, consent strings and locations: none of it may reach
// a log through `{:?}`, so these print as their shape only.
macro_rules! redacted_debug {
    ($($ty:ident),*) => {$(
        impl std::fmt::Debug for $ty<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($ty), "(..)"))
            }
        }
    )*};
}
redacted_debug!(BidRequest, Device, DeviceExt, User);

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Geo(..)")
    }
}

/// Parses one line. The error names the kind of failure and its column, never the content.
pub fn parse(line: &[u8]) -> Result<BidRequest<'_>, Reject> {
    if line.len() > MAX_LINE_BYTES {
        return Err(Reject::RecordTooLong);
    }
    serde_json::from_slice(line).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Reject::NotABidRequest,
        _ => Reject::InvalidJson,
    })
}

impl<'a> BidRequest<'a> {
    pub fn signals(&'a self) -> Signals<'a> {
        let regs = self.regs.as_ref();
        let regs_ext = regs.and_then(|r| r.ext.as_ref());
        let user = self.user.as_ref();
        Signals {
            coppa: regs.and_then(|r| r.coppa).unwrap_or(false),
            lmt: self.device.as_ref().and_then(|d| d.lmt).unwrap_or(false),
            gdpr: regs.and_then(|r| r.gdpr).or_else(|| regs_ext.and_then(|r| r.gdpr)).unwrap_or(false),
            tc_string: user
                .and_then(|u| u.consent.as_deref())
                .or_else(|| user.and_then(|u| u.ext.as_ref()).and_then(|e| e.consent.as_deref())),
            us_privacy: regs
                .and_then(|r| r.us_privacy.as_deref())
                .or_else(|| regs_ext.and_then(|r| r.us_privacy.as_deref())),
            gpp: regs.and_then(|r| r.gpp.as_deref()).or_else(|| regs_ext.and_then(|r| r.gpp.as_deref())),
            gpp_sid: regs.and_then(|r| r.gpp_sid.as_deref()).or_else(|| regs_ext.and_then(|r| r.gpp_sid.as_deref())),
        }
    }

    /// The device's advertising id, canonical so that it pseudonymises like the same id in a
    /// ping feed whatever its case or `device.os`. Only `device.ifa` names a device: a
    /// `user.id` is the exchange's or publisher's id for a person or cookie, which cannot be
    /// tied to a device and would otherwise become a second privacy unit for it. An `ifa`
    /// labelled as a publisher or session id in `device.ext.ifa_type` is not a device either.
    pub fn advertising_id(&self) -> Result<DeviceId, NotADevice> {
        let device = self.device.as_ref().ok_or(NotADevice::Empty)?;
        let ifa = device.ifa.as_deref().ok_or(NotADevice::Empty)?;
        let label = device.ext.as_ref().and_then(|e| e.ifa_type.as_deref()).unwrap_or("");
        if NotADevice::is_non_device_label(label) {
            return Err(NotADevice::NotAnAdvertisingId);
        }
        DeviceId::canonical(ifa)
    }

    /// The first category the request names: the app's or site's own list, then its content's.
    pub fn category(&self) -> Option<u32> {
        let dist = self.app.as_ref().or(self.site.as_ref())?;
        let first = |cat: &Option<Vec<Cow<'_, str>>>, cattax: Option<u16>| {
            let code = cat.as_ref()?.first()?;
            category::encode(cattax.unwrap_or(category::IAB_CONTENT_1_0), code)
        };
        first(&dist.cat, dist.cattax).or_else(|| dist.content.as_ref().and_then(|c| first(&c.cat, c.cattax)))
    }

    /// Request time in Unix seconds, from `ext.ts` (seconds or milliseconds) or `received_at_s`.
    pub fn received_at(&self, received_at_s: Option<i64>) -> Option<i64> {
        match self.ext.as_ref().and_then(|e| e.ts) {
            Some(ts) if ts.is_finite() && ts >= 0.0 => Some(if ts >= 1e11 { ts / 1e3 } else { ts }.floor() as i64),
            _ => received_at_s,
        }
    }
}

/// OpenRTB booleans are integers 0/1; some exchanges send JSON booleans. Both are read.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct FlagVisitor;
    impl<'de> Visitor<'de> for FlagVisitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("0, 1, true, false or null")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::custom("a flag must be 0 or 1")),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v).map_err(|_| E::custom("a flag must be 0 or 1")).and_then(|v| self.visit_u64(v))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(FlagVisitor)
        }
    }
    d.deserialize_option(FlagVisitor)
}

#[cfg(test)]
mod tests;
