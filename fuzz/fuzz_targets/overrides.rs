//! `--set KEY=VALUE` overrides on a shipped scenario, then a short in-memory run of what validates.
//!
//! Input: lines of `KEY=VALUE` (bad lines are refused like the CLI refuses them). The base is
//! `scenarios/example_minimal.toml` cut to five minutes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load_str_with, Limits, Override};

const BASE: &str = include_str!("../../scenarios/example_minimal.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut overrides: Vec<Override> = Vec::new();
    for line in text.lines().take(16) {
        match line.parse::<Override>() {
            Ok(ov) => overrides.push(ov),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    let limits = Limits { max_memory: 256_000_000, max_events: 300_000 };
    overrides.insert(0, "market.duration=5m".parse().expect("valid"));
    if let Ok(scenario) = load_str_with(BASE, "base.toml", &overrides, &limits) {
        let _ = run(&scenario, &RunOptions::default());
    }
});
