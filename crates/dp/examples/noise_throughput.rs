//! How fast does `CountRelease::release` noise a city-week of public partitions?
//!
//! `cargo run --release -p crowdlens-dp --example noise_throughput [ENTRIES]`
//!
//! Prints entries per second for each mechanism at the demo's calibration (ε = 1, L = 4).
use crowdlens_dp::{CountRelease, Mechanism};
use std::time::Instant;

fn main() {
    let entries: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(201_936);
    let counts = vec![0_i64; entries];
    for mechanism in [Mechanism::Laplace, Mechanism::Gaussian] {
        let release = CountRelease::calibrate(mechanism, 1.0, 1e-6, 4).expect("calibrate");
        let started = Instant::now();
        let noisy = release.release(&counts).expect("release");
        let seconds = started.elapsed().as_secs_f64();
        let mean_abs = noisy.iter().map(|v| v.unsigned_abs() as f64).sum::<f64>() / entries as f64;
        println!(
            "{mechanism:?}: scale {:.2}, {entries} entries in {seconds:.3} s = {:.0} entries/s (mean |noise| {mean_abs:.2})",
            release.scale,
            entries as f64 / seconds
        );
    }
}
