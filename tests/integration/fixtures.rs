//! Shared builders and assertions for the integration tests: one market, time in readable units,
//! the conservation assertion.

use mmsim::engine::simulation::Simulation;
use mmsim::scenario::Scenario;
use mmsim::units::Dur;
use rust_decimal::dec;

/// One minute in nanoseconds.
pub const MIN: u64 = 60_000_000_000;
/// One hour in nanoseconds.
pub const HOUR: u64 = 60 * MIN;

/// A market with no agents yet: tick 0.0001, lot 1 token, open 0.05, `hours` long, no fees.
pub fn market(name: &str, seed: u64, hours: u64) -> Scenario {
    Scenario::new(name, seed, dec!(0.0001), dec!(1), dec!(0.05), Dur::hours(hours))
}

/// Asserts that no cash or token was created or destroyed in the run.
#[track_caller]
pub fn assert_conserved(sim: &Simulation) {
    let c = sim.exchange().ledger().conservation();
    assert!(c.ok(), "conservation broken: {c:?}");
}
