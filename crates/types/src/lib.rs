//! Vocabulary shared by every stage of crowdlens: pseudonyms, epochs, cells, time spans and the
//! one row shape the store accepts. No IO lives here.
//!
//! # Layout
//! - [`device`]: the canonical advertising id every pseudonym is derived from.
//! - [`pseudonym`]: epoch keys and the keyed device pseudonym (the privacy unit).
//! - [`epoch`]: the calendar-week epochs that budgets and keys are scoped to.
//! - [`span`]: human durations (`15m`, `1h`) used for buckets and floors.
//! - [`row`]: [`StoredPing`], the only record the store can receive.
//! - [`sensitive`]: the default sensitive-place categories.

pub mod category;
pub mod device;
pub mod epoch;
pub mod pseudonym;
pub mod row;
pub mod sensitive;
pub mod span;

pub use device::{DeviceId, NotADevice};
pub use epoch::Epoch;
pub use pseudonym::{EpochKey, Pseudonym};
pub use row::StoredPing;
pub use span::{parse_span, SpanError};
