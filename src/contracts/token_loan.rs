//! `token_loan`: the project lends tokens to a market maker, who holds call options on them.
//!
//! **Signing** (at `start`). The lender's tokens move to the borrowing group's own accounts, spread
//! evenly over them (the remainder to the first); a lender without the free tokens leaves the loan
//! `failed`. The calls are valued by Black–Scholes with the spot at signing (last trade, or the open
//! price before any trade), each strike, the tenor in 365-day years, `volatility` and `rate`. The
//! value is reported per option, in total and as a % of the loan's value at signing
//! (`tokens × spot`): the MM's fee, e.g. 3% of a 100,000 USDT loan is 3,000 USDT.
//!
//! **Strikes.** Absolute, or a premium over a reference. With `strike_reference = "open"` the
//! reference is the spot at signing. With `"vwap_7d"` or `"avg_7d"` it is an index over the
//! `reference_window` (7 days unless set) after the start, known only when the window ends: the
//! options are valued at signing with the spot as the strikes' estimate, and the actual strikes are
//! fixed when the window closes. The index is computed from the tape's one-minute bars, read every
//! hour: `avg_7d` is the mean bar close, `vwap_7d` the volume-weighted mean of bar closes (the
//! plain mean when nothing traded). Premium strikes are rounded to the nearest tick.
//!
//! **Expiry** (`start + tenor`). The spot is the last trade, or the mean one-minute close over
//! `expiry_average`. The borrower's resting orders are cancelled first (its tokens and cash are
//! needed to settle; the agent is not told). Then, with `settle = "tokens"`, every call in the money
//! (spot > strike), cheapest strike first, is exercised as far as the borrower's free cash pays for
//! it (whole lots): it pays strike × quantity to the lender and keeps those tokens. Every other token
//! must come back; what the borrower cannot return is a default, and the shortfall is the
//! project's loss. With `settle = "cash"`, every token must come back and the lender pays the
//! borrower each in-the-money call's intrinsic value in cash (as far as it can).
//!
//! **Early return** (`early_return = true`). The borrower may end the loan before expiry: when every
//! agent of the borrowing group has said it is done (`lend_and_dump` does once it holds what it
//! owes), the loan settles by the rules above, with the spot of that moment (the last trade, or the
//! mean close over `expiry_average` before it) and, for index strikes not yet fixed, the estimates
//! made at signing.
//!
//! **Buy-in and default.** Tokens owed and not returned at settlement are bought in: the borrower
//! pays the lender the settlement spot for each, from its free cash (whole lots). What is still
//! missing then is a default (always detected): it costs the collateral's `default` forfeit share
//! and the penalty (see `clauses.rs`), and the missing tokens are the project's loss.
//!
//! **Run ends first.** A loan still open when the run ends settles then, as if it expired at that
//! moment (`settled_at_run_end = true`, `settled_s` = the run's end): calls in the money are
//! exercised at the last price, the rest is returned, bought in or defaulted. The MM's figures are
//! therefore final, never a mark of an open position.
//!
//! **Protections** (`clauses.rs`): collateral posted at signing and forfeited on breaches,
//! penalties, net-sell caps, a lock-up and a recall right.
//!
//! **Outcomes** (quote units, marked at the run's last price): `project_outcome_quote` = cash the
//! project received (strike cash, buy-in cash, penalties and forfeited collateral) − cash it paid,
//! plus returned and forfeited tokens × last price, minus the loan's value at signing; `mm_pnl_quote` = the
//! borrowing group's change in cash and tokens (valued at the last price) from just before signing
//! to the run's end: its trading result with the loan, the exercise payments, buy-in, penalties and
//! forfeits included.

mod clauses;
mod report;
mod settle;

pub use clauses::Breach;
pub use report::{LoanState, LoanSummary, OptionSummary};

use clauses::{Clauses, MONITOR, RECALL_DUE};

use super::options::{BsInputs, DAYS_PER_YEAR};
use super::report::Transfer;
use super::spec::{LoanTerms, StrikeReference};
use super::{Contract, ContractCommand, ContractCtx, Signal, TimerKey};
use crate::ledger::AccountId;
use crate::market::Tape;
use crate::types::{AgentId, Cash, Price, Qty, SimTime};

/// How often the strike index reads the tape's one-minute bars (the tape keeps one day of them).
const INDEX_READ_NS: u64 = 3_600_000_000_000;
/// One-minute bars.
const BAR_NS: u64 = Tape::BAR_NS;

/// Where a loan stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoanStatus {
    /// Not signed yet.
    Pending,
    /// The lender could not lend (why).
    Failed(String),
    /// Lent, not yet expired.
    Open,
    /// Settled at expiry, or earlier by an early return.
    Settled,
}

/// What was fixed at signing.
#[derive(Clone, Debug, PartialEq)]
pub struct Signing {
    /// When.
    pub at: SimTime,
    /// The spot.
    pub spot: Price,
    /// Each option's strike as estimated at signing (the actual one when the reference is the open).
    pub estimates: Vec<Price>,
    /// Each option's Black–Scholes value, in cash atoms.
    pub values: Vec<f64>,
}

/// The strike index being accumulated from one-minute bars.
#[derive(Clone, Debug, Default, PartialEq)]
struct Index {
    last_read: SimTime,
    bars: i128,
    sum_close: i128,
    sum_close_volume: i128,
    volume: i128,
    value: Option<Price>,
    fixed_at: Option<SimTime>,
}

/// What happened at settlement (expiry or early return).
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    /// When.
    pub at: SimTime,
    /// The settlement spot.
    pub spot: Price,
    /// Lots exercised (or cash-settled) per option.
    pub exercised: Vec<Qty>,
    /// Cash the borrower paid for exercised calls.
    pub cash_paid: Cash,
    /// Intrinsic value the lender paid (cash settlement).
    pub intrinsic_paid: Cash,
    /// Intrinsic value the lender owed but could not pay.
    pub intrinsic_unpaid: Cash,
    /// Tokens returned to the lender.
    pub tokens_returned: Qty,
    /// Tokens owed but not returned (a default).
    pub shortfall: Qty,
    /// Borrower orders cancelled to settle.
    pub cancelled_orders: u32,
    /// Owed tokens the borrower paid for in cash at the settlement spot instead of returning.
    pub bought_in: Qty,
    /// The cash it paid for them.
    pub buyin_cash: Cash,
    /// Settled because the run ended with the loan open.
    pub at_run_end: bool,
    /// Settled at a recall's deadline.
    pub recalled: bool,
}

/// The state at the end of the run, for marking.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EndMark {
    mark: Price,
    borrower: (Cash, Qty),
}

/// A token loan with call options (kind `token_loan`).
#[derive(Clone, Debug)]
pub struct TokenLoan {
    name: String,
    terms: LoanTerms,
    lender: AccountId,
    agents: Vec<AgentId>,
    accounts: Vec<AccountId>,
    status: LoanStatus,
    borrower_start: (Cash, Qty),
    signing: Option<Signing>,
    index: Index,
    strikes: Vec<Price>,
    settled: Option<Settled>,
    end: Option<EndMark>,
    transfers: Vec<Transfer>,
    /// Borrowing agents that said they are done (early return settles when all have).
    done_agents: Vec<AgentId>,
    /// Collateral, breaches, monitoring, recall.
    clauses: Clauses,
}

impl TokenLoan {
    /// A loan from `lender` to the group of `agents` trading `accounts` (its own); collateral is
    /// held by `holder` (the lender unless an escrow), breaches are drawn for detection from the
    /// run's `seed`.
    pub fn new(
        name: &str,
        terms: LoanTerms,
        lender: AccountId,
        agents: Vec<AgentId>,
        accounts: Vec<AccountId>,
        holder: AccountId,
        seed: u64,
    ) -> Self {
        TokenLoan {
            clauses: Clauses::new(name, seed, holder),
            name: name.to_string(),
            terms,
            lender,
            agents,
            accounts,
            status: LoanStatus::Pending,
            borrower_start: (Cash::ZERO, Qty::ZERO),
            signing: None,
            index: Index::default(),
            strikes: Vec::new(),
            settled: None,
            end: None,
            transfers: Vec::new(),
            done_agents: Vec::new(),
        }
    }

    /// The contract's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The terms.
    pub fn terms(&self) -> &LoanTerms {
        &self.terms
    }

    /// Where it stands.
    pub fn status(&self) -> &LoanStatus {
        &self.status
    }

    /// What was fixed at signing.
    pub fn signing(&self) -> Option<&Signing> {
        self.signing.as_ref()
    }

    /// The actual strikes (empty until fixed).
    pub fn strikes(&self) -> &[Price] {
        &self.strikes
    }

    /// The breaches seen so far, in time order.
    pub fn breaches(&self) -> &[Breach] {
        &self.clauses.breaches
    }

    /// Collateral posted at signing (cash, tokens).
    pub fn collateral_posted(&self) -> (Cash, Qty) {
        self.clauses.posted_total
    }

    /// When the lender recalled the loan.
    pub fn recalled_at(&self) -> Option<SimTime> {
        self.clauses.recalled_at
    }

    /// The settlement, once settled.
    pub fn settlement(&self) -> Option<&Settled> {
        self.settled.as_ref()
    }

    /// Value moved between accounts.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// Expiry time.
    pub fn expiry(&self) -> SimTime {
        self.terms.start.plus_nanos(self.terms.tenor.nanos())
    }

    fn index_end(&self) -> Option<SimTime> {
        match self.terms.strike_reference {
            StrikeReference::Open => None,
            _ => Some(self.terms.start.plus_nanos(self.terms.reference_window.nanos())),
        }
    }

    /// Black–Scholes value in atoms of the calls at `spot` with `strikes`, `years` to expiry.
    fn value(&self, spot: Price, strikes: &[Price], years: f64) -> Vec<f64> {
        self.terms
            .options
            .iter()
            .zip(strikes)
            .map(|(o, k)| {
                let bs = BsInputs {
                    spot: spot.0 as f64,
                    strike: k.0 as f64,
                    years,
                    rate: self.terms.rate,
                    sigma: self.terms.volatility,
                };
                bs.call() * o.qty.0 as f64
            })
            .collect()
    }

    /// The loan spread evenly over the borrower's accounts (the remainder to the first).
    fn shares(&self) -> Vec<(AccountId, Qty)> {
        let n = self.accounts.len().max(1) as i64;
        let (each, rest) = (self.terms.tokens.0 / n, self.terms.tokens.0 % n);
        let share = |i: usize| Qty(each + if i == 0 { rest } else { 0 });
        self.accounts.iter().enumerate().map(|(i, &a)| (a, share(i))).filter(|&(_, q)| q > Qty::ZERO).collect()
    }

    fn sign(&mut self, ctx: &mut ContractCtx<'_>) {
        self.borrower_start = ctx.holdings(&self.accounts);
        let p = &self.terms.protections;
        let (cc, ct) = (p.collateral_cash, p.collateral_tokens);
        if p.has_collateral() && !self.post_collateral(ctx) {
            self.status = LoanStatus::Failed(format!(
                "the borrower could not post its collateral ({} cash atoms, {} lots)",
                cc.0, ct.0
            ));
            return;
        }
        let free = ctx.free_tokens(&[self.lender]);
        if free < self.terms.tokens {
            self.status = LoanStatus::Failed(format!(
                "the lender had {} free lots, {} were to be lent",
                free.0, self.terms.tokens.0
            ));
            self.release_collateral(ctx);
            return;
        }
        for (acct, qty) in self.shares() {
            ctx.deliver(&mut self.transfers, self.lender, acct, qty).expect("free tokens checked above");
            let _ = ctx.apply(ContractCommand::Claim { lender: self.lender, borrower: acct, tokens: qty });
        }
        let spot = ctx.spot();
        let estimates: Vec<Price> = self.terms.options.iter().map(|o| o.strike.resolve(spot)).collect();
        let years = self.terms.tenor.nanos() as f64 / (DAYS_PER_YEAR * super::kpi::DAY_NS as f64);
        let values = self.value(spot, &estimates, years);
        if self.index_end().is_none() {
            self.strikes = estimates.clone();
        }
        self.signing = Some(Signing { at: ctx.now, spot, estimates, values });
        self.index.last_read = ctx.now;
        self.status = LoanStatus::Open;
        self.start_monitoring(ctx);
    }

    /// Folds in the one-minute bars closed since the last read.
    fn read_index(&mut self, now: SimTime, tape: &Tape) {
        let n = (now.nanos() / BAR_NS).saturating_sub(self.index.last_read.nanos() / BAR_NS) as usize;
        for bar in tape.bars().rev().take(n) {
            let (close, volume) = (bar.close.0 as i128, bar.volume.0 as i128);
            self.index.bars += 1;
            self.index.sum_close += close;
            self.index.sum_close_volume += close * volume;
            self.index.volume += volume;
        }
        self.index.last_read = now;
    }

    fn fix_strikes(&mut self, now: SimTime, spot: Price) {
        let ix = &self.index;
        let rounded = |num: i128, den: i128| Price(((2 * num + den) / (2 * den)) as i64);
        let value = match self.terms.strike_reference {
            StrikeReference::Vwap if ix.volume > 0 => rounded(ix.sum_close_volume, ix.volume),
            _ if ix.bars > 0 => rounded(ix.sum_close, ix.bars),
            _ => spot,
        };
        self.index.value = Some(value);
        self.index.fixed_at = Some(now);
        self.strikes = self.terms.options.iter().map(|o| o.strike.resolve(value)).collect();
    }

    fn schedule(&self, ctx: &mut ContractCtx<'_>) {
        match self.status {
            LoanStatus::Pending => {
                ctx.wake_at(self.terms.start, TimerKey::MAIN);
            }
            LoanStatus::Open => {
                let mut next = self.expiry();
                if let (Some(end), None) = (self.index_end(), self.index.fixed_at) {
                    next = next.min(end).min(self.index.last_read.plus_nanos(INDEX_READ_NS));
                }
                ctx.wake_at(next, TimerKey::MAIN);
            }
            _ => {}
        }
    }

    fn step(&mut self, ctx: &mut ContractCtx<'_>) {
        if self.status == LoanStatus::Pending && ctx.now >= self.terms.start {
            self.sign(ctx);
        }
        if self.status == LoanStatus::Open {
            if let (Some(end), None) = (self.index_end(), self.index.fixed_at) {
                self.read_index(ctx.now, ctx.tape());
                if ctx.now >= end {
                    self.fix_strikes(ctx.now, ctx.spot());
                }
            }
            if ctx.now >= self.expiry() {
                self.settle(ctx);
            }
        }
        self.schedule(ctx);
    }
}

impl Contract for TokenLoan {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }

    fn on_timer(&mut self, key: TimerKey, ctx: &mut ContractCtx<'_>) {
        match key {
            MONITOR if self.status == LoanStatus::Open => self.monitor(ctx),
            RECALL_DUE if self.status == LoanStatus::Open => {
                self.settle(ctx);
                if let Some(s) = self.settled.as_mut() {
                    s.recalled = true;
                }
            }
            MONITOR | RECALL_DUE => {}
            _ => self.step(ctx),
        }
    }

    fn on_signal(&mut self, agent: AgentId, signal: Signal, ctx: &mut ContractCtx<'_>) {
        let Signal::LoansDone = signal;
        if !self.terms.early_return || self.status != LoanStatus::Open || !self.agents.contains(&agent) {
            return;
        }
        if !self.done_agents.contains(&agent) {
            self.done_agents.push(agent);
        }
        if self.agents.iter().all(|a| self.done_agents.contains(a)) {
            self.settle(ctx);
        }
    }

    fn finish(&mut self, ctx: &mut ContractCtx<'_>) {
        if self.status == LoanStatus::Open {
            self.settle(ctx);
            if let Some(s) = self.settled.as_mut() {
                s.at_run_end = true;
            }
        }
        self.end = Some(EndMark { mark: ctx.spot(), borrower: ctx.holdings(&self.accounts) });
    }
}
