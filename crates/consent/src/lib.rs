//! Consent signals carried in bid requests, decoded and judged.
//!
//! A bid request says what its user agreed to in up to three strings (a TCF v2 TC string, a
//! US Privacy string, a GPP string) and two flags (COPPA, limit-ad-tracking). [`policy::judge`]
//! turns them into one [`policy::Verdict`]: admit the record's precise location, drop it for a
//! named reason, or quarantine it because a string could not be read.
//!
//! # Layout
//! - [`tcf`]: TC strings (TCF v2.x core segment and its optional segments).
//! - [`usp`]: US Privacy (CCPA) strings such as `1YNN`.
//! - [`gpp`]: GPP v1 strings (`header~section~…`), with the EU TCF, US Privacy, US national and
//!   US state sections summarised for the policy, and every other section listed as not judged.
//! - [`us`]: the US national and state sections, read from a table of their layouts.
//! - [`policy`]: the rules of DESIGN.md § Consent, in one function.
//! - [`explain`]: what `crowdlens consent explain` prints.
//!
//! Every string is read by [`bits`] here, and checked against the IAB's own JavaScript libraries
//! twice: on random states their encoders make (`tests/official.rs`), and on the strings of
//! their own test suites (`tests/shared_vectors.rs`). Errors from here never quote the string
//! they failed on, so they are safe to write to a quarantine file.

mod bits;
pub mod explain;
pub mod gpp;
pub mod policy;
pub mod tcf;
pub mod us;
pub mod usp;

pub use policy::{judge, ConsentPolicy, DropReason, Signals, Verdict};

/// Why a consent string could not be read. `Display` is the quarantine detail; `code` the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub kind: &'static str,
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} string: {}", self.kind, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Longest consent string read. Real TC strings with thousands of vendors stay well under this;
/// anything longer is refused before it is decoded, which bounds the work per record.
pub const MAX_STRING_BYTES: usize = 16 * 1024;
