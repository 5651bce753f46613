//! A deterministic synthetic city: devices with homes, workplaces and favourite places, pinging
//! through the day, written as a Sovrn-style broker feed plus a GeoJSON of sensitive places.
//! The same seed gives the same bytes, and memory does not grow with the number of pings:
//! each device-day is generated from its own seeded stream and written as it goes.

mod bids;

pub use bids::{BidsSummary, BIDS_FILE, BIDS_TRUTH_FILE, CONSENTED_WITH_LOCATION};

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SynthError {
    // `cause`, not `source`: the message holds it, and a source would print it twice in chains.
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: io::Error },
    #[error("{0}")]
    BadParameter(String),
}

/// A metropolitan area: a bounding box and neighbourhood centres where homes and work cluster.
#[derive(Debug, Clone)]
pub struct City {
    pub name: &'static str,
    /// (min_lon, min_lat, max_lon, max_lat)
    pub bbox: (f64, f64, f64, f64),
    /// (lon, lat, weight) of neighbourhoods.
    pub hubs: &'static [(f64, f64, f64)],
}

/// Minneapolis–Saint Paul. Hubs are downtowns, the university, the airport and suburbs.
pub const TWIN_CITIES: City = City {
    name: "twin-cities",
    bbox: (-93.40, 44.85, -92.98, 45.10),
    hubs: &[
        (-93.2650, 44.9778, 3.0), // downtown Minneapolis
        (-93.0900, 44.9537, 2.0), // downtown Saint Paul
        (-93.2277, 44.9740, 1.5), // University of Minnesota
        (-93.2218, 44.8848, 1.0), // MSP airport
        (-93.2880, 44.9480, 1.5), // Uptown
        (-93.3480, 44.8830, 1.0), // Edina
        (-93.2430, 45.0100, 1.0), // Northeast
        (-93.1660, 44.9630, 1.0), // Midway
        (-93.3550, 44.9860, 0.8), // St. Louis Park
        (-93.0600, 45.0300, 0.7), // Maplewood
    ],
};

#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub devices: u64,
    pub days: u32,
    pub seed: u64,
    pub start: NaiveDate,
    /// Mean pings per device-day (the distribution is heavy-tailed around it).
    pub mean_pings_per_day: f64,
    /// Mean OpenRTB bid requests per device-day; 0 writes no bidstream.
    pub mean_bids_per_day: f64,
    pub city: City,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            devices: 2_000,
            days: 3,
            seed: 1,
            start: NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid date"),
            mean_pings_per_day: 40.0,
            mean_bids_per_day: 8.0,
            city: TWIN_CITIES,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthSummary {
    pub pings: u64,
    pub ip_based_pings: u64,
    pub sensitive_places: u64,
    pub pings_path: PathBuf,
    pub sensitive_path: PathBuf,
    /// Bid requests written, and where (with the truth file beside them), if any were asked for.
    pub bids: Option<(BidsSummary, PathBuf)>,
}

pub const PINGS_FILE: &str = "pings.csv";
pub const SENSITIVE_FILE: &str = "sensitive.geojson";
pub const PINGS_HEADER: &str =
    "mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy,ip_address,user_agent";

/// A sensitive place: lon, lat, radius in metres, category.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivePlace {
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
    pub category: &'static str,
    /// Polygons are written as squares of side 2·radius; points as point + radius_m.
    pub as_polygon: bool,
}

use crowdlens_types::sensitive::FTC_CATEGORIES as CATEGORIES;

/// One generated ping: what a line of `pings.csv` says, typed.
#[derive(Debug, Clone, Copy)]
pub struct Ping<'a> {
    pub ad_id: &'a str,
    pub id_type: &'static str,
    pub time_ms: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
    /// A coarse IP-derived fix rather than GPS.
    pub ip_based: bool,
    pub ip: &'a str,
    pub user_agent: &'static str,
}

/// Refuses scales that would generate nothing or nonsense.
pub fn check(opts: &SynthOptions) -> Result<(), SynthError> {
    if opts.devices == 0 || opts.days == 0 {
        return Err(SynthError::BadParameter("--devices and --days must be at least 1".into()));
    }
    if !(opts.mean_pings_per_day.is_finite() && opts.mean_pings_per_day >= 1.0) {
        return Err(SynthError::BadParameter("mean pings per day must be at least 1".into()));
    }
    if !(opts.mean_bids_per_day == 0.0 || opts.mean_bids_per_day.is_finite() && opts.mean_bids_per_day >= 1.0) {
        return Err(SynthError::BadParameter("--bids-per-day must be 0 (no bidstream) or at least 1".into()));
    }
    Ok(())
}

/// Calls `each` with every ping of `device` (an index below `opts.devices`), day by day and in
/// time order within a day: exactly the pings [`generate`] writes for it, whatever other
/// devices are generated, so devices can be generated on any thread in any order.
pub fn device_pings(opts: &SynthOptions, places: &[SensitivePlace], device: u64, mut each: impl FnMut(&Ping<'_>)) {
    device_pings_of(opts, &Device::new(opts, device, places), device, &mut each)
}

fn device_pings_of(opts: &SynthOptions, profile: &Device, device: u64, each: &mut dyn FnMut(&Ping<'_>)) {
    for day in 0..opts.days {
        let mut rng = stream(opts.seed, device, 1 + day as u64);
        let n = pings_today(&mut rng, opts.mean_pings_per_day);
        let date = opts.start + chrono::Days::new(day as u64);
        let day_start = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
        let plan = profile.day_plan(opts, day, date);
        let mut times: Vec<i64> = (0..n).map(|_| rng.random_range(0..86_400_000i64)).collect();
        times.sort_unstable();
        for t in times {
            let (lon, lat, accuracy, ip_based) = profile.locate(&mut rng, t, &plan, opts);
            each(&Ping {
                ad_id: &profile.ad_id,
                id_type: profile.id_type,
                time_ms: day_start * 1000 + t,
                latitude: lat,
                longitude: lon,
                accuracy_m: accuracy,
                ip_based,
                ip: &profile.ip,
                user_agent: profile.user_agent,
            });
        }
    }
}

/// Writes `sensitive.geojson` into `out` and returns the places, for callers that generate
/// pings themselves (as `synth --store` does) rather than through [`generate`].
pub fn write_sensitive_places(out: &Path, opts: &SynthOptions) -> Result<(Vec<SensitivePlace>, PathBuf), SynthError> {
    fs::create_dir_all(out).map_err(|e| SynthError::Io { path: out.into(), cause: e })?;
    let places = sensitive_places(opts);
    let path = out.join(SENSITIVE_FILE);
    write_sensitive(&path, &places)?;
    Ok((places, path))
}

/// Writes `pings.csv` and `sensitive.geojson` into `out`. `on_device` is called after each
/// device with the number of devices done, for progress displays.
pub fn generate(out: &Path, opts: &SynthOptions, on_device: &mut dyn FnMut(u64)) -> Result<SynthSummary, SynthError> {
    check(opts)?;
    let (places, sensitive_path) = write_sensitive_places(out, opts)?;

    let pings_path = out.join(PINGS_FILE);
    let io_err = |e| SynthError::Io { path: pings_path.clone(), cause: e };
    let file = File::create(&pings_path).map_err(io_err)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(w, "{PINGS_HEADER}").map_err(io_err)?;
    let mut summary = SynthSummary { sensitive_places: places.len() as u64, ..Default::default() };
    let mut line = String::with_capacity(256);
    let bids_path = out.join(BIDS_FILE);
    let bids_err = |e| SynthError::Io { path: bids_path.clone(), cause: e };
    let mut bid_writer =
        if opts.mean_bids_per_day > 0.0 { Some(bids::BidWriter::create(&bids_path).map_err(bids_err)?) } else { None };
    for device in 0..opts.devices {
        let profile = Device::new(opts, device, &places);
        if let Some(writer) = bid_writer.as_mut() {
            let bidder = bids::BidDevice::new(opts, device);
            for day in 0..opts.days {
                writer.device_day(opts, device, &profile, &bidder, day).map_err(bids_err)?;
            }
        }
        let mut failed = None;
        device_pings_of(opts, &profile, device, &mut |p| {
            if failed.is_some() {
                return;
            }
            summary.pings += 1;
            summary.ip_based_pings += p.ip_based as u64;
            line.clear();
            use std::fmt::Write as _;
            let _ = write!(
                line,
                "{},{},{},{:.6},{:.6},{:.1},{},{}",
                p.ad_id, p.id_type, p.time_ms, p.latitude, p.longitude, p.accuracy_m, p.ip, p.user_agent
            );
            if let Err(e) = writeln!(w, "{line}") {
                failed = Some(e);
            }
        });
        if let Some(e) = failed {
            return Err(io_err(e));
        }
        on_device(device + 1);
    }
    w.flush().map_err(io_err)?;
    summary.pings_path = pings_path;
    summary.sensitive_path = sensitive_path;
    if let Some(writer) = bid_writer {
        let bids = writer.finish(&out.join(BIDS_TRUTH_FILE)).map_err(bids_err)?;
        summary.bids = Some((bids, bids_path.clone()));
    }
    Ok(summary)
}

/// An independent random stream for (seed, device, purpose): generation order never changes
/// what any device does, which keeps output byte-identical.
fn stream(seed: u64, device: u64, purpose: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&device.to_le_bytes());
    key[16..24].copy_from_slice(&purpose.to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// Heavy-tailed pings per device-day: a Pareto(α = 1.6) draw scaled to the requested mean,
/// capped so one device cannot dominate a file.
fn pings_today(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    let alpha = 1.6;
    let xm = mean * (alpha - 1.0) / alpha;
    let u: f64 = rng.random_range(1e-9..1.0);
    let x = xm / u.powf(1.0 / alpha);
    (x.round() as usize).clamp(1, (mean * 25.0) as usize)
}

struct Device {
    ad_id: String,
    id_type: &'static str,
    ip: String,
    user_agent: &'static str,
    home: (f64, f64),
    work: Option<(f64, f64)>,
    favourites: Vec<(f64, f64)>,
    /// Share of pings that are coarse IP-derived fixes.
    ip_share: f64,
}

#[derive(Clone, Copy)]
struct DayPlan {
    weekday: bool,
    fav: (f64, f64),
    visits_fav: bool,
}

const USER_AGENTS: [&str; 3] = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile",
    "Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)",
];

impl Device {
    fn new(opts: &SynthOptions, device: u64, places: &[SensitivePlace]) -> Device {
        let mut rng = stream(opts.seed, device, 0);
        let ios = rng.random_bool(0.45);
        let bytes: [u8; 16] = rng.random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let uuid = format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]);
        let home = near_hub(&mut rng, &opts.city, 0.02);
        let work = rng.random_bool(0.75).then(|| near_hub(&mut rng, &opts.city, 0.01));
        let mut favourites: Vec<(f64, f64)> =
            (0..rng.random_range(1..=3)).map(|_| near_hub(&mut rng, &opts.city, 0.03)).collect();
        // Some devices regularly visit a sensitive place: these pings must be dropped at ingest.
        if !places.is_empty() && rng.random_bool(0.15) {
            let p = &places[rng.random_range(0..places.len())];
            favourites.push((p.lon, p.lat));
        }
        Device {
            ad_id: if ios { uuid.to_uppercase() } else { uuid },
            id_type: if ios { "IDFA" } else { "AAID" },
            ip: format!("100.{}.{}.{}", 64 + rng.random_range(0..64), rng.random::<u8>(), rng.random::<u8>()),
            user_agent: USER_AGENTS[if ios { 0 } else { 1 + rng.random_range(0..2usize) }],
            home,
            work,
            favourites,
            ip_share: rng.random_range(0.0..0.12),
        }
    }

    /// What a device-day holds: whether it is a weekday, and which favourite place the device
    /// may visit that day. Drawn once per day, from a stream of its own.
    fn day_plan(&self, opts: &SynthOptions, day: u32, date: NaiveDate) -> DayPlan {
        use chrono::Datelike;
        let mut day_rng = stream(opts.seed ^ 0x5eed, self.home.0.to_bits() ^ day as u64, 2);
        let fav = self.favourites[day_rng.random_range(0..self.favourites.len())];
        let visits_fav = day_rng.random_bool(0.5);
        DayPlan { weekday: date.weekday().number_from_monday() <= 5, fav, visits_fav }
    }

    /// Where the device is at `t_ms` after midnight: home at night, work in office hours on
    /// weekdays, favourite places some evenings and weekend afternoons, travelling between.
    fn locate(&self, rng: &mut ChaCha8Rng, t_ms: i64, plan: &DayPlan, opts: &SynthOptions) -> (f64, f64, f64, bool) {
        let hour = t_ms as f64 / 3_600_000.0;
        let DayPlan { weekday, fav, visits_fav } = *plan;
        let anchor = if !(7.0..22.0).contains(&hour) {
            self.home
        } else if weekday && (9.0..17.0).contains(&hour) {
            self.work.unwrap_or(self.home)
        } else if visits_fav && (18.0..21.0).contains(&hour) || !weekday && visits_fav && (13.0..16.0).contains(&hour) {
            fav
        } else if (7.0..9.0).contains(&hour) || (17.0..18.0).contains(&hour) {
            let to = self.work.unwrap_or(fav);
            let f: f64 = rng.random();
            (self.home.0 + f * (to.0 - self.home.0), self.home.1 + f * (to.1 - self.home.1))
        } else {
            self.home
        };
        if rng.random_bool(self.ip_share) {
            // IP geolocation resolves to a coarse point near the city centre, with large error.
            let hub = opts.city.hubs[0];
            let acc = rng.random_range(1_000.0..10_000.0);
            return (hub.0 + rng.random_range(-0.05..0.05), hub.1 + rng.random_range(-0.03..0.03), acc, true);
        }
        // GPS accuracy: mostly 3–30 m, a tail up to a few hundred metres indoors.
        let accuracy: f64 =
            if rng.random_bool(0.9) { rng.random_range(3.0..30.0) } else { rng.random_range(30.0..400.0) };
        let jitter_deg = accuracy / 111_000.0 * 0.5;
        let lon = anchor.0 + rng.random_range(-jitter_deg..=jitter_deg) / anchor.1.to_radians().cos();
        let lat = anchor.1 + rng.random_range(-jitter_deg..=jitter_deg);
        (lon, lat, accuracy, false)
    }
}

fn near_hub(rng: &mut ChaCha8Rng, city: &City, spread_deg: f64) -> (f64, f64) {
    let total: f64 = city.hubs.iter().map(|h| h.2).sum();
    let mut pick = rng.random_range(0.0..total);
    let mut hub = city.hubs[0];
    for h in city.hubs {
        if pick < h.2 {
            hub = *h;
            break;
        }
        pick -= h.2;
    }
    // A rough normal from the sum of uniforms keeps neighbourhoods dense at the centre.
    let n = |rng: &mut ChaCha8Rng| (0..4).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() / 2.0;
    let lon = (hub.0 + n(rng) * spread_deg * 1.4).clamp(city.bbox.0, city.bbox.2);
    let lat = (hub.1 + n(rng) * spread_deg).clamp(city.bbox.1, city.bbox.3);
    (lon, lat)
}

/// The city's sensitive places: a deterministic function of the seed, four per category.
pub fn sensitive_places(opts: &SynthOptions) -> Vec<SensitivePlace> {
    let mut rng = stream(opts.seed, u64::MAX, 9);
    let mut out = Vec::new();
    for (i, category) in CATEGORIES.iter().enumerate() {
        for k in 0..4 {
            let (lon, lat) = near_hub(&mut rng, &opts.city, 0.03);
            out.push(SensitivePlace {
                lon,
                lat,
                radius_m: rng.random_range(40.0..120.0),
                category,
                as_polygon: (i + k) % 2 == 0,
            });
        }
    }
    out
}

fn write_sensitive(path: &Path, places: &[SensitivePlace]) -> Result<(), SynthError> {
    let features: Vec<serde_json::Value> = places
        .iter()
        .map(|p| {
            let geometry = if p.as_polygon {
                let dlat = p.radius_m / 111_000.0;
                let dlon = dlat / p.lat.to_radians().cos();
                let ring = vec![
                    [p.lon - dlon, p.lat - dlat],
                    [p.lon + dlon, p.lat - dlat],
                    [p.lon + dlon, p.lat + dlat],
                    [p.lon - dlon, p.lat + dlat],
                    [p.lon - dlon, p.lat - dlat],
                ];
                serde_json::json!({"type": "Polygon", "coordinates": [ring]})
            } else {
                serde_json::json!({"type": "Point", "coordinates": [p.lon, p.lat]})
            };
            let mut props = serde_json::json!({"category": p.category});
            if !p.as_polygon {
                props["radius_m"] = serde_json::json!((p.radius_m * 10.0).round() / 10.0);
            }
            serde_json::json!({"type": "Feature", "properties": props, "geometry": geometry})
        })
        .collect();
    let doc = serde_json::json!({"type": "FeatureCollection", "features": features});
    let text = serde_json::to_string_pretty(&doc).expect("serialises");
    fs::write(path, text).map_err(|e| SynthError::Io { path: path.into(), cause: e })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SynthOptions {
        SynthOptions { devices: 50, days: 2, ..Default::default() }
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        generate(a.path(), &small(), &mut |_| {}).unwrap();
        generate(b.path(), &small(), &mut |_| {}).unwrap();
        for f in [PINGS_FILE, SENSITIVE_FILE] {
            assert_eq!(fs::read(a.path().join(f)).unwrap(), fs::read(b.path().join(f)).unwrap(), "{f}");
        }
        let c = tempfile::tempdir().unwrap();
        generate(c.path(), &SynthOptions { seed: 2, ..small() }, &mut |_| {}).unwrap();
        assert_ne!(fs::read(a.path().join(PINGS_FILE)).unwrap(), fs::read(c.path().join(PINGS_FILE)).unwrap());
    }

    #[test]
    fn feed_has_the_published_columns_and_a_mix() {
        let d = tempfile::tempdir().unwrap();
        let s = generate(d.path(), &small(), &mut |_| {}).unwrap();
        let text = fs::read_to_string(&s.pings_path).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(PINGS_HEADER));
        assert_eq!(lines.count() as u64, s.pings);
        assert!(s.ip_based_pings > 0 && s.ip_based_pings < s.pings / 4);
        assert!(text.contains(",IDFA,") && text.contains(",AAID,"));
    }

    #[test]
    fn ping_counts_are_heavy_tailed() {
        let mut rng = stream(1, 1, 1);
        let mut v: Vec<usize> = (0..10_000).map(|_| pings_today(&mut rng, 40.0)).collect();
        v.sort_unstable();
        let median = v[5_000];
        let p99 = v[9_900];
        assert!(p99 > 4 * median, "median {median} p99 {p99}");
    }

    #[test]
    fn refuses_empty_scale() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(
            generate(d.path(), &SynthOptions { devices: 0, ..small() }, &mut |_| {}),
            Err(SynthError::BadParameter(_))
        ));
    }
}
