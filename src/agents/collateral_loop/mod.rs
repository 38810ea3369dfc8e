//! `collateral_loop`: the token used as collateral to borrow a stable asset that buys more of the
//! token, until a price drop gets the position liquidated.
//!
//! **Two roles in one agent.** Agents cannot move value between accounts (only trade), so the
//! lending account and the borrower share one exchange account:
//! - the **lender**'s stable asset is `credit_line_quote` of the account's starting cash (by default
//!   all of it). It is lent as the borrower spends it, so the debt is read off the ledger:
//!   `debt = max(credit_line − cash, 0)` (fees paid from borrowed cash are borrowed too, and sale
//!   proceeds repay the debt as they come in). There is no interest.
//! - the **borrower** holds the account's tokens as collateral, valued at the last trade price
//!   (`collateral = tokens × last`), and any cash above the credit line as its own.
//!   `LTV = debt / collateral`, `equity = collateral + cash − credit_line`, and
//!   `leverage = collateral / equity` (1 with no debt; unbounded as equity nears 0).
//!
//! The summary's PnL of the group is therefore the borrower's and the lender's together; the lender
//! loses only when the collateral no longer covers the debt ([`LoopStats::bad_debt`]).
//!
//! Phases, in this order (reported by [`Agent::phase`] for charts; ground truth):
//! 1. **`leveraging`** — each decision, while `LTV < max_ltv`, the borrower borrows up to
//!    `borrow_clip_quote` (never past `max_ltv` of the collateral) and buys tokens with an IOC
//!    reaching `buy_step_bps` above the last price. The tokens bought are more collateral, and the
//!    buying lifts the last price, which revalues all the collateral: more can be borrowed — the
//!    spiral. Ends at `lever_until` (then **`holding`**: no new borrowing).
//! 2. **`liquidating`** — whenever `LTV ≥ liquidation_ltv` (from any phase) the lender sells
//!    collateral with IOCs reaching `liquidation_slippage_bps` below the best bid, enough to bring
//!    the ratio back to `liquidation_target_ltv` at the last price, each decision until it is
//!    there. Its sales push the price down, which can breach the limit again: the unwind.
//! 3. **`deleveraged`** — the ratio is restored; the borrower holds what is left (or levers up
//!    again with `relever = true`), and a new breach starts a new liquidation.
//! 4. **`wiped_out`** — no collateral is left while debt remains: the rest is the lender's bad debt.
//!
//! Every order is an IOC labelled [`Intent::Other`] (the crate has no dedicated label for leveraged
//! buying or liquidations). Orders are sized within free balances less in-flight orders (see
//! [`super::orders`]), and the agent decides nothing while an order is in flight.

mod config;
#[cfg(test)]
mod tests;

pub use config::CollateralLoopConfig;

use super::behaviour::{AgentSetup, Market};
use super::orders::{affordable, quote_price, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::types::{Cash, Intent, Price, Qty, Side, SimTime};

/// The phases of [`CollateralLoop`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Borrowing and buying while the ratio allows.
    Leveraging,
    /// Past `lever_until`: no new borrowing.
    Holding,
    /// The lender is selling collateral.
    Liquidating,
    /// The ratio was restored after a liquidation.
    Deleveraged,
    /// No collateral left, debt outstanding.
    WipedOut,
}

/// What [`Agent::phase`] reports (the phase's name is [`super::Phase::name`]).
impl From<Phase> for super::Phase {
    fn from(p: Phase) -> super::Phase {
        match p {
            Phase::Leveraging => super::Phase::Leveraging,
            Phase::Holding => super::Phase::Holding,
            Phase::Liquidating => super::Phase::Liquidating,
            Phase::Deleveraged => super::Phase::Deleveraged,
            Phase::WipedOut => super::Phase::WipedOut,
        }
    }
}

/// The position as one decision saw it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoopSample {
    /// When.
    pub t: SimTime,
    /// The last trade price the collateral is valued at.
    pub price: Price,
    /// Tokens held.
    pub tokens: Qty,
    /// Collateral value, tokens × price.
    pub collateral: Cash,
    /// Debt to the lender.
    pub debt: Cash,
    /// Debt / collateral (0 with no debt; infinite with debt and no collateral).
    pub ltv: f64,
    /// Collateral / equity; `None` when the equity is ≤ 0 (underwater).
    pub leverage: Option<f64>,
}

/// Figures over the run, for tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoopStats {
    /// Highest leverage seen at a decision.
    pub peak_leverage: f64,
    /// Highest debt seen at a decision.
    pub peak_debt: Cash,
    /// Liquidation episodes (entries into `liquidating`).
    pub liquidations: u32,
    /// Lots sold by the lender.
    pub liquidated_lots: i64,
    /// What those sales raised, before fees.
    pub liquidation_proceeds: Cash,
    /// Lots bought with borrowed cash.
    pub bought_lots: i64,
    /// Debt the collateral did not cover at the last decision (the lender's loss), ≥ 0.
    pub bad_debt: Cash,
}

/// A leveraged holder and its lender (see the module doc).
#[derive(Clone, Debug)]
pub struct CollateralLoop {
    config: CollateralLoopConfig,
    market: Market,
    orders: Tracker,
    credit_line: Cash,
    phase: Phase,
    transitions: Vec<(SimTime, Phase)>,
    history: Vec<LoopSample>,
    stats: LoopStats,
}

impl CollateralLoop {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: CollateralLoopConfig, setup: AgentSetup) -> Self {
        CollateralLoop {
            config,
            orders: Tracker::new(setup.accounts.first().copied()),
            market: setup.market,
            credit_line: Cash::ZERO,
            phase: Phase::Leveraging,
            transitions: vec![(SimTime::ZERO, Phase::Leveraging)],
            history: Vec::new(),
            stats: LoopStats::default(),
        }
    }

    /// The current phase.
    pub fn current_phase(&self) -> Phase {
        self.phase
    }

    /// When each phase began, in order (the first is `leveraging` at time 0).
    pub fn transitions(&self) -> &[(SimTime, Phase)] {
        &self.transitions
    }

    /// The position at every decision, oldest first.
    pub fn history(&self) -> &[LoopSample] {
        &self.history
    }

    /// Figures over the run.
    pub fn loop_stats(&self) -> &LoopStats {
        &self.stats
    }

    /// Counters over the agent's orders.
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    /// The lender's cash in the account at the start, in cash atoms.
    pub fn credit_line(&self) -> Cash {
        self.credit_line
    }

    fn enter(&mut self, phase: Phase, now: SimTime) {
        if phase != self.phase {
            if phase == Phase::Liquidating {
                self.stats.liquidations += 1;
            }
            self.phase = phase;
            self.transitions.push((now, phase));
        }
    }

    /// The position now, valued at the last trade price.
    fn measure(&self, ctx: &AgentCtx<'_>) -> LoopSample {
        let price = ctx.market.tape.last_price().unwrap_or(self.market.open_price);
        let tokens = self.orders.tokens(&ctx.market);
        let cash = self.orders.cash(&ctx.market);
        let collateral = Cash::notional(price, tokens);
        let debt = (self.credit_line - cash).max(Cash::ZERO);
        let equity = collateral + cash - self.credit_line;
        let ltv = match (debt.0, collateral.0) {
            (0, _) => 0.0,
            (_, 0) => f64::INFINITY,
            (d, c) => d as f64 / c as f64,
        };
        let leverage = (equity.0 > 0).then(|| collateral.0 as f64 / equity.0 as f64);
        LoopSample { t: ctx.now, price, tokens, collateral, debt, ltv, leverage }
    }

    fn record(&mut self, s: &LoopSample) {
        let st = &mut self.stats;
        if let Some(l) = s.leverage {
            st.peak_leverage = st.peak_leverage.max(l);
        }
        st.peak_debt = st.peak_debt.max(s.debt);
        st.bad_debt = (s.debt - s.collateral).max(Cash::ZERO);
        self.history.push(*s);
    }

    /// Borrows (within `max_ltv`) and buys tokens with an IOC.
    fn lever_up(&mut self, ctx: &mut AgentCtx<'_>, s: &LoopSample) {
        let c = &self.config;
        let own = (self.orders.cash(&ctx.market) - self.credit_line).max(Cash::ZERO);
        let room = own.0 as f64 + c.max_ltv * s.collateral.0 as f64 - s.debt.0 as f64;
        let atom = self.market.units().atom_f64();
        let clip = c.borrow_clip_quote / atom;
        let spend = Cash(room.min(clip).max(0.0).floor() as i128).min(self.orders.free_cash(&ctx.market));
        let limit = quote_price(s.price.0 as f64 * (1.0 + c.buy_step_bps / 10_000.0));
        let limit = match ctx.market.book.best_ask() {
            Some(ask) if ask > limit => return, // nothing to buy within the step
            _ => limit,
        };
        let qty = affordable(spend, limit);
        if qty.0 > 0 {
            self.orders.submit(ctx, Side::Buy, OrderType::Ioc, limit, qty, Intent::Other);
        }
    }

    /// Sells enough collateral to bring the ratio back to the target at the last price.
    fn liquidate(&mut self, ctx: &mut AgentCtx<'_>, s: &LoopSample) {
        let t = self.config.target_ltv();
        let excess = (s.debt.0 as f64 - t * s.collateral.0 as f64) / (1.0 - t);
        let lots = (excess / s.price.0.max(1) as f64).ceil().max(1.0) as i64;
        let bid = ctx.market.book.best_bid().unwrap_or(s.price);
        let floor = bid.0 as f64 * (1.0 - self.config.liquidation_slippage_bps / 10_000.0);
        let limit = quote_price(floor);
        self.orders.submit(ctx, Side::Sell, OrderType::Ioc, limit, Qty(lots), Intent::Other);
    }

    fn decide(&mut self, ctx: &mut AgentCtx<'_>) {
        let s = self.measure(ctx);
        self.record(&s);
        let c = self.config.clone();
        if s.debt.0 > 0 && s.tokens.0 <= 0 {
            self.enter(Phase::WipedOut, ctx.now);
            return;
        }
        let breached = s.ltv >= c.liquidation_ltv;
        let restoring = self.phase == Phase::Liquidating && s.ltv > c.target_ltv();
        if breached || restoring {
            self.enter(Phase::Liquidating, ctx.now);
            self.liquidate(ctx, &s);
            return;
        }
        if self.phase == Phase::Liquidating {
            let next = if c.relever { Phase::Leveraging } else { Phase::Deleveraged };
            self.enter(next, ctx.now);
        }
        if self.phase == Phase::Leveraging && c.lever_until.is_some_and(|d| ctx.now.nanos() >= d.nanos()) {
            self.enter(Phase::Holding, ctx.now);
        }
        if self.phase == Phase::Leveraging && s.ltv < c.max_ltv {
            self.lever_up(ctx, &s);
        }
    }
}

impl Agent for CollateralLoop {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            let cash = self.orders.cash(&ctx.market);
            self.credit_line = self.config.credit_line(&self.market).map_or(cash, |l| l.min(cash));
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        if !self.orders.in_flight() {
            self.decide(ctx);
        }
        if self.phase != Phase::WipedOut {
            wake_after(ctx, self.config.interval);
        }
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        let Some(fill) = self.orders.on_event(ev, ctx) else { return };
        match fill.side {
            Side::Buy => self.stats.bought_lots += fill.qty.0,
            Side::Sell => {
                self.stats.liquidated_lots += fill.qty.0;
                self.stats.liquidation_proceeds += Cash::notional(fill.price, fill.qty);
            }
        }
    }

    fn phase(&self) -> Option<super::Phase> {
        Some(self.phase.into())
    }
}
