//! How an epoch's charges compose into one guarantee.
//!
//! A charge costs pure ε (discrete Laplace), ρ of zCDP (discrete Gaussian), or an (ε, δ) pair
//! (thresholded keys, and charges recorded before the ledger kept ρ). An epoch keeps the three
//! apart ([`Spend`]), and its guarantee is the tightest (ε, δ) that combines them:
//! - the (ε, δ) pairs add (basic composition);
//! - ρ composes by adding, and converts to (ε, δ′) with OpenDP's conversion, δ′ being the
//!   epoch's δ less what the pairs hold;
//! - pure ε either adds to that ε, or joins ρ as ε²/2 before the conversion, whichever is
//!   smaller. A workload of pure ε alone is therefore never charged more than its sum.

use serde::Serialize;

/// How far a spend may pass a budget through floating-point rounding alone.
pub(crate) const RELATIVE_SLACK: f64 = 1e-12;

/// What one charge adds to each epoch it touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cost {
    /// Pure ε when `delta` is 0; with a `delta`, the ε of an (ε, δ) pair.
    pub epsilon: f64,
    pub delta: f64,
    /// ρ of zCDP.
    pub rho: f64,
}

impl Cost {
    /// A pure ε-DP release.
    pub fn pure(epsilon: f64) -> Cost {
        Cost { epsilon, delta: 0.0, rho: 0.0 }
    }

    /// An (ε, δ)-DP release.
    pub fn approximate(epsilon: f64, delta: f64) -> Cost {
        Cost { epsilon, delta, rho: 0.0 }
    }

    /// A ρ-zCDP release.
    pub fn zcdp(rho: f64) -> Cost {
        Cost { epsilon: 0.0, delta: 0.0, rho }
    }
}

/// An epoch's spend, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spend {
    /// Σ ε of pure-ε charges.
    pub epsilon_pure: f64,
    /// Σ ρ of zCDP charges.
    pub rho: f64,
    /// Σ ε and Σ δ of (ε, δ) charges.
    pub epsilon_approx: f64,
    pub delta_approx: f64,
}

/// The (ε, δ) an epoch's spend implies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Guarantee {
    pub epsilon: f64,
    pub delta: f64,
}

impl Spend {
    /// The spend after `cost`.
    pub fn with(mut self, cost: Cost) -> Spend {
        if cost.delta > 0.0 {
            self.epsilon_approx += cost.epsilon;
            self.delta_approx += cost.delta;
        } else {
            self.epsilon_pure += cost.epsilon;
        }
        self.rho += cost.rho;
        self
    }

    /// The spend after `n` charges of `cost`.
    pub fn with_times(self, cost: Cost, n: u64) -> Spend {
        let n = n as f64;
        self.with(Cost { epsilon: cost.epsilon * n, delta: cost.delta * n, rho: cost.rho * n })
    }

    /// The smallest ε for which this spend is (ε, δ)-DP, with `delta` the whole δ the
    /// guarantee may hold; infinite when the (ε, δ) pairs already hold it all and ρ needs some.
    pub fn epsilon_at(&self, delta: f64) -> f64 {
        // The ledger's relative slack: pairs that fill δ to within rounding still fit.
        if self.delta_approx > delta * (1.0 + 1e-12) {
            return f64::INFINITY;
        }
        if self.rho == 0.0 {
            return self.epsilon_pure + self.epsilon_approx;
        }
        let left = delta - self.delta_approx;
        if left <= 0.0 {
            return f64::INFINITY;
        }
        let convert = |rho: f64| crowdlens_dp::zcdp_epsilon(rho, left).unwrap_or(f64::INFINITY);
        let apart = self.epsilon_pure + convert(self.rho);
        let joined = crowdlens_dp::pure_to_zcdp(self.epsilon_pure).map_or(f64::INFINITY, |r| convert(self.rho + r));
        self.epsilon_approx + apart.min(joined)
    }

    /// Whether this spend fits an epoch's budget of (`epsilon_total`, `delta_total`), to
    /// within the ledger's relative slack for rounding.
    pub fn fits(&self, epsilon_total: f64, delta_total: f64) -> bool {
        self.delta_approx <= delta_total * (1.0 + RELATIVE_SLACK)
            && !(self.rho > 0.0 && self.delta_approx >= delta_total)
            && self.epsilon_at(delta_total) <= epsilon_total * (1.0 + RELATIVE_SLACK)
    }

    /// How many more charges of `cost` this spend can take within (`epsilon_total`,
    /// `delta_total`): the largest n whose spend still fits, at most about a million.
    pub fn times_that_fit(&self, cost: Cost, epsilon_total: f64, delta_total: f64) -> u64 {
        let fits = |n: u64| self.with_times(cost, n).fits(epsilon_total, delta_total);
        // Spend only grows with n: the largest n that fits, by bisection.
        let (mut lo, mut hi) = (0u64, 1u64);
        while fits(hi) && hi < 1 << 20 {
            lo = hi;
            hi *= 2;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The guarantee under an epoch's δ budget: with ρ spent, the conversion uses all of it;
    /// otherwise the δ is what the pairs hold.
    pub fn guarantee(&self, delta_total: f64) -> Guarantee {
        let delta = if self.rho > 0.0 { delta_total } else { self.delta_approx };
        Guarantee { epsilon: self.epsilon_at(delta_total), delta }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A question as basic composition charges it (ε, δ each), and as the ledger does.
    #[derive(Debug, Clone, Copy)]
    enum Asked {
        Laplace(f64),
        /// Gaussian at (ε, δ) alone, whose noise meets ρ.
        Gaussian { epsilon: f64, delta: f64, rho: f64 },
        Threshold(f64, f64),
    }

    fn gaussian(epsilon: f64, delta: f64) -> Asked {
        let release = crowdlens_dp::CountRelease::calibrate_for(
            crowdlens_dp::Mechanism::Gaussian,
            epsilon,
            delta,
            crowdlens_dp::Sensitivity::once_per_partition(4),
        )
        .unwrap();
        Asked::Gaussian { epsilon, delta, rho: release.rho }
    }

    fn asked() -> impl Strategy<Value = Asked> {
        prop_oneof![
            (0.05..2.0f64).prop_map(Asked::Laplace),
            (0.05..2.0f64, prop_oneof![Just(1e-7), Just(1e-6)]).prop_map(|(e, d)| gaussian(e, d)),
            (0.05..2.0f64, 1e-9..1e-7f64).prop_map(|(e, d)| Asked::Threshold(e, d)),
        ]
    }

    fn ledger_cost(a: Asked) -> Cost {
        match a {
            Asked::Laplace(e) => Cost::pure(e),
            Asked::Gaussian { rho, .. } => Cost::zcdp(rho),
            Asked::Threshold(e, d) => Cost::approximate(e, d),
        }
    }

    fn basic(a: Asked) -> (f64, f64) {
        match a {
            Asked::Laplace(e) => (e, 0.0),
            Asked::Gaussian { epsilon, delta, .. } => (epsilon, delta),
            Asked::Threshold(e, d) => (e, d),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// At the δ basic composition ends with, the epoch's ε is never above basic
        /// composition's sum; with no ρ it is the sum exactly.
        #[test]
        fn never_worse_than_basic_composition(charges in proptest::collection::vec(asked(), 1..12)) {
            let spend = charges.iter().fold(Spend::default(), |s, &a| s.with(ledger_cost(a)));
            let (epsilon, delta) = charges.iter().fold((0.0, 0.0), |(e, d), &a| (e + basic(a).0, d + basic(a).1));
            let ours = if delta > 0.0 { spend.epsilon_at(delta) } else { spend.epsilon_at(1e-9) };
            prop_assert!(ours <= epsilon * (1.0 + 1e-12), "{ours} > {epsilon} for {charges:?}");
            if spend.rho == 0.0 {
                prop_assert!((ours - epsilon).abs() <= 1e-12 * epsilon.max(1.0));
            }
        }
    }

    /// All-Gaussian epochs: the ledger's ε is OpenDP's own composition of the measurements,
    /// converted by OpenDP (`dp::tests` checks the conversion against `make_composition`).
    #[test]
    fn gaussian_spend_is_the_zcdp_sum_converted() {
        let charges: Vec<Asked> = (0..20).map(|_| gaussian(1.0, 1e-6)).collect();
        let spend = charges.iter().fold(Spend::default(), |s, &a| s.with(ledger_cost(a)));
        let rho: f64 = charges.iter().map(|a| match a { Asked::Gaussian { rho, .. } => *rho, _ => 0.0 }).sum();
        assert_eq!(spend.epsilon_at(1e-5), crowdlens_dp::zcdp_epsilon(rho, 1e-5).unwrap());
        assert!(spend.epsilon_at(1e-5) < 20.0 / 2.0, "twenty (1, 1e-6) Gaussian questions cost far less than ε 20");
    }

    /// Mixing pure ε into ρ never costs more than keeping it apart, and vice versa: the
    /// smaller is taken.
    #[test]
    fn pure_epsilon_joins_rho_only_when_that_is_cheaper() {
        let small = Spend::default().with(Cost::zcdp(0.5)).with(Cost::pure(0.1));
        let apart = 0.1 + crowdlens_dp::zcdp_epsilon(0.5, 1e-5).unwrap();
        assert!(small.epsilon_at(1e-5) <= apart);
        let pure_only = Spend::default().with(Cost::pure(3.0)).with(Cost::pure(4.0));
        assert_eq!(pure_only.epsilon_at(1e-5), 7.0);
        assert_eq!(pure_only.guarantee(1e-5), Guarantee { epsilon: 7.0, delta: 0.0 });
        let crowded = Spend::default().with(Cost::approximate(1.0, 1e-5)).with(Cost::zcdp(0.1));
        assert_eq!(crowded.epsilon_at(1e-5), f64::INFINITY, "ρ needs δ the pairs left none of");
    }

    /// The smallest ε whose release at this mechanism has 95% intervals of ±`accuracy` or
    /// narrower, for presence at L = 4 (each device once in each of at most 4 partitions).
    fn epsilon_for(mechanism: crowdlens_dp::Mechanism, accuracy: f64, delta: f64) -> crowdlens_dp::CountRelease {
        let sensitivity = crowdlens_dp::Sensitivity::once_per_partition(4);
        let at = |e: f64| crowdlens_dp::CountRelease::calibrate_for(mechanism, e, delta, sensitivity).unwrap();
        let (mut lo, mut hi) = (0.01, 10.0);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if at(mid).ci_half_width <= accuracy {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        at(hi)
    }

    /// How many presence questions at the demo's accuracy (±12 per value at 95%, L = 4) one
    /// epoch of (ε 10, δ 1e-5) pays for: Laplace questions as pure ε, Gaussian ones as ρ
    /// composed in zCDP. Basic composition fit 10 of either; the ledger's zCDP accounting fits
    /// at least 30 Gaussian ones, and never fewer Laplace ones.
    #[test]
    fn questions_per_epoch_at_the_demos_accuracy() {
        use crowdlens_dp::Mechanism;
        let fits = |cost: Cost| {
            let mut spend = Spend::default();
            let mut n = 0;
            while spend.with(cost).epsilon_at(1e-5) <= 10.0 * (1.0 + 1e-12) {
                spend = spend.with(cost);
                n += 1;
            }
            n
        };
        let laplace = epsilon_for(Mechanism::Laplace, 12.0, 0.0);
        let gaussian = epsilon_for(Mechanism::Gaussian, 12.0, 1e-6);
        let basic_laplace = (10.0 / laplace.epsilon).floor() as u32;
        let basic_gaussian = ((10.0 / gaussian.epsilon).floor() as u32).min((1e-5 / 1e-6) as u32);
        let (zcdp_laplace, zcdp_gaussian) = (fits(Cost::pure(laplace.epsilon)), fits(Cost::zcdp(gaussian.rho)));
        eprintln!(
            "questions per epoch at ±12, L = 4: Laplace ε {:.3}: {basic_laplace} basic, {zcdp_laplace} now; \
             Gaussian ε {:.3} (ρ {:.4}): {basic_gaussian} basic, {zcdp_gaussian} now",
            laplace.epsilon, gaussian.epsilon, gaussian.rho
        );
        assert_eq!(zcdp_laplace, basic_laplace, "pure ε is never charged more than its sum");
        assert!(zcdp_gaussian >= 30, "{zcdp_gaussian} Gaussian questions fit");
        assert!(basic_gaussian <= 10);
    }
}
