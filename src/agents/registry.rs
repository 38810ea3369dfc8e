//! The one list of agent kinds, and [`AgentKind`], the closed enum naming them.
//!
//! `for_each_agent_kind!` is an X-macro: it hands the list below to another macro, which generates
//! one item from it. From this one list come [`AgentKind`], the
//! [`Behaviour`](super::Behaviour) enum with its defaults, checks and builders, the
//! [`AnyAgent`](super::AnyAgent) enum with its [`Agent`](super::Agent) dispatch, and the per-kind
//! parameter tables of a scenario's `[[agents]]` group
//! ([`RawGroup`](crate::scenario::raw::RawGroup)). Every `match` over them is generated, so adding a
//! kind cannot leave one behind.
//!
//! # Adding a kind
//! Each line of the list reads `Variant { name: kind_name, config: Config, agent: Agent, crowd: bool }`:
//! - `name` is the kind as scenarios write it, and also the name of its module under `src/agents/`
//!   and of its `[agents.<name>]` parameter table;
//! - `config` (in that module) holds the parameters: `Clone + Debug + Default + PartialEq +
//!   Deserialize`, with `fn check(&self, &Market) -> Vec<ParamIssue>` (an empty struct when there
//!   are none, like `idle`'s);
//! - `agent` (in that module) is `Clone + Debug +` [`Agent`](super::Agent), with
//!   `fn new(Config, AgentSetup) -> Self`;
//! - `crowd: true` makes a group of the kind one agent trading `count` member accounts.
//!
//! So a new kind is its module, its `pub mod` line in `agents/mod.rs`, and one line here. The order
//! of the lines is the order of [`AgentKind::ALL`] and of the kinds in error messages.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Hands the list of agent kinds to the macro `$m` (see the module doc for the line format).
macro_rules! for_each_agent_kind {
    ($m:ident) => {
        $m! {
            /// Quotes a ladder on both sides.
            PassiveMm { name: passive_mm, config: PassiveMmConfig, agent: PassiveMm, crowd: false },
            /// A crowd of retail traders.
            Retail { name: retail, config: RetailConfig, agent: RetailCrowd, crowd: true },
            /// Accumulation, consensus, rug pull.
            PumpDump { name: pump_dump, config: PumpDumpConfig, agent: PumpDump, crowd: false },
            /// Sells borrowed tokens into strength, buys back after the crash.
            LendAndDump { name: lend_and_dump, config: LendAndDumpConfig, agent: LendAndDump, crowd: false },
            /// Trades with itself to inflate volume.
            Wash { name: wash, config: WashConfig, agent: WashTrader, crowd: false },
            /// One owner trading among several of its own accounts (a wash ring).
            WashRing { name: wash_ring, config: WashRingConfig, agent: WashRing, crowd: false },
            /// Shows its KPI quotes only around the exchange's snapshots, or parks them at the band edge.
            KpiGamer { name: kpi_gamer, config: KpiGamerConfig, agent: KpiGamer, crowd: false },
            /// Places and cancels large orders to mislead.
            Spoofer { name: spoofer, config: SpooferConfig, agent: Spoofer, crowd: false },
            /// Borrows against its tokens to buy more, until liquidated.
            CollateralLoop { name: collateral_loop, config: CollateralLoopConfig, agent: CollateralLoop, crowd: false },
            /// Hedges the calls of its token loan by Black–Scholes delta and quotes around the price.
            DeltaHedge { name: delta_hedge, config: DeltaHedgeConfig, agent: DeltaHedge, crowd: false },
            /// Holds its wallet and never trades (no parameters).
            Idle { name: idle, config: IdleConfig, agent: Idle, crowd: false },
            /// Zero-intelligence order flow with Hawkes market orders (what `mmsim calibrate` fits).
            Flow { name: flow, config: FlowConfig, agent: FlowCrowd, crowd: true },
        }
    };
}
pub(crate) use for_each_agent_kind;

macro_rules! agent_kind {
    ($(
        $(#[$doc:meta])*
        $kind:ident { name: $name:ident, config: $config:ident, agent: $agent:ident, crowd: $crowd:literal },
    )*) => {
        /// An agent kind, as a scenario's `kind = "..."` names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum AgentKind {
            $(
                $(#[$doc])*
                $kind,
            )*
        }

        impl AgentKind {
            /// Every kind, in the order error messages list them.
            pub const ALL: [AgentKind; [$(stringify!($kind)),*].len()] = [$(AgentKind::$kind),*];

            /// The kind's name as scenarios write it (also the name of its parameter table).
            pub const fn name(self) -> &'static str {
                match self {
                    $(AgentKind::$kind => stringify!($name),)*
                }
            }

            /// True when a group of this kind is one agent trading `count` member accounts (a crowd),
            /// rather than `count` agents with an account each.
            pub const fn is_crowd(self) -> bool {
                match self {
                    $(AgentKind::$kind => $crowd,)*
                }
            }
        }
    };
}
for_each_agent_kind!(agent_kind);

/// A kind name that is not in [`AgentKind::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?}; the kinds are: {list}", list = AgentKind::ALL.map(AgentKind::name).join(", "))]
pub struct UnknownKind(pub String);

impl FromStr for AgentKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, UnknownKind> {
        AgentKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| UnknownKind(s.to_string()))
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for AgentKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for AgentKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_registry_order() {
        assert_eq!(AgentKind::ALL[..2], [AgentKind::PassiveMm, AgentKind::Retail]);
        assert_eq!((AgentKind::PassiveMm.name(), AgentKind::CollateralLoop.name()), ("passive_mm", "collateral_loop"));
        for kind in AgentKind::ALL {
            assert_eq!(kind.name().parse::<AgentKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.name());
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
        assert!(AgentKind::ALL.windows(2).all(|w| w[0] < w[1]), "Ord follows the registry");
    }

    #[test]
    fn an_unknown_name_lists_the_kinds_in_order() {
        let err = " retail".parse::<AgentKind>().unwrap_err().to_string();
        assert!(err.starts_with("unknown kind \" retail\"; the kinds are: passive_mm, retail, pump_dump, "), "{err}");
        assert!(err.ends_with(&AgentKind::ALL.map(AgentKind::name).join(", ")), "{err}");
    }

    #[test]
    fn only_retail_and_flow_are_crowds() {
        let crowds: Vec<_> = AgentKind::ALL.into_iter().filter(|k| k.is_crowd()).collect();
        assert_eq!(crowds, [AgentKind::Retail, AgentKind::Flow]);
    }
}
