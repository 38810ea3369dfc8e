//! Agents: the traders of a simulation, one file per behaviour.
//!
//! An agent never touches the book or the ledger. It is woken by the engine (a wake-up it scheduled,
//! or an event about its own orders), reads a [`MarketView`], and answers with actions through its
//! [`AgentCtx`]: submit an order, cancel one, schedule its next wake-up. The engine delivers orders and
//! cancels to the exchange after the agent's latency, in the order they were sent.
//!
//! Order ids are assigned when an order is sent, so an agent can cancel an order that is still in
//! flight. Every order carries an [`Intent`] (ground truth: quote, wash, spoof, pump, dump, ...).
//!
//! Each agent draws from its own RNG stream, keyed by its name (see [`crate::rng`]).

pub mod behaviour;
pub mod collateral_loop;
pub mod delta_hedge;
pub mod flow;
pub mod idle;
pub mod kpi_gamer;
pub mod lend_and_dump;
pub mod orders;
pub mod passive_mm;
pub mod phase;
pub mod pump_dump;
pub mod registry;
pub mod retail;
pub mod spoofer;
pub mod wash;
pub mod wash_ring;

pub use crate::market::{tape, Tape};
pub use behaviour::{AgentSetup, Behaviour, Market, MarketSpec};
pub use phase::Phase;
pub(crate) use registry::for_each_agent_kind;
pub use registry::{AgentKind, UnknownKind};

use crate::book::{OrderBook, OrderType, Placed};
use crate::contracts::Signal;
use crate::exchange::{OrderRejected, OrderRequest};
use crate::ledger::{AccountId, Ledger};
use crate::rng::AgentRng;
use crate::types::{AgentId, Intent, OrderId, Price, Qty, Side, SimTime};

/// What every agent can see: the book, the ledger and the tape of recent trades (read-only).
#[derive(Clone, Copy, Debug)]
pub struct MarketView<'a> {
    /// The order book.
    pub book: &'a OrderBook,
    /// Balances (an agent should read only its own accounts).
    pub ledger: &'a Ledger,
    /// Last trade and recent price/volume history.
    pub tape: &'a Tape,
}

impl MarketView<'_> {
    /// The mid price in ticks (as `f64`), or the one side present, or the last trade price.
    pub fn mid(&self) -> Option<f64> {
        match (self.book.best_bid(), self.book.best_ask()) {
            (Some(b), Some(a)) => Some(Price::mid(b, a)),
            (Some(p), None) | (None, Some(p)) => Some(p.0 as f64),
            (None, None) => self.tape.last_price().map(|p| p.0 as f64),
        }
    }

    /// The best reference price in ticks: the last trade, else the mid, else `fallback`.
    pub fn reference(&self, fallback: Price) -> f64 {
        self.tape.last_price().map(|p| p.0 as f64).or_else(|| self.mid()).unwrap_or(fallback.0 as f64)
    }
}

/// Something an agent asks the engine to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send an order to the exchange.
    Submit(OrderId, OrderRequest),
    /// Send a cancel to the exchange.
    Cancel(OrderId),
    /// Wake this agent at the given time.
    Wake(SimTime),
    /// Tell the contracts something (see [`AgentCtx::signal`]).
    Signal(Signal),
}

/// Events about an agent's own orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentEvent {
    /// One of the agent's orders traded (as maker or taker).
    Filled {
        /// The order.
        order: OrderId,
        /// Its account.
        account: AccountId,
        /// Its side.
        side: Side,
        /// Trade price.
        price: Price,
        /// Traded quantity.
        qty: Qty,
        /// True when the order was resting (maker).
        maker: bool,
        /// For a maker: true when nothing of the order is left on the book.
        done: bool,
    },
    /// An order reached the exchange and was processed (its fills were reported just before).
    Accepted {
        /// The order.
        order: OrderId,
        /// What became of it on arrival.
        placed: Placed,
    },
    /// An order or cancel was refused.
    Rejected {
        /// The order concerned.
        order: OrderId,
        /// Why.
        reason: OrderRejected,
    },
    /// A cancel took effect; `qty` was still resting.
    Cancelled {
        /// The order.
        order: OrderId,
        /// Quantity removed from the book.
        qty: Qty,
    },
}

/// The agent's handle on the simulation during one callback.
#[derive(Debug)]
pub struct AgentCtx<'a> {
    /// Current simulated time.
    pub now: SimTime,
    /// This agent.
    pub me: AgentId,
    /// What the agent can see.
    pub market: MarketView<'a>,
    /// This agent's own random stream.
    pub rng: &'a mut AgentRng,
    actions: &'a mut Vec<Action>,
    next_order: &'a mut u64,
}

impl<'a> AgentCtx<'a> {
    /// A context; the engine makes one per callback.
    pub fn new(
        now: SimTime,
        me: AgentId,
        market: MarketView<'a>,
        rng: &'a mut AgentRng,
        actions: &'a mut Vec<Action>,
        next_order: &'a mut u64,
    ) -> Self {
        AgentCtx { now, me, market, rng, actions, next_order }
    }

    /// Sends an order for `account`; returns its id at once (the order reaches the exchange later).
    pub fn submit(
        &mut self,
        account: AccountId,
        side: Side,
        kind: OrderType,
        price: Price,
        qty: Qty,
        intent: Intent,
    ) -> OrderId {
        let id = OrderId(*self.next_order);
        *self.next_order += 1;
        let req = OrderRequest { account, agent: self.me, side, kind, price, qty, intent };
        self.actions.push(Action::Submit(id, req));
        id
    }

    /// Sends a cancel for `order`.
    pub fn cancel(&mut self, order: OrderId) {
        self.actions.push(Action::Cancel(order));
    }

    /// Asks to be woken `delay_ns` from now.
    pub fn wake_in(&mut self, delay_ns: u64) {
        self.actions.push(Action::Wake(self.now.plus_nanos(delay_ns)));
    }

    /// Asks to be woken at `at` (not before now).
    pub fn wake_at(&mut self, at: SimTime) {
        self.actions.push(Action::Wake(at.max(self.now)));
    }

    /// Tells every contract `signal`, at the same simulated time but after the current callback.
    pub fn signal(&mut self, signal: Signal) {
        self.actions.push(Action::Signal(signal));
    }

    /// Says this agent is done with the token loans it borrows under ([`Signal::LoansDone`]). A loan
    /// whose terms allow an early return (`early_return = true`) settles as at expiry once every
    /// agent of the borrowing group has said so. Loans without it ignore the request.
    pub fn end_loans(&mut self) {
        self.signal(Signal::LoansDone);
    }
}

/// The behaviour every agent implements.
pub trait Agent {
    /// Called once at the start of the run: typically schedules the first wake-up.
    fn start(&mut self, ctx: &mut AgentCtx<'_>);
    /// A wake-up this agent scheduled has fallen due.
    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>);
    /// An event about one of this agent's orders.
    fn on_event(&mut self, _ev: &AgentEvent, _ctx: &mut AgentCtx<'_>) {}
    /// The manipulation phase the agent is in, for charts (ground truth), if it has phases.
    fn phase(&self) -> Option<Phase> {
        None
    }
}

/// A concrete agent type of [`AnyAgent`]: reads, tests and reports reach one agent's own figures
/// through [`AnyAgent::get`].
pub trait AgentType: Sized {
    /// `any` as this type, when it is one.
    fn of(any: &AnyAgent) -> Option<&Self>;
}

macro_rules! any_agent {
    ($(
        $(#[$doc:meta])*
        $kind:ident { name: $name:ident, config: $config:ident, agent: $agent:ident, crowd: $crowd:literal },
    )*) => {
        /// Every agent type, one variant per [`AgentKind`], stored contiguously and dispatched by `match`.
        ///
        /// Variants differ in size (a crowd holds its members); a run has few agents, so contiguity wins.
        #[derive(Debug, Clone)]
        #[allow(clippy::large_enum_variant)]
        pub enum AnyAgent {
            $(
                $(#[$doc])*
                $kind(crate::agents::$name::$agent),
            )*
        }

        impl AnyAgent {
            /// The agent's kind.
            pub fn kind(&self) -> AgentKind {
                match self {
                    $(AnyAgent::$kind(_) => AgentKind::$kind,)*
                }
            }

            /// The agent as its concrete type `T`, when it is one (e.g.
            /// `slot.agent.get::<LendAndDump>()`).
            pub fn get<T: AgentType>(&self) -> Option<&T> {
                T::of(self)
            }
        }

        $(
            impl AgentType for crate::agents::$name::$agent {
                fn of(any: &AnyAgent) -> Option<&Self> {
                    match any {
                        AnyAgent::$kind(a) => Some(a),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*

        impl Agent for AnyAgent {
            fn start(&mut self, ctx: &mut AgentCtx<'_>) {
                match self {
                    $(AnyAgent::$kind(a) => a.start(ctx),)*
                }
            }
            #[inline]
            fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
                match self {
                    $(AnyAgent::$kind(a) => a.on_wakeup(ctx),)*
                }
            }
            #[inline]
            fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
                match self {
                    $(AnyAgent::$kind(a) => a.on_event(ev, ctx),)*
                }
            }
            fn phase(&self) -> Option<Phase> {
                match self {
                    $(AnyAgent::$kind(a) => a.phase(),)*
                }
            }
        }
    };
}
for_each_agent_kind!(any_agent);
