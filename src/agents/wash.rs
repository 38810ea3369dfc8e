//! `wash`: a wash trader — trades with itself to make a target share of the reported volume fake.
//!
//! Each decision it compares, over a trailing window of one-minute tape bars, the volume it traded
//! with itself (tracked from its own fills) with the rest of the volume on the tape (everything else
//! is "real" to it, other wash traders included). When its share is below `target_wash_share` it
//! trades with itself: a post-only order strictly inside the spread (alone at its level) and an IOC
//! of the same size and price from the same account right behind it, both [`Intent::Wash`]
//! (see [`super::orders`]). The size is what lifts wash / (wash + real) to the target,
//! at most `max_clip_tokens`, drawn from that by `clip_dist` (by default between 50% and 100% of it,
//! so sizes are not all alike). Real
//! volume `R` over the window calls for `target / (1 − target) × R` wash volume; with no real volume
//! it trades only the floor `min_tokens_per_hour`. The tape cannot tell wash from real volume, so
//! two wash traders in one market count each other's wash as real and drive each other up to their
//! `max_clip_tokens` every decision.
//!
//! Invariants: its net token position stays at its starting tokens: both legs of a wash trade are
//! its own, so only fees change its balances. If another trader takes part of a resting leg before
//! the IOC arrives (or a leg is refused), the position drifts; beyond `max_drift_tokens` the agent
//! trades the drift back with an IOC at the touch, labelled [`Intent::Rebalance`] (it is real trading).
//! It never wash-trades while a previous pair is still in flight, and when the spread is a single
//! tick there is no price where it would be alone, so it skips the decision.
//!
//! Units: the share is of volume in lots, which equals the share of notional when the price moves
//! little over the window; the summary's wash share is by notional.

use std::collections::VecDeque;

use rand::RngExt;
use serde::Deserialize;

use super::behaviour::{check_non_negative, check_positive, AgentSetup, Market, ParamIssue};
use super::orders::{inside_price, quote_price, share_of, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent, Tape};
use crate::book::OrderType;
use crate::scenario::limits;
use crate::types::{Intent, Price, Qty, Side};
use crate::units::Dur;

/// Parameters of `wash`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WashConfig {
    /// Share of the volume over `window` the agent makes wash, wash / (wash + real), in [0, 1).
    /// Default 0.95 (the 2019 study of reported BTC volume).
    pub target_wash_share: f64,
    /// Time between decisions (jittered ±20%). Default `"30s"`.
    pub interval: Dur,
    /// Trailing window the shares are measured over, in whole one-minute bars, at most one day.
    /// Default `"1h"`.
    pub window: Dur,
    /// Largest single wash trade, in tokens. Default 10000.
    pub max_clip_tokens: f64,
    /// Wash volume traded even without real volume, in tokens per hour. Default 0.
    pub min_tokens_per_hour: f64,
    /// Net position drift (from interference with other traders) tolerated before the agent trades
    /// it back, in tokens. Default 0 (any whole lot is traded back).
    pub max_drift_tokens: f64,
    /// How a trade's size is drawn from the clip `c` (what lifts the share to the target, at most
    /// `max_clip_tokens`). Default `uniform`.
    pub clip_dist: ClipDist,
}

/// How the wash trader draws its sizes from the clip `c` it needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipDist {
    /// Uniform between 50% and 100% of `c`.
    #[default]
    Uniform,
    /// Log-uniform over the decade below `c`: `c × 10^(−u)`, `u` uniform in [0, 1].
    LogUniform,
    /// Uniform between 50% and 100% of `c`, rounded down to one significant digit (round sizes).
    Round,
}

impl ClipDist {
    /// The size drawn from a clip of `clip` lots.
    fn draw(self, clip: Qty, rng: &mut crate::rng::AgentRng) -> Qty {
        match self {
            ClipDist::Uniform => share_of(clip, rng.random_range(0.5..=1.0)),
            ClipDist::LogUniform => share_of(clip, 10f64.powf(-rng.random_range(0.0..=1.0))),
            ClipDist::Round => {
                let q = share_of(clip, rng.random_range(0.5..=1.0)).0;
                let unit = 10i64.pow(q.max(1).ilog10());
                Qty(q / unit * unit)
            }
        }
    }
}

impl Default for WashConfig {
    fn default() -> Self {
        WashConfig {
            target_wash_share: 0.95,
            interval: Dur(30_000_000_000),
            window: Dur(3_600_000_000_000),
            max_clip_tokens: 10_000.0,
            min_tokens_per_hour: 0.0,
            max_drift_tokens: 0.0,
            clip_dist: ClipDist::Uniform,
        }
    }
}

impl WashConfig {
    /// Every problem with these parameters.
    pub fn check(&self, market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if !(0.0..1.0).contains(&self.target_wash_share) {
            issues.push(ParamIssue::new(
                "target_wash_share",
                format!("{} is outside [0, 1): a share of 1 would need infinite wash volume", self.target_wash_share),
            ));
        }
        if self.interval.nanos() == 0 {
            issues.push(ParamIssue::new("interval", "must be > 0"));
        }
        if self.window.nanos() < Tape::BAR_NS || self.window.nanos() > Tape::BAR_NS * Tape::BARS as u64 {
            issues.push(ParamIssue::new(
                "window",
                format!("{} must be between 1m and 1d (the tape's history)", self.window),
            ));
        }
        check_positive(&mut issues, "max_clip_tokens", self.max_clip_tokens);
        check_non_negative(&mut issues, "min_tokens_per_hour", self.min_tokens_per_hour);
        check_non_negative(&mut issues, "max_drift_tokens", self.max_drift_tokens);
        for (key, v) in [
            ("max_clip_tokens", self.max_clip_tokens),
            ("min_tokens_per_hour", self.min_tokens_per_hour),
            ("max_drift_tokens", self.max_drift_tokens),
        ] {
            limits::tokens_at_most(&mut issues, key, v, market);
        }
        issues
    }

    /// The window in closed one-minute bars (the current bar comes on top).
    fn window_bars(&self) -> u64 {
        (self.window.nanos() / Tape::BAR_NS).clamp(1, Tape::BARS as u64)
    }
}

/// A wash trader (see the module doc).
#[derive(Clone, Debug)]
pub struct WashTrader {
    config: WashConfig,
    market: Market,
    orders: Tracker,
    /// Tokens at the start: the position it keeps.
    start_tokens: Qty,
    /// Own wash lots per one-minute bar index, oldest first, within the window.
    recent: VecDeque<(u64, i64)>,
    /// Own wash lots over the whole run.
    wash_total: Qty,
}

impl WashTrader {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: WashConfig, setup: AgentSetup) -> Self {
        WashTrader {
            config,
            orders: Tracker::new(setup.accounts.first().copied()),
            market: setup.market,
            start_tokens: Qty::ZERO,
            recent: VecDeque::new(),
            wash_total: Qty::ZERO,
        }
    }

    /// Lots it traded with itself over the run.
    pub fn wash_lots(&self) -> Qty {
        self.wash_total
    }

    /// Counters over the agent's orders.
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    /// Own wash lots in the window ending in bar `now_bar`, after dropping older entries.
    fn recent_wash(&mut self, now_bar: u64) -> i64 {
        let first = now_bar.saturating_sub(self.config.window_bars());
        while self.recent.front().is_some_and(|(bar, _)| *bar < first) {
            self.recent.pop_front();
        }
        self.recent.iter().map(|(_, q)| q).sum()
    }

    /// Lots of wash it should trade now to bring its share to the target.
    fn deficit(&mut self, ctx: &AgentCtx<'_>) -> Qty {
        let bars = self.config.window_bars();
        let mine = self.recent_wash(ctx.now.nanos() / Tape::BAR_NS);
        let c = &self.config;
        let total = ctx.market.tape.volume(bars as usize).0;
        let real = (total - mine).max(0) as f64;
        let for_share = c.target_wash_share / (1.0 - c.target_wash_share) * real;
        let hours = (bars + 1) as f64 / 60.0;
        let floor = self.market.lots(c.min_tokens_per_hour * hours).0 as f64;
        Qty((for_share.max(floor).floor() as i64 - mine).max(0))
    }

    /// Trades a drifted position back; returns true when it sent an order.
    fn rebalance(&mut self, ctx: &mut AgentCtx<'_>) -> bool {
        let drift = self.orders.tokens(&ctx.market) - self.start_tokens;
        if drift.0.abs() <= self.market.lots(self.config.max_drift_tokens).0 {
            return false;
        }
        let book = ctx.market.book;
        let (side, touch) = if drift.0 > 0 { (Side::Sell, book.best_bid()) } else { (Side::Buy, book.best_ask()) };
        match touch {
            Some(p) => {
                self.orders.submit(ctx, side, OrderType::Ioc, p, Qty(drift.0.abs()), Intent::Rebalance).is_some()
            }
            None => false,
        }
    }

    fn decide(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.in_flight() || self.rebalance(ctx) {
            return;
        }
        let deficit = self.deficit(ctx);
        if deficit.0 <= 0 {
            return;
        }
        let book = ctx.market.book;
        let hint = match (book.best_bid(), book.best_ask()) {
            (Some(b), Some(a)) if a.0 - b.0 >= 2 => Price(ctx.rng.random_range(b.0 + 1..a.0)),
            _ => quote_price(ctx.market.reference(self.market.open_price)),
        };
        let Some(price) = inside_price(book, hint) else { return };
        let clip = deficit.min(self.market.lots(self.config.max_clip_tokens));
        let size = self.config.clip_dist.draw(clip, ctx.rng);
        let side = if ctx.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
        self.orders.wash_pair(ctx, side, price, size);
    }
}

impl Agent for WashTrader {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            self.start_tokens = self.orders.tokens(&ctx.market);
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.decide(ctx);
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        if let Some(fill) = self.orders.on_event(ev, ctx) {
            if fill.self_trade {
                let bar = ctx.now.nanos() / Tape::BAR_NS;
                match self.recent.back_mut() {
                    Some((b, q)) if *b == bar => *q += fill.qty.0,
                    _ => self.recent.push_back((bar, fill.qty.0)),
                }
                self.wash_total += fill.qty;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<WashConfig, String> {
        toml::from_str(src).map_err(|e| e.to_string())
    }

    #[test]
    fn clip_distributions_draw_within_their_ranges() {
        let mut rng = crate::rng::AgentRng::new(1, "clip");
        let clip = Qty(4321);
        assert_eq!(parse("clip_dist = \"log_uniform\"").unwrap().clip_dist, ClipDist::LogUniform);
        for _ in 0..500 {
            let u = ClipDist::Uniform.draw(clip, &mut rng).0;
            assert!((2160..=4321).contains(&u), "{u}");
            let l = ClipDist::LogUniform.draw(clip, &mut rng).0;
            assert!((432..=4321).contains(&l), "{l}");
            let r = ClipDist::Round.draw(clip, &mut rng).0;
            assert!([2000, 3000, 4000].contains(&r), "{r}");
        }
    }

    #[test]
    fn defaults_and_units_parse() {
        assert_eq!(parse("").unwrap(), WashConfig::default());
        let c = parse("target_wash_share = 0.5\nwindow = \"30m\"\ninterval = \"10s\"").unwrap();
        assert_eq!((c.target_wash_share, c.window, c.interval), (0.5, Dur(1_800_000_000_000), Dur(10_000_000_000)));
        assert_eq!(c.window_bars(), 30);
        let err = parse("target_share = 0.5").unwrap_err();
        assert!(err.contains("unknown field") && err.contains("target_wash_share"), "{err}");
    }

    #[test]
    fn check_names_bad_parameters() {
        let m = crate::testkit::market();
        assert!(WashConfig::default().check(&m).is_empty());
        let bad = WashConfig {
            target_wash_share: 1.0,
            window: Dur(2 * 86_400_000_000_000),
            max_clip_tokens: 0.0,
            min_tokens_per_hour: -1.0,
            ..WashConfig::default()
        };
        let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
        assert_eq!(keys, ["target_wash_share", "window", "max_clip_tokens", "min_tokens_per_hour"]);
    }
}
