//! Building a run from a [`Scenario`]: validate it, open the accounts, build the agents and
//! contracts, wire up parties for the recorder, and start the [`Simulation`].
//!
//! Data flows one way: scenario → build → engine ⇄ exchange → recorder → report. The engine knows
//! nothing of scenarios; this module is the only place that reads one to assemble a run.
//! Contracts are built last: their group and account names are resolved to agents and accounts.
//!
//! Accounts are opened in a fixed order — the project, the named accounts, then each group's members
//! in file order — and the exchange's fee account last. Starting wallets drawn from a distribution use
//! a stream keyed `wallets:<group>`, so they too depend only on the seed and names.

use rand_distr::{Distribution, LogNormal};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::agents::AgentSetup;
use crate::contracts::{self, AnyContract, GroupRef, World};
use crate::engine::simulation::{AgentSlot, Simulation};
use crate::exchange::Exchange;
use crate::ledger::{AccountId, Ledger};
use crate::market::Tape;
use crate::metrics::{Party, PartyKind, Recorder, TradeLog};
use crate::rng::AgentRng;
use crate::scenario::{Amount, Scenario, ScenarioError};
use crate::types::{AgentId, Cash, Qty};

/// Who an agent is, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentInfo {
    /// Agent name.
    pub name: String,
    /// Its group (party) index.
    pub party: usize,
    /// The accounts it trades.
    pub accounts: Vec<AccountId>,
    /// True when it trades another party's account (e.g. an MM on the project's account).
    pub trades_for_other: bool,
}

/// A built simulation plus what reports need to know about its accounts.
#[derive(Debug)]
pub struct Built {
    /// The simulation, started (contracts signed, agents' first wake-ups scheduled).
    pub sim: Simulation,
    /// Per agent: name, party and accounts.
    pub agents: Vec<AgentInfo>,
    /// Starting cash and tokens per account.
    pub account_start: Vec<(Cash, Qty)>,
}

/// Validates `scenario` ([`Scenario::validate`]) and builds its simulation, started, optionally
/// streaming trades to `trade_log`.
///
/// # Errors
/// Every problem [`Scenario::validate`] finds (a scenario built in code with a bad parameter gets
/// here; one loaded from TOML was checked with file positions already).
pub fn build(scenario: &Scenario, trade_log: Option<TradeLog>) -> Result<Built, ScenarioError> {
    scenario.validate()?;
    Ok(assemble(scenario, trade_log))
}

fn assemble(scenario: &Scenario, trade_log: Option<TradeLog>) -> Built {
    let mut ledger = Ledger::new();
    let mut parties: Vec<Party> = Vec::new();
    let mut account_party: Vec<u32> = Vec::new();
    let mut account_start: Vec<(Cash, Qty)> = Vec::new();
    let mut named: Vec<(String, AccountId)> = Vec::new();
    let mut open =
        |ledger: &mut Ledger, name: String, owner: Option<AgentId>, cash: Cash, tokens: Qty, party: usize| {
            let id = ledger.open(name, owner, cash, tokens);
            account_party.push(party as u32);
            account_start.push((cash, tokens));
            id
        };

    // Parties: groups first (in file order), then the project and named accounts, the exchange last.
    for g in &scenario.groups {
        parties.push(party(&g.name, PartyKind::Group { kind: g.behaviour.kind() }, g.count));
    }
    let holdings = scenario
        .project
        .iter()
        .map(|h| (h, PartyKind::Project))
        .chain(scenario.accounts.iter().map(|h| (h, PartyKind::Account)));
    for (h, kind) in holdings {
        let p = parties.len();
        let mut pt = party(&h.name, kind, 0);
        pt.cash_start = h.cash;
        pt.tokens_start = h.tokens;
        parties.push(pt);
        let id = open(&mut ledger, h.name.clone(), None, h.cash, h.tokens, p);
        named.push((h.name.clone(), id));
    }

    let mut slots = Vec::new();
    let mut agents = Vec::new();
    for (gi, g) in scenario.groups.iter().enumerate() {
        let mut wallets = AgentRng::new(scenario.seed, &format!("wallets:{}", g.name));
        let names: Vec<String> = if g.behaviour.is_crowd() || g.count == 1 {
            vec![g.name.clone()]
        } else {
            (1..=g.count).map(|k| format!("{}#{k}", g.name)).collect()
        };
        let members_per_agent = g.behaviour.accounts_per_agent(g.count);
        for name in names {
            let agent_id = AgentId(slots.len() as u32);
            let (accounts, other) = match &g.trades_for {
                // `validate` checked that `trades_for` names the project or an account.
                Some(target) => (trade_for(&named, target, &mut ledger, agent_id), true),
                None => {
                    let accounts = (0..members_per_agent)
                        .map(|k| {
                            let cash = cash_atoms(&g.cash, scenario, &mut wallets);
                            let tokens = token_lots(&g.tokens, scenario, &mut wallets);
                            parties[gi].cash_start += cash;
                            parties[gi].tokens_start += tokens;
                            let acct_name = if members_per_agent > 1 { format!("{name}/{k}") } else { name.clone() };
                            open(&mut ledger, acct_name, Some(agent_id), cash, tokens, gi)
                        })
                        .collect();
                    (accounts, false)
                }
            };
            let setup = AgentSetup { name: name.clone(), accounts: accounts.clone(), market: scenario.market.clone() };
            slots.push(AgentSlot {
                agent: g.behaviour.build(setup),
                name: name.clone(),
                party: gi,
                rng: AgentRng::new(scenario.seed, &name),
                latency_rng: AgentRng::new(scenario.seed, &format!("latency:{name}")),
                latency: g.latency,
                last_arrival: crate::types::SimTime::ZERO,
            });
            agents.push(AgentInfo { name, party: gi, accounts, trades_for_other: other });
        }
    }
    parties.push(party("exchange", PartyKind::Exchange, 0));
    let exchange = Exchange::new(ledger, scenario.fees);
    let contracts = build_contracts(scenario, &named, &agents, exchange.venue());
    account_party.push((parties.len() - 1) as u32);
    account_start.push((Cash::ZERO, Qty::ZERO));
    debug_assert_eq!(account_party.len(), exchange.ledger().accounts().len());

    let recorder = Recorder::new(parties, account_party, trade_log);
    let tape = Tape::new(scenario.market.open_price);
    let mut sim =
        Simulation::new(exchange, slots, tape, recorder, scenario.market.duration, scenario.sample_every.nanos());
    sim.add_contracts(contracts);
    sim.start();
    Built { sim, agents, account_start }
}

/// Builds the scenario's contracts: group names become their agents and accounts.
fn build_contracts(
    scenario: &Scenario,
    named: &[(String, AccountId)],
    agents: &[AgentInfo],
    venue: AccountId,
) -> Vec<AnyContract> {
    if scenario.contracts.is_empty() {
        return Vec::new();
    }
    let groups: Vec<GroupRef> = scenario
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let members = || agents.iter().enumerate().filter(move |(_, a)| a.party == gi);
            let mut accounts: Vec<AccountId> = members().flat_map(|(_, a)| a.accounts.iter().copied()).collect();
            accounts.dedup();
            GroupRef {
                name: g.name.clone(),
                agents: members().map(|(i, _)| AgentId(i as u32)).collect(),
                accounts,
                trades_for_other: g.trades_for.is_some(),
            }
        })
        .collect();
    contracts::build(&scenario.contracts, &World { accounts: named, groups: &groups, seed: scenario.seed }, venue)
}

fn party(name: &str, kind: PartyKind, agents: u32) -> Party {
    Party { name: name.to_string(), kind, agents, cash_start: Cash::ZERO, tokens_start: Qty::ZERO }
}

/// Draws an amount in quote units or tokens (`unit` per integer step), rounded down to whole steps.
fn draw(amount: &Amount, unit: Decimal, rng: &mut AgentRng) -> i128 {
    let unit_f = unit.to_f64().unwrap_or(1.0);
    let value = match amount {
        Amount::Fixed(d) => return (d / unit).trunc().to_i128().unwrap_or(0),
        // Capped where validation bounded it (see `scenario::limits::LOGNORMAL_Z`): a draw beyond
        // is about a 1-in-10^19 event, and the cap keeps every sum inside the integer types.
        Amount::LogNormal { median, sigma } => LogNormal::new(median.ln(), *sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(*median)
            .min(median * (crate::scenario::limits::LOGNORMAL_Z * sigma).exp()),
        Amount::Uniform { low, high } => {
            use rand::RngExt;
            if high > low {
                rng.random_range(*low..*high).min(*high)
            } else {
                *low
            }
        }
    };
    (value / unit_f).floor().max(0.0) as i128
}

/// The named account `target` (at most one), with `agent` authorized to trade for it.
pub(crate) fn trade_for(
    named: &[(String, AccountId)],
    target: &str,
    ledger: &mut Ledger,
    agent: AgentId,
) -> Vec<AccountId> {
    let ids: Vec<AccountId> = named.iter().filter(|(n, _)| n == target).map(|(_, id)| *id).take(1).collect();
    for &id in &ids {
        ledger.authorize(id, agent);
    }
    ids
}

pub(crate) fn cash_atoms(amount: &Amount, s: &Scenario, rng: &mut AgentRng) -> Cash {
    Cash(draw(amount, s.market.tick * s.market.lot, rng))
}

pub(crate) fn token_lots(amount: &Amount, s: &Scenario, rng: &mut AgentRng) -> Qty {
    Qty(draw(amount, s.market.lot, rng).min(i64::MAX as i128) as i64)
}
