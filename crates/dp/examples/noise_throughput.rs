//! How fast does `CountRelease::release` noise a city-week of public partitions?
//!
//! `cargo run --release -p crowdlens-dp --example noise_throughput [ENTRIES]`
//!
//! Prints entries per second for each mechanism at the demo's calibration (ε = 1, L = 4), and
//! for discrete Laplace also OpenDP's own bignum sampler at the same scale, on one thread each,
//! with the ratio between them.
use crowdlens_dp::{CountRelease, Mechanism};
use opendp::domains::{AtomDomain, VectorDomain};
use opendp::measurements::make_laplace;
use opendp::metrics::L1Distance;
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
            "{mechanism:?}: scale {:.2}, {entries} entries in {seconds:.3} s = {:.0} entries/s on all cores (mean |noise| {mean_abs:.2})",
            release.scale,
            entries as f64 / seconds
        );
    }

    // One thread each: the machine-integer sampler (through `release` on one chunk) against
    // OpenDP's measurement, which is what `release` called before.
    let release = CountRelease::calibrate(Mechanism::Laplace, 1.0, 0.0, 4).expect("calibrate");
    let chunk = &counts[..entries.min(4096)];
    let rounds = (entries / chunk.len()).max(1);
    let started = Instant::now();
    for _ in 0..rounds {
        release.release(chunk).expect("release");
    }
    let fast = started.elapsed().as_secs_f64() / (rounds * chunk.len()) as f64;
    let opendp = make_laplace(
        VectorDomain::new(AtomDomain::<i64>::default()),
        L1Distance::<i64>::default(),
        release.scale,
        None,
    )
    .expect("measurement");
    let started = Instant::now();
    for _ in 0..rounds {
        opendp.invoke(&chunk.to_vec()).expect("invoke");
    }
    let exact = started.elapsed().as_secs_f64() / (rounds * chunk.len()) as f64;
    println!(
        "Laplace, one thread: machine integers {:.2} µs/entry, OpenDP bignums {:.2} µs/entry: {:.1}x faster",
        fast * 1e6,
        exact * 1e6,
        exact / fast
    );
}
