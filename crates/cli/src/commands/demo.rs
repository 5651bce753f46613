//! `demo`: the whole flow on a synthetic city, from nothing to answers, in one command.

use anyhow::{bail, Context, Result};
use crowdlens_query::questions::{
    Common, CovisitQuestion, DwellQuestion, FlowsQuestion, ReachQuestion, SeriesQuestion,
};
use crowdlens_query::{window::parse_instant, MechanismChoice, PresenceQuestion, Question};
use crowdlens_store::Config;
use crowdlens_types::parse_span;
use std::path::Path;

use super::ingest::{ingest_files, ingest_options, synth, Source};
use super::{asker, create_store_with, open_ledger, store_epochs, SynthArgs};
use crate::output::{print_answer, print_answer_rows};

const DEMO_MARKER: &str = ".crowdlens-demo";

pub(super) fn demo(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.join(DEMO_MARKER).exists() {
            bail!("{} exists and is not a crowdlens demo directory; pass --dir with a new path", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("removing previous demo at {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(DEMO_MARKER), "created by `crowdlens demo`; safe to delete\n")?;
    let city = dir.join("city");
    let store_dir = dir.join("store");
    let started = std::time::Instant::now();

    println!("== 1. synthesise a city (Twin Cities, 10,000 devices, 3 days, seed 1)");
    let s = synth(
        &SynthArgs {
            out: city.clone(),
            devices: 10_000,
            days: 3,
            seed: 1,
            start: "2026-11-02".into(),
            mean_pings: 40.0,
            bids_per_day: Some(8.0),
            store: None,
        },
        true,
    )?;

    println!("\n== 2. create a store with default settings");
    // The web UI's map opens on the synthetic city.
    let (min_lon, min_lat, max_lon, max_lat) = crowdlens_synth::TWIN_CITIES.bbox;
    let mut config = Config::default();
    config.map.home = Some([min_lon, min_lat, max_lon, max_lat]);
    // The generator's region is what its feeds cover: declared, not read off the rows.
    config.map.coverage = Some([min_lon, min_lat, max_lon, max_lat]);
    let store = create_store_with(&store_dir, &config)?;
    println!("created {}", store_dir.display());

    println!("\n== 3. ingest: validate, drop sensitive places and coarse fixes, pseudonymise, store by day");
    let options = ingest_options(Some(&s.sensitive_path), &[], None)?;
    ingest_files(&store, std::slice::from_ref(&s.pings_path), &options, Source::Pings, true, true)?;
    if let Some((_, bids)) = &s.bids {
        println!("\n== 3b. ingest the bidstream: consent first (COPPA, LMT, TCF, US Privacy, GPP), then location");
        ingest_files(&store, std::slice::from_ref(bids), &options, Source::Openrtb, true, true)?;
    }

    // Each question asks for the interval it needs (±12 devices per value at 95%, ±24 for the
    // airport's two hours), and each is answered with whichever noise costs the week less for it.
    println!("\n== 4. presence: three questions, each asked by accuracy, charged to the budget and audited");
    let questions = [
        (
            "Downtown Minneapolis in 3-hour buckets through Monday 2026-11-02",
            "bbox:-93.285,44.968,-93.245,44.988",
            "2026-11-02T00:00:00Z",
            "2026-11-03T00:00:00Z",
            "3h",
            12.0,
        ),
        (
            "The airport between 2 and 4 a.m. on Tuesday",
            "bbox:-93.245,44.870,-93.195,44.900",
            "2026-11-03T02:00:00Z",
            "2026-11-03T04:00:00Z",
            "1h",
            24.0,
        ),
        (
            "University of Minnesota, daily over the three days",
            "bbox:-93.245,44.965,-93.210,44.985",
            "2026-11-02",
            "2026-11-05",
            "1d",
            12.0,
        ),
    ];
    let mut ledger = open_ledger(&store)?;
    let rt = tokio::runtime::Runtime::new()?;
    for (title, area, from, to, bucket, accuracy) in questions {
        println!("\n-- {title}");
        let q = PresenceQuestion {
            area: area.into(),
            from_s: parse_instant(from)?,
            to_s: parse_instant(to)?,
            bucket_s: parse_span(bucket)?,
            res: None,
            epsilon: None,
            accuracy: Some(accuracy),
            mechanism: MechanismChoice::Auto,
            max_partitions: None,
        };
        let a = rt.block_on(q.ask(&store, &mut ledger, &asker("DEMO-1", "research")))?;
        print_answer(&a);
    }

    println!("\n== 5. the other questions: flows, dwell, co-visit, series, reach");
    let days = |from: &str, to: &str, accuracy: f64| -> Result<Common> {
        Ok(Common {
            from_s: parse_instant(from)?,
            to_s: parse_instant(to)?,
            epsilon: None,
            accuracy: Some(accuracy),
            mechanism: MechanismChoice::Auto,
            max_partitions: None,
        })
    };
    let who = asker("DEMO-1", "research");
    let downtown = "bbox:-93.285,44.968,-93.245,44.988".to_string();
    let campus = "bbox:-93.245,44.965,-93.210,44.985".to_string();

    println!("\n-- flows: devices moving between H3 res-7 zones across central Minneapolis, per pair");
    let flows = FlowsQuestion {
        common: days("2026-11-02", "2026-11-05", 12.0)?,
        area: Some("bbox:-93.30,44.955,-93.20,44.99".into()),
        zones_res: Some(7),
        zones_file: None,
        top_from: None,
    };
    print_answer(&rt.block_on(flows.ask(&store, &mut ledger, &who))?);

    println!("\n-- dwell: how long visits to downtown last");
    let dwell = DwellQuestion {
        common: days("2026-11-02", "2026-11-05", 12.0)?,
        area: downtown.clone(),
        res: None,
        max_gap_s: 1800,
    };
    print_answer(&rt.block_on(dwell.ask(&store, &mut ledger, &who))?);

    println!("\n-- co-visit: devices seen both downtown and on campus, and the lag between");
    let covisit = CovisitQuestion {
        common: days("2026-11-02", "2026-11-05", 12.0)?,
        area: downtown.clone(),
        area_b: campus,
        res: None,
    };
    print_answer(&rt.block_on(covisit.ask(&store, &mut ledger, &who))?);

    println!("\n-- series: downtown on Wednesday in 6-hour buckets, against Monday and Tuesday");
    let series = SeriesQuestion {
        common: days("2026-11-04", "2026-11-05", 12.0)?,
        area: downtown,
        res: None,
        bucket_s: 6 * 3600,
        baseline_from_s: parse_instant("2026-11-02")?,
        baseline_to_s: parse_instant("2026-11-04")?,
    };
    let series_answer = rt.block_on(series.ask(&store, &mut ledger, &who))?;
    print_answer(&series_answer);

    println!("\n-- reach: devices per IAB top-tier content category per res-7 zone, city-wide, from the consented bidstream");
    let reach = ReachQuestion {
        common: days("2026-11-02", "2026-11-05", 12.0)?,
        area: "bbox:-93.40,44.85,-92.98,45.10".into(),
        zones_res: Some(7),
        categories: "tier1".into(),
    };
    match rt.block_on(reach.ask(&store, &mut ledger, &who)) {
        Ok(a) => print_answer_rows(&a, Some(12)),
        Err(e) => println!("refused, nothing charged: {e}"),
    }

    println!("\n== 6. budget after these questions");
    let b = ledger.budget(&store_epochs(&store)?)?;
    for e in &b {
        println!("{}: spent ε={:.2} of {}, {:.2} left", e.epoch, e.epsilon_spent, e.epsilon_total, e.epsilon_remaining);
    }

    println!("\n== 7. evidence: the series answer's signed receipt, checked as a court would");
    let key = ledger.public_key()?;
    let receipt =
        series_answer.receipt.as_ref().ok_or_else(|| anyhow::anyhow!("internal error: the answer has no receipt"))?;
    let payload = receipt.verify(&key, Some(crowdlens_control::signed::RECEIPT))?;
    crowdlens_control::signed::check_answer(&payload, &serde_json::to_value(&series_answer)?)?;
    let id = series_answer.audit_id;
    println!(
        "  answer #{id}: signature valid (ed25519 {}), the answer matches its digest; the chain had {} entries at release",
        &receipt.public_key[..16],
        payload["audit"]["chain_length"]
    );
    println!("  offline, with the public key only:");
    println!("    crowdlens answers show {id} --store {} > answer.json", store_dir.display());
    println!("    crowdlens answers receipt {id} --store {} --out receipt.json", store_dir.display());
    println!("    crowdlens key export-public --store {} --out store.pub.pem", store_dir.display());
    println!("    crowdlens verify receipt.json answer.json --public-key store.pub.pem");

    println!("\n== where things are");
    println!("  synthetic feed:     {}", s.pings_path.display());
    println!("  sensitive places:   {}", s.sensitive_path.display());
    println!(
        "  store:              {}  (Parquet by day, manifest.json, keyring/, control.sqlite)",
        store_dir.display()
    );
    println!("\n== what the numbers mean");
    println!("  presence: distinct devices seen in that H3 cell during that bucket.");
    println!("  flows:    devices whose day took them from the origin zone straight to the destination zone.");
    println!("  dwell:    visits (runs of pings inside the area, gaps under 30 min) by how long they lasted.");
    println!("  co-visit: devices seen in both areas, and how far apart their first visits to each were.");
    println!("  series:   distinct devices in the whole area per bucket, and the % change against the");
    println!("            baseline buckets at the same time of day.");
    println!("  reach:    devices per content category (the IAB taxonomies' top tiers, which are public, so");
    println!("            every key is released) per zone, from bid requests that passed consent.");
    println!("  Every value is a count plus discrete Laplace or Gaussian noise from OpenDP, whichever costs the");
    println!("  week less for the accuracy asked. The interval holds the true");
    println!("  bounded count with 95% probability. Values can be negative or non-zero where no one was:");
    println!("  that noise keeps any single device from being detectable. Each device counts in at most L");
    println!(
        "  partitions (or visits) per question (L = {}), and each question spends its ε from the",
        store.config().privacy.default_max_partitions
    );
    println!("  week's budget.");
    println!("  Try: crowdlens budget --store {}", store_dir.display());
    println!(
        "       crowdlens token create --store {} --role analyst --name me   # then: crowdlens serve --store {} and open http://127.0.0.1:8787/",
        store_dir.display(),
        store_dir.display()
    );
    println!("       crowdlens report transparency --store {} --out report.html", store_dir.display());
    println!("       crowdlens risk {} --out risk.html", city.join(crowdlens_synth::PINGS_FILE).display());
    println!("\ndemo finished in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
