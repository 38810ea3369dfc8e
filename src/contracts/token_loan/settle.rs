//! Settling a token loan at expiry, on an early return, at a recall's deadline or at the run's end
//! (rules in the parent module): the settlement spot, cancelling the borrower's resting orders,
//! exercise or cash settlement, the return of the rest, the cash buy-in of what is missing, a
//! default's forfeit and penalty, and the release of the collateral left.

use super::{LoanStatus, Settled, TokenLoan, BAR_NS};
use crate::contracts::protections::Clause;
use crate::contracts::spec::Settlement;
use crate::contracts::{Applied, ContractCommand, ContractCtx};
use crate::types::{Cash, Price, Qty};

impl TokenLoan {
    fn settlement_spot(&self, ctx: &ContractCtx<'_>) -> Price {
        let Some(window) = self.terms.expiry_average else { return ctx.spot() };
        let n = (window.nanos() / BAR_NS).max(1) as usize;
        let closes: Vec<i128> = ctx.tape().bars().rev().take(n).map(|b| b.close.0 as i128).collect();
        if closes.is_empty() {
            return ctx.spot();
        }
        let (sum, len) = (closes.iter().sum::<i128>(), closes.len() as i128);
        Price(((2 * sum + len) / (2 * len)) as i64)
    }

    pub(super) fn settle(&mut self, ctx: &mut ContractCtx<'_>) {
        let spot = self.settlement_spot(ctx);
        if self.strikes.is_empty() {
            self.strikes = self.signing.as_ref().map(|s| s.estimates.clone()).unwrap_or_default();
        }
        let cancelled = self
            .agents
            .iter()
            .map(|&agent| match ctx.apply(ContractCommand::CancelOrdersOf { agent, account: None }) {
                Ok(Applied::Cancelled(n)) => n,
                _ => 0,
            })
            .sum();
        let opts = self.terms.options.clone();
        let mut s = Settled {
            at: ctx.now,
            spot,
            exercised: vec![Qty::ZERO; opts.len()],
            cash_paid: Cash::ZERO,
            intrinsic_paid: Cash::ZERO,
            intrinsic_unpaid: Cash::ZERO,
            tokens_returned: Qty::ZERO,
            shortfall: Qty::ZERO,
            cancelled_orders: cancelled,
            bought_in: Qty::ZERO,
            buyin_cash: Cash::ZERO,
            at_run_end: false,
            recalled: false,
        };
        let mut order: Vec<usize> = (0..opts.len()).filter(|&i| spot > self.strikes[i]).collect();
        order.sort_by_key(|&i| (self.strikes[i], i));
        let mut owed = self.terms.tokens;
        match self.terms.settle {
            Settlement::Tokens => {
                for i in order {
                    let strike = self.strikes[i];
                    let affordable =
                        Qty((ctx.free_cash(&self.accounts).0 / strike.0 as i128).min(i64::MAX as i128) as i64);
                    let lots = opts[i].qty.min(affordable).min(owed);
                    let paid =
                        ctx.pay_from(&mut self.transfers, &self.accounts, self.lender, Cash::notional(strike, lots));
                    debug_assert_eq!(paid, Cash::notional(strike, lots));
                    s.exercised[i] = lots;
                    s.cash_paid += paid;
                    owed -= lots;
                }
            }
            Settlement::Cash => {
                let to = self.accounts[0];
                for i in order {
                    let intrinsic = Cash::notional(Price(spot.0 - self.strikes[i].0), opts[i].qty);
                    let paid = ctx.pay_from(&mut self.transfers, &[self.lender], to, intrinsic);
                    s.exercised[i] = opts[i].qty;
                    s.intrinsic_paid += paid;
                    s.intrinsic_unpaid += intrinsic - paid;
                }
            }
        }
        s.tokens_returned = ctx.deliver_from(&mut self.transfers, &self.accounts, self.lender, owed);
        for (acct, qty) in self.shares() {
            let _ = ctx.apply(ContractCommand::Claim { lender: self.lender, borrower: acct, tokens: Qty(-qty.0) });
        }
        let missing = owed - s.tokens_returned;
        if missing > Qty::ZERO && spot.0 > 0 {
            let affordable = Qty((ctx.free_cash(&self.accounts).0 / spot.0 as i128).min(i64::MAX as i128) as i64);
            let lots = missing.min(affordable);
            s.buyin_cash = ctx.pay_from(&mut self.transfers, &self.accounts, self.lender, Cash::notional(spot, lots));
            s.bought_in = lots;
        }
        s.shortfall = missing - s.bought_in;
        let defaulted = s.shortfall > Qty::ZERO;
        self.settled = Some(s);
        self.status = LoanStatus::Settled;
        if defaulted {
            self.breach(ctx, Clause::Default);
        }
        self.collect_unpaid_penalties(ctx);
        self.release_collateral(ctx);
    }
}
