//! Resource estimates of a run, checked against [`Limits`] before it starts.
//!
//! **Memory** is estimated as a fixed base plus what grows with the scenario, from measurements of
//! the release build:
//! - time-series samples: `duration / sample_every + 1` samples of about [`SAMPLE_BYTES`] each,
//!   plus [`PARTY_SAMPLE_BYTES`] per party (group, account, the exchange);
//! - crowd members: [`MEMBER_BYTES`] each (ledger account, trader state, indexes);
//! - other agents: [`AGENT_BYTES`] each (state, RNG streams, order tracking).
//!
//! **Events** are estimated as the samples plus every agent's wake-ups and orders: a crowd's orders
//! at its peak rate (`count × arrival_rate_per_hour × attention_max × (1 + excitation_max)`, with the
//! momentum traders' share heated by up to `1 + 4 × momentum_activity_gain`), each with its
//! cancel; other agents every `interval` (or `requote_every`), with a few orders each.
//! Both estimates err on the high side; a run over a limit is refused with the limit and the way to
//! raise it.

use super::limits::{num, Limits};
use super::source::Seg;
use super::validate::{at, join, Ctx};
use super::Scenario;
use crate::agents::Behaviour;

/// Memory every run needs whatever its size (code, book, report buffers), bytes.
pub const BASE_BYTES: f64 = 64e6;
/// One time-series sample, bytes (with the vector's growth).
pub const SAMPLE_BYTES: f64 = 320.0;
/// One party's share of a sample, bytes.
pub const PARTY_SAMPLE_BYTES: f64 = 48.0;
/// One crowd member, bytes: measured 215 at the start and 227 after 30 simulated minutes of
/// trading (15.3 million members, release build); the rest is room for resting orders.
pub const MEMBER_BYTES: f64 = 288.0;
/// One individual agent, bytes.
pub const AGENT_BYTES: f64 = 16_384.0;
/// Events per crowd order (the order, its arrival, a cancel, a wake-up).
const EVENTS_PER_ORDER: f64 = 4.0;
/// Events per wake-up of an individual agent (orders, cancels and their arrivals).
const EVENTS_PER_WAKE: f64 = 20.0;

/// Where an estimate comes from, for the message.
struct Part {
    path: Vec<Seg>,
    what: String,
    bytes: f64,
    events: f64,
}

/// Checks the estimated memory and events of `s` against `limits`.
pub(crate) fn check(ctx: &mut Ctx<'_>, s: &Scenario, limits: &Limits) {
    let parts = parts(s);
    let bytes = BASE_BYTES + parts.iter().map(|p| p.bytes).sum::<f64>();
    let events: f64 = parts.iter().map(|p| p.events).sum();
    let biggest = |key: fn(&Part) -> f64| parts.iter().max_by(|a, b| key(a).total_cmp(&key(b)));
    if let Some(big) = biggest(|p| p.bytes).filter(|_| bytes > limits.max_memory as f64) {
        ctx.report(
            &big.path,
            format!(
                "the run would need about {} of memory ({} for {}), more than the limit of {}; make it smaller, \
                 or raise the limit with --max-memory",
                bytes_text(bytes),
                bytes_text(big.bytes),
                big.what,
                bytes_text(limits.max_memory as f64)
            ),
        );
    }
    if let Some(big) = biggest(|p| p.events).filter(|_| events > limits.max_events as f64) {
        ctx.report(
            &big.path,
            format!(
                "the run would process about {} events ({} for {}), more than the limit of {}; make it smaller, \
                 or raise the limit with --max-events",
                num(events.round()),
                num(big.events.round()),
                big.what,
                num(limits.max_events as f64)
            ),
        );
    }
}

fn parts(s: &Scenario) -> Vec<Part> {
    let duration = s.market.duration.0 as f64;
    let hours = duration / 3.6e12;
    let parties = (s.groups.len() + s.accounts.len() + usize::from(s.project.is_some()) + 1) as f64;
    let samples = (duration / s.sample_every.nanos().max(1) as f64).floor() + 1.0;
    let mut parts = vec![Part {
        path: at(&["market", "sample_every"]),
        what: format!("{} time-series samples", num(samples)),
        bytes: samples * (SAMPLE_BYTES + PARTY_SAMPLE_BYTES * parties),
        events: samples,
    }];
    for (index, g) in s.groups.iter().enumerate() {
        let path = join(&[Seg::key("agents"), Seg::Elem { index, name: Some(g.name.clone()) }], "count");
        let count = f64::from(g.count);
        let (bytes, events, what) = match &g.behaviour {
            Behaviour::Retail(c) => {
                // Momentum traders' rate grows by up to 1 + gain × |tanh| × (1 + surge ≤ 3).
                let weights: f64 = c.weights().iter().sum();
                let momentum = if weights > 0.0 { c.momentum_weight / weights } else { 0.0 };
                let heat = 1.0 + momentum * 4.0 * c.momentum_activity_gain;
                let peak = c.attention_max * (1.0 + c.excitation_max) * heat;
                let orders = count * c.arrival_rate_per_hour * peak * hours;
                (count * MEMBER_BYTES, orders * EVENTS_PER_ORDER, format!("{} crowd members", num(count)))
            }
            Behaviour::Flow(c) => {
                let per_min = c.market_buy_per_min + c.market_sell_per_min;
                let peak = c.hourly.iter().copied().fold(1.0, f64::max);
                let market = per_min / (1.0 - c.hawkes_branching.min(0.95));
                let orders = (market + c.limit_buy_per_min + c.limit_sell_per_min) * peak * hours * 60.0;
                (count * MEMBER_BYTES, orders * EVENTS_PER_ORDER, format!("{} crowd members", num(count)))
            }
            b => {
                let every = wake_every(b).unwrap_or(u64::MAX).max(1) as f64;
                let wakes = count * (duration / every + 1.0);
                (count * AGENT_BYTES, wakes * EVENTS_PER_WAKE, format!("{} agents of group {}", num(count), g.name))
            }
        };
        parts.push(Part { path, what, bytes, events });
    }
    parts
}

/// How often an individual agent wakes, in nanoseconds (`None`: it never does).
fn wake_every(b: &Behaviour) -> Option<u64> {
    Some(match b {
        Behaviour::PassiveMm(c) => c.requote_every.nanos(),
        Behaviour::PumpDump(c) => c.interval.nanos(),
        Behaviour::LendAndDump(c) => c.interval.nanos(),
        Behaviour::Wash(c) => c.interval.nanos(),
        Behaviour::WashRing(c) => c.interval.nanos(),
        Behaviour::KpiGamer(c) if c.flicker => c.snapshot_every.nanos() / 2,
        Behaviour::KpiGamer(c) => c.requote_every.nanos(),
        Behaviour::Spoofer(c) => c.interval.nanos(),
        Behaviour::CollateralLoop(c) => c.interval.nanos(),
        Behaviour::DeltaHedge(c) => c.interval.nanos(),
        Behaviour::Retail(_) | Behaviour::Flow(_) | Behaviour::Idle(_) => return None,
    })
}

/// Bytes in readable units: `2.1 GB`, `512 MB`.
pub(crate) fn bytes_text(b: f64) -> String {
    if b >= 1e12 {
        format!("{:.1} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(bytes_text(4e9), "4.0 GB");
        assert_eq!(bytes_text(1.1e12), "1.1 TB");
        assert_eq!(bytes_text(5e5), "1 MB");
    }
}
