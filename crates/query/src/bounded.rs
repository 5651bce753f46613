//! `bounded_keys(k1, k2, bound, salt)`: contribution bounding as an aggregate. Grouped by
//! device, it keeps at most `bound` distinct `(k1, k2)` keys of that device: the ones with the
//! smallest `hash(salt, key)`. With a fresh random salt per question that is a uniformly random
//! subset of the device's distinct keys, the same distribution as
//! `ROW_NUMBER() OVER (PARTITION BY device ORDER BY random()) <= bound` over the distinct rows,
//! without sorting or de-duplicating every (device, key) row first: each device's state is at
//! most `bound` keys, so memory follows the number of devices, not the number of rows.
//!
//! It is a registered UDAF, not a custom plan node, so plans that use it still run on Ballista
//! (where the UDAF is registered by name on each executor).
//!
//! Whatever the salt, no device yields more than `bound` keys: the privacy guarantee rests on
//! that, not on the randomness, which only keeps the choice unbiased.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, ListArray, StructArray, UInt64Array, UInt64Builder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType, Field, FieldRef, Fields, UInt64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use std::sync::Arc;

pub const NAME: &str = "bounded_keys";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BoundedKeys {
    signature: Signature,
}

pub fn udaf() -> AggregateUDF {
    AggregateUDF::from(BoundedKeys {
        signature: Signature::exact(
            vec![DataType::UInt64, DataType::UInt64, DataType::UInt64, DataType::UInt64],
            Volatility::Immutable,
        ),
    })
}

fn key_fields() -> Fields {
    Fields::from(vec![Field::new("k1", DataType::UInt64, false), Field::new("k2", DataType::UInt64, false)])
}

pub(crate) fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Struct(key_fields()), false)))
}

/// `bound` and `salt` must be literals: they are part of the question, not of the data.
fn literal_u64(args: &AccumulatorArgs, i: usize, what: &str) -> Result<u64> {
    match args.exprs.get(i).and_then(|e| e.as_ref().downcast_ref::<Literal>()).map(|l| l.value().clone()) {
        Some(ScalarValue::UInt64(Some(v))) => Ok(v),
        _ => exec_err!("{NAME}: {what} must be a UInt64 literal"),
    }
}

impl AggregateUDFImpl for BoundedKeys {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(list_type())
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let bound = literal_u64(&args, 2, "bound")? as usize;
        let salt = literal_u64(&args, 3, "salt")?;
        Ok(Box::new(OneGroup(Samples::new(bound, salt))))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[keys]", args.name), list_type(), true))])
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        let bound = literal_u64(&args, 2, "bound")? as usize;
        let salt = literal_u64(&args, 3, "salt")?;
        Ok(Box::new(Samples::new(bound, salt)))
    }
}

/// The at most `bound` distinct keys of smallest priority: the keys a device keeps when all
/// of them are known at once, the same choice [`Samples`] makes one key at a time.
pub(crate) fn keep_smallest(keys: Vec<(u64, u64)>, bound: usize, salt: u64) -> Vec<(u64, u64)> {
    let mut ranked: Vec<Entry> = keys.into_iter().map(|(a, b)| (priority(salt, a, b), a, b)).collect();
    ranked.sort_unstable();
    ranked.dedup();
    ranked.truncate(bound);
    ranked.into_iter().map(|(_, a, b)| (a, b)).collect()
}

/// Mixes the salt and a key into a well-spread 64-bit priority (splitmix64 finaliser).
fn priority(salt: u64, k1: u64, k2: u64) -> u64 {
    let mut z = salt ^ k1.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ k2.rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Per group, the `bound` distinct keys of smallest priority, sorted by priority.
struct Samples {
    bound: usize,
    salt: u64,
    groups: Vec<Vec<Entry>>,
    /// Bytes the groups' vectors hold, kept up to date because DataFusion asks for the size
    /// after every batch and walking every group each time is quadratic.
    heap_bytes: usize,
}

/// (priority, k1, k2)
type Entry = (u64, u64, u64);

impl Samples {
    fn new(bound: usize, salt: u64) -> Samples {
        Samples { bound, salt, groups: Vec::new(), heap_bytes: 0 }
    }

    fn recount_heap(&mut self) {
        self.heap_bytes = self.groups.iter().map(|g| g.capacity() * std::mem::size_of::<Entry>()).sum();
    }

    fn offer(&mut self, group: usize, k1: u64, k2: u64) {
        let p = priority(self.salt, k1, k2);
        let kept = &mut self.groups[group];
        if kept.len() == self.bound && kept.last().is_some_and(|last| last.0 <= p) {
            return;
        }
        let at = kept.partition_point(|e| (e.0, e.1, e.2) < (p, k1, k2));
        if kept.get(at) == Some(&(p, k1, k2)) {
            return;
        }
        let capacity = kept.capacity();
        kept.insert(at, (p, k1, k2));
        kept.truncate(self.bound);
        self.heap_bytes += (kept.capacity() - capacity) * std::mem::size_of::<Entry>();
    }

    fn offer_lists(&mut self, lists: &ListArray, group_of: impl Fn(usize) -> usize) -> Result<()> {
        each_pair::<UInt64Type, UInt64Type>(lists, |row, k1, k2| self.offer(group_of(row), k1, k2));
        Ok(())
    }
}

/// Calls `each(row, a, b)` for every entry of every non-null list of a state column whose
/// lists hold two-field structs: how partial states are read back.
pub(crate) fn each_pair<A: ArrowPrimitiveType, B: ArrowPrimitiveType>(
    lists: &ListArray,
    mut each: impl FnMut(usize, A::Native, B::Native),
) {
    let pairs = lists.values().as_struct();
    let (a, b) = (pairs.column(0).as_primitive::<A>(), pairs.column(1).as_primitive::<B>());
    let offsets = lists.value_offsets();
    for row in (0..lists.len()).filter(|&row| !lists.is_null(row)) {
        for i in offsets[row] as usize..offsets[row + 1] as usize {
            each(row, a.value(i), b.value(i));
        }
    }
}

/// The kept keys of `groups` as one list of `{k1, k2}` per group.
fn to_lists(groups: Vec<Vec<Entry>>) -> ArrayRef {
    key_list(groups.iter().map(|kept| kept.iter().map(|&(_, a, b)| (a, b))))
}

/// One list of `{k1, k2}` per group: what `bounded_keys` and the sequence aggregates return.
pub(crate) fn key_list<G, K>(groups: G) -> ArrayRef
where
    G: IntoIterator<Item = K>,
    K: IntoIterator<Item = (u64, u64)>,
{
    let mut offsets = vec![0i32];
    let (mut k1, mut k2) = (UInt64Builder::new(), UInt64Builder::new());
    for kept in groups {
        let mut n = 0;
        for (a, b) in kept {
            k1.append_value(a);
            k2.append_value(b);
            n += 1;
        }
        offsets.push(offsets.last().copied().unwrap_or(0) + n);
    }
    let keys = StructArray::new(key_fields(), vec![Arc::new(k1.finish()), Arc::new(k2.finish())], None);
    let field = Arc::new(Field::new_list_field(DataType::Struct(key_fields()), false));
    Arc::new(ListArray::new(field, OffsetBuffer::new(offsets.into()), Arc::new(keys), None))
}

fn keys_of(values: &[ArrayRef]) -> Result<(&UInt64Array, &UInt64Array)> {
    match values {
        [a, b, ..] => Ok((a.as_primitive::<UInt64Type>(), b.as_primitive::<UInt64Type>())),
        _ => exec_err!("{NAME} takes (k1, k2, bound, salt)"),
    }
}

impl GroupsAccumulator for Samples {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.groups.resize_with(total_num_groups, Vec::new);
        let (k1, k2) = keys_of(values)?;
        let (k1_values, k2_values) = (k1.values(), k2.values());
        let may_skip = k1.null_count() > 0 || k2.null_count() > 0 || opt_filter.is_some();
        // A device's pings are mostly stored together and in time order, so a row often repeats
        // the previous row's group and key (the same cell in the same hour); offering it again
        // would change nothing.
        let mut previous = None;
        for (row, &group) in group_indices.iter().enumerate() {
            if may_skip && (k1.is_null(row) || k2.is_null(row) || opt_filter.is_some_and(|f| !f.value(row))) {
                continue;
            }
            let current = (group, k1_values[row], k2_values[row]);
            if previous == Some(current) {
                continue;
            }
            previous = Some(current);
            self.offer(group, current.1, current.2);
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let emitted = emit_to.take_needed(&mut self.groups);
        self.recount_heap();
        Ok(to_lists(emitted))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(emit_to)?])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.groups.resize_with(total_num_groups, Vec::new);
        let Some(lists) = values.first().map(|v| v.as_list::<i32>()) else {
            return exec_err!("{NAME}: missing state");
        };
        self.offer_lists(lists, |row| group_indices[row])
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let (k1, k2) = keys_of(values)?;
        let groups = (0..k1.len())
            .map(|row| {
                let skip = k1.is_null(row) || k2.is_null(row) || opt_filter.is_some_and(|f| !f.value(row));
                if skip || self.bound == 0 {
                    vec![]
                } else {
                    vec![(priority(self.salt, k1.value(row), k2.value(row)), k1.value(row), k2.value(row))]
                }
            })
            .collect();
        Ok(vec![to_lists(groups)])
    }

    fn size(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Vec<Entry>>() + self.heap_bytes
    }
}

/// A groups accumulator whose group count can be set up front, so that it can stand as the
/// ungrouped accumulator.
pub(crate) trait Groups: GroupsAccumulator {
    fn ensure_groups(&mut self, groups: usize);
}

impl Groups for Samples {
    fn ensure_groups(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize_with(groups, Vec::new);
        }
    }
}

/// The ungrouped form DataFusion asks for when there is no GROUP BY: the groups accumulator
/// with one group.
pub(crate) struct OneGroup<G>(pub(crate) G);

impl<G> std::fmt::Debug for OneGroup<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("one-group accumulator")
    }
}

impl<G: Groups + Send + Sync> Accumulator for OneGroup<G> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &vec![0; rows], None, 1)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.0.ensure_groups(1);
        ScalarValue::try_from_array(&self.0.evaluate(EmitTo::All)?, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.0.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.ensure_groups(1);
        self.0.state(EmitTo::All)?.iter().map(|array| ScalarValue::try_from_array(array, 0)).collect()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = states.first().map_or(0, |v| v.len());
        self.0.merge_batch(states, &vec![0; rows], 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_bound_distinct_keys() {
        let mut s = Samples::new(3, 42);
        s.groups.resize_with(2, Vec::new);
        for k in [5, 5, 5, 1, 2, 3, 4, 2] {
            s.offer(0, k, 7);
        }
        s.offer(1, 9, 9);
        s.offer(1, 9, 9);
        assert_eq!(s.groups[0].len(), 3);
        assert_eq!(s.groups[1].len(), 1);
        let mut keys: Vec<u64> = s.groups[0].iter().map(|e| e.1).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 3, "distinct");
    }

    #[test]
    fn the_running_size_matches_a_recount() {
        let mut s = Samples::new(5, 3);
        s.groups.resize_with(100, Vec::new);
        for i in 0..10_000_u64 {
            s.offer((i * 7 % 100) as usize, i % 61, i % 5);
            if i % 1000 == 0 {
                let running = s.heap_bytes;
                s.recount_heap();
                assert_eq!(running, s.heap_bytes, "after {i} offers");
            }
        }
        let before = GroupsAccumulator::size(&s);
        s.evaluate(EmitTo::First(40)).unwrap();
        assert_eq!(s.groups.len(), 60);
        let running = s.heap_bytes;
        s.recount_heap();
        assert_eq!(running, s.heap_bytes);
        assert!(GroupsAccumulator::size(&s) < before);
    }

    #[test]
    fn merging_states_equals_one_pass() {
        let keys: Vec<(u64, u64)> = (0..50).map(|i| (i % 17, i % 3)).collect();
        let mut whole = Samples::new(4, 7);
        whole.groups.resize_with(1, Vec::new);
        keys.iter().for_each(|&(a, b)| whole.offer(0, a, b));
        let (mut left, mut right) = (Samples::new(4, 7), Samples::new(4, 7));
        left.groups.resize_with(1, Vec::new);
        right.groups.resize_with(1, Vec::new);
        keys[..20].iter().for_each(|&(a, b)| left.offer(0, a, b));
        keys[20..].iter().for_each(|&(a, b)| right.offer(0, a, b));
        let state = to_lists(std::mem::take(&mut right.groups));
        left.offer_lists(state.as_list::<i32>(), |_| 0).unwrap();
        assert_eq!(left.groups, whole.groups);
    }

    #[test]
    fn every_key_is_chosen_about_equally_often() {
        // 6 distinct keys, bound 2, many salts: each key should be kept 1/3 of the time.
        let trials = 30_000u64;
        let mut kept = [0u64; 6];
        for salt in 0..trials {
            let mut s = Samples::new(2, salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            s.groups.resize_with(1, Vec::new);
            for k in 0..6 {
                s.offer(0, 1000 + k, 3);
            }
            s.groups[0].iter().for_each(|e| kept[(e.1 - 1000) as usize] += 1);
        }
        for n in kept {
            let share = n as f64 / trials as f64;
            assert!((share - 1.0 / 3.0).abs() < 0.015, "{kept:?}");
        }
    }
}
