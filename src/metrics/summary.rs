//! `summary.json`: the figures of one run, in the stable shape the README documents (fields may be
//! added, never renamed).
//!
//! Money and prices are exact decimals in quote units, written as JSON numbers (never rounded
//! through a float). PnL is marked to the last trade price (the opening price when nothing traded):
//! `pnl = (cash_end − cash_start) + (tokens_end − tokens_start) × close`.
//!
//! A last print is not a price anyone can sell a large holding at (a pumped or runaway print on an
//! empty book marks a million tokens as well as one), so each party also gets its tokens' **exit
//! value**: what selling the tokens it ends with into the closing book's bids of the *other* parties
//! would pay, best bid first; tokens beyond those bids fetch nothing. [`crate::accounting`] values
//! the MM payoff of a stress test with it.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{PartyBalance, PartyKind, Recorder, Units};
use crate::book::OrderBook;
use crate::contracts::ContractSummary;
use crate::ledger::{Conservation, Ledger};
use crate::types::{Cash, Price, Qty, Side};

/// The whole summary.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Kernel events processed.
    pub events: u64,
    /// Simulated seconds.
    pub sim_seconds: f64,
    /// Wall-clock seconds (the one field that differs between identical runs).
    pub wall_seconds: f64,
    /// Trade prices.
    pub price: PriceSummary,
    /// Traded value.
    pub volume: VolumeSummary,
    /// One entry per agent group, then the project, named accounts and the exchange.
    pub groups: Vec<GroupSummary>,
    /// Contract settlements (filled in by the contracts module).
    pub contracts: Vec<ContractSummary>,
    /// The conservation check.
    pub conservation: ConservationSummary,
    /// Where the run came from (version, commit, scenario file and hash, overrides, command
    /// line); absent for runs not started from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
}

/// Open, high, low and close trade prices (absent when nothing traded).
#[derive(Clone, Debug, Serialize)]
pub struct PriceSummary {
    /// First trade.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub open: Option<Decimal>,
    /// Highest trade.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub high: Option<Decimal>,
    /// Lowest trade.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub low: Option<Decimal>,
    /// Last trade.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub close: Option<Decimal>,
    /// The market's `open_price` (the listing price, before any trade): starting holdings are
    /// valued at it in [`crate::accounting::project_outcome`].
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub listing: Decimal,
}

/// Traded value, real and wash.
#[derive(Clone, Debug, Serialize)]
pub struct VolumeSummary {
    /// All traded value in quote units.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub quote_total: Decimal,
    /// Wash-traded value.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub quote_wash: Decimal,
    /// Number of trades.
    pub trades: u64,
    /// Wash share of traded value (0 when nothing traded).
    pub wash_share: f64,
}

/// One party's balances and PnL.
#[derive(Clone, Debug, Serialize)]
pub struct GroupSummary {
    /// Name.
    pub name: String,
    /// What it is: printed as its agent kind, or `project`, `account`, `exchange`.
    pub kind: PartyKind,
    /// Agents (crowd members) in the group.
    pub agents: u32,
    /// PnL marked to the close.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub pnl_quote: Decimal,
    /// Cash at the start.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_start: Decimal,
    /// Cash at the end.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_end: Decimal,
    /// Tokens at the start.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub tokens_start: Decimal,
    /// Tokens at the end.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub tokens_end: Decimal,
    /// Tokens lent out (positive) or borrowed (negative) under loans still open at the end; left
    /// out when 0. The PnL counts them as the lender's.
    #[serde(with = "rust_decimal::serde::arbitrary_precision", skip_serializing_if = "Decimal::is_zero")]
    pub tokens_lent: Decimal,
    /// Cash deposited with another party and still owed back (positive: a guarantee with the
    /// exchange, collateral in escrow), or held for others (negative); left out when 0. The PnL
    /// counts it as the depositor's until it is released, withheld or forfeited.
    #[serde(with = "rust_decimal::serde::arbitrary_precision", skip_serializing_if = "Decimal::is_zero")]
    pub cash_deposited: Decimal,
    /// What its tokens at the end (`tokens_end`) would fetch sold into the closing book's bids of
    /// the other parties, best first (tokens beyond them fetch nothing); absent for runs without a
    /// closing book of their own (backtests).
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option", skip_serializing_if = "Option::is_none")]
    pub exit_value_quote: Option<Decimal>,
}

/// Sums over all accounts at the start and the end.
#[derive(Clone, Debug, Serialize)]
pub struct ConservationSummary {
    /// True when nothing was created or destroyed.
    pub ok: bool,
    /// Cash at the start.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_start: Decimal,
    /// Cash at the end.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cash_end: Decimal,
    /// Tokens at the start.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub tokens_start: Decimal,
    /// Tokens at the end.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub tokens_end: Decimal,
}

/// PnL of a change in holdings marked at `mark`.
pub fn pnl(cash: Cash, tokens: Qty, mark: Price) -> Cash {
    cash + Cash::notional(mark, tokens)
}

impl GroupSummary {
    fn new(units: Units, party: &super::Party, end: PartyBalance, mark: Price) -> Self {
        // Deposits still held elsewhere count as the depositor's.
        let d_cash = end.cash + end.cash_claim - party.cash_start;
        // Tokens still lent out count as the lender's, borrowed ones as the borrower's debt.
        let d_tokens = end.tokens + end.claim - party.tokens_start;
        GroupSummary {
            name: party.name.clone(),
            kind: party.kind,
            agents: party.agents,
            pnl_quote: units.cash(pnl(d_cash, d_tokens, mark)),
            cash_start: units.cash(party.cash_start),
            cash_end: units.cash(end.cash),
            tokens_start: units.tokens(party.tokens_start),
            tokens_end: units.tokens(end.tokens),
            tokens_lent: units.tokens(end.claim),
            cash_deposited: units.cash(end.cash_claim),
            exit_value_quote: None,
        }
    }
}

/// For each party (indexed as `held`), what selling `held[party]` tokens into the bids of `book`
/// that other parties own would pay, best bid first, in time priority within a level.
/// `account_party` maps an order's owner (an account id) to its party.
pub fn exit_values(book: &OrderBook, account_party: &[u32], held: &[Qty]) -> Vec<Cash> {
    let bids: Vec<(usize, Price, Qty)> = book
        .orders(Side::Buy)
        .filter_map(|o| Some((*account_party.get(o.trader.0 as usize)? as usize, o.price, o.qty)))
        .collect();
    held.iter()
        .enumerate()
        .map(|(party, &tokens)| {
            let (mut left, mut value) = (tokens.0.max(0), Cash::ZERO);
            for &(_, price, qty) in bids.iter().filter(|b| b.0 != party) {
                if left == 0 {
                    break;
                }
                let take = left.min(qty.0);
                value += Cash::notional(price, Qty(take));
                left -= take;
            }
            value
        })
        .collect()
}

/// What a summary is built from besides the recorder and ledger.
#[derive(Clone, Copy, Debug)]
pub struct RunFacts<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Seed.
    pub seed: u64,
    /// Events processed.
    pub events: u64,
    /// Simulated seconds.
    pub sim_seconds: f64,
    /// Wall seconds.
    pub wall_seconds: f64,
    /// Opening price (the mark when nothing traded).
    pub open_price: Price,
}

impl Summary {
    /// Builds the summary of a finished run.
    /// `closing_book`: the book at the end, for each party's exit value (`None`: not computed).
    pub fn new(
        facts: RunFacts<'_>,
        recorder: &Recorder,
        ledger: &Ledger,
        closing_book: Option<&OrderBook>,
        units: Units,
    ) -> Self {
        let totals = recorder.totals();
        let mark = totals.close.unwrap_or(facts.open_price);
        let ends = recorder.balances(ledger);
        let mut groups: Vec<GroupSummary> =
            recorder.parties().iter().zip(&ends).map(|(p, &end)| GroupSummary::new(units, p, end, mark)).collect();
        if let Some(book) = closing_book {
            let held: Vec<Qty> = ends.iter().map(|e| e.tokens).collect();
            for (g, value) in groups.iter_mut().zip(exit_values(book, recorder.account_party(), &held)) {
                g.exit_value_quote = Some(units.cash(value));
            }
        }
        let c: Conservation = ledger.conservation();
        let wash_share = if totals.volume.0 > 0 { totals.volume_wash.0 as f64 / totals.volume.0 as f64 } else { 0.0 };
        Summary {
            scenario: facts.scenario.to_string(),
            seed: facts.seed,
            events: facts.events,
            sim_seconds: facts.sim_seconds,
            wall_seconds: facts.wall_seconds,
            price: PriceSummary {
                open: totals.open.map(|p| units.price(p)),
                high: totals.high.map(|p| units.price(p)),
                low: totals.low.map(|p| units.price(p)),
                close: totals.close.map(|p| units.price(p)),
                listing: units.price(facts.open_price),
            },
            volume: VolumeSummary {
                quote_total: units.cash(totals.volume),
                quote_wash: units.cash(totals.volume_wash),
                trades: totals.trades,
                wash_share,
            },
            groups,
            contracts: Vec::new(),
            conservation: ConservationSummary {
                ok: c.ok(),
                cash_start: units.cash(c.cash_start),
                cash_end: units.cash(c.cash_end),
                tokens_start: units.tokens(c.tokens_start),
                tokens_end: units.tokens(c.tokens_end),
            },
            provenance: None,
        }
    }

    /// The group (party) named `name`.
    pub fn group(&self, name: &str) -> Option<&GroupSummary> {
        self.groups.iter().find(|g| g.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::exit_values;
    use crate::book::{NewOrder, OrderBook, OrderType};
    use crate::types::{Cash, OrderId, Price, Qty, Side, TraderId};

    fn bid(book: &mut OrderBook, id: u64, account: u32, price: i64, qty: i64) {
        let order = NewOrder {
            id: OrderId(id),
            trader: TraderId(account),
            side: Side::Buy,
            kind: OrderType::Limit,
            price: Price(price),
            qty: Qty(qty),
        };
        book.submit(order, &mut Vec::new()).unwrap();
    }

    #[test]
    fn exit_value_walks_the_other_parties_bids_best_first_and_stops_at_the_book() {
        let mut book = OrderBook::new();
        // Accounts 0 and 1 belong to party 0, account 2 to party 1.
        let account_party = [0, 0, 1];
        bid(&mut book, 1, 2, 100, 5); // party 1's best bid
        bid(&mut book, 2, 0, 99, 50); // party 0's own bid: never its exit
        bid(&mut book, 3, 2, 90, 10);
        let values = exit_values(&book, &account_party, &[Qty(8), Qty(100), Qty(0)]);
        // Party 0 sells 8: 5 at 100, 3 at 90 (its own bid at 99 skipped).
        assert_eq!(values[0], Cash::notional(Price(100), Qty(5)) + Cash::notional(Price(90), Qty(3)));
        // Party 1 sells 100 into party 0's 50 at 99; the other 50 fetch nothing.
        assert_eq!(values[1], Cash::notional(Price(99), Qty(50)));
        assert_eq!(values[2], Cash::ZERO);
        // An empty book: nothing, whatever the holding.
        assert_eq!(exit_values(&OrderBook::new(), &account_party, &[Qty(1_000_000)]), vec![Cash::ZERO]);
    }
}
