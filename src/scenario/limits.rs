//! What the engine's integer types can hold for a whole run, and the resources a run may take.
//!
//! Validation refuses any scenario whose values could overflow during a run, so `check` passing
//! means `run` never panics on arithmetic. The bounds are chosen from the types with a margin:
//!
//! - **Tokens** are `i64` lots (at most 9.2 × 10¹⁸). No run creates or destroys tokens, so every
//!   balance, book level and position is at most the market's total: [`MAX_TOTAL_LOTS`] = 10¹⁸ lots.
//! - **Cash** is `i128` atoms, but reports turn figures into `rust_decimal::Decimal`, which holds
//!   7.9 × 10²⁸. Cash is conserved, and a trade's value is at most what its buyer holds, so a
//!   volume total over `n` trades is at most `n ×` the market's cash: [`MAX_TOTAL_CASH`] = 10²⁰ atoms
//!   (and 10²⁰ quote units) leaves room for 7.9 × 10⁸ trades each worth all the market's cash.
//! - **Value**: a holding is marked at the last trade price, and a trade price is at most the
//!   market's cash (the buyer pays it for one lot) or the opening price. So every holding is worth at
//!   most `tokens × max(open, cash)`: this product must stay under [`MAX_VALUE`] = 10²⁷ atoms and
//!   quote units.
//! - **Prices** are `i64` ticks; agents never quote above [`MAX_PRICE_TICKS`] = 2⁵³ (where `f64`
//!   still counts every tick, and where sums of two prices cannot overflow), and the opening price is
//!   at most [`MAX_OPEN_TICKS`] = 10¹⁵ ticks.
//! - **Basis points** of a price offset are at most [`MAX_BPS`] (a factor of 100); multiples of the
//!   opening price at most [`MAX_MULTIPLE`].
//! - **Distributions**: a member's draw is bounded by a high quantile, `median × e^(Z·σ)` for a
//!   log-normal with [`LOGNORMAL_Z`] = 9 (exceeded with probability 1.1 × 10⁻¹⁹ per draw), and `high`
//!   for a uniform; the draw itself is not capped (see the hardening notes).
//!
//! [`Limits`] bounds what a run may cost: its estimated memory (time-series samples, crowd members,
//! agents) and its estimated number of events, with defaults a caller can raise.

use crate::agents::behaviour::ParamIssue;
use crate::agents::Market;

/// Most lots the whole market may hold (every account together): 10¹⁸.
pub const MAX_TOTAL_LOTS: f64 = 1e18;
/// Most cash the whole market may hold, in atoms and in quote units: 10²⁰.
pub const MAX_TOTAL_CASH: f64 = 1e20;
/// Most all tokens may be worth at the highest price a trade can reach, in atoms and quote units.
pub const MAX_VALUE: f64 = 1e27;
/// Highest price, in ticks, an agent ever quotes: 2⁵³.
pub const MAX_PRICE_TICKS: i64 = 1 << 53;
/// Highest opening price, in ticks.
pub const MAX_OPEN_TICKS: i64 = 1_000_000_000_000_000;
/// Largest price offset or move, in basis points (×100 the price).
pub const MAX_BPS: f64 = 1e6;
/// Largest multiple of the opening price a parameter may name.
pub const MAX_MULTIPLE: f64 = 1e6;
/// Largest rate or gain multiplier (activity gains, excitation): keeps rates and sizes finite
/// (how many events a run makes is bounded by [`Limits::max_events`]).
pub const MAX_GAIN: f64 = 1e9;
/// The quantile of the standard normal used to bound log-normal draws.
pub const LOGNORMAL_Z: f64 = 9.0;
/// Longest run: ten years (3650 days) of simulated time, far from the end of `u64` nanoseconds.
pub const MAX_DURATION: crate::units::Dur = crate::units::Dur(3_650 * 86_400_000_000_000);
/// Longest order latency or jitter: one day.
pub const MAX_LATENCY_NS: u64 = 86_400_000_000_000;

/// What a run may cost, checked from estimates before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most estimated memory, in bytes. Default [`Limits::DEFAULT_MAX_MEMORY`] (4 GB).
    pub max_memory: u64,
    /// Most estimated simulation events. Default [`Limits::DEFAULT_MAX_EVENTS`].
    pub max_events: u64,
}

impl Limits {
    /// 4 GB: a run accepted under this default never trips `ulimit -v 4000000` on its estimate.
    pub const DEFAULT_MAX_MEMORY: u64 = 4_000_000_000;
    /// 10¹⁰ events (hours of computing at a few million events a second).
    pub const DEFAULT_MAX_EVENTS: u64 = 10_000_000_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_memory: Self::DEFAULT_MAX_MEMORY, max_events: Self::DEFAULT_MAX_EVENTS }
    }
}

/// Reports `value` when it is above `max` (NaN is reported too), with the limit in the message.
pub fn at_most(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64, max: f64, what: &str) {
    if value.is_nan() || value > max {
        issues.push(ParamIssue::new(key, format!("{} is too large: at most {} ({what})", num(value), num(max))));
    }
}

/// Reports an offset or move in basis points above [`MAX_BPS`].
pub fn bps_at_most(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    at_most(issues, key, value, MAX_BPS, "basis points, ×100 the price");
}

/// Reports a token amount above what the market can hold ([`MAX_TOTAL_LOTS`] lots).
pub fn tokens_at_most(issues: &mut Vec<ParamIssue>, key: &'static str, tokens: f64, market: &Market) {
    let lot = rust_decimal::prelude::ToPrimitive::to_f64(&market.lot).unwrap_or(1.0);
    at_most(issues, key, tokens, MAX_TOTAL_LOTS * lot, "tokens: 10^18 lots, the most a market can hold");
}

/// Reports a quote amount above what the market can hold ([`MAX_TOTAL_CASH`] atoms and quote units).
pub fn quote_at_most(issues: &mut Vec<ParamIssue>, key: &'static str, quote: f64, market: &Market) {
    let atom = rust_decimal::prelude::ToPrimitive::to_f64(&(market.tick * market.lot)).unwrap_or(1.0);
    let max = MAX_TOTAL_CASH.min(MAX_TOTAL_CASH * atom);
    at_most(issues, key, quote, max, "quote units: 10^20 cash atoms, the most a market can hold");
}

/// Reports a multiple of the opening price above [`MAX_MULTIPLE`].
pub fn multiple_at_most(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    at_most(issues, key, value, MAX_MULTIPLE, "times the opening price");
}

/// Reports a gain or rate multiplier above [`MAX_GAIN`].
pub fn gain_at_most(issues: &mut Vec<ParamIssue>, key: &'static str, value: f64) {
    at_most(issues, key, value, MAX_GAIN, "a larger gain makes rates overflow");
}

/// A price in ticks (rounded by the caller) as a price an agent may quote: clamped to
/// `[1, MAX_PRICE_TICKS]`, with NaN as 1 tick. The `as` conversion saturates, so no value overflows.
pub fn clamp_ticks(ticks: f64) -> i64 {
    if ticks.is_nan() {
        return 1;
    }
    (ticks as i64).clamp(1, MAX_PRICE_TICKS)
}

/// A number for messages: whole numbers in full below 10¹⁵, others rounded to 4 decimals (or to
/// whole numbers from 1000 on), very large or small ones as `4.263e62`.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e15).contains(&a) {
        let text = format!("{v:.3e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}");
    }
    if a >= 1_000.0 || v.fract() == 0.0 {
        format!("{:.0}", v.round())
    } else {
        format!("{}", (v * 1e4).round() / 1e4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well_and_prices_clamp() {
        assert_eq!(num(1e20), "1e20");
        assert_eq!(num(1000.0), "1000");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(4.263389948314721e62), "4.263e62");
        assert_eq!(num(810308394757538.4), "810308394757538");
        assert_eq!(num(3.2e16), "3.2e16");
        assert_eq!(num(1e308), "1e308");
        assert_eq!(clamp_ticks(f64::INFINITY), MAX_PRICE_TICKS);
        assert_eq!(clamp_ticks(f64::NEG_INFINITY), 1);
        assert_eq!(clamp_ticks(f64::NAN), 1);
        assert_eq!(clamp_ticks(1234.0), 1234);
        let mut issues = Vec::new();
        at_most(&mut issues, "x", f64::NAN, 1.0, "test");
        at_most(&mut issues, "y", 1.0, 1.0, "test");
        assert_eq!(issues.len(), 1);
    }
}
