//! Noise for released counts, drawn from OpenSSL's CSPRNG by `opendp`'s exact samplers (the
//! discrete Laplace one run on machine integers by [`discrete_laplace`] where the scale allows),
//! and the accuracy of each release. Pure: no IO, no clock, no store. Every question's numbers pass through
//! [`CountRelease`]; no other crate adds noise.
//!
//! # Layout
//! - [`CountRelease`]: a calibrated mechanism for a vector of counts whose privacy unit touches
//!   at most `max_partitions` entries, at most once each.
//! - [`Mechanism`]: discrete Laplace (pure ε) or discrete Gaussian (zCDP, reported as (ε, δ)).

use opendp::accuracy::{discrete_gaussian_scale_to_accuracy, discrete_laplacian_scale_to_accuracy};
use opendp::combinators::make_zCDP_to_approxDP;
use opendp::domains::{AtomDomain, MapDomain, VectorDomain};
use opendp::measurements::{make_gaussian, make_laplace, make_laplace_threshold};
use opendp::measures::{Approximate, MaxDivergence, ZeroConcentratedDivergence};
use opendp::metrics::{AbsoluteDistance, L0PInfDistance, L1Distance, L2Distance};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thiserror::Error;

mod discrete_laplace;
mod memo;

use memo::{bits, Memo};

/// Which noise distribution a release uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// Discrete Laplace, pure ε-DP. The default: its guarantee needs no δ.
    Laplace,
    /// Discrete Gaussian under zCDP, converted to (ε, δ) for the ledger. Less noise per
    /// partition when a unit touches many partitions.
    Gaussian,
}

impl std::str::FromStr for Mechanism {
    type Err = DpError;
    fn from_str(s: &str) -> Result<Self, DpError> {
        match s {
            "laplace" => Ok(Mechanism::Laplace),
            "gaussian" => Ok(Mechanism::Gaussian),
            other => Err(DpError::UnknownMechanism(other.to_string())),
        }
    }
}

#[derive(Debug, Error)]
pub enum DpError {
    #[error("epsilon must be a finite number greater than 0 (got {0})")]
    BadEpsilon(f64),
    #[error("delta must be greater than 0 and less than 1 for the gaussian mechanism (got {0})")]
    BadDelta(f64),
    #[error("max partitions per device must be at least 1 (got {0})")]
    BadBound(u32),
    #[error("accuracy must be a number of at least 1 (±1 per value at 95%); got {0}")]
    BadAccuracy(f64),
    #[error("unknown mechanism {0:?}: use laplace or gaussian")]
    UnknownMechanism(String),
    #[error("the noise library refused the release: {0}")]
    Library(String),
}

impl From<opendp::error::Error> for DpError {
    fn from(e: opendp::error::Error) -> Self {
        DpError::Library(e.to_string())
    }
}

/// How much one privacy unit can change a vector of counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sensitivity {
    /// Entries one unit can touch.
    pub l0: u32,
    /// Total change over all entries.
    pub l1: i64,
    /// Euclidean norm of the change.
    pub l2: f64,
    /// Largest change to one entry.
    pub linf: i64,
}

impl Sensitivity {
    /// The sensitivity as a memo key.
    fn key(&self) -> (u32, i64, u64, i64) {
        (self.l0, self.l1, bits(self.l2), self.linf)
    }

    /// A unit adds at most 1 to each of at most `partitions` entries (distinct-device counts).
    pub fn once_per_partition(partitions: u32) -> Sensitivity {
        Sensitivity { l0: partitions, l1: partitions as i64, l2: (partitions as f64).sqrt(), linf: 1 }
    }

    /// A unit adds at most `total` in all, possibly all to one entry (visit counts).
    pub fn total(total: u32, entries: u32) -> Sensitivity {
        Sensitivity { l0: total.min(entries), l1: total as i64, l2: total as f64, linf: total as i64 }
    }
}

/// Confidence level of every published interval.
pub const CONFIDENCE: f64 = 0.95;

/// The tightest ε for which ρ-zCDP implies (ε, δ)-DP: OpenDP's conversion (Canonne, Kamath and
/// Steinke 2020), which its `make_zCDP_to_approxDP` applies to a measurement's ρ.
pub fn zcdp_epsilon(rho: f64, delta: f64) -> Result<f64, DpError> {
    use opendp::combinators::ConcentratedMeasure;
    if !(rho.is_finite() && rho >= 0.0) {
        return Err(DpError::Library(format!("ρ {rho} is not a zCDP parameter")));
    }
    if !(delta > 0.0 && delta < 1.0) {
        return Err(DpError::BadDelta(delta));
    }
    if rho == 0.0 {
        return Ok(0.0);
    }
    static CONVERTED: Memo<(u64, u64), f64> = Memo::new();
    CONVERTED.get_or((bits(rho), bits(delta)), || Ok(ZeroConcentratedDivergence::convert(rho)?.epsilon(delta)?))
}

/// The ρ that pure ε-DP implies (ε²/2, Bun and Steinke 2016), rounded up as OpenDP's
/// `make_pureDP_to_zCDP` rounds it.
pub fn pure_to_zcdp(epsilon: f64) -> Result<f64, DpError> {
    use opendp::traits::{InfDiv, InfMul};
    Ok(epsilon.inf_mul(&epsilon)?.inf_div(&2.0)?)
}

/// The smallest ε at which `mechanism`, calibrated by [`CountRelease::calibrate_for`] for
/// `sensitivity` (and `delta`, for Gaussian noise), gives every value a 95% interval of at most
/// ±`accuracy`: what asking by accuracy charges. Thresholded releases have the Laplace scale
/// and interval of the same ε, so this is their ε too.
pub fn epsilon_for_accuracy(
    mechanism: Mechanism,
    accuracy: f64,
    delta: f64,
    sensitivity: Sensitivity,
) -> Result<f64, DpError> {
    static FOUND: Memo<(Mechanism, u64, u64, (u32, i64, u64, i64)), f64> = Memo::new();
    FOUND.get_or((mechanism, bits(accuracy), bits(delta), sensitivity.key()), || {
        find_epsilon_for_accuracy(mechanism, accuracy, delta, sensitivity)
    })
}

fn find_epsilon_for_accuracy(
    mechanism: Mechanism,
    accuracy: f64,
    delta: f64,
    sensitivity: Sensitivity,
) -> Result<f64, DpError> {
    // Noise is whole numbers, so an interval is never narrower than ±1.
    if !(accuracy.is_finite() && accuracy >= 1.0) {
        return Err(DpError::BadAccuracy(accuracy));
    }
    if sensitivity.l1 <= 0 {
        return Err(DpError::BadBound(0));
    }
    let alpha = 1.0 - CONFIDENCE;
    let half_width = |scale: f64| -> Result<f64, DpError> {
        Ok(match mechanism {
            Mechanism::Laplace => discrete_laplacian_scale_to_accuracy(scale, alpha)?,
            Mechanism::Gaussian => discrete_gaussian_scale_to_accuracy(scale, alpha)?,
        }
        .floor())
    };
    // The widest scale whose interval is within ±accuracy, by bisection: intervals widen with
    // the scale. A margin of a millionth keeps calibration's own rounding of the scale inside.
    let within = |scale: f64| -> Result<bool, DpError> { Ok(half_width(scale * (1.0 + 1e-6))? <= accuracy) };
    let (mut lo, mut hi) = (1e-3_f64, 1.0_f64);
    if !within(lo)? {
        return Err(DpError::BadAccuracy(accuracy));
    }
    // An accuracy looser than any useful scale is met by the widest one tried: its ε is then
    // far below any floor, which the caller applies.
    let mut bracketed = true;
    while within(hi)? {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            bracketed = false;
            break;
        }
    }
    for _ in 0..if bracketed { 60 } else { 0 } {
        let mid = 0.5 * (lo + hi);
        if within(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut epsilon = match mechanism {
        Mechanism::Laplace => sensitivity.l1 as f64 / lo,
        Mechanism::Gaussian => {
            if !(delta > 0.0 && delta < 1.0) {
                return Err(DpError::BadDelta(delta));
            }
            make_zCDP_to_approxDP(gaussian(lo)?)?.map(&sensitivity.l2)?.epsilon(delta)?
        }
    };
    // Calibration rounds in the guarantee's favour; nudge ε up until its interval is within.
    for _ in 0..64 {
        if CountRelease::calibrate_for(mechanism, epsilon, delta, sensitivity)?.ci_half_width <= accuracy {
            return Ok(epsilon);
        }
        epsilon *= 1.0 + 1e-7;
    }
    Err(DpError::Library(format!("could not calibrate ε for ±{accuracy}")))
}

/// A calibrated release of integer counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRelease {
    pub mechanism: Mechanism,
    /// ε this release costs.
    pub epsilon: f64,
    /// δ this release costs (0 for Laplace).
    pub delta: f64,
    /// Laplace scale b, or Gaussian σ.
    pub scale: f64,
    /// Contribution bound: partitions one unit may touch.
    pub max_partitions: u32,
    /// Half-width of the 95% interval, the same for every entry.
    pub ci_half_width: f64,
    /// For Gaussian noise, the ρ of zCDP it meets at this sensitivity (OpenDP's privacy map):
    /// what a ledger that composes in zCDP charges. 0 for Laplace.
    pub rho: f64,
}

impl CountRelease {
    /// Calibrates noise so that releasing a count vector, where one unit changes at most
    /// `max_partitions` entries by at most 1 each, costs `epsilon` (and `delta` for Gaussian).
    pub fn calibrate(
        mechanism: Mechanism,
        epsilon: f64,
        delta: f64,
        max_partitions: u32,
    ) -> Result<CountRelease, DpError> {
        if max_partitions == 0 {
            return Err(DpError::BadBound(max_partitions));
        }
        Self::calibrate_for(mechanism, epsilon, delta, Sensitivity::once_per_partition(max_partitions))
    }

    /// Calibrates for an explicit sensitivity.
    pub fn calibrate_for(
        mechanism: Mechanism,
        epsilon: f64,
        delta: f64,
        sensitivity: Sensitivity,
    ) -> Result<CountRelease, DpError> {
        static CALIBRATED: Memo<(Mechanism, u64, u64, (u32, i64, u64, i64)), CountRelease> = Memo::new();
        CALIBRATED.get_or((mechanism, bits(epsilon), bits(delta), sensitivity.key()), || {
            Self::find_calibration(mechanism, epsilon, delta, sensitivity)
        })
    }

    fn find_calibration(
        mechanism: Mechanism,
        epsilon: f64,
        delta: f64,
        sensitivity: Sensitivity,
    ) -> Result<CountRelease, DpError> {
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(DpError::BadEpsilon(epsilon));
        }
        if sensitivity.l1 <= 0 {
            return Err(DpError::BadBound(0));
        }
        let max_partitions = sensitivity.l0;
        match mechanism {
            Mechanism::Laplace => {
                let l1 = sensitivity.l1;
                // b = Δ₁/ε, then let opendp's own privacy map confirm the cost; nudge the scale
                // up if its conservative rounding says we are a hair over.
                let mut scale = l1 as f64 / epsilon;
                for _ in 0..64 {
                    let spent = laplace(scale)?.map(&l1)?;
                    if spent <= epsilon {
                        let acc = discrete_laplacian_scale_to_accuracy(scale, 1.0 - CONFIDENCE)?;
                        return Ok(CountRelease {
                            mechanism,
                            epsilon,
                            delta: 0.0,
                            scale,
                            max_partitions,
                            ci_half_width: acc.floor(),
                            rho: 0.0,
                        });
                    }
                    scale *= 1.0 + 1e-9;
                }
                Err(DpError::Library("could not calibrate the Laplace scale".into()))
            }
            Mechanism::Gaussian => {
                if !(delta > 0.0 && delta < 1.0) {
                    return Err(DpError::BadDelta(delta));
                }
                let l2 = sensitivity.l2;
                let cost = |scale: f64| -> Result<f64, DpError> {
                    let m = make_zCDP_to_approxDP(gaussian(scale)?)?;
                    Ok(m.map(&l2)?.epsilon(delta)?)
                };
                // ε(σ) falls as σ grows: bisect on σ for the smallest scale within budget.
                let (mut lo, mut hi) = (1e-6_f64, 1.0_f64);
                while cost(hi)? > epsilon {
                    hi *= 2.0;
                    if hi > 1e12 {
                        return Err(DpError::Library("epsilon too small for any scale".into()));
                    }
                }
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if cost(mid)? > epsilon {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let acc = discrete_gaussian_scale_to_accuracy(hi, 1.0 - CONFIDENCE)?;
                let rho = gaussian(hi)?.map(&l2)?;
                Ok(CountRelease {
                    mechanism,
                    epsilon,
                    delta,
                    scale: hi,
                    max_partitions,
                    ci_half_width: acc.floor(),
                    rho,
                })
            }
        }
    }

    /// Adds calibrated noise to every count. The input must already be bounded: the caller
    /// guarantees each unit touched at most `max_partitions` entries.
    ///
    /// Entries are noised independently, so the vector is split across cores. A city-wide week
    /// at hourly resolution has hundreds of thousands of public partitions, and exact sampling
    /// costs about a microsecond an entry on machine integers (Laplace, [`discrete_laplace`])
    /// and about ten on OpenDP's bignums (Gaussian, and scales too fine for 64 bits).
    pub fn release(&self, bounded_counts: &[i64]) -> Result<Vec<i64>, DpError> {
        const CHUNK_MIN: usize = 4096;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = bounded_counts.len().div_ceil(threads).max(CHUNK_MIN);
        let fast_laplace = match self.mechanism {
            Mechanism::Laplace => discrete_laplace::DiscreteLaplace::new(self.scale),
            Mechanism::Gaussian => None,
        };
        let noise = |part: &[i64]| -> Result<Vec<i64>, DpError> {
            if let Some(distribution) = fast_laplace {
                let mut bytes = discrete_laplace::OpenDpBytes;
                return part
                    .iter()
                    .map(|&count| distribution.add_noise(count, &mut bytes).map_err(DpError::Library))
                    .collect();
            }
            let input = part.to_vec();
            match self.mechanism {
                Mechanism::Laplace => Ok(laplace(self.scale)?.invoke(&input)?),
                Mechanism::Gaussian => Ok(gaussian(self.scale)?.invoke(&input)?),
            }
        };
        if bounded_counts.len() <= chunk {
            return noise(bounded_counts);
        }
        let parts: Vec<Result<Vec<i64>, DpError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = bounded_counts.chunks(chunk).map(|part| scope.spawn(move || noise(part))).collect();
            handles.into_iter().map(|h| h.join().expect("noise thread panicked")).collect()
        });
        let mut out = Vec::with_capacity(bounded_counts.len());
        for part in parts {
            out.extend(part?);
        }
        Ok(out)
    }

    /// Standard deviation of one entry's noise, for propagating intervals through
    /// post-processing (e.g. percentage change).
    pub fn noise_sd(&self) -> f64 {
        match self.mechanism {
            Mechanism::Laplace => {
                // Discrete Laplace variance: 2 e^{-1/b} / (1 - e^{-1/b})².
                let q = (-1.0 / self.scale).exp();
                (2.0 * q).sqrt() / (1.0 - q)
            }
            Mechanism::Gaussian => self.scale,
        }
    }
}

/// Private partition selection: noisy counts for keys that come from the data, released only
/// when the noisy count clears a threshold (OpenDP `make_laplace_threshold`).
///
/// OpenDP 0.16's map bounds δ by P[Z > τ − Δ∞], but its filter keeps counts ≥ τ, so a key
/// holding one device's Δ∞ is kept with P[Z ≥ τ − Δ∞], one step more. Our statistical test
/// caught this. We therefore release with threshold τ + 1 and claim the map's δ at τ, which
/// bounds the true release probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdRelease {
    pub epsilon: f64,
    pub delta: f64,
    pub scale: f64,
    pub threshold: i64,
    pub sensitivity: Sensitivity,
    pub ci_half_width: f64,
}

impl ThresholdRelease {
    pub fn calibrate(epsilon: f64, delta: f64, sensitivity: Sensitivity) -> Result<ThresholdRelease, DpError> {
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(DpError::BadEpsilon(epsilon));
        }
        if !(delta > 0.0 && delta < 1.0) {
            return Err(DpError::BadDelta(delta));
        }
        if sensitivity.l1 <= 0 {
            return Err(DpError::BadBound(0));
        }
        let d_in = (sensitivity.l0, sensitivity.l1, sensitivity.linf);
        let mut scale = sensitivity.l1 as f64 / epsilon;
        let cost = |scale: f64, threshold: i64| -> Result<(f64, f64), DpError> {
            Ok(threshold_measurement(scale, threshold)?.map(&d_in)?)
        };
        for _ in 0..64 {
            // ε does not depend on the threshold; any valid one (≥ Δ∞) reads it off the map.
            if cost(scale, sensitivity.linf)?.0 <= epsilon {
                break;
            }
            scale *= 1.0 + 1e-9;
        }
        // δ falls as the threshold rises: bisect on the integer threshold.
        let (mut lo, mut hi) = (0i64, 1i64);
        while cost(scale, hi)?.1 > delta {
            hi *= 2;
            if hi > 1 << 40 {
                return Err(DpError::Library("no threshold reaches this delta".into()));
            }
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if cost(scale, mid)?.1 > delta {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let (eps, d) = cost(scale, hi)?;
        let acc = discrete_laplacian_scale_to_accuracy(scale, 1.0 - CONFIDENCE)?;
        Ok(ThresholdRelease {
            epsilon: eps,
            delta: d,
            scale,
            threshold: hi + 1,
            sensitivity,
            ci_half_width: acc.floor(),
        })
    }

    /// Noisy counts for the keys that clear the threshold; the rest are suppressed.
    pub fn release(&self, bounded: &HashMap<u64, i64>) -> Result<HashMap<u64, i64>, DpError> {
        Ok(threshold_measurement(self.scale, self.threshold)?.invoke(bounded)?)
    }
}

/// Noisy counts keyed by partition id, thresholded.
type ThresholdMeasurement = opendp::core::Measurement<
    MapDomain<AtomDomain<u64>, AtomDomain<i64>>,
    L0PInfDistance<1, AbsoluteDistance<i64>>,
    Approximate<MaxDivergence>,
    HashMap<u64, i64>,
>;

fn threshold_measurement(scale: f64, threshold: i64) -> Result<ThresholdMeasurement, DpError> {
    let domain = MapDomain::new(AtomDomain::<u64>::default(), AtomDomain::<i64>::default());
    Ok(make_laplace_threshold(domain, L0PInfDistance(AbsoluteDistance::<i64>::default()), scale, threshold, None)?)
}

type CountVector = VectorDomain<AtomDomain<i64>>;

fn laplace(
    scale: f64,
) -> Result<opendp::core::Measurement<CountVector, L1Distance<i64>, MaxDivergence, Vec<i64>>, DpError> {
    Ok(make_laplace(VectorDomain::new(AtomDomain::<i64>::default()), L1Distance::default(), scale, None)?)
}

fn gaussian(
    scale: f64,
) -> Result<opendp::core::Measurement<CountVector, L2Distance<f64>, ZeroConcentratedDivergence, Vec<i64>>, DpError> {
    Ok(make_gaussian(VectorDomain::new(AtomDomain::<i64>::default()), L2Distance::default(), scale, None)?)
}

#[cfg(test)]
mod tests;
