//! Shared helpers for the unit tests (compiled only for tests): a small market, time in readable
//! units, and the conservation assertion every simulation test ends with.

use crate::engine::simulation::Simulation;
use crate::ledger::Ledger;
use crate::market::Market;
use crate::types::{Price, SimTime};

/// One minute in nanoseconds.
pub(crate) const MIN: u64 = 60_000_000_000;
/// One hour in nanoseconds.
pub(crate) const HOUR: u64 = 60 * MIN;

/// A small market: tick 0.0001, lot 1 token, open 0.05 (500 ticks), one day.
pub(crate) fn market() -> Market {
    Market {
        tick: rust_decimal::dec!(0.0001),
        lot: rust_decimal::dec!(1),
        open_price: Price(500),
        duration: SimTime::from_secs(86_400),
    }
}

/// Asserts that no cash or token was created or destroyed in `ledger`.
#[track_caller]
pub(crate) fn assert_conserved(ledger: &Ledger) {
    let c = ledger.conservation();
    assert!(c.ok(), "conservation broken: {c:?}");
}

/// Asserts conservation over a simulation's ledger.
#[track_caller]
pub(crate) fn assert_sim_conserved(sim: &Simulation) {
    assert_conserved(sim.exchange().ledger());
}
