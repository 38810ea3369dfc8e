//! Unit tests of the contracts on hand-built markets: a small ledger, an exchange, a tape and a
//! recorder, driven by a stand-in for the engine's timer loop.

mod guarantee;
mod kpi;
mod loan;
mod protections;
mod subscription;

use rust_decimal::Decimal;

use super::{Contract, ContractCtx, TimerKey};
use crate::agents::AgentEvent;
use crate::book::OrderType;
use crate::exchange::{Exchange, FeeSchedule, OrderRequest, Trade};
use crate::ledger::{AccountId, Ledger};
use crate::market::Tape;
use crate::metrics::{Party, PartyKind, Recorder, Units};
use crate::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side, SimTime};

/// Account ids of the test world.
pub(super) const PROJECT: AccountId = AccountId(0);
/// The MM's own account (owned by [`MM`]).
pub(super) const MM_ACCT: AccountId = AccountId(1);
/// The MM firm's fee account.
pub(super) const FIRM: AccountId = AccountId(2);
/// A trader with its own account (owned by [`OTHER`]).
pub(super) const OTHER_ACCT: AccountId = AccountId(3);
/// The market maker agent.
pub(super) const MM: AgentId = AgentId(0);
/// Another trader.
pub(super) const OTHER: AgentId = AgentId(1);

/// A report's summary entry as `summary.json` writes it. Checks on the way that the typed entry
/// writes its keys sorted, as the JSON object it replaced did.
pub(super) fn summary_json(r: &super::ContractReport) -> serde_json::Value {
    let json = r.summary.to_json();
    let written = serde_json::to_string(&r.summary).expect("serializes");
    assert_eq!(written, json.to_string(), "summary fields out of alphabetical order");
    json
}

/// Tick 0.01, lot 1: one atom is 0.01 quote units, a price of 1000 ticks is 10.
pub(super) fn units() -> Units {
    Units { tick: Decimal::new(1, 2), lot: Decimal::ONE }
}

/// A market with the project, an MM, the MM firm and another trader.
pub(super) struct World {
    pub(super) now: SimTime,
    pub(super) exchange: Exchange,
    pub(super) tape: Tape,
    pub(super) recorder: Recorder,
    pub(super) timers: Vec<(SimTime, TimerKey)>,
    /// What contracts' commands told the agents (cancellations), in order.
    pub(super) notices: Vec<(AgentId, AgentEvent)>,
    next_order: u64,
}

impl World {
    /// Balances: project and MM as given, the firm empty, the other trader 1,000,000 atoms and
    /// 1,000,000 lots; the tape opens at `open` ticks.
    pub(super) fn new(project: (i128, i64), mm: (i128, i64), open: i64) -> Self {
        let mut ledger = Ledger::new();
        ledger.open("project", None, Cash(project.0), Qty(project.1));
        ledger.open("mm", Some(MM), Cash(mm.0), Qty(mm.1));
        ledger.open("firm", None, Cash::ZERO, Qty::ZERO);
        ledger.open("other", Some(OTHER), Cash(100_000_000_000), Qty(1_000_000));
        let exchange = Exchange::new(ledger, FeeSchedule::default());
        let parties = (0..5)
            .map(|i| Party {
                name: format!("p{i}"),
                kind: PartyKind::Account,
                agents: 0,
                cash_start: Cash::ZERO,
                tokens_start: Qty::ZERO,
            })
            .collect();
        let recorder = Recorder::new(parties, vec![0, 1, 2, 3, 4], None);
        World {
            now: SimTime::ZERO,
            exchange,
            tape: Tape::new(Price(open)),
            recorder,
            timers: Vec::new(),
            notices: Vec::new(),
            next_order: 1,
        }
    }

    pub(super) fn ctx(&mut self) -> ContractCtx<'_> {
        ContractCtx::new(
            self.now,
            SimTime(u64::MAX),
            &mut self.exchange,
            &self.tape,
            &mut self.timers,
            &mut self.notices,
        )
    }

    /// Grants `agent` the right to trade `account` (as a `trades_for` group gets at build time).
    pub(super) fn authorize(&mut self, account: AccountId, agent: AgentId) {
        self.exchange.ledger_mut().authorize(account, agent);
    }

    /// Moves free tokens between accounts outside any contract (a test's own transfer).
    pub(super) fn move_tokens(&mut self, from: AccountId, to: AccountId, qty: Qty) {
        self.exchange.ledger_mut().transfer_tokens(from, to, qty).unwrap();
    }

    /// Moves free cash between accounts outside any contract.
    pub(super) fn move_cash(&mut self, from: AccountId, to: AccountId, cash: Cash) {
        self.exchange.ledger_mut().transfer_cash(from, to, cash).unwrap();
    }

    /// Calls `start` at the current time.
    pub(super) fn start(&mut self, c: &mut impl Contract) {
        c.start(&mut self.ctx());
    }

    /// Fires every timer due up to `until` in time order, like the engine, then moves to `until`.
    pub(super) fn drive(&mut self, c: &mut impl Contract, until: SimTime) {
        loop {
            let next = self.timers.iter().enumerate().filter(|(_, &(t, _))| t <= until).min_by_key(|(_, &(t, _))| t);
            let Some((i, &(t, key))) = next else { break };
            self.timers.remove(i);
            self.now = t;
            self.tape.advance(t);
            c.on_timer(key, &mut self.ctx());
        }
        self.now = until;
        self.tape.advance(until);
    }

    /// Calls `finish` at the current time.
    pub(super) fn finish(&mut self, c: &mut impl Contract) {
        c.finish(&mut self.ctx());
    }

    /// Sends an order now and records any trades (tape and recorder).
    pub(super) fn order(
        &mut self,
        agent: AgentId,
        account: AccountId,
        side: Side,
        kind: OrderType,
        price: i64,
        qty: i64,
    ) -> Option<OrderId> {
        let req =
            OrderRequest { account, agent, side, kind, price: Price(price), qty: Qty(qty), intent: Intent::Other };
        let mut trades: Vec<Trade> = Vec::new();
        let id = OrderId(self.next_order);
        self.next_order += 1;
        let result = self.exchange.submit(id, req, &mut trades);
        for t in &trades {
            self.tape.record(self.now, t.price, t.qty);
            self.recorder.on_trade(self.now, t);
        }
        result.ok().filter(|placed| placed.rested.0 > 0).map(|_| id)
    }

    /// A trade at `price` for `qty` on the tape only (moves the spot without touching balances).
    pub(super) fn print(&mut self, price: i64) {
        self.tape.record(self.now, Price(price), Qty(1));
    }

    pub(super) fn cash(&self, a: AccountId) -> Cash {
        self.exchange.ledger().account(a).cash()
    }

    pub(super) fn tokens(&self, a: AccountId) -> Qty {
        self.exchange.ledger().account(a).tokens()
    }

    /// The loan claim recorded for account `a` (each account is its own party here).
    pub(super) fn claim(&self, a: AccountId) -> Qty {
        self.exchange.ledger().account(a).claim
    }
}

/// `n` seconds.
pub(super) fn secs(n: u64) -> SimTime {
    SimTime::from_secs(n)
}
