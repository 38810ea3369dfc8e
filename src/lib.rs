//! mmsim: a market-maker simulation and backtesting engine.
//!
//! An event-driven limit-order-book simulator for a crypto token listed on a centralized exchange.
//! The pieces, from the bottom up:
//! - [`types`]: integer ticks, lots and cash atoms, sides, ids and simulated time;
//! - [`book`]: the limit order book with price-time priority;
//!
//! Money is exact everywhere: the book works in integer ticks and lots, the ledger in integer cash
//! atoms. Runs are deterministic: one seed gives byte-identical output.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod agents;
pub mod book;
pub mod cli;
pub mod contracts;
pub mod counterfactual;
pub mod engine;
pub mod exchange;
pub mod experiments;
pub mod feed;
pub mod ledger;
pub mod metrics;
pub mod replay;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod sweep;
pub mod types;
pub mod units;
