//! `proceeds_split`: a market maker hands a share of what it makes selling to another party — the
//! intermediary that routed the tokens to it (the 2024 MOVE listing: about 66M tokens passed
//! through an intermediary to an MM allowed to sell them once the valuation passed a threshold,
//! proceeds split 50/50).
//!
//! **Proceeds** are the net cash the MM group made since `start`: the cash of its accounts (free
//! and locked) now, plus what it already paid under this contract, less its cash at `start`. For
//! a market maker that only sells, that is its sales less the fees. Every `every` from `start`,
//! and once more when the run ends, the beneficiary is paid `share` of the proceeds (rounded down
//! to the cash atom) less what it was already paid, out of the group's free cash as far as it goes
//! (what it cannot pay yet is `unpaid` and paid at the next settlement). Losses are never split:
//! the share of negative proceeds is zero, and nothing is ever paid back.
//!
//! Report (`summary.json`): `proceeds_quote`, `share`, `paid_quote` (to the beneficiary) and
//! `unpaid_quote`, plus `settlements` (how many). `contracts.csv`: `volume_quote` holds the
//! proceeds and `cash_paid` what was paid.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use super::report::{json, ContractReport, ContractRow, ContractSummary, Fmt, Transfer};
use super::spec::{ContractKind, SplitTerms};
use super::{Contract, ContractCtx, TimerKey};
use crate::ledger::AccountId;
use crate::metrics::Units;
use crate::types::{Cash, SimTime};

/// A proceeds split (kind `proceeds_split`).
#[derive(Clone, Debug)]
pub struct ProceedsSplit {
    name: String,
    terms: SplitTerms,
    accounts: Vec<AccountId>,
    beneficiary: AccountId,
    cash_start: Option<Cash>,
    proceeds: Cash,
    paid: Cash,
    settlements: u32,
    transfers: Vec<Transfer>,
}

impl ProceedsSplit {
    /// A split of the proceeds of the group trading `accounts`, paid to `beneficiary`.
    pub fn new(name: &str, terms: SplitTerms, accounts: Vec<AccountId>, beneficiary: AccountId) -> Self {
        ProceedsSplit {
            name: name.to_string(),
            terms,
            accounts,
            beneficiary,
            cash_start: None,
            proceeds: Cash::ZERO,
            paid: Cash::ZERO,
            settlements: 0,
            transfers: Vec::new(),
        }
    }

    /// The contract's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Value moved between accounts.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// (proceeds, paid to the beneficiary) as of the last settlement.
    pub fn outcome(&self) -> (Cash, Cash) {
        (self.proceeds, self.paid)
    }

    /// What the beneficiary is owed on the proceeds so far and has not been paid.
    fn owed(&self) -> Cash {
        let due = (Decimal::from(self.proceeds.0.max(0)) * self.terms.share).floor().to_i128().unwrap_or(0);
        Cash(due) - self.paid
    }

    fn settle(&mut self, ctx: &mut ContractCtx<'_>) {
        let Some(start) = self.cash_start else { return };
        self.proceeds = ctx.holdings(&self.accounts).0 + self.paid - start;
        let owed = self.owed();
        if owed > Cash::ZERO {
            self.paid += ctx.pay_from(&mut self.transfers, &self.accounts, self.beneficiary, owed);
        }
        self.settlements += 1;
    }

    /// The summary entry and the CSV row.
    pub fn report(&self, units: Units) -> ContractReport {
        let f = Fmt(units);
        let t = &self.terms;
        let summary = SplitSummary {
            beneficiary: t.beneficiary.clone(),
            every_s: t.every.nanos() as f64 / 1e9,
            kind: ContractKind::ProceedsSplit,
            mm: t.mm.clone(),
            name: self.name.clone(),
            paid_quote: f.cash(self.paid),
            proceeds_quote: f.cash(self.proceeds),
            settlements: self.settlements,
            share: t.share,
            start_s: t.start.as_secs_f64(),
            unpaid_quote: f.cash(self.owed().max(Cash::ZERO)),
        };
        let row = ContractRow {
            contract: self.name.clone(),
            kind: ContractKind::ProceedsSplit,
            mm: Some(t.mm.clone()),
            period: 1,
            start_s: t.start.as_secs_f64(),
            end_s: self.transfers.last().map_or(t.start, |x| x.at).as_secs_f64(),
            settled: self.settlements > 0,
            values: vec![("volume_quote", f.cash_text(self.proceeds)), ("cash_paid", f.cash_text(self.paid))],
        };
        ContractReport { summary: ContractSummary::ProceedsSplit(summary), rows: vec![row] }
    }
}

/// A proceeds split's `summary.json` entry (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitSummary {
    /// The account paid the share.
    pub beneficiary: String,
    /// Interval between settlements, seconds.
    #[serde(serialize_with = "json::float")]
    pub every_s: f64,
    /// Always [`ContractKind::ProceedsSplit`].
    pub kind: ContractKind,
    /// The group whose proceeds are split.
    pub mm: String,
    /// Contract name.
    pub name: String,
    /// Paid to the beneficiary.
    #[serde(serialize_with = "json::exact")]
    pub paid_quote: Decimal,
    /// What the group made selling since the start.
    #[serde(serialize_with = "json::exact")]
    pub proceeds_quote: Decimal,
    /// Settlements made.
    pub settlements: u32,
    /// The beneficiary's share, a fraction.
    #[serde(serialize_with = "json::exact")]
    pub share: Decimal,
    /// Start, seconds.
    #[serde(serialize_with = "json::float")]
    pub start_s: f64,
    /// Owed but not paid (the group lacked the cash).
    #[serde(serialize_with = "json::exact")]
    pub unpaid_quote: Decimal,
}

impl Contract for ProceedsSplit {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        ctx.wake_at(self.terms.start, TimerKey::MAIN);
    }

    fn on_timer(&mut self, _key: TimerKey, ctx: &mut ContractCtx<'_>) {
        match self.cash_start {
            None => self.cash_start = Some(ctx.holdings(&self.accounts).0),
            Some(_) => self.settle(ctx),
        }
        ctx.wake_at(SimTime(ctx.now.nanos().saturating_add(self.terms.every.nanos().max(1))), TimerKey::MAIN);
    }

    fn finish(&mut self, ctx: &mut ContractCtx<'_>) {
        self.settle(ctx);
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::book::OrderType;
    use crate::contracts::tests::{secs, summary_json, units, World, FIRM, MM, MM_ACCT, OTHER, OTHER_ACCT};
    use crate::types::Side;
    use crate::units::Dur;

    fn terms(share: Decimal) -> SplitTerms {
        SplitTerms {
            mm: "mm".into(),
            beneficiary: "firm".into(),
            share,
            start: SimTime::ZERO,
            every: Dur(10_000_000_000),
        }
    }

    /// The MM sells 100 lots at 1,000 ticks (100,000 atoms) at 5 s: half goes to the beneficiary
    /// at the 10 s settlement; buying back at 20 s is a loss that is not split back.
    #[test]
    fn half_of_the_net_sales_goes_to_the_beneficiary_and_losses_are_not_split() {
        let mut w = World::new((0, 0), (0, 1_000), 1_000);
        let mut c = ProceedsSplit::new("split", terms(dec!(0.5)), vec![MM_ACCT], FIRM);
        w.start(&mut c);
        w.drive(&mut c, secs(5));
        w.order(OTHER, OTHER_ACCT, Side::Buy, OrderType::Limit, 1_000, 100);
        w.order(MM, MM_ACCT, Side::Sell, OrderType::Ioc, 1_000, 100);
        w.drive(&mut c, secs(15));
        assert_eq!(c.outcome(), (Cash(100_000), Cash(50_000)));
        assert_eq!((w.cash(MM_ACCT), w.cash(FIRM)), (Cash(50_000), Cash(50_000)));
        // It buys 20 lots back at 1,500: proceeds fall to 70,000, the share to 35,000; nothing
        // comes back from the beneficiary.
        w.order(OTHER, OTHER_ACCT, Side::Sell, OrderType::Limit, 1_500, 20);
        w.order(MM, MM_ACCT, Side::Buy, OrderType::Ioc, 1_500, 20);
        w.drive(&mut c, secs(25));
        w.finish(&mut c);
        assert_eq!(c.outcome(), (Cash(70_000), Cash(50_000)));
        assert_eq!(w.cash(FIRM), Cash(50_000));
        let r = c.report(units());
        let j = summary_json(&r);
        assert_eq!(j["kind"], "proceeds_split");
        assert_eq!(j["paid_quote"], serde_json::json!(500));
        assert_eq!(j["unpaid_quote"], serde_json::json!(0));
        assert!(w.exchange.ledger().conservation().ok());
    }

    /// Cash locked in a resting bid cannot be paid out: the share stays unpaid until it is free.
    #[test]
    fn a_share_the_mm_cannot_pay_yet_is_paid_at_a_later_settlement() {
        let mut w = World::new((0, 0), (0, 1_000), 1_000);
        let mut c = ProceedsSplit::new("split", terms(dec!(1)), vec![MM_ACCT], FIRM);
        w.start(&mut c);
        w.drive(&mut c, secs(1));
        w.order(OTHER, OTHER_ACCT, Side::Buy, OrderType::Limit, 1_000, 10);
        w.order(MM, MM_ACCT, Side::Sell, OrderType::Ioc, 1_000, 10);
        let bid = w.order(MM, MM_ACCT, Side::Buy, OrderType::Limit, 1, 4_000).expect("rests");
        w.drive(&mut c, secs(11));
        let (proceeds, paid) = c.outcome();
        assert_eq!(proceeds, Cash(10_000));
        assert!(paid < proceeds, "part of its cash is locked in the bid");
        w.exchange.cancel(MM, bid).expect("cancel");
        w.drive(&mut c, secs(21));
        assert_eq!(c.outcome(), (Cash(10_000), Cash(10_000)));
    }
}
