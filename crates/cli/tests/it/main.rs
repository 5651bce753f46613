//! End-to-end tests of the `crowdlens` binary: one test binary, one module per area.

mod bad_input;
mod bidstream;
mod build;
mod cluster;
mod end_to_end;
mod evidence;
mod kill;
mod ledger;
mod neighbours;
mod privacy;
mod reports;
mod support;
mod synth_store;
mod tls;
mod ui;
