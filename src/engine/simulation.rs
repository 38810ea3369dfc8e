//! The simulation: agents, the exchange and the recorder driven by the event kernel.
//!
//! One step pops the next event: an agent's wake-up, a command reaching the exchange, or a sampling
//! tick. Agents answer with [`Action`]s; orders and cancels are scheduled to reach the exchange after
//! the sender's latency, and never overtake an earlier command of the same agent (per-agent FIFO, as
//! over one connection). Fills are settled by the exchange, recorded, and reported to the agents
//! that own the orders — and only to them.
//!
//! Determinism: events are ordered by (time, insertion sequence); every agent has its own RNG stream
//! keyed by its name and a separate stream for its latency jitter, so a run depends only on the
//! scenario and its seed.

use crate::agents::{Action, Agent, AgentCtx, AgentEvent, AnyAgent, MarketView};
use crate::book::{Placed, RestingOrder};
use crate::contracts::{AnyContract, Contract, ContractCtx, Signal, TimerKey};
use crate::exchange::{Exchange, OrderRejected, OrderRequest, Trade};
use crate::ledger::AccountId;
use crate::market::Tape;
use crate::metrics::{Names, OrderSink, Recorder};
use crate::rng::AgentRng;
use crate::types::{AgentId, OrderId, SimTime};

use super::{EngineError, Kernel, Latency};

/// What the kernel carries.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// An agent's wake-up falls due.
    Wake(AgentId),
    /// An agent's order reaches the exchange.
    SubmitArrives(AgentId, OrderId, OrderRequest),
    /// An agent's cancel reaches the exchange.
    CancelArrives(AgentId, OrderId),
    /// Time to sample the market.
    Sample,
    /// A contract's timer falls due.
    ContractTimer(u32, TimerKey),
    /// An agent's signal to the contracts (handled after the event that sent it, at the same time).
    Signal(AgentId, Signal),
}

/// One agent's slot: behaviour, name, random streams, latency.
#[derive(Debug)]
pub struct AgentSlot {
    /// The behaviour.
    pub agent: AnyAgent,
    /// Unique name (RNG stream key).
    pub name: String,
    /// Index of its group (party) in the recorder.
    pub party: usize,
    /// Decision stream.
    pub rng: AgentRng,
    /// Latency jitter stream.
    pub latency_rng: AgentRng,
    /// Order latency.
    pub latency: Latency,
    /// When its last command reaches the exchange (commands never overtake each other).
    pub last_arrival: SimTime,
}

/// A simulation ready to run.
#[derive(Debug)]
pub struct Simulation {
    kernel: Kernel<Event>,
    exchange: Exchange,
    slots: Vec<AgentSlot>,
    tape: Tape,
    recorder: Recorder,
    end: SimTime,
    sample_every: u64,
    next_order: u64,
    actions: Vec<Action>,
    trades: Vec<Trade>,
    contracts: Vec<AnyContract>,
    timers: Vec<(SimTime, TimerKey)>,
    notices: Vec<(AgentId, AgentEvent)>,
    order_log: Option<OrderSink>,
    started: bool,
    finished: bool,
}

impl Simulation {
    /// A simulation of `slots` trading on `exchange` until `end`, sampled every `sample_every_ns`.
    pub fn new(
        exchange: Exchange,
        slots: Vec<AgentSlot>,
        tape: Tape,
        mut recorder: Recorder,
        end: SimTime,
        sample_every_ns: u64,
    ) -> Self {
        recorder.set_names(names_of(&slots, &recorder, &exchange));
        Simulation {
            kernel: Kernel::new(),
            exchange,
            slots,
            tape,
            recorder,
            end,
            sample_every: sample_every_ns.max(1),
            next_order: 1,
            actions: Vec::new(),
            trades: Vec::new(),
            contracts: Vec::new(),
            timers: Vec::new(),
            notices: Vec::new(),
            order_log: None,
            started: false,
            finished: false,
        }
    }

    /// Adds contracts; call before [`Simulation::start`].
    pub fn add_contracts(&mut self, contracts: Vec<AnyContract>) {
        self.contracts.extend(contracts);
    }

    /// The contracts, for their settlement reports.
    pub fn contracts(&self) -> &[AnyContract] {
        &self.contracts
    }

    /// Runs one contract callback, schedules the timers it asks for (those after the end of the run
    /// never fire: the contract was told so by [`ContractCtx::wake_at`]) and tells agents what its
    /// commands did to their orders.
    fn with_contract(&mut self, index: usize, f: impl FnOnce(&mut AnyContract, &mut ContractCtx<'_>)) {
        let now = self.kernel.now();
        let mut timers = std::mem::take(&mut self.timers);
        let mut notices = std::mem::take(&mut self.notices);
        {
            let mut ctx = ContractCtx::new(now, self.end, &mut self.exchange, &self.tape, &mut timers, &mut notices);
            f(&mut self.contracts[index], &mut ctx);
        }
        for (at, key) in timers.drain(..) {
            if at <= self.end {
                // `wake_at` clamps to now, so this never fails.
                let _ = self.kernel.schedule_at(at, Event::ContractTimer(index as u32, key));
            }
        }
        self.timers = timers;
        for (agent, ev) in notices.drain(..) {
            if let (Some(log), AgentEvent::Cancelled { order, qty }) = (&mut self.order_log, ev) {
                log.cancelled(now, order, qty, "contract");
            }
            self.notify(agent, ev);
        }
        self.notices = notices;
    }

    /// The exchange (book and ledger).
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// The recorder.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Flushes and closes the trade log, if there is one.
    ///
    /// # Errors
    /// An I/O error from the trade log.
    pub fn close_trade_log(&mut self) -> std::io::Result<()> {
        self.recorder.finish_trade_log()
    }

    /// Streams every order event to `log` from now on (`orders.csv` or `orders.parquet`); attach
    /// it before the run steps, so that it sees every order.
    pub fn set_order_log(&mut self, log: impl Into<OrderSink>) {
        let mut log = log.into();
        log.set_names(self.recorder.names().clone());
        self.order_log = Some(log);
    }

    /// Flushes and closes the order log, if there is one.
    ///
    /// # Errors
    /// An I/O error from the order log.
    pub fn close_order_log(&mut self) -> std::io::Result<()> {
        match self.order_log.take() {
            Some(log) => log.finish(),
            None => Ok(()),
        }
    }

    /// Lets `agent` trade `account` besides its owner (e.g. a script driving the run from outside
    /// that places orders for an account as one of the agents).
    pub fn authorize(&mut self, account: AccountId, agent: AgentId) {
        self.exchange.ledger_mut().authorize(account, agent);
    }

    /// Places order `id` for `req.agent` now, from outside the agents (a script driving the run
    /// between steps): it is matched and its trades recorded like an agent's order arriving, and
    /// the agents concerned are told. Ids must not collide with the engine's own, which count up
    /// from 1: take them from a separate range (e.g. from 2^40).
    ///
    /// # Errors
    /// The exchange's reject (nothing changed).
    pub fn place(&mut self, id: OrderId, req: OrderRequest) -> Result<Placed, OrderRejected> {
        let now = self.kernel.now();
        self.tape.advance(now);
        let mut result = Err(OrderRejected::NotAuthorized);
        self.submit_arrives(now, req.agent, id, req, Some(&mut result));
        result
    }

    /// Cancels order `id` on behalf of `agent` now, from outside the agents; the agent is told.
    ///
    /// # Errors
    /// The exchange's reject (`unknown_order`, `not_authorized`).
    pub fn cancel(&mut self, agent: AgentId, id: OrderId) -> Result<RestingOrder, OrderRejected> {
        let result = self.exchange.cancel(agent, id);
        self.cancel_done(agent, id, result.map(|o| o.qty));
        result
    }

    /// Logs a cancel's outcome and tells the agent.
    fn cancel_done(&mut self, agent: AgentId, id: OrderId, result: Result<crate::types::Qty, OrderRejected>) {
        let now = self.kernel.now();
        let ev = match result {
            Ok(qty) => {
                if let Some(log) = &mut self.order_log {
                    log.cancelled(now, id, qty, "");
                }
                AgentEvent::Cancelled { order: id, qty }
            }
            Err(reason) => {
                if let Some(log) = &mut self.order_log {
                    log.cancel_rejected(now, agent, id, reason);
                }
                AgentEvent::Rejected { order: id, reason }
            }
        };
        self.notify(agent, ev);
    }

    /// The agent named `name` as its concrete type `T` (e.g. `sim.agent::<LendAndDump>("jump")`),
    /// when there is one of that name and type.
    pub fn agent<T: crate::agents::AgentType>(&self, name: &str) -> Option<&T> {
        self.slots.iter().find(|s| s.name == name).and_then(|s| s.agent.get::<T>())
    }

    /// The agents.
    pub fn slots(&self) -> &[AgentSlot] {
        &self.slots
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.kernel.now()
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.kernel.events()
    }

    /// The end of the run.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// The tape.
    pub fn tape(&self) -> &Tape {
        &self.tape
    }

    /// Starts the contracts and every agent and schedules the first sample. The builder
    /// ([`crate::build`]) calls it; calling it again does nothing.
    pub fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        self.kernel.schedule_in(0, Event::Sample);
        for i in 0..self.contracts.len() {
            self.with_contract(i, |c, ctx| c.start(ctx));
        }
        for i in 0..self.slots.len() {
            self.with_agent(i, |agent, ctx| agent.start(ctx));
        }
    }

    /// Processes every event due at or before `until` (capped at the end of the run) and moves the
    /// clock there; returns `Ok(false)` once the run has reached its end. Starts the run first if
    /// it was not started.
    ///
    /// # Errors
    /// [`EngineError::ClockBackwards`] when `until` is before the current time (nothing happens).
    pub fn step_until(&mut self, until: SimTime) -> Result<bool, EngineError> {
        if until < self.kernel.now() {
            return Err(EngineError::ClockBackwards { now: self.kernel.now(), to: until });
        }
        self.start();
        let until = until.min(self.end);
        while let Some((now, event)) = self.kernel.next_due(until) {
            self.tape.advance(now);
            self.handle(now, event);
        }
        self.kernel.advance_to(until)?;
        Ok(until < self.end)
    }

    /// Runs to the end and settles (see [`Simulation::finish`]).
    pub fn run(&mut self) {
        // Stepping to the end from a time at or before it cannot go backwards.
        let _ = self.step_until(self.end);
        self.finish();
    }

    /// Lets every contract settle what is still open and takes the final sample (if the last one
    /// was not at the end). Calling it again does nothing.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.start();
        self.finished = true;
        // Token loans settle last: what other contracts owe at the end (a proceeds split's last
        // share, a retainer's last period) is paid before a loan's buy-in takes the MM's cash.
        let loans_last = |c: &AnyContract| matches!(c, AnyContract::TokenLoan(_));
        let order: Vec<usize> = (0..self.contracts.len())
            .filter(|&i| !loans_last(&self.contracts[i]))
            .chain((0..self.contracts.len()).filter(|&i| loans_last(&self.contracts[i])))
            .collect();
        for i in order {
            self.with_contract(i, |c, ctx| c.finish(ctx));
        }
        let now = self.kernel.now();
        if self.recorder.last_sample_time() != Some(now) {
            let phase = self.phase();
            self.recorder.sample(now, self.exchange.book(), &self.tape, self.exchange.ledger(), phase);
        }
    }

    fn phase(&self) -> Option<crate::agents::Phase> {
        self.slots.iter().find_map(|s| s.agent.phase())
    }

    fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::Wake(agent) => self.with_agent(agent.0 as usize, |a, ctx| a.on_wakeup(ctx)),
            Event::SubmitArrives(agent, id, req) => self.submit_arrives(now, agent, id, req, None),
            Event::CancelArrives(agent, id) => {
                let result = self.exchange.cancel(agent, id).map(|o| o.qty);
                self.cancel_done(agent, id, result);
            }
            Event::ContractTimer(index, key) => self.with_contract(index as usize, |c, ctx| c.on_timer(key, ctx)),
            Event::Signal(agent, signal) => {
                for i in 0..self.contracts.len() {
                    self.with_contract(i, |c, ctx| c.on_signal(agent, signal, ctx));
                }
            }
            Event::Sample => {
                let phase = self.phase();
                self.recorder.sample(now, self.exchange.book(), &self.tape, self.exchange.ledger(), phase);
                let next = now.plus_nanos(self.sample_every);
                if next <= self.end {
                    self.kernel.schedule_in(self.sample_every, Event::Sample);
                }
            }
        }
    }

    fn submit_arrives(
        &mut self,
        now: SimTime,
        agent: AgentId,
        id: OrderId,
        req: OrderRequest,
        outcome: Option<&mut Result<Placed, OrderRejected>>,
    ) {
        let mut trades = std::mem::take(&mut self.trades);
        trades.clear();
        let result = self.exchange.submit(id, req, &mut trades);
        if let Some(log) = &mut self.order_log {
            log.submitted(now, id, &req, &result, &trades);
        }
        for t in &trades {
            self.tape.record(now, t.price, t.qty);
            self.recorder.on_trade(now, t);
            let (maker_side, taker_side) = (t.aggressor.opposite(), t.aggressor);
            let remaining = self.exchange.book().order(t.maker_order).map_or(crate::types::Qty::ZERO, |o| o.qty);
            let maker_ev = AgentEvent::Filled {
                order: t.maker_order,
                account: t.maker_account,
                side: maker_side,
                price: t.price,
                qty: t.qty,
                maker: true,
                done: remaining.is_zero(),
            };
            self.notify(t.maker_agent, maker_ev);
            let taker_ev = AgentEvent::Filled {
                order: t.taker_order,
                account: t.taker_account,
                side: taker_side,
                price: t.price,
                qty: t.qty,
                maker: false,
                done: false,
            };
            self.notify(t.taker_agent, taker_ev);
        }
        self.trades = trades;
        if let Some(out) = outcome {
            *out = result;
        }
        let ev = match result {
            Ok(placed) => AgentEvent::Accepted { order: id, placed },
            Err(reason) => AgentEvent::Rejected { order: id, reason },
        };
        self.notify(agent, ev);
    }

    fn notify(&mut self, agent: AgentId, ev: AgentEvent) {
        self.with_agent(agent.0 as usize, |a, ctx| a.on_event(&ev, ctx));
    }

    /// Runs one agent callback and schedules the actions it returns.
    #[inline]
    fn with_agent(&mut self, index: usize, f: impl FnOnce(&mut AnyAgent, &mut AgentCtx<'_>)) {
        let now = self.kernel.now();
        let mut actions = std::mem::take(&mut self.actions);
        let slot = &mut self.slots[index];
        {
            let market = MarketView { book: self.exchange.book(), ledger: self.exchange.ledger(), tape: &self.tape };
            let mut ctx =
                AgentCtx::new(now, AgentId(index as u32), market, &mut slot.rng, &mut actions, &mut self.next_order);
            f(&mut slot.agent, &mut ctx);
        }
        let me = AgentId(index as u32);
        for action in actions.drain(..) {
            match action {
                // `AgentCtx` clamps wake-ups to now and arrivals are now plus a latency, so none of
                // these is ever in the past and scheduling cannot fail.
                Action::Wake(at) => {
                    if at <= self.end {
                        let _ = self.kernel.schedule_at(at, Event::Wake(me));
                    }
                }
                Action::Submit(id, req) => {
                    let at = Self::arrival(slot, now);
                    let _ = self.kernel.schedule_at(at, Event::SubmitArrives(me, id, req));
                }
                Action::Cancel(id) => {
                    let at = Self::arrival(slot, now);
                    let _ = self.kernel.schedule_at(at, Event::CancelArrives(me, id));
                }
                Action::Signal(signal) => {
                    let _ = self.kernel.schedule_at(now, Event::Signal(me, signal));
                }
            }
        }
        self.actions = actions;
    }

    /// When a command sent now by `slot` reaches the exchange: after its latency, and not before its
    /// previous command.
    fn arrival(slot: &mut AgentSlot, now: SimTime) -> SimTime {
        let at = now.plus_nanos(slot.latency.sample(&mut slot.latency_rng)).max(slot.last_arrival);
        slot.last_arrival = at;
        at
    }
}

/// The names of every agent (with its group and whether it is a crowd) and account.
fn names_of(slots: &[AgentSlot], recorder: &Recorder, exchange: &Exchange) -> Names {
    let parties = recorder.parties();
    let agents = slots
        .iter()
        .map(|s| {
            let group = parties.get(s.party).map_or_else(|| s.name.clone(), |p| p.name.clone());
            (s.name.clone(), group, s.agent.kind().is_crowd())
        })
        .collect();
    let accounts = exchange.ledger().accounts().iter().map(|a| a.name.clone()).collect();
    Names::new(agents, accounts)
}
