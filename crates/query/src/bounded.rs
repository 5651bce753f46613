//! `bounded_keys(device, k1, k2, bound, salt)`: contribution bounding as an aggregate. Grouped
//! by device, it keeps at most `bound` distinct `(k1, k2)` keys of that device: the ones with
//! the smallest `priority(salt, device, key)`, a 64-bit hash of the question's salt, the
//! device's pseudonym and the key.
//!
//! The pseudonym is what makes the choice per device. With the salt alone every device would
//! rank the keys in the same order, so every device over its bound would drop the same keys
//! and the bias of bounding would fall on those keys alone. With it, for a fresh random salt
//! per question, each device keeps a uniformly random subset of `min(bound, n)` of its `n`
//! distinct keys, chosen independently of every other device (as far as a well-mixed 64-bit
//! hash is independent): the distribution of
//! `ROW_NUMBER() OVER (PARTITION BY device ORDER BY random()) <= bound` over the distinct rows.
//! A key held by devices with `n₁, n₂, …` keys is then kept by `Σ min(1, bound/nᵢ)` of them
//! on average, with a binomial-scale spread around that, whatever the salt; the bias (keys a
//! device drops) is spread evenly over its keys. It does so without sorting or de-duplicating
//! every (device, key) row first: each device's state is at most `bound` keys, so memory
//! follows the number of devices, not the number of rows.
//!
//! `device` is a column (the pseudonym); every row of one group must carry the same value,
//! which a plan grouped by the pseudonym guarantees, and a group that holds two fails the
//! question. Rows whose device or key is null take no part. The partial state handed from one
//! aggregation stage to the next is the kept keys and the group's device, so a device split
//! across partitions or executors makes the same choice as in one pass.
//!
//! It is a registered UDAF, not a custom plan node, so plans that use it still run on Ballista
//! (where the UDAF is registered by name on each executor).
//!
//! Whatever the salt, no device yields more than `bound` keys: the privacy guarantee rests on
//! that, not on the randomness, which only keeps the choice unbiased. Which keys a device keeps
//! depends on nothing but that device's own pseudonym and keys (and the salt), so adding or
//! removing one device changes at most its own `bound` contributions.

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
            vec![DataType::UInt64, DataType::UInt64, DataType::UInt64, DataType::UInt64, DataType::UInt64],
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

/// The state field that carries a group's device from one aggregation stage to the next.
pub(crate) fn device_state_field(aggregate: &str) -> FieldRef {
    Arc::new(Field::new(format!("{aggregate}[device]"), DataType::UInt64, true))
}

/// `bound` and `salt` must be literals: they are part of the question, not of the data.
fn literal_u64(args: &AccumulatorArgs, i: usize, what: &str) -> Result<u64> {
    match args.exprs.get(i).and_then(|e| e.as_ref().downcast_ref::<Literal>()).map(|l| l.value().clone()) {
        Some(ScalarValue::UInt64(Some(v))) => Ok(v),
        _ => exec_err!("{NAME}: {what} must be a UInt64 literal"),
    }
}

impl BoundedKeys {
    fn samples(args: &AccumulatorArgs) -> Result<Samples> {
        let bound = literal_u64(args, 3, "bound")? as usize;
        let salt = literal_u64(args, 4, "salt")?;
        Ok(Samples::new(bound, salt))
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
        Ok(Box::new(OneGroup(Self::samples(&args)?)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[keys]", args.name), list_type(), true)), device_state_field(args.name)])
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Self::samples(&args)?))
    }
}

/// The at most `bound` distinct keys of smallest priority for `device`: the keys a device
/// keeps when all of them are known at once, the same choice [`Samples`] makes one key at a
/// time.
pub(crate) fn keep_smallest(keys: Vec<(u64, u64)>, bound: usize, salt: u64, device: u64) -> Vec<(u64, u64)> {
    let seed = device_seed(salt, device);
    let mut ranked: Vec<Entry> = keys.into_iter().map(|(a, b)| (key_priority(seed, a, b), a, b)).collect();
    ranked.sort_unstable();
    ranked.dedup();
    ranked.truncate(bound);
    ranked.into_iter().map(|(_, a, b)| (a, b)).collect()
}

/// The splitmix64 finaliser: a bijection of 64-bit words in which every input bit changes
/// about half of the output bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One device's seed for one question: the salt and the pseudonym mixed, so that two devices
/// rank keys in unrelated orders. Computed once per device, not once per key.
fn device_seed(salt: u64, device: u64) -> u64 {
    mix(salt ^ mix(device ^ 0xD1B5_4A32_D192_ED03))
}

/// Mixes a device's seed and a key into a well-spread 64-bit priority.
fn key_priority(seed: u64, k1: u64, k2: u64) -> u64 {
    mix(seed ^ k1.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ k2.rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9))
}

/// The priority of `(k1, k2)` for `device` in the question salted with `salt`: each device
/// keeps its keys of smallest priority.
#[cfg(test)]
fn priority(salt: u64, device: u64, k1: u64, k2: u64) -> u64 {
    key_priority(device_seed(salt, device), k1, k2)
}

/// Fixes a group's device at the first row (or state) that shows it: every later one of the
/// group must carry the same device. The error names no pseudonym.
pub(crate) fn claim_device(slot: &mut Option<u64>, device: u64, aggregate: &str) -> Result<()> {
    match *slot {
        Some(d) if d == device => Ok(()),
        None => {
            *slot = Some(device);
            Ok(())
        }
        Some(_) => exec_err!("{aggregate}: one group holds rows of two devices; group by the device"),
    }
}

/// Per group, the `bound` distinct keys of smallest priority, sorted by priority.
struct Samples {
    bound: usize,
    salt: u64,
    groups: Vec<Vec<Entry>>,
    /// Per group, its device and that device's seed, once a row has shown it.
    devices: Vec<Option<(u64, u64)>>,
    /// Bytes the groups' vectors hold, kept up to date because DataFusion asks for the size
    /// after every batch and walking every group each time is quadratic.
    heap_bytes: usize,
}

/// (priority, k1, k2)
type Entry = (u64, u64, u64);

impl Samples {
    fn new(bound: usize, salt: u64) -> Samples {
        Samples { bound, salt, groups: Vec::new(), devices: Vec::new(), heap_bytes: 0 }
    }

    fn resize(&mut self, groups: usize) {
        self.groups.resize_with(groups, Vec::new);
        self.devices.resize(groups, None);
    }

    fn recount_heap(&mut self) {
        self.heap_bytes = self.groups.iter().map(|g| g.capacity() * std::mem::size_of::<Entry>()).sum();
    }

    /// The seed of `group`'s device, which must be `device`.
    fn seed(&mut self, group: usize, device: u64) -> Result<u64> {
        match self.devices[group] {
            Some((d, seed)) if d == device => Ok(seed),
            Some(_) => exec_err!("{NAME}: one group holds rows of two devices; group by the device"),
            None => {
                let seed = device_seed(self.salt, device);
                self.devices[group] = Some((device, seed));
                Ok(seed)
            }
        }
    }

    fn offer(&mut self, group: usize, seed: u64, k1: u64, k2: u64) {
        let p = key_priority(seed, k1, k2);
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

    /// Merges partial states: per row, a list of kept keys and the device they belong to.
    fn offer_states(
        &mut self,
        lists: &ListArray,
        devices: &UInt64Array,
        group_of: impl Fn(usize) -> usize,
    ) -> Result<()> {
        let mut seeds = Vec::with_capacity(devices.len());
        for row in 0..devices.len() {
            seeds.push(if devices.is_null(row) { None } else { Some(self.seed(group_of(row), devices.value(row))?) });
        }
        // A state's keys always come with its device; a list without one would be dropped.
        each_pair::<UInt64Type, UInt64Type>(lists, |row, k1, k2| {
            if let Some(seed) = seeds[row] {
                self.offer(group_of(row), seed, k1, k2)
            }
        });
        Ok(())
    }

    /// The state of the groups `emit_to` takes: their kept keys and their devices.
    fn take_state(&mut self, emit_to: EmitTo) -> Vec<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        let devices = emit_to.take_needed(&mut self.devices);
        self.recount_heap();
        vec![
            to_lists(groups),
            Arc::new(devices.into_iter().map(|d| d.map(|(device, _)| device)).collect::<UInt64Array>()),
        ]
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

/// The device column and the two key columns of a batch.
fn columns_of(values: &[ArrayRef]) -> Result<(&UInt64Array, &UInt64Array, &UInt64Array)> {
    match values {
        [d, a, b, ..] => {
            Ok((d.as_primitive::<UInt64Type>(), a.as_primitive::<UInt64Type>(), b.as_primitive::<UInt64Type>()))
        }
        _ => exec_err!("{NAME} takes (device, k1, k2, bound, salt)"),
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
        self.resize(total_num_groups);
        let (device, k1, k2) = columns_of(values)?;
        let (device_values, k1_values, k2_values) = (device.values(), k1.values(), k2.values());
        let may_skip = device.null_count() > 0 || k1.null_count() > 0 || k2.null_count() > 0 || opt_filter.is_some();
        // A device's pings are mostly stored together and in time order, so a row often repeats
        // the previous row's group and key (the same cell in the same hour); offering it again
        // would change nothing.
        let mut previous = None;
        // The last group seen and its device's seed: rows of one group mostly come together.
        let mut seeded: Option<(usize, u64, u64)> = None;
        for (row, &group) in group_indices.iter().enumerate() {
            if may_skip
                && (device.is_null(row)
                    || k1.is_null(row)
                    || k2.is_null(row)
                    || opt_filter.is_some_and(|f| !f.value(row)))
            {
                continue;
            }
            let current = (group, device_values[row], k1_values[row], k2_values[row]);
            if previous == Some(current) {
                continue;
            }
            previous = Some(current);
            let seed = match seeded {
                Some((g, d, seed)) if g == group && d == current.1 => seed,
                _ => {
                    let seed = self.seed(group, current.1)?;
                    seeded = Some((group, current.1, seed));
                    seed
                }
            };
            self.offer(group, seed, current.2, current.3);
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let emitted = emit_to.take_needed(&mut self.groups);
        emit_to.take_needed(&mut self.devices);
        self.recount_heap();
        Ok(to_lists(emitted))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(self.take_state(emit_to))
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.resize(total_num_groups);
        let [lists, devices, ..] = values else {
            return exec_err!("{NAME}: missing state");
        };
        self.offer_states(lists.as_list::<i32>(), devices.as_primitive::<UInt64Type>(), |row| group_indices[row])
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let (device, k1, k2) = columns_of(values)?;
        let mut devices = UInt64Builder::with_capacity(device.len());
        let groups = (0..k1.len())
            .map(|row| {
                let skip = device.is_null(row)
                    || k1.is_null(row)
                    || k2.is_null(row)
                    || opt_filter.is_some_and(|f| !f.value(row));
                if skip {
                    devices.append_null();
                    return vec![];
                }
                devices.append_value(device.value(row));
                if self.bound == 0 {
                    vec![]
                } else {
                    let seed = device_seed(self.salt, device.value(row));
                    vec![(key_priority(seed, k1.value(row), k2.value(row)), k1.value(row), k2.value(row))]
                }
            })
            .collect();
        Ok(vec![to_lists(groups), Arc::new(devices.finish())])
    }

    fn size(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Vec<Entry>>()
            + self.devices.capacity() * std::mem::size_of::<Option<(u64, u64)>>()
            + self.heap_bytes
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
            self.resize(groups);
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
    use proptest::prelude::*;

    const DEVICE: u64 = 0x5eed_0000_0000_0001;

    /// `Samples` with `groups` groups whose device is `device(group)`: the seeds, per group.
    fn samples(bound: usize, salt: u64, groups: usize, device: impl Fn(usize) -> u64) -> (Samples, Vec<u64>) {
        let mut s = Samples::new(bound, salt);
        s.resize(groups);
        let seeds = (0..groups).map(|g| s.seed(g, device(g)).unwrap()).collect();
        (s, seeds)
    }

    /// A well-spread stand-in for the pseudonym of device `i`.
    fn pseudonym(i: u64) -> u64 {
        mix(i ^ 0x1234_5678_9ABC_DEF0)
    }

    #[test]
    fn keeps_at_most_bound_distinct_keys() {
        let (mut s, seeds) = samples(3, 42, 2, |g| DEVICE + g as u64);
        for k in [5, 5, 5, 1, 2, 3, 4, 2] {
            s.offer(0, seeds[0], k, 7);
        }
        s.offer(1, seeds[1], 9, 9);
        s.offer(1, seeds[1], 9, 9);
        assert_eq!(s.groups[0].len(), 3);
        assert_eq!(s.groups[1].len(), 1);
        let mut keys: Vec<u64> = s.groups[0].iter().map(|e| e.1).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 3, "distinct");
    }

    #[test]
    fn a_group_of_two_devices_is_refused() {
        let (mut s, _) = samples(3, 42, 1, |_| DEVICE);
        assert!(s.seed(0, DEVICE).is_ok());
        let err = s.seed(0, DEVICE + 1).unwrap_err().to_string();
        assert!(err.contains("two devices") && !err.contains(&DEVICE.to_string()), "{err}");
    }

    #[test]
    fn the_running_size_matches_a_recount() {
        let (mut s, seeds) = samples(5, 3, 100, |g| pseudonym(g as u64));
        for i in 0..10_000_u64 {
            let g = (i * 7 % 100) as usize;
            s.offer(g, seeds[g], i % 61, i % 5);
            if i % 1000 == 0 {
                let running = s.heap_bytes;
                s.recount_heap();
                assert_eq!(running, s.heap_bytes, "after {i} offers");
            }
        }
        let before = GroupsAccumulator::size(&s);
        s.evaluate(EmitTo::First(40)).unwrap();
        assert_eq!(s.groups.len(), 60);
        assert_eq!(s.devices.len(), 60);
        let running = s.heap_bytes;
        s.recount_heap();
        assert_eq!(running, s.heap_bytes);
        assert!(GroupsAccumulator::size(&s) < before);
    }

    /// Feeds `keys` of one device to a fresh group, `split` of them in one partial state and
    /// the rest in another, merges the two states into a third accumulator and returns its keys.
    fn merged(keys: &[(u64, u64)], split: usize, bound: usize, salt: u64, device: u64) -> Vec<(u64, u64)> {
        let part = |keys: &[(u64, u64)]| {
            let (mut s, seeds) = samples(bound, salt, 1, |_| device);
            keys.iter().for_each(|&(a, b)| s.offer(0, seeds[0], a, b));
            s.take_state(EmitTo::All)
        };
        let mut whole = Samples::new(bound, salt);
        whole.resize(1);
        for state in [part(&keys[..split]), part(&keys[split..])] {
            whole.merge_batch(&state, &[0], 1).unwrap();
        }
        whole.groups[0].iter().map(|&(_, a, b)| (a, b)).collect()
    }

    #[test]
    fn merging_states_equals_one_pass() {
        let keys: Vec<(u64, u64)> = (0..50).map(|i| (i % 17, i % 3)).collect();
        let (mut whole, seeds) = samples(4, 7, 1, |_| DEVICE);
        keys.iter().for_each(|&(a, b)| whole.offer(0, seeds[0], a, b));
        let one_pass: Vec<(u64, u64)> = whole.groups[0].iter().map(|&(_, a, b)| (a, b)).collect();
        assert_eq!(merged(&keys, 20, 4, 7, DEVICE), one_pass);
        assert_eq!(keep_smallest(keys, 4, 7, DEVICE), one_pass);
    }

    proptest! {
        /// One key at a time, split across partial states or all at once: the same keys, never
        /// more than `bound`, all distinct.
        #[test]
        fn every_way_of_feeding_a_device_keeps_the_same_keys(
            keys in proptest::collection::vec((0u64..12, 0u64..3), 0..80),
            split in 0usize..80,
            bound in 0usize..8,
            salt in any::<u64>(),
            device in any::<u64>(),
        ) {
            let split = split.min(keys.len());
            let all_at_once = keep_smallest(keys.clone(), bound, salt, device);
            let (mut s, seeds) = samples(bound, salt, 1, |_| device);
            keys.iter().for_each(|&(a, b)| s.offer(0, seeds[0], a, b));
            let one_at_a_time: Vec<(u64, u64)> = s.groups[0].iter().map(|&(_, a, b)| (a, b)).collect();
            prop_assert_eq!(&one_at_a_time, &all_at_once);
            prop_assert_eq!(&merged(&keys, split, bound, salt, device), &all_at_once);
            let mut distinct = keys.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(all_at_once.len(), distinct.len().min(bound));
        }
    }

    #[test]
    fn every_key_is_chosen_about_equally_often() {
        // 6 distinct keys, bound 2, many salts: each key should be kept 1/3 of the time.
        let trials = 30_000u64;
        let mut kept = [0u64; 6];
        for salt in 0..trials {
            let keys = (0..6).map(|k| (1000 + k, 3)).collect();
            for (k, _) in keep_smallest(keys, 2, salt.wrapping_mul(0x9E37_79B9_7F4A_7C15), DEVICE) {
                kept[(k - 1000) as usize] += 1;
            }
        }
        for n in kept {
            let share = n as f64 / trials as f64;
            assert!((share - 1.0 / 3.0).abs() < 0.015, "{kept:?}");
        }
    }

    #[test]
    fn devices_choose_independently_of_each_other() {
        // One salt, 30,000 devices with the same 6 keys, bound 2: each key is kept by a third
        // of them, and two devices keep the same pair as often as two independent uniform
        // choices do (1 in 15). With the salt alone, every device would keep one pair.
        let devices = 30_000u64;
        let salt = 0xC0FF_EE00_1234_5678;
        let keys: Vec<(u64, u64)> = (0..6).map(|k| (1000 + k, 3)).collect();
        let pairs: Vec<Vec<(u64, u64)>> = (0..devices)
            .map(|d| {
                let mut pair = keep_smallest(keys.clone(), 2, salt, pseudonym(d));
                pair.sort_unstable();
                pair
            })
            .collect();
        let mut kept = [0u64; 6];
        pairs.iter().flatten().for_each(|&(k, _)| kept[(k - 1000) as usize] += 1);
        for n in kept {
            assert!((n as f64 / devices as f64 - 1.0 / 3.0).abs() < 0.015, "{kept:?}");
        }
        let same = pairs.windows(2).filter(|w| w[0] == w[1]).count() as f64 / (devices - 1) as f64;
        assert!((same - 1.0 / 15.0).abs() < 0.01, "{same}");
        assert!(priority(salt, 1, 1000, 3) != priority(salt, 2, 1000, 3));
    }

    /// Per key, how many of `devices` devices keep it, through the registered UDAF in a
    /// DataFusion plan grouped by device (several partitions, so partial states merge). Every
    /// device holds keys `(k, 0)` for `k` in `0..keys`, two rows each. `shared_device` passes
    /// one constant instead of each device's pseudonym: the salt-only order of old.
    fn kept_per_key(devices: u64, keys: u64, bound: u64, salt: u64, shared_device: bool) -> Vec<i64> {
        use datafusion::arrow::datatypes::Schema;
        use datafusion::arrow::record_batch::RecordBatch;
        use datafusion::functions::core::expr_fn::get_field;
        use datafusion::functions_aggregate::expr_fn::count;
        use datafusion::prelude::*;
        let schema = Arc::new(Schema::new(vec![
            Field::new("pseudonym", DataType::UInt64, false),
            Field::new("k1", DataType::UInt64, false),
            Field::new("k2", DataType::UInt64, false),
        ]));
        // Rows in an order that scatters each device over batches and partitions.
        let mut rows: Vec<(u64, u64)> =
            (0..devices).flat_map(|d| (0..keys).flat_map(move |k| [(d, k), (d, k)])).collect();
        rows.sort_by_key(|&(d, k)| mix(d * 1_000_003 + k));
        let batches: Vec<RecordBatch> = rows
            .chunks(4096)
            .map(|chunk| {
                let p: UInt64Array = chunk.iter().map(|&(d, _)| pseudonym(d)).collect();
                let k1: UInt64Array = chunk.iter().map(|&(_, k)| k).collect();
                let k2 = UInt64Array::from(vec![0u64; chunk.len()]);
                RecordBatch::try_new(schema.clone(), vec![Arc::new(p), Arc::new(k1), Arc::new(k2)]).unwrap()
            })
            .collect();
        let partitions: Vec<Vec<RecordBatch>> = batches.chunks(batches.len().div_ceil(4)).map(<[_]>::to_vec).collect();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
            let table = datafusion::datasource::MemTable::try_new(schema.clone(), partitions).unwrap();
            let device = if shared_device { lit(7u64) } else { col("pseudonym") };
            let call = udaf().call(vec![device, col("k1"), col("k2"), lit(bound), lit(salt)]);
            let counted = ctx
                .read_table(Arc::new(table))
                .unwrap()
                .aggregate(vec![col("pseudonym")], vec![call.alias("keys")])
                .unwrap()
                .unnest_columns(&["keys"])
                .unwrap()
                .select(vec![get_field(col("keys"), "k1").alias("k1")])
                .unwrap()
                .aggregate(vec![col("k1")], vec![count(lit(1)).alias("n")])
                .unwrap();
            let mut out = vec![0i64; keys as usize];
            for b in counted.collect().await.unwrap() {
                let (k, n) = (
                    b.column(0).as_primitive::<UInt64Type>(),
                    b.column(1).as_primitive::<datafusion::arrow::datatypes::Int64Type>(),
                );
                (0..b.num_rows()).for_each(|i| out[k.value(i) as usize] = n.value(i));
            }
            out
        })
    }

    /// The largest distance of a per-key total from its expectation, in binomial standard
    /// deviations, and the totals' variance over the binomial variance, over several salts.
    fn spread(devices: u64, keys: u64, bound: u64, shared_device: bool) -> (f64, f64, Vec<Vec<i64>>) {
        let p = bound as f64 / keys as f64;
        let (mean, var) = (devices as f64 * p, devices as f64 * p * (1.0 - p));
        let totals: Vec<Vec<i64>> =
            (1..=6u64).map(|s| kept_per_key(devices, keys, bound, mix(s ^ 0xABCD), shared_device)).collect();
        let deviations: Vec<f64> = totals.iter().flatten().map(|&n| n as f64 - mean).collect();
        let worst = deviations.iter().fold(0.0f64, |m, d| m.max(d.abs())) / var.sqrt();
        let ratio = deviations.iter().map(|d| d * d).sum::<f64>() / deviations.len() as f64 / var;
        (worst, ratio, totals)
    }

    #[test]
    fn the_bias_of_bounding_is_spread_over_every_key() {
        // 2,000 devices, each with the same 10 keys, bound 2: each key's total is a sum of
        // 2,000 independent choices, so 400 ± 17.9 (binomial), whatever the salt.
        let (devices, keys, bound) = (2_000, 10, 2);
        let (worst, ratio, totals) = spread(devices, keys, bound, false);
        for t in &totals {
            assert_eq!(t.iter().sum::<i64>(), (devices * bound) as i64, "every device keeps exactly {bound}");
        }
        assert!(worst < 4.5, "a key's total is {worst:.1} sd from 400: {totals:?}");
        assert!((0.5..1.6).contains(&ratio), "variance {ratio:.2} × binomial: {totals:?}");
        // The same check fails when every device ranks keys in the same order: then the two
        // keys of smallest priority get all 2,000 devices and the other eight none.
        let (worst, _, totals) = spread(devices, keys, bound, true);
        assert!(worst > 20.0, "{totals:?}");
        assert!(totals.iter().all(|t| t.iter().filter(|&&n| n == devices as i64).count() == bound as usize));
    }
}
