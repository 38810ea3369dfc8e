//! Kernel tests: ordering, the clock, errors, and determinism of a small multi-agent run.

use rand::RngExt;

use super::*;
use crate::rng::AgentRng;

#[test]
fn steps_in_time_order_and_fifo_for_equal_times() {
    let mut k = Kernel::new();
    k.schedule_at(SimTime(20), "c").unwrap();
    k.schedule_at(SimTime(10), "a").unwrap();
    k.schedule_at(SimTime(20), "d").unwrap();
    k.schedule_at(SimTime(10), "b").unwrap();
    let mut got = Vec::new();
    while let Some((t, e)) = k.step() {
        assert_eq!(k.now(), t);
        got.push((t.nanos(), e));
    }
    assert_eq!(got, [(10, "a"), (10, "b"), (20, "c"), (20, "d")]);
    assert_eq!(k.events(), 4);
    assert_eq!(k.now(), SimTime(20), "an empty queue leaves the clock where it was");
}

#[test]
fn scheduling_in_the_past_is_rejected() {
    let mut k = Kernel::new();
    k.schedule_in(100, ());
    k.step().unwrap();
    assert_eq!(k.now(), SimTime(100));
    let err = k.schedule_at(SimTime(99), ()).unwrap_err();
    assert_eq!(err, EngineError::InThePast { now: SimTime(100), at: SimTime(99) });
    assert!(err.to_string().contains("t=99 ns"), "{err}");
    assert_eq!(k.pending(), 0, "a rejected event is not queued");
    // Now itself is allowed, and runs after whatever is already due now.
    k.schedule_at(SimTime(100), ()).unwrap();
    assert_eq!(k.step(), Some((SimTime(100), ())));
}

#[test]
fn clock_never_goes_backwards() {
    // Handlers schedule follow-ups at random delays, including zero.
    let mut rng = AgentRng::new(11, "clock-test");
    let mut k = Kernel::new();
    for i in 0..20u32 {
        k.schedule_in(rng.random_range(0..1_000), i);
    }
    let mut last = SimTime::ZERO;
    while let Some((t, i)) = k.step() {
        assert!(t >= last, "time went back from {last:?} to {t:?}");
        assert_eq!(k.now(), t);
        last = t;
        if k.events() < 2_000 {
            k.schedule_in(rng.random_range(0..50), i);
        }
    }
    assert_eq!(k.events(), 2_000 + 19);
}

/// Handles every event due at or before `until` (those scheduled while handling included), then
/// moves the clock there: the loop the simulation runs.
fn drain<E>(k: &mut Kernel<E>, until: SimTime, mut handle: impl FnMut(&mut Kernel<E>, SimTime, E)) {
    while let Some((t, e)) = k.next_due(until) {
        handle(k, t, e);
    }
    k.advance_to(until).unwrap();
}

#[test]
fn draining_stops_at_the_limit_and_sets_the_clock() {
    let mut k = Kernel::new();
    for t in [5, 10, 15, 20] {
        k.schedule_at(SimTime(t), t).unwrap();
    }
    let mut seen = Vec::new();
    drain(&mut k, SimTime(15), |k, t, e| {
        seen.push((t.nanos(), e));
        if e == 5 {
            // Scheduled while running: due before the limit, so handled in this call.
            k.schedule_at(SimTime(12), 12).unwrap();
        }
    });
    assert_eq!(seen, [(5, 5), (10, 10), (12, 12), (15, 15)], "events at the limit are included");
    assert_eq!(k.now(), SimTime(15));
    assert_eq!(k.peek_time(), Some(SimTime(20)));
    // Backwards is rejected.
    assert_eq!(k.advance_to(SimTime(14)), Err(EngineError::ClockBackwards { now: SimTime(15), to: SimTime(14) }));
}

#[test]
fn next_due_and_advance_to_respect_pending_events() {
    let mut k = Kernel::new();
    k.schedule_at(SimTime(50), 'x').unwrap();
    assert_eq!(k.next_due(SimTime(49)), None);
    assert_eq!(k.now(), SimTime::ZERO, "next_due does not move the clock when nothing is due");
    assert_eq!(k.advance_to(SimTime(60)), Err(EngineError::SkipsPending { pending: SimTime(50), to: SimTime(60) }));
    k.advance_to(SimTime(50)).unwrap();
    assert_eq!(k.next_due(SimTime(50)), Some((SimTime(50), 'x')));
    k.advance_to(SimTime(60)).unwrap();
    assert!(k.advance_to(SimTime(59)).is_err());
}

#[test]
fn latency_samples_land_within_bounds() {
    let lat = Latency::new(2_000, 500);
    let mut rng = AgentRng::new(1, "mm");
    let mut k = Kernel::new();
    k.advance_to(SimTime(1_000)).unwrap();
    let mut arrivals = Vec::new();
    for _ in 0..100 {
        let at = k.schedule_in(lat.sample(&mut rng), ());
        assert!((3_000..=3_500).contains(&at.nanos()), "{at:?}");
        arrivals.push(at);
    }
    arrivals.dedup();
    assert!(arrivals.len() > 1, "jitter should vary the arrival time");
    assert_eq!(k.pending(), 100);
}

/// A toy run: agents wake at random intervals, send an order that arrives after their latency, and
/// the arrivals are logged. Returns the `(time, agent name, kind)` trace.
fn toy_run(seed: u64, agents: &[(&str, Latency)]) -> Vec<(u64, String, &'static str)> {
    #[derive(Debug)]
    enum Ev {
        Wake(usize),
        OrderArrived(usize),
    }
    let mut rngs: Vec<AgentRng> = agents.iter().map(|(n, _)| AgentRng::new(seed, n)).collect();
    let mut k = Kernel::new();
    for (i, rng) in rngs.iter_mut().enumerate() {
        k.schedule_in(rng.random_range(0..1_000_000), Ev::Wake(i));
    }
    let mut trace = Vec::new();
    drain(&mut k, SimTime::from_millis(50), |k, t, ev| match ev {
        Ev::Wake(i) => {
            trace.push((t.nanos(), agents[i].0.to_string(), "wake"));
            let rng = &mut rngs[i];
            k.schedule_in(agents[i].1.sample(rng), Ev::OrderArrived(i));
            k.schedule_in(rng.random_range(100_000..2_000_000), Ev::Wake(i));
        }
        Ev::OrderArrived(i) => trace.push((t.nanos(), agents[i].0.to_string(), "arrived")),
    });
    trace
}

const AGENTS: [(&str, Latency); 4] = [
    ("passive_mm", Latency::new(200_000, 50_000)),
    ("retail_1", Latency::new(5_000_000, 2_000_000)),
    ("pump_mm", Latency::fixed(100_000)),
    ("retail_2", Latency::new(5_000_000, 2_000_000)),
];

#[test]
fn same_seed_and_schedule_give_the_same_trace() {
    let a = toy_run(42, &AGENTS);
    let b = toy_run(42, &AGENTS);
    assert!(a.len() > 100, "toy run too short: {}", a.len());
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].0 <= w[1].0), "trace out of time order");
    assert_ne!(a, toy_run(43, &AGENTS), "another seed should give another trace");
}

#[test]
fn removing_an_agent_leaves_the_others_unchanged() {
    // The counterfactual property: streams are keyed by name, not by index.
    let full = toy_run(7, &AGENTS);
    let without: Vec<_> = AGENTS.iter().filter(|(n, _)| *n != "pump_mm").copied().collect();
    let reduced = toy_run(7, &without);
    let full_minus: Vec<_> = full.into_iter().filter(|(_, n, _)| n != "pump_mm").collect();
    assert_eq!(full_minus, reduced);
}
