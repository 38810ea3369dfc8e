//! Property: a scenario that passes `check` runs to its end without a panic.
//!
//! Each case takes a shipped scenario, cuts it to a few simulated minutes, and sets a handful of its
//! numeric values to extremes (0, negative, tiny, huge, `i64::MAX`, `1e308`, off-grid decimals) or
//! to random numbers through `--set` overrides. Whatever validates is run in memory; the run may
//! return an error (a user error, exit 1) but must not panic. Failing cases are kept in
//! `tests/proptest-regressions/`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load_str_with, Limits, Override};
use proptest::prelude::*;

/// Shipped scenarios the cases start from (small ones, so a case stays fast).
const BASES: [(&str, &str); 4] = [
    ("example_minimal", include_str!("../../../scenarios/example_minimal.toml")),
    ("pump_and_dump", include_str!("../../../scenarios/pump_and_dump.toml")),
    ("spoofing", include_str!("../../../scenarios/spoofing.toml")),
    ("wash_volume", include_str!("../../../scenarios/wash_volume.toml")),
];

/// Keys worth pushing to extremes, by base (a key the base lacks is refused, which is fine).
const KEYS: [&str; 24] = [
    "project.cash",
    "project.tokens",
    "market.open_price",
    "market.tick",
    "market.lot",
    "market.latency_jitter",
    "market.taker_fee_bps",
    "agents.retail.count",
    "agents.retail.cash",
    "agents.retail.tokens",
    "agents.retail.cash.sigma",
    "agents.retail.tokens.median",
    "agents.retail.retail.limit_offset_bps",
    "agents.retail.retail.arrival_rate_per_hour",
    "agents.retail.retail.excitation_max",
    "agents.mm.passive_mm.spread_bps",
    "agents.mm.passive_mm.max_inventory",
    "agents.mm.passive_mm.level_size",
    "agents.mm.passive_mm.levels",
    "agents.whale.cash",
    "agents.whale.pump_dump.consensus_lift_bps",
    "agents.whale.pump_dump.pump_target_multiple",
    "agents.spoofer.spoofer.spoof_orders",
    "agents.washer.wash.max_clip_tokens",
];

/// Values at the edges of the engine's types, plus random ones.
fn value() -> impl Strategy<Value = String> {
    let edges = prop::sample::select(vec![
        "0",
        "-1",
        "1",
        "0.0001",
        "1e-12",
        "1.5",
        "1e6",
        "1e12",
        "1e15",
        "1e19",
        "1e30",
        "1e308",
        "9223372036854775807",
        "4294967295",
        "\"7922816251426433759354395\"",
        "\"0.00000000001\"",
        "\"1h\"",
        "\"1ns\"",
        "{ dist = \"lognormal\", median = 1e9, sigma = 3 }",
        "{ dist = \"uniform\", low = 0, high = 1e15 }",
    ])
    .prop_map(str::to_string);
    let random = prop_oneof![
        (0u32..40).prop_map(|e| format!("{}", 10f64.powi(e as i32))),
        any::<i64>().prop_map(|v| v.to_string()),
        (0.0f64..1e6).prop_map(|v| format!("{v}")),
    ];
    prop_oneof![3 => edges, 1 => random]
}

fn case() -> impl Strategy<Value = (usize, Vec<(usize, String)>)> {
    (0..BASES.len(), prop::collection::vec((0..KEYS.len(), value()), 1..4))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn check_passing_means_run_never_panics((base, sets) in case()) {
        let (name, text) = BASES[base];
        let mut overrides: Vec<Override> = vec![
            Override { key: "market.duration".into(), value: "\"10m\"".into() },
            Override { key: "market.sample_every".into(), value: "\"1m\"".into() },
        ];
        overrides.extend(sets.iter().map(|(k, v)| Override { key: KEYS[*k].to_string(), value: v.clone() }));
        let limits = Limits { max_memory: 512_000_000, max_events: 2_000_000 };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match load_str_with(text, name, &overrides, &limits) {
                Ok(scenario) => run(&scenario, &RunOptions::default()).map(|_| ()).map_err(|e| format!("{e:#}")),
                Err(e) => Err(e.to_string()),
            }
        }));
        prop_assert!(outcome.is_ok(), "{name} with {sets:?} panicked");
    }
}
