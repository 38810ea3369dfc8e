//! The `mmsim` command line: parses arguments, calls the library, prints errors.
//!
//! Errors are printed here as `error: …` with their causes, and the exit code is 1 for any error,
//! argument errors included (clap's own default would be 2). Returning the error from `main` would
//! append a backtrace when `RUST_BACKTRACE` is set.

use std::process::ExitCode;

use clap::Parser;
mod cli;

use cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version "fail" too, on stdout and with success.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
