//! The agent kinds a scenario can name, their configurations, and how agents are built from them.
//!
//! The kinds themselves are listed once, in [`super::registry`]; [`Behaviour`] is generated from that
//! list. A scenario's `[[agents]]` group has a `kind` and an optional table of the same name holding
//! that kind's parameters (every parameter has a documented default):
//! ```toml
//! [[agents]]
//! name = "mm"
//! kind = "passive_mm"
//! count = 2
//! [agents.passive_mm]
//! spread_bps = 40
//! ```

use super::{for_each_agent_kind, AgentKind, AnyAgent};
use crate::ledger::AccountId;

pub use crate::market::Market;

/// The market as agents see it (the name this type had before it moved to [`crate::market`]).
pub type MarketSpec = Market;

/// What an agent is built from.
#[derive(Clone, Debug)]
pub struct AgentSetup {
    /// The agent's unique name (its RNG stream key): the group name, or `group#k` for k ≥ 1 of a
    /// group of several.
    pub name: String,
    /// The accounts it trades (one, one per member for a crowd, or a ring's accounts).
    pub accounts: Vec<AccountId>,
    /// The market.
    pub market: Market,
}

macro_rules! behaviour {
    ($(
        $(#[$doc:meta])*
        $kind:ident { name: $name:ident, config: $config:ident, agent: $agent:ident, crowd: $crowd:literal },
    )*) => {
        /// A configured behaviour: one variant per [`AgentKind`], holding the kind's parameters.
        ///
        /// Variants differ in size; a scenario holds a handful, so boxing would buy nothing.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum Behaviour {
            $(
                $(#[$doc])*
                $kind(crate::agents::$name::$config),
            )*
        }

        impl Behaviour {
            /// The behaviour's kind.
            pub fn kind(&self) -> AgentKind {
                match self {
                    $(Behaviour::$kind(_) => AgentKind::$kind,)*
                }
            }

            /// `kind` with its default parameters.
            pub fn default_of(kind: AgentKind) -> Behaviour {
                match kind {
                    $(AgentKind::$kind => Behaviour::$kind(Default::default()),)*
                }
            }

            /// Builds one agent.
            pub fn build(&self, setup: AgentSetup) -> AnyAgent {
                match self {
                    $(Behaviour::$kind(c) => AnyAgent::$kind(crate::agents::$name::$agent::new(c.clone(), setup)),)*
                }
            }

            /// Every problem with the configuration's parameters.
            pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
                match self {
                    $(Behaviour::$kind(c) => c.check(market),)*
                }
            }
        }
    };
}
for_each_agent_kind!(behaviour);

impl Behaviour {
    /// True when a group of this kind is one agent trading `count` member accounts (a crowd),
    /// rather than `count` agents with an account each.
    pub fn is_crowd(&self) -> bool {
        self.kind().is_crowd()
    }

    /// Accounts each agent of this behaviour trades: `count` for a crowd (one per member), the
    /// ring's `accounts` for a `wash_ring` (one owner, several accounts), else one.
    pub fn accounts_per_agent(&self, count: u32) -> u32 {
        match self {
            _ if self.is_crowd() => count,
            Behaviour::WashRing(c) => c.accounts.max(1),
            _ => 1,
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
