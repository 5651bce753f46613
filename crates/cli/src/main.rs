//! `crowdlens`: the command-line surface. Parses arguments (clap), draws progress (indicatif)
//! and prints; every decision is made in the library crates.

mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    if !cli.is_network_peer() {
        set_sigpipe(SigPipe::EndQuietly);
    }
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// What a write to a closed pipe or socket does to the process.
#[derive(Clone, Copy)]
pub(crate) enum SigPipe {
    /// The default action: the process ends quietly, as command-line tools do, so that
    /// `crowdlens ... | head` does not end in a panic on the closed pipe (Rust ignores SIGPIPE).
    EndQuietly,
    /// The write fails with `EPIPE` and the process goes on. Every process that talks to peers
    /// needs this: HTTP/2 writes a peer's closed connection with `writev`, which raises SIGPIPE,
    /// and a Ballista scheduler closes the connection it tests an executor with at once. With the
    /// default action that killed executors at random during registration, and would kill a
    /// server whose client hangs up, or a coordinator after a question's charge.
    Ignore,
}

pub(crate) fn set_sigpipe(action: SigPipe) {
    #[cfg(unix)]
    // SAFETY: SIG_DFL and SIG_IGN are always valid dispositions, and signal(2) changes the
    // process-wide disposition atomically, whatever threads exist.
    unsafe {
        libc::signal(
            libc::SIGPIPE,
            match action {
                SigPipe::EndQuietly => libc::SIG_DFL,
                SigPipe::Ignore => libc::SIG_IGN,
            },
        );
    }
}
