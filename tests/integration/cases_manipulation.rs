//! The manipulation cases of the case library (`scenarios/subscription_kpis.toml`, `wash_volume`,
//! `spoofing`, `pump_and_dump`, `three_monks`, `collateral_loop`), each run at a reduced scale
//! (`--set`-style overrides: fewer traders, shorter) and checked against its story.
//!
//! Every case runs for three seeds (1, 2, 3: not picked) on scoped threads. Counterfactuals use the
//! same seed with one group replaced by an idle trader (a `wash` agent with `target_wash_share = 0`
//! never trades, and keeps the group's name, so every other agent draws the same random numbers).

use std::path::Path;

use mmsim::agents::behaviour::Behaviour;
use mmsim::agents::collateral_loop::Phase as LoopPhase;
use mmsim::agents::pump_dump::Phase as PdPhase;
use mmsim::agents::{AgentKind, Phase};
use mmsim::build::build;
use mmsim::counterfactual::{apply, Replacement};
use mmsim::engine::simulation::Simulation;
use mmsim::run::{run, RunOptions, RunOutcome};
use mmsim::scenario::{load, Override, Scenario};
use mmsim::types::{Cash, SimTime};
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

const SEEDS: [u64; 3] = [1, 2, 3];
use crate::fixtures::HOUR;

fn scenario(file: &str, seed: u64, sets: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let mut overrides = vec![format!("market.seed={seed}").parse::<Override>().unwrap()];
    overrides.extend(sets.iter().map(|s| s.parse::<Override>().unwrap()));
    load(&path, &overrides).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn run_quiet(s: &Scenario) -> RunOutcome {
    let out = run(s, &RunOptions::default()).unwrap_or_else(|e| panic!("{}: {e:#}", s.name));
    assert!(out.summary.conservation.ok);
    out
}

/// The same scenario with `group` replaced by an idle trader.
fn without(s: &Scenario, group: &str) -> Scenario {
    apply(s, &Replacement { group: group.into(), kind: AgentKind::Idle }).unwrap()
}

/// Runs `f` for every seed in parallel and returns the results in seed order.
fn per_seed<T: Send>(f: impl Fn(u64) -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = SEEDS.iter().map(|&seed| s.spawn(move || f(seed))).collect();
        handles.into_iter().map(|h| h.join().expect("the run finishes")).collect()
    })
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn dec(d: rust_decimal::Decimal) -> f64 {
    d.to_f64().unwrap()
}

/// The contract `name`'s entry as `summary.json` writes it.
fn contract(out: &RunOutcome, name: &str) -> Value {
    out.summary.contracts.iter().find(|c| c.name() == name).unwrap_or_else(|| panic!("no contract {name}")).to_json()
}

fn pnl(out: &RunOutcome, group: &str) -> f64 {
    dec(out.summary.group(group).unwrap_or_else(|| panic!("no group {group}")).pnl_quote)
}

#[test]
fn subscription_kpis_show_the_breach_and_the_fee_is_withheld() {
    for (seed, out) in SEEDS.iter().zip(per_seed(|seed| {
        run_quiet(&scenario("subscription_kpis.toml", seed, &["market.duration=1d", "agents.retail.count=60"]))
    })) {
        let good = contract(&out, "retainer_good");
        let wide = contract(&out, "retainer_wide");
        let (g, w) = (&good["kpis"][0], &wide["kpis"][0]);
        println!("seed {seed}: good {g}\n        wide {w}");
        assert_eq!((g["settled"].as_bool(), g["met"].as_bool()), (Some(true), Some(true)), "seed {seed}: {g}");
        assert_eq!((num(&good["fees_paid"]), num(&good["fees_withheld"])), (5000.0, 0.0), "seed {seed}");
        assert_eq!(w["met"].as_bool(), Some(false), "seed {seed}: {w}");
        assert_eq!((w["spread_met"].as_bool(), w["depth_met"].as_bool()), (Some(false), Some(false)), "{w}");
        assert!(num(&w["spread_bps"]) > 150.0 && num(&g["spread_bps"]) < 150.0, "seed {seed}");
        assert!(num(&w["depth_bid_quote"]) < 500.0 && num(&w["depth_ask_quote"]) < 500.0, "seed {seed}: {w}");
        assert_eq!((num(&wide["fees_paid"]), num(&wide["fees_withheld"])), (0.0, 5000.0), "seed {seed}");
    }
}

#[test]
fn wash_trading_makes_95_percent_of_volume_fake_and_real_volume_stays_the_same() {
    let sets = ["market.duration=6h"];
    for (seed, (share, real, real_without)) in SEEDS.iter().zip(per_seed(|seed| {
        let with = run_quiet(&scenario("wash_volume.toml", seed, &sets));
        let off = scenario("wash_volume.toml", seed, &[sets[0], "agents.washer.wash.target_wash_share=0"]);
        let without = run_quiet(&off);
        let real = |o: &RunOutcome| dec(o.summary.volume.quote_total - o.summary.volume.quote_wash);
        (with.summary.volume.wash_share, real(&with), real(&without))
    })) {
        println!("seed {seed}: wash share {share:.4}, real volume {real:.0} vs {real_without:.0} without");
        assert!((0.93..=0.97).contains(&share), "seed {seed}: wash share {share}");
        assert!((real / real_without - 1.0).abs() < 0.08, "seed {seed}: real {real} vs {real_without}");
    }
}

/// Steps a simulation minute by minute, calling `look` after each minute.
fn step_minutes(sim: &mut Simulation, mut look: impl FnMut(&Simulation)) {
    sim.start();
    let mut t = SimTime::ZERO;
    while t < sim.end() {
        t = t.plus_nanos(60_000_000_000).min(sim.end());
        sim.step_until(t).unwrap();
        look(sim);
    }
    sim.finish();
}

fn mid(sim: &Simulation) -> Option<f64> {
    let book = sim.exchange().book();
    Some((book.best_bid()?.0 + book.best_ask()?.0) as f64 / 2.0)
}

#[test]
fn a_spoofer_moves_the_price_with_orders_it_cancels_and_profits() {
    for (seed, (pnl_atoms, effect_bps, filled, traded, waves)) in SEEDS.iter().zip(per_seed(|seed| {
        let s = scenario("spoofing.toml", seed, &["market.duration=1d"]);
        // With the spoofer: the heavy side and the mid every minute.
        let mut built = build(&s, None).expect("a valid scenario");
        let idx = built.agents.iter().position(|a| a.name == "spoofer").unwrap();
        let account = built.agents[idx].accounts[0];
        let mut seen = Vec::new();
        step_minutes(&mut built.sim, |sim| {
            let a = sim.slots()[idx].agent.get::<mmsim::agents::spoofer::Spoofer>().expect("a Spoofer agent");
            seen.push((a.heavy_side(), mid(sim)));
        });
        let sim = &built.sim;
        crate::fixtures::assert_conserved(sim);
        let a = sim.slots()[idx].agent.get::<mmsim::agents::spoofer::Spoofer>().expect("a Spoofer agent");
        let (start, end) = (built.account_start[account.0 as usize], sim.exchange().ledger().account(account));
        let close = sim.recorder().totals().close.unwrap();
        let pnl = (end.cash() - start.0) + Cash::notional(close, end.tokens() - start.1);
        // The same seed without it.
        let mut alt = build(&without(&s, "spoofer"), None).expect("a valid scenario");
        let mut mids = Vec::new();
        step_minutes(&mut alt.sim, |sim| mids.push(mid(sim)));
        let signed: Vec<f64> = seen
            .iter()
            .zip(&mids)
            .filter_map(|((side, a), b)| Some(side.sign() as f64 * (a.as_ref()? - b.as_ref()?) / b.as_ref()?))
            .collect();
        let effect = signed.iter().sum::<f64>() / signed.len() as f64 * 10_000.0;
        (pnl.0, effect, a.stats().spoof_filled_lots, a.stats().bought_lots + a.stats().sold_lots, a.waves())
    })) {
        println!(
            "seed {seed}: spoofer PnL {pnl_atoms} atoms, mid shifted {effect_bps:.1} bps toward the spoofs, \
             {waves} waves, {filled} spoof lots filled of {traded} traded"
        );
        assert!(pnl_atoms > 0, "seed {seed}: the spoofer lost {pnl_atoms} atoms");
        assert!(effect_bps > 10.0, "seed {seed}: price effect {effect_bps} bps");
        // A spoof fills only when a sweep reaches it between two looks of the spoofer: rarely.
        assert!(filled * 100 < traded, "seed {seed}: {filled} spoof lots filled, {traded} traded for real");
        assert!(waves > 100, "seed {seed}: {waves} waves");
    }
}

#[test]
fn pump_and_dump_runs_its_phases_in_order_the_whale_gains_and_retail_loses() {
    for (seed, out) in SEEDS.iter().zip(per_seed(|seed| {
        run_quiet(&scenario("pump_and_dump.toml", seed, &["agents.retail.count=500", "agents.whale.cash=75000"]))
    })) {
        let sim = &out.built.sim;
        let whale = sim.slots().iter().find(|s| s.name == "whale").unwrap();
        let a = whale.agent.get::<mmsim::agents::pump_dump::PumpDump>().expect("a PumpDump agent");
        let phases: Vec<PdPhase> = a.transitions().iter().map(|t| t.1).collect();
        assert_eq!(phases, [PdPhase::Accumulate, PdPhase::Consensus, PdPhase::RugPull, PdPhase::Withdrawn], "{seed}");
        // The price rises through consensus and rug pull, then falls.
        let open = 10_000.0;
        let peak = sim
            .recorder()
            .samples()
            .iter()
            .filter(|s| matches!(s.phase, Some(Phase::Consensus | Phase::RugPull)))
            .filter_map(|s| s.last)
            .map(|p| p.0)
            .max()
            .unwrap() as f64;
        let close = sim.recorder().totals().close.unwrap().0 as f64;
        let (w, r) = (pnl(&out, "whale"), pnl(&out, "retail"));
        println!("seed {seed}: peak {:.4}, close {:.4}, whale {w:.0}, retail {r:.0}", peak / 1e4, close / 1e4);
        assert!(peak >= 1.06 * open, "seed {seed}: peak {peak}");
        assert!(close <= 0.96 * peak, "seed {seed}: close {close} vs peak {peak}");
        assert!(w > 0.0, "seed {seed}: the whale lost {w}");
        assert!(r < 0.0, "seed {seed}: retail gained {r}");
        assert_eq!(a.stats().insufficient_funds, 0);
    }
}

#[test]
fn three_monks_the_per_mm_kpis_show_which_two_shirk() {
    for (seed, out) in SEEDS.iter().zip(per_seed(|seed| {
        run_quiet(&scenario("three_monks.toml", seed, &["market.duration=1d", "agents.retail.count=60"]))
    })) {
        let period = |mm: &str| contract(&out, &format!("retainer_{mm}"))["kpis"][0].clone();
        for mm in ["a", "b"] {
            let k = period(mm);
            assert_eq!(k["met"].as_bool(), Some(true), "seed {seed}: mm_{mm} works: {k}");
            assert_eq!(num(&k["fee_paid"]), 5000.0);
        }
        let c = period("c");
        assert_eq!((c["met"].as_bool(), c["uptime_met"].as_bool()), (Some(false), Some(false)), "seed {seed}: {c}");
        assert!(num(&c["uptime"]) < 0.6, "seed {seed}: mm_c away 60% of the time: {c}");
        let d = period("d");
        assert_eq!((d["spread_met"].as_bool(), d["depth_met"].as_bool()), (Some(false), Some(false)), "{d}");
        for k in [&c, &d] {
            assert_eq!((num(&k["fee_paid"]), num(&k["fee_withheld"])), (0.0, 5000.0), "seed {seed}: {k}");
        }
        // The book as a whole looks fine: the honest two keep it within the KPI spread.
        let samples = out.built.sim.recorder().samples();
        let tight = samples
            .iter()
            .filter(
                |s| matches!((s.best_bid, s.best_ask), (Some(b), Some(a)) if (a.0 - b.0) as f64 / b.0 as f64 <= 0.015),
            )
            .count();
        println!("seed {seed}: book within 150 bps in {tight} of {} samples; c {c}; d {d}", samples.len());
        assert!(tight as f64 >= 0.9 * samples.len() as f64, "seed {seed}");
    }
}

/// The lowest last price after 14h (the seller's dump), in ticks.
fn low_after_dump(out: &RunOutcome) -> f64 {
    let samples = out.built.sim.recorder().samples();
    samples.iter().filter(|s| s.t.nanos() >= 14 * HOUR).filter_map(|s| s.last).map(|p| p.0).min().unwrap() as f64
}

#[test]
fn collateral_loop_leverage_rises_then_a_drop_unwinds_it_into_a_deeper_crash() {
    // Full scale (1,000 traders, a day): with half the crowd the borrower's own buying can get it
    // liquidated before the dump.
    let seeds = [1, 2, 3, 4];
    let runs: Vec<(RunOutcome, RunOutcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .iter()
            .map(|&seed| {
                s.spawn(move || {
                    let actual = scenario("collateral_loop.toml", seed, &[]);
                    // The same market with the borrower's wallet idle.
                    let r = "borrower=idle".parse().unwrap();
                    (run_quiet(&actual), run_quiet(&apply(&actual, &r).unwrap()))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("the runs finish")).collect()
    });
    let mut deeper = Vec::new();
    for (seed, (out, without)) in seeds.iter().zip(&runs) {
        let sim = &out.built.sim;
        let slot = sim.slots().iter().find(|s| s.name == "borrower").unwrap();
        let a = slot.agent.get::<mmsim::agents::collateral_loop::CollateralLoop>().expect("a CollateralLoop agent");
        let h = a.history();
        let at = |hours: u64| h.iter().rev().find(|s| s.t.nanos() <= hours * HOUR).unwrap();
        let early = at(1).leverage.unwrap();
        let levered = at(13);
        let first_liquidation = a.transitions().iter().find(|t| t.1 == LoopPhase::Liquidating).map(|t| t.0);
        let (low, low_without) = (low_after_dump(out) / 1e4, low_after_dump(without) / 1e4);
        println!(
            "seed {seed}: leverage {early:.2} at 1h, {:.2} at 13h (LTV {:.3}); first liquidation {:?}; \
             low {low:.4} with the loop, {low_without:.4} without; {:?}",
            levered.leverage.unwrap_or(f64::NAN),
            levered.ltv,
            first_liquidation,
            a.loop_stats()
        );
        // Leverage spirals up to the lender's limit (65% LTV: up to 2.86×) ...
        assert!(early < levered.leverage.unwrap(), "seed {seed}");
        assert!(levered.leverage.unwrap() >= 2.3, "seed {seed}: {levered:?}");
        assert!((0.58..0.75).contains(&levered.ltv), "seed {seed}: {levered:?}");
        // ... and unwinds on the drop: liquidation only after the seller's dump at 14h ...
        let t = first_liquidation.unwrap_or_else(|| panic!("seed {seed}: never liquidated"));
        assert!(t.nanos() >= 14 * HOUR, "seed {seed}: liquidated at {t:?}, before the drop");
        assert!(a.loop_stats().liquidated_lots > 0);
        assert!(matches!(a.current_phase(), LoopPhase::Deleveraged | LoopPhase::WipedOut | LoopPhase::Liquidating));
        assert_eq!(a.stats().insufficient_funds, 0);
        // ... and when the spiral runs to the end (the collateral all sold), the crash is deeper
        // than the dump's alone (the counterfactual: the borrower's wallet idle).
        if a.current_phase() == LoopPhase::WipedOut {
            assert!(low <= low_without - 0.15, "seed {seed}: wiped out, low {low} vs {low_without} without");
        }
        deeper.push(low_without - low);
    }
    let mean = deeper.iter().sum::<f64>() / deeper.len() as f64;
    assert!(mean >= 0.15, "the loop deepens the crash by {deeper:?} (mean {mean:.3})");
    assert!(deeper.iter().filter(|d| **d >= 0.2).count() >= 2, "deeper by ≥ $0.20 on most seeds: {deeper:?}");
}

#[test]
fn the_collateral_loop_kind_is_a_scenario_kind() {
    let s = scenario("collateral_loop.toml", 1, &["agents.borrower.collateral_loop.max_ltv=0.5"]);
    let g = s.groups.iter().find(|g| g.name == "borrower").unwrap();
    assert!(matches!(&g.behaviour, Behaviour::CollateralLoop(c) if c.max_ltv == 0.5));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/collateral_loop.toml");
    let bad = load(&path, &["agents.borrower.collateral_loop.liquidation_ltv=0.5".parse().unwrap()]).unwrap_err();
    assert!(bad.to_string().contains("agents.borrower.collateral_loop.liquidation_ltv"), "{bad}");
}
