//! The venue: checks orders against the accounts that send them, owns the book, charges fees and
//! settles every fill into the [`Ledger`].
//!
//! Funds: an order locks what it may need when it arrives — tokens for a sell; for a buy, cash for
//! its quantity at its limit price (a market buy: the exact cost of walking the book) plus the
//! largest fee it could owe. An order the account cannot cover is rejected `insufficient_funds`.
//! Fills are paid out of the lock; whatever is left is released when the order leaves the book.
//!
//! Fees: rates are in hundredths of a basis point (`100` = 1 bp) of the trade's notional, for the
//! maker and the taker separately; a negative maker rate is a rebate. Rounding rule: a charge is
//! rounded **up** to the next cash atom and a rebate **down**, so rounding never favours a trader.
//! Fees and rebates go to and come from the venue's fee account, which is the one account allowed
//! to go negative (rebates paid beyond fees collected).
//!
//! An account may be traded by its owner and by agents it authorized (see
//! [`Ledger::authorize`]): a market maker quoting a project's account under a subscription.

use rustc_hash::FxHashMap;

use crate::book::{Fill, NewOrder, OrderBook, OrderType, Placed, Reject, RestingOrder};
use crate::ledger::{AccountId, Ledger};
use crate::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side, TraderId};

/// Fee rates in hundredths of a basis point of notional (`100` = 0.01%); negative maker = rebate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Rate charged to the resting order's account.
    pub maker_cbps: i64,
    /// Rate charged to the incoming order's account.
    pub taker_cbps: i64,
}

impl FeeSchedule {
    /// The fee on `notional` at `rate_cbps`: charges rounded up, rebates rounded down (toward zero).
    pub fn fee(notional: Cash, rate_cbps: i64) -> Cash {
        const DENOM: i128 = 1_000_000;
        let raw = notional.0.saturating_mul(rate_cbps.unsigned_abs() as i128);
        if rate_cbps >= 0 {
            Cash((raw + DENOM - 1) / DENOM)
        } else {
            Cash(-(raw / DENOM))
        }
    }

    /// An upper bound on the total fee of an order of `qty` lots whose fills add up to `notional`,
    /// whatever its split into fills (each fill rounds up by less than one atom).
    fn bound(&self, notional: Cash, qty: Qty) -> Cash {
        let rate = self.maker_cbps.max(self.taker_cbps).max(0);
        Cash(Self::fee(notional, rate).0.saturating_add(qty.0 as i128))
    }

    /// The cash a buy of `qty` lots at most `notional` locks: the notional plus [`FeeSchedule`]'s
    /// bound on its fees. The exchange locks this; agents reserve it (at the [`FeeSchedule::CEILING`]
    /// rates when they do not read the venue's) so they never send an order they cannot fund.
    pub fn buy_lock(&self, notional: Cash, qty: Qty) -> Cash {
        Cash(notional.0.saturating_add(self.bound(notional, qty).0))
    }

    /// The highest rates a venue may charge (1% maker and taker, the scenario's limit): a buy's
    /// lock at these rates covers its lock at any valid schedule.
    pub const CEILING: FeeSchedule = FeeSchedule { maker_cbps: 10_000, taker_cbps: 10_000 };
}

/// An order as an agent sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// The account traded.
    pub account: AccountId,
    /// The agent sending the order (the account's owner or an authorized trader).
    pub agent: AgentId,
    /// Buy or sell.
    pub side: Side,
    /// Order type.
    pub kind: OrderType,
    /// Limit price in ticks (ignored for market orders).
    pub price: Price,
    /// Quantity in lots.
    pub qty: Qty,
    /// Ground-truth label of why the order was sent.
    pub intent: Intent,
}

/// Why the exchange refused an order, cancel or modify. Nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderRejected {
    /// The book refused it.
    Book(Reject),
    /// The account cannot cover what the order may need.
    InsufficientFunds,
    /// The agent may not trade this account (or this order).
    NotAuthorized,
}

impl OrderRejected {
    /// The reason in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderRejected::Book(r) => r.as_str(),
            OrderRejected::InsufficientFunds => "insufficient_funds",
            OrderRejected::NotAuthorized => "not_authorized",
        }
    }
}

impl From<Reject> for OrderRejected {
    fn from(r: Reject) -> Self {
        OrderRejected::Book(r)
    }
}

/// A settled trade with both parties, their intents and their fees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Sequential trade number, from 1.
    pub id: u64,
    /// Price (the resting order's).
    pub price: Price,
    /// Quantity.
    pub qty: Qty,
    /// The incoming order's side.
    pub aggressor: Side,
    /// Resting order.
    pub maker_order: OrderId,
    /// Incoming order.
    pub taker_order: OrderId,
    /// Resting order's account.
    pub maker_account: AccountId,
    /// Incoming order's account.
    pub taker_account: AccountId,
    /// Agent that sent the resting order.
    pub maker_agent: AgentId,
    /// Agent that sent the incoming order.
    pub taker_agent: AgentId,
    /// Intent of the resting order.
    pub maker_intent: Intent,
    /// Intent of the incoming order.
    pub taker_intent: Intent,
    /// Fee charged to the maker (negative: rebate).
    pub maker_fee: Cash,
    /// Fee charged to the taker.
    pub taker_fee: Cash,
}

/// What the exchange remembers of an open order.
#[derive(Clone, Copy, Debug)]
struct OpenOrder {
    account: AccountId,
    agent: AgentId,
    side: Side,
    /// Cash still locked for a buy (tokens for a sell equal the resting quantity).
    locked_cash: Cash,
    intent: Intent,
}

/// A single-instrument exchange: book, ledger, fees.
#[derive(Debug)]
pub struct Exchange {
    book: OrderBook,
    ledger: Ledger,
    venue: AccountId,
    fees: FeeSchedule,
    open: FxHashMap<OrderId, OpenOrder>,
    next_trade: u64,
    fills: Vec<Fill>,
    /// Traded value per agent (maker or taker side; a self-trade counts once), by `AgentId`.
    agent_volume: Vec<Cash>,
    /// Traded value of the whole market.
    market_volume: Cash,
}

impl Exchange {
    /// An exchange over `ledger`, opening its fee account in it.
    pub fn new(mut ledger: Ledger, fees: FeeSchedule) -> Self {
        let venue = ledger.open_venue("exchange");
        Exchange {
            book: OrderBook::new(),
            ledger,
            venue,
            fees,
            open: FxHashMap::default(),
            next_trade: 1,
            fills: Vec::new(),
            agent_volume: Vec::new(),
            market_volume: Cash::ZERO,
        }
    }

    /// The order book (read-only: orders go through [`Exchange::submit`]).
    pub fn book(&self) -> &OrderBook {
        &self.book
    }

    /// The ledger (read-only).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger, for transfers outside trading: the engine applies contracts' commands (loans,
    /// fees, deposits) and grants trading rights through it.
    pub(crate) fn ledger_mut(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    /// The venue's fee account.
    pub fn venue(&self) -> AccountId {
        self.venue
    }

    /// The fee schedule.
    pub fn fees(&self) -> FeeSchedule {
        self.fees
    }

    /// The account and intent of an open order.
    pub fn order_owner(&self, id: OrderId) -> Option<(AccountId, AgentId, Intent)> {
        self.open.get(&id).map(|o| (o.account, o.agent, o.intent))
    }

    /// The open orders of `agents`, as they rest on the book, in id order (a query over every
    /// open order: contracts use it at their own pace, e.g. one KPI snapshot every 10 s).
    pub fn orders_of(&self, agents: &[AgentId]) -> Vec<RestingOrder> {
        let mut ids: Vec<OrderId> =
            self.open.iter().filter(|(_, o)| agents.contains(&o.agent)).map(|(&id, _)| id).collect();
        ids.sort_unstable();
        ids.into_iter().filter_map(|id| self.book.order(id)).collect()
    }

    /// Value `agent` has traded so far, on either side (a trade with itself counts once).
    pub fn agent_volume(&self, agent: AgentId) -> Cash {
        self.agent_volume.get(agent.0 as usize).copied().unwrap_or(Cash::ZERO)
    }

    /// Value the whole market has traded so far.
    pub fn market_volume(&self) -> Cash {
        self.market_volume
    }

    fn add_agent_volume(&mut self, agent: AgentId, notional: Cash) {
        let i = agent.0 as usize;
        if self.agent_volume.len() <= i {
            self.agent_volume.resize(i + 1, Cash::ZERO);
        }
        self.agent_volume[i] += notional;
    }

    /// Places order `id` (numbered by the caller: the engine numbers orders when agents send them):
    /// checks authorization and funds, locks them, matches, settles every fill (appending it to
    /// `trades`) and returns what became of the order.
    ///
    /// # Errors
    /// [`OrderRejected`]: not authorized, insufficient funds, or the book's reject
    /// (`duplicate_order_id` if `id` is resting). Nothing changed.
    pub fn submit(&mut self, id: OrderId, req: OrderRequest, trades: &mut Vec<Trade>) -> Result<Placed, OrderRejected> {
        if !self.ledger.account(req.account).can_trade(req.agent) {
            return Err(OrderRejected::NotAuthorized);
        }
        if req.kind != OrderType::Market && !(1..=crate::scenario::limits::MAX_PRICE_TICKS).contains(&req.price.0) {
            return Err(Reject::BadPrice.into());
        }
        if req.qty.0 <= 0 {
            return Err(Reject::BadQty.into());
        }
        let lock = self.lock_for(&req)?;
        let order = NewOrder {
            id,
            trader: TraderId(req.account.0),
            side: req.side,
            kind: req.kind,
            price: req.price,
            qty: req.qty,
        };
        let mut fills = std::mem::take(&mut self.fills);
        fills.clear();
        let result = self.book.submit(order, &mut fills);
        let placed = match result {
            Ok(p) => p,
            Err(reject) => {
                self.fills = fills;
                self.release(req.account, req.side, lock, req.qty);
                return Err(reject.into());
            }
        };
        let mut taker =
            OpenOrder { account: req.account, agent: req.agent, side: req.side, locked_cash: lock, intent: req.intent };
        for fill in &fills {
            trades.push(self.settle(fill, &mut taker));
        }
        self.fills = fills;
        if placed.rested.0 > 0 {
            self.open.insert(id, taker);
        } else {
            self.release(req.account, req.side, taker.locked_cash, placed.dropped);
        }
        Ok(placed)
    }

    /// Locks what `req` may need and returns the cash locked (zero for a sell, which locks tokens).
    fn lock_for(&mut self, req: &OrderRequest) -> Result<Cash, OrderRejected> {
        match req.side {
            Side::Sell => {
                self.ledger.lock_tokens(req.account, req.qty).map_err(|_| OrderRejected::InsufficientFunds)?;
                Ok(Cash::ZERO)
            }
            Side::Buy => {
                let notional = match req.kind {
                    OrderType::Market => self.market_buy_cost(req.qty),
                    _ => Cash::notional(req.price, req.qty),
                };
                let need = self.fees.buy_lock(notional, req.qty);
                self.ledger.lock_cash(req.account, need).map_err(|_| OrderRejected::InsufficientFunds)?;
                Ok(need)
            }
        }
    }

    /// The exact cost of buying up to `qty` lots from the asks now.
    fn market_buy_cost(&self, qty: Qty) -> Cash {
        let mut left = qty.0;
        let mut cost = Cash::ZERO;
        for (price, level_qty) in self.book.levels(Side::Sell) {
            let take = left.min(level_qty.0);
            cost += Cash::notional(price, Qty(take));
            left -= take;
            if left == 0 {
                break;
            }
        }
        cost
    }

    /// Releases a finished order's leftover lock: cash for a buy, `tokens` for a sell.
    fn release(&mut self, account: AccountId, side: Side, cash: Cash, tokens: Qty) {
        match side {
            Side::Buy if cash > Cash::ZERO => self.ledger.unlock_cash(account, cash),
            Side::Sell if tokens > Qty::ZERO => self.ledger.unlock_tokens(account, tokens),
            _ => {}
        }
    }

    /// Settles one fill between the resting order and the incoming `taker`.
    fn settle(&mut self, fill: &Fill, taker: &mut OpenOrder) -> Trade {
        let mut maker = self.open[&fill.maker];
        let notional = Cash::notional(fill.price, fill.qty);
        let maker_fee = FeeSchedule::fee(notional, self.fees.maker_cbps);
        let taker_fee = FeeSchedule::fee(notional, self.fees.taker_cbps);
        let (buyer, buyer_fee, seller_fee) = match fill.taker_side {
            Side::Buy => (&mut *taker, taker_fee, maker_fee),
            Side::Sell => (&mut maker, maker_fee, taker_fee),
        };
        buyer.locked_cash -= notional + buyer_fee.max(Cash::ZERO);
        let (buyer_acct, seller_acct) = match fill.taker_side {
            Side::Buy => (taker.account, maker.account),
            Side::Sell => (maker.account, taker.account),
        };
        self.ledger.settle_trade(buyer_acct, seller_acct, notional, fill.qty, buyer_fee, seller_fee, self.venue);
        if fill.maker_remaining.is_zero() {
            self.open.remove(&fill.maker);
            self.release(maker.account, maker.side, maker.locked_cash, Qty::ZERO);
        } else {
            self.open.insert(fill.maker, maker);
        }
        let trade = Trade {
            id: self.next_trade,
            price: fill.price,
            qty: fill.qty,
            aggressor: fill.taker_side,
            maker_order: fill.maker,
            taker_order: fill.taker,
            maker_account: maker.account,
            taker_account: taker.account,
            maker_agent: maker.agent,
            taker_agent: taker.agent,
            maker_intent: maker.intent,
            taker_intent: taker.intent,
            maker_fee,
            taker_fee,
        };
        self.next_trade += 1;
        self.market_volume += notional;
        self.add_agent_volume(maker.agent, notional);
        if taker.agent != maker.agent {
            self.add_agent_volume(taker.agent, notional);
        }
        trade
    }

    /// Cancels an open order on behalf of `agent` and releases its locked funds.
    ///
    /// # Errors
    /// `unknown_order` when `id` is not open; `not_authorized` when `agent` may not trade its account.
    pub fn cancel(&mut self, agent: AgentId, id: OrderId) -> Result<RestingOrder, OrderRejected> {
        let open = *self.open.get(&id).ok_or(OrderRejected::Book(Reject::UnknownOrder))?;
        if !self.ledger.account(open.account).can_trade(agent) {
            return Err(OrderRejected::NotAuthorized);
        }
        let order = self.book.cancel(id)?;
        self.open.remove(&id);
        self.release(open.account, open.side, open.locked_cash, order.qty);
        Ok(order)
    }
}

#[cfg(test)]
mod tests;
