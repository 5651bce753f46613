//! Noise for released counts, drawn by `opendp` from OpenSSL's CSPRNG, and the accuracy of each
//! release. Pure: no IO, no clock, no store. Every question's numbers pass through
//! [`CountRelease`]; no other crate adds noise.
//!
//! # Layout
//! - [`CountRelease`]: a calibrated mechanism for a vector of counts whose privacy unit touches
//!   at most `max_partitions` entries, at most once each.
//! - [`Mechanism`]: discrete Laplace (pure ε) or discrete Gaussian (zCDP, reported as (ε, δ)).

use opendp::accuracy::{discrete_gaussian_scale_to_accuracy, discrete_laplacian_scale_to_accuracy};
use opendp::combinators::make_zCDP_to_approxDP;
use opendp::domains::{AtomDomain, VectorDomain};
use opendp::measurements::{make_gaussian, make_laplace};
use opendp::measures::{MaxDivergence, ZeroConcentratedDivergence};
use opendp::metrics::{L1Distance, L2Distance};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which noise distribution a release uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Confidence level of every published interval.
pub const CONFIDENCE: f64 = 0.95;

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
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(DpError::BadEpsilon(epsilon));
        }
        if max_partitions == 0 {
            return Err(DpError::BadBound(max_partitions));
        }
        match mechanism {
            Mechanism::Laplace => {
                let l1 = max_partitions as i64;
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
                let l2 = (max_partitions as f64).sqrt();
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
                Ok(CountRelease {
                    mechanism,
                    epsilon,
                    delta,
                    scale: hi,
                    max_partitions,
                    ci_half_width: acc.floor(),
                })
            }
        }
    }

    /// Adds calibrated noise to every count. The input must already be bounded: the caller
    /// guarantees each unit touched at most `max_partitions` entries.
    pub fn release(&self, bounded_counts: &[i64]) -> Result<Vec<i64>, DpError> {
        let input = bounded_counts.to_vec();
        match self.mechanism {
            Mechanism::Laplace => Ok(laplace(self.scale)?.invoke(&input)?),
            Mechanism::Gaussian => Ok(gaussian(self.scale)?.invoke(&input)?),
        }
    }
}

type CountVector = VectorDomain<AtomDomain<i64>>;

fn laplace(
    scale: f64,
) -> Result<opendp::core::Measurement<CountVector, L1Distance<i64>, MaxDivergence, Vec<i64>>, DpError>
{
    Ok(make_laplace(VectorDomain::new(AtomDomain::<i64>::default()), L1Distance::default(), scale, None)?)
}

fn gaussian(
    scale: f64,
) -> Result<
    opendp::core::Measurement<CountVector, L2Distance<f64>, ZeroConcentratedDivergence, Vec<i64>>,
    DpError,
> {
    Ok(make_gaussian(VectorDomain::new(AtomDomain::<i64>::default()), L2Distance::default(), scale, None)?)
}

#[cfg(test)]
mod tests;
