//! One accounting for a finished run: the market maker's payoff and the project's outcome, the
//! figures every report, sweep and stress test shows (one computation, one sign).
//!
//! Both are read from a finished run's [`Summary`], taken after every contract has settled: a run
//! that ends with a loan open settles it then, as if it expired (tokens owed are returned, bought
//! in with cash at the last price, or defaulted against the collateral), so nothing is left as a
//! marked open position. Holdings are valued at the run's closing price (the last trade; the
//! listing price when nothing traded). Deposits still held by another party (a guarantee with the
//! exchange) count as the depositor's: a guarantee is booked as lost only when it is withheld.
//!
//! - **MM payoff** ([`mm_payoff`]) = everything the MM group ends with minus what it started with,
//!   cash plus tokens at the closing price: the `pnl_quote` of its own accounts (none when it
//!   trades the project's account, `trades_for`) plus that of the accounts its subscriptions pay
//!   fees into (other than the project's and its own). Penalties paid and collateral forfeited are
//!   inside it; they are also reported apart.
//! - **MM payoff at exit** ([`MmPayoff::payoff_at_exit`]) = the same, with the tokens the MM group
//!   ends with valued at their exit value (what they would fetch sold into the closing book's bids
//!   of the other parties; beyond those bids, nothing) instead of at the close. A last print is not
//!   a price a large holding can be sold at: a pump that ends with the MM holding what it bought,
//!   or a runaway crowd that leaves a thin MM holding its loan, marks a million tokens at a print
//!   on an empty book. The stress test maximises and compares this figure; for an MM that ends
//!   flat (it returned what it borrowed and holds nothing of its own) both are the same.
//! - **Project outcome** ([`project_outcome`]) = the project's final cash + tokens at the closing
//!   price (its deposits held elsewhere and its tokens still lent included) − its starting cash +
//!   tokens at the listing price (`[market] open_price`). `vs_holding` = the same final wealth −
//!   its starting holdings at the closing price: its result against simply holding (the party's
//!   `pnl_quote`).
//!
//! **Comparisons.** The honest benchmark and every counterfactual compare two runs of the same
//! seed: *actual − counterfactual* (or manipulative − honest), the one sign convention of the
//! terminal, `comparison.csv` and `report.html`. Because both runs value their starting holdings
//! at the same listing price, the difference of two project outcomes is the difference of the
//! final wealths: what the project ends up worse (negative) or better off because of the change.

use rust_decimal::Decimal;

use crate::contracts::ContractSummary;
use crate::metrics::summary::Summary;
use crate::metrics::PartyKind;

/// What an MM group made in a finished run, in quote units (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct MmPayoff {
    /// The group.
    pub group: String,
    /// Its payoff: own accounts plus fee accounts, valued at the close.
    pub payoff: Decimal,
    /// Its payoff with the tokens it ends with at their exit value instead of the close (see the
    /// module docs); `None` when the run recorded no closing book (backtests).
    pub payoff_at_exit: Option<Decimal>,
    /// Of which: its own accounts' result (0 when it trades the project's account).
    pub own_accounts: Decimal,
    /// Of which: the result of the accounts its subscription fees are paid into.
    pub fee_accounts: Decimal,
    /// Penalties it paid (loans' breach penalties and subscriptions' miss penalties).
    pub penalties_paid: Decimal,
    /// Collateral it forfeited, cash + tokens at the close.
    pub collateral_forfeited: Decimal,
    /// Settled subscription periods it was judged on, and how many of them met every KPI.
    pub kpi_periods: (usize, usize),
}

/// What the project ended with in a finished run, in quote units (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectOutcome {
    /// Starting cash + tokens at the listing price.
    pub wealth_start: Decimal,
    /// Final cash (deposits held elsewhere included) + tokens (lent ones included) at the close.
    pub wealth_end: Decimal,
    /// `wealth_end − wealth_start`.
    pub outcome: Decimal,
    /// `wealth_end −` the starting holdings at the close: the result against simply holding.
    pub vs_holding: Decimal,
    /// Guarantee deposits still held at the end that their rule would withhold (projected, not
    /// booked: the deposit is in `wealth_end` until it is withheld).
    pub withheld_projected: Decimal,
}

/// Why a payoff cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountingError {
    /// No agent group of that name.
    #[error("no agent group named {name:?} in the run; the groups are: {known}")]
    UnknownGroup {
        /// The name asked for.
        name: String,
        /// The groups there are.
        known: String,
    },
}

/// The closing price the run's holdings are valued at.
pub fn closing_price(summary: &Summary) -> Decimal {
    summary.price.close.unwrap_or(summary.price.listing)
}

/// The MM payoff of `group` in the finished run `summary` (see the module docs).
///
/// # Errors
/// [`AccountingError::UnknownGroup`] when `group` is not an agent group of the run.
pub fn mm_payoff(summary: &Summary, group: &str) -> Result<MmPayoff, AccountingError> {
    let Some(g) = summary.groups.iter().find(|g| g.name == group && g.kind.is_group()) else {
        let known: Vec<&str> = summary.groups.iter().filter(|g| g.kind.is_group()).map(|g| g.name.as_str()).collect();
        return Err(AccountingError::UnknownGroup { name: group.to_string(), known: known.join(", ") });
    };
    let mut fee_names: Vec<&str> = Vec::new();
    let (mut penalties, mut forfeited, mut periods) = (Decimal::ZERO, Decimal::ZERO, (0, 0));
    for c in summary.contracts.iter().filter(|c| c.mm() == Some(group)) {
        match c {
            ContractSummary::TokenLoan(l) => {
                penalties += l.penalties_paid;
                forfeited += l.collateral_forfeited_quote;
            }
            ContractSummary::Subscription(s) => {
                penalties += s.penalties_paid;
                periods = (periods.0 + s.periods, periods.1 + s.periods - s.periods_failed);
                let is_project = summary.groups.iter().any(|p| p.name == s.fee_account && p.kind == PartyKind::Project);
                if s.fee_account != group && !is_project && !fee_names.contains(&s.fee_account.as_str()) {
                    fee_names.push(&s.fee_account);
                }
            }
            _ => {}
        }
    }
    let fee_accounts: Decimal = summary
        .groups
        .iter()
        .filter(|p| p.kind == PartyKind::Account && fee_names.contains(&p.name.as_str()))
        .map(|p| p.pnl_quote)
        .sum();
    let payoff = g.pnl_quote + fee_accounts;
    let close = closing_price(summary);
    Ok(MmPayoff {
        group: group.to_string(),
        payoff: payoff.normalize(),
        payoff_at_exit: g.exit_value_quote.map(|exit| (payoff - g.tokens_end * close + exit).normalize()),
        own_accounts: g.pnl_quote.normalize(),
        fee_accounts: fee_accounts.normalize(),
        penalties_paid: penalties.normalize(),
        collateral_forfeited: forfeited.normalize(),
        kpi_periods: periods,
    })
}

/// The project's outcome in the finished run `summary`; `None` without a `[project]`.
pub fn project_outcome(summary: &Summary) -> Option<ProjectOutcome> {
    let p = summary.groups.iter().find(|g| g.kind == PartyKind::Project)?;
    let close = closing_price(summary);
    let wealth_start = p.cash_start + p.tokens_start * summary.price.listing;
    let wealth_end = p.cash_end + p.cash_deposited + (p.tokens_end + p.tokens_lent) * close;
    let withheld_projected: Decimal = summary
        .contracts
        .iter()
        .filter_map(|c| match c {
            ContractSummary::Guarantee(g) if !g.settled && g.depositor == p.name => Some(g.withheld_projected),
            _ => None,
        })
        .sum();
    Some(ProjectOutcome {
        wealth_start: wealth_start.normalize(),
        wealth_end: wealth_end.normalize(),
        outcome: (wealth_end - wealth_start).normalize(),
        vs_holding: (wealth_end - p.cash_start - p.tokens_start * close).normalize(),
        withheld_projected: withheld_projected.normalize(),
    })
}
