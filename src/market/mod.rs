//! The market: one token on one venue — its grids (tick, lot), opening price and length, the
//! conversions between integer units and quote units, the fee schedule, and the tape.
//!
//! Every part of mmsim that turns ticks, lots and cash atoms into prices, tokens and money (agents
//! deciding in floats, reports writing exact decimals) does it here, through [`Market`] or
//! [`Units`]; the fee a buy must reserve is [`FeeSchedule::buy_lock`] for the exchange and the
//! agents alike.

pub mod tape;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub use crate::exchange::FeeSchedule;
use crate::types::{Cash, Price, Qty, SimTime};
pub use tape::{Bar, Tape};

/// A decimal as `f64` (exact for the grids a scenario can hold; never fails for a `Decimal`).
fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Converts integer units to exact decimals for output, and to `f64` for statistics and charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Units {
    /// Quote units per tick.
    pub tick: Decimal,
    /// Tokens per lot.
    pub lot: Decimal,
}

impl Units {
    /// A price in quote units.
    pub fn price(&self, p: Price) -> Decimal {
        (Decimal::from(p.0) * self.tick).normalize()
    }
    /// Cash in quote units.
    pub fn cash(&self, c: Cash) -> Decimal {
        (Decimal::from_i128_with_scale(c.0, 0) * self.tick * self.lot).normalize()
    }
    /// Tokens.
    pub fn tokens(&self, q: Qty) -> Decimal {
        (Decimal::from(q.0) * self.lot).normalize()
    }
    /// A price in (fractional) ticks as quote units, `f64`.
    pub fn price_f64(&self, ticks: f64) -> f64 {
        ticks * f64_of(self.tick)
    }
    /// Cash in quote units as `f64`.
    pub fn cash_f64(&self, c: Cash) -> f64 {
        c.0 as f64 * f64_of(self.tick * self.lot)
    }
    /// Quote units per cash atom (tick × lot) as `f64`.
    pub fn atom_f64(&self) -> f64 {
        f64_of(self.tick * self.lot)
    }
}

/// Market facts every agent needs to turn its parameters into ticks and lots.
#[derive(Clone, Debug, PartialEq)]
pub struct Market {
    /// Quote units per tick.
    pub tick: Decimal,
    /// Tokens per lot.
    pub lot: Decimal,
    /// Opening reference price.
    pub open_price: Price,
    /// Length of the run.
    pub duration: SimTime,
}

impl Market {
    /// The market's unit converter.
    pub fn units(&self) -> Units {
        Units { tick: self.tick, lot: self.lot }
    }
    /// A price in quote units as (fractional) ticks.
    pub fn ticks_f64(&self, quote: f64) -> f64 {
        quote / f64_of(self.tick)
    }
    /// A price in ticks as quote units.
    pub fn quote_f64(&self, price: Price) -> f64 {
        price.0 as f64 * f64_of(self.tick)
    }
    /// The nearest valid price (≥ 1 tick, ≤ [`crate::scenario::limits::MAX_PRICE_TICKS`]) to a
    /// fractional tick count.
    pub fn round_price(&self, ticks: f64) -> Price {
        Price((ticks.round() as i64).clamp(1, crate::scenario::limits::MAX_PRICE_TICKS))
    }
    /// A token amount as whole lots (rounded down, ≥ 0).
    pub fn lots(&self, tokens: f64) -> Qty {
        Qty(((tokens / f64_of(self.lot)).floor() as i64).max(0))
    }
    /// Whole lots as tokens.
    pub fn tokens_f64(&self, qty: Qty) -> f64 {
        qty.0 as f64 * f64_of(self.lot)
    }
}
