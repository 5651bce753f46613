//! An empirical privacy audit of every question, in the manner of DP-Sniper (Bichsel, Steffen,
//! Bogunovic and Vechev, "DP-Sniper: Black-Box Discovery of Differential Privacy Violations
//! using Classifiers", IEEE S&P 2021).
//!
//! Two stores differ by one device, T, built to exceed every bound: it appears in both feeds
//! under different spellings of its id (upper-case IDFA in the ping feed, braced lower case
//! with another `os` in the bidstream), in several cells and hours, with two long dwells, in
//! both co-visit areas, and in bid requests of several categories, one of them its alone. Each
//! question is asked many times on each store through the real path (ingest, ledger, plan,
//! bounding, OpenDP noise). On half the samples an output event is chosen: a linear classifier
//! over the released values where T can appear (weights from the difference of their means), and
//! the threshold and direction on its score that separate the stores best; on the other half its probabilities are bounded by Clopper–Pearson
//! intervals, and the lower bound on the privacy loss, ln(p₁⁻ / p₀⁺), must not exceed the
//! claimed ε. For keys that only T can create (thresholded reach), the event "T's key is
//! released" must satisfy p₁⁻ − e^ε·p₀⁺ ≤ δ.
//!
//! Had T kept two pseudonyms (one per feed) or escaped its bound, its shift would double and the
//! loss lower bound would clear ε. The bound L is 1 in every question, so a correct mechanism
//! shifts the audited sum by exactly one (two for co-visit, whose sensitivity is 2).

use crowdlens_control::Ledger;
use crowdlens_query::MechanismChoice;
use crowdlens_ingest::pipeline::NoProgress;
use crowdlens_ingest::{ingest_openrtb, ingest_pings, IngestOptions};
use crowdlens_query::questions::*;
use crowdlens_query::window::parse_instant;
use crowdlens_query::{open_ledger, preview_presence, Answer, Asker, PresenceQuestion};
use crowdlens_store::{Config, Store};
use std::path::Path;

/// Samples per store per question: half choose the event, half measure it.
const SAMPLES: usize = 2000;
/// Each Clopper–Pearson bound holds with probability 1 − ALPHA/2, so a correct mechanism fails
/// a check with probability at most ALPHA.
const ALPHA: f64 = 1e-3;
const EPSILON: f64 = 1.0;
const DAY1: &str = "2026-11-02";
const T_ID: &str = "6D92078A-8246-4BA4-AE5B-76104861E7DC";

/// T's spots: P (long dwells), Q and R, each in its own resolution-8 cell.
const P: (f64, f64) = (44.9700, -93.2600);
const Q: (f64, f64) = (44.9800, -93.2400);
const R: (f64, f64) = (44.9600, -93.2350);

/// Where the audits keep their stores: in memory where the machine has a tmpfs, since each
/// audit asks thousands of questions and every answer is committed to the ledger with an
/// fsync, which on a disk costs more than the question itself.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn ms(day: &str, hour: f64) -> i64 {
    parse_instant(day).unwrap() * 1000 + (hour * 3_600_000.0) as i64
}

/// Where the base population lives: T's three spots and three more inside the area.
const HOMES: [(f64, f64); 6] = [P, Q, R, (44.9900, -93.2800), (44.9500, -93.2200), (44.9850, -93.2150)];

/// The base population: 300 devices, each at one home spot for four morning hours of one day,
/// in both feeds. Every base device therefore falls in one partition of every audited question,
/// where the bound L = 1 keeps it whole: the base counts are the same in every answer, and only
/// the noise and T differ between the two stores.
fn write_base(dir: &Path) {
    let mut pings = String::from("mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy\n");
    let mut bids = String::new();
    for d in 0..300u32 {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", d + 1, d + 1);
        let (lat, lon) = HOMES[d as usize % HOMES.len()];
        let day = if d % 2 == 0 { "2026-11-02" } else { "2026-11-03" };
        let mut h = 7.0;
        while h < 11.0 {
            pings.push_str(&format!("{id},AAID,{},{lat},{lon},10\n", ms(day, h)));
            h += 0.25;
        }
        let cat = if d % 3 < 2 { "IAB1" } else { "IAB9" };
        bids.push_str(&bid(&id, "Android", lat, lon, ms(day, 8.0), cat));
    }
    std::fs::write(dir.join("base_pings.csv"), pings).unwrap();
    std::fs::write(dir.join("base_bids.jsonl"), bids).unwrap();
}

fn bid(ifa: &str, os: &str, lat: f64, lon: f64, ts_ms: i64, cat: &str) -> String {
    format!(
        r#"{{"device":{{"ifa":"{ifa}","os":"{os}","geo":{{"lat":{lat},"lon":{lon},"type":1,"accuracy":5}}}},"app":{{"cat":["{cat}"],"cattax":1}},"ext":{{"ts":{ts_ms}}}}}"#
    ) + "\n"
}

/// T, in both feeds under different spellings: P 09–14h, Q 14–14:45, R 15–15:45, P 16–21h on
/// day 1, and two bid requests at P (a popular category and one of its own). Every question
/// sees it in more places than its bound allows.
fn write_target(dir: &Path) {
    let mut pings = String::from("mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy\n");
    let mut add = |(lat, lon): (f64, f64), from: f64, to: f64| {
        let mut h = from;
        while h <= to {
            pings.push_str(&format!("{T_ID},IDFA,{},{lat},{lon},5\n", ms(DAY1, h)));
            h += 1.0 / 6.0;
        }
    };
    add(P, 9.0, 14.0);
    add(Q, 14.2, 14.75);
    add(R, 15.0, 15.75);
    add(P, 16.0, 21.0);
    std::fs::write(dir.join("target_pings.csv"), pings).unwrap();
    let spelled = format!("{{{}}}", T_ID.to_lowercase());
    let bids = [
        bid(&spelled, "Android", P.0, P.1, ms(DAY1, 10.0), "IAB1"),
        bid(&spelled, "Android", P.0, P.1, ms(DAY1, 11.0), "IAB25-3"),
    ]
    .concat();
    std::fs::write(dir.join("target_bids.jsonl"), bids).unwrap();
}

fn store(dir: &Path, name: &str, with_target: bool) -> Store {
    let mut config = Config::default();
    // The audit asks thousands of questions; the per-question cap is what it tests.
    config.privacy.epsilon_per_epoch = 1e6;
    config.privacy.delta_per_epoch = 0.5;
    let store = Store::init(&dir.join(name), &config).unwrap();
    crowdlens_query::create_ledger(&store).unwrap();
    let o = IngestOptions { now_s: Some(1_800_000_000), ..Default::default() };
    ingest_pings(&store, &dir.join("base_pings.csv"), &o, &NoProgress).unwrap();
    ingest_openrtb(&store, &dir.join("base_bids.jsonl"), &o, &NoProgress).unwrap();
    if with_target {
        let p = ingest_pings(&store, &dir.join("target_pings.csv"), &o, &NoProgress).unwrap();
        let b = ingest_openrtb(&store, &dir.join("target_bids.jsonl"), &o, &NoProgress).unwrap();
        assert!(p.stored > 60 && b.stored == 2, "{p:?} {b:?}");
    }
    store
}

fn asker() -> Asker {
    Asker { actor: "audit".into(), role: "admin".into(), case_id: "AUDIT".into(), purpose: "oversight".into() }
}

fn common(from: &str, to: &str) -> Common {
    Common {
        from_s: parse_instant(from).unwrap(),
        to_s: parse_instant(to).unwrap(),
        epsilon: Some(EPSILON),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: Some(1),
    }
}

/// The cell at `res` that the store's rows at `at` belong to: the parent of the stored
/// resolution-10 cell, as the plans compute it.
fn cell(at: (f64, f64), res: u8) -> String {
    let stored = h3o::LatLng::new(at.0, at.1).unwrap().to_cell(h3o::Resolution::Ten);
    stored.parent(h3o::Resolution::try_from(res).unwrap()).unwrap().to_string()
}

/// One question of the audit: how to ask it, and the released values T can move (its
/// features), as a function of the answer.
struct Audit {
    name: &'static str,
    ask: Box<dyn Fn(&Store, &mut Ledger) -> Answer + Send + Sync>,
    features: Box<dyn Fn(&Answer) -> Vec<f64> + Send + Sync>,
}

type Key = crowdlens_query::key::RowKey;

/// The released value of each key `keys` picks out, in answer order; 0 for a suppressed key.
fn values_where(a: &Answer, keys: &[&dyn Fn(&Key) -> bool]) -> Vec<f64> {
    keys.iter().map(|keep| a.rows.iter().filter(|r| keep(&r.key)).map(|r| r.value as f64).sum()).collect()
}

/// Distinct devices per resolution-8 cell of `area` over day 1, in one bucket, with L = 1.
fn day_one_presence(area: String) -> PresenceQuestion {
    PresenceQuestion {
        area,
        from_s: parse_instant(DAY1).unwrap(),
        to_s: parse_instant("2026-11-03").unwrap(),
        bucket_s: 86_400,
        res: Some(8),
        epsilon: Some(EPSILON),
        accuracy: None,
        mechanism: MechanismChoice::Laplace,
        max_partitions: Some(1),
    }
}

fn audits() -> Vec<Audit> {
    let rt = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let t_cells8: Vec<String> = [P, Q, R].iter().map(|s| cell(*s, 8)).collect();
    let area = "bbox:-93.30,44.94,-93.20,45.00".to_string();
    let presence = day_one_presence(area.clone());
    let flows = FlowsQuestion {
        common: common(DAY1, "2026-11-03"),
        area: Some(format!("cells:{}", t_cells8.join(","))),
        zones_res: Some(8),
        zones_file: None,
        top_from: None,
    };
    // One resolution-9 cell around a spot: the area T and the base devices there fall in.
    let at = |spot| format!("cells:{}", cell(spot, 9));
    let dwell = DwellQuestion { common: common(DAY1, "2026-11-03"), area: at(P), res: None, max_gap_s: 1800 };
    let covisit = CovisitQuestion { common: common(DAY1, "2026-11-03"), area: at(P), area_b: at(Q), res: None };
    let series = SeriesQuestion {
        common: common(DAY1, "2026-11-03"),
        area: at(P),
        res: Some(9),
        bucket_s: 6 * 3600,
        baseline_from_s: parse_instant("2026-11-03").unwrap(),
        baseline_to_s: parse_instant("2026-11-04").unwrap(),
    };
    // By top tier, public keys: T's two categories are IAB1 and IAB25.
    let reach = ReachQuestion {
        common: common(DAY1, "2026-11-03"),
        area: area.clone(),
        zones_res: Some(7),
        categories: "tier1".into(),
    };
    let t_zone7 = cell(P, 7);
    let t3 = t_cells8.clone();
    vec![
        Audit {
            name: "presence",
            ask: Box::new(move |s, l| rt().block_on(crowdlens_query::ask_presence(s, l, &asker(), &presence)).unwrap()),
            features: Box::new(move |a| {
                let (p, q, r) = (t3[0].as_str(), t3[1].as_str(), t3[2].as_str());
                values_where(
                    a,
                    &[&|k: &Key| k.get("cell") == Some(p), &|k: &Key| k.get("cell") == Some(q), &|k: &Key| {
                        k.get("cell") == Some(r)
                    }],
                )
            }),
        },
        Audit {
            name: "flows",
            ask: Box::new(move |s, l| rt().block_on(ask_flows(s, l, &asker(), &flows)).unwrap()),
            // T's day makes P→Q, Q→R and R→P; with L = 1 one of them counts.
            features: Box::new(move |a| {
                let pair = |o: usize, d: usize| {
                    let (o, d) = (t_cells8[o].clone(), t_cells8[d].clone());
                    move |k: &Key| k.get("origin") == Some(o.as_str()) && k.get("destination") == Some(d.as_str())
                };
                let (a1, a2, a3) = (pair(0, 1), pair(1, 2), pair(2, 0));
                values_where(a, &[&a1, &a2, &a3])
            }),
        },
        Audit {
            name: "dwell",
            ask: Box::new(move |s, l| rt().block_on(ask_dwell(s, l, &asker(), &dwell)).unwrap()),
            features: Box::new(|a| values_where(a, &[&|k: &Key| k.get("dwell") == Some(">=4h")])),
        },
        Audit {
            name: "co-visit",
            ask: Box::new(move |s, l| rt().block_on(ask_covisit(s, l, &asker(), &covisit)).unwrap()),
            // T adds one to the total and one to the 1–6 h lag bin (P at 09:00, Q at 14:12).
            features: Box::new(|a| {
                values_where(
                    a,
                    &[&|k: &Key| k.get("measure") == Some("devices_in_both"), &|k: &Key| {
                        k.get("lag").is_some_and(|l| l == "1-6h")
                    }],
                )
            }),
        },
        Audit {
            name: "series",
            ask: Box::new(move |s, l| rt().block_on(ask_series(s, l, &asker(), &series)).unwrap()),
            features: Box::new(|a| {
                a.rows.iter().filter(|r| r.key.get("period") == Some("window")).map(|r| r.value as f64).collect()
            }),
        },
        Audit {
            name: "reach",
            ask: Box::new(move |s, l| rt().block_on(ask_reach(s, l, &asker(), &reach)).unwrap()),
            // The popular category at T's zone is released either way; T adds one to it with
            // probability 1/2 (its other category is its alone, and L = 1).
            features: Box::new(move |a| {
                values_where(
                    a,
                    &[&|k: &Key| k.get("zone") == Some(t_zone7.as_str()) && k.get("category") == Some("IAB1")],
                )
            }),
        },
    ]
}

/// Clopper–Pearson bounds for k successes in n trials, each holding with probability 1 − a.
fn clopper_pearson(k: usize, n: usize, a: f64) -> (f64, f64) {
    let lower = if k == 0 { 0.0 } else { beta_quantile(a, k as f64, (n - k + 1) as f64) };
    let upper = if k == n { 1.0 } else { beta_quantile(1.0 - a, (k + 1) as f64, (n - k) as f64) };
    (lower, upper)
}

/// Quantile of Beta(a, b) by bisection on the regularised incomplete beta function.
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if incomplete_beta(mid, a, b) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// I_x(a, b) by its continued fraction (Numerical Recipes, `betacf`).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_cf(x, a, b)) / a
    } else {
        1.0 - (ln_front.exp() * beta_cf(1.0 - x, b, a)) / b
    }
}

fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// Lanczos approximation (g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// An output event: the statistic at or above (`upper`) or at or below a threshold.
#[derive(Debug, Clone, Copy)]
struct Event {
    threshold: f64,
    upper: bool,
}

impl Event {
    fn holds(&self, s: f64) -> bool {
        if self.upper {
            s >= self.threshold
        } else {
            s <= self.threshold
        }
    }
}

/// The event that best separates `with` from `without` on these samples: the threshold and tail
/// whose privacy-loss lower bound (at 95% per side) is largest. Upper tails favour `with` (T
/// adds to the sum); lower tails are scored with the stores swapped, since DP bounds both
/// directions. Scoring by the confidence bound rather than the raw ratio keeps the choice away
/// from tails too thin to measure.
fn choose_event(with: &[f64], without: &[f64]) -> (Event, bool) {
    let mut best = (f64::MIN, Event { threshold: 0.0, upper: true }, true);
    let mut thresholds: Vec<f64> = with.iter().chain(without).copied().collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    for &t in &thresholds {
        for upper in [true, false] {
            let e = Event { threshold: t, upper };
            let k1 = with.iter().filter(|&&s| e.holds(s)).count();
            let k0 = without.iter().filter(|&&s| e.holds(s)).count();
            // Upper tail: with/without; lower tail: without/with.
            let (num, den, forward) = if upper { (k1, k0, true) } else { (k0, k1, false) };
            let (num_lower, _) = clopper_pearson(num, with.len(), 0.05);
            let (_, den_upper) = clopper_pearson(den, without.len(), 0.05);
            if num_lower <= 0.0 {
                continue;
            }
            let score = (num_lower / den_upper).ln();
            if score > best.0 {
                best = (score, e, forward);
            }
        }
    }
    (best.1, best.2)
}

/// Lower confidence bound on the privacy loss of the chosen event, from fresh samples.
fn loss_lower_bound(event: Event, forward: bool, with: &[f64], without: &[f64]) -> (f64, usize, usize) {
    loss_lower_bound_at(event, forward, with, without, 0.0)
}

/// The same for an (ε, δ) claim: p₁ ≤ e^ε·p₀ + δ, so ε ≥ ln((p₁⁻ − δ) / p₀⁺).
fn loss_lower_bound_at(event: Event, forward: bool, with: &[f64], without: &[f64], delta: f64) -> (f64, usize, usize) {
    let k1 = with.iter().filter(|&&s| event.holds(s)).count();
    let k0 = without.iter().filter(|&&s| event.holds(s)).count();
    let (num, den) = if forward { (k1, k0) } else { (k0, k1) };
    let (num_lower, _) = clopper_pearson(num, with.len(), ALPHA / 2.0);
    let (_, den_upper) = clopper_pearson(den, without.len(), ALPHA / 2.0);
    let bound = if num_lower - delta <= 0.0 { f64::NEG_INFINITY } else { ((num_lower - delta) / den_upper).ln() };
    (bound, k1, k0)
}

fn samples(store: &Store, audit: &Audit, n: usize) -> (Vec<Vec<f64>>, Vec<Answer>) {
    let mut ledger = open_ledger(store).unwrap();
    let mut features = Vec::with_capacity(n);
    let mut kept = Vec::new();
    for i in 0..n {
        let answer = (audit.ask)(store, &mut ledger);
        features.push((audit.features)(&answer));
        if i < 2 {
            kept.push(answer);
        }
    }
    (features, kept)
}

/// The classifier of the attack, in DP-Sniper's spirit but linear: weights from the selection
/// half (difference of means over pooled variance, per feature, as a linear discriminant with
/// independent noise would have them), so the statistic leans on the keys where T shows most.
fn discriminant(with: &[Vec<f64>], without: &[Vec<f64>]) -> Vec<f64> {
    let dims = with[0].len();
    (0..dims)
        .map(|j| {
            let column = |v: &[Vec<f64>]| v.iter().map(|x| x[j]).collect::<Vec<f64>>();
            let (a, b) = (column(with), column(without));
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (ma, mb) = (mean(&a), mean(&b));
            let var = (a.iter().map(|x| (x - ma).powi(2)).sum::<f64>()
                + b.iter().map(|x| (x - mb).powi(2)).sum::<f64>())
                / (a.len() + b.len()) as f64;
            if var > 0.0 {
                (ma - mb) / var
            } else {
                0.0
            }
        })
        .collect()
}

fn project(features: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    features.iter().map(|f| f.iter().zip(weights).map(|(x, w)| x * w).sum()).collect()
}

#[test]
fn every_question_keeps_its_epsilon_against_a_device_beyond_its_bound() {
    let dir = scratch();
    write_base(dir.path());
    write_target(dir.path());
    let without = store(dir.path(), "d", false);
    let with = store(dir.path(), "d_prime", true);
    let audits = audits();
    // Two threads: the machines this runs on have two cores.
    let results: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = audits
            .chunks(3)
            .map(|chunk| {
                let (with, without) = (&with, &without);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|audit| {
                            let (f1, a1) = samples(with, audit, SAMPLES);
                            let (f0, _) = samples(without, audit, SAMPLES);
                            assert!(a1.iter().all(|a| !a.rows.is_empty()), "{}: empty answers", audit.name);
                            let half = SAMPLES / 2;
                            let weights = discriminant(&f1[..half], &f0[..half]);
                            let (s1, s0) = (project(&f1, &weights), project(&f0, &weights));
                            let (event, forward) = choose_event(&s1[..half], &s0[..half]);
                            let (bound, k1, k0) = loss_lower_bound(event, forward, &s1[half..], &s0[half..]);
                            assert!(
                                bound <= EPSILON,
                                "{}: privacy loss lower bound {bound:.3} exceeds ε = {EPSILON} \
                                 (event {event:?}, forward {forward}: {k1} of {half} with T, {k0} of {half} without)",
                                audit.name
                            );
                            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
                            format!(
                                "{}: ε lower bound {bound:.3} ({k1}/{half} vs {k0}/{half}, {event:?}); mean statistic {:.2} with T, {:.2} without",
                                audit.name,
                                mean(&s1),
                                mean(&s0)
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for line in &results {
        println!("{line}");
    }
    assert_eq!(results.len(), 6);
}

/// Keys only T creates (its own ad category) may appear only with probability δ: the event
/// "T's key is released" satisfies p₁ − e^ε·p₀ ≤ δ, with p₀ = 0 (no other device has the key).
#[test]
fn a_key_only_one_device_creates_is_released_at_most_with_probability_delta() {
    let dir = scratch();
    write_base(dir.path());
    write_target(dir.path());
    let with = store(dir.path(), "d_prime", true);
    let without = store(dir.path(), "d", false);
    let reach = ReachQuestion {
        common: common(DAY1, "2026-11-03"),
        area: "bbox:-93.30,44.94,-93.20,45.00".into(),
        zones_res: Some(7),
        categories: "found".into(),
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let own_key = |a: &Answer| a.rows.iter().any(|r| r.key.get("category").is_some_and(|c| c.contains("IAB25-3")));
    let count = |store: &Store| {
        let mut ledger = open_ledger(store).unwrap();
        (0..SAMPLES / 3)
            .filter(|_| own_key(&rt.block_on(ask_reach(store, &mut ledger, &asker(), &reach)).unwrap()))
            .count()
    };
    let (k1, k0) = (count(&with), count(&without));
    let delta = open_ledger(&with).unwrap().rules().delta_per_question;
    let n = SAMPLES / 3;
    let (p1_lower, _) = clopper_pearson(k1, n, ALPHA / 2.0);
    let (_, p0_upper) = clopper_pearson(k0, n, ALPHA / 2.0);
    assert_eq!(k0, 0, "a key no device in the store holds was released");
    assert!(p1_lower - EPSILON.exp() * p0_upper <= delta, "released {k1} of {n} times");
}

/// The differencing attack: ask, let one device into the store, ask again. Deciding "the device
/// joined" from the difference of the two answers must be no better than ε allows: the true
/// positive rate is at most e^ε times the false positive rate (against a store where an
/// unrelated device joined instead), up to sampling error.
#[test]
fn differencing_two_answers_reveals_no_more_than_epsilon() {
    let dir = scratch();
    write_base(dir.path());
    write_target(dir.path());
    // The unrelated device: far from the area, so it changes nothing the question counts.
    let elsewhere =
        "mobile_ad_id,timestamp,latitude,longitude\nfeedface-0000-4000-8000-000000000001,1793610000000,45.2,-93.6\n";
    std::fs::write(dir.path().join("elsewhere.csv"), elsewhere).unwrap();
    let q = day_one_presence(format!("cells:{}", cell(P, 8)));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let o = IngestOptions { now_s: Some(1_800_000_000), ..Default::default() };
    let rounds = 120;
    let mut diffs = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for (joined, diffs) in diffs.iter_mut().enumerate() {
            let store = store(dir.path(), &format!("r{round}-{joined}"), false);
            let mut ledger = open_ledger(&store).unwrap();
            let before = rt.block_on(crowdlens_query::ask_presence(&store, &mut ledger, &asker(), &q)).unwrap();
            if joined == 1 {
                ingest_pings(&store, &dir.path().join("target_pings.csv"), &o, &NoProgress).unwrap();
                ingest_openrtb(&store, &dir.path().join("target_bids.jsonl"), &o, &NoProgress).unwrap();
            } else {
                ingest_pings(&store, &dir.path().join("elsewhere.csv"), &o, &NoProgress).unwrap();
            }
            let after = rt.block_on(crowdlens_query::ask_presence(&store, &mut ledger, &asker(), &q)).unwrap();
            diffs.push((after.rows[0].value - before.rows[0].value) as f64);
            std::fs::remove_dir_all(store.root()).unwrap();
        }
    }
    // The attacker says "joined" when the count rose by at least one.
    let tpr = diffs[1].iter().filter(|&&d| d >= 1.0).count();
    let fpr = diffs[0].iter().filter(|&&d| d >= 1.0).count();
    let (tpr_lower, _) = clopper_pearson(tpr, rounds, ALPHA / 2.0);
    let (_, fpr_upper) = clopper_pearson(fpr, rounds, ALPHA / 2.0);
    assert!(tpr_lower <= EPSILON.exp() * fpr_upper, "TPR {tpr}/{rounds} vs FPR {fpr}/{rounds}");
}

#[test]
fn clopper_pearson_matches_known_values() {
    // Reference values from scipy.stats.beta.ppf.
    let (lo, hi) = clopper_pearson(5, 20, 0.025);
    assert!((lo - 0.0865).abs() < 1e-3 && (hi - 0.4910).abs() < 1e-3, "{lo} {hi}");
    let (lo, hi) = clopper_pearson(0, 100, 0.025);
    assert!(lo == 0.0 && (hi - 0.03622).abs() < 1e-3, "{hi}");
}

/// Gaussian questions, and a sequence of a Laplace and a Gaussian question asked together, keep
/// the (ε, δ) the ledger claims for their charges: the ledger's own composition of their pure ε
/// and ρ, converted at δ = 1e-5 (the default week's δ). The attack sees both answers of a
/// sequence at once, its classifier weighing every released value T can move.
#[test]
fn gaussian_questions_and_mixed_sequences_keep_the_ledgers_claim() {
    use crowdlens_control::accounting::Spend;
    const DELTA: f64 = 1e-5;
    const N: usize = 1000;
    let dir = scratch();
    write_base(dir.path());
    write_target(dir.path());
    let without = store(dir.path(), "d", false);
    let with = store(dir.path(), "d_prime", true);
    let rules = open_ledger(&with).unwrap().rules().clone();
    let t_cells8: Vec<String> = [P, Q, R].iter().map(|s| cell(*s, 8)).collect();
    let area = "bbox:-93.30,44.94,-93.20,45.00".to_string();
    // ±3 per value at L = 1: ρ about 0.2, within the cap's ε²/2.
    let gaussian = PresenceQuestion {
        epsilon: None,
        accuracy: Some(3.0),
        mechanism: MechanismChoice::Gaussian,
        ..day_one_presence(area.clone())
    };
    let laplace = PresenceQuestion { epsilon: Some(0.5), ..day_one_presence(area) };
    let g_cost = preview_presence(&with, &rules, &gaussian).unwrap().cost;
    let l_cost = preview_presence(&with, &rules, &laplace).unwrap().cost;
    assert!(g_cost.rho > 0.1, "{g_cost:?}");
    let t_values = move |a: &Answer| {
        let keys: Vec<Box<dyn Fn(&Key) -> bool>> = t_cells8
            .iter()
            .map(|c| {
                let c = c.clone();
                Box::new(move |k: &Key| k.get("cell") == Some(c.as_str())) as Box<dyn Fn(&Key) -> bool>
            })
            .collect();
        let refs: Vec<&dyn Fn(&Key) -> bool> = keys.iter().map(|k| k.as_ref()).collect();
        values_where(a, &refs)
    };
    let rt = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (g, l) = (gaussian.clone(), laplace.clone());
    let (tv1, tv2) = (t_values.clone(), t_values.clone());
    let cases = vec![
        (
            "gaussian presence",
            Spend::default().with(g_cost).epsilon_at(DELTA),
            Audit {
                name: "gaussian presence",
                ask: Box::new(move |s, ledger| rt().block_on(crowdlens_query::ask_presence(s, ledger, &asker(), &g)).unwrap()),
                features: Box::new(move |a| tv1(a)),
            },
        ),
        (
            "laplace then gaussian",
            Spend::default().with(l_cost).with(g_cost).epsilon_at(DELTA),
            Audit {
                name: "laplace then gaussian",
                // One sample is both answers: the rows of the second follow the first's.
                ask: Box::new(move |s, ledger| {
                    let rt = rt();
                    let mut first = rt.block_on(crowdlens_query::ask_presence(s, ledger, &asker(), &l)).unwrap();
                    let second = rt.block_on(crowdlens_query::ask_presence(s, ledger, &asker(), &gaussian)).unwrap();
                    first.rows.extend(second.rows);
                    first
                }),
                features: Box::new(move |a| {
                    let half = a.rows.len() / 2;
                    let (mut first, mut second) = (a.clone(), a.clone());
                    first.rows.truncate(half);
                    second.rows.drain(..half);
                    let mut f = tv2(&first);
                    f.extend(tv2(&second));
                    f
                }),
            },
        ),
    ];
    let results: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(name, claim, audit)| {
                let (with, without) = (&with, &without);
                scope.spawn(move || {
                    let (f1, _) = samples(with, audit, N);
                    let (f0, _) = samples(without, audit, N);
                    let half = N / 2;
                    let weights = discriminant(&f1[..half], &f0[..half]);
                    let (s1, s0) = (project(&f1, &weights), project(&f0, &weights));
                    let (event, forward) = choose_event(&s1[..half], &s0[..half]);
                    let (bound, k1, k0) = loss_lower_bound_at(event, forward, &s1[half..], &s0[half..], DELTA);
                    assert!(
                        bound <= *claim,
                        "{name}: privacy loss lower bound {bound:.3} exceeds the ledger's ε = {claim:.3} at δ = {DELTA} \
                         ({k1} of {half} with T, {k0} of {half} without)"
                    );
                    format!("{name}: ε lower bound {bound:.3} against the ledger's claim {claim:.3} at δ = {DELTA}")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for line in &results {
        println!("{line}");
    }
    assert_eq!(results.len(), 2);
}
