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
//! A run that ends before `start + period` leaves the deposit held: the entry reports `released`
//! and `withheld` as 0 with `settled = false`, and what the rule would give on the checks so far as
//! `released_projected` / `withheld_projected`.

use serde_json::{json, Value};

use super::report::{head, num_f64, secs, ContractReport, ContractRow, Fmt, Transfer};
use super::spec::{GuaranteeTerms, ReleaseRule};
use super::{Contract, ContractCtx};
use crate::ledger::AccountId;
use crate::metrics::Units;
use crate::types::{Cash, Price, SimTime};

/// Where a guarantee stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Pending,
    Failed,
    Held,
    Settled,
}

/// A guarantee deposit (kind `guarantee`).
#[derive(Clone, Debug)]
pub struct Guarantee {
    name: String,
    terms: GuaranteeTerms,
    depositor: AccountId,
    venue: AccountId,
    status: Status,
    reference: Option<Price>,
    band: (Option<Price>, Option<Price>),
    checks: u64,
    in_band: u64,
    first_breach: Option<SimTime>,
    next_check: SimTime,
    released: Cash,
    withheld: Cash,
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
            status: Status::Pending,
            reference: None,
            band: (None, None),
            checks: 0,
            in_band: 0,
            first_breach: None,
            released: Cash::ZERO,
            withheld: Cash::ZERO,
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
        if self.status == Status::Pending {
            if ctx.now < self.terms.start {
                ctx.wake_at(self.terms.start);
                return;
            }
            if ctx.pay(&mut self.transfers, self.depositor, self.venue, self.terms.deposit).is_err() {
                self.status = Status::Failed;
                return;
            }
            let spot = ctx.spot();
            self.reference = Some(spot);
            self.band = (self.terms.band_low.map(|r| r.resolve(spot)), self.terms.band_high.map(|r| r.resolve(spot)));
            self.status = Status::Held;
        }
        if self.status != Status::Held {
            return;
        }
        if ctx.now >= self.end() {
            let (released, withheld) = self.rule_outcome();
            self.released = ctx.pay_from(&mut self.transfers, &[self.venue], self.depositor, released);
            self.withheld = withheld;
            self.status = Status::Settled;
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
        ctx.wake_at(self.next_check.min(self.end()));
    }

    /// The summary entry and the CSV row.
    pub fn report(&self, units: Units) -> ContractReport {
        let f = Fmt(units);
        let t = &self.terms;
        let settled = self.status == Status::Settled;
        let (proj_released, proj_withheld) = self.rule_outcome();
        let share = if self.checks > 0 { self.in_band as f64 / self.checks as f64 } else { 0.0 };
        let mut m = head(&self.name, "guarantee", t.mm.as_deref());
        let status = match self.status {
            Status::Pending => "pending",
            Status::Failed => "failed",
            Status::Held => "held",
            Status::Settled => "settled",
        };
        let price = |p: Option<Price>| p.map_or(Value::Null, |p| f.price(p));
        let held = matches!(self.status, Status::Held | Status::Settled);
        for (k, v) in [
            ("status", json!(status)),
            ("settled", json!(settled)),
            ("depositor", json!(t.depositor)),
            ("deposit", f.cash(if held { t.deposit } else { Cash::ZERO })),
            ("released", f.cash(self.released)),
            ("withheld", f.cash(self.withheld)),
            ("released_projected", f.cash(if held { proj_released } else { Cash::ZERO })),
            ("withheld_projected", f.cash(if held { proj_withheld } else { Cash::ZERO })),
            ("release_rule", json!(t.release)),
            ("start_s", secs(t.start)),
            ("end_s", secs(self.end())),
            ("reference_price", price(self.reference)),
            ("band_low", price(self.band.0)),
            ("band_high", price(self.band.1)),
            ("checks", json!(self.checks)),
            ("checks_in_band", json!(self.in_band)),
            ("in_band_share", num_f64(share)),
            ("first_breach_s", self.first_breach.map_or(Value::Null, secs)),
        ] {
            m.insert(k.to_string(), v);
        }
        let row = ContractRow {
            contract: self.name.clone(),
            kind: "guarantee",
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
            ],
        };
        ContractReport { summary: Value::Object(m), rows: vec![row] }
    }
}

impl Contract for Guarantee {
    fn start(&mut self, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }

    fn on_timer(&mut self, ctx: &mut ContractCtx<'_>) {
        self.step(ctx);
    }
}
