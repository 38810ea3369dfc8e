//! Terms of a token loan that cost the market maker something: collateral it posts and forfeits on
//! a breach, penalties it pays, a cap on its net sales of the lent tokens, a lock-up, and the
//! project's right to recall the loan when the price falls (validated form; the keys and their
//! units are in [`raw::contracts`](crate::scenario::raw::contracts), the rules in
//! `token_loan/clauses.rs`).
//!
//! Units: tokens in lots ([`Qty`]), money in cash atoms ([`Cash`]), lengths as [`Dur`]; shares and
//! probabilities are fractions (`0.5` = 50%).

use crate::types::{Cash, Qty};
use crate::units::Dur;

/// A clause of a loan the borrower can breach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Clause {
    /// Net sales of lent tokens within one day above `sell_cap_daily`.
    SellCapDaily,
    /// Net sales of lent tokens since signing above `sell_cap_total`.
    SellCapTotal,
    /// Any net sale of lent tokens before the lock-up ends.
    Lockup,
    /// Tokens owed and not returned (at a recall's deadline, at expiry or at the run's end).
    Default,
}

impl Clause {
    /// Every clause, in report order.
    pub const ALL: [Clause; 4] = [Clause::SellCapDaily, Clause::SellCapTotal, Clause::Lockup, Clause::Default];

    /// The name used in reports (`sell_cap_daily`, `sell_cap_total`, `lockup`, `default`).
    pub fn name(self) -> &'static str {
        match self {
            Clause::SellCapDaily => "sell_cap_daily",
            Clause::SellCapTotal => "sell_cap_total",
            Clause::Lockup => "lockup",
            Clause::Default => "default",
        }
    }

    /// True for clauses the project can only see through the exchange's records (what the borrower
    /// sells): their breaches are found with probability `detection`. A default is always seen.
    pub fn partly_observed(self) -> bool {
        !matches!(self, Clause::Default)
    }
}

/// Where posted collateral is held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// The lender's own account: a forfeit only ends the MM's claim on it.
    Lender,
    /// An escrow account (an `[[accounts]]` name): a forfeit moves it to the lender.
    Escrow(String),
}

/// The protections of one loan; the default has none.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Protections {
    /// Cash the borrower posts at signing.
    pub collateral_cash: Cash,
    /// Tokens of its own the borrower posts at signing.
    pub collateral_tokens: Qty,
    /// Who holds the collateral (`None`: the lender).
    pub holder: Option<Holder>,
    /// Share of the posted collateral forfeited on a detected breach of each clause (clauses left
    /// out forfeit nothing), in (0, 1].
    pub forfeit: Vec<(Clause, f64)>,
    /// Cash the borrower pays the lender on each detected breach (what it cannot pay comes out of
    /// the collateral's cash).
    pub penalty_per_breach: Cash,
    /// Largest net sale of lent tokens within one day (counted from signing), in lots.
    pub sell_cap_daily: Option<Qty>,
    /// Largest net sale of lent tokens since signing, in lots.
    pub sell_cap_total: Option<Qty>,
    /// No net sale of lent tokens before signing + this.
    pub lockup: Option<Dur>,
    /// The lender recalls the loan once the spot is below this share of the spot at signing.
    pub recall_below: Option<f64>,
    /// After a recall the borrower has this long to return the tokens before it is in default.
    pub recall_grace: Dur,
    /// Probability that a breach of a partly observed clause is detected, in [0, 1].
    pub detection: f64,
    /// How often the borrower's token holdings are read for the sell cap and lock-up, and the
    /// spot for the recall.
    pub monitor_every: Dur,
}

impl Protections {
    /// No protections: nothing posted, nothing monitored, breaches always detected.
    pub fn none() -> Self {
        Protections {
            recall_grace: Dur(86_400_000_000_000),
            detection: 1.0,
            monitor_every: Dur(60_000_000_000),
            ..Protections::default()
        }
    }

    /// True when something must be watched during the loan (a cap, a lock-up or a recall).
    pub fn monitored(&self) -> bool {
        self.sell_cap_daily.is_some()
            || self.sell_cap_total.is_some()
            || self.lockup.is_some()
            || self.recall_below.is_some()
    }

    /// The share of the collateral forfeited on a detected breach of `clause`.
    pub fn forfeit_share(&self, clause: Clause) -> f64 {
        self.forfeit.iter().find(|(c, _)| *c == clause).map_or(0.0, |(_, s)| *s)
    }

    /// True when the borrower posts collateral.
    pub fn has_collateral(&self) -> bool {
        self.collateral_cash > Cash::ZERO || self.collateral_tokens > Qty::ZERO
    }
}
