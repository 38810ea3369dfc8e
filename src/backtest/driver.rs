//! The backtest clock: recorded events and the strategy's agents on one timeline.
//!
//! Time is the feed's local time, shifted so the first event is at zero ([`SimTime`]). Before each
//! recorded event, every agent event due at or before it runs (wake-ups, orders and cancels reaching
//! the venue after their entry latency, responses reaching the agents after their response
//! latency); then the event is applied to the recorded book and to the strategy's queues.
//!
//! Agents start once the recorded book has both sides and descends from a snapshot, or has been
//! built from diffs for the warm-up (a book bootstrapped from diffs lacks the levels nobody touched).

use crate::agents::{Action, Agent, AgentCtx, AgentEvent, AgentSetup, AnyAgent, MarketSpec, MarketView, Tape};
use crate::build::AgentInfo;
use crate::contracts::ContractRow;
use crate::engine::{Kernel, Latency};
use crate::exchange::{OrderRequest, Trade};
use crate::feed::{Event, EventKind, ReplayOptions, ReplayOutcome, Replayer};
use crate::ledger::{AccountId, Ledger};
use crate::metrics::{Party, PartyKind, Recorder, TradeLog};
use crate::rng::AgentRng;
use crate::scenario::Scenario;
use crate::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side, SimTime};

use super::kpis::KpiWatch;
use super::venue::{MmFill, Venue};
use super::{BacktestOptions, BacktestStats};

/// What the clock carries besides the recorded events.
#[derive(Clone, Copy, Debug)]
enum Ev {
    Wake(AgentId),
    Submit(AgentId, OrderId, OrderRequest),
    Cancel(AgentId, OrderId),
    Notify(AgentId, AgentEvent),
    Sample,
}

/// One strategy agent.
#[derive(Debug)]
struct Slot {
    agent: AnyAgent,
    rng: AgentRng,
    latency_rng: AgentRng,
    entry: Latency,
    response: Latency,
    last_arrival: SimTime,
    last_response: SimTime,
}

/// An agent waiting for the book to be ready.
#[derive(Debug)]
struct Pending {
    setup: AgentSetup,
    behaviour: crate::agents::Behaviour,
    entry: Latency,
    response: Latency,
}

/// A backtest in progress: feed it events in local-time order, then [`Backtest::finish`].
#[derive(Debug)]
pub struct Backtest {
    replayer: Replayer,
    venue: Venue,
    kernel: Kernel<Ev>,
    pending: Vec<Pending>,
    slots: Vec<Slot>,
    names: Vec<String>,
    tape: Tape,
    recorder: Recorder,
    trade_log: Option<TradeLog>,
    market: MarketSpec,
    seed: u64,
    t0: Option<u64>,
    snapshot_seen: bool,
    warmup_ns: u64,
    end: SimTime,
    sample_every: u64,
    actions: Vec<Action>,
    next_order: u64,
    fills: Vec<MmFill>,
    stats: BacktestStats,
    agents: Vec<AgentInfo>,
    account_start: Vec<(Cash, Qty)>,
    kpis: Vec<KpiWatch>,
}

/// A finished backtest.
#[derive(Debug)]
pub struct Finished {
    /// Samples, totals and party balances.
    pub recorder: Recorder,
    /// The accounts at the end.
    pub ledger: Ledger,
    /// The strategy's agents.
    pub agents: Vec<AgentInfo>,
    /// Starting balances per account.
    pub account_start: Vec<(Cash, Qty)>,
    /// What the strategy did.
    pub stats: BacktestStats,
    /// Simulated time at the end.
    pub now: SimTime,
    /// The opening price the agents were given (the first mid).
    pub open_price: Price,
    /// KPI rows of the strategy's subscriptions, measured on the real book (`contracts.csv`).
    pub contracts: Vec<ContractRow>,
}

impl Backtest {
    /// A backtest of `scenario`'s strategy groups (every group that is not a crowd: the recorded
    /// market replaces the crowds) on a recorded book, writing the strategy's fills to `trade_log`.
    pub fn new(scenario: &Scenario, options: &BacktestOptions, mut trade_log: Option<TradeLog>) -> Self {
        let mut ledger = Ledger::new();
        let mut parties: Vec<Party> = Vec::new();
        let mut account_party: Vec<u32> = Vec::new();
        let mut account_start: Vec<(Cash, Qty)> = Vec::new();
        let mut named: Vec<(String, AccountId)> = Vec::new();
        let mut stats = BacktestStats { queue_model: options.queue.to_string(), ..BacktestStats::default() };
        let groups: Vec<_> = scenario
            .groups
            .iter()
            .filter(|g| {
                let keep = !g.behaviour.is_crowd();
                if !keep {
                    stats.groups_replaced.push(g.name.clone());
                }
                keep
            })
            .collect();
        for g in &groups {
            parties.push(party(&g.name, PartyKind::Group { kind: g.behaviour.kind() }, g.count));
        }
        let holdings = scenario
            .project
            .iter()
            .map(|h| (h, PartyKind::Project))
            .chain(scenario.accounts.iter().map(|h| (h, PartyKind::Account)));
        for (h, kind) in holdings {
            let mut p = party(&h.name, kind, 0);
            p.cash_start = h.cash;
            p.tokens_start = h.tokens;
            account_party.push(parties.len() as u32);
            parties.push(p);
            account_start.push((h.cash, h.tokens));
            named.push((h.name.clone(), ledger.open(h.name.clone(), None, h.cash, h.tokens)));
        }
        let mut pending = Vec::new();
        let mut agents = Vec::new();
        let mut names = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            let mut wallets = AgentRng::new(scenario.seed, &format!("wallets:{}", g.name));
            let (entry, response) = match options.latency {
                Some((e, r)) => (e, r),
                None => (g.latency, g.latency),
            };
            for k in 1..=g.count {
                let name = if g.count == 1 { g.name.clone() } else { format!("{}#{k}", g.name) };
                let agent_id = AgentId(names.len() as u32);
                let (accounts, other) = match &g.trades_for {
                    Some(target) => (crate::build::trade_for(&named, target, &mut ledger, agent_id), true),
                    None => {
                        let cash = crate::build::cash_atoms(&g.cash, scenario, &mut wallets);
                        let tokens = crate::build::token_lots(&g.tokens, scenario, &mut wallets);
                        parties[gi].cash_start += cash;
                        parties[gi].tokens_start += tokens;
                        account_party.push(gi as u32);
                        account_start.push((cash, tokens));
                        (vec![ledger.open(name.clone(), Some(agent_id), cash, tokens)], false)
                    }
                };
                let setup =
                    AgentSetup { name: name.clone(), accounts: accounts.clone(), market: scenario.market.clone() };
                pending.push(Pending { setup, behaviour: g.behaviour.clone(), entry, response });
                agents.push(AgentInfo { name: name.clone(), party: gi, accounts, trades_for_other: other });
                names.push(name);
            }
        }
        // The recorded market: one party with a makers' and a takers' account, then the exchange.
        let market_party = parties.len() as u32;
        parties.push(party("market", PartyKind::Account, 0));
        parties.push(party("exchange", PartyKind::Exchange, 0));
        let market_agent = AgentId(names.len() as u32);
        let venue = Venue::new(ledger, scenario.fees, options.queue, market_agent);
        let (mk, tk) = venue.market_accounts();
        for id in [mk, tk] {
            let a = venue.ledger().account(id);
            account_party.push(market_party);
            account_start.push((a.cash(), a.tokens()));
            parties[market_party as usize].cash_start += a.cash();
            parties[market_party as usize].tokens_start += a.tokens();
        }
        account_party.push(market_party + 1);
        account_start.push((Cash::ZERO, Qty::ZERO));
        if let Some(log) = &mut trade_log {
            let mut all: Vec<(String, String, bool)> =
                agents.iter().map(|a| (a.name.clone(), groups[a.party].name.clone(), false)).collect();
            all.push(("market".into(), "market".into(), false));
            let accounts = venue.ledger().accounts().iter().map(|a| a.name.clone()).collect();
            log.set_names(crate::metrics::Names::new(all, accounts));
        }
        let replay = ReplayOptions { read: options.read.clone(), ..options.replay.clone() };
        let kpis = KpiWatch::from_scenario(scenario, |group| {
            let gi = groups.iter().position(|g| g.name == group)?;
            Some((0..agents.len()).filter(|&i| agents[i].party == gi).map(|i| AgentId(i as u32)).collect())
        });
        Backtest {
            replayer: Replayer::new(&replay),
            venue,
            kernel: Kernel::new(),
            pending,
            slots: Vec::new(),
            names,
            tape: Tape::new(scenario.market.open_price),
            recorder: Recorder::new(parties, account_party, None),
            trade_log,
            market: scenario.market.clone(),
            seed: scenario.seed,
            t0: None,
            snapshot_seen: false,
            warmup_ns: replay.warmup_ns,
            end: scenario.market.duration,
            sample_every: scenario.sample_every.nanos().max(1),
            actions: Vec::new(),
            next_order: 1,
            fills: Vec::new(),
            stats,
            agents,
            account_start,
            kpis,
        }
    }

    /// True once the run passed the scenario's duration (later events are not replayed).
    pub fn is_over(&self) -> bool {
        self.stats.events_after_end > 0
    }

    /// Replays one recorded event (events must come in local-time order; an earlier one is
    /// replayed at the current time).
    pub fn on_event(&mut self, ev: &Event) {
        let t0 = match self.t0 {
            Some(t) => t,
            None => {
                self.t0 = Some(ev.local_ns);
                let _ = self.kernel.schedule_at(SimTime::ZERO, Ev::Sample);
                ev.local_ns
            }
        };
        let now = SimTime(ev.local_ns.saturating_sub(t0)).max(self.kernel.now());
        if now > self.end {
            self.stats.events_after_end += 1;
            return;
        }
        if self.kernel.peek_time().is_some_and(|t| t <= now) {
            self.run_until(now);
        }
        let _ = self.kernel.advance_to(now);
        self.stats.feed_events += 1;
        match ev.kind {
            EventKind::Level(l) => {
                self.replayer.on_event(ev);
                let qty = self.replayer.book().qty_at(l.side, l.price);
                self.venue.on_level(l.side, l.price, qty);
            }
            EventKind::Trade(t) => {
                self.replayer.on_event(ev);
                self.tape.advance(now);
                self.tape.record(now, t.price, t.qty);
                let (mk, tk) = self.venue.market_accounts();
                let market = AgentId(self.names.len() as u32);
                let trade = Trade {
                    id: 0,
                    price: t.price,
                    qty: t.qty,
                    aggressor: t.aggressor.unwrap_or(Side::Buy),
                    maker_order: OrderId(0),
                    taker_order: OrderId(0),
                    maker_account: mk,
                    taker_account: tk,
                    maker_agent: market,
                    taker_agent: market,
                    maker_intent: Intent::Other,
                    taker_intent: Intent::Other,
                    maker_fee: Cash::ZERO,
                    taker_fee: Cash::ZERO,
                };
                self.recorder.on_trade(now, &trade);
                if self.venue.resting() > 0 {
                    let mut fills = std::mem::take(&mut self.fills);
                    self.venue.on_trade(t.price, t.qty, t.aggressor, &mut fills);
                    self.deliver(now, &mut fills);
                    self.fills = fills;
                }
            }
            kind => {
                // The previous message is complete: our orders the touch crossed are filled.
                if self.venue.resting() > 0 {
                    let mut fills = std::mem::take(&mut self.fills);
                    self.venue.on_touch(self.replayer.book(), &mut fills);
                    self.deliver(now, &mut fills);
                    self.fills = fills;
                }
                self.replayer.on_event(ev);
                if let EventKind::Snapshot(_) = kind {
                    self.snapshot_seen = true;
                    self.venue.reset_view();
                }
                if !self.pending.is_empty() {
                    self.maybe_start(now);
                }
            }
        }
    }

    /// Starts the agents once the book is ready.
    fn maybe_start(&mut self, now: SimTime) {
        let book = self.replayer.book();
        let (Some((bid, _)), Some((ask, _))) = (book.best_bid(), book.best_ask()) else { return };
        if bid >= ask || !(self.snapshot_seen || now.nanos() >= self.warmup_ns) {
            return;
        }
        let open = Price((bid.0 + ask.0) / 2);
        self.market.open_price = open;
        self.stats.started_at_s = Some(now.as_secs_f64());
        for p in std::mem::take(&mut self.pending) {
            let mut setup = p.setup;
            setup.market = self.market.clone();
            let name = setup.name.clone();
            self.slots.push(Slot {
                agent: p.behaviour.build(setup),
                rng: AgentRng::new(self.seed, &name),
                latency_rng: AgentRng::new(self.seed, &format!("latency:{name}")),
                entry: p.entry,
                response: p.response,
                last_arrival: now,
                last_response: now,
            });
        }
        for i in 0..self.slots.len() {
            self.with_agent(i, |a, ctx| a.start(ctx));
        }
    }

    /// Runs every agent event due at or before `until`.
    fn run_until(&mut self, until: SimTime) {
        while let Some((now, ev)) = self.kernel.next_due(until) {
            self.tape.advance(now);
            match ev {
                Ev::Wake(a) => self.with_agent(a.0 as usize, |agent, ctx| agent.on_wakeup(ctx)),
                Ev::Notify(a, e) => self.with_agent(a.0 as usize, |agent, ctx| agent.on_event(&e, ctx)),
                Ev::Submit(a, id, req) => {
                    self.stats.orders += 1;
                    let mut fills = std::mem::take(&mut self.fills);
                    let result = self.venue.submit(self.replayer.book(), id, req, &mut fills);
                    self.deliver(now, &mut fills);
                    self.fills = fills;
                    let ev = match result {
                        Ok(placed) => AgentEvent::Accepted { order: id, placed },
                        Err(reason) => {
                            self.stats.rejects += 1;
                            AgentEvent::Rejected { order: id, reason }
                        }
                    };
                    self.respond(now, a, ev);
                }
                Ev::Cancel(a, id) => {
                    self.stats.cancels += 1;
                    let ev = match self.venue.cancel(a, id) {
                        Ok(order) => AgentEvent::Cancelled { order: id, qty: order.qty },
                        Err(reason) => AgentEvent::Rejected { order: id, reason },
                    };
                    self.respond(now, a, ev);
                }
                Ev::Sample => {
                    self.venue.sync_view(self.replayer.book());
                    self.recorder.sample(now, self.venue.view(), &self.tape, self.venue.ledger(), None);
                    let market = self.recorder.totals().volume;
                    for w in &mut self.kpis {
                        w.advance(now, self.venue.view(), &self.venue, market);
                    }
                    let next = now.plus_nanos(self.sample_every);
                    if next <= self.end {
                        let _ = self.kernel.schedule_at(next, Ev::Sample);
                    }
                }
            }
        }
    }

    /// Records the strategy's fills and tells their agents (after the response latency).
    fn deliver(&mut self, now: SimTime, fills: &mut Vec<MmFill>) {
        for f in fills.drain(..) {
            let t = &f.trade;
            for w in &mut self.kpis {
                w.on_fill(f.agent, Cash::notional(t.price, t.qty));
            }
            self.tape.record(now, t.price, t.qty);
            self.recorder.on_trade(now, t);
            if let Some(log) = &mut self.trade_log {
                log.write(now, t, false);
            }
            if f.maker {
                self.stats.maker_fills += 1;
            } else {
                self.stats.taker_fills += 1;
            }
            let order = if f.maker { t.maker_order } else { t.taker_order };
            let ev = AgentEvent::Filled {
                order,
                account: f.account,
                side: f.side,
                price: t.price,
                qty: t.qty,
                maker: f.maker,
                done: f.done,
            };
            self.respond(now, f.agent, ev);
        }
    }

    /// Sends `ev` to `agent` after its response latency (responses never overtake each other).
    fn respond(&mut self, now: SimTime, agent: AgentId, ev: AgentEvent) {
        let Some(slot) = self.slots.get_mut(agent.0 as usize) else { return };
        let at = now.plus_nanos(slot.response.sample(&mut slot.latency_rng)).max(slot.last_response);
        slot.last_response = at;
        if at <= self.end {
            let _ = self.kernel.schedule_at(at, Ev::Notify(agent, ev));
        }
    }

    /// Runs one agent callback over the current view and schedules its actions.
    fn with_agent(&mut self, index: usize, f: impl FnOnce(&mut AnyAgent, &mut AgentCtx<'_>)) {
        let now = self.kernel.now();
        self.venue.sync_view(self.replayer.book());
        let mut actions = std::mem::take(&mut self.actions);
        let slot = &mut self.slots[index];
        let me = AgentId(index as u32);
        {
            let market = MarketView { book: self.venue.view(), ledger: self.venue.ledger(), tape: &self.tape };
            let mut ctx = AgentCtx::new(now, me, market, &mut slot.rng, &mut actions, &mut self.next_order);
            f(&mut slot.agent, &mut ctx);
        }
        for action in actions.drain(..) {
            match action {
                Action::Wake(at) => {
                    if at <= self.end {
                        let _ = self.kernel.schedule_at(at.max(now), Ev::Wake(me));
                    }
                }
                Action::Submit(id, req) => {
                    let at = arrival(slot, now);
                    let _ = self.kernel.schedule_at(at, Ev::Submit(me, id, req));
                }
                Action::Cancel(id) => {
                    let at = arrival(slot, now);
                    let _ = self.kernel.schedule_at(at, Ev::Cancel(me, id));
                }
                Action::Signal(_) => self.stats.signals_ignored += 1,
            }
        }
        self.actions = actions;
    }

    /// Ends the backtest at the last replayed event: the agent events due by then run, and a last
    /// sample is taken. Returns the run and the replay of the recorded book.
    pub fn finish(mut self) -> (Finished, ReplayOutcome) {
        let now = self.kernel.now();
        self.run_until(now);
        if self.recorder.last_sample_time() != Some(now) {
            self.venue.sync_view(self.replayer.book());
            self.recorder.sample(now, self.venue.view(), &self.tape, self.venue.ledger(), None);
        }
        if let Some(log) = self.trade_log.take() {
            self.stats.trade_log_error = log.finish().err().map(|e| e.to_string());
        }
        self.stats.resting_at_end = self.venue.resting() as u64;
        let market = self.recorder.totals().volume;
        self.venue.sync_view(self.replayer.book());
        let units = self.market.units();
        let mut contracts = Vec::new();
        for mut w in std::mem::take(&mut self.kpis) {
            w.advance(now, self.venue.view(), &self.venue, market);
            contracts.extend(w.finish(now, market, units));
        }
        let finished = Finished {
            recorder: self.recorder,
            ledger: self.venue.into_ledger(),
            agents: self.agents,
            account_start: self.account_start,
            stats: self.stats,
            now,
            open_price: self.market.open_price,
            contracts,
        };
        (finished, self.replayer.finish())
    }
}

/// When a command sent now by `slot` reaches the venue: after its entry latency, never before its
/// previous command.
fn arrival(slot: &mut Slot, now: SimTime) -> SimTime {
    let at = now.plus_nanos(slot.entry.sample(&mut slot.latency_rng)).max(slot.last_arrival);
    slot.last_arrival = at;
    at
}

fn party(name: &str, kind: PartyKind, agents: u32) -> Party {
    Party { name: name.to_string(), kind, agents, cash_start: Cash::ZERO, tokens_start: Qty::ZERO }
}
