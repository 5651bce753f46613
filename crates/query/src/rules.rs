//! Changing a store's rules: the ledger checks each rule's range; this adds the checks that
//! need the store's own layout (a floor cannot be finer than what the store holds).

use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;

use crate::{Asker, QueryError};

pub use crate::release::rules_of_config;

/// Parses `text` as rule `name`'s value, checks it against the store and the other rules, and
/// records it in the ledger with an audit entry naming the old value, the new one and `reason`.
pub fn change_rule(
    store: &Store,
    ledger: &mut Ledger,
    who: &Asker,
    name: &str,
    text: &str,
    reason: &str,
) -> Result<i64, QueryError> {
    let value = Rules::parse_value(name, text)?;
    let stored = &store.config().resolution;
    let bad = |why: String| Err(QueryError::Control(crowdlens_control::ControlError::BadRule(why)));
    match name {
        "h3_finest_question" if value.as_f64().is_some_and(|r| r > f64::from(stored.h3_store)) => {
            return bad(format!(
                "h3_finest_question = {text}: finer than the resolution the store keeps ({})",
                stored.h3_store
            ));
        }
        "time_finest_bucket_seconds"
            if value.as_f64().is_some_and(|s| s.fract() == 0.0 && (s as i64) % stored.time_store_seconds != 0) =>
        {
            return bad(format!(
                "time_finest_bucket_seconds = {text}: must be a multiple of the store's time resolution ({} s)",
                stored.time_store_seconds
            ));
        }
        _ => {}
    }
    Ok(ledger.set_rule(&who.requester(), name, &value, reason)?)
}
