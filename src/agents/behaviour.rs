//! The agent kinds a scenario can name, their configurations, and how agents are built from them.
//!
//! A scenario's `[[agents]]` group has a `kind` and an optional table of the same name holding that
//! kind's parameters (every parameter has a documented default):
//! ```toml
//! [[agents]]
//! name = "mm"
//! kind = "passive_mm"
//! count = 2
//! [agents.passive_mm]
//! spread_bps = 40
//! ```

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{collateral_loop, idle, lend_and_dump, passive_mm, pump_dump, retail, spoofer, wash, AnyAgent};
use crate::ledger::AccountId;
use crate::types::{Price, Qty, SimTime};

/// Market facts every agent needs to turn its parameters into ticks and lots.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketSpec {
    /// Quote units per tick.
    pub tick: Decimal,
    /// Tokens per lot.
    pub lot: Decimal,
    /// Opening reference price.
    pub open_price: Price,
    /// Length of the run.
    pub duration: SimTime,
}

impl MarketSpec {
    /// A price in quote units as (fractional) ticks.
    pub fn ticks_f64(&self, quote: f64) -> f64 {
        quote / self.tick.to_f64().unwrap_or(1.0)
    }
    /// A price in ticks as quote units.
    pub fn quote_f64(&self, price: Price) -> f64 {
        price.0 as f64 * self.tick.to_f64().unwrap_or(1.0)
    }
    /// The nearest valid price (≥ 1 tick) to a fractional tick count.
    pub fn round_price(&self, ticks: f64) -> Price {
        Price((ticks.round() as i64).max(1))
    }
    /// A token amount as whole lots (rounded down, ≥ 0).
    pub fn lots(&self, tokens: f64) -> Qty {
        let lot = self.lot.to_f64().unwrap_or(1.0);
        Qty(((tokens / lot).floor() as i64).max(0))
    }
    /// Whole lots as tokens.
    pub fn tokens_f64(&self, qty: Qty) -> f64 {
        qty.0 as f64 * self.lot.to_f64().unwrap_or(1.0)
    }
}

/// What an agent is built from.
#[derive(Clone, Debug)]
pub struct AgentSetup {
    /// The agent's unique name (its RNG stream key): the group name, or `group#k` for k ≥ 1 of a
    /// group of several.
    pub name: String,
    /// The accounts it trades (one, or one per member for a crowd).
    pub accounts: Vec<AccountId>,
    /// The market.
    pub market: MarketSpec,
}

/// A configured behaviour: one variant per agent kind.
///
/// Variants differ in size; a scenario holds a handful, so boxing would buy nothing.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Behaviour {
    /// `passive_mm`: quotes a ladder on both sides.
    PassiveMm(passive_mm::PassiveMmConfig),
    /// `retail`: a crowd of retail traders.
    Retail(retail::RetailConfig),
    /// `pump_dump`: accumulation, consensus, rug pull.
    PumpDump(pump_dump::PumpDumpConfig),
    /// `lend_and_dump`: sells borrowed tokens into strength, buys back after the crash.
    LendAndDump(lend_and_dump::LendAndDumpConfig),
    /// `wash`: trades with itself to inflate volume.
    Wash(wash::WashConfig),
    /// `spoofer`: places and cancels large orders to mislead.
    Spoofer(spoofer::SpooferConfig),
    /// `collateral_loop`: borrows against its tokens to buy more, until liquidated.
    CollateralLoop(collateral_loop::CollateralLoopConfig),
    /// `idle`: holds its wallet and never trades (no parameters).
    Idle,
}

/// The kinds a scenario may name, in the order error messages list them.
pub const KINDS: [&str; 8] =
    ["passive_mm", "retail", "pump_dump", "lend_and_dump", "wash", "spoofer", "collateral_loop", "idle"];

impl Behaviour {
    /// The kind's name as written in scenarios.
    pub fn kind(&self) -> &'static str {
        match self {
            Behaviour::PassiveMm(_) => "passive_mm",
            Behaviour::Retail(_) => "retail",
            Behaviour::PumpDump(_) => "pump_dump",
            Behaviour::LendAndDump(_) => "lend_and_dump",
            Behaviour::Wash(_) => "wash",
            Behaviour::Spoofer(_) => "spoofer",
            Behaviour::CollateralLoop(_) => "collateral_loop",
            Behaviour::Idle => "idle",
        }
    }

    /// The kind named `kind` with its default parameters.
    pub fn default_of(kind: &str) -> Option<Behaviour> {
        Some(match kind {
            "passive_mm" => Behaviour::PassiveMm(Default::default()),
            "retail" => Behaviour::Retail(Default::default()),
            "pump_dump" => Behaviour::PumpDump(Default::default()),
            "lend_and_dump" => Behaviour::LendAndDump(Default::default()),
            "wash" => Behaviour::Wash(Default::default()),
            "spoofer" => Behaviour::Spoofer(Default::default()),
            "collateral_loop" => Behaviour::CollateralLoop(Default::default()),
            "idle" => Behaviour::Idle,
            _ => return None,
        })
    }

    /// True when a group of this kind is one agent trading `count` member accounts (a crowd),
    /// rather than `count` agents with an account each.
    pub fn is_crowd(&self) -> bool {
        matches!(self, Behaviour::Retail(_))
    }

    /// Builds one agent.
    pub fn build(&self, setup: AgentSetup) -> AnyAgent {
        match self {
            Behaviour::PassiveMm(c) => AnyAgent::PassiveMm(passive_mm::PassiveMm::new(c.clone(), setup)),
            Behaviour::Retail(c) => AnyAgent::Retail(retail::RetailCrowd::new(c.clone(), setup)),
            Behaviour::PumpDump(c) => AnyAgent::PumpDump(pump_dump::PumpDump::new(c.clone(), setup)),
            Behaviour::LendAndDump(c) => AnyAgent::LendAndDump(lend_and_dump::LendAndDump::new(c.clone(), setup)),
            Behaviour::Wash(c) => AnyAgent::Wash(wash::WashTrader::new(c.clone(), setup)),
            Behaviour::Spoofer(c) => AnyAgent::Spoofer(spoofer::Spoofer::new(c.clone(), setup)),
            Behaviour::CollateralLoop(c) => {
                AnyAgent::CollateralLoop(collateral_loop::CollateralLoop::new(c.clone(), setup))
            }
            Behaviour::Idle => AnyAgent::Idle(idle::Idle),
        }
    }
}

/// A problem with one parameter of an agent configuration, found before the run starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamIssue {
    /// The parameter's key inside the kind's table (e.g. `"spread_bps"`).
    pub key: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ParamIssue {
    /// An issue with `key`.
    pub fn new(key: &'static str, message: impl Into<String>) -> Self {
        ParamIssue { key, message: message.into() }
    }
}

/// Checks a probability-like parameter lies in [0, 1].
pub fn check_unit(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    if !(0.0..=1.0).contains(&value) {
        issues.push(ParamIssue::new(key, format!("{value} is outside [0, 1]")));
    }
}

/// Checks a parameter is finite and > 0.
pub fn check_positive(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    if !(value.is_finite() && value > 0.0) {
        issues.push(ParamIssue::new(key, format!("{value} must be > 0")));
    }
}

/// Checks a parameter is finite and ≥ 0.
pub fn check_non_negative(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    if !(value.is_finite() && value >= 0.0) {
        issues.push(ParamIssue::new(key, format!("{value} must be ≥ 0")));
    }
}

impl Behaviour {
    /// Every problem with the configuration's parameters.
    pub fn check(&self, market: &MarketSpec) -> Vec<ParamIssue> {
        match self {
            Behaviour::PassiveMm(c) => c.check(market),
            Behaviour::Retail(c) => c.check(market),
            Behaviour::PumpDump(c) => c.check(market),
            Behaviour::LendAndDump(c) => c.check(market),
            Behaviour::Wash(c) => c.check(market),
            Behaviour::Spoofer(c) => c.check(market),
            Behaviour::CollateralLoop(c) => c.check(market),
            Behaviour::Idle => Vec::new(),
        }
    }
}
