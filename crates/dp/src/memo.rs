//! Calibrations and conversions remembered for the process: they are pure functions of their
//! arguments, and OpenDP computes them on bignums (a Gaussian calibration is a hundred zCDP
//! conversions, each a search), so pricing the same shape of question again, as a server, a
//! demo or an audit does, would otherwise cost a second each time.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{LazyLock, Mutex};

/// Entries kept per table before it is emptied: a bound on memory, never on correctness.
const MAX_ENTRIES: usize = 4096;

pub(crate) struct Memo<K, V> {
    table: LazyLock<Mutex<HashMap<K, V>>>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) const fn new() -> Memo<K, V> {
        Memo { table: LazyLock::new(|| Mutex::new(HashMap::new())) }
    }

    /// `compute(key)`'s value, computed at most once per key while it stays in the table. Errors
    /// are not kept. The lock is not held while computing, so a computation may itself use
    /// other memos (or this one) without waiting on itself.
    pub(crate) fn get_or<E>(&self, key: K, compute: impl FnOnce() -> Result<V, E>) -> Result<V, E>
    where
        K: Clone,
    {
        if let Some(v) = self.lock().get(&key) {
            return Ok(v.clone());
        }
        let value = compute()?;
        let mut table = self.lock();
        if table.len() >= MAX_ENTRIES {
            table.clear();
        }
        table.insert(key, value.clone());
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, V>> {
        // A panic elsewhere while the table was held leaves it valid: entries are inserted whole.
        self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An f64 as a key: its bits, so that equal arguments (and only they) share an entry.
pub(crate) fn bits(x: f64) -> u64 {
    x.to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn computes_once_per_key_and_never_keeps_errors() {
        static MEMO: Memo<u64, u64> = Memo::new();
        let calls = Cell::new(0);
        let square = |k: u64| {
            MEMO.get_or(k, || {
                calls.set(calls.get() + 1);
                if k == 0 { Err("zero") } else { Ok(k * k) }
            })
        };
        assert_eq!(square(3), Ok(9));
        assert_eq!(square(3), Ok(9));
        assert_eq!(calls.get(), 1);
        assert_eq!(square(0), Err("zero"));
        assert_eq!(square(0), Err("zero"));
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn a_computation_may_use_the_memo_it_fills() {
        static MEMO: Memo<u64, u64> = Memo::new();
        fn fib(n: u64) -> Result<u64, ()> {
            MEMO.get_or(n, || if n < 2 { Ok(n) } else { Ok(fib(n - 1)? + fib(n - 2)?) })
        }
        assert_eq!(fib(60), Ok(1548008755920));
    }
}
