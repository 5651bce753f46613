//! Questions that follow each device in time order, as aggregates grouped by device:
//!
//! - `zone_transitions(time_s, zone, origin, bound, salt)`: per device-day, the device's zones
//!   in time order with repeats collapsed; each consecutive pair is a transition (origin, dest).
//!   With a non-null `origin`, only transitions out of it.
//! - `dwell_visits(time_s, inside, max_gap_s, bound, salt)`: runs of consecutive pings inside
//!   the area with gaps under `max_gap_s`; each run is a visit `(dwell bin, visit number)`.
//!
//! Each returns at most `bound` of the device's distinct keys, chosen as `bounded_keys` chooses
//! (smallest salted priority), as a list of `{k1, k2}`.
//!
//! Why aggregates and not window functions over `ORDER BY device, time`: the window plan sorts
//! every row of the window globally, and at a week of a city that sort (with its spills) was
//! most of the question's time. Grouped by device, each device's pings are ordered on their own,
//! a few hundred at a time, in memory of that device only. The state a partial aggregate hands
//! on is the device's raw (time, value) pairs, so a device split across partitions or executors
//! is read whole at the end. Registered UDAFs, not plan nodes, so the plans still run on
//! Ballista (each node registers them by name).
//!
//! Whatever the data, no device yields more than `bound` keys: the privacy guarantee rests on
//! that, as for `bounded_keys`.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Builder, ListArray, StructArray, UInt64Builder,
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

use crate::bounded::{each_pair, keep_smallest, key_list, Groups, OneGroup};

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
            vec![DataType::Int64, DataType::UInt64, DataType::UInt64, DataType::UInt64, DataType::UInt64],
            Volatility::Immutable,
        ),
    })
}

pub fn dwell_visits() -> AggregateUDF {
    AggregateUDF::from(SequenceUdaf {
        reading: Reading::Visits,
        signature: Signature::exact(
            vec![DataType::Int64, DataType::Boolean, DataType::Int64, DataType::UInt64, DataType::UInt64],
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
        let param = match (self.reading, literal(args, 2, "the third argument")?) {
            (Reading::Transitions, None) => None,
            (Reading::Transitions, Some(ScalarValue::UInt64(v))) => v.map(|o| o as i64),
            (Reading::Visits, Some(ScalarValue::Int64(Some(gap)))) if gap > 0 => Some(gap),
            _ => return exec_err!("{name}: the third argument is an origin zone (UInt64) or a gap (Int64 > 0)"),
        };
        Ok(Sequences {
            reading: self.reading,
            param,
            bound: u64_at(3, "bound")? as usize,
            salt: u64_at(4, "salt")?,
            groups: Vec::new(),
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
        Ok(vec![Arc::new(Field::new(format!("{}[pings]", args.name), ping_list_type(), true))])
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(self.sequences(&args)?))
    }
}

/// Per group (device), its pings as (time, value), unordered until evaluated.
struct Sequences {
    reading: Reading,
    /// Transitions: the origin zone every counted transition leaves, if one was asked for.
    /// Visits: the gap, in seconds, that ends a visit.
    param: Option<i64>,
    bound: usize,
    salt: u64,
    groups: Vec<Vec<(i64, u64)>>,
    /// Bytes the groups' vectors hold, kept up to date: DataFusion asks after every batch.
    heap_bytes: usize,
}

const PING_BYTES: usize = std::mem::size_of::<(i64, u64)>();

impl Sequences {
    fn push(&mut self, group: usize, ping: (i64, u64)) {
        let pings = &mut self.groups[group];
        let capacity = pings.capacity();
        pings.push(ping);
        self.heap_bytes += (pings.capacity() - capacity) * PING_BYTES;
    }

    fn recount_heap(&mut self) {
        self.heap_bytes = self.groups.iter().map(|g| g.capacity() * PING_BYTES).sum();
    }

    /// The device's keys, at most `bound` of them.
    fn keys(&self, pings: &mut [(i64, u64)]) -> Vec<(u64, u64)> {
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
        keep_smallest(keys, self.bound, self.salt)
    }

    fn offer_lists(&mut self, lists: &ListArray, group_of: impl Fn(usize) -> usize) {
        each_pair::<Int64Type, UInt64Type>(lists, |row, t, v| self.push(group_of(row), (t, v)));
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<Vec<(i64, u64)>> {
        let taken = emit_to.take_needed(&mut self.groups);
        self.recount_heap();
        taken
    }
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

/// Calls `each(row, (time, value))` for every row of a batch that takes part: not null, and
/// not filtered out. The value is a zone, or 1/0 for inside/outside.
fn each_ping(
    values: &[ArrayRef],
    opt_filter: Option<&BooleanArray>,
    mut each: impl FnMut(usize, (i64, u64)),
) -> Result<()> {
    let [t, v, ..] = values else { return exec_err!("a sequence aggregate takes (time_s, value, …)") };
    let t = t.as_primitive::<Int64Type>();
    let takes_part = |row: usize| !t.is_null(row) && opt_filter.is_none_or(|f| f.value(row));
    match v.data_type() {
        DataType::Boolean => {
            let inside = v.as_boolean();
            for row in (0..t.len()).filter(|&row| takes_part(row) && !inside.is_null(row)) {
                each(row, (t.value(row), u64::from(inside.value(row))));
            }
        }
        _ => {
            let zone = v.as_primitive::<UInt64Type>();
            for row in (0..t.len()).filter(|&row| takes_part(row) && !zone.is_null(row)) {
                each(row, (t.value(row), zone.value(row)));
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
        self.groups.resize_with(total_num_groups, Vec::new);
        each_ping(values, opt_filter, |row, ping| self.push(group_indices[row], ping))
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut taken = self.take(emit_to);
        let keys: Vec<Vec<(u64, u64)>> = taken.iter_mut().map(|pings| self.keys(pings)).collect();
        Ok(key_list(keys))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![to_ping_lists(&self.take(emit_to))])
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.groups.resize_with(total_num_groups, Vec::new);
        let Some(lists) = values.first().map(|v| v.as_list::<i32>()) else {
            return exec_err!("sequence aggregate: missing state");
        };
        self.offer_lists(lists, |row| group_indices[row]);
        Ok(())
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        let rows = values.first().map_or(0, |v| v.len());
        let mut groups: Vec<Vec<(i64, u64)>> = vec![Vec::new(); rows];
        each_ping(values, opt_filter, |row, ping| groups[row].push(ping))?;
        Ok(vec![to_ping_lists(&groups)])
    }

    fn size(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Vec<(i64, u64)>>() + self.heap_bytes
    }
}

impl Groups for Sequences {
    fn ensure_groups(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize_with(groups, Vec::new);
        }
    }
}

#[cfg(test)]
mod tests;
