//! `wash_ring`: a wash-trading ring — one beneficial owner trading among several of its own
//! accounts, so that no trade has the same account on both sides.
//!
//! The group is one agent holding `accounts` accounts (named `ring/0`, `ring/1`, ... for a group
//! `ring`), all declared as one owner: the engine labels every trade between them wash (see
//! `metrics::names`), and every order carries [`Intent::Wash`]. Each decision (every `interval`,
//! jittered ±20%) it passes tokens one step round the ring: account `k` rests a post-only sell
//! strictly inside the spread and account `k + 1` (mod `accounts`) lifts it with an IOC buy of the
//! same size and price, then `k` moves on. The size is drawn between 50% and 100% of
//! `clip_tokens`. Passing round a cycle brings every account's net position back to about zero
//! (each account buys one clip and sells the next): the "volume matching" signature of wash rings
//! (Victor and Weintraud 2021).
//!
//! If another trader takes part of a resting leg before the IOC arrives, the leftover is cancelled
//! and the ring just goes on (its accounts drift by that amount). It skips a decision while a pair
//! is in flight or when the spread is a single tick.

use rand::RngExt;
use serde::Deserialize;

use super::behaviour::{check_positive, AgentSetup, Market, ParamIssue};
use super::orders::{inside_price, quote_price, share_of, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::scenario::limits;
use crate::types::{Intent, OrderId, Price, Qty, Side};
use crate::units::Dur;

/// Parameters of `wash_ring`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WashRingConfig {
    /// Accounts in the ring (2 to 64), each opened with the group's `cash` and `tokens`. Default 3.
    pub accounts: u32,
    /// Time between decisions (jittered ±20%). Default `"30s"`.
    pub interval: Dur,
    /// Largest single wash trade, in tokens. Default 10000.
    pub clip_tokens: f64,
}

impl Default for WashRingConfig {
    fn default() -> Self {
        WashRingConfig { accounts: 3, interval: Dur(30_000_000_000), clip_tokens: 10_000.0 }
    }
}

impl WashRingConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if !(2..=64).contains(&self.accounts) {
            issues.push(ParamIssue::new("accounts", format!("{} must be between 2 and 64", self.accounts)));
        }
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        check_positive(&mut issues, "clip_tokens", self.clip_tokens);
        limits::tokens_at_most(&mut issues, "clip_tokens", self.clip_tokens, market);
        issues
    }
}

/// A wash ring (see the module doc).
#[derive(Clone, Debug)]
pub struct WashRing {
    config: WashRingConfig,
    market: Market,
    /// One tracker per account, in ring order.
    legs: Vec<Tracker>,
    /// The account whose turn it is to sell.
    next: usize,
    /// (IOC, its tracker, resting partner, its tracker) of the pair in flight.
    pair: Option<(OrderId, usize, OrderId, usize)>,
    /// Lots passed round the ring over the run.
    wash_total: Qty,
}

impl WashRing {
    /// Builds the agent; it trades every one of `setup.accounts`, in order.
    pub fn new(config: WashRingConfig, setup: AgentSetup) -> Self {
        let legs = setup.accounts.iter().map(|&a| Tracker::new(Some(a))).collect();
        WashRing { config, market: setup.market, legs, next: 0, pair: None, wash_total: Qty::ZERO }
    }

    /// Lots passed between its accounts over the run.
    pub fn wash_lots(&self) -> Qty {
        self.wash_total
    }

    /// Counters over the orders of account `k` of the ring.
    pub fn stats(&self, k: usize) -> Option<&OrderStats> {
        self.legs.get(k).map(Tracker::stats)
    }

    fn decide(&mut self, ctx: &mut AgentCtx<'_>) {
        let n = self.legs.len();
        if n < 2 || self.pair.is_some() {
            return;
        }
        let book = ctx.market.book;
        let hint = match (book.best_bid(), book.best_ask()) {
            (Some(b), Some(a)) if a.0 - b.0 >= 2 => Price(ctx.rng.random_range(b.0 + 1..a.0)),
            _ => quote_price(ctx.market.reference(self.market.open_price)),
        };
        let Some(price) = inside_price(book, hint) else { return };
        let (s, b) = (self.next, (self.next + 1) % n);
        let clip = self.market.lots(self.config.clip_tokens);
        let size = share_of(clip, ctx.rng.random_range(0.5..=1.0));
        let size = size.min(self.legs[s].free_tokens(&ctx.market)).min(self.legs[b].max_buy(&ctx.market, price));
        self.next = b;
        if size.0 <= 0 {
            return;
        }
        let Some(rest) = self.legs[s].submit(ctx, Side::Sell, OrderType::PostOnly, price, size, Intent::Wash) else {
            return;
        };
        match self.legs[b].submit(ctx, Side::Buy, OrderType::Ioc, price, size, Intent::Wash) {
            Some(ioc) => self.pair = Some((ioc, b, rest, s)),
            None => self.legs[s].cancel(ctx, rest),
        }
    }
}

impl Agent for WashRing {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.legs.len() >= 2 {
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.decide(ctx);
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        for leg in &mut self.legs {
            if let Some(fill) = leg.on_event(ev, ctx) {
                if !fill.maker && fill.intent == Intent::Wash {
                    self.wash_total += fill.qty;
                }
            }
        }
        let done = match *ev {
            AgentEvent::Accepted { order, .. } | AgentEvent::Rejected { order, .. } => Some(order),
            _ => None,
        };
        if let (Some(order), Some((ioc, _, rest, s))) = (done, self.pair) {
            if order == ioc {
                self.legs[s].cancel(ctx, rest);
                self.pair = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_bad_parameters_are_named() {
        let c: WashRingConfig = toml::from_str("accounts = 4\ninterval = \"10s\"").unwrap();
        assert_eq!((c.accounts, c.interval), (4, Dur(10_000_000_000)));
        let m = crate::testkit::market();
        assert!(WashRingConfig::default().check(&m).is_empty());
        let bad = WashRingConfig { accounts: 1, interval: Dur(0), clip_tokens: 0.0 };
        let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
        assert_eq!(keys, ["accounts", "interval", "clip_tokens"]);
    }
}
