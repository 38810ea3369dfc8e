//! Contracts between a project and its market makers, settled on the simulation clock.
//!
//! A contract is woken by timers it schedules (signing, each period's end, expiry, KPI snapshots).
//! On a wake-up it may read the market and the exchange, move cash and tokens between accounts
//! through its [`ContractCtx`] (every transfer is recorded, so PnL and conservation stay exact), and
//! schedule its next timer. At the end of the run it reports its settlement figures.
//!
//! The kinds ([`AnyContract`]):
//! - [`TokenLoan`] (`token_loan.rs`): tokens lent to an MM with call options valued by
//!   Black–Scholes (`options.rs`) at signing, exercised or returned at expiry;
//! - [`Subscription`] (`subscription.rs`): an MM quotes the project's account for a fee per period,
//!   judged on KPIs measured from its own orders by a [`KpiMonitor`] (`kpi.rs`);
//! - [`Guarantee`] (`guarantee.rs`): a cash deposit with the exchange, released by how long the
//!   price stayed inside a band;
//! - [`ProceedsSplit`] (`proceeds.rs`): a share of what an MM makes selling, paid to an
//!   intermediary.
//!
//! Their terms come validated from the scenario ([`ContractSpec`], `spec.rs`); [`build`] resolves
//! names to accounts and agents. Reports (`report.rs`) are exact decimals in quote units.

mod build;
mod guarantee;
pub mod kpi;
pub mod options;
mod proceeds;
mod report;
pub mod spec;
mod subscription;
#[cfg(test)]
mod tests;
mod token_loan;

pub use build::{build, GroupRef, World};
pub use guarantee::{Guarantee, GuaranteeStatus, GuaranteeSummary};
pub use kpi::{KpiMonitor, KpiPeriod};
pub use proceeds::{ProceedsSplit, SplitSummary};
pub use report::{ContractFigure, ContractReport, ContractRow, ContractSummary, Transfer, COLUMNS};
pub use spec::{ContractKind, ContractSpec, ContractTerms};
pub use subscription::{PeriodResult, PeriodSummary, Subscription, SubscriptionSummary};
pub use token_loan::{LoanState, LoanStatus, LoanSummary, OptionSummary, Settled, Signing, TokenLoan};

use crate::agents::Tape;
use crate::exchange::Exchange;
use crate::ledger::{AccountId, LedgerError};
use crate::metrics::Recorder;
use crate::metrics::Units;
use crate::types::{AgentId, Cash, Price, Qty, SimTime};

/// What a contract can reach during a wake-up.
#[derive(Debug)]
pub struct ContractCtx<'a> {
    /// Current simulated time.
    pub now: SimTime,
    /// The exchange: book (read), ledger (through the transfer methods), watched agents' orders.
    pub exchange: &'a mut Exchange,
    /// The tape (last price, recent bars).
    pub tape: &'a Tape,
    recorder: &'a mut Recorder,
    timers: &'a mut Vec<SimTime>,
}

impl<'a> ContractCtx<'a> {
    /// A context; the engine makes one per wake-up.
    pub fn new(
        now: SimTime,
        exchange: &'a mut Exchange,
        tape: &'a Tape,
        recorder: &'a mut Recorder,
        timers: &'a mut Vec<SimTime>,
    ) -> Self {
        ContractCtx { now, exchange, tape, recorder, timers }
    }

    /// Wakes this contract again at `at` (not before now).
    pub fn wake_at(&mut self, at: SimTime) {
        self.timers.push(at.max(self.now));
    }

    /// Moves free cash between accounts and records it.
    ///
    /// # Errors
    /// When `from` lacks the free cash; nothing moves.
    pub fn transfer_cash(&mut self, from: AccountId, to: AccountId, amount: Cash) -> Result<(), LedgerError> {
        self.exchange.ledger_mut().transfer_cash(from, to, amount)?;
        self.recorder.on_cash_transfer(from, to, amount);
        Ok(())
    }

    /// Value `agent` has traded so far (either side; see [`Recorder::agent_volume`]).
    pub fn agent_volume(&self, agent: AgentId) -> Cash {
        self.recorder.agent_volume(agent)
    }

    /// Value the whole market has traded so far.
    pub fn market_volume(&self) -> Cash {
        self.recorder.totals().volume
    }

    /// The spot: the last trade price, or the opening price before any trade.
    pub fn spot(&self) -> Price {
        spot(self.tape)
    }

    /// Moves free tokens between accounts and records it.
    ///
    /// # Errors
    /// When `from` lacks the free tokens; nothing moves.
    pub fn transfer_tokens(&mut self, from: AccountId, to: AccountId, qty: Qty) -> Result<(), LedgerError> {
        self.exchange.ledger_mut().transfer_tokens(from, to, qty)?;
        self.recorder.on_token_transfer(from, to, qty);
        Ok(())
    }
}

impl ContractCtx<'_> {
    /// Moves cash like [`ContractCtx::transfer_cash`] and logs it in `log`.
    ///
    /// # Errors
    /// When `from` lacks the free cash; nothing moves.
    pub fn pay(
        &mut self,
        log: &mut Vec<Transfer>,
        from: AccountId,
        to: AccountId,
        cash: Cash,
    ) -> Result<(), LedgerError> {
        self.transfer_cash(from, to, cash)?;
        log.push(Transfer { at: self.now, from, to, cash, tokens: Qty::ZERO });
        Ok(())
    }

    /// Moves tokens like [`ContractCtx::transfer_tokens`] and logs it in `log`.
    ///
    /// # Errors
    /// When `from` lacks the free tokens; nothing moves.
    pub fn deliver(
        &mut self,
        log: &mut Vec<Transfer>,
        from: AccountId,
        to: AccountId,
        qty: Qty,
    ) -> Result<(), LedgerError> {
        self.transfer_tokens(from, to, qty)?;
        log.push(Transfer { at: self.now, from, to, cash: Cash::ZERO, tokens: qty });
        Ok(())
    }

    /// Free cash of `accounts` together.
    pub fn free_cash(&self, accounts: &[AccountId]) -> Cash {
        accounts.iter().fold(Cash::ZERO, |c, &id| c + self.exchange.ledger().account(id).cash_free)
    }

    /// Free tokens of `accounts` together.
    pub fn free_tokens(&self, accounts: &[AccountId]) -> Qty {
        accounts.iter().fold(Qty::ZERO, |q, &id| q + self.exchange.ledger().account(id).tokens_free)
    }

    /// Pays up to `cash` to `to` out of the free cash of `from`, in order; returns what was paid.
    pub fn pay_from(&mut self, log: &mut Vec<Transfer>, from: &[AccountId], to: AccountId, cash: Cash) -> Cash {
        let mut left = cash;
        for &id in from {
            let take = left.min(self.exchange.ledger().account(id).cash_free.max(Cash::ZERO));
            if take > Cash::ZERO && self.pay(log, id, to, take).is_ok() {
                left -= take;
            }
        }
        cash - left
    }

    /// Cancels `agent`'s resting orders (only those on `account`, when given); the agent is not
    /// told. Returns how many were cancelled.
    pub fn cancel_orders(&mut self, agent: AgentId, account: Option<AccountId>) -> u32 {
        let on = account.map(|a| crate::types::TraderId(a.0));
        let ids: Vec<_> =
            self.exchange.orders_of(agent).filter(|o| on.is_none_or(|t| o.trader == t)).map(|o| o.id).collect();
        ids.into_iter().filter(|&id| self.exchange.cancel(agent, id).is_ok()).count() as u32
    }

    /// Ends `agent`'s right to trade `account`: its orders resting there are cancelled first (the
    /// agent is not told; its next order on the account is rejected `not_authorized`). Returns how
    /// many orders were cancelled.
    pub fn revoke(&mut self, account: AccountId, agent: AgentId) -> u32 {
        let cancelled = self.cancel_orders(agent, Some(account));
        self.exchange.ledger_mut().revoke(account, agent);
        cancelled
    }

    /// Records a token loan of `qty` from `lender` to `borrower` for PnL (negative: it ended).
    pub fn record_loan(&mut self, lender: AccountId, borrower: AccountId, qty: Qty) {
        self.recorder.on_loan(lender, borrower, qty);
    }

    /// Delivers up to `qty` tokens to `to` out of the free tokens of `from`, in order; returns
    /// what was delivered.
    pub fn deliver_from(&mut self, log: &mut Vec<Transfer>, from: &[AccountId], to: AccountId, qty: Qty) -> Qty {
        let mut left = qty;
        for &id in from {
            let take = left.min(self.exchange.ledger().account(id).tokens_free);
            if take > Qty::ZERO && self.deliver(log, id, to, take).is_ok() {
                left -= take;
            }
        }
        qty - left
    }
}

/// The behaviour every contract implements.
pub trait Contract {
    /// Called once at the start of the run: sign, transfer, schedule the first timer.
    fn start(&mut self, ctx: &mut ContractCtx<'_>);
    /// A timer this contract scheduled has fallen due.
    fn on_timer(&mut self, ctx: &mut ContractCtx<'_>);
    /// Called once when the run ends (settle what is still open, e.g. mark a loan not yet due).
    fn finish(&mut self, _ctx: &mut ContractCtx<'_>) {}
    /// `agent` says it is done with what it borrowed (see [`crate::agents::AgentCtx::end_loans`]).
    fn on_borrower_done(&mut self, _agent: AgentId, _ctx: &mut ContractCtx<'_>) {}
}

/// The spot on `tape`: the last trade price, or the opening price before any trade.
pub fn spot(tape: &Tape) -> Price {
    tape.last_price().unwrap_or_else(|| tape.bars().next_back().map_or(Price(1), |b| b.close))
}

/// Cash and tokens (free plus locked) of `accounts` together.
pub fn holdings(exchange: &Exchange, accounts: &[AccountId]) -> (Cash, Qty) {
    accounts.iter().fold((Cash::ZERO, Qty::ZERO), |(c, q), &id| {
        let a = exchange.ledger().account(id);
        (c + a.cash(), q + a.tokens())
    })
}

/// Every contract type, dispatched by `match`.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum AnyContract {
    /// `token_loan`.
    TokenLoan(TokenLoan),
    /// `subscription`.
    Subscription(Subscription),
    /// `guarantee`.
    Guarantee(Guarantee),
    /// `proceeds_split`.
    ProceedsSplit(ProceedsSplit),
}

impl Contract for AnyContract {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        match self {
            AnyContract::TokenLoan(c) => c.start(ctx),
            AnyContract::Subscription(c) => c.start(ctx),
            AnyContract::Guarantee(c) => c.start(ctx),
            AnyContract::ProceedsSplit(c) => c.start(ctx),
        }
    }
    fn on_timer(&mut self, ctx: &mut ContractCtx<'_>) {
        match self {
            AnyContract::TokenLoan(c) => c.on_timer(ctx),
            AnyContract::Subscription(c) => c.on_timer(ctx),
            AnyContract::Guarantee(c) => c.on_timer(ctx),
            AnyContract::ProceedsSplit(c) => c.on_timer(ctx),
        }
    }
    fn finish(&mut self, ctx: &mut ContractCtx<'_>) {
        match self {
            AnyContract::TokenLoan(c) => c.finish(ctx),
            AnyContract::Subscription(c) => c.finish(ctx),
            AnyContract::Guarantee(c) => c.finish(ctx),
            AnyContract::ProceedsSplit(c) => c.finish(ctx),
        }
    }
    fn on_borrower_done(&mut self, agent: AgentId, ctx: &mut ContractCtx<'_>) {
        if let AnyContract::TokenLoan(c) = self {
            c.on_borrower_done(agent, ctx);
        }
    }
}

impl AnyContract {
    /// The contract's name.
    pub fn name(&self) -> &str {
        match self {
            AnyContract::TokenLoan(c) => c.name(),
            AnyContract::Subscription(c) => c.name(),
            AnyContract::Guarantee(c) => c.name(),
            AnyContract::ProceedsSplit(c) => c.name(),
        }
    }

    /// Value this contract moved between accounts, in time order.
    pub fn transfers(&self) -> &[Transfer] {
        match self {
            AnyContract::TokenLoan(c) => c.transfers(),
            AnyContract::Subscription(c) => c.transfers(),
            AnyContract::Guarantee(c) => c.transfers(),
            AnyContract::ProceedsSplit(c) => c.transfers(),
        }
    }

    /// This contract's summary entry and CSV rows, after [`Contract::finish`]. A subscription's
    /// `project_trading_pnl` leaves out only this contract's own transfers; use [`reports`] to leave
    /// out every contract's.
    pub fn report(&self, units: Units) -> ContractReport {
        match self {
            AnyContract::TokenLoan(c) => c.report(units),
            AnyContract::Subscription(c) => c.report(units, c.transfers()),
            AnyContract::Guarantee(c) => c.report(units),
            AnyContract::ProceedsSplit(c) => c.report(units),
        }
    }
}

/// The reports of every contract of a run, in order. The trading PnL of an account traded under a
/// subscription leaves out what *any* contract moved into or out of it after the subscription
/// began (at the same instant: contracts later in the list act after it, earlier ones before).
pub fn reports(contracts: &[AnyContract], units: Units) -> Vec<ContractReport> {
    contracts
        .iter()
        .enumerate()
        .map(|(i, c)| match c {
            AnyContract::Subscription(s) => {
                let since = s.begun().unwrap_or(SimTime(u64::MAX));
                let external: Vec<Transfer> = contracts
                    .iter()
                    .enumerate()
                    .flat_map(|(j, o)| {
                        o.transfers().iter().filter(move |t| t.at > since || (t.at == since && j >= i)).copied()
                    })
                    .collect();
                s.report(units, &external)
            }
            other => other.report(units),
        })
        .collect()
}
