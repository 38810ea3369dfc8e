//! Contracts between a project and its market makers, settled on the simulation clock.
//!
//! A contract is woken by timers it schedules (signing, each period's end, expiry, KPI snapshots),
//! each with a [`TimerKey`], and hears the agents' [`Signal`]s. On a wake-up it reads the market
//! and the ledger through its [`ContractCtx`] and acts only by [`ContractCommand`]s — transfers,
//! loan claims, cancelling an agent's orders, revoking its access — which the engine applies to the
//! ledger (the one record of holdings, so PnL and conservation stay exact) and reports to the
//! agents concerned. At the end of the run it reports its settlement figures.
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
//! A loan's [`Protections`] (`protections.rs`: collateral, penalties, sell caps, lock-up, recall)
//! cost the borrower on a breach; a run that ends with a loan open settles it then, as at expiry,
//! so every contract is settled when the run's figures are taken (see [`crate::accounting`]).
//!
//! Their terms come validated from the scenario ([`ContractSpec`], `spec.rs`); [`build`] resolves
//! names to accounts and agents. Reports (`report.rs`) are exact decimals in quote units.

mod build;
mod guarantee;
pub mod kpi;
pub mod options;
mod proceeds;
pub mod protections;
pub(crate) mod report;
pub mod spec;
mod subscription;
#[cfg(test)]
mod tests;
mod token_loan;

pub use build::{build, GroupRef, World};
pub use guarantee::{Guarantee, GuaranteeStatus, GuaranteeSummary};
pub use kpi::{KpiMonitor, KpiPeriod, KpiPoint};
pub use proceeds::{ProceedsSplit, SplitSummary};
pub use protections::{Clause, Holder, Protections};
pub use report::{ContractFigure, ContractReport, ContractRow, ContractSummary, Transfer, COLUMNS};
pub use spec::{ContractKind, ContractSpec, ContractTerms};
pub use subscription::{PeriodResult, PeriodSummary, Subscription, SubscriptionSummary};
pub use token_loan::{Breach, LoanState, LoanStatus, LoanSummary, OptionSummary, Settled, Signing, TokenLoan};

use crate::agents::AgentEvent;
use crate::book::{OrderBook, RestingOrder};
use crate::exchange::Exchange;
use crate::ledger::{Account, AccountId, LedgerError};
use crate::market::Tape;
use crate::metrics::Units;
use crate::types::{AgentId, Cash, Price, Qty, SimTime};

/// Which of a contract's timers fell due: contracts with several clocks (a KPI snapshot, a period
/// end) tell them apart by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerKey(pub u32);

impl TimerKey {
    /// The key of a contract with one clock.
    pub const MAIN: TimerKey = TimerKey(0);
}

/// Something a contract tells its agents (see [`crate::agents::AgentCtx::signal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The agent is done with the token loans it borrows under: a loan whose terms allow an early
    /// return settles as at expiry once every agent of the borrowing group has said so.
    LoansDone,
}

/// What a contract asks the engine to do. The engine applies it at once, so the contract sees
/// the result (e.g. the funds a cancellation freed), and tells the agents concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractCommand {
    /// Move free cash and free tokens from one account to another.
    Transfer {
        /// Paying account.
        from: AccountId,
        /// Receiving account.
        to: AccountId,
        /// Cash moved (≥ 0).
        cash: Cash,
        /// Tokens moved (≥ 0).
        tokens: Qty,
    },
    /// Record a loan claim: `lender` lent `tokens` to `borrower` (negative: the loan ended). No
    /// balance moves; PnL counts the claim as the lender's.
    Claim {
        /// The lending account.
        lender: AccountId,
        /// The borrowing account.
        borrower: AccountId,
        /// Tokens lent (negative: returned or written off).
        tokens: Qty,
    },
    /// Record a deposit: `holder` holds `cash` that belongs to `owner` (negative: the deposit
    /// ended, released or forfeited). No balance moves; PnL counts it as the owner's.
    Deposit {
        /// The depositing account.
        owner: AccountId,
        /// The account holding it.
        holder: AccountId,
        /// Cash deposited (negative: ended).
        cash: Cash,
    },
    /// Cancel `agent`'s resting orders (only those on `account`, when given); the agent is told of
    /// each cancellation.
    CancelOrdersOf {
        /// The agent.
        agent: AgentId,
        /// Only orders on this account.
        account: Option<AccountId>,
    },
    /// End `agent`'s right to trade `account`; its orders resting there are cancelled first (and
    /// it is told); its next order on the account is rejected `not_authorized`.
    Revoke {
        /// The account.
        account: AccountId,
        /// The agent losing access.
        agent: AgentId,
    },
}

/// What applying a [`ContractCommand`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The transfer or claim was made.
    Done,
    /// This many orders were cancelled.
    Cancelled(u32),
}

/// A contract's handle on the simulation during one callback: read-only queries of the market and
/// the ledger, and [`ContractCommand`]s the engine applies.
#[derive(Debug)]
pub struct ContractCtx<'a> {
    /// Current simulated time.
    pub now: SimTime,
    end: SimTime,
    exchange: &'a mut Exchange,
    tape: &'a Tape,
    timers: &'a mut Vec<(SimTime, TimerKey)>,
    notices: &'a mut Vec<(AgentId, AgentEvent)>,
}

impl<'a> ContractCtx<'a> {
    /// A context; the engine makes one per callback. The engine delivers `notices` to the agents
    /// after the callback and schedules `timers`.
    pub(crate) fn new(
        now: SimTime,
        end: SimTime,
        exchange: &'a mut Exchange,
        tape: &'a Tape,
        timers: &'a mut Vec<(SimTime, TimerKey)>,
        notices: &'a mut Vec<(AgentId, AgentEvent)>,
    ) -> Self {
        ContractCtx { now, end, exchange, tape, timers, notices }
    }

    /// Wakes this contract again at `at` (not before now) with `key`. Returns false when `at` is
    /// after the end of the run: that timer will not fire, and [`Contract::finish`] settles instead.
    pub fn wake_at(&mut self, at: SimTime, key: TimerKey) -> bool {
        let at = at.max(self.now);
        self.timers.push((at, key));
        at <= self.end
    }

    /// Applies `command` now.
    ///
    /// # Errors
    /// A transfer the paying account cannot cover (free balance) or with a negative amount; nothing
    /// moves then.
    pub fn apply(&mut self, command: ContractCommand) -> Result<Applied, LedgerError> {
        match command {
            ContractCommand::Transfer { from, to, cash, tokens } => {
                if cash < Cash::ZERO || tokens < Qty::ZERO {
                    return Err(LedgerError::NegativeAmount);
                }
                let ledger = self.exchange.ledger_mut();
                let (free_cash, free_tokens) = (ledger.account(from).cash_free, ledger.account(from).tokens_free);
                if tokens > free_tokens {
                    return Err(LedgerError::InsufficientTokens { needed: tokens.0, free: free_tokens.0 });
                }
                if cash > Cash::ZERO {
                    ledger.transfer_cash(from, to, cash).map_err(|e| match e {
                        LedgerError::InsufficientCash { needed, .. } => {
                            LedgerError::InsufficientCash { needed, free: free_cash.0 }
                        }
                        other => other,
                    })?;
                }
                if tokens > Qty::ZERO {
                    ledger.transfer_tokens(from, to, tokens)?;
                }
                Ok(Applied::Done)
            }
            ContractCommand::Claim { lender, borrower, tokens } => {
                self.exchange.ledger_mut().record_claim(lender, borrower, tokens);
                Ok(Applied::Done)
            }
            ContractCommand::Deposit { owner, holder, cash } => {
                self.exchange.ledger_mut().record_deposit(owner, holder, cash);
                Ok(Applied::Done)
            }
            ContractCommand::CancelOrdersOf { agent, account } => Ok(Applied::Cancelled(self.cancel(agent, account))),
            ContractCommand::Revoke { account, agent } => {
                let cancelled = self.cancel(agent, Some(account));
                self.exchange.ledger_mut().revoke(account, agent);
                Ok(Applied::Cancelled(cancelled))
            }
        }
    }

    fn cancel(&mut self, agent: AgentId, account: Option<AccountId>) -> u32 {
        let on = account.map(|a| crate::types::TraderId(a.0));
        let orders = self.exchange.orders_of(&[agent]);
        let mut cancelled = 0;
        for o in orders.into_iter().filter(|o| on.is_none_or(|t| o.trader == t)) {
            if let Ok(order) = self.exchange.cancel(agent, o.id) {
                self.notices.push((agent, AgentEvent::Cancelled { order: o.id, qty: order.qty }));
                cancelled += 1;
            }
        }
        cancelled
    }

    /// The account `id`'s balances (read-only).
    pub fn account(&self, id: AccountId) -> &Account {
        self.exchange.ledger().account(id)
    }

    /// The order book (read-only).
    pub fn book(&self) -> &OrderBook {
        self.exchange.book()
    }

    /// The resting orders of `agents`, in id order.
    pub fn orders_of(&self, agents: &[AgentId]) -> Vec<RestingOrder> {
        self.exchange.orders_of(agents)
    }

    /// The tape (last price, recent bars).
    pub fn tape(&self) -> &Tape {
        self.tape
    }

    /// The venue's fee account (where deposits with the exchange are held).
    pub fn venue(&self) -> AccountId {
        self.exchange.venue()
    }

    /// Value `agent` has traded so far (either side; a trade with itself counts once).
    pub fn agent_volume(&self, agent: AgentId) -> Cash {
        self.exchange.agent_volume(agent)
    }

    /// Value the whole market has traded so far.
    pub fn market_volume(&self) -> Cash {
        self.exchange.market_volume()
    }

    /// The spot: the last trade price, or the opening price before any trade.
    pub fn spot(&self) -> Price {
        spot(self.tape)
    }

    /// Cash and tokens (free plus locked) of `accounts` together.
    pub fn holdings(&self, accounts: &[AccountId]) -> (Cash, Qty) {
        accounts.iter().fold((Cash::ZERO, Qty::ZERO), |(c, q), &id| {
            let a = self.account(id);
            (c + a.cash(), q + a.tokens())
        })
    }

    /// Free cash of `accounts` together.
    pub fn free_cash(&self, accounts: &[AccountId]) -> Cash {
        accounts.iter().fold(Cash::ZERO, |c, &id| c + self.account(id).cash_free)
    }

    /// Free tokens of `accounts` together.
    pub fn free_tokens(&self, accounts: &[AccountId]) -> Qty {
        accounts.iter().fold(Qty::ZERO, |q, &id| q + self.account(id).tokens_free)
    }

    /// Moves cash from `from` to `to` and logs it in `log`.
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
        self.apply(ContractCommand::Transfer { from, to, cash, tokens: Qty::ZERO })?;
        log.push(Transfer { at: self.now, from, to, cash, tokens: Qty::ZERO });
        Ok(())
    }

    /// Moves tokens from `from` to `to` and logs it in `log`.
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
        self.apply(ContractCommand::Transfer { from, to, cash: Cash::ZERO, tokens: qty })?;
        log.push(Transfer { at: self.now, from, to, cash: Cash::ZERO, tokens: qty });
        Ok(())
    }

    /// Pays up to `cash` to `to` out of the free cash of `from`, in order; returns what was paid.
    pub fn pay_from(&mut self, log: &mut Vec<Transfer>, from: &[AccountId], to: AccountId, cash: Cash) -> Cash {
        let mut left = cash;
        for &id in from {
            let take = left.min(self.account(id).cash_free.max(Cash::ZERO));
            if take > Cash::ZERO && self.pay(log, id, to, take).is_ok() {
                left -= take;
            }
        }
        cash - left
    }

    /// Delivers up to `qty` tokens to `to` out of the free tokens of `from`, in order; returns
    /// what was delivered.
    pub fn deliver_from(&mut self, log: &mut Vec<Transfer>, from: &[AccountId], to: AccountId, qty: Qty) -> Qty {
        let mut left = qty;
        for &id in from {
            let take = left.min(self.account(id).tokens_free);
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
    /// The timer `key` this contract scheduled has fallen due.
    fn on_timer(&mut self, key: TimerKey, ctx: &mut ContractCtx<'_>);
    /// Called once when the run ends (settle what is still open, e.g. mark a loan not yet due).
    fn finish(&mut self, _ctx: &mut ContractCtx<'_>) {}
    /// `agent` sent `signal` (see [`crate::agents::AgentCtx::signal`]); every contract hears it.
    fn on_signal(&mut self, _agent: AgentId, _signal: Signal, _ctx: &mut ContractCtx<'_>) {}
}

/// The spot on `tape`: the last trade price, or the opening price before any trade.
pub fn spot(tape: &Tape) -> Price {
    tape.last_price().unwrap_or_else(|| tape.bars().next_back().map_or(Price(1), |b| b.close))
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
    fn on_timer(&mut self, key: TimerKey, ctx: &mut ContractCtx<'_>) {
        match self {
            AnyContract::TokenLoan(c) => c.on_timer(key, ctx),
            AnyContract::Subscription(c) => c.on_timer(key, ctx),
            AnyContract::Guarantee(c) => c.on_timer(key, ctx),
            AnyContract::ProceedsSplit(c) => c.on_timer(key, ctx),
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
    fn on_signal(&mut self, agent: AgentId, signal: Signal, ctx: &mut ContractCtx<'_>) {
        match self {
            AnyContract::TokenLoan(c) => c.on_signal(agent, signal, ctx),
            AnyContract::Subscription(c) => c.on_signal(agent, signal, ctx),
            AnyContract::Guarantee(c) => c.on_signal(agent, signal, ctx),
            AnyContract::ProceedsSplit(c) => c.on_signal(agent, signal, ctx),
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
