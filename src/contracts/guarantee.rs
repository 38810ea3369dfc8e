//! `guarantee`: the project deposits cash with the exchange against manipulation for a period; what
//! comes back depends on the price staying inside an agreed band.
//!
//! At `start` the deposit moves from the depositor (the project by default) to the exchange's
//! account; a depositor without the free cash leaves the guarantee `failed`. The band's bounds are
//! absolute prices or premiums/discounts over the spot at the start (`band_low = "-50%"`). Every
//! `check_every` from the start until `start + period` (exclusive) the spot (last trade) is checked
//! against the band, bounds included. At `start + period` the exchange releases to the depositor,
//! with `release = "proportional"`, `deposit × checks in band / checks` (rounded down to the atom),
//! or with `"all_or_nothing"` the whole deposit unless a check found the price outside the band;
//! the rest is withheld (stays with the exchange).
//!
//! The deposit is booked when it is released or withheld, never before: while the exchange holds
//! it, it is recorded as the depositor's deposit ([`ContractCommand::Deposit`](super::ContractCommand)),
//! so the depositor's PnL counts it as its own. A run that ends before `start + period` leaves the
//! deposit held: the entry reports `released` and `withheld` as 0 with `settled = false`, and what
//! the rule would give on the checks so far as `released_projected` / `withheld_projected`
//! (projected figures, not booked anywhere).

use rust_decimal::Decimal;
use serde::Serialize;

use super::report::{json, ContractReport, ContractRow, ContractSummary, Fmt, Transfer};
use super::spec::{ContractKind, GuaranteeTerms, ReleaseRule};
use super::{Contract, ContractCommand, ContractCtx, TimerKey};
use crate::ledger::AccountId;
use crate::metrics::Units;
use crate::types::{Cash, Price, SimTime};

/// Where a guarantee stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuaranteeStatus {
    /// Not deposited yet.
    Pending,
    /// The depositor could not deposit.
    Failed,
    /// Deposited, the period still running.
    Held,
    /// Released (in part) at the period's end.
    Settled,
}

/// A guarantee's `summary.json` entry (fields in alphabetical order, as written).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuaranteeSummary {
    /// Highest price of the band, once fixed (`None`: unbounded or not yet fixed).
    #[serde(serialize_with = "json::exact_opt")]
    pub band_high: Option<Decimal>,
    /// Lowest price of the band.
    #[serde(serialize_with = "json::exact_opt")]
    pub band_low: Option<Decimal>,
    /// Price checks made.
    pub checks: u64,
    /// Checks that found the price inside the band.
    pub checks_in_band: u64,
    /// The deposit (0 unless it was made).
    #[serde(serialize_with = "json::exact")]
    pub deposit: Decimal,
    /// The depositing account.
    pub depositor: String,
    /// End of the period, seconds since the start.
    #[serde(serialize_with = "json::float")]
    pub end_s: f64,
    /// The first check outside the band, seconds.
    #[serde(serialize_with = "json::float_opt")]
    pub first_breach_s: Option<f64>,
    /// Share of checks inside the band.
    #[serde(serialize_with = "json::float")]
    pub in_band_share: f64,
    /// Always [`ContractKind::Guarantee`].
    pub kind: ContractKind,
    /// The group it is about, for reports.
    pub mm: Option<String>,
    /// Contract name.
    pub name: String,
    /// The spot at the start that premiums are over.
    #[serde(serialize_with = "json::exact_opt")]
    pub reference_price: Option<Decimal>,
    /// What is released at the end.
    pub release_rule: ReleaseRule,
    /// Released to the depositor.
    #[serde(serialize_with = "json::exact")]
    pub released: Decimal,
    /// What the rule would release on the checks so far.
    #[serde(serialize_with = "json::exact")]
    pub released_projected: Decimal,
    /// True once released.
    pub settled: bool,
    /// Start, seconds.
    #[serde(serialize_with = "json::float")]
    pub start_s: f64,
    /// Where it stands.
    pub status: GuaranteeStatus,
    /// Withheld by the exchange.
    #[serde(serialize_with = "json::exact")]
    pub withheld: Decimal,
    /// What the rule would withhold on the checks so far.
    #[serde(serialize_with = "json::exact")]
    pub withheld_projected: Decimal,
}

/// A guarantee deposit (kind `guarantee`).
#[derive(Clone, Debug)]
pub struct Guarantee {
    name: String,
    terms: GuaranteeTerms,
    depositor: AccountId,
    venue: AccountId,
    status: GuaranteeStatus,
    reference: Option<Price>,
    band: (Option<Price>, Option<Price>),
    checks: u64,
    in_band: u64,
    first_breach: Option<SimTime>,
    next_check: SimTime,
    released: Cash,
    withheld: Cash,
    settled_at: Option<SimTime>,
    transfers: Vec<Transfer>,
}

impl Guarantee {
    /// A deposit by `depositor` with the exchange's account `venue`.
    pub fn new(name: &str, terms: GuaranteeTerms, depositor: AccountId, venue: AccountId) -> Self {
        Guarantee {
            name: name.to_string(),
            next_check: terms.start,
            terms,
            depositor,
            venue,
            status: GuaranteeStatus::Pending,
            reference: None,
            band: (None, None),
            checks: 0,
            in_band: 0,
            first_breach: None,
            released: Cash::ZERO,
            withheld: Cash::ZERO,
            settled_at: None,
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

    /// (released, withheld) so far: actual once settled, zero before.
    pub fn outcome(&self) -> (Cash, Cash) {
        (self.released, self.withheld)
    }

    /// Checks made and checks with the price inside the band.
    pub fn checks(&self) -> (u64, u64) {
        (self.checks, self.in_band)
    }

    fn end(&self) -> SimTime {
        self.terms.start.plus_nanos(self.terms.period.nanos())
    }

    /// What the release rule gives on the checks so far: (released, withheld).
    pub fn rule_outcome(&self) -> (Cash, Cash) {
        let d = self.terms.deposit;
        let released = match self.terms.release {
            ReleaseRule::Proportional if self.checks > 0 => Cash(d.0 * self.in_band as i128 / self.checks as i128),
            ReleaseRule::Proportional => d,
            ReleaseRule::AllOrNothing if self.first_breach.is_some() => Cash::ZERO,
            ReleaseRule::AllOrNothing => d,
        };
        (released, d - released)
    }

    fn step(&mut self, ctx: &mut ContractCtx<'_>) {
        if self.status == GuaranteeStatus::Pending {
            if ctx.now < self.terms.start {
                ctx.wake_at(self.terms.start, TimerKey::MAIN);
                return;
            }
            if ctx.pay(&mut self.transfers, self.depositor, self.venue, self.terms.deposit).is_err() {
                self.status = GuaranteeStatus::Failed;
                return;
            }
            let _ = ctx.apply(ContractCommand::Deposit {
                owner: self.depositor,
                holder: self.venue,
                cash: self.terms.deposit,
            });
            let spot = ctx.spot();
            self.reference = Some(spot);
            self.band = (self.terms.band_low.map(|r| r.resolve(spot)), self.terms.band_high.map(|r| r.resolve(spot)));
            self.status = GuaranteeStatus::Held;
        }
        if self.status != GuaranteeStatus::Held {
            return;
        }
        if ctx.now >= self.end() {
            let (released, withheld) = self.rule_outcome();
            let _ = ctx.apply(ContractCommand::Deposit {
                owner: self.depositor,
                holder: self.venue,
                cash: -self.terms.deposit,
            });
            self.settled_at = Some(ctx.now);
            self.released = ctx.pay_from(&mut self.transfers, &[self.venue], self.depositor, released);
            self.withheld = withheld;
            self.status = GuaranteeStatus::Settled;
            return;
        }
        if ctx.now >= self.next_check {
            let p = ctx.spot();
            let inside = self.band.0.is_none_or(|lo| p >= lo) && self.band.1.is_none_or(|hi| p <= hi);
            self.checks += 1;
            if inside {
                self.in_band += 1;
            } else if self.first_breach.is_none() {
                self.first_breach = Some(ctx.now);
            }
            while self.next_check <= ctx.now {
                self.next_check = self.next_check.plus_nanos(self.terms.check_every.nanos().max(1));
            }
        }
        ctx.wake_at(self.next_check.min(self.end()), TimerKey::MAIN);
    }

    /// The summary entry and the CSV row.
    pub fn report(&self, units: Units) -> ContractReport {
        let f = Fmt(units);
        let t = &self.terms;
        let settled = self.status == GuaranteeStatus::Settled;
        let (proj_released, proj_withheld) = self.rule_outcome();
        let share = if self.checks > 0 { self.in_band as f64 / self.checks as f64 } else { 0.0 };
        let held = matches!(self.status, GuaranteeStatus::Held | GuaranteeStatus::Settled);
        let summary = GuaranteeSummary {
            band_high: self.band.1.map(|p| f.price(p)),
            band_low: self.band.0.map(|p| f.price(p)),
            checks: self.checks,
            checks_in_band: self.in_band,
            deposit: f.cash(if held { t.deposit } else { Cash::ZERO }),
            depositor: t.depositor.clone(),
            end_s: self.end().as_secs_f64(),
            first_breach_s: self.first_breach.map(|t| t.as_secs_f64()),
            in_band_share: share,
            kind: ContractKind::Guarantee,
            mm: t.mm.clone(),
            name: self.name.clone(),
            reference_price: self.reference.map(|p| f.price(p)),
            release_rule: t.release,
            released: f.cash(self.released),
            released_projected: f.cash(if held { proj_released } else { Cash::ZERO }),
            settled,
            start_s: t.start.as_secs_f64(),
            status: self.status,
            withheld: f.cash(self.withheld),
            withheld_projected: f.cash(if held { proj_withheld } else { Cash::ZERO }),
        };
        let row = ContractRow {
            contract: self.name.clone(),
            kind: ContractKind::Guarantee,
            mm: t.mm.clone(),
            period: 1,
            start_s: t.start.as_secs_f64(),
            end_s: self.end().as_secs_f64(),
            settled,
            values: vec![
                ("deposit", f.cash_text(if held { t.deposit } else { Cash::ZERO })),
                ("released", f.cash_text(self.released)),
                ("withheld", f.cash_text(self.withheld)),
                ("in_band_share", super::report::f64_text(share)),
                ("settled_s", self.settled_at.map(|t| super::report::secs_text(t.as_secs_f64())).unwrap_or_default()),
            ],
        };
        ContractReport { summary: ContractSummary::Guarantee(summary), rows: vec![row] }
    }
}

impl Contract for Guarantee {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }

    fn on_timer(&mut self, _key: TimerKey, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }
}
