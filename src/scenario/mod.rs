//! Scenarios: a market and who trades in it, loaded from TOML and validated before anything runs.
//!
//! [`Scenario`] is the validated, typed form the engine runs: prices in ticks, cash in atoms, tokens
//! in lots, durations in nanoseconds. Loading and validation live in the submodules.

use rust_decimal::Decimal;

use crate::agents::{Behaviour, Market};
use crate::contracts::ContractSpec;
use crate::engine::Latency;
use crate::exchange::FeeSchedule;
use crate::types::{Cash, Qty};
use crate::units::Dur;

/// A validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name (used for the default output directory).
    pub name: String,
    /// What the scenario shows, for reports.
    pub description: String,
    /// Master seed; every random stream derives from it.
    pub seed: u64,
    /// Tick, lot, opening price and duration.
    pub market: Market,
    /// Exchange fees.
    pub fees: FeeSchedule,
    /// Interval between time-series samples.
    pub sample_every: Dur,
    /// The token's project treasury, if the scenario has one.
    pub project: Option<Holding>,
    /// Other named accounts (an intermediary, a lender, ...).
    pub accounts: Vec<Holding>,
    /// Agent groups, in file order.
    pub groups: Vec<Group>,
    /// Contracts between the project and market makers, in file order.
    pub contracts: Vec<ContractSpec>,
}

/// A named account's starting balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    /// Account name.
    pub name: String,
    /// Starting cash.
    pub cash: Cash,
    /// Starting tokens.
    pub tokens: Qty,
}

/// A starting balance per member: the same for all, or drawn from a distribution (in quote units or
/// tokens; rounded down to whole atoms or lots).
#[derive(Clone, Debug, PartialEq)]
pub enum Amount {
    /// Everyone gets this much.
    Fixed(Decimal),
    /// Log-normal with the given median and log-space standard deviation.
    LogNormal {
        /// Median amount.
        median: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Uniform between the bounds.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

/// A group of agents of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Unique group name (agents are named after it).
    pub name: String,
    /// Number of agents (or of crowd members).
    pub count: u32,
    /// Starting cash per member, in quote units.
    pub cash: Amount,
    /// Starting tokens per member.
    pub tokens: Amount,
    /// Order latency of each agent.
    pub latency: Latency,
    /// When set, the group trades this named account (e.g. `"project"`) instead of its own.
    pub trades_for: Option<String>,
    /// Behaviour and its parameters.
    pub behaviour: Behaviour,
    /// Behaviours `--counterfactual` may put in its place (the `alternatives` with their tables).
    pub alternatives: Vec<Behaviour>,
}

impl Scenario {
    /// A programmatic scenario with no accounts or groups: `tick`, `lot` and `open_price` in quote
    /// units and tokens (the price must be on the tick grid), no fees, one-minute samples.
    ///
    /// # Panics
    /// If `open_price` is not a positive multiple of `tick` (a programming error in tests and tools).
    pub fn new(name: &str, seed: u64, tick: Decimal, lot: Decimal, open_price: Decimal, duration: Dur) -> Self {
        let ticks = open_price / tick;
        assert!(ticks.fract().is_zero() && ticks > Decimal::ZERO, "open price on the tick grid");
        let open = crate::types::Price(rust_decimal::prelude::ToPrimitive::to_i64(&ticks).expect("price fits"));
        Scenario {
            name: name.to_string(),
            description: String::new(),
            seed,
            market: Market { tick, lot, open_price: open, duration: crate::types::SimTime(duration.nanos()) },
            fees: FeeSchedule::default(),
            sample_every: Dur(60_000_000_000),
            project: None,
            accounts: Vec::new(),
            groups: Vec::new(),
            contracts: Vec::new(),
        }
    }

    /// Adds a group whose members each start with `cash` quote units and `tokens` tokens.
    pub fn with_group(mut self, name: &str, count: u32, cash: Decimal, tokens: Decimal, behaviour: Behaviour) -> Self {
        self.groups.push(Group {
            name: name.to_string(),
            count,
            cash: Amount::Fixed(cash),
            tokens: Amount::Fixed(tokens),
            latency: Latency::fixed(1_000_000),
            trades_for: None,
            behaviour,
            alternatives: Vec::new(),
        });
        self
    }

    /// Adds a contract (its names must resolve: `mm` to a group, accounts to the project or named
    /// accounts, as [`load`] would have checked).
    pub fn with_contract(mut self, contract: ContractSpec) -> Self {
        self.contracts.push(contract);
        self
    }

    /// Adds the project's treasury.
    ///
    /// # Panics
    /// If the amounts are not whole cash atoms and lots.
    pub fn with_project(mut self, cash: Decimal, tokens: Decimal) -> Self {
        let atoms = cash / (self.market.tick * self.market.lot);
        let lots = tokens / self.market.lot;
        assert!(atoms.fract().is_zero() && lots.fract().is_zero(), "whole atoms and lots");
        use rust_decimal::prelude::ToPrimitive;
        self.project = Some(Holding {
            name: "project".to_string(),
            cash: Cash(atoms.to_i128().expect("fits")),
            tokens: Qty(lots.to_i64().expect("fits")),
        });
        self
    }
}

mod bounds;
mod budget;
mod check;
mod contract_guarantee;
mod contract_loan;
mod contract_protect;
mod contract_split;
mod contracts;
mod error;
mod groups;
pub mod limits;
mod load;
mod messages;
mod overrides;
pub mod raw;
mod source;
#[cfg(test)]
mod tests;
mod validate;

pub use error::{Problem, ScenarioError};
pub use limits::Limits;
pub use load::{load, load_str, load_str_with, load_with};
pub use overrides::Override;
pub use source::Position;

/// The scenario text with `overrides` applied, as TOML that loads to the same [`Scenario`]
/// (comments and layout are not kept; `[sweep]` is dropped unless `keep_sweep`).
///
/// # Errors
/// As [`load_str`] when the text or an override is invalid.
pub fn effective_toml(
    src: &str,
    file: &str,
    overrides: &[Override],
    keep_sweep: bool,
) -> Result<String, ScenarioError> {
    let invalid = |message: String| ScenarioError::Invalid {
        file: file.to_string(),
        problems: vec![Problem::new(file, None, message)],
    };
    let mut table: toml::Table = toml::from_str(src).map_err(|e| invalid(e.to_string()))?;
    for ov in overrides {
        overrides::apply(&mut table, ov).map_err(|m| invalid(format!("--set {ov}: {m}")))?;
    }
    if !keep_sweep {
        table.remove("sweep");
    }
    toml::to_string(&table).map_err(|e| invalid(format!("writing the effective scenario: {e}")))
}
