//! The ladder a passive market maker wants to show, and how much of it the account can pay for:
//! pure functions of the configuration and the market state.
//!
//! Prices: offsets are in bps of the fair price (in ticks); bids round down and asks up to whole
//! ticks, so the quoted width is never below the configured one, and neither side crosses the
//! other traders' best quote. Sizes are whole lots; a side stops where the inventory allowance
//! (`max_inventory` minus the position that side would grow) runs out.

use super::{AvellanedaStoikov, PassiveMmConfig};
use crate::scenario::limits::MAX_PRICE_TICKS;
use crate::types::{Cash, Price, Qty, Side};

/// One order of the plan: side, limit price and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedQuote {
    /// Buy or sell.
    pub side: Side,
    /// Limit price, ticks.
    pub price: Price,
    /// Size, lots.
    pub qty: Qty,
}

/// What one quoting decision depends on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuoteInputs {
    /// Fair price, ticks.
    pub fair: f64,
    /// Position relative to the starting token balance, lots.
    pub position: i64,
    /// Daily variance of the price, bps².
    pub sigma2_daily_bps: f64,
    /// Horizon left, days.
    pub tau_days: f64,
    /// Best bid of the other traders.
    pub others_bid: Option<Price>,
    /// Best ask of the other traders.
    pub others_ask: Option<Price>,
}

/// The ladder for `inputs`, innermost level first on each side (bids, then asks), with levels of
/// `level_lots` and at most `max_position` lots of position either way; not yet sized by funds.
pub(super) fn plan(c: &PassiveMmConfig, level_lots: i64, max_position: i64, inputs: &QuoteInputs) -> Vec<PlannedQuote> {
    let (reservation, model_spread) = if c.gamma > 0.0 {
        let model = AvellanedaStoikov { gamma: c.gamma, sigma: inputs.sigma2_daily_bps.sqrt(), k: c.k };
        let clips = inputs.position as f64 / level_lots as f64;
        (model.reservation(0.0, clips, inputs.tau_days), model.spread(inputs.tau_days))
    } else {
        (0.0, 0.0)
    };
    let width = c.spread_bps.max(model_spread) * c.spread_multiplier;
    let mut plan = Vec::with_capacity(2 * c.levels as usize);
    for side in [Side::Buy, Side::Sell] {
        let mut left = max_position.saturating_sub(side.sign() * inputs.position).max(0);
        for level in 0..c.levels {
            let qty = left.min(level_lots);
            let offset_bps = reservation - side.sign() as f64 * (width / 2.0 + level as f64 * c.level_spacing_bps);
            let raw = inputs.fair * (1.0 + offset_bps / 1e4);
            let price = match side {
                // `as` saturates (NaN is 0); no quote goes above MAX_PRICE_TICKS.
                Side::Buy => (raw.floor() as i64).min(inputs.others_ask.map_or(MAX_PRICE_TICKS, |p| p.0 - 1)),
                Side::Sell => (raw.ceil() as i64).max(inputs.others_bid.map_or(i64::MIN, |p| p.0 + 1)),
            };
            if qty == 0 || !(1..=MAX_PRICE_TICKS).contains(&price) {
                break;
            }
            plan.push(PlannedQuote { side, price: Price(price), qty: Qty(qty) });
            left -= qty;
        }
    }
    plan
}

/// An upper bound on the cash the exchange locks for a buy of `qty` at `price`: the notional, the
/// fee reserve (`fee_reserve_bps` of the notional, rounded up) and one atom per lot for the
/// exchange's per-fill fee rounding.
pub(super) fn buy_lock(fee_reserve_bps: f64, price: Price, qty: Qty) -> Cash {
    let notional = Cash::notional(price, qty).0 as f64;
    Cash(((notional * (1.0 + fee_reserve_bps / 1e4)).ceil() as i128).saturating_add(qty.0 as i128))
}

/// The largest size up to `want` whose [`buy_lock`] fits in `budget`.
pub(super) fn affordable(fee_reserve_bps: f64, price: Price, want: Qty, budget: Cash) -> Qty {
    if budget <= Cash::ZERO {
        return Qty::ZERO;
    }
    let per_lot = price.0 as f64 * (1.0 + fee_reserve_bps / 1e4) + 1.0;
    let mut lots = want.0.min((budget.0 as f64 / per_lot).floor() as i64);
    while lots > 0 && buy_lock(fee_reserve_bps, price, Qty(lots)) > budget {
        lots -= 1;
    }
    Qty(lots.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buy_is_sized_to_the_cash_it_can_lock() {
        // 100 bps reserve at 10,000 ticks: 10,101 atoms per lot (notional, 1%, one atom).
        assert_eq!(buy_lock(100.0, Price(10_000), Qty(3)), Cash(30_303));
        assert_eq!(affordable(100.0, Price(10_000), Qty(100), Cash(30_303)), Qty(3));
        assert_eq!(affordable(100.0, Price(10_000), Qty(100), Cash(30_302)), Qty(2));
        assert_eq!(affordable(100.0, Price(10_000), Qty(2), Cash(1_000_000)), Qty(2));
        assert_eq!(affordable(100.0, Price(10_000), Qty(2), Cash(-5)), Qty::ZERO);
    }
}
