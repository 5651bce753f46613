//! Questions that follow each device in time order, as aggregates grouped by device:
//!
//! - `zone_transitions(device, time_s, zone, origin, bound, salt)`: per device-day, the
//!   device's zones in time order with repeats collapsed; each consecutive pair is a transition
//!   (origin, dest). With a non-null `origin`, only transitions out of it.
//! - `dwell_visits(device, time_s, inside, max_gap_s, bound, salt)`: runs of consecutive pings
//!   inside the area with gaps under `max_gap_s`; each run is a visit `(dwell bin, visit number)`.
//!
//! Each returns at most `bound` of the device's distinct keys, chosen as `bounded_keys` chooses
//! (smallest `priority(salt, device, key)`, so each device keeps its own uniformly random
//! subset, independently of the others), as a list of `{k1, k2}`. `device` is the pseudonym
//! column; every row of a group must carry the same one (a plan grouped by it does).
//!
//! Why aggregates and not window functions over `ORDER BY device, time`: the window plan sorts
//! every row of the window globally, and at a week of a city that sort (with its spills) was
//! most of the question's time. Grouped by device, each device's pings are ordered on their own,
//! a few hundred at a time, in memory of that device only. The state a partial aggregate hands
//! on is the device's raw (time, value) pairs and its pseudonym, so a device split across
//! partitions or executors is read whole at the end. Registered UDAFs, not plan nodes, so the
//! plans still run on Ballista (each node registers them by name).
//!
//! Whatever the data, no device yields more than `bound` keys: the privacy guarantee rests on
//! that, as for `bounded_keys`.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Builder, ListArray, StructArray, UInt64Array, UInt64Builder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Int64Type, UInt64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use std::sync::Arc;

use crate::bounded::{claim_device, device_state_field, each_pair, keep_smallest, key_list, Groups, OneGroup};

pub const ZONE_TRANSITIONS: &str = "zone_transitions";
pub const DWELL_VISITS: &str = "dwell_visits";

/// How a device's ordered pings become keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Reading {
    /// Values are zones.
    Transitions,
    /// Values are 1 (inside the area) or 0.
    Visits,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SequenceUdaf {
    reading: Reading,
    signature: Signature,
}

pub fn zone_transitions() -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf {
        reading: Reading::Transitions,
        signature: Signature::exact(
            vec![
                DataType::UInt64,
                DataType::Int64,
                DataType::UInt64,
                DataType::UInt64,
                DataType::UInt64,
                DataType::UInt64,
            ],
            Volatility::Immutable,
        ),
    })
}

pub fn dwell_visits() -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf {
        reading: Reading::Visits,
        signature: Signature::exact(
            vec![
                DataType::UInt64,
                DataType::Int64,
                DataType::Boolean,
                DataType::Int64,
                DataType::UInt64,
                DataType::UInt64,
            ],
            Volatility::Immutable,
        ),
    })
}

/// Dwell bins, in seconds: <10 min, 10–30 min, 30–60 min, 1–4 h, ≥4 h.
pub(crate) const DWELL_EDGES_S: [i64; 4] = [600, 1800, 3600, 14_400];

fn dwell_bin(dwell_s: i64) -> u64 {
    DWELL_EDGES_S.iter().take_while(|&&edge| dwell_s >= edge).count() as u64
}

fn ping_fields() -> Fields {
    Fields::from(vec![Field::new("t", DataType::Int64, false), Field::new("v", DataType::UInt64, false)])
}

fn ping_list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Struct(ping_fields()), false)))
}

/// A literal argument: part of the question, not of the data. `None` for a null literal.
fn literal(args: &AccumulatorArgs, i: usize, what: &str) -> Result<Option<ScalarValue>> {
    match args.exprs.get(i).and_then(|e| e.as_ref().downcast_ref::<Literal>()) {
        Some(l) if l.value().is_null() => Ok(None),
        Some(l) => Ok(Some(l.value().clone())),
        None => exec_err!("{what} must be a literal"),
    }
}

impl SequenceUdaf {
    fn name_of(reading: Reading) -> &'static str {
        match reading {
            Reading::Transitions => ZONE_TRANSITIONS,
            Reading::Visits => DWELL_VISITS,
        }
    }

    fn sequences(&self, args: &AccumulatorArgs) -> Result<Sequences> {
        let name = Self::name_of(self.reading);
        let u64_at = |i: usize, what: &str| match literal(args, i, what)? {
            Some(ScalarValue::UInt64(Some(v))) => Ok(v),
            _ => exec_err!("{name}: {what} must be a UInt64 literal"),
        };
        let param = match (self.reading, literal(args, 3, "the fourth argument")?) {
            (Reading::Transitions, None) => None,
            (Reading::Transitions, Some(ScalarValue::UInt64(v))) => v.map(|o| o as i64),
            (Reading::Visits, Some(ScalarValue::Int64(Some(gap)))) if gap > 0 => Some(gap),
            _ => return exec_err!("{name}: the fourth argument is an origin zone (UInt64) or a gap (Int64 > 0)"),
        };
        Ok(Sequences {
            reading: self.reading,
            param,
            bound: u64_at(4, "bound")? as usize,
            salt: u64_at(5, "salt")?,
            groups: Vec::new(),
            devices: Vec::new(),
            heap_bytes: 0,
        })
    }
}

impl AggregateUDFImpl for SequenceUdaf {
    fn name(&self) -> &str {
        Self::name_of(self.reading)
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(crate::bounded::list_type())
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(OneGroup(self.sequences(&args)?)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(format!("{}[pings]", args.name), ping_list_type(), true)),
            device_state_field(args.name),
        ])
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(self.sequences(&args)?))
    }
}

/// Per group (device), its pings as (time, value), unordered until evaluated, and its pseudonym.
struct Sequences {
    reading: Reading,
    /// Transitions: the origin zone every counted transition leaves, if one was asked for.
    /// Visits: the gap, in seconds, that ends a visit.
    param: Option<i64>,
    bound: usize,
    salt: u64,
    groups: Vec<Vec<(i64, u64)>>,
    /// Per group, its device, once a row has shown it.
    devices: Vec<Option<u64>>,
    /// Bytes the groups' vectors hold, kept up to date: DataFusion asks after every batch.
    heap_bytes: usize,
}

const PING_BYTES: usize = std::mem::size_of::<(i64, u64)>();

impl Sequences {
    fn resize(&mut self, groups: usize) {
        self.groups.resize_with(groups, Vec::new);
        self.devices.resize(groups, None);
    }

    fn push(&mut self, group: usize, device: u64, ping: (i64, u64)) -> Result<()> {
        claim_device(&mut self.devices[group], device, SequenceUdaf::name_of(self.reading))?;
        let pings = &mut self.groups[group];
        let capacity = pings.capacity();
        pings.push(ping);
        self.heap_bytes += (pings.capacity() - capacity) * PING_BYTES;
        Ok(())
    }

    fn recount_heap(&mut self) {
        self.heap_bytes = self.groups.iter().map(|g| g.capacity() * PING_BYTES).sum();
    }

    /// The keys of `device`, whose pings these are: at most `bound` of them.
    fn keys(&self, pings: &mut [(i64, u64)], device: u64) -> Vec<(u64, u64)> {
        // Ties in time are broken by value, as `ORDER BY time_s, zone` (or `inside`) does.
        pings.sort_unstable();
        let mut keys = Vec::new();
        match self.reading {
            Reading::Transitions => {
                let origin = self.param.map(|o| o as u64);
                let mut day = None;
                let mut last: Option<u64> = None;
                for &(t, zone) in pings.iter() {
                    // Transitions stay within a UTC day: a device's day starts afresh.
                    if day != Some(t.div_euclid(86_400)) {
                        day = Some(t.div_euclid(86_400));
                        last = None;
                    }
                    match last {
                        Some(previous) if previous == zone => continue,
                        Some(previous) if origin.is_none_or(|o| o == previous) => keys.push((previous, zone)),
                        _ => {}
                    }
                    last = Some(zone);
                }
            }
            Reading::Visits => {
                let max_gap = self.param.unwrap_or(i64::MAX);
                let mut previous: Option<(i64, bool)> = None;
                let mut visit = 0u64;
                let mut current: Option<(i64, i64)> = None;
                for &(t, inside) in pings.iter() {
                    let inside = inside != 0;
                    let starts = inside
                        && match previous {
                            None => true,
                            Some((pt, pin)) => !pin || t - pt >= max_gap,
                        };
                    if starts {
                        if let Some((first, last)) = current.take() {
                            keys.push((dwell_bin(last - first), visit));
                        }
                        visit += 1;
                        current = Some((t, t));
                    } else if inside {
                        if let Some((_, last)) = current.as_mut() {
                            *last = t;
                        }
                    }
                    previous = Some((t, inside));
                }
                if let Some((first, last)) = current {
                    keys.push((dwell_bin(last - first), visit));
                }
            }
        }
        keep_smallest(keys, self.bound, self.salt, device)
    }

    /// Merges partial states: per row, a list of pings and the device they belong to.
    fn offer_states(
        &mut self,
        lists: &ListArray,
        devices: &UInt64Array,
        group_of: impl Fn(usize) -> usize,
    ) -> Result<()> {
        let name = SequenceUdaf::name_of(self.reading);
        for row in (0..devices.len()).filter(|&row| !devices.is_null(row)) {
            claim_device(&mut self.devices[group_of(row)], devices.value(row), name)?;
        }
        // A state's pings always come with its device; pings without one would be dropped.
        each_pair::<Int64Type, UInt64Type>(lists, |row, t, v| {
            if !devices.is_null(row) {
                let pings = &mut self.groups[group_of(row)];
                let capacity = pings.capacity();
                pings.push((t, v));
                self.heap_bytes += (pings.capacity() - capacity) * PING_BYTES;
            }
        });
        Ok(())
    }

    fn take(&mut self, emit_to: EmitTo) -> (Vec<Vec<(i64, u64)>>, Vec<Option<u64>>) {
        let taken = emit_to.take_needed(&mut self.groups);
        let devices = emit_to.take_needed(&mut self.devices);
        self.recount_heap();
        (taken, devices)
    }
}

/// A partial state: per group, its pings and its device.
fn to_state(groups: &[Vec<(i64, u64)>], devices: &[Option<u64>]) -> Vec<ArrayRef> {
    vec![to_ping_lists(groups), Arc::new(devices.iter().copied().collect::<UInt64Array>())]
}

fn to_ping_lists(groups: &[Vec<(i64, u64)>]) -> ArrayRef {
    let mut offsets = Vec::with_capacity(groups.len() + 1);
    offsets.push(0i32);
    let (mut t, mut v) = (Int64Builder::new(), UInt64Builder::new());
    for pings in groups {
        for &(a, b) in pings {
            t.append_value(a);
            v.append_value(b);
        }
        offsets.push(offsets.last().copied().unwrap_or(0) + pings.len() as i32);
    }
    let pings = StructArray::new(ping_fields(), vec![Arc::new(t.finish()), Arc::new(v.finish())], None);
    let field = Arc::new(Field::new_list_field(DataType::Struct(ping_fields()), false));
    Arc::new(ListArray::new(field, OffsetBuffer::new(offsets.into()), Arc::new(pings), None))
}

/// Calls `each(row, device, (time, value))` for every row of a batch that takes part: not
/// null, and not filtered out. The value is a zone, or 1/0 for inside/outside.
fn each_ping(
    values: &[ArrayRef],
    opt_filter: Option<&BooleanArray>,
    mut each: impl FnMut(usize, u64, (i64, u64)) -> Result<()>,
) -> Result<()> {
    let [d, t, v, ..] = values else { return exec_err!("a sequence aggregate takes (device, time_s, value, …)") };
    let (d, t) = (d.as_primitive::<UInt64Type>(), t.as_primitive::<Int64Type>());
    let takes_part = |row: usize| !d.is_null(row) && !t.is_null(row) && opt_filter.is_none_or(|f| f.value(row));
    match v.data_type() {
        DataType::Boolean => {
            let inside = v.as_boolean();
            for row in (0..t.len()).filter(|&row| takes_part(row) && !inside.is_null(row)) {
                each(row, d.value(row), (t.value(row), u64::from(inside.value(row))))?;
            }
        }
        _ => {
            let zone = v.as_primitive::<UInt64Type>();
            for row in (0..t.len()).filter(|&row| takes_part(row) && !zone.is_null(row)) {
                each(row, d.value(row), (t.value(row), zone.value(row)))?;
            }
        }
    }
    Ok(())
}

impl GroupsAccumulator for Sequences {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.resize(total_num_groups);
        each_ping(values, opt_filter, |row, device, ping| self.push(group_indices[row], device, ping))
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let (mut taken, devices) = self.take(emit_to);
        let keys: Vec<Vec<(u64, u64)>> = taken
            .iter_mut()
            .zip(devices)
            .map(|(pings, device)| device.map(|d| self.keys(pings, d)).unwrap_or_default())
            .collect();
        Ok(key_list(keys))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let (groups, devices) = self.take(emit_to);
        Ok(to_state(&groups, &devices))
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.resize(total_num_groups);
        let [lists, devices, ..] = values else {
            return exec_err!("sequence aggregate: missing state");
        };
        self.offer_states(lists.as_list::<i32>(), devices.as_primitive::<UInt64Type>(), |row| group_indices[row])
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values.first().map_or(0, |v| v.len());
        let mut groups: Vec<Vec<(i64, u64)>> = vec![Vec::new(); rows];
        let mut devices: Vec<Option<u64>> = vec![None; rows];
        each_ping(values, opt_filter, |row, device, ping| {
            groups[row].push(ping);
            devices[row] = Some(device);
            Ok(())
        })?;
        Ok(to_state(&groups, &devices))
    }

    fn size(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Vec<(i64, u64)>>()
            + self.devices.capacity() * std::mem::size_of::<Option<u64>>()
            + self.heap_bytes
    }
}

impl Groups for Sequences {
    fn ensure_groups(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.resize(groups);
        }
    }
}

#[cfg(test)]
mod tests;
