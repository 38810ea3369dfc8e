//! `kpi_gamer`: a market maker that games the exchange's KPI snapshots — the `kpi_minimal` quoter
//! of `mmsim stress` (one level a side, the KPI depth, the KPI spread) showing its quotes only where
//! the monitor looks.
//!
//! An exchange scores a market maker from snapshots of its quotes every `snapshot_every` (10 s on
//! the published programme: a snapshot counts when the MM shows the required size within a band
//! around the mid on both sides; see `contracts::kpi`). Two ways to pass without providing the
//! liquidity the KPI stands for, either or both:
//! - **flicker**: quotes rest only from `lead` before each snapshot instant (every multiple of
//!   `snapshot_every` from the start) until `hold` after it, and are cancelled in between;
//! - **park at the band edge**: quotes sit just inside the edge of the depth band,
//!   `depth_band − park_inside_bps` from the mid, where they count towards the depth KPI but are
//!   almost never traded against; without it they sit `spread_bps / 2` either side of the mid.
//!
//! Without flicker it replaces its quotes every `requote_every`. Each side carries `depth_tokens`
//! (clamped to its free cash and tokens). Every order is post-only and labelled
//! [`Intent::KpiGaming`], the ground truth `mmsim detect`'s `kpi_gaming` detector is scored on.

use serde::Deserialize;

use super::behaviour::{check_positive, check_unit, AgentSetup, Market, ParamIssue};
use super::orders::{quote_price, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::types::{Intent, Side, SimTime};
use crate::units::Dur;

/// Parameters of `kpi_gamer`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KpiGamerConfig {
    /// The exchange's KPI snapshot interval. Default `"10s"`.
    pub snapshot_every: Dur,
    /// Quote only around the snapshots (see the module doc). Default true.
    pub flicker: bool,
    /// With `flicker`: quotes are placed this long before each snapshot. Default `"1s"`.
    pub lead: Dur,
    /// With `flicker`: quotes are cancelled this long after each snapshot. Default `"1s"`.
    pub hold: Dur,
    /// Park the quotes just inside the edge of the depth band. Default false.
    pub park_at_band: bool,
    /// The depth band of the KPI, relative to the mid (0.02 = ±2%). Default 0.02.
    pub depth_band: f64,
    /// With `park_at_band`: how far inside the band edge the quotes sit, bps. Default 5.
    pub park_inside_bps: f64,
    /// Without `park_at_band`: the quoted spread, bps. Default 100.
    pub spread_bps: f64,
    /// Tokens quoted on each side. Default 1000.
    pub depth_tokens: f64,
    /// Without `flicker`: time between requotes. Default `"5s"`.
    pub requote_every: Dur,
}

impl Default for KpiGamerConfig {
    fn default() -> Self {
        KpiGamerConfig {
            snapshot_every: Dur(10_000_000_000),
            flicker: true,
            lead: Dur(1_000_000_000),
            hold: Dur(1_000_000_000),
            park_at_band: false,
            depth_band: 0.02,
            park_inside_bps: 5.0,
            spread_bps: 100.0,
            depth_tokens: 1000.0,
            requote_every: Dur(5_000_000_000),
        }
    }
}

impl KpiGamerConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &Market) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        if self.snapshot_every.nanos() == 0 {
            issues.push(ParamIssue::new("snapshot_every", "must be > 0"));
        }
        if self.flicker && self.lead.nanos() == 0 {
            issues.push(ParamIssue::new("lead", "must be > 0 with flicker"));
        }
        if self.flicker && self.lead.nanos() + self.hold.nanos() >= self.snapshot_every.nanos() {
            issues.push(ParamIssue::new("lead", "lead + hold must be shorter than snapshot_every"));
        }
        if self.requote_every.nanos() == 0 {
            issues.push(ParamIssue::new("requote_every", "must be > 0"));
        }
        check_unit(&mut issues, "depth_band", self.depth_band);
        if self.park_inside_bps < 0.0 || self.park_inside_bps >= self.depth_band * 1e4 {
            issues.push(ParamIssue::new("park_inside_bps", "must lie in [0, depth_band × 10⁴)"));
        }
        check_positive(&mut issues, "spread_bps", self.spread_bps);
        check_positive(&mut issues, "depth_tokens", self.depth_tokens);
        issues
    }
}

/// A KPI-gaming market maker (see the module doc).
#[derive(Clone, Debug)]
pub struct KpiGamer {
    config: KpiGamerConfig,
    market: Market,
    orders: Tracker,
    /// With flicker: true while the quotes of the coming snapshot are up.
    up: bool,
}

impl KpiGamer {
    /// Builds the agent; it trades `setup.accounts[0]`.
    pub fn new(config: KpiGamerConfig, setup: AgentSetup) -> Self {
        let orders = Tracker::new(setup.accounts.first().copied());
        KpiGamer { config, market: setup.market, orders, up: false }
    }

    /// The next snapshot instant strictly after `now` (ns).
    fn next_snapshot(&self, now: SimTime) -> u64 {
        let p = self.config.snapshot_every.nanos().max(1);
        (now.nanos() / p + 1) * p
    }

    fn place(&mut self, ctx: &mut AgentCtx<'_>) {
        let mid = ctx.market.mid().unwrap_or(self.market.open_price.0 as f64);
        let d = if self.config.park_at_band {
            self.config.depth_band - self.config.park_inside_bps / 1e4
        } else {
            self.config.spread_bps / 2e4
        };
        let qty = self.market.lots(self.config.depth_tokens);
        // Bids round up and asks down, so a parked quote stays inside the band.
        let bid = quote_price((mid * (1.0 - d)).ceil());
        let ask = quote_price((mid * (1.0 + d)).floor().max(bid.0 as f64 + 1.0));
        self.orders.submit(ctx, Side::Buy, OrderType::PostOnly, bid, qty, Intent::KpiGaming);
        self.orders.submit(ctx, Side::Sell, OrderType::PostOnly, ask, qty, Intent::KpiGaming);
    }
}

impl Agent for KpiGamer {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_all(ctx);
        if !self.config.flicker {
            self.place(ctx);
            ctx.wake_in(self.config.requote_every.nanos());
            return;
        }
        let next = self.next_snapshot(ctx.now);
        let (lead, hold) = (self.config.lead.nanos(), self.config.hold.nanos());
        if self.up {
            // The snapshot has passed: quotes are down until the next one comes near.
            self.up = false;
            ctx.wake_at(SimTime(next - lead));
        } else if next - ctx.now.nanos() <= lead {
            self.place(ctx);
            self.up = true;
            ctx.wake_at(SimTime(next + hold));
        } else {
            ctx.wake_at(SimTime(next - lead));
        }
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        self.orders.on_event(ev, ctx);
    }
}
