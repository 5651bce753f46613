//! OpenRTB 2.5 / 2.6 bid requests, one JSON object per line. Only the fields DESIGN.md lists
//! are read, each from its 2.6 home or its 2.5 `ext` home; everything else in a request is
//! skipped unparsed. Strings are borrowed from the line where JSON allows (no escapes), which is
//! what makes this path faster than a generic `serde_json::Value` parse (see the throughput
//! example, `examples/openrtb_throughput.rs`).

use crowdlens_consent::Signals;
use crowdlens_types::{category, DeviceId, NotADevice};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

use crate::decode::{parse_timestamp, Reject};

mod lenient;
use lenient::{flag, number, section_ids};

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
    #[serde(default, deserialize_with = "number")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub lon: Option<f64>,
    /// AdCOM location type: 1 = GPS/location services, 2 = IP address, 3 = user-provided.
    #[serde(rename = "type", default, deserialize_with = "number")]
    pub kind: Option<u8>,
    #[serde(default, deserialize_with = "number")]
    pub accuracy: Option<f64>,
    /// Seconds since this fix was taken.
    #[serde(default, deserialize_with = "number")]
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
    #[serde(default, deserialize_with = "section_ids")]
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
    #[serde(default, deserialize_with = "section_ids")]
    pub gpp_sid: Option<Vec<u16>>,
}

/// `app` or `site`: only the categories are read; bundle and domain are not.
#[derive(Debug, Default, Deserialize)]
pub struct Distribution<'a> {
    #[serde(borrow, default)]
    pub cat: Option<Vec<Cow<'a, str>>>,
    #[serde(default, deserialize_with = "number")]
    pub cattax: Option<u16>,
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Content<'a> {
    #[serde(borrow, default)]
    pub cat: Option<Vec<Cow<'a, str>>>,
    #[serde(default, deserialize_with = "number")]
    pub cattax: Option<u16>,
}

/// crowdlens' convention for logged requests: the time the request was received, in Unix
/// seconds or milliseconds, at `ext.ts`. Without it, `--received-at` supplies the time.
#[derive(Debug, Default, Deserialize)]
pub struct RequestExt {
    #[serde(default, deserialize_with = "number")]
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

impl BidRequest<'_> {
    /// No field crowdlens reads is present: the line is no request, or a wrapper around one.
    fn holds_nothing(&self) -> bool {
        self.device.is_none()
            && self.user.is_none()
            && self.regs.is_none()
            && self.app.is_none()
            && self.site.is_none()
            && self.ext.is_none()
    }
}

/// A dotted path into a JSON object, such as `received_at` or `meta.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(Vec<String>);

impl JsonPath {
    pub fn parse(spec: &str) -> Result<JsonPath, String> {
        let keys: Vec<String> = spec.split('.').map(str::to_string).collect();
        if keys.iter().any(String::is_empty) {
            return Err(format!(
                "`{spec}` is not a JSON path: name the keys from the line's top level, separated by dots, \
                 such as `received_at` or `meta.ts`"
            ));
        }
        Ok(JsonPath(keys))
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// Where a logged line keeps its bid request and the time it was received.
#[derive(Debug, Clone, Default)]
pub struct LineLayout {
    /// `--request-field`: the request is the object at this path. Without it, the request is
    /// the line itself or, when the line holds no request field at all, the object under one of
    /// [`WRAPPER_KEYS`].
    pub request_field: Option<JsonPath>,
    /// `--time-field`: the receive time is at this path from the line's top level, in Unix
    /// seconds, milliseconds or microseconds, or an ISO 8601 date-time, as a number or a string.
    pub time_field: Option<JsonPath>,
}

/// Keys under which request logs commonly wrap the OpenRTB body.
pub const WRAPPER_KEYS: [&str; 9] =
    ["request", "bid_request", "bidrequest", "bidRequest", "BidRequest", "req", "body", "payload", "openrtb"];

/// One logged line: the request, and the receive time `--time-field` found (`None` when the
/// layout names no time field or the line has no value there).
pub struct Logged<'a> {
    pub request: BidRequest<'a>,
    pub time_s: Option<Result<i64, Reject>>,
}

/// Parses one line as `layout` describes it. Without a layout this is [`parse`], plus the
/// wrapper detection, which costs nothing for lines that are requests.
pub fn parse_logged<'a>(line: &'a [u8], layout: &LineLayout) -> Result<Logged<'a>, Reject> {
    if line.len() > MAX_LINE_BYTES {
        return Err(Reject::RecordTooLong);
    }
    let time_s = match &layout.time_field {
        Some(path) => lookup(line, path)?.and_then(time_at),
        None => None,
    };
    let request = match &layout.request_field {
        Some(path) => {
            let raw = lookup(line, path)?.ok_or(Reject::RequestNotFound)?;
            parse(raw.get().as_bytes())?
        }
        None => {
            let request = parse(line)?;
            if request.holds_nothing() {
                wrapped(line)?.unwrap_or(request)
            } else {
                request
            }
        }
    };
    Ok(Logged { request, time_s })
}

type Object<'a> = HashMap<Cow<'a, str>, &'a RawValue>;

fn object(text: &[u8]) -> Result<Option<Object<'_>>, Reject> {
    let raw: &RawValue = serde_json::from_slice(text).map_err(|_| Reject::InvalidJson)?;
    if !raw.get().starts_with('{') {
        return Ok(None);
    }
    serde_json::from_str(raw.get()).map(Some).map_err(|_| Reject::InvalidJson)
}

/// The value at `path`, if every key on the way names an object member.
fn lookup<'a>(line: &'a [u8], path: &JsonPath) -> Result<Option<&'a RawValue>, Reject> {
    let mut current: &'a [u8] = line;
    let mut found = None;
    for key in &path.0 {
        let Some(members) = object(current)? else { return Ok(None) };
        let Some(&value) = members.get(key.as_str()) else { return Ok(None) };
        found = Some(value);
        current = value.get().as_bytes();
    }
    Ok(found)
}

/// The request under the first wrapper key that holds one.
fn wrapped(line: &[u8]) -> Result<Option<BidRequest<'_>>, Reject> {
    let Some(members) = object(line)? else { return Ok(None) };
    for key in WRAPPER_KEYS {
        if let Some(value) = members.get(key).filter(|v| v.get().starts_with('{')) {
            let request = parse(value.get().as_bytes())?;
            if !request.holds_nothing() {
                return Ok(Some(request));
            }
        }
    }
    Ok(None)
}

fn time_at(value: &RawValue) -> Option<Result<i64, Reject>> {
    let text = value.get();
    if text == "null" {
        return None;
    }
    if text.starts_with('"') {
        let inner: Cow<'_, str> = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(_) => return Some(Err(Reject::BadTimestamp)),
        };
        if inner.trim().is_empty() {
            return None;
        }
        return Some(parse_timestamp(&inner));
    }
    Some(parse_timestamp(text))
}

#[cfg(test)]
mod tests;
