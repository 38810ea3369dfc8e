//! The scenario file as written: serde structs mirroring the TOML, before validation.
//!
//! Every table denies unknown keys, so a misspelt key is an error that names the valid ones. Values
//! keep the units people write (decimal quote units, tokens, `"30d"`); validation turns them into
//! ticks, lots, cash atoms and nanoseconds and checks every rule below.
//!
//! # Schema
//! ```toml
//! [market]
//! name = "baseline_market"   # required; [A-Za-z0-9_-]+ (the default output directory name)
//! description = "..."        # optional, default ""
//! seed = 42                  # required, integer ≥ 0: every random stream derives from it
//! tick = "0.0001"            # required, > 0: quote units per tick (number or decimal string)
//! lot = "1"                  # required, > 0: tokens per lot
//! open_price = 0.05          # required, > 0 and a whole number of ticks
//! maker_fee_bps = 0          # default 0; in [-100, 100], at most 2 decimals; negative = rebate,
//!                            #   and then |maker_fee_bps| ≤ taker_fee_bps
//! taker_fee_bps = 10         # default 0; in [0, 100], at most 2 decimals
//! duration = "1d"            # required, > 0 ("250ms", "10s", "5m", "2h", "30d", "1w", or seconds)
//! sample_every = "1m"        # default "1m"; > 0 and ≤ duration
//! latency = "10ms"           # default order latency of every group, default "10ms"
//! latency_jitter = "0ms"     # default extra random latency in [0, jitter], default "0ms"
//!
//! [project]                  # optional: the token's project treasury
//! name = "project"           # default "project"
//! cash = 1500000             # quote units, ≥ 0, default 0; a whole number of cash atoms (tick × lot)
//! tokens = 6000000           # tokens, ≥ 0, default 0; a whole number of lots
//!
//! [[accounts]]               # optional, repeatable: other named accounts
//! name = "lender"            # required; same fields as [project]
//!
//! [[agents]]                 # repeatable: a group of agents of one kind
//! name = "retail"            # required; [A-Za-z0-9_-]+, unique among groups, accounts and the project
//! kind = "retail"            # required: passive_mm, retail, pump_dump, lend_and_dump, wash, spoofer,
//!                            #   collateral_loop, idle (a holder that never trades; its table is empty),
//!                            #   flow (the order-flow crowd `mmsim calibrate` fits)
//! count = 1000               # default 1; integer ≥ 1
//! cash = 1000                # per member, quote units, default 0: a number (whole cash atoms), or
//!                            #   { dist = "lognormal", median = 500, sigma = 1.0 } (median > 0, sigma ≥ 0)
//!                            #   { dist = "uniform", low = 100, high = 1000 }     (0 ≤ low ≤ high)
//! tokens = 0                 # per member, tokens, same forms as cash (a fixed number: whole lots)
//! latency = "50ms"           # default market.latency
//! latency_jitter = "5ms"     # default market.latency_jitter
//! trades_for = "project"     # optional: trade this named account (the project or an [[accounts]]
//!                            #   name) instead of the group's own; cash and tokens must then be 0
//! alternatives = ["passive_mm"]  # optional: kinds `--counterfactual <name>=KIND` may put in its
//!                            #   place, each with its own table below (checked like the kind's)
//! [agents.retail]            # optional, named exactly like the kind: the kind's parameters
//!
//! [[contracts]]              # optional, repeatable: see [`contracts`] for the schema
//! ```
//! Distributions are drawn per member and rounded down to whole atoms or lots.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::agents::{for_each_agent_kind, AgentKind, Behaviour};
use crate::units::{Dec, Dur};

pub mod contracts;
pub use contracts::{RawContract, RawKpis, RawOption, RawPrice, RawRatio};

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// `[market]`.
    pub market: RawMarket,
    /// `[project]`.
    pub project: Option<RawProject>,
    /// `[[accounts]]`.
    #[serde(default)]
    pub accounts: Vec<RawAccount>,
    /// `[[agents]]`.
    #[serde(default)]
    pub agents: Vec<RawGroup>,
    /// `[[contracts]]`.
    #[serde(default)]
    pub contracts: Vec<RawContract>,
    /// `[sweep]`: read by `mmsim sweep` (see `crate::sweep`); a single run ignores it.
    pub sweep: Option<toml::Table>,
    /// `[stress]`: read by `mmsim stress` (see `crate::stress`); a single run ignores it.
    pub stress: Option<toml::Table>,
}

/// `[market]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarket {
    /// Scenario name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Master seed.
    pub seed: u64,
    /// Quote units per tick.
    pub tick: Dec,
    /// Tokens per lot.
    pub lot: Dec,
    /// Opening price in quote units.
    pub open_price: Dec,
    /// Maker fee in basis points (negative: rebate).
    pub maker_fee_bps: Option<Dec>,
    /// Taker fee in basis points.
    pub taker_fee_bps: Option<Dec>,
    /// Length of the run.
    pub duration: Dur,
    /// Sampling interval.
    pub sample_every: Option<Dur>,
    /// Default order latency.
    pub latency: Option<Dur>,
    /// Default latency jitter.
    pub latency_jitter: Option<Dur>,
}

/// `[project]`: like an account, with a default name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    /// Account name, default `"project"`.
    pub name: Option<String>,
    /// Starting cash in quote units.
    pub cash: Option<Dec>,
    /// Starting tokens.
    pub tokens: Option<Dec>,
}

/// One `[[accounts]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    /// Account name.
    pub name: String,
    /// Starting cash in quote units.
    pub cash: Option<Dec>,
    /// Starting tokens.
    pub tokens: Option<Dec>,
}

macro_rules! raw_group {
    ($(
        $(#[$doc:meta])*
        $kind:ident { name: $name:ident, config: $config:ident, agent: $agent:ident, crowd: $crowd:literal },
    )*) => {
        /// One `[[agents]]` group, with one optional parameter table per kind (generated from the
        /// registry of kinds: serde's `flatten` would defeat `deny_unknown_fields`).
        #[derive(Clone, Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawGroup {
            /// Group name.
            pub name: String,
            /// Agent kind (parsed as an [`AgentKind`] in validation).
            pub kind: String,
            /// Number of agents or crowd members (signed so a negative count gets a clear message).
            pub count: Option<i64>,
            /// Starting cash per member.
            pub cash: Option<RawAmount>,
            /// Starting tokens per member.
            pub tokens: Option<RawAmount>,
            /// Order latency.
            pub latency: Option<Dur>,
            /// Latency jitter.
            pub latency_jitter: Option<Dur>,
            /// Named account the group trades instead of its own.
            pub trades_for: Option<String>,
            /// Other kinds `--counterfactual` may replace the group by, with their tables alongside.
            pub alternatives: Option<Vec<String>>,
            $(
                #[doc = concat!("`[agents.", stringify!($name), "]`.")]
                pub $name: Option<crate::agents::$name::$config>,
            )*
        }

        impl RawGroup {
            /// The kinds whose tables are present in this group, in [`AgentKind::ALL`] order.
            pub fn kind_tables(&self) -> Vec<AgentKind> {
                let mut kinds = Vec::new();
                $(
                    if self.$name.is_some() {
                        kinds.push(AgentKind::$kind);
                    }
                )*
                kinds
            }

            /// The behaviour of `kind` for this group: its table, or the kind's defaults.
            pub fn behaviour(&self, kind: AgentKind) -> Behaviour {
                match kind {
                    $(AgentKind::$kind => Behaviour::$kind(self.$name.clone().unwrap_or_default()),)*
                }
            }
        }
    };
}
for_each_agent_kind!(raw_group);

/// A per-member amount: a fixed number, or a distribution table.
#[derive(Clone, Debug, PartialEq)]
pub enum RawAmount {
    /// `cash = 1000`.
    Fixed(Dec),
    /// `cash = { dist = "lognormal", median = 500, sigma = 1.0 }`.
    Dist(RawDist),
}

/// A distribution table; which fields are required depends on `dist` (checked in validation).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    /// `"lognormal"` or `"uniform"`.
    pub dist: String,
    /// Log-normal median.
    pub median: Option<f64>,
    /// Log-normal sigma (standard deviation of the log).
    pub sigma: Option<f64>,
    /// Uniform lower bound.
    pub low: Option<f64>,
    /// Uniform upper bound.
    pub high: Option<f64>,
}

impl<'de> Deserialize<'de> for RawAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAmount;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a number, or a table like { dist = \"lognormal\", median = 500, sigma = 1.0 } \
                     or { dist = \"uniform\", low = 100, high = 1000 }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAmount, E> {
                Dec::deserialize(de::value::StrDeserializer::<E>::new(v)).map(RawAmount::Fixed)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAmount, E> {
                Dec::deserialize(de::value::I64Deserializer::<E>::new(v)).map(RawAmount::Fixed)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAmount, E> {
                Dec::deserialize(de::value::U64Deserializer::<E>::new(v)).map(RawAmount::Fixed)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawAmount, E> {
                Dec::deserialize(de::value::F64Deserializer::<E>::new(v)).map(RawAmount::Fixed)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawAmount, A::Error> {
                RawDist::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawAmount::Dist)
            }
        }
        d.deserialize_any(V)
    }
}
