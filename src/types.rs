//! Core value types shared by every module.
//!
//! Units and invariants:
//! - [`Price`] is an integer number of ticks (`tick_size` quote units each); prices on the book are > 0.
//! - [`Qty`] is an integer number of lots (`lot_size` tokens each); order quantities are > 0.
//! - [`Cash`] is an integer number of cash atoms; one atom is `tick_size × lot_size` quote units, so the
//!   notional of `price × qty` is exact: `price.ticks() as i128 * qty.lots() as i128`.
//! - [`SimTime`] is simulated time in nanoseconds since the start of a run; the wall clock is never read.
//!
//! None of these are aliases: mixing up ticks and lots is a compile error.

use std::fmt;

/// A price in integer ticks (one tick is the market's `tick_size` in quote units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(pub i64);

impl Price {
    /// The mid of a bid and an ask, in (fractional) ticks.
    pub fn mid(bid: Price, ask: Price) -> f64 {
        (bid.0 as f64 + ask.0 as f64) / 2.0
    }
    /// The spread of a bid and an ask in basis points of their mid (the one definition every
    /// report, chart and KPI uses).
    pub fn spread_bps(bid: Price, ask: Price) -> f64 {
        (ask.0 - bid.0) as f64 / Price::mid(bid, ask) * 10_000.0
    }
    /// A price of `ticks` ticks.
    pub const fn from_ticks(ticks: i64) -> Self {
        Price(ticks)
    }
    /// The number of ticks.
    pub const fn ticks(self) -> i64 {
        self.0
    }
}

/// A quantity in integer lots (one lot is the market's `lot_size` in tokens).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(pub i64);

impl Qty {
    /// No quantity.
    pub const ZERO: Qty = Qty(0);
    /// A quantity of `lots` lots.
    pub const fn from_lots(lots: i64) -> Self {
        Qty(lots)
    }
    /// The number of lots.
    pub const fn lots(self) -> i64 {
        self.0
    }
    /// True when the quantity is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::Add for Qty {
    type Output = Qty;
    fn add(self, rhs: Qty) -> Qty {
        Qty(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Qty {
    type Output = Qty;
    fn sub(self, rhs: Qty) -> Qty {
        Qty(self.0 - rhs.0)
    }
}

impl std::ops::AddAssign for Qty {
    fn add_assign(&mut self, rhs: Qty) {
        self.0 += rhs.0;
    }
}

impl std::ops::SubAssign for Qty {
    fn sub_assign(&mut self, rhs: Qty) {
        self.0 -= rhs.0;
    }
}

/// Exact cash in atoms of `tick_size × lot_size` quote units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cash(pub i128);

impl Cash {
    /// No cash.
    pub const ZERO: Cash = Cash(0);
    /// The exact notional of `qty` lots at `price` ticks.
    pub fn notional(price: Price, qty: Qty) -> Cash {
        Cash(price.0 as i128 * qty.0 as i128)
    }
    /// The number of atoms.
    pub const fn atoms(self) -> i128 {
        self.0
    }
}

impl std::ops::Add for Cash {
    type Output = Cash;
    fn add(self, rhs: Cash) -> Cash {
        Cash(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Cash {
    type Output = Cash;
    fn sub(self, rhs: Cash) -> Cash {
        Cash(self.0 - rhs.0)
    }
}

impl std::ops::AddAssign for Cash {
    fn add_assign(&mut self, rhs: Cash) {
        self.0 += rhs.0;
    }
}

impl std::ops::SubAssign for Cash {
    fn sub_assign(&mut self, rhs: Cash) {
        self.0 -= rhs.0;
    }
}

impl std::ops::Neg for Cash {
    type Output = Cash;
    fn neg(self) -> Cash {
        Cash(-self.0)
    }
}

/// The side of an order. There is no "none": an optional side is `Option<Side>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// A bid: wants to buy tokens for cash.
    Buy,
    /// An ask: wants to sell tokens for cash.
    Sell,
}

impl Side {
    /// The other side.
    pub const fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
    /// +1 for a buy, −1 for a sell (the sign of the token flow to the order's owner).
    pub const fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }
    /// `"buy"` or `"sell"`, as written in CSV files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order's identifier, unique among live and past orders of one book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(pub u64);

/// Who owns an order on the book (an exchange account, or a trader of a replayed stream).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TraderId(pub u32);

/// A simulation agent, a dense index into the engine's agent table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub u32);

/// Simulated time in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of a run.
    pub const ZERO: SimTime = SimTime(0);
    /// `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// `us` microseconds.
    pub const fn from_micros(us: u64) -> Self {
        SimTime(us * 1_000)
    }
    /// `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms * 1_000_000)
    }
    /// `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * 1_000_000_000)
    }
    /// Nanoseconds since the start.
    pub const fn nanos(self) -> u64 {
        self.0
    }
    /// Seconds since the start, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// This time plus `ns` nanoseconds, saturating at the end of time.
    pub const fn plus_nanos(self, ns: u64) -> SimTime {
        SimTime(self.0.saturating_add(ns))
    }
}

/// Why an order was sent: the ground-truth label carried by every order and trade, so real and
/// manipulative volume can be told apart exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Intent {
    /// Market making: resting quotes on both sides.
    Quote,
    /// A retail trader's own decision.
    Retail,
    /// Trading with oneself or a colluding account to inflate volume.
    Wash,
    /// An order placed to be cancelled before it fills, to mislead others.
    Spoof,
    /// Aggressive buying to drive the price up.
    Pump,
    /// Selling into the buyers a pump attracted.
    Dump,
    /// Buying back tokens owed under a loan.
    Buyback,
    /// Slow buying below a price cap.
    Accumulate,
    /// A manipulator's real order that cashes in on the picture it painted (a spoofer's order on
    /// the side opposite its spoofs).
    Exploit,
    /// A manipulator's trade back to its target position (a wash trader's drift correction).
    Rebalance,
    /// An honest market maker's trade that hedges the options it holds (a delta hedge).
    Hedge,
    /// A market maker's quote shown only for the exchange's KPI snapshots (flickering around them,
    /// or parked at the edge of the depth band).
    KpiGaming,
    /// Anything else (replayed streams, tests).
    #[default]
    Other,
}

impl Intent {
    /// The label as written in CSV files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Intent::Quote => "quote",
            Intent::Retail => "retail",
            Intent::Wash => "wash",
            Intent::Spoof => "spoof",
            Intent::Pump => "pump",
            Intent::Dump => "dump",
            Intent::Buyback => "buyback",
            Intent::Accumulate => "accumulate",
            Intent::Exploit => "exploit",
            Intent::Rebalance => "rebalance",
            Intent::Hedge => "hedge",
            Intent::KpiGaming => "kpi_gaming",
            Intent::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notional_is_exact_in_i128() {
        let n = Cash::notional(Price(i64::MAX), Qty(i64::MAX));
        assert_eq!(n.atoms(), i64::MAX as i128 * i64::MAX as i128);
    }

    #[test]
    fn side_helpers() {
        assert_eq!(Side::Buy.opposite(), Side::Sell);
        assert_eq!(Side::Sell.sign(), -1);
        assert_eq!(Side::Buy.to_string(), "buy");
    }

    #[test]
    fn time_units() {
        assert_eq!(SimTime::from_secs(2).nanos(), 2_000_000_000);
        assert_eq!(SimTime::from_millis(3), SimTime::from_micros(3_000));
        assert_eq!(SimTime(u64::MAX).plus_nanos(5), SimTime(u64::MAX));
    }
}
