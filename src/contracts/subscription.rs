//! `subscription`: a market maker quotes the project's own account for a fee per period, judged on
//! KPIs.
//!
//! The MM group trades the payer's account (its `trades_for`, usually the project), so the payer
//! bears the trading gains and losses; or it quotes from its own accounts (no `trades_for`: e.g.
//! with the tokens of a loan it also holds), and the payer only pays the fee (to `fee_account`, by
//! default the group's own first account). From `start`, the contract runs back-to-back periods of
//! `period` (for `periods` periods, or until the run ends). A [`KpiMonitor`] snapshots the group's
//! own orders every `snapshot_every`; a snapshot at a period's end belongs to the next period.
//!
//! **At each period's end** the KPIs are judged (see `kpi.rs`) and the fee is paid in arrears from
//! the payer to `fee_account`: in full when every KPI was met; after a miss, nothing
//! (`on_miss = "withhold"`) or the fee less the cut (`"cut:50%"`, rounded down to the atom). A fee
//! the payer cannot cover from free cash is paid in part and the rest recorded as unpaid. A missed
//! period also costs the MM `penalty_per_miss`, paid to the payer out of the fee account (when the
//! MM trades the payer's account) or the MM's own accounts, as far as their free cash goes.
//! `terminate_after_misses` missed periods in a row end the contract: it stops paying and
//! monitoring, records when, and revokes the MM's access to the payer's account (its resting
//! orders there are cancelled; a passive MM stops at its next wake-up; an MM quoting its own
//! accounts keeps them and is only no longer paid). Access is one grant per
//! MM and account: when several subscriptions engage the same MM group for the same account, the
//! first one terminated ends it for all.
//!
//! **When the run ends mid-period** the partial period is reported unsettled: KPIs measured so far,
//! no fee.
//!
//! `project_trading_pnl` is the traded account's change in value while the contract ran, marked at
//! the last price, net of everything any contract moved into or out of it (fees, loans, deposits):
//! when several MMs share the account it is their joint result.

mod report;

pub use report::{PeriodSummary, SubscriptionSummary};

use super::kpi::{KpiMonitor, KpiPeriod};
use super::report::Transfer;
use super::spec::{OnMiss, SubscriptionTerms};
use super::{Applied, Contract, ContractCommand, ContractCtx, TimerKey};
use crate::ledger::AccountId;
use crate::types::{AgentId, Cash, Price, Qty, SimTime};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One period's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodResult {
    /// The KPI figures and verdicts.
    pub kpi: KpiPeriod,
    /// False for a period cut short by the run's end (no fee was due).
    pub settled: bool,
    /// The fee for the period (zero when unsettled).
    pub fee_due: Cash,
    /// What was paid.
    pub fee_paid: Cash,
    /// What the miss rule withheld.
    pub fee_withheld: Cash,
    /// What was due but the payer could not pay.
    pub fee_unpaid: Cash,
    /// Penalty the MM paid for missing the period.
    pub penalty_paid: Cash,
}

/// A subscription (kind `subscription`).
#[derive(Clone, Debug)]
pub struct Subscription {
    name: String,
    terms: SubscriptionTerms,
    payer: AccountId,
    fee_account: AccountId,
    /// Where the MM's penalties are paid from.
    penalty_from: Vec<AccountId>,
    agents: Vec<AgentId>,
    monitor: KpiMonitor,
    begun: Option<SimTime>,
    done: bool,
    period_start: SimTime,
    next_snapshot: SimTime,
    misses_in_row: u32,
    terminated_at: Option<SimTime>,
    /// The MM's orders cancelled on the payer's account when the contract was terminated.
    revoked_orders: u32,
    periods: Vec<PeriodResult>,
    account_start: (Cash, Qty),
    end: Option<(Price, (Cash, Qty))>,
    transfers: Vec<Transfer>,
}

impl Subscription {
    /// A subscription of the group of `agents` quoting for `payer` (on its account, or on their
    /// own when the terms say so), paying `fee_account`; penalties are paid from `penalty_from`.
    pub fn new(
        name: &str,
        terms: SubscriptionTerms,
        payer: AccountId,
        fee_account: AccountId,
        penalty_from: Vec<AccountId>,
        agents: Vec<AgentId>,
    ) -> Self {
        let monitor = KpiMonitor::new(terms.kpis.clone(), agents.clone(), terms.start);
        Subscription {
            name: name.to_string(),
            period_start: terms.start,
            next_snapshot: terms.start,
            terms,
            payer,
            fee_account,
            penalty_from,
            agents,
            monitor,
            begun: None,
            done: false,
            misses_in_row: 0,
            terminated_at: None,
            revoked_orders: 0,
            periods: Vec::new(),
            account_start: (Cash::ZERO, Qty::ZERO),
            end: None,
            transfers: Vec::new(),
        }
    }

    /// The contract's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The terms.
    pub fn terms(&self) -> &SubscriptionTerms {
        &self.terms
    }

    /// The periods so far (the last one unsettled if the run ended inside it).
    pub fn periods(&self) -> &[PeriodResult] {
        &self.periods
    }

    /// When the contract was ended for missed KPIs.
    pub fn terminated_at(&self) -> Option<SimTime> {
        self.terminated_at
    }

    /// When the first period began (the account's value is measured from then).
    pub fn begun(&self) -> Option<SimTime> {
        self.begun
    }

    /// The monitor (its last snapshot, thresholds, agents).
    pub fn monitor(&self) -> &KpiMonitor {
        &self.monitor
    }

    /// Value moved between accounts.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    fn volumes(&self, ctx: &ContractCtx<'_>) -> (Cash, Cash) {
        let mine = self.agents.iter().fold(Cash::ZERO, |c, &a| c + ctx.agent_volume(a));
        (mine, ctx.market_volume())
    }

    fn period_end(&self) -> SimTime {
        self.period_start.plus_nanos(self.terms.period.nanos())
    }

    fn begin(&mut self, ctx: &mut ContractCtx<'_>) {
        self.begun = Some(ctx.now);
        self.account_start = ctx.holdings(&[self.payer]);
        let (v, m) = self.volumes(ctx);
        self.period_start = ctx.now;
        self.next_snapshot = ctx.now;
        self.monitor.begin_period(ctx.now, v, m);
    }

    /// The fee actually due after the miss rule: (to pay, withheld).
    pub fn fee_after(&self, met: bool) -> (Cash, Cash) {
        let fee = self.terms.fee_per_period;
        match (met, self.terms.on_miss) {
            (true, _) => (fee, Cash::ZERO),
            (false, OnMiss::Withhold) => (Cash::ZERO, fee),
            (false, OnMiss::Cut(cut)) => {
                let withheld = (Decimal::from_i128_with_scale(fee.0, 0) * cut).floor().to_i128().unwrap_or(fee.0);
                let withheld = Cash(withheld.clamp(0, fee.0));
                (fee - withheld, withheld)
            }
        }
    }

    fn close_period(&mut self, ctx: &mut ContractCtx<'_>) {
        let (v, m) = self.volumes(ctx);
        let kpi = self.monitor.close_period(ctx.now, v, m);
        let met = kpi.met();
        let (pay, withheld) = self.fee_after(met);
        let paid = ctx.pay_from(&mut self.transfers, &[self.payer], self.fee_account, pay);
        let penalty = if met { Cash::ZERO } else { self.terms.penalty_per_miss };
        let penalty_from = self.penalty_from.clone();
        let penalty_paid = ctx.pay_from(&mut self.transfers, &penalty_from, self.payer, penalty);
        self.periods.push(PeriodResult {
            kpi,
            settled: true,
            fee_due: self.terms.fee_per_period,
            fee_paid: paid,
            fee_withheld: withheld,
            fee_unpaid: pay - paid,
            penalty_paid,
        });
        self.misses_in_row = if met { 0 } else { self.misses_in_row + 1 };
        let limit = self.terms.terminate_after_misses;
        if limit > 0 && self.misses_in_row >= limit {
            self.terminated_at = Some(ctx.now);
            self.done = true;
            for &agent in self.agents.iter().filter(|_| !self.terms.own_accounts) {
                if let Ok(Applied::Cancelled(n)) = ctx.apply(ContractCommand::Revoke { account: self.payer, agent }) {
                    self.revoked_orders += n;
                }
            }
        } else if self.terms.periods.is_some_and(|n| self.periods.len() as u32 >= n) {
            self.done = true;
        } else {
            self.period_start = ctx.now;
            self.monitor.begin_period(ctx.now, v, m);
        }
    }

    fn step(&mut self, ctx: &mut ContractCtx<'_>) {
        if self.done {
            return;
        }
        if self.begun.is_none() {
            if ctx.now < self.terms.start {
                ctx.wake_at(self.terms.start, TimerKey::MAIN);
                return;
            }
            self.begin(ctx);
        }
        if ctx.now >= self.period_end() {
            self.close_period(ctx);
            if self.done {
                return;
            }
        }
        if ctx.now >= self.next_snapshot {
            let orders = ctx.orders_of(&self.agents);
            self.monitor.snapshot(ctx.now, ctx.book(), orders);
            let every = self.terms.kpis.snapshot_every.nanos().max(1);
            while self.next_snapshot <= ctx.now {
                self.next_snapshot = self.next_snapshot.plus_nanos(every);
            }
        }
        ctx.wake_at(self.next_snapshot.min(self.period_end()), TimerKey::MAIN);
    }
}

impl Contract for Subscription {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }

    fn on_timer(&mut self, _key: TimerKey, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }

    fn finish(&mut self, ctx: &mut ContractCtx<'_>) {
        if self.begun.is_some() && !self.done && ctx.now > self.period_start {
            let (v, m) = self.volumes(ctx);
            let kpi = self.monitor.close_period(ctx.now, v, m);
            self.periods.push(PeriodResult {
                kpi,
                settled: false,
                fee_due: Cash::ZERO,
                fee_paid: Cash::ZERO,
                fee_withheld: Cash::ZERO,
                fee_unpaid: Cash::ZERO,
                penalty_paid: Cash::ZERO,
            });
            self.done = true;
        }
        self.end = Some((ctx.spot(), ctx.holdings(&[self.payer])));
    }
}
