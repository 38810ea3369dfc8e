//! Replays recorded market-data files and prints the replay summary as JSON.
//!
//! ```text
//! cargo run --release --example feed_check -- [--tick 0.01] [--lot 0.0001] [--warmup-s 60] [--strict] FILE...
//! ```
//! Files are merged in local-time order; the formats are detected (see `mmsim::feed`). The summary
//! (events read and skipped per kind, gaps, top-of-book agreement) goes to stdout, the time taken and
//! the event rate to stderr.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use mmsim::feed::{replay_files, ReplayOptions};
use rust_decimal::Decimal;

fn main() -> ExitCode {
    let mut options = ReplayOptions::default();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut decimal = |name: &str| {
            let value = args.next().unwrap_or_default();
            Decimal::from_str(&value).map_err(|_| format!("{name} needs a decimal, got {value:?}"))
        };
        let parsed = match arg.as_str() {
            "--tick" => decimal("--tick").map(|d| options.read.tick_size = Some(d)),
            "--lot" => decimal("--lot").map(|d| options.read.lot_size = Some(d)),
            "--warmup-s" => decimal("--warmup-s").and_then(|d| {
                let ns = (d * Decimal::from(1_000_000_000u64)).trunc();
                options.warmup_ns = u64::try_from(ns).map_err(|_| format!("--warmup-s {d} is out of range"))?;
                Ok(())
            }),
            "--strict" => {
                options.read.strict = true;
                Ok(())
            }
            "-h" | "--help" => {
                eprintln!("usage: feed_check [--tick T] [--lot L] [--warmup-s S] [--strict] FILE...");
                return ExitCode::SUCCESS;
            }
            _ => {
                paths.push(arg);
                Ok(())
            }
        };
        if let Err(message) = parsed {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    }
    let start = Instant::now();
    match replay_files(&paths, &options) {
        Ok(summary) => {
            let secs = start.elapsed().as_secs_f64();
            match serde_json::to_string_pretty(&summary) {
                Ok(json) => println!("{json}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
            eprintln!(
                "{} events, {} lines in {:.3} s ({:.2} M events/s, {:.0} k lines/s)",
                summary.events,
                summary.stats.lines,
                secs,
                summary.events as f64 / secs / 1e6,
                summary.stats.lines as f64 / secs / 1e3
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
