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

use crate::agents::{Action, Agent, AgentCtx, AgentEvent, AnyAgent, MarketView, Tape};
use crate::contracts::{AnyContract, Contract, ContractCtx};
use crate::exchange::{Exchange, OrderRequest, Trade};
use crate::metrics::Recorder;
use crate::rng::AgentRng;
use crate::types::{AgentId, OrderId, SimTime};

use super::{Kernel, Latency};

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
    ContractTimer(u32),
    /// An agent asked to end its loans (handled after the event that asked, at the same time).
    EndLoans(AgentId),
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
    timers: Vec<SimTime>,
}

impl Simulation {
    /// A simulation of `slots` trading on `exchange` until `end`, sampled every `sample_every_ns`.
    pub fn new(
        exchange: Exchange,
        slots: Vec<AgentSlot>,
        tape: Tape,
        recorder: Recorder,
        end: SimTime,
        sample_every_ns: u64,
    ) -> Self {
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

    /// Runs one contract callback and schedules the timers it asks for.
    fn with_contract(&mut self, index: usize, f: impl FnOnce(&mut AnyContract, &mut ContractCtx<'_>)) {
        let now = self.kernel.now();
        let mut timers = std::mem::take(&mut self.timers);
        {
            let mut ctx = ContractCtx::new(now, &mut self.exchange, &self.tape, &mut self.recorder, &mut timers);
            f(&mut self.contracts[index], &mut ctx);
        }
        for at in timers.drain(..) {
            if at <= self.end {
                self.kernel.schedule_at(at, Event::ContractTimer(index as u32)).expect("timers are never in the past");
            }
        }
        self.timers = timers;
    }

    /// The exchange (book and ledger).
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// The exchange, for contract settlements between steps.
    pub fn exchange_mut(&mut self) -> &mut Exchange {
        &mut self.exchange
    }

    /// The recorder.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The recorder, for contract settlements recorded outside trading.
    pub fn recorder_mut(&mut self) -> &mut Recorder {
        &mut self.recorder
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

    /// Starts every agent and schedules the first sample. Call once, before stepping.
    pub fn start(&mut self) {
        self.kernel.schedule_in(0, Event::Sample);
        for i in 0..self.contracts.len() {
            self.with_contract(i, |c, ctx| c.start(ctx));
        }
        for i in 0..self.slots.len() {
            self.with_agent(i, |agent, ctx| agent.start(ctx));
        }
    }

    /// Processes every event due at or before `until` (capped at the end of the run); returns false
    /// once the run has reached its end.
    pub fn step_until(&mut self, until: SimTime) -> bool {
        let until = until.min(self.end);
        while let Some((now, event)) = self.kernel.next_due(until) {
            self.tape.advance(now);
            self.handle(now, event);
        }
        self.kernel.advance_to(until).expect("no event is pending before `until`");
        until < self.end
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        self.start();
        self.step_until(self.end);
        self.finish();
    }

    /// Takes the final sample (if the last one was not at the end).
    pub fn finish(&mut self) {
        for i in 0..self.contracts.len() {
            self.with_contract(i, |c, ctx| c.finish(ctx));
        }
        let now = self.kernel.now();
        if self.recorder.last_sample_time() != Some(now) {
            let phase = self.phase();
            self.recorder.sample(now, self.exchange.book(), &self.tape, phase);
        }
    }

    fn phase(&self) -> Option<crate::agents::Phase> {
        self.slots.iter().find_map(|s| s.agent.phase())
    }

    fn handle(&mut self, now: SimTime, event: Event) {
        match event {
            Event::Wake(agent) => self.with_agent(agent.0 as usize, |a, ctx| a.on_wakeup(ctx)),
            Event::SubmitArrives(agent, id, req) => self.submit_arrives(now, agent, id, req),
            Event::CancelArrives(agent, id) => {
                let ev = match self.exchange.cancel(agent, id) {
                    Ok(order) => AgentEvent::Cancelled { order: id, qty: order.qty },
                    Err(reason) => AgentEvent::Rejected { order: id, reason },
                };
                self.notify(agent, ev);
            }
            Event::ContractTimer(index) => self.with_contract(index as usize, |c, ctx| c.on_timer(ctx)),
            Event::EndLoans(agent) => {
                for i in 0..self.contracts.len() {
                    self.with_contract(i, |c, ctx| c.on_borrower_done(agent, ctx));
                }
            }
            Event::Sample => {
                let phase = self.phase();
                self.recorder.sample(now, self.exchange.book(), &self.tape, phase);
                let next = now.plus_nanos(self.sample_every);
                if next <= self.end {
                    self.kernel.schedule_in(self.sample_every, Event::Sample);
                }
            }
        }
    }

    fn submit_arrives(&mut self, now: SimTime, agent: AgentId, id: OrderId, req: OrderRequest) {
        let mut trades = std::mem::take(&mut self.trades);
        trades.clear();
        let result = self.exchange.submit_with_id(id, req, &mut trades);
        for t in &trades {
            self.tape.record(now, t.price, t.qty);
            self.recorder.on_trade(now, t, &self.slots);
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
                Action::Wake(at) => {
                    if at <= self.end {
                        self.kernel.schedule_at(at, Event::Wake(me)).expect("wake-ups are never in the past");
                    }
                }
                Action::Submit(id, req) => {
                    let at = Self::arrival(slot, now);
                    self.kernel.schedule_at(at, Event::SubmitArrives(me, id, req)).expect("arrival after now");
                }
                Action::Cancel(id) => {
                    let at = Self::arrival(slot, now);
                    self.kernel.schedule_at(at, Event::CancelArrives(me, id)).expect("arrival after now");
                }
                Action::EndLoans => {
                    self.kernel.schedule_at(now, Event::EndLoans(me)).expect("now is not in the past");
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
