//! Turning a member's decision into an order its account can pay for, and cancelling retail limit
//! orders when their lifetime is over.
//!
//! Prices are in ticks, sizes in lots, cash in atoms (tick × lot). A buy is sized so the exchange's
//! lock fits the member's free cash at the highest fee a scenario may set; a sell never exceeds the
//! free tokens. Marketable orders are immediate-or-cancel at the opposite touch ± the collar; a
//! member's own price (fundamentalists) is kept within the same collar.

use std::cmp::Reverse;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::decide::{Decision, Seen};
use super::RetailCrowd;
use crate::agents::AgentCtx;
use crate::book::OrderType;
use crate::scenario::limits::MAX_PRICE_TICKS;
use crate::types::{Cash, Intent, Price, Qty, Side};

/// The largest fee rate the exchange may charge, in hundredths of a bp (scenario validation caps
/// fees at 100 bps): buys are sized so the exchange's lock at this rate fits the free cash.
pub(super) const FEE_BOUND_CBPS: i128 = 10_000;

impl RetailCrowd {
    /// Turns a decision into an order the member's free balance covers; false when too small.
    pub(super) fn place(&mut self, ctx: &mut AgentCtx<'_>, m: usize, seen: &Seen<'_>, d: Decision) -> bool {
        let acct = self.accounts[m];
        let account = ctx.market.ledger.account(acct);
        let slip = self.cfg.slippage_cap_bps / 10_000.0;
        let (kind, price) = match (d.price, d.side, d.marketable, seen.ask, seen.bid) {
            (Some(own), ..) => (OrderType::Limit, own_price(d.side, own, seen, slip)),
            (None, Side::Buy, true, Some(ask), _) => {
                (OrderType::Ioc, Price(((ask.0 as f64 * (1.0 + slip)).ceil() as i64).min(MAX_PRICE_TICKS)))
            }
            (None, Side::Sell, true, _, Some(bid)) => {
                (OrderType::Ioc, Price((bid.0 as f64 * (1.0 - slip)).floor() as i64))
            }
            _ => (OrderType::Limit, self.limit_price(d.side, seen, ctx)),
        };
        if !(1..=MAX_PRICE_TICKS).contains(&price.0) {
            return false;
        }
        let qty = match d.side {
            Side::Sell => Qty((account.tokens_free.0 as f64 * d.size).floor() as i64),
            Side::Buy => Qty(affordable(account.cash_free, price, d.size)),
        };
        if qty.0 < 1 {
            return false;
        }
        let id = ctx.submit(acct, d.side, kind, price, qty, Intent::Retail);
        self.busy[m] = true;
        self.in_flight.push_back((id, m as u32));
        if kind == OrderType::Limit {
            self.stats.limits += 1;
            // Lifetimes uniform in [0.5, 1.5] × `limit_lifetime`: equal ones would cancel every
            // order a fixed time after it came, an echo that shows in the returns' autocorrelation.
            let u: f64 = ctx.rng.random_range(0.5..1.5);
            let life = (u * self.cfg.limit_lifetime.nanos() as f64) as u64;
            self.expiries.push(Reverse((ctx.now.plus_nanos(life.max(1)), id)));
        } else {
            self.stats.marketable += 1;
        }
        true
    }

    /// A resting price on `side`: an exponential distance behind the best price of its own side, or,
    /// for a share `limit_inside_share`, behind the reference price (possibly inside the spread);
    /// never crossing the book.
    fn limit_price(&self, side: Side, seen: &Seen<'_>, ctx: &mut AgentCtx<'_>) -> Price {
        let inside = ctx.rng.random_bool(self.cfg.limit_inside_share);
        let e: f64 = Exp1.sample(ctx.rng);
        let d = e * self.cfg.limit_offset_bps / 10_000.0;
        match side {
            Side::Buy => {
                let base = if inside { seen.mid } else { seen.bid.map_or(seen.mid, |b| b.0 as f64) };
                let p = ((base * (1.0 - d)).floor() as i64).min(MAX_PRICE_TICKS);
                Price(seen.ask.map_or(p, |a| p.min(a.0 - 1)).max(1))
            }
            Side::Sell => {
                let base = if inside { seen.mid } else { seen.ask.map_or(seen.mid, |a| a.0 as f64) };
                let p = ((base * (1.0 + d)).ceil() as i64).min(MAX_PRICE_TICKS);
                Price(seen.bid.map_or(p, |b| p.max(b.0 + 1)).max(1))
            }
        }
    }

    /// Cancels expired limit orders that are still on the book.
    pub(super) fn expire(&mut self, ctx: &mut AgentCtx<'_>) {
        while let Some(&Reverse((at, id))) = self.expiries.peek() {
            if at > ctx.now {
                break;
            }
            self.expiries.pop();
            if ctx.market.book.contains(id) {
                ctx.cancel(id);
                self.stats.expired += 1;
            }
        }
    }
}

/// A member's own limit price (fractional ticks), rounded away from the opposite side and kept
/// within the collar: a buy at most `slip` above the best ask, a sell at least `slip` below the bid.
pub(super) fn own_price(side: Side, ticks: f64, seen: &Seen<'_>, slip: f64) -> Price {
    match side {
        Side::Buy => {
            let cap = seen.ask.map_or(f64::MAX, |a| a.0 as f64 * (1.0 + slip));
            Price((ticks.min(cap).floor() as i64).min(MAX_PRICE_TICKS))
        }
        Side::Sell => {
            let floor = seen.bid.map_or(0.0, |b| b.0 as f64 * (1.0 - slip));
            Price((ticks.max(floor).ceil() as i64).min(MAX_PRICE_TICKS))
        }
    }
}

/// The price members reason from, in ticks: the mid when both sides are quoted; with one side, that
/// side's best price capped by the last trade (a lone ask above the last trade does not make the price);
/// with neither, the last trade or the opening price.
pub(super) fn reference(bid: Option<Price>, ask: Option<Price>, last: Option<Price>, open: Price) -> f64 {
    let last = last.unwrap_or(open).0;
    match (bid, ask) {
        (Some(b), Some(a)) => Price::mid(b, a),
        (Some(b), None) => b.0.max(last) as f64,
        (None, Some(a)) => a.0.min(last) as f64,
        (None, None) => last as f64,
    }
}

/// Lots a buy at `price` may take out of `cash_free × frac` so that the exchange's lock
/// (`notional + fee bound + qty` atoms at the highest fee rate) fits in the free cash.
pub(crate) fn affordable(cash_free: Cash, price: Price, frac: f64) -> i64 {
    let p = price.0 as i128;
    if p <= 0 || cash_free.0 <= 0 {
        return 0;
    }
    let budget = (cash_free.0 as f64 * frac.min(1.0)).floor();
    let unit = p as f64 * (1.0 + FEE_BOUND_CBPS as f64 / 1e6) + 1.0;
    let mut q = ((budget - 2.0) / unit).floor().max(0.0).min(i64::MAX as f64 / 2.0) as i128;
    let need = |q: i128| {
        let notional = p * q;
        notional + (notional * FEE_BOUND_CBPS + 999_999) / 1_000_000 + q
    };
    while q > 0 && need(q) > cash_free.0 {
        q -= 1;
    }
    q as i64
}
