//! The clauses of a token loan that cost the borrower (terms in [`Protections`]): everything acts
//! through [`ContractCommand`]s, so any borrowing agent is held to them whatever it does.
//!
//! **Collateral.** At signing, before the loan moves, the borrower posts `collateral_cash` and
//! `collateral_tokens` from its own accounts (in order) to the holder (the lender, or an escrow
//! account); a borrower without them leaves the loan `failed`. The posting is recorded as a deposit
//! ([`ContractCommand::Deposit`], tokens as a [`ContractCommand::Claim`]), so the collateral stays
//! the borrower's in every PnL until it is forfeited. A forfeit ends that part of the claim and,
//! from an escrow, moves it to the lender. At settlement what is left goes back to the borrower.
//!
//! **Monitoring** (every `monitor_every` from signing while the loan is open). The borrower's *net
//! sales of lent tokens* are how far its token holdings (free and locked, over all its accounts)
//! are below what it held just after signing: since signing for `sell_cap_total` and the lock-up,
//! since the first reading of the current day (days counted from signing) for `sell_cap_daily`.
//! A cap is breached when net sales exceed it (the daily cap at most once a day, the total cap and
//! the lock-up once); the lock-up when any net sale is seen before it ends. These clauses are
//! partly observed: each breach is detected with probability `detection`, drawn from the
//! contract's own random stream (`contract:<name>` under the run's seed).
//!
//! **Recall.** Once the spot is below `recall_below` × the spot at signing, the lender recalls the
//! loan: after `recall_grace` it settles as at expiry (see `settle.rs`), whatever the borrower has
//! done; tokens then missing are a default.
//!
//! **Breaches.** Each detected breach costs the borrower `penalty_per_breach` (from its free cash;
//! what it cannot pay is taken from the collateral's cash) and the clause's `forfeit` share of the
//! posted collateral (at most what is still held). A penalty the borrower could not pay when the
//! breach was seen stays a debt: at settlement (its resting orders cancelled, so the proceeds of
//! any sale are free cash) it is paid from the borrower's cash, then from the collateral's cash
//! still held; only what neither covers goes unpaid. A default (tokens owed and not returned,
//! after the cash buy-in at settlement) is always detected.

use rand::RngExt;

use super::TokenLoan;
use crate::contracts::kpi::DAY_NS;
use crate::contracts::protections::Clause;
use crate::contracts::{ContractCommand, ContractCtx, TimerKey};
use crate::ledger::AccountId;
use crate::rng::AgentRng;
use crate::types::{Cash, Qty, SimTime};

/// The timer of the monitoring readings.
pub(super) const MONITOR: TimerKey = TimerKey(1);
/// The timer of a recall's deadline.
pub(super) const RECALL_DUE: TimerKey = TimerKey(2);

/// One breach of a clause.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breach {
    /// When it was seen.
    pub at: SimTime,
    /// Which clause.
    pub clause: Clause,
    /// Whether the lender detected it (only detected breaches cost the borrower).
    pub detected: bool,
    /// Penalty cash paid for it (from the borrower's cash or its collateral).
    pub penalty: Cash,
    /// Collateral cash forfeited for it.
    pub forfeit_cash: Cash,
    /// Collateral tokens forfeited for it.
    pub forfeit_tokens: Qty,
}

/// The clauses' state during the loan.
#[derive(Clone, Debug)]
pub(super) struct Clauses {
    /// Holder of the collateral.
    pub(super) holder: AccountId,
    /// Posted per borrower account: (account, cash, tokens) still held.
    pub(super) posted: Vec<(AccountId, Cash, Qty)>,
    /// Posted in total.
    pub(super) posted_total: (Cash, Qty),
    /// Returned to the borrower at settlement.
    pub(super) released: (Cash, Qty),
    /// Breaches seen, in time order.
    pub(super) breaches: Vec<Breach>,
    /// Penalties due but not paid (neither cash nor collateral left).
    pub(super) penalties_unpaid: Cash,
    /// Of the penalties due at a breach, what was collected later, at settlement.
    pub(super) penalties_late: Cash,
    /// Holdings just after signing.
    after_signing: Qty,
    /// (day number, holdings at its first reading, breached that day).
    day: (u64, Qty, bool),
    /// Clauses that fire once and have fired.
    fired: Vec<Clause>,
    /// When the loan was recalled.
    pub(super) recalled_at: Option<SimTime>,
    rng: AgentRng,
}

impl Clauses {
    /// Clauses of the loan `name` with collateral held by `holder`; draws from the run's `seed`.
    pub(super) fn new(name: &str, seed: u64, holder: AccountId) -> Self {
        Clauses {
            holder,
            posted: Vec::new(),
            posted_total: (Cash::ZERO, Qty::ZERO),
            released: (Cash::ZERO, Qty::ZERO),
            breaches: Vec::new(),
            penalties_unpaid: Cash::ZERO,
            penalties_late: Cash::ZERO,
            after_signing: Qty::ZERO,
            day: (0, Qty::ZERO, false),
            fired: Vec::new(),
            recalled_at: None,
            rng: AgentRng::new(seed, &format!("contract:{name}")),
        }
    }

    /// Collateral forfeited to the lender so far (cash, tokens).
    pub(super) fn forfeited(&self) -> (Cash, Qty) {
        self.breaches.iter().fold((Cash::ZERO, Qty::ZERO), |(c, q), b| (c + b.forfeit_cash, q + b.forfeit_tokens))
    }

    /// Penalties paid so far (from cash or collateral, at the breach or later at settlement).
    pub(super) fn penalties_paid(&self) -> Cash {
        self.breaches.iter().fold(self.penalties_late, |c, b| c + b.penalty)
    }
}

impl TokenLoan {
    /// Posts the collateral; false (nothing moved) when the borrower lacks it.
    pub(super) fn post_collateral(&mut self, ctx: &mut ContractCtx<'_>) -> bool {
        let p = &self.terms.protections;
        let (cash, tokens) = (p.collateral_cash, p.collateral_tokens);
        if ctx.free_cash(&self.accounts) < cash || ctx.free_tokens(&self.accounts) < tokens {
            return false;
        }
        let holder = self.clauses.holder;
        let (mut cash_left, mut tokens_left) = (cash, tokens);
        for &acct in &self.accounts.clone() {
            let c = cash_left.min(ctx.account(acct).cash_free.max(Cash::ZERO));
            let q = tokens_left.min(ctx.account(acct).tokens_free);
            if c == Cash::ZERO && q == Qty::ZERO {
                continue;
            }
            ctx.apply(ContractCommand::Transfer { from: acct, to: holder, cash: c, tokens: q })
                .expect("free balances checked above");
            self.transfers.push(crate::contracts::Transfer { at: ctx.now, from: acct, to: holder, cash: c, tokens: q });
            let _ = ctx.apply(ContractCommand::Deposit { owner: acct, holder, cash: c });
            let _ = ctx.apply(ContractCommand::Claim { lender: acct, borrower: holder, tokens: q });
            self.clauses.posted.push((acct, c, q));
            cash_left -= c;
            tokens_left -= q;
        }
        self.clauses.posted_total = (cash, tokens);
        true
    }

    /// Starts monitoring just after signing.
    pub(super) fn start_monitoring(&mut self, ctx: &mut ContractCtx<'_>) {
        let held = ctx.holdings(&self.accounts).1;
        self.clauses.after_signing = held;
        self.clauses.day = (0, held, false);
        if self.terms.protections.monitored() {
            ctx.wake_at(ctx.now.plus_nanos(self.terms.protections.monitor_every.nanos().max(1)), MONITOR);
        }
    }

    /// One monitoring reading: caps, lock-up, recall.
    pub(super) fn monitor(&mut self, ctx: &mut ContractCtx<'_>) {
        let p = self.terms.protections.clone();
        let Some(signed) = self.signing.as_ref().map(|s| s.at) else { return };
        let held = ctx.holdings(&self.accounts).1;
        let sold_total = self.clauses.after_signing - held;
        let day = (ctx.now.nanos() - signed.nanos()) / DAY_NS;
        if day != self.clauses.day.0 {
            self.clauses.day = (day, held, false);
        }
        let sold_today = self.clauses.day.1 - held;
        if p.sell_cap_daily.is_some_and(|cap| sold_today > cap) && !self.clauses.day.2 {
            self.clauses.day.2 = true;
            self.breach(ctx, Clause::SellCapDaily);
        }
        if p.sell_cap_total.is_some_and(|cap| sold_total > cap) {
            self.breach_once(ctx, Clause::SellCapTotal);
        }
        if p.lockup.is_some_and(|l| ctx.now < signed.plus_nanos(l.nanos())) && sold_total > Qty::ZERO {
            self.breach_once(ctx, Clause::Lockup);
        }
        if let (Some(share), None) = (p.recall_below, self.clauses.recalled_at) {
            let spot_at_signing = self.signing.as_ref().map_or(0, |s| s.spot.0) as f64;
            if (ctx.spot().0 as f64) < share * spot_at_signing {
                self.clauses.recalled_at = Some(ctx.now);
                ctx.wake_at(ctx.now.plus_nanos(p.recall_grace.nanos()), RECALL_DUE);
            }
        }
        ctx.wake_at(ctx.now.plus_nanos(p.monitor_every.nanos().max(1)), MONITOR);
    }

    fn breach_once(&mut self, ctx: &mut ContractCtx<'_>, clause: Clause) {
        if !self.clauses.fired.contains(&clause) {
            self.clauses.fired.push(clause);
            self.breach(ctx, clause);
        }
    }

    /// A breach of `clause` now: drawn for detection when partly observed; a detected one costs
    /// the penalty and the clause's forfeit.
    pub(super) fn breach(&mut self, ctx: &mut ContractCtx<'_>, clause: Clause) {
        let p = &self.terms.protections;
        let detected =
            !clause.partly_observed() || p.detection >= 1.0 || self.clauses.rng.random::<f64>() < p.detection;
        let mut b = Breach {
            at: ctx.now,
            clause,
            detected,
            penalty: Cash::ZERO,
            forfeit_cash: Cash::ZERO,
            forfeit_tokens: Qty::ZERO,
        };
        if detected {
            let share = p.forfeit_share(clause);
            let (cash, tokens) = self.clauses.posted_total;
            let want = (Cash((cash.0 as f64 * share).floor() as i128), Qty((tokens.0 as f64 * share).floor() as i64));
            let penalty = p.penalty_per_breach;
            let paid = ctx.pay_from(&mut self.transfers, &self.accounts, self.lender, penalty);
            let (fc, fq) = self.forfeit(ctx, want.0 + (penalty - paid), want.1);
            let from_collateral = (penalty - paid).min(fc);
            b.penalty = paid + from_collateral;
            self.clauses.penalties_unpaid += penalty - b.penalty;
            b.forfeit_cash = fc - from_collateral;
            b.forfeit_tokens = fq;
        }
        self.clauses.breaches.push(b);
    }

    /// Forfeits up to `cash` and `tokens` of the collateral still held to the lender; returns what
    /// was forfeited.
    fn forfeit(&mut self, ctx: &mut ContractCtx<'_>, cash: Cash, tokens: Qty) -> (Cash, Qty) {
        let (mut c_left, mut q_left) = (cash, tokens);
        let holder = self.clauses.holder;
        for i in 0..self.clauses.posted.len() {
            let (acct, c_held, q_held) = self.clauses.posted[i];
            let (c, q) = (c_left.min(c_held), q_left.min(q_held));
            if c == Cash::ZERO && q == Qty::ZERO {
                continue;
            }
            let _ = ctx.apply(ContractCommand::Deposit { owner: acct, holder, cash: -c });
            let _ = ctx.apply(ContractCommand::Claim { lender: acct, borrower: holder, tokens: Qty(-q.0) });
            if holder != self.lender {
                let _ = ctx.apply(ContractCommand::Transfer { from: holder, to: self.lender, cash: c, tokens: q });
                self.transfers.push(crate::contracts::Transfer {
                    at: ctx.now,
                    from: holder,
                    to: self.lender,
                    cash: c,
                    tokens: q,
                });
            }
            self.clauses.posted[i] = (acct, c_held - c, q_held - q);
            c_left -= c;
            q_left -= q;
        }
        (cash - c_left, tokens - q_left)
    }

    /// At settlement: the penalties still unpaid are paid from the borrower's free cash, then from
    /// the collateral's cash still held.
    pub(super) fn collect_unpaid_penalties(&mut self, ctx: &mut ContractCtx<'_>) {
        let due = self.clauses.penalties_unpaid;
        if due <= Cash::ZERO {
            return;
        }
        let paid = ctx.pay_from(&mut self.transfers, &self.accounts, self.lender, due);
        let (from_collateral, _) = self.forfeit(ctx, due - paid, Qty::ZERO);
        self.clauses.penalties_late += paid + from_collateral;
        self.clauses.penalties_unpaid -= paid + from_collateral;
    }

    /// Returns what is left of the collateral to the borrower (at settlement).
    pub(super) fn release_collateral(&mut self, ctx: &mut ContractCtx<'_>) {
        let holder = self.clauses.holder;
        for i in 0..self.clauses.posted.len() {
            let (acct, c, q) = self.clauses.posted[i];
            if c == Cash::ZERO && q == Qty::ZERO {
                continue;
            }
            // A holder that spent the collateral cannot return it: the borrower's claim stays.
            if ctx.apply(ContractCommand::Transfer { from: holder, to: acct, cash: c, tokens: q }).is_err() {
                continue;
            }
            self.transfers.push(crate::contracts::Transfer { at: ctx.now, from: holder, to: acct, cash: c, tokens: q });
            let _ = ctx.apply(ContractCommand::Deposit { owner: acct, holder, cash: -c });
            let _ = ctx.apply(ContractCommand::Claim { lender: acct, borrower: holder, tokens: Qty(-q.0) });
            self.clauses.released = (self.clauses.released.0 + c, self.clauses.released.1 + q);
            self.clauses.posted[i] = (acct, Cash::ZERO, Qty::ZERO);
        }
    }
}
