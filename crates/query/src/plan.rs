//! DataFusion plans that turn stored rows into *bounded* exact aggregates. Everything here is
//! built from DataFusion's own operators (no custom `ExecutionPlan`), so the same plans can run
//! on a Ballista cluster.
//!
//! The output types have no public constructor or accessor: the only consumer is `release`.

use datafusion::arrow::array::{Array, Int64Array, UInt64Array};
use datafusion::logical_expr::{binary_expr, JoinType, Operator};
use datafusion::prelude::*;
use h3o::CellIndex;
use std::collections::HashMap;

use crate::window::{utc_day, Window};
use crate::QueryError;
use crowdlens_store::Store;

/// Exact distinct-device counts per (cell, bucket index), after contribution bounding.
pub(crate) struct BoundedCounts {
    pub(crate) counts: HashMap<(u64, u64), i64>,
}

/// H3 parent by bit arithmetic: set the digits below `res` to 7 and rewrite the resolution
/// field. Stored cells are valid H3 indexes at `store_res`, whose unused digits are already 7.
fn parent_expr(res: u8, store_res: u8) -> Expr {
    if res == store_res {
        return col("cell");
    }
    let ones: u64 = (1u64 << (3 * (15 - u32::from(res)))) - 1;
    let res_field: u64 = 0xF << 52;
    let with_ones = binary_expr(col("cell"), Operator::BitwiseOr, lit(ones));
    let cleared = binary_expr(with_ones, Operator::BitwiseAnd, lit(!res_field));
    binary_expr(cleared, Operator::BitwiseOr, lit(u64::from(res) << 52))
}

/// A session with the table `pings`: the committed segments of the days `[from_s, to_s)`
/// touches, filtered to the window. `None` when no segment covers the window.
async fn scan(store: &Store, from_s: i64, to_s: i64) -> Result<Option<SessionContext>, QueryError> {
    let paths: Vec<String> = store
        .segments_between(&utc_day(from_s), &utc_day(to_s - 1))?
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if paths.is_empty() {
        return Ok(None);
    }
    let ctx = crate::engine::session().await?;
    let rows = ctx
        .read_parquet(paths, ParquetReadOptions::default())
        .await?
        .filter(col("time_s").gt_eq(lit(from_s)).and(col("time_s").lt(lit(to_s))))?;
    ctx.register_table("pings", rows.into_view())?;
    Ok(Some(ctx))
}

/// Adds a boolean column `name` that says whether the row's cell lies in `cells` (all at `res`).
fn with_membership(
    df: DataFrame,
    name: &str,
    res: u8,
    store_res: u8,
    cells: &[CellIndex],
) -> Result<DataFrame, QueryError> {
    let list: Vec<Expr> = cells.iter().map(|c| lit(u64::from(*c))).collect();
    Ok(df.with_column(name, parent_expr(res, store_res).in_list(list, false))?)
}

async fn collect_keyed(
    ctx: &SessionContext,
    sql: &str,
    key_columns: usize,
) -> Result<Vec<(Vec<u64>, i64)>, QueryError> {
    collect_keyed_frame(ctx.sql(sql).await?, key_columns).await
}

async fn collect_keyed_frame(frame: DataFrame, key_columns: usize) -> Result<Vec<(Vec<u64>, i64)>, QueryError> {
    let batches = crate::engine::collect(frame).await?;
    let mut out = Vec::new();
    for b in batches {
        let keys: Vec<datafusion::arrow::array::ArrayRef> = (0..key_columns)
            .map(|i| datafusion::arrow::compute::cast(b.column(i), &datafusion::arrow::datatypes::DataType::UInt64))
            .collect::<Result<_, _>>()
            .map_err(|e| QueryError::EngineFailed(e.to_string()))?;
        let keys: Vec<&UInt64Array> =
            keys.iter().map(|a| a.as_any().downcast_ref::<UInt64Array>().expect("cast to u64")).collect();
        let n = b.column(key_columns).as_any().downcast_ref::<Int64Array>().ok_or_else(|| engine("count type"))?;
        for i in 0..b.num_rows() {
            if keys.iter().any(|k| k.is_null(i)) {
                continue;
            }
            out.push((keys.iter().map(|k| k.value(i)).collect(), n.value(i)));
        }
    }
    Ok(out)
}

/// A fresh random salt for one question's `bounded_keys` choice.
fn question_salt() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

/// Per key `(k1, k2)` of `frame`, the number of devices that keep it when each device keeps at
/// most `bound` of its distinct keys, chosen uniformly at random for each device on its own
/// (`bounded::bounded_keys`, from the question's salt, the pseudonym and the key).
async fn bounded_key_counts(
    frame: DataFrame,
    k1: Expr,
    k2: Expr,
    bound: u32,
) -> Result<Vec<(Vec<u64>, i64)>, QueryError> {
    use datafusion::arrow::datatypes::DataType;
    let keys = crate::bounded::udaf().call(vec![
        col("pseudonym"),
        cast(k1, DataType::UInt64),
        cast(k2, DataType::UInt64),
        lit(u64::from(bound)),
        lit(question_salt()),
    ]);
    kept_key_counts(frame.aggregate(vec![col("pseudonym")], vec![keys.alias("keys")])?).await
}

/// Devices per key, from one row per device whose `keys` column lists the keys it keeps.
async fn kept_key_counts(per_device: DataFrame) -> Result<Vec<(Vec<u64>, i64)>, QueryError> {
    use datafusion::functions::core::expr_fn::get_field;
    use datafusion::functions_aggregate::expr_fn::count;
    let counted = per_device
        .unnest_columns(&["keys"])?
        .select(vec![get_field(col("keys"), "k1").alias("k1"), get_field(col("keys"), "k2").alias("k2")])?
        .aggregate(vec![col("k1"), col("k2")], vec![count(lit(1)).alias("n")])?;
    collect_keyed_frame(counted, 2).await
}

/// Distinct devices per (cell at `res`, bucket) over `cells`, with each device kept in at most
/// `max_partitions` partitions, chosen uniformly at random per question and device.
pub(crate) async fn presence_counts(
    store: &Store,
    window: &Window,
    res: u8,
    cells: &[CellIndex],
    max_partitions: u32,
) -> Result<BoundedCounts, QueryError> {
    let Some(ctx) = scan(store, window.from_s, window.to_s).await? else {
        return Ok(BoundedCounts { counts: HashMap::new() });
    };
    let store_res = store.config().resolution.h3_store;
    let area: Vec<Expr> = cells.iter().map(|c| lit(u64::from(*c))).collect();
    let scoped = ctx
        .table("pings")
        .await?
        .select(vec![
            col("pseudonym"),
            parent_expr(res, store_res).alias("qcell"),
            ((col("time_s") - lit(window.from_s)) / lit(window.bucket_s)).alias("bidx"),
        ])?
        .filter(col("qcell").in_list(area, false))?;
    let rows = bounded_key_counts(scoped, col("qcell"), col("bidx"), max_partitions).await?;
    Ok(BoundedCounts { counts: rows.into_iter().map(|(k, n)| ((k[0], k[1]), n)).collect() })
}

/// How flows assign a stored cell to a zone.
pub(crate) enum Zoning<'a> {
    /// The H3 parent at this resolution.
    Resolution(u8),
    /// Named zones: cell at `res` → zone id.
    Named { res: u8, map: &'a [(u64, u64)] },
}

/// Distinct devices per (origin zone, destination zone). A device-day's sequence of distinct
/// consecutive zones yields its transitions; each device counts once per pair and in at most
/// `bound` pairs. With `zones`, only those zones take part (public keys); with `origin`, only
/// transitions out of that zone count (private keys).
pub(crate) async fn flow_counts(
    store: &Store,
    from_s: i64,
    to_s: i64,
    zoning: Zoning<'_>,
    zones: Option<&[u64]>,
    origin: Option<u64>,
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    let Some(ctx) = scan(store, from_s, to_s).await? else { return Ok(HashMap::new()) };
    let store_res = store.config().resolution.h3_store;
    let pings = ctx.table("pings").await?;
    let zoned = match zoning {
        Zoning::Resolution(res) => {
            pings.select(vec![col("pseudonym"), col("time_s"), parent_expr(res, store_res).alias("zone")])?
        }
        Zoning::Named { res, map } => {
            let (cells, ids): (Vec<u64>, Vec<u64>) = map.iter().copied().unzip();
            let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
                datafusion::arrow::datatypes::Field::new(
                    "zcell",
                    datafusion::arrow::datatypes::DataType::UInt64,
                    false,
                ),
                datafusion::arrow::datatypes::Field::new("zone", datafusion::arrow::datatypes::DataType::UInt64, false),
            ]));
            // An in-memory table cannot travel to a cluster; there the map goes as literal rows.
            let zone_map = if crate::engine::current().is_some_and(|e| e.is_remote()) {
                let rows: Vec<Vec<Expr>> = cells.iter().zip(&ids).map(|(c, z)| vec![lit(*c), lit(*z)]).collect();
                let values = datafusion::logical_expr::LogicalPlanBuilder::values(rows)?
                    .project(vec![col("column1").alias("zcell"), col("column2").alias("zone")])?
                    .build()?;
                DataFrame::new(ctx.state(), values)
            } else {
                let batch = datafusion::arrow::record_batch::RecordBatch::try_new(
                    schema,
                    vec![std::sync::Arc::new(UInt64Array::from(cells)), std::sync::Arc::new(UInt64Array::from(ids))],
                )
                .map_err(|e| QueryError::EngineFailed(e.to_string()))?;
                ctx.read_batch(batch)?
            };
            let pings =
                pings.select(vec![col("pseudonym"), col("time_s"), parent_expr(res, store_res).alias("pcell")])?;
            pings.join(zone_map, JoinType::Inner, &["pcell"], &["zcell"], None)?.select(vec![
                col("pseudonym"),
                col("time_s"),
                col("zone"),
            ])?
        }
    };
    let zoned = match zones {
        Some(z) => zoned.filter(col("zone").in_list(z.iter().map(|c| lit(*c)).collect(), false))?,
        None => zoned,
    };
    let origin = lit(datafusion::common::ScalarValue::UInt64(origin));
    let keys = crate::sequences::zone_transitions().call(vec![
        col("pseudonym"),
        col("time_s"),
        cast(col("zone"), datafusion::arrow::datatypes::DataType::UInt64),
        origin,
        lit(u64::from(bound)),
        lit(question_salt()),
    ]);
    let rows = kept_key_counts(zoned.aggregate(vec![col("pseudonym")], vec![keys.alias("keys")])?).await?;
    Ok(rows.into_iter().map(|(k, n)| ((k[0], k[1]), n)).collect())
}

pub(crate) use crate::sequences::DWELL_EDGES_S;

/// Visits per dwell bin. A visit is a run of a device's consecutive pings inside the area with
/// gaps under `max_gap_s`; its dwell is last − first. Each device adds at most `bound` visits.
pub(crate) async fn dwell_counts(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    cells: &[CellIndex],
    max_gap_s: i64,
    bound: u32,
) -> Result<Vec<i64>, QueryError> {
    let mut out = vec![0i64; DWELL_EDGES_S.len() + 1];
    let Some(ctx) = scan(store, from_s, to_s).await? else { return Ok(out) };
    let store_res = store.config().resolution.h3_store;
    let marked = with_membership(ctx.table("pings").await?, "inside", res, store_res, cells)?;
    // Keys are (bin, visit number): each visit is distinct, so a device adds up to `bound`
    // visits, several of them possibly to the same bin.
    let keys = crate::sequences::dwell_visits().call(vec![
        col("pseudonym"),
        col("time_s"),
        col("inside"),
        lit(max_gap_s),
        lit(u64::from(bound)),
        lit(question_salt()),
    ]);
    let visits = marked.aggregate(vec![col("pseudonym")], vec![keys.alias("keys")])?;
    for (k, n) in kept_key_counts(visits).await? {
        out[k[0] as usize] += n;
    }
    Ok(out)
}

/// Co-visit lag bins, in seconds: <1 h, 1–6 h, 6–24 h, 1–3 d, ≥3 d.
pub(crate) const LAG_EDGES_S: [i64; 4] = [3_600, 21_600, 86_400, 259_200];

/// Devices seen in both areas (entry 0), then per lag bin (entries 1..): the lag is between the
/// device's first ping in A and its first ping in B. Each device adds 1 to entry 0 and 1 to one
/// lag bin.
pub(crate) async fn covisit_counts(
    store: &Store,
    from_s: i64,
    to_s: i64,
    res: u8,
    area_a: &[CellIndex],
    area_b: &[CellIndex],
) -> Result<Vec<i64>, QueryError> {
    let mut out = vec![0i64; LAG_EDGES_S.len() + 2];
    let Some(ctx) = scan(store, from_s, to_s).await? else { return Ok(out) };
    let store_res = store.config().resolution.h3_store;
    let pings = ctx.table("pings").await?;
    let marked = with_membership(pings, "in_a", res, store_res, area_a)?;
    let marked = with_membership(marked, "in_b", res, store_res, area_b)?;
    ctx.register_table("marked", marked.into_view())?;
    let [e0, e1, e2, e3] = LAG_EDGES_S;
    let sql = format!(
        "WITH a AS (SELECT pseudonym, MIN(time_s) AS ta FROM marked WHERE in_a GROUP BY pseudonym),
              b AS (SELECT pseudonym, MIN(time_s) AS tb FROM marked WHERE in_b GROUP BY pseudonym),
              lag AS (SELECT abs(b.tb - a.ta) AS l FROM a JOIN b ON a.pseudonym = b.pseudonym)
         SELECT CASE WHEN l < {e0} THEN 1 WHEN l < {e1} THEN 2 WHEN l < {e2} THEN 3
                     WHEN l < {e3} THEN 4 ELSE 5 END AS bin, COUNT(*) AS n
         FROM lag GROUP BY 1"
    );
    for (k, n) in collect_keyed(&ctx, &sql, 1).await? {
        out[k[0] as usize] = n;
        out[0] += n;
    }
    Ok(out)
}

/// Distinct devices anywhere in `cells` per bucket, over the target window (indexes
/// `0..target.buckets()`) followed by the baseline window; each device in at most `bound`
/// buckets across both.
pub(crate) async fn series_counts(
    store: &Store,
    target: &Window,
    baseline: &Window,
    res: u8,
    cells: &[CellIndex],
    bound: u32,
) -> Result<Vec<i64>, QueryError> {
    let n_target = target.buckets();
    let mut out = vec![0i64; (n_target + baseline.buckets()) as usize];
    let from = target.from_s.min(baseline.from_s);
    let to = target.to_s.max(baseline.to_s);
    let Some(ctx) = scan(store, from, to).await? else { return Ok(out) };
    let store_res = store.config().resolution.h3_store;
    let marked = with_membership(ctx.table("pings").await?, "inside", res, store_res, cells)?;
    ctx.register_table("marked", marked.into_view())?;
    let sql = format!(
        "WITH b AS (
            SELECT pseudonym,
                   CASE WHEN time_s >= {tf} AND time_s < {tt} THEN (time_s - {tf}) / {tb}
                        WHEN time_s >= {bf} AND time_s < {bt} THEN {n_target} + (time_s - {bf}) / {bb} END AS bidx
            FROM marked WHERE inside)
         SELECT pseudonym, bidx FROM b WHERE bidx IS NOT NULL",
        tf = target.from_s,
        tt = target.to_s,
        tb = target.bucket_s,
        bf = baseline.from_s,
        bt = baseline.to_s,
        bb = baseline.bucket_s,
    );
    for (k, n) in bounded_key_counts(ctx.sql(&sql).await?, col("bidx"), lit(0u64), bound).await? {
        if let Some(slot) = out.get_mut(k[0] as usize) {
            *slot += n;
        }
    }
    Ok(out)
}

/// Distinct devices per (content category, zone at `zones_res`) over `cells`, each device in at
/// most `bound` keys. Rows without a category (broker pings) do not take part. With `tiered`,
/// each category counts as its vendored taxonomy's top tier, and categories no vendored
/// taxonomy names do not take part.
pub(crate) async fn reach_counts(
    store: &Store,
    from_s: i64,
    to_s: i64,
    zones_res: u8,
    cells: &[CellIndex],
    tiered: bool,
    bound: u32,
) -> Result<HashMap<(u64, u64), i64>, QueryError> {
    let Some(ctx) = scan(store, from_s, to_s).await? else { return Ok(HashMap::new()) };
    let store_res = store.config().resolution.h3_store;
    let area: Vec<Expr> = cells.iter().map(|c| lit(u64::from(*c))).collect();
    let scoped = ctx
        .table("pings")
        .await?
        .filter(col("category").is_not_null())?
        .select(vec![col("pseudonym"), col("category"), parent_expr(zones_res, store_res).alias("zone")])?
        .filter(col("zone").in_list(area, false))?;
    let scoped = if tiered {
        scoped
            .select(vec![col("pseudonym"), top_tier_expr().alias("category"), col("zone")])?
            .filter(col("category").is_not_null())?
    } else {
        scoped
    };
    let rows = bounded_key_counts(scoped, col("category"), col("zone"), bound).await?;
    Ok(rows.into_iter().map(|(k, n)| ((k[0], k[1]), n)).collect())
}

/// A category's top tier in its vendored taxonomy, NULL for one no vendored taxonomy names. A
/// plain CASE rather than a join with a table in memory, so that the plan runs on a cluster as
/// it is; its branches are runs of consecutive codes under one top tier (about a hundred for
/// the thousand vendored categories), since a branch per category made planning every reach
/// cost more than reading it.
fn top_tier_expr() -> Expr {
    let when_then = top_tier_runs()
        .into_iter()
        .map(|(first, last, top)| {
            let within = if first == last {
                col("category").eq(lit(first))
            } else {
                col("category").between(lit(first), lit(last))
            };
            (Box::new(within), Box::new(lit(top)))
        })
        .collect();
    Expr::Case(datafusion::logical_expr::expr::Case::new(None, when_then, None))
}

/// The vendored categories as (first, last, top tier): every code from first to last is a
/// vendored category under that top tier, and every vendored category is in one run.
fn top_tier_runs() -> Vec<(u32, u32, u32)> {
    let mut tiers: Vec<(u32, u32)> = crowdlens_types::category::tier1_map().collect();
    tiers.sort_unstable();
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    for (category, top) in tiers {
        match runs.last_mut() {
            Some((_, last, run_top)) if *last + 1 == category && *run_top == top => *last = category,
            _ => runs.push((category, category, top)),
        }
    }
    runs
}

fn engine(what: &str) -> QueryError {
    QueryError::Engine(format!("unexpected result schema ({what})"))
}

#[cfg(test)]
mod tests {
    use h3o::{LatLng, Resolution};

    #[test]
    fn top_tier_runs_cover_exactly_the_vendored_categories() {
        let runs = super::top_tier_runs();
        let mut covered = std::collections::HashMap::new();
        for &(first, last, top) in &runs {
            for category in first..=last {
                assert!(covered.insert(category, top).is_none(), "{category} in two runs");
            }
        }
        let vendored: std::collections::HashMap<u32, u32> = crowdlens_types::category::tier1_map().collect();
        assert_eq!(covered, vendored);
        assert!(runs.len() * 5 < vendored.len(), "{} runs for {} categories", runs.len(), vendored.len());
    }

    #[test]
    fn bit_parent_matches_h3o() {
        let cell = LatLng::new(44.97, -93.26).unwrap().to_cell(Resolution::Ten);
        for r in 0..=10u8 {
            let want = u64::from(cell.parent(Resolution::try_from(r).unwrap()).unwrap());
            let ones: u64 = (1u64 << (3 * (15 - u32::from(r)))) - 1;
            let got = ((u64::from(cell) | ones) & !(0xFu64 << 52)) | (u64::from(r) << 52);
            assert_eq!(got, want, "res {r}");
        }
    }
}
