//! Scoring detectors against the ground truth carried by mmsim's logs.
//!
//! Truth, from the labels:
//! - **wash trades**: the `wash` flag (same beneficial owner); unit `trade`.
//! - **ring trades**: wash trades between two different accounts (one owner's ring); unit `trade`.
//! - **spoof orders**: orders logged `new` with intent `spoof`; unit `order`.
//! - **pump events**: trades whose taker intent is `pump`, grouped into events where consecutive
//!   ones are under `PUMP_GAP_S` apart (at least 3 trades); unit `event`. An alert detects an event
//!   when it starts within the event (or up to `SLACK_S` before it); latency = alert start − event
//!   start (0 when earlier). Precision counts alerts that detect an event.
//! - **lend-and-dump owners**: owners with both `dump` and `buyback` orders in the trades; unit `owner`.
//! - **KPI gamers**: owners with an order of intent `kpi_gaming` in the order log; unit `owner`.

use std::collections::{BTreeSet, HashSet};

use super::data::Dataset;
use super::{Findings, ScoreRow as Row};

/// Pump trades further apart than this belong to different events (s).
pub const PUMP_GAP_S: f64 = 300.0;
/// An alert up to this long before an event's first pump trade still detects it (s).
pub const SLACK_S: f64 = 30.0;

/// One row of `scores.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    /// The detector.
    pub detector: &'static str,
    /// What is counted: trade, order, event, owner.
    pub unit: &'static str,
    /// Share of alerts that are true (none without alerts).
    pub precision: Option<f64>,
    /// Share of true units alerted (none without true units).
    pub recall: Option<f64>,
    /// Harmonic mean of the two.
    pub f1: Option<f64>,
    /// Median detection latency (events only).
    pub median_latency_s: Option<f64>,
    /// True units.
    pub n_true: usize,
    /// Alerted units.
    pub n_alerts: usize,
}

/// Counts behind a score, to pool over runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// True positives among alerts.
    pub tp_alerts: usize,
    /// Alerts.
    pub alerts: usize,
    /// True units detected.
    pub detected: usize,
    /// True units.
    pub truth: usize,
    /// Latencies of detected events.
    pub latencies: Vec<f64>,
}

impl Counts {
    /// Adds another run's counts.
    pub fn add(&mut self, o: &Counts) {
        self.tp_alerts += o.tp_alerts;
        self.alerts += o.alerts;
        self.detected += o.detected;
        self.truth += o.truth;
        self.latencies.extend_from_slice(&o.latencies);
    }

    /// The score row.
    pub fn row(&self, detector: &'static str, unit: &'static str) -> Row {
        let precision = (self.alerts > 0).then(|| self.tp_alerts as f64 / self.alerts as f64);
        let recall = (self.truth > 0).then(|| self.detected as f64 / self.truth as f64);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            (None, Some(_)) => Some(0.0),
            (Some(_), None) => Some(0.0),
            (None, None) => None,
        };
        let mut l = self.latencies.clone();
        l.sort_by(f64::total_cmp);
        let median_latency_s = (!l.is_empty()).then(|| l[l.len() / 2]);
        Row { detector, unit, precision, recall, f1, median_latency_s, n_true: self.truth, n_alerts: self.alerts }
    }
}

/// Counts of a set of flagged units against the set of true ones.
pub(crate) fn sets<T: Eq + std::hash::Hash + Clone>(truth: &HashSet<T>, flagged: &HashSet<T>) -> Counts {
    let tp = flagged.intersection(truth).count();
    Counts { tp_alerts: tp, alerts: flagged.len(), detected: tp, truth: truth.len(), latencies: Vec::new() }
}

/// The true pump events (start, end).
pub fn pump_events(data: &Dataset) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64, usize)> = Vec::new();
    for t in data.trades.iter().filter(|t| t.taker_intent == "pump") {
        match out.last_mut() {
            Some(e) if t.t - e.1 <= PUMP_GAP_S => {
                e.1 = t.t;
                e.2 += 1;
            }
            _ => out.push((t.t, t.t, 1)),
        }
    }
    out.into_iter().filter(|e| e.2 >= 3).map(|e| (e.0, e.1)).collect()
}

/// Event-level counts of `alerts` (start, end) against `events`.
pub fn event_counts(events: &[(f64, f64)], alerts: &[(f64, f64)]) -> Counts {
    let hits = |a: &(f64, f64), e: &(f64, f64)| a.0 >= e.0 - SLACK_S && a.0 <= e.1;
    let tp_alerts = alerts.iter().filter(|a| events.iter().any(|e| hits(a, e))).count();
    let mut latencies = Vec::new();
    for e in events {
        if let Some(first) = alerts.iter().filter(|a| hits(a, e)).map(|a| a.0).min_by(f64::total_cmp) {
            latencies.push((first - e.0).max(0.0));
        }
    }
    Counts { tp_alerts, alerts: alerts.len(), detected: latencies.len(), truth: events.len(), latencies }
}

/// The true wash share of traded value.
pub fn true_share(data: &Dataset) -> f64 {
    let total: f64 = data.trades.iter().map(|t| t.price * t.qty).sum();
    let wash: f64 = data.trades.iter().filter(|t| t.wash).map(|t| t.price * t.qty).sum();
    // (An empty f64 sum is −0.0: no wash is 0.)
    if total > 0.0 && wash > 0.0 {
        wash / total
    } else {
        0.0
    }
}

/// Per-detector counts of one run.
pub fn counts(data: &Dataset, f: &Findings) -> Vec<(&'static str, &'static str, Counts)> {
    let wash_truth: HashSet<usize> = (0..data.trades.len()).filter(|&i| data.trades[i].wash).collect();
    let wash_flag: HashSet<usize> = f.wash_trades.iter().copied().collect();
    let ring_truth: HashSet<usize> = (0..data.trades.len())
        .filter(|&i| data.trades[i].wash && data.trades[i].maker_account != data.trades[i].taker_account)
        .collect();
    let ring_flag: HashSet<usize> = f.ring_trades.iter().copied().collect();
    let spoof_truth: HashSet<u64> =
        data.orders.iter().filter(|o| o.event == "new" && o.intent == "spoof").map(|o| o.id).collect();
    let spoof_flag: HashSet<u64> = f.spoof_orders.iter().copied().collect();
    let events = pump_events(data);
    let of = |name: &str| -> Vec<(f64, f64)> {
        f.alerts.iter().filter(|a| a.detector == name).map(|a| (a.t_start, a.t_end)).collect()
    };
    let mut dumpers: BTreeSet<&str> = BTreeSet::new();
    let mut buyers: BTreeSet<&str> = BTreeSet::new();
    for t in &data.trades {
        for (who, intent) in [(&t.maker, &t.maker_intent), (&t.taker, &t.taker_intent)] {
            match intent.as_str() {
                "dump" => {
                    dumpers.insert(who);
                }
                "buyback" => {
                    buyers.insert(who);
                }
                _ => {}
            }
        }
    }
    let ld_truth: HashSet<String> = dumpers.intersection(&buyers).map(|s| s.to_string()).collect();
    let ld_flag: HashSet<String> = f.lend_dump_owners.iter().cloned().collect();
    let kpi_truth: HashSet<String> =
        data.orders.iter().filter(|o| o.intent == "kpi_gaming").map(|o| o.agent.clone()).collect();
    let kpi_flag: HashSet<String> = f.kpi_owners.iter().cloned().collect();
    vec![
        ("wash_same_owner", "trade", sets(&wash_truth, &wash_flag)),
        ("wash_ring", "trade", sets(&ring_truth, &ring_flag)),
        ("spoofing", "order", sets(&spoof_truth, &spoof_flag)),
        ("pump_kamps_kleinberg", "event", event_counts(&events, &of("pump_kamps_kleinberg"))),
        ("pump_rush_orders", "event", event_counts(&events, &of("pump_rush_orders"))),
        ("lend_and_dump", "owner", sets(&ld_truth, &ld_flag)),
        ("kpi_gaming", "owner", sets(&kpi_truth, &kpi_flag)),
    ]
}

/// Scores of one run.
pub fn score(data: &Dataset, f: &Findings) -> Vec<Row> {
    counts(data, f).into_iter().map(|(d, u, c)| c.row(d, u)).collect()
}
