use super::*;

#[test]
fn laplace_scale_is_bound_over_epsilon() {
    let r = CountRelease::calibrate(Mechanism::Laplace, 0.5, 0.0, 4).unwrap();
    assert!((r.scale - 8.0).abs() < 1e-6, "{}", r.scale);
    assert_eq!(r.delta, 0.0);
    // P(|Z| >= t) for discrete Laplace(b) = 2 e^{-t/b} / (1 + e^{-1/b}); at the published
    // half-width + 1 this must be at most 5%.
    let b = r.scale;
    let t = r.ci_half_width + 1.0;
    let tail = 2.0 * (-t / b).exp() / (1.0 + (-1.0 / b).exp());
    assert!(tail <= 0.05, "tail {tail}");
}

#[test]
fn refuses_bad_parameters() {
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(CountRelease::calibrate(Mechanism::Laplace, eps, 0.0, 1), Err(DpError::BadEpsilon(_))));
    }
    assert!(matches!(CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 0), Err(DpError::BadBound(0))));
    assert!(matches!(CountRelease::calibrate(Mechanism::Gaussian, 1.0, 0.0, 1), Err(DpError::BadDelta(_))));
    assert!(matches!("cauchy".parse::<Mechanism>(), Err(DpError::UnknownMechanism(_))));
}

#[test]
fn gaussian_meets_its_budget() {
    let r = CountRelease::calibrate(Mechanism::Gaussian, 1.0, 1e-6, 9).unwrap();
    let m = make_zCDP_to_approxDP(gaussian(r.scale).unwrap()).unwrap();
    let eps = m.map(&3.0).unwrap().epsilon(1e-6).unwrap();
    assert!(eps <= 1.0 && eps > 0.99, "{eps}");
}

#[test]
fn release_keeps_length() {
    let r = CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 1).unwrap();
    let out = r.release(&[0, 5, 10]).unwrap();
    assert_eq!(out.len(), 3);
}

/// χ² goodness of fit of released noise against the discrete Laplace pmf at the claimed scale,
/// at significance 0.001 so the suite fails by chance about once in a thousand runs.
#[test]
fn laplace_noise_has_the_claimed_distribution() {
    let r = CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 3).unwrap();
    let n = 20_000usize;
    let noise = r.release(&vec![0; n]).unwrap();
    let b = r.scale;
    let pmf = |k: i64| (1.0 - (-1.0 / b).exp()) / (1.0 + (-1.0 / b).exp()) * (-(k.abs() as f64) / b).exp();
    let (stat, df) = chi_square(&noise, pmf, 10);
    assert!(stat < critical_value(df), "chi2 {stat} (df {df}) too large for discrete Laplace(b={b})");
    // The same draws must be clearly rejected under a wrong scale.
    let wrong = b * 1.3;
    let pmf_wrong =
        |k: i64| (1.0 - (-1.0 / wrong).exp()) / (1.0 + (-1.0 / wrong).exp()) * (-(k.abs() as f64) / wrong).exp();
    let (stat, df) = chi_square(&noise, pmf_wrong, 10);
    assert!(stat > critical_value(df), "a 30% wrong scale went undetected");
}

#[test]
fn gaussian_noise_has_the_claimed_distribution() {
    let r = CountRelease::calibrate(Mechanism::Gaussian, 1.0, 1e-6, 4).unwrap();
    let n = 20_000usize;
    let noise = r.release(&vec![0; n]).unwrap();
    let s = r.scale;
    let norm: f64 = (-2000..=2000).map(|k: i64| (-(k * k) as f64 / (2.0 * s * s)).exp()).sum();
    let pmf = |k: i64| (-(k * k) as f64 / (2.0 * s * s)).exp() / norm;
    let (stat, df) = chi_square(&noise, pmf, 10);
    assert!(stat < critical_value(df), "chi2 {stat} (df {df}) too large for discrete Gaussian(σ={s})");
}

#[test]
fn intervals_cover_about_95_percent() {
    let r = CountRelease::calibrate(Mechanism::Laplace, 0.7, 0.0, 2).unwrap();
    let truth = vec![40i64; 4000];
    let noisy = r.release(&truth).unwrap();
    let covered = noisy.iter().filter(|&&v| ((v - 40) as f64).abs() <= r.ci_half_width).count();
    let rate = covered as f64 / truth.len() as f64;
    // The interval is conservative (≥95%); binomial sd at n=4000 is ~0.35%.
    assert!((0.94..=0.975).contains(&rate), "coverage {rate}");
}

/// Bins the samples into equal-probability-ish groups: each integer with expected count ≥
/// `min_expected` is its own bin, the two tails are pooled.
fn chi_square(samples: &[i64], pmf: impl Fn(i64) -> f64, min_expected: usize) -> (f64, usize) {
    let n = samples.len() as f64;
    let mut edge = 0i64;
    while pmf(edge + 1) * n >= min_expected as f64 * 5.0 {
        edge += 1;
    }
    let mut observed = std::collections::HashMap::<i64, f64>::new();
    for &s in samples {
        let key = s.clamp(-edge - 1, edge + 1);
        *observed.entry(key).or_default() += 1.0;
    }
    let inner: f64 = (-edge..=edge).map(&pmf).sum();
    let tail = (1.0 - inner) / 2.0;
    let mut stat = 0.0;
    for k in -edge - 1..=edge + 1 {
        let p = if k.abs() == edge + 1 { tail } else { pmf(k) };
        let e = p * n;
        let o = observed.get(&k).copied().unwrap_or(0.0);
        stat += (o - e).powi(2) / e;
    }
    let bins = (2 * edge + 3) as usize;
    (stat, bins - 1)
}

/// Upper 0.001 quantile of χ²(df), by the Wilson–Hilferty approximation (accurate to ~1% for
/// df ≥ 10, far below the margin that separates a right scale from a wrong one).
fn critical_value(df: usize) -> f64 {
    let k = df as f64;
    // The 0.99999 quantile: these tests run on every CI build, so a 1-in-1000 false alarm per
    // test was a red build every few weeks; a 30% wrong scale still sits far past this.
    let z = 4.264_891;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

#[test]
fn threshold_suppresses_single_devices_within_delta() {
    // A large δ makes the suppression probability observable in a few thousand trials.
    let delta = 0.02;
    let r = ThresholdRelease::calibrate(1.0, delta, Sensitivity::once_per_partition(1)).unwrap();
    assert!(r.delta <= delta && r.threshold > 1, "{r:?}");
    let trials = 20_000;
    let single = std::collections::HashMap::from([(7u64, 1i64)]);
    let released = (0..trials).filter(|_| !r.release(&single).unwrap().is_empty()).count();
    let rate = released as f64 / trials as f64;
    let claimed = r.delta;
    // The bound is tight (the release rate sits at δ), so a 3σ margin fails about one run in
    // seven hundred; 5σ fails one in three million and still catches a threshold set too low.
    let slack = 5.0 * (claimed * (1.0 - claimed) / trials as f64).sqrt();
    assert!(rate <= claimed + slack, "a one-device key was released {rate} of the time, claimed δ {claimed}");
    // Popular keys pass.
    let popular = std::collections::HashMap::from([(1u64, 10_000i64)]);
    assert_eq!(r.release(&popular).unwrap().len(), 1);
}

#[test]
fn threshold_grows_as_delta_shrinks() {
    let a = ThresholdRelease::calibrate(1.0, 1e-3, Sensitivity::once_per_partition(4)).unwrap();
    let b = ThresholdRelease::calibrate(1.0, 1e-9, Sensitivity::once_per_partition(4)).unwrap();
    assert!(b.threshold > a.threshold);
    assert!(b.epsilon <= 1.0 + 1e-9);
}

#[test]
fn noise_sd_matches_samples() {
    for mech in [Mechanism::Laplace, Mechanism::Gaussian] {
        let r = CountRelease::calibrate(mech, 0.5, 1e-6, 2).unwrap();
        let xs = r.release(&vec![0; 20_000]).unwrap();
        let var = xs.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / xs.len() as f64;
        let ratio = var.sqrt() / r.noise_sd();
        assert!((0.95..1.05).contains(&ratio), "{mech:?}: sample sd / claimed = {ratio}");
    }
}

#[test]
fn total_sensitivity_costs_more_for_gaussian() {
    let once = CountRelease::calibrate_for(Mechanism::Gaussian, 1.0, 1e-6, Sensitivity::once_per_partition(4)).unwrap();
    let total = CountRelease::calibrate_for(Mechanism::Gaussian, 1.0, 1e-6, Sensitivity::total(4, 5)).unwrap();
    assert!(total.scale > once.scale * 1.9);
}

#[test]
fn parallel_release_keeps_each_entry_in_place() {
    // Large enough to be split across threads; entries far apart so any reordering shows.
    let r = CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 1).unwrap();
    let truth: Vec<i64> = (0..20_000).map(|i| i * 100_000).collect();
    let noisy = r.release(&truth).unwrap();
    assert_eq!(noisy.len(), truth.len());
    assert!(truth.iter().zip(&noisy).all(|(t, n)| (t - n).abs() < 1_000));
}

/// Every published Laplace half-width h covers at least 95%: P(|Z| > h) ≤ 5%, from the exact
/// discrete Laplace tail P(|Z| ≥ t) = 2 e^{-t/b} / (1 + e^{-1/b}), over the scales questions use.
#[test]
fn laplace_intervals_cover_at_every_scale() {
    for l1 in 1..=64u32 {
        for epsilon in [0.05, 0.1, 0.25, 0.5, 1.0] {
            let s = Sensitivity::once_per_partition(l1);
            let r = CountRelease::calibrate_for(Mechanism::Laplace, epsilon, 0.0, s).unwrap();
            let b = r.scale;
            let t = r.ci_half_width + 1.0;
            let tail = 2.0 * (-t / b).exp() / (1.0 + (-1.0 / b).exp());
            assert!(tail <= 0.05, "scale {b}: half-width {} leaves {tail} outside", r.ci_half_width);
        }
    }
}

fn discrete_laplace_pmf(b: f64) -> impl Fn(i64) -> f64 {
    move |k: i64| (1.0 - (-1.0 / b).exp()) / (1.0 + (-1.0 / b).exp()) * (-(k.abs() as f64) / b).exp()
}

/// The machine-integer sampler at the scales questions really get: Δ/ε is rarely a power of
/// two, so its exact rational has a 50-bit numerator over a power-of-two denominator.
#[test]
fn laplace_noise_fits_at_scales_that_are_not_powers_of_two() {
    for (epsilon, bound) in [(0.3, 1), (0.7, 3), (0.1, 7), (2.5, 2)] {
        let r = CountRelease::calibrate(Mechanism::Laplace, epsilon, 0.0, bound).unwrap();
        let noise = r.release(&vec![0; 20_000]).unwrap();
        let (stat, df) = chi_square(&noise, discrete_laplace_pmf(r.scale), 10);
        assert!(stat < critical_value(df), "ε {epsilon}, L {bound}: chi2 {stat} (df {df}) at b = {}", r.scale);
        let (stat, df) = chi_square(&noise, discrete_laplace_pmf(r.scale * 1.3), 10);
        assert!(stat > critical_value(df), "ε {epsilon}, L {bound}: a 30% wrong scale went undetected");
    }
}

/// Two-sample χ²: the machine-integer sampler against OpenDP's own bignum measurement, at the
/// same scale, must not be told apart.
#[test]
fn the_fast_laplace_path_and_opendp_draw_the_same_distribution() {
    let r = CountRelease::calibrate(Mechanism::Laplace, 0.3, 0.0, 1).unwrap();
    let n = 20_000usize;
    let fast = r.release(&vec![0; n]).unwrap();
    let exact = laplace(r.scale).unwrap().invoke(&vec![0; n]).unwrap();
    let edge = 8i64; // bins -8..=8 (≈ 90% of the mass at b = 3.33), tails pooled
    let count = |xs: &[i64]| {
        let mut bins = vec![0f64; (2 * edge + 3) as usize];
        for &x in xs {
            bins[(x.clamp(-edge - 1, edge + 1) + edge + 1) as usize] += 1.0;
        }
        bins
    };
    let (a, b) = (count(&fast), count(&exact));
    let stat: f64 = a.iter().zip(&b).filter(|(x, y)| *x + *y > 0.0).map(|(x, y)| (x - y).powi(2) / (x + y)).sum();
    let df = a.len() - 1;
    assert!(stat < critical_value(df), "two-sample chi2 {stat} (df {df}): the paths differ");
}

/// A scale whose exact rational does not fit in 64 bits is left to OpenDP, and still released.
#[test]
fn scales_past_machine_integers_go_to_opendp() {
    let r = CountRelease { scale: 2f64.powi(-70), ..CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 1).unwrap() };
    assert_eq!(r.release(&[3, 40, 500]).unwrap(), vec![3, 40, 500], "noise this small is zero");
    let huge = CountRelease { scale: 2f64.powi(70), ..r.clone() };
    let out = huge.release(&[0; 8]).unwrap();
    assert!(out.iter().any(|&x| x.abs() > 1 << 40), "noise at scale 2^70 is huge: {out:?}");
}

/// The conversion a zCDP ledger uses is OpenDP's: composing Gaussian measurements with
/// `make_composition` and converting with `make_zCDP_to_approxDP` gives the ρ of their sum,
/// and the same ε as converting that sum with [`zcdp_epsilon`].
#[test]
fn summed_rho_converted_is_opendps_composition_converted() {
    use opendp::combinators::make_composition;
    let scales = [3.0, 5.5, 8.0, 12.0, 20.0];
    let l2 = 2.0;
    let rho_sum: f64 = scales.iter().map(|&s| gaussian(s).unwrap().map(&l2).unwrap()).sum();
    let composed = make_composition(scales.iter().map(|&s| gaussian(s).unwrap()).collect()).unwrap();
    let composed_rho = composed.map(&l2).unwrap();
    assert!((composed_rho - rho_sum).abs() <= 1e-12 * rho_sum, "{composed_rho} against {rho_sum}");
    for delta in [1e-7, 1e-6, 1e-5] {
        let opendp = make_zCDP_to_approxDP(make_composition(scales.iter().map(|&s| gaussian(s).unwrap()).collect()).unwrap())
            .unwrap()
            .map(&l2)
            .unwrap()
            .epsilon(delta)
            .unwrap();
        let ours = zcdp_epsilon(rho_sum, delta).unwrap();
        assert!((ours - opendp).abs() <= 1e-9 * opendp, "δ {delta}: {ours} against OpenDP's {opendp}");
    }
    // A Gaussian release says the ρ its noise meets.
    let r = CountRelease::calibrate(Mechanism::Gaussian, 1.0, 1e-6, 4).unwrap();
    assert_eq!(r.rho, gaussian(r.scale).unwrap().map(&2.0).unwrap());
    assert!(zcdp_epsilon(r.rho, 1e-6).unwrap() <= 1.0);
    assert_eq!(pure_to_zcdp(2.0).unwrap(), 2.0);
}

#[test]
fn asking_by_accuracy_charges_the_least_epsilon_that_meets_it() {
    for mechanism in [Mechanism::Laplace, Mechanism::Gaussian] {
        for (accuracy, partitions) in [(12.0, 4), (1.0, 1), (3.5, 1), (50.0, 24), (200.0, 4)] {
            let sensitivity = Sensitivity::once_per_partition(partitions);
            let epsilon = epsilon_for_accuracy(mechanism, accuracy, 1e-6, sensitivity).unwrap();
            let met = CountRelease::calibrate_for(mechanism, epsilon, 1e-6, sensitivity).unwrap();
            assert!(met.ci_half_width <= accuracy, "{mechanism:?} ±{accuracy}: got ±{}", met.ci_half_width);
            // A little less ε no longer meets it: the charge is the least that does.
            let less = CountRelease::calibrate_for(mechanism, epsilon * 0.99, 1e-6, sensitivity).unwrap();
            assert!(less.ci_half_width > accuracy, "{mechanism:?} ±{accuracy}: ε {epsilon} is not the least");
        }
    }
    // The demo's accuracy: ±12 at L = 4 is ε 1 of Laplace noise.
    let laplace = epsilon_for_accuracy(Mechanism::Laplace, 12.0, 0.0, Sensitivity::once_per_partition(4)).unwrap();
    assert!((0.9..=1.05).contains(&laplace), "{laplace}");
}

#[test]
fn accuracy_that_no_noise_can_meet_is_refused() {
    for accuracy in [0.0, 0.5, -3.0, f64::NAN, f64::INFINITY] {
        let e = epsilon_for_accuracy(Mechanism::Laplace, accuracy, 1e-6, Sensitivity::once_per_partition(4)).unwrap_err();
        assert!(matches!(e, DpError::BadAccuracy(_)), "{accuracy}: {e}");
    }
    // An accuracy no one needs is met by a tiny ε, not refused.
    let loose = epsilon_for_accuracy(Mechanism::Laplace, 1e300, 1e-6, Sensitivity::once_per_partition(4)).unwrap();
    assert!(loose > 0.0 && loose < 1e-9, "{loose}");
    let e = epsilon_for_accuracy(Mechanism::Gaussian, 12.0, 0.0, Sensitivity::once_per_partition(4)).unwrap_err();
    assert!(matches!(e, DpError::BadDelta(_)), "{e}");
}
