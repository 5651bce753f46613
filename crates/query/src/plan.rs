//! DataFusion plans that turn stored rows into *bounded* exact aggregates. Everything here is
//! built from DataFusion's own operators (no custom `ExecutionPlan`), so the same plans can run
//! on a Ballista cluster.
//!
//! The output types have no public constructor or accessor: the only consumer is `release`.

use datafusion::arrow::array::{Array, Int64Array, UInt64Array};
use datafusion::logical_expr::{binary_expr, Operator};
use datafusion::prelude::*;
use h3o::CellIndex;
use std::collections::HashMap;

use crate::window::Window;
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

fn session() -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get()));
    SessionContext::new_with_config(config)
}

/// Distinct devices per (cell at `res`, bucket) over `cells`, with each device kept in at most
/// `max_partitions` partitions, chosen uniformly at random per question.
pub(crate) async fn presence_counts(
    store: &Store,
    window: &Window,
    res: u8,
    cells: &[CellIndex],
    max_partitions: u32,
) -> Result<BoundedCounts, QueryError> {
    let (first_day, last_day) = window.days();
    let paths: Vec<String> = store
        .segments_between(&first_day, &last_day)?
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if paths.is_empty() {
        return Ok(BoundedCounts { counts: HashMap::new() });
    }
    let ctx = session();
    let store_res = store.config().resolution.h3_store;
    let area: Vec<Expr> = cells.iter().map(|c| lit(u64::from(*c))).collect();
    let scoped = ctx
        .read_parquet(paths, ParquetReadOptions::default())
        .await?
        .filter(col("time_s").gt_eq(lit(window.from_s)).and(col("time_s").lt(lit(window.to_s))))?
        .select(vec![
            col("pseudonym"),
            parent_expr(res, store_res).alias("qcell"),
            ((col("time_s") - lit(window.from_s)) / lit(window.bucket_s)).alias("bidx"),
        ])?
        .filter(col("qcell").in_list(area, false))?
        .distinct()?;
    ctx.register_table("scoped", scoped.into_view())?;
    // One row per (device, partition) after DISTINCT; ROW_NUMBER over a random order keeps a
    // uniform random subset of at most L partitions per device.
    let sql = format!(
        "SELECT qcell, bidx, COUNT(*) AS n FROM (
            SELECT qcell, bidx, ROW_NUMBER() OVER (PARTITION BY pseudonym ORDER BY random()) AS rn
            FROM scoped
         ) WHERE rn <= {max_partitions} GROUP BY qcell, bidx"
    );
    let batches = ctx.sql(&sql).await?.collect().await?;
    let mut counts = HashMap::new();
    for b in batches {
        let cell = b.column(0).as_any().downcast_ref::<UInt64Array>().ok_or_else(|| engine("qcell type"))?;
        let bidx = b.column(1).as_any().downcast_ref::<Int64Array>().ok_or_else(|| engine("bidx type"))?;
        let n = b.column(2).as_any().downcast_ref::<Int64Array>().ok_or_else(|| engine("count type"))?;
        for i in 0..b.num_rows() {
            if cell.is_null(i) || bidx.is_null(i) {
                continue;
            }
            counts.insert((cell.value(i), bidx.value(i) as u64), n.value(i));
        }
    }
    Ok(BoundedCounts { counts })
}

fn engine(what: &str) -> QueryError {
    QueryError::Engine(format!("unexpected result schema ({what})"))
}

#[cfg(test)]
mod tests {
    use h3o::{LatLng, Resolution};

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
