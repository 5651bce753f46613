//! User-facing utility helpers that mirror the search helpers available in the Python and R APIs.

pub mod search;
pub use search::*;
