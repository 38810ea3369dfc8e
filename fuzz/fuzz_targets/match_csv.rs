//! The `mmsim match` CSV reader and replay: any bytes give a summary or an error, never a panic.
//!
//! Input: the first byte picks the tick and lot (from a small table, so grids are exercised), the
//! rest is the order file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmsim::replay::{replay, MatchConfig, Outputs};
use rust_decimal::Decimal;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, csv)) = data.split_first() else { return };
    let steps = [(1, 0), (5, 1), (1, 2), (25, 2), (1, 4), (1, 8)];
    let (t, l) = (steps[(pick & 7) as usize % steps.len()], steps[(pick >> 3) as usize % steps.len()]);
    let Ok(config) = MatchConfig::try_new(Decimal::new(t.0, t.1), Decimal::new(l.0, l.1)) else { return };
    let (mut trades, mut rejects, mut book) = (Vec::new(), Vec::new(), Vec::new());
    let outputs = Outputs { trades: &mut trades, rejects: &mut rejects, book: &mut book };
    let _ = replay(&config, csv, std::path::Path::new("fuzz.csv"), outputs);
});
