//! Recording a run: market samples at a fixed interval, running totals per party (group, project,
//! named account, exchange), price and volume figures, and an optional trade log.
//!
//! Memory is bounded by the number of samples, never by the number of events: trades are counted
//! and streamed to the trade log as they happen. A trade is *wash* when both sides have the same
//! beneficial owner: the same account, or the same individual (see [`Names::same_owner`]) — never
//! two strangers, whatever their orders' intents.

pub mod names;
pub mod order_log;
pub mod order_parquet;
pub mod order_rows;
pub mod order_sink;
pub mod parquet_out;
pub mod parquet_pipe;
pub mod parquet_spill;
pub mod row_buf;
pub mod stats;
pub mod summary;
pub mod trade_log;
pub mod trade_parquet;

use crate::agents::{AgentKind, Phase};
use crate::book::OrderBook;
use crate::exchange::Trade;
use crate::ledger::Ledger;
use crate::market::Tape;
pub use crate::market::Units;
use crate::types::{Cash, Price, Qty, Side, SimTime};
pub use names::Names;
pub use order_log::OrderLog;
pub use order_parquet::ParquetOrders;
pub use order_sink::OrderSink;
pub use trade_log::TradeLog;

/// What a party is. Printed (reports, `summary.json`, `agents.csv`) as its group's agent kind, or
/// `project`, `account` or `exchange`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyKind {
    /// An `[[agents]]` group.
    Group {
        /// The group's agent kind.
        kind: AgentKind,
    },
    /// The project's treasury (`[project]`).
    Project,
    /// A named `[[accounts]]` entry.
    Account,
    /// The exchange (its fee account).
    Exchange,
}

impl PartyKind {
    /// The name printed in reports: the agent kind for a group.
    pub fn name(self) -> &'static str {
        match self {
            PartyKind::Group { kind } => kind.name(),
            PartyKind::Project => "project",
            PartyKind::Account => "account",
            PartyKind::Exchange => "exchange",
        }
    }

    /// True for an agent group (a party whose agents trade), false for a plain account holder.
    pub fn is_group(self) -> bool {
        matches!(self, PartyKind::Group { .. })
    }
}

impl std::fmt::Display for PartyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl serde::Serialize for PartyKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Who holds accounts: an agent group, the project, a named account, or the exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// Name (group name, project name, account name, or `exchange`).
    pub name: String,
    /// What it is.
    pub kind: PartyKind,
    /// Number of agents (crowd members) in it.
    pub agents: u32,
    /// Cash at the start.
    pub cash_start: Cash,
    /// Tokens at the start.
    pub tokens_start: Qty,
}

/// One market sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// When.
    pub t: SimTime,
    /// Best bid.
    pub best_bid: Option<Price>,
    /// Best ask.
    pub best_ask: Option<Price>,
    /// Bid value (price × qty) within 2% below the mid.
    pub depth_bid_2pct: Cash,
    /// Ask value within 2% above the mid.
    pub depth_ask_2pct: Cash,
    /// Traded value since the previous sample.
    pub volume: Cash,
    /// Wash-traded value since the previous sample.
    pub volume_wash: Cash,
    /// Last trade price.
    pub last: Option<Price>,
    /// The manipulation phase in force (ground truth), if any.
    pub phase: Option<Phase>,
}

impl Sample {
    /// The mid in ticks, when both sides are present.
    pub fn mid(&self) -> Option<f64> {
        Some(Price::mid(self.best_bid?, self.best_ask?))
    }
}

/// Price and volume figures of the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// First trade price.
    pub open: Option<Price>,
    /// Highest trade price.
    pub high: Option<Price>,
    /// Lowest trade price.
    pub low: Option<Price>,
    /// Last trade price.
    pub close: Option<Price>,
    /// Traded value.
    pub volume: Cash,
    /// Wash-traded value.
    pub volume_wash: Cash,
    /// Number of trades.
    pub trades: u64,
}

/// Collects samples, totals and party balances while a simulation runs.
#[derive(Debug)]
pub struct Recorder {
    account_party: Vec<u32>,
    parties: Vec<Party>,
    samples: Vec<Sample>,
    /// Cash and tokens of each party at each sample, `[sample][party]`.
    holdings: Vec<Vec<(Cash, Qty)>>,
    totals: Totals,
    interval_volume: Cash,
    interval_wash: Cash,
    trade_log: Option<TradeLog>,
    names: Names,
}

impl Recorder {
    /// A recorder for `parties`, with `account_party[account]` the party of each account.
    pub fn new(parties: Vec<Party>, account_party: Vec<u32>, trade_log: Option<TradeLog>) -> Self {
        Recorder {
            account_party,
            parties,
            samples: Vec::new(),
            holdings: Vec::new(),
            totals: Totals::default(),
            interval_volume: Cash::ZERO,
            interval_wash: Cash::ZERO,
            trade_log,
            names: Names::default(),
        }
    }

    /// Names the agents and accounts (the engine calls it when the simulation is made): wash
    /// labels and the trade log need to know who is one owner.
    pub fn set_names(&mut self, names: Names) {
        if let Some(log) = &mut self.trade_log {
            log.set_names(names.clone());
        }
        self.names = names;
    }

    /// The names of agents, groups and accounts.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// True when a trade is wash: both sides have the same beneficial owner (the same account, or
    /// the same individual: see [`Names::same_owner`]).
    pub fn is_wash(&self, t: &Trade) -> bool {
        self.names.same_owner((t.maker_agent, t.maker_account), (t.taker_agent, t.taker_account))
    }

    /// Records a settled trade.
    pub fn on_trade(&mut self, now: SimTime, t: &Trade) {
        let notional = Cash::notional(t.price, t.qty);
        let wash = self.is_wash(t);
        let tot = &mut self.totals;
        tot.open.get_or_insert(t.price);
        tot.high = Some(tot.high.map_or(t.price, |h| h.max(t.price)));
        tot.low = Some(tot.low.map_or(t.price, |l| l.min(t.price)));
        tot.close = Some(t.price);
        tot.volume += notional;
        tot.trades += 1;
        self.interval_volume += notional;
        if wash {
            tot.volume_wash += notional;
            self.interval_wash += notional;
        }
        if let Some(log) = &mut self.trade_log {
            log.write(now, t, wash);
        }
    }

    /// Takes a sample of the market and of every party's holdings.
    ///
    /// Holdings are summed from `ledger`, the one source of truth: cash, and tokens plus the
    /// accounts' loan claims (see [`crate::ledger::Account::claim`]), with deposits held elsewhere
    /// counted as the depositor's cash ([`crate::ledger::Account::cash_claim`]).
    pub fn sample(&mut self, now: SimTime, book: &OrderBook, tape: &Tape, ledger: &Ledger, phase: Option<Phase>) {
        let (best_bid, best_ask) = (book.best_bid(), book.best_ask());
        let (depth_bid_2pct, depth_ask_2pct) = match (best_bid, best_ask) {
            (Some(b), Some(a)) => {
                let mid = Price::mid(b, a);
                (band_value(book, Side::Buy, mid * 0.98), band_value(book, Side::Sell, mid * 1.02))
            }
            _ => (Cash::ZERO, Cash::ZERO),
        };
        self.samples.push(Sample {
            t: now,
            best_bid,
            best_ask,
            depth_bid_2pct,
            depth_ask_2pct,
            volume: self.interval_volume,
            volume_wash: self.interval_wash,
            last: tape.last_price(),
            phase,
        });
        let balances = party_balances(&self.account_party, self.parties.len(), ledger);
        self.holdings.push(balances.iter().map(|b| (b.cash + b.cash_claim, b.tokens + b.claim)).collect());
        self.interval_volume = Cash::ZERO;
        self.interval_wash = Cash::ZERO;
    }

    /// Time of the last sample.
    pub fn last_sample_time(&self) -> Option<SimTime> {
        self.samples.last().map(|s| s.t)
    }

    /// The samples, in time order.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Party holdings at each sample, `[sample][party]`: cash, and tokens plus the party's loan
    /// claim (see [`crate::ledger::Account::claim`]).
    pub fn holdings(&self) -> &[Vec<(Cash, Qty)>] {
        &self.holdings
    }

    /// The parties and their starting balances; the exchange is last. Their balances since are in
    /// the ledger: see [`Recorder::balances`].
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// The party of each account, indexed by `AccountId`.
    pub fn account_party(&self) -> &[u32] {
        &self.account_party
    }

    /// Every party's balances now, summed from `ledger`.
    pub fn balances(&self, ledger: &Ledger) -> Vec<PartyBalance> {
        party_balances(&self.account_party, self.parties.len(), ledger)
    }

    /// Price and volume totals.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Flushes and closes the trade log.
    ///
    /// # Errors
    /// An I/O error from the trade log.
    pub fn finish_trade_log(&mut self) -> std::io::Result<()> {
        match self.trade_log.take() {
            Some(log) => log.finish(),
            None => Ok(()),
        }
    }
}

/// A party's balances summed over its accounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyBalance {
    /// Cash, free and locked.
    pub cash: Cash,
    /// Tokens, free and locked.
    pub tokens: Qty,
    /// Tokens lent out (positive) or borrowed (negative) under open loans.
    pub claim: Qty,
    /// Cash deposited elsewhere (positive) or held for others (negative), still owed back.
    pub cash_claim: Cash,
}

fn party_balances(account_party: &[u32], parties: usize, ledger: &Ledger) -> Vec<PartyBalance> {
    let mut out = vec![PartyBalance::default(); parties];
    for (account, &party) in ledger.accounts().iter().zip(account_party) {
        let e = &mut out[party as usize];
        e.cash += account.cash();
        e.tokens += account.tokens();
        e.claim += account.claim;
        e.cash_claim += account.cash_claim;
    }
    out
}

/// Value (Σ price × qty) resting on `side` between the touch and `limit` ticks.
fn band_value(book: &OrderBook, side: Side, limit: f64) -> Cash {
    let mut value = Cash::ZERO;
    for (price, qty) in book.levels(side) {
        let inside = match side {
            Side::Buy => price.0 as f64 >= limit,
            Side::Sell => price.0 as f64 <= limit,
        };
        if !inside {
            break;
        }
        value += Cash::notional(price, qty);
    }
    value
}
