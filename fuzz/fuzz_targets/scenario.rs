//! Scenario loader and validation, then a short in-memory run of whatever validates.
//!
//! Input: a scenario file's bytes. The file is checked as written (every error is fine, a panic is
//! not); then it is loaded again with the duration cut to five minutes (so a run stays short) under
//! small resource limits, and when that validates it runs to the end in memory. "check passes ⇒
//! run never panics" is the property.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load_str, load_str_with, Limits, Override};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = load_str(text, "fuzz.toml", &[]);
    let short: Vec<Override> =
        ["market.duration=5m", "market.sample_every=1m"].iter().map(|s| s.parse().expect("valid")).collect();
    let limits = Limits { max_memory: 256_000_000, max_events: 300_000 };
    if let Ok(scenario) = load_str_with(text, "fuzz.toml", &short, &limits) {
        let _ = run(&scenario, &RunOptions::default());
    }
});
