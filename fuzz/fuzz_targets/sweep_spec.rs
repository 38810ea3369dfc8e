//! The `[sweep]` table parser (through `Plan::load_str`): any table gives a plan or located
//! problems, never a panic; a small plan's points are loaded too.
//!
//! Input: the text of a `[sweep]` table, appended to `scenarios/example_minimal.toml`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmsim::sweep::plan::{Plan, Shard};

const BASE: &str = include_str!("../../scenarios/example_minimal.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(table) = std::str::from_utf8(data) else { return };
    let src = format!("{BASE}\n{table}");
    if let Ok(plan) = Plan::load_str(&src, "fuzz.toml", &[]) {
        if plan.runs_total() <= 64 {
            let _ = plan.check_points();
            for (point, replicate) in plan.runs(Shard::ALL).into_iter().take(4) {
                let _ = plan.scenario(point, replicate);
            }
        }
    }
});
