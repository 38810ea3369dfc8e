//! The liquidity chart's KPI lines are drawn against what the contract judges: the MM's own quotes
//! as its KPI monitor measured them, never the whole book.

use std::path::Path;

use super::liquidity::LiquidityChart;
use super::*;
use crate::contracts::{AnyContract, Subscription};
use crate::report::kpi_series;
use crate::run::{run, RunOptions};

/// `subscription_kpis`: `mm_wide` quotes thin and fails its depth KPI while `mm_good` keeps the
/// whole book deep. The chart must show the failure: the own-depth line plotted for `mm_wide` is
/// the monitor's measurement (its per-period means are the contract's figures) and sits below the
/// threshold, while the whole book's depth sits above it.
#[test]
fn a_failed_depth_kpi_is_drawn_below_its_threshold_from_the_monitors_own_figures() {
    let s = crate::scenario::load(Path::new("scenarios/subscription_kpis.toml"), &[]).expect("shipped scenario");
    let outcome = run(&s, &RunOptions::default()).expect("run");
    let units = crate::run::units(&s);
    let contracts = outcome.built.sim.contracts();
    let series = kpi_series(&s.contracts, contracts, units);
    let wide = series.iter().find(|k| k.contract == "retainer_wide").expect("retainer_wide series");
    let sub: &Subscription = contracts
        .iter()
        .find_map(|c| match c {
            AnyContract::Subscription(x) if x.name() == "retainer_wide" => Some(x),
            _ => None,
        })
        .expect("retainer_wide contract");
    let min = wide.min_depth_quote.expect("a depth KPI");

    // The series is the monitor's: per period, the mean of the plotted points is the contract's figure.
    let period = &sub.periods()[0].kpi;
    assert_eq!(period.depth_met, Some(false), "the case's wide MM fails its depth KPI");
    let (a, b) = (period.start.as_secs_f64(), period.end.as_secs_f64());
    let inside: Vec<&KpiMark> = wide.points.iter().filter(|p| p.t >= a && p.t < b).collect();
    assert_eq!(inside.len() as u64, period.snapshots, "one point per snapshot of the period");
    let mean_bid = inside.iter().map(|p| p.depth_bid).sum::<f64>() / inside.len() as f64;
    let mean_ask = inside.iter().map(|p| p.depth_ask).sum::<f64>() / inside.len() as f64;
    assert!((mean_bid - units.cash_f64(crate::types::Cash(period.depth_bid.round() as i128))).abs() < 1e-6 * min);
    assert!((mean_ask - units.cash_f64(crate::types::Cash(period.depth_ask.round() as i128))).abs() < 1e-6 * min);
    assert!(mean_bid < min && mean_ask < min, "the measured own depth is below {min}: {mean_bid} / {mean_ask}");

    // The chart plots that series (downsampling keeps each bucket's extremes) against the threshold…
    let input = ChartInput::new(&s.name, outcome.built.sim.recorder(), units, s.market.open_price).with_kpis(&series);
    let chart = LiquidityChart::new(&input);
    let own = chart.own(wide);
    assert_eq!(own.min_depth.as_ref().map(|m| m.1), Some(min));
    let plotted: Vec<f64> = own.bid.iter().flatten().map(|p| p.1).collect();
    let measured_max = wide.points.iter().map(|p| p.depth_bid).fold(0.0, f64::max);
    assert_eq!(plotted.iter().copied().fold(0.0, f64::max), measured_max, "the plotted line is the measured one");
    assert!(plotted.iter().all(|v| wide.points.iter().any(|p| p.depth_bid == *v)));
    // … while the whole book, which the good MM fills, was above it most of the time: the lines the
    // chart used to draw the threshold against.
    let book_above = input.samples.iter().filter(|x| units.cash_f64(x.depth_bid_2pct) >= min).count();
    assert!(book_above * 2 > input.samples.len(), "the whole book looks like a pass: {book_above}");

    let svg = render_charts(&input).expect("charts").get(ChartKind::Liquidity).expect("liquidity").svg.clone();
    assert!(svg.contains("mm_wide (retainer_wide): own quotes, as the KPI measures (bids below zero)"));
    assert!(svg.contains("retainer_wide: min depth"));
}
