//! Bid-request parsing throughput, single-threaded, on one file (JSON lines, plain or gzip):
//! a generic `serde_json::Value` parse against crowdlens' typed borrowed parse, and against
//! the whole admission decision (parse + consent judgement + identity + category).
//!
//!   crowdlens synth --out city --devices 18000 --days 7      # about 1M bid requests
//!   cargo build --release --workspace --examples
//!   $CARGO_TARGET_DIR/release/examples/openrtb_throughput city/bids.jsonl.gz
//!
//! sonic-rs (SIMD) was measured the same way into the same typed struct and was slower than
//! serde_json here (560k against 620k requests/s on 1M synthetic requests), so the typed
//! serde_json path is the one used; it is not kept as a dependency.
//!
//! The file is decompressed into memory first so only parsing is timed. Each figure is the
//! median of 3 runs, with the min–max beside it: shared machines are noisy.

use crowdlens_consent::{judge, ConsentPolicy, Verdict};
use std::io::Read;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: openrtb_throughput FILE.jsonl[.gz]");
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).expect("gzip");
        out
    } else {
        raw
    };
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mb = bytes.len() as f64 / 1e6;
    println!("{} requests, {:.1} MB of JSON", lines.len(), mb);

    let policy = ConsentPolicy::default();
    let measure = |name: &str, f: &dyn Fn(&[u8]) -> usize| {
        let mut times = Vec::new();
        let mut checksum = 0;
        for _ in 0..3 {
            let start = Instant::now();
            checksum = lines.iter().map(|l| f(l)).sum::<usize>();
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let rate = |t: f64| lines.len() as f64 / t;
        println!(
            "{name:<44} {:>10.0} req/s ({:.0}–{:.0})  {:>6.1} MB/s   [{checksum}]",
            rate(times[1]),
            rate(times[2]),
            rate(times[0]),
            mb / times[1]
        );
        times[1]
    };
    let value = measure("serde_json::Value", &|l| {
        serde_json::from_slice::<serde_json::Value>(l).map(|v| v.as_object().map_or(0, |o| o.len())).unwrap_or(0)
    });
    let typed = measure("typed, borrowed (crowdlens openrtb::parse)", &|l| {
        crowdlens_ingest::openrtb::parse(l).map(|r| r.device.is_some() as usize).unwrap_or(0)
    });
    let admit = measure("typed + consent + identity + category", &|l| match crowdlens_ingest::openrtb::parse(l) {
        Ok(r) => {
            let admitted = judge(&r.signals(), &policy) == Verdict::Admit;
            admitted as usize + r.advertising_id().is_ok() as usize + r.category().is_some() as usize
        }
        Err(_) => 0,
    });
    println!(
        "speed-up over the Value parse: typed serde_json {:.1}x, full admission {:.1}x",
        value / typed,
        value / admit
    );
}
