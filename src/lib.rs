//! mmsim: a market-maker simulation and backtesting engine.
//!
//! An event-driven limit-order-book simulator for a crypto token listed on a centralized exchange:
//! market makers under token-loan and subscription contracts, manipulators and a retail crowd.
//! Data flows one way: [`scenario`] (TOML or built in code, validated) → [`build`] (accounts,
//! agents, contracts) → [`engine`] (the clock; agents ⇄ [`exchange`] with its [`book`] and
//! [`ledger`]; [`contracts`] acting through commands) → [`metrics`] (samples, summary) →
//! [`report`] (CSV, JSON, charts, HTML). [`run`] does all of it for one scenario, [`sweep`] for
//! many, [`counterfactual`] for a pair, [`stress`] for a deal stress test (best responses of the MM).
//!
//! Money is exact everywhere: the book works in integer ticks and lots, the ledger in integer cash
//! atoms. Runs are deterministic: one seed gives byte-identical output.
//!
//! # Example: a scenario built in code
//! ```
//! use mmsim::agents::{passive_mm::PassiveMmConfig, retail::RetailConfig, Behaviour};
//! use mmsim::run::{run, RunOptions};
//! use mmsim::scenario::Scenario;
//! use mmsim::units::Dur;
//! use rust_decimal::dec;
//!
//! // A token at $0.05 (tick $0.0001, lot 1 token), one simulated hour.
//! let market = Scenario::new("doc_example", 7, dec!(0.0001), dec!(1), dec!(0.05), Dur::hours(1));
//! let mm = PassiveMmConfig { spread_bps: 40.0, level_size: 1_000.0, ..PassiveMmConfig::default() };
//! let scenario = market
//!     .with_group("mm", 1, dec!(50_000), dec!(1_000_000), Behaviour::PassiveMm(mm))
//!     .with_group("retail", 200, dec!(500), dec!(10_000), Behaviour::Retail(RetailConfig::default()));
//!
//! let outcome = run(&scenario, &RunOptions::default())?; // in memory: no files
//! let summary = &outcome.summary;
//! assert!(summary.conservation.ok);
//! assert!(summary.volume.trades > 0);
//! let mm_pnl = summary.group("mm").unwrap().pnl_quote;
//! println!("{} trades, the MM made {mm_pnl}", summary.volume.trades);
//!
//! // Scenarios built in code are validated like files: a bad parameter is an error naming its key.
//! let bad = PassiveMmConfig { spread_bps: -5.0, ..PassiveMmConfig::default() };
//! let scenario = scenario.with_group("mm2", 1, dec!(1_000), dec!(0), Behaviour::PassiveMm(bad));
//! let err = run(&scenario, &RunOptions::default()).unwrap_err();
//! assert!(err.to_string().contains("agents.mm2.passive_mm.spread_bps"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod accounting;
pub mod agents;
pub mod backtest;
pub mod book;
pub mod build;
pub mod calibrate;
pub mod contracts;
pub mod counterfactual;
pub mod detect;
pub mod engine;
pub mod exchange;
pub mod experiments;
pub mod feed;
pub mod ledger;
pub mod market;
pub mod metrics;
pub mod progress;
pub mod provenance;
pub mod replay;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod stress;
pub mod sweep;
pub mod teach;
#[cfg(test)]
mod testkit;
pub mod types;
pub mod units;
