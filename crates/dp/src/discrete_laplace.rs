//! Exact discrete Laplace noise on machine integers.
//!
//! OpenDP draws discrete Laplace noise with the exact algorithm of Canonne, Kamath and Steinke
//! (2020), on arbitrary-precision rationals (`dashu`). A question's scale is an `f64`, which is
//! exactly a rational `p / q` whose parts are small: for the scales questions use, both fit in
//! 64 bits. Every number the algorithm then touches is `p`, `q`, a uniform draw below `p`, a
//! counter, or a product of two of these, so it fits in 128 bits. This module runs the same
//! algorithm, step for step, on `u64`/`u128`, which removes the bignum arithmetic that was most of
//! a presence answer's time.
//!
//! It keeps the distribution exact:
//! - Uniform draws use the same rejection method as OpenDP's `sample_uniform_ubig_below`, on
//!   bytes from the same source (`opendp::traits::samplers::fill_bytes`, OpenSSL's private
//!   DRBG in the vendored build).
//! - Every product and sum is checked. Where one would overflow, the draw continues from the
//!   state it has reached on `dashu` big integers, not restarted: a restart would condition the
//!   output on not overflowing. (Overflow needs a counter past 2^64, so it does not happen in
//!   practice, but the code does not rely on that.)
//! - A scale whose parts do not fit in 64 bits (larger than 2^64 or finer than 2^-63) is drawn
//!   by OpenDP itself.
//!
//! Fractions are not reduced to lowest terms, unlike `dashu`'s; a Bernoulli(a/b) draw is exact
//! whatever the representation, so only the number of random bytes used differs.

use dashu::integer::UBig;

/// A source of uniformly random bytes.
pub(crate) trait RandomBytes {
    fn fill(&mut self, buffer: &mut [u8]) -> Result<(), String>;
}

/// OpenDP's own source: OpenSSL's private DRBG (pooled per thread in the vendored build).
pub(crate) struct OpenDpBytes;

impl RandomBytes for OpenDpBytes {
    fn fill(&mut self, buffer: &mut [u8]) -> Result<(), String> {
        opendp::traits::samplers::fill_bytes(buffer).map_err(|e| e.to_string())
    }
}

/// The discrete Laplace distribution at one scale, when its parts fit in machine integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DiscreteLaplace {
    /// scale = numer / denom, so 1/scale = denom / numer.
    numer: u64,
    denom: u64,
}

impl DiscreteLaplace {
    /// The exact rational value of `scale`, or `None` when a part does not fit in 64 bits (or
    /// the scale is not a positive finite number): then OpenDP samples it.
    pub(crate) fn new(scale: f64) -> Option<DiscreteLaplace> {
        if !(scale.is_finite() && scale > 0.0) {
            return None;
        }
        // scale = mantissa · 2^exponent exactly, with an odd mantissa.
        let bits = scale.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        let (mut mantissa, mut exponent) =
            if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
        let zeros = mantissa.trailing_zeros();
        mantissa >>= zeros;
        exponent += zeros as i64;
        if exponent >= 0 {
            let numer = mantissa.checked_shl(exponent as u32).filter(|n| n >> exponent == mantissa)?;
            Some(DiscreteLaplace { numer, denom: 1 })
        } else if exponent >= -63 {
            Some(DiscreteLaplace { numer: mantissa, denom: 1 << (-exponent) })
        } else {
            None
        }
    }

    /// `shift` plus one draw, saturated to `i64` as OpenDP's integer measurement casts it.
    pub(crate) fn add_noise(&self, shift: i64, bytes: &mut impl RandomBytes) -> Result<i64, String> {
        loop {
            let positive = standard_bernoulli(bytes)?;
            let magnitude = self.geometric_fast(bytes)?;
            if positive || !magnitude.is_zero() {
                return Ok(saturating_shift(shift, positive, magnitude));
            }
        }
    }

    /// Geometric(1 - exp(-denom/numer)): OpenDP's `sample_geometric_exp_fast(1/scale)`.
    fn geometric_fast(&self, bytes: &mut impl RandomBytes) -> Result<Magnitude, String> {
        let numer = u128::from(self.numer);
        let mut u = uniform_below(numer, bytes)?;
        while !bernoulli_exp_below_one(u, numer, bytes)? {
            u = uniform_below(numer, bytes)?;
        }
        let v2 = geometric_slow_exp1(bytes)?;
        // (v2 · numer + u) / denom
        let total = match v2 {
            Count::Small(v2) => u128::from(v2).checked_mul(numer).and_then(|t| t.checked_add(u)),
            Count::Big(_) => None,
        };
        Ok(match total {
            Some(total) => Magnitude::Small(total / u128::from(self.denom)),
            None => {
                let v2 = match v2 {
                    Count::Small(v2) => UBig::from(v2),
                    Count::Big(v2) => v2,
                };
                Magnitude::Big((v2 * UBig::from(self.numer) + UBig::from(u)) / UBig::from(self.denom))
            }
        })
    }
}

/// A draw's absolute value.
#[derive(Debug)]
enum Magnitude {
    Small(u128),
    Big(UBig),
}

impl Magnitude {
    fn is_zero(&self) -> bool {
        match self {
            Magnitude::Small(m) => *m == 0,
            Magnitude::Big(m) => *m == UBig::ZERO,
        }
    }
}

/// A loop counter; big only past 2^64 iterations.
enum Count {
    Small(u64),
    Big(UBig),
}

fn saturating_shift(shift: i64, positive: bool, magnitude: Magnitude) -> i64 {
    let magnitude = match magnitude {
        Magnitude::Small(m) if m <= i64::MAX as u128 + 1 => m as i128,
        // Anything this large saturates whatever the shift.
        _ => return if positive { i64::MAX } else { i64::MIN },
    };
    let value = if positive { i128::from(shift) + magnitude } else { i128::from(shift) - magnitude };
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A fair coin: the low bit of one byte, as OpenDP's `sample_standard_bernoulli`.
fn standard_bernoulli(bytes: &mut impl RandomBytes) -> Result<bool, String> {
    let mut byte = [0u8; 1];
    bytes.fill(&mut byte)?;
    Ok(byte[0] & 1 == 1)
}

/// Uniform on `[0, upper)` for `upper > 0`: the fewest whole bytes that cover `upper`, rejected
/// above the largest multiple of `upper`, as OpenDP's `sample_uniform_ubig_below`.
fn uniform_below(upper: u128, bytes: &mut impl RandomBytes) -> Result<u128, String> {
    let byte_len = (128 - upper.leading_zeros() as usize).div_ceil(8);
    let max = if byte_len == 16 { u128::MAX } else { (1u128 << (8 * byte_len)) - 1 };
    let threshold = max - max % upper;
    let mut buffer = [0u8; 16];
    loop {
        bytes.fill(&mut buffer[16 - byte_len..])?;
        let sample = u128::from_be_bytes(buffer);
        if sample < threshold {
            return Ok(sample % upper);
        }
    }
}

/// Bernoulli(numer / denom) for `numer <= denom`.
fn bernoulli_rational(numer: u128, denom: u128, bytes: &mut impl RandomBytes) -> Result<bool, String> {
    Ok(numer > uniform_below(denom, bytes)?)
}

/// Bernoulli(exp(-a/b)) for `a <= b`: OpenDP's `sample_bernoulli_exp1`.
fn bernoulli_exp_below_one(a: u128, b: u128, bytes: &mut impl RandomBytes) -> Result<bool, String> {
    let mut k: u64 = 1;
    loop {
        // b < 2^64 and k < 2^64, so b·k < 2^128.
        if bernoulli_rational(a, b * u128::from(k), bytes)? {
            match k.checked_add(1) {
                Some(next) => k = next,
                None => return big::bernoulli_exp_below_one_from(a, b, UBig::from(k) + UBig::ONE, bytes),
            }
        } else {
            return Ok(k % 2 == 1);
        }
    }
}

/// Geometric(1 - exp(-1)): OpenDP's `sample_geometric_exp_slow(1)`.
fn geometric_slow_exp1(bytes: &mut impl RandomBytes) -> Result<Count, String> {
    let mut k: u64 = 0;
    loop {
        if bernoulli_exp_below_one(1, 1, bytes)? {
            match k.checked_add(1) {
                Some(next) => k = next,
                None => return big::geometric_slow_exp1_from(UBig::from(k) + UBig::ONE, bytes).map(Count::Big),
            }
        } else {
            return Ok(Count::Small(k));
        }
    }
}

/// The same loops on big integers, entered only where a machine counter would overflow.
mod big {
    use super::RandomBytes;
    use dashu::base::BitTest;
    use dashu::integer::UBig;

    fn uniform_below(upper: &UBig, bytes: &mut impl RandomBytes) -> Result<UBig, String> {
        let byte_len = upper.bit_len().div_ceil(8);
        let max = UBig::from_be_bytes(&vec![u8::MAX; byte_len]);
        let threshold = &max - &max % upper;
        let mut buffer = vec![0; byte_len];
        loop {
            bytes.fill(&mut buffer)?;
            let sample = UBig::from_be_bytes(&buffer);
            if sample < threshold {
                return Ok(sample % upper);
            }
        }
    }

    /// Bernoulli(exp(-a/b)) continued at counter `k`.
    pub(super) fn bernoulli_exp_below_one_from(
        a: u128,
        b: u128,
        mut k: UBig,
        bytes: &mut impl RandomBytes,
    ) -> Result<bool, String> {
        let (a, b) = (UBig::from(a), UBig::from(b));
        loop {
            if a > uniform_below(&(&b * &k), bytes)? {
                k += UBig::ONE;
            } else {
                return Ok(k % 2u8 == 1);
            }
        }
    }

    /// Geometric(1 - exp(-1)) continued at count `k`.
    pub(super) fn geometric_slow_exp1_from(mut k: UBig, bytes: &mut impl RandomBytes) -> Result<UBig, String> {
        loop {
            if super::bernoulli_exp_below_one(1, 1, bytes)? {
                k += UBig::ONE;
            } else {
                return Ok(k);
            }
        }
    }

    #[cfg(test)]
    pub(super) fn uniform_below_for_tests(upper: &UBig, bytes: &mut impl RandomBytes) -> Result<UBig, String> {
        uniform_below(upper, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashu::integer::IBig;
    use dashu::rational::RBig;

    /// A deterministic byte stream (SplitMix64), so two implementations can be fed the same bytes.
    #[derive(Clone)]
    struct Stream(u64);

    impl RandomBytes for Stream {
        fn fill(&mut self, buffer: &mut [u8]) -> Result<(), String> {
            for b in buffer {
                self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                *b = (z ^ (z >> 31)) as u8;
            }
            Ok(())
        }
    }

    /// OpenDP's algorithm transcribed on dashu rationals without reduction to lowest terms, as
    /// the reference the machine-integer version must follow draw for draw.
    fn reference_draw(numer: u64, denom: u64, shift: i64, bytes: &mut Stream) -> i64 {
        let bernoulli_exp1 = |a: &UBig, b: &UBig, bytes: &mut Stream| -> bool {
            let mut k = UBig::ONE;
            loop {
                if *a > big::uniform_below_for_tests(&(b * &k), bytes).unwrap() {
                    k += UBig::ONE;
                } else {
                    return k % 2u8 == 1;
                }
            }
        };
        let (p, q) = (UBig::from(numer), UBig::from(denom));
        loop {
            let mut coin = [0u8];
            bytes.fill(&mut coin).unwrap();
            let positive = coin[0] & 1 == 1;
            let mut u = big::uniform_below_for_tests(&p, bytes).unwrap();
            while !bernoulli_exp1(&u, &p, bytes) {
                u = big::uniform_below_for_tests(&p, bytes).unwrap();
            }
            let mut v2 = UBig::ZERO;
            while bernoulli_exp1(&UBig::ONE, &UBig::ONE, bytes) {
                v2 += UBig::ONE;
            }
            let magnitude = IBig::from((v2 * &p + u) / &q);
            if positive || magnitude != IBig::ZERO {
                let value = IBig::from(shift) + if positive { magnitude } else { -magnitude };
                return i64::try_from(value.clamp(IBig::from(i64::MIN), IBig::from(i64::MAX))).unwrap();
            }
        }
    }

    #[test]
    fn scales_are_read_exactly() {
        for scale in [8.0, 1.0 / 0.3, 4.0 / 0.7, 0.75, 1e6, 12345.678] {
            let d = DiscreteLaplace::new(scale).unwrap();
            let exact = RBig::try_from(scale).unwrap();
            assert_eq!(RBig::from_parts(IBig::from(d.numer), UBig::from(d.denom)), exact, "{scale}");
        }
        // Parts past 64 bits, and no scale at all, are left to OpenDP.
        for scale in [2f64.powi(70), 2f64.powi(-70), 0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(DiscreteLaplace::new(scale), None, "{scale}");
        }
    }

    #[test]
    fn draws_follow_the_bignum_algorithm_byte_for_byte() {
        for scale in [8.0, 1.0 / 0.3, 4.0 / 0.7, 0.75, 2.0, 1e6] {
            let d = DiscreteLaplace::new(scale).unwrap();
            let (mut fast, mut reference) = (Stream(scale.to_bits()), Stream(scale.to_bits()));
            for i in 0..3_000 {
                let shift = [0, 17, i64::MAX - 3, i64::MIN + 2][i % 4];
                let got = d.add_noise(shift, &mut fast).unwrap();
                let want = reference_draw(d.numer, d.denom, shift, &mut reference);
                assert_eq!(got, want, "scale {scale}, draw {i}");
            }
        }
    }

    #[test]
    fn uniform_draws_cover_their_range_evenly() {
        let mut bytes = Stream(7);
        for upper in [1u128, 2, 3, 255, 256, 257, 1 << 64, u128::MAX] {
            for _ in 0..200 {
                assert!(uniform_below(upper, &mut bytes).unwrap() < upper);
            }
        }
        let mut seen = [0u32; 6];
        for _ in 0..60_000 {
            seen[uniform_below(6, &mut bytes).unwrap() as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (9_400..10_600).contains(&n)), "{seen:?}");
    }

    #[test]
    fn huge_magnitudes_saturate_like_opendp() {
        assert_eq!(saturating_shift(5, true, Magnitude::Big(UBig::from(u128::MAX) * UBig::from(4u8))), i64::MAX);
        assert_eq!(saturating_shift(5, false, Magnitude::Small(u128::MAX)), i64::MIN);
        assert_eq!(saturating_shift(i64::MAX, true, Magnitude::Small(1)), i64::MAX);
        assert_eq!(saturating_shift(-3, false, Magnitude::Small(4)), -7);
    }

    #[test]
    fn the_big_continuations_agree_with_the_distribution() {
        // Entered only past 2^64 iterations in real draws; here called directly from small
        // counters, they must give Bernoulli(exp(-1)) and a geometric count with mean 1/(e-1).
        let mut bytes = Stream(11);
        let n = 20_000;
        let ones = (0..n).filter(|_| big::bernoulli_exp_below_one_from(1, 1, UBig::ONE, &mut bytes).unwrap()).count();
        let p = ones as f64 / n as f64;
        assert!((p - (-1f64).exp()).abs() < 0.015, "{p}");
        let mean = (0..n)
            .map(|_| u64::try_from(big::geometric_slow_exp1_from(UBig::ZERO, &mut bytes).unwrap()).unwrap() as f64)
            .sum::<f64>()
            / n as f64;
        let expected = 1.0 / (std::f64::consts::E - 1.0);
        assert!((mean - expected).abs() < 0.03, "{mean} vs {expected}");
    }
}
