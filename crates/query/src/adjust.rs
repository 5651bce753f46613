//! Optional post-processing of a released answer, labelled as such. It reads only the noisy
//! rows, so it costs nothing and releases nothing the answer did not: each row keeps its raw
//! `value` (and interval, which is the raw value's) and gains an `adjusted` one.
//!
//! - **Consistent totals**, where a question's answer has a total and its parts (co-visit: the
//!   devices in both areas, and the same devices by lag bin): the least-squares projection onto
//!   total = Σ parts, which for noise of equal variance moves each by the same share of the gap.
//! - **Non-negative values**: a negative count is raised to 0 (and a total is then the sum of
//!   its parts again).
//!
//! The adjusted values are not unbiased (clamping raises small counts on average) and carry no
//! interval of their own: analyses that need either use `value`.

use serde_json::{json, Value};

/// What the answer's `post_processing` field says was done.
pub const NOTE: &str = "adjusted = the noisy values post-processed (no new release, no charge): totals made \
                        consistent with their parts where the question has both, then negatives raised to 0. \
                        value and its interval are the raw release, unchanged; use them for unbiased estimates.";

/// Adds `adjusted` to every row of `answer` (a released or kept answer as JSON), and a
/// `post_processing` field saying what was done. An answer without rows is left as it is.
pub fn adjust(answer: &mut Value) {
    // Adjusted rows are not what was signed: the receipt stays with the answer as released
    // (`answers show` without --adjust, `answers receipt`).
    if let Some(fields) = answer.as_object_mut() {
        fields.remove("receipt");
    }
    let kind = answer["question"].as_str().unwrap_or_default().to_string();
    let Some(rows) = answer.get_mut("rows").and_then(Value::as_array_mut) else { return };
    let mut values: Vec<f64> = rows.iter().map(|r| r["value"].as_f64().unwrap_or(0.0)).collect();
    let mut applied = Vec::new();
    let total_and_parts = match kind.as_str() {
        "co-visit" => {
            let total = rows.iter().position(|r| r["measure"] == "devices_in_both");
            let parts: Vec<usize> = (0..rows.len()).filter(|i| rows[*i]["measure"] == "lag").collect();
            total.filter(|_| !parts.is_empty()).map(|t| (t, parts))
        }
        _ => None,
    };
    if let Some((total, parts)) = &total_and_parts {
        let gap = values[*total] - parts.iter().map(|i| values[*i]).sum::<f64>();
        let share = gap / (parts.len() as f64 + 1.0);
        values[*total] -= share;
        for i in parts {
            values[*i] += share;
        }
        applied.push("consistent_totals");
    }
    let mut adjusted: Vec<i64> = values.iter().map(|v| v.round().max(0.0) as i64).collect();
    if let Some((total, parts)) = &total_and_parts {
        adjusted[*total] = parts.iter().map(|i| adjusted[*i]).sum();
    }
    applied.push("non_negative");
    for (row, value) in rows.iter_mut().zip(adjusted) {
        row["adjusted"] = json!(value);
    }
    answer["post_processing"] = json!({ "applied": applied, "note": NOTE });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn covisit(total: i64, lags: &[i64]) -> Value {
        let mut rows = vec![json!({"measure": "devices_in_both", "value": total})];
        rows.extend(lags.iter().map(|v| json!({"measure": "lag", "lag": "<1h", "value": v})));
        json!({"question": "co-visit", "rows": rows})
    }

    fn adjusted(answer: &Value) -> Vec<i64> {
        answer["rows"].as_array().unwrap().iter().map(|r| r["adjusted"].as_i64().unwrap()).collect()
    }

    #[test]
    fn raw_values_stay_and_negatives_are_raised() {
        let mut a = json!({"question": "presence", "rows": [{"value": -3, "ci_low": -15.0}, {"value": 7}]});
        adjust(&mut a);
        assert_eq!(adjusted(&a), vec![0, 7]);
        assert_eq!(a["rows"][0]["value"], -3, "the raw release stays");
        assert_eq!(a["rows"][0]["ci_low"], -15.0);
        assert_eq!(a["post_processing"]["applied"], json!(["non_negative"]));
    }

    #[test]
    fn co_visit_total_is_made_the_sum_of_its_lags() {
        // Gap 100 − 80 = 20, shared over six entries.
        let mut a = covisit(100, &[10, 20, 30, 20, 0]);
        adjust(&mut a);
        let got = adjusted(&a);
        assert_eq!(got[0], got[1..].iter().sum::<i64>());
        assert!((got[0] - 97).abs() <= 2, "{got:?}");
        assert_eq!(a["post_processing"]["applied"], json!(["consistent_totals", "non_negative"]));
    }

    proptest! {
        #[test]
        fn adjusted_counts_are_non_negative_and_consistent(total in -50i64..500, lags in proptest::collection::vec(-50i64..200, 5)) {
            let mut a = covisit(total, &lags);
            adjust(&mut a);
            let got = adjusted(&a);
            prop_assert!(got.iter().all(|v| *v >= 0));
            prop_assert_eq!(got[0], got[1..].iter().sum::<i64>());
            let raw: Vec<i64> = a["rows"].as_array().unwrap().iter().map(|r| r["value"].as_i64().unwrap()).collect();
            prop_assert_eq!(raw[0], total);
        }
    }
}
