use super::*;
use datafusion::arrow::array::{BooleanArray, Int64Array, UInt64Array};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::*;
use proptest::prelude::*;
use std::collections::HashMap;

const DAY: i64 = 86_400;
const MON: i64 = 1_793_577_600;
const DEVICE: u64 = 0xD0D0_0000_0000_0007;

fn reader(reading: Reading, param: Option<i64>, bound: usize) -> Sequences {
    Sequences { reading, param, bound, salt: 5, groups: Vec::new(), devices: Vec::new(), heap_bytes: 0 }
}

fn sorted(mut keys: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    keys.sort_unstable();
    keys
}

#[test]
fn transitions_collapse_repeats_and_start_afresh_each_day() {
    let r = reader(Reading::Transitions, None, 100);
    // Out of order on purpose: the aggregate orders them.
    let mut pings = vec![
        (MON + 300, 2),
        (MON + 100, 1),
        (MON + 200, 1),
        (MON + 400, 2),
        (MON + 500, 3),
        (MON + 600, 1),
        // The next day starts in zone 3: no transition 1 → 3 across midnight.
        (MON + DAY + 10, 3),
        (MON + DAY + 20, 4),
    ];
    assert_eq!(sorted(r.keys(&mut pings, DEVICE)), vec![(1, 2), (2, 3), (3, 1), (3, 4)]);
    // Ties in time are ordered by zone, as the window plan's `ORDER BY time_s, zone` did.
    let mut tied = vec![(MON, 9), (MON, 4)];
    assert_eq!(r.keys(&mut tied, DEVICE), vec![(4, 9)]);
}

#[test]
fn an_origin_keeps_only_transitions_out_of_it() {
    let r = reader(Reading::Transitions, Some(2), 100);
    let mut pings = vec![(MON, 1), (MON + 1, 2), (MON + 2, 3), (MON + 3, 2), (MON + 4, 1)];
    assert_eq!(sorted(r.keys(&mut pings, DEVICE)), vec![(2, 1), (2, 3)]);
}

#[test]
fn visits_end_at_a_gap_or_a_ping_outside() {
    let r = reader(Reading::Visits, Some(1800), 100);
    let mut pings = vec![
        // Visit 1: 0 → 700 s (bin 1, 10–30 min), then a gap of 1800 s ends it.
        (MON, 1),
        (MON + 700, 1),
        // Visit 2: a single ping (bin 0), ended by a ping outside.
        (MON + 2500, 1),
        (MON + 2600, 0),
        // Visit 3: 2 h (bin 3).
        (MON + 2700, 1),
        (MON + 2700 + 1700, 1),
        (MON + 2700 + 3400, 1),
        (MON + 2700 + 5100, 1),
        (MON + 2700 + 6800, 1),
        (MON + 2700 + 7200, 1),
    ];
    assert_eq!(sorted(r.keys(&mut pings, DEVICE)), vec![(0, 2), (1, 1), (3, 3)]);
    let mut outside_only = vec![(MON, 0), (MON + 10, 0)];
    assert!(r.keys(&mut outside_only, DEVICE).is_empty());
}

#[test]
fn dwell_bins_follow_the_edges() {
    assert_eq!(
        [0, 599, 600, 1799, 1800, 3599, 3600, 14_399, 14_400, 90_000].map(dwell_bin),
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    );
}

proptest! {
    #[test]
    fn no_device_yields_more_than_bound_distinct_keys(
        pings in proptest::collection::vec((0i64..3 * DAY, 0u64..6), 0..200),
        bound in 0usize..6,
        visits in any::<bool>(),
    ) {
        let r = if visits {
            reader(Reading::Visits, Some(900), bound)
        } else {
            reader(Reading::Transitions, None, bound)
        };
        let mut pings: Vec<(i64, u64)> =
            pings.into_iter().map(|(t, v)| (MON + t, if visits { v % 2 } else { v })).collect();
        let keys = r.keys(&mut pings, DEVICE);
        prop_assert!(keys.len() <= bound);
        let mut distinct = keys.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), keys.len());
    }
}

/// The window-function plans these aggregates replaced, run with the same salt through
/// `bounded_keys`: both must give the same counts on any data, split across batches.
fn window_plan_flows(origin: Option<u64>) -> String {
    let origin_filter = origin.map(|o| format!("AND origin = {o}")).unwrap_or_default();
    format!(
        "WITH s AS (
            SELECT pseudonym, time_s / 86400 AS day, time_s, zone,
                   LAG(zone) OVER (PARTITION BY pseudonym, time_s / 86400 ORDER BY time_s, zone) AS prev
            FROM pings),
         c AS (SELECT pseudonym, day, time_s, zone FROM s WHERE prev IS NULL OR prev <> zone),
         t AS (SELECT pseudonym, zone AS dest,
                      LAG(zone) OVER (PARTITION BY pseudonym, day ORDER BY time_s, zone) AS origin FROM c)
         SELECT pseudonym, origin, dest FROM t WHERE origin IS NOT NULL {origin_filter}"
    )
}

fn window_plan_dwell(max_gap_s: i64) -> String {
    format!(
        "WITH s AS (
            SELECT pseudonym, time_s, inside,
                   LAG(time_s) OVER w AS prev_t, LAG(inside) OVER w AS prev_in
            FROM pings WINDOW w AS (PARTITION BY pseudonym ORDER BY time_s, inside)),
         starts AS (
            SELECT pseudonym, time_s, inside,
                   CASE WHEN inside AND (prev_in IS NULL OR NOT prev_in OR time_s - prev_t >= {max_gap_s})
                        THEN 1 ELSE 0 END AS new_visit
            FROM s),
         v AS (
            SELECT pseudonym, time_s, inside,
                   SUM(new_visit) OVER (PARTITION BY pseudonym ORDER BY time_s, inside ROWS UNBOUNDED PRECEDING) AS visit
            FROM starts),
         visits AS (
            SELECT pseudonym, visit, MAX(time_s) - MIN(time_s) AS dwell FROM v WHERE inside GROUP BY pseudonym, visit)
         SELECT pseudonym, visit,
                CASE WHEN dwell < 600 THEN 0 WHEN dwell < 1800 THEN 1 WHEN dwell < 3600 THEN 2
                     WHEN dwell < 14400 THEN 3 ELSE 4 END AS bin
         FROM visits"
    )
}

async fn counts(frame: DataFrame) -> HashMap<(u64, u64), i64> {
    use datafusion::functions::core::expr_fn::get_field;
    use datafusion::functions_aggregate::expr_fn::count;
    let counted = frame
        .unnest_columns(&["keys"])
        .unwrap()
        .select(vec![get_field(col("keys"), "k1").alias("k1"), get_field(col("keys"), "k2").alias("k2")])
        .unwrap()
        .aggregate(vec![col("k1"), col("k2")], vec![count(lit(1)).alias("n")])
        .unwrap();
    let mut out = HashMap::new();
    for b in counted.collect().await.unwrap() {
        let k1 = b.column(0).as_primitive::<UInt64Type>();
        let k2 = b.column(1).as_primitive::<UInt64Type>();
        let n = b.column(2).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.insert((k1.value(i), k2.value(i)), n.value(i));
        }
    }
    out
}

/// Random pings of 60 devices over three days, in several batches and partitions, so that
/// partial states of one device meet in the final aggregate.
fn pings_table(seed: u64) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("pseudonym", DataType::UInt64, false),
        Field::new("time_s", DataType::Int64, false),
        Field::new("zone", DataType::UInt64, false),
        Field::new("inside", DataType::Boolean, false),
    ]));
    let mut state = seed;
    let mut next = move |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    (0..6)
        .map(|_| {
            let rows = 2_000;
            let (mut p, mut t, mut z, mut inside) = (vec![], vec![], vec![], vec![]);
            for _ in 0..rows {
                p.push(next(60));
                // Minutes, so that equal times (ties) occur.
                t.push(MON + 60 * next(3 * 24 * 60) as i64);
                let zone = next(5);
                z.push(zone);
                inside.push(zone < 2);
            }
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(UInt64Array::from(p)),
                    Arc::new(Int64Array::from(t)),
                    Arc::new(UInt64Array::from(z)),
                    Arc::new(BooleanArray::from(inside)),
                ],
            )
            .unwrap()
        })
        .collect()
}

#[test]
fn the_aggregates_count_what_the_window_plans_counted() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        for (seed, bound) in [(1u64, 3u64), (2, 1000)] {
            let batches = pings_table(seed);
            let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3));
            let schema = batches[0].schema();
            let partitions: Vec<Vec<RecordBatch>> = batches.chunks(2).map(|c| c.to_vec()).collect();
            let table = datafusion::datasource::MemTable::try_new(schema, partitions).unwrap();
            ctx.register_table("pings", Arc::new(table)).unwrap();
            let salt = 0x5eed ^ seed;
            let bounded = |frame: DataFrame, k1: &str, k2: &str| {
                let (k1, k2) = (cast(col(k1), DataType::UInt64), cast(col(k2), DataType::UInt64));
                let keys = crate::bounded::udaf().call(vec![col("pseudonym"), k1, k2, lit(bound), lit(salt)]);
                frame.aggregate(vec![col("pseudonym")], vec![keys.alias("keys")]).unwrap()
            };
            for origin in [None, Some(3u64)] {
                let want = counts(bounded(ctx.sql(&window_plan_flows(origin)).await.unwrap(), "origin", "dest")).await;
                let keys = zone_transitions().call(vec![
                    col("pseudonym"),
                    col("time_s"),
                    col("zone"),
                    lit(ScalarValue::UInt64(origin)),
                    lit(bound),
                    lit(salt),
                ]);
                let got = ctx.table("pings").await.unwrap().aggregate(vec![col("pseudonym")], vec![keys.alias("keys")]);
                let got = counts(got.unwrap()).await;
                assert!(!want.is_empty());
                assert_eq!(got, want, "flows, bound {bound}, origin {origin:?}");
            }
            let want = counts(bounded(ctx.sql(&window_plan_dwell(1800)).await.unwrap(), "bin", "visit")).await;
            let keys = dwell_visits().call(vec![
                col("pseudonym"),
                col("time_s"),
                col("inside"),
                lit(1800i64),
                lit(bound),
                lit(salt),
            ]);
            let got = ctx.table("pings").await.unwrap().aggregate(vec![col("pseudonym")], vec![keys.alias("keys")]);
            let got = counts(got.unwrap()).await;
            assert!(!want.is_empty());
            assert_eq!(got, want, "dwell, bound {bound}");
        }
    });
}

#[test]
fn without_group_by_the_whole_input_is_one_device() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let batches = pings_table(3);
        let ctx = SessionContext::new();
        let table = datafusion::datasource::MemTable::try_new(batches[0].schema(), vec![batches]).unwrap();
        ctx.register_table("pings", Arc::new(table)).unwrap();
        let one = ctx.table("pings").await.unwrap().filter(col("pseudonym").eq(lit(7u64))).unwrap();
        let call = || {
            zone_transitions().call(vec![
                col("pseudonym"),
                col("time_s"),
                col("zone"),
                lit(ScalarValue::UInt64(None)),
                lit(1000u64),
                lit(9u64),
            ])
        };
        let grouped = counts(one.clone().aggregate(vec![col("pseudonym")], vec![call().alias("keys")]).unwrap()).await;
        let ungrouped = counts(one.aggregate(vec![], vec![call().alias("keys")]).unwrap()).await;
        assert!(!grouped.is_empty());
        assert_eq!(ungrouped, grouped);
    });
}

/// 1,200 devices with the same day: zones 0, 1, …, 9 in turn (nine transitions) and, inside
/// the area, six visits of ten minutes each. Rows are scattered over batches and partitions.
fn identical_days_table() -> (SessionContext, u64) {
    let devices = 1_200u64;
    let schema = Arc::new(Schema::new(vec![
        Field::new("pseudonym", DataType::UInt64, false),
        Field::new("time_s", DataType::Int64, false),
        Field::new("zone", DataType::UInt64, false),
        Field::new("inside", DataType::Boolean, false),
    ]));
    let mut rows = Vec::new();
    for d in 0..devices {
        // A well-spread stand-in for a pseudonym.
        let p = (d + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x0123_4567_89AB_CDEF;
        for z in 0..10u64 {
            // Zone z from hour z: two pings inside (10 minutes apart), one outside.
            let t = MON + 3600 * z as i64;
            rows.push((p, t, z, z < 6));
            rows.push((p, t + 600, z, z < 6));
            rows.push((p, t + 1800, z, false));
        }
    }
    rows.sort_by_key(|r| (r.0 ^ r.1 as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    let batches: Vec<RecordBatch> = rows
        .chunks(1000)
        .map(|c| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(UInt64Array::from(c.iter().map(|r| r.0).collect::<Vec<_>>())),
                    Arc::new(Int64Array::from(c.iter().map(|r| r.1).collect::<Vec<_>>())),
                    Arc::new(UInt64Array::from(c.iter().map(|r| r.2).collect::<Vec<_>>())),
                    Arc::new(BooleanArray::from(c.iter().map(|r| r.3).collect::<Vec<_>>())),
                ],
            )
            .unwrap()
        })
        .collect();
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3));
    let partitions: Vec<Vec<RecordBatch>> = batches.chunks(batches.len().div_ceil(3)).map(<[_]>::to_vec).collect();
    let table = datafusion::datasource::MemTable::try_new(schema, partitions).unwrap();
    ctx.register_table("pings", Arc::new(table)).unwrap();
    (ctx, devices)
}

/// Every device has the same keys, more than the bound: each keeps its own random subset, so
/// each key's total is binomial around devices × bound / keys, for every salt. With one order
/// for all devices (the salt alone), `bound` keys would get every device and the rest none.
#[test]
fn each_device_keeps_its_own_transitions_and_visits() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (ctx, devices) = identical_days_table();
        let bound = 2u64;
        for salt in [1u64, 0xFEED_F00D, u64::MAX / 3] {
            let transitions = zone_transitions().call(vec![
                col("pseudonym"),
                col("time_s"),
                col("zone"),
                lit(ScalarValue::UInt64(None)),
                lit(bound),
                lit(salt),
            ]);
            let visits = dwell_visits().call(vec![
                col("pseudonym"),
                col("time_s"),
                col("inside"),
                lit(1800i64),
                lit(bound),
                lit(salt),
            ]);
            for (what, call, keys) in [("transitions", transitions, 9u64), ("visits", visits, 6)] {
                let frame =
                    ctx.table("pings").await.unwrap().aggregate(vec![col("pseudonym")], vec![call.alias("keys")]);
                let totals = counts(frame.unwrap()).await;
                assert_eq!(totals.len() as u64, keys, "{what}: every key kept by some device: {totals:?}");
                assert_eq!(totals.values().sum::<i64>() as u64, devices * bound, "{what}");
                let p = bound as f64 / keys as f64;
                let (mean, sd) = (devices as f64 * p, (devices as f64 * p * (1.0 - p)).sqrt());
                for (key, &n) in &totals {
                    assert!((n as f64 - mean).abs() < 4.5 * sd, "{what} {key:?}: {n}, expected {mean:.0} ± {sd:.0}");
                }
            }
        }
    });
}

#[test]
fn a_group_of_two_devices_fails_rather_than_mixing_them() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        let table =
            datafusion::datasource::MemTable::try_new(pings_table(4)[0].schema(), vec![pings_table(4)]).unwrap();
        ctx.register_table("pings", Arc::new(table)).unwrap();
        let call = zone_transitions().call(vec![
            col("pseudonym"),
            col("time_s"),
            col("zone"),
            lit(ScalarValue::UInt64(None)),
            lit(3u64),
            lit(9u64),
        ]);
        let frame = ctx.table("pings").await.unwrap().aggregate(vec![], vec![call.alias("keys")]).unwrap();
        let err = frame.collect().await.unwrap_err().to_string();
        assert!(err.contains("two devices"), "{err}");
    });
}
