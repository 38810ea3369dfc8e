//! Property: a scenario that passes `check` runs to its end without a panic.
//!
//! Each case takes a shipped scenario, cuts it to 30 simulated minutes, and sets one or two of its
//! numeric values to extremes (0, negative, tiny, huge, `i64::MAX`, `1e308`, off-grid decimals) or
//! to random numbers through `--set` overrides. Whatever validates is run in memory; the run may
//! return an error (a user error, exit 1) but must not panic. Failing cases are kept in
//! `tests/proptest-regressions/`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load_str_with, Limits, Override};
use proptest::prelude::*;

/// Shipped scenarios the cases start from (small ones, so a case stays fast).
const BASES: [(&str, &str); 6] = [
    ("example_minimal", include_str!("../../../scenarios/example_minimal.toml")),
    ("pump_and_dump", include_str!("../../../scenarios/pump_and_dump.toml")),
    ("spoofing", include_str!("../../../scenarios/spoofing.toml")),
    ("wash_volume", include_str!("../../../scenarios/wash_volume.toml")),
    ("honest_token_loan", include_str!("../../../scenarios/honest_token_loan.toml")),
    ("subscription_kpis", include_str!("../../../scenarios/subscription_kpis.toml")),
];

/// Keys worth pushing to extremes, by base (a key the base lacks is refused, which is fine).
const KEYS: [&str; 32] = [
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
    "contracts.loan.tokens",
    "contracts.loan.volatility",
    "contracts.loan.tenor",
    "contracts.loan.options.0.qty",
    "contracts.loan.options.0.strike",
    "contracts.retainer_good.fee_per_period",
    "contracts.retainer_good.kpis.min_depth_quote",
    "contracts.retainer_good.kpis.snapshot_every",
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
        "\"1e30%\"",
        "\"+1e20%\"",
        "\"-99%\"",
        "\"0.0001%\"",
    ])
    .prop_map(str::to_string);
    let random = prop_oneof![
        (0u32..40).prop_map(|e| format!("{}", 10f64.powi(e as i32))),
        any::<i64>().prop_map(|v| v.to_string()),
        (0.0f64..1e6).prop_map(|v| format!("{v}")),
    ];
    let plausible = prop_oneof![
        (1u32..5_000).prop_map(|v| v.to_string()),
        (1u32..10_000).prop_map(|v| format!("{:.2}", f64::from(v) / 100.0)),
    ];
    prop_oneof![2 => edges, 2 => plausible, 1 => random]
}

fn case() -> impl Strategy<Value = (usize, Vec<(usize, String)>)> {
    (0..BASES.len(), prop::collection::vec((0..KEYS.len(), value()), 1..3))
}

/// The keys of [`KEYS`] that name something `text` has (its groups, contracts, project).
fn keys_of(text: &str) -> Vec<&'static str> {
    KEYS.iter()
        .copied()
        .filter(|key| {
            let mut parts = key.split('.');
            match (parts.next(), parts.next()) {
                (Some("agents" | "contracts"), Some(name)) => text.contains(&format!("name = \"{name}\"")),
                (Some("project"), _) => text.contains("[project]"),
                _ => true,
            }
        })
        .collect()
}

/// Cases that validated and ran, to show the property is exercised.
static RAN: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn check_passing_means_run_never_panics((base, sets) in case()) {
        let (name, text) = BASES[base];
        let keys = keys_of(text);
        let mut overrides: Vec<Override> = vec![
            Override { key: "market.duration".into(), value: "\"30m\"".into() },
            Override { key: "market.sample_every".into(), value: "\"1m\"".into() },
        ];
        let sets: Vec<(&str, String)> = sets.iter().map(|(k, v)| (keys[*k % keys.len()], v.clone())).collect();
        overrides.extend(sets.iter().map(|(k, v)| Override { key: k.to_string(), value: v.clone() }));
        let limits = Limits { max_memory: 512_000_000, max_events: 2_000_000 };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match load_str_with(text, name, &overrides, &limits) {
                Ok(scenario) => {
                    RAN.fetch_add(1, Ordering::Relaxed);
                    run(&scenario, &RunOptions::default()).map(|_| ()).map_err(|e| format!("{e:#}"))
                }
                Err(e) => {
                    if std::env::var_os("MMSIM_PROPS_VERBOSE").is_some() {
                        eprintln!("refused: {}", e.to_string().lines().next().unwrap_or(""));
                    }
                    Err(e.to_string())
                }
            }
        }));
        prop_assert!(outcome.is_ok(), "{name} with {sets:?} panicked");
        if std::env::var_os("MMSIM_PROPS_VERBOSE").is_some() {
            eprintln!("ran {} so far", RAN.load(Ordering::Relaxed));
        }
    }
}

#[test]
fn the_property_runs_scenarios() {
    // Values the property draws include plain valid ones, so some cases validate and run.
    let text = BASES[0].1;
    let ov = |k: &str, v: &str| Override { key: k.into(), value: v.into() };
    let overrides = [ov("market.duration", "\"10m\""), ov("agents.retail.count", "1e6")];
    let limits = Limits { max_memory: 512_000_000, max_events: 2_000_000 };
    assert!(load_str_with(text, BASES[0].0, &overrides, &limits).is_err(), "a float count is refused");
    let overrides = [ov("market.duration", "\"10m\""), ov("agents.retail.count", "1")];
    let s = load_str_with(text, BASES[0].0, &overrides, &limits).expect("valid");
    assert!(run(&s, &RunOptions::default()).is_ok());
}
