//! KPIs measured on the real book: every `subscription` contract of the strategy whose `mm` is a
//! backtested group is watched with its own terms, by the same [`KpiMonitor`] as in simulation.
//!
//! A snapshot is due every `snapshot_every` from the contract's `start`; due snapshots are taken at
//! the backtest's samples (every `sample_every`, so a snapshot sees the book at the first sample at
//! or after its due time), of the group's resting orders against the replayed book's mid. Periods
//! close every `period` (at most `periods`); the period open when the data ends is reported with
//! `settled = false`. The MM's traded value is its fills; the market's is every recorded trade
//! plus the strategy's fills. No fee moves in a backtest: the rows carry the KPI columns only.

use super::Venue;
use crate::book::OrderBook;
use crate::contracts::kpi::{KpiMonitor, KpiPeriod};
use crate::contracts::report::{f64_text, Fmt};
use crate::contracts::spec::{ContractKind, ContractTerms, SubscriptionTerms};
use crate::contracts::ContractRow;
use crate::metrics::Units;
use crate::scenario::Scenario;
use crate::types::{AgentId, Cash, SimTime};

/// One watched contract.
#[derive(Clone, Debug)]
pub struct KpiWatch {
    name: String,
    terms: SubscriptionTerms,
    agents: Vec<AgentId>,
    monitor: KpiMonitor,
    volume: Cash,
    next_snapshot: SimTime,
    period_end: SimTime,
    index: u32,
    begun: bool,
    periods: Vec<(KpiPeriod, bool)>,
}

impl KpiWatch {
    /// A watch for each subscription of `s` on a backtested group; `agents_of` gives a group's
    /// agents (`None`: not backtested).
    pub fn from_scenario(s: &Scenario, agents_of: impl Fn(&str) -> Option<Vec<AgentId>>) -> Vec<KpiWatch> {
        s.contracts
            .iter()
            .filter_map(|c| match &c.terms {
                ContractTerms::Subscription(t) => {
                    let agents = agents_of(&t.mm)?;
                    Some(KpiWatch {
                        name: c.name.clone(),
                        monitor: KpiMonitor::new(t.kpis.clone(), agents.clone(), t.start),
                        agents,
                        volume: Cash::ZERO,
                        next_snapshot: t.start,
                        period_end: t.start.plus_nanos(t.period.nanos()),
                        index: 0,
                        begun: false,
                        periods: Vec::new(),
                        terms: t.clone(),
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// A fill of `agent` worth `value`.
    pub fn on_fill(&mut self, agent: AgentId, value: Cash) {
        if self.agents.contains(&agent) {
            self.volume += value;
        }
    }

    fn open(&self) -> bool {
        self.terms.periods.is_none_or(|n| self.index < n)
    }

    /// Closes the periods that ended by `now` and takes the snapshots due by `now`; `market` is
    /// the market's running traded value.
    pub fn advance(&mut self, now: SimTime, view: &OrderBook, venue: &Venue, market: Cash) {
        while self.open() && now >= self.terms.start {
            if !self.begun {
                self.monitor.begin_period(self.terms.start, self.volume, market);
                self.begun = true;
            }
            if self.period_end <= now && self.next_snapshot >= self.period_end {
                let p = self.monitor.close_period(self.period_end, self.volume, market);
                self.periods.push((p, true));
                self.index += 1;
                self.monitor.begin_period(self.period_end, self.volume, market);
                self.period_end = self.period_end.plus_nanos(self.terms.period.nanos());
                continue;
            }
            if self.next_snapshot > now {
                break;
            }
            let orders = venue.orders_of(&self.agents);
            self.monitor.snapshot(self.next_snapshot, view, orders);
            self.next_snapshot = self.next_snapshot.plus_nanos(self.terms.kpis.snapshot_every.nanos().max(1));
        }
    }

    /// Ends the watch at `now`: the open period is reported unsettled. Returns the CSV rows.
    pub fn finish(mut self, now: SimTime, market: Cash, units: Units) -> Vec<ContractRow> {
        if self.begun && self.open() {
            let p = self.monitor.close_period(now, self.volume, market);
            self.periods.push((p, false));
        }
        let f = Fmt(units);
        self.periods
            .iter()
            .enumerate()
            .map(|(i, (k, settled))| ContractRow {
                contract: self.name.clone(),
                kind: ContractKind::Subscription,
                mm: Some(self.terms.mm.clone()),
                period: i as u32 + 1,
                start_s: k.start.as_secs_f64(),
                end_s: k.end.as_secs_f64(),
                settled: *settled,
                values: vec![
                    ("kpis_met", k.met().to_string()),
                    ("snapshots", k.snapshots.to_string()),
                    ("uptime", f64_text(k.uptime)),
                    ("spread_bps", k.spread_bps.map(f64_text).unwrap_or_default()),
                    ("depth_bid_quote", f.cash_f64_text(k.depth_bid)),
                    ("depth_ask_quote", f.cash_f64_text(k.depth_ask)),
                    ("volume_quote", f.cash_text(k.volume)),
                    ("volume_share", f64_text(k.volume_share)),
                ],
            })
            .collect()
    }
}
