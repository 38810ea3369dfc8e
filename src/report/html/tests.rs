//! The report page: figures, inline charts, no external resources, side-by-side comparison.

use rust_decimal::{dec, Decimal};

use super::*;
use crate::agents::passive_mm::PassiveMmConfig;
use crate::agents::retail::RetailConfig;
use crate::agents::Behaviour;
use crate::contracts::spec::{KpiRule, OnMiss};
use crate::contracts::{ContractKind, ContractSummary, PeriodSummary, SubscriptionSummary};
use crate::report::charts::{render_charts, ChartInput};
use crate::run::{run, RunOptions, RunOutcome};
use crate::scenario::Scenario;
use crate::units::Dur;

fn small_run(retail: bool) -> (Scenario, RunOutcome) {
    let mut s = Scenario::new("report_test", 5, dec!(0.0001), dec!(1), dec!(0.05), Dur(3_600_000_000_000))
        .with_project(dec!(100000), dec!(2000000))
        .with_group("mm", 1, dec!(50000), dec!(1000000), Behaviour::PassiveMm(PassiveMmConfig::default()));
    if retail {
        s = s.with_group("retail", 100, dec!(2000), dec!(20000), Behaviour::Retail(RetailConfig::default()));
    }
    s.description = "A market maker & a <retail> crowd".into();
    let outcome = run(&s, &RunOptions::default()).expect("run");
    (s, outcome)
}

fn charts_of(s: &Scenario, o: &RunOutcome) -> Charts {
    let input = ChartInput::new(&s.name, o.built.sim.recorder(), crate::run::units(s), s.market.open_price);
    render_charts(&input).expect("charts")
}

#[test]
fn one_run_reads_as_a_self_contained_page() {
    let (s, o) = small_run(true);
    let charts = charts_of(&s, &o);
    let html = render_report(&ReportInput::new(&o.summary, &s.description).with_charts(&charts), None);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>report_test</h1>"));
    assert!(html.contains("A market maker &amp; a &lt;retail&gt; crowd"), "description escaped");
    assert_eq!(html.matches("<svg ").count(), ChartKind::ALL.len(), "every chart inline");
    assert!(!html.contains("<svg width="), "inline SVGs scale with the page");
    assert!(html.contains("<svg viewBox=\"0 0 1200 700\""), "inline SVGs keep their aspect");
    assert!(!html.to_ascii_lowercase().contains("<script"), "no scripts");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count() == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(!html.contains("https://") && !html.contains("<link"), "nothing fetched");
    let p = &o.summary.price;
    assert!(html.contains(&group_digits(&p.close.expect("traded").normalize().to_string())), "close price shown");
    for section in ["What happened", "Key figures", "Contracts", "Charts", "Checks", "How to read this report"] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("The project&#39;s outcome") || html.contains("The project's outcome"));
    assert!(html.contains("No contracts in this scenario."));
    assert!(html.contains("Conservation check <b class=\"pos\">passed</b>"));
    assert!(!html.contains(&o.summary.wall_seconds.to_string()), "no wall-clock time: reports are reproducible");
}

/// A subscription's period with `uptime`, met or not.
fn period(n: usize, uptime: f64, met: bool) -> PeriodSummary {
    PeriodSummary {
        daily_volume_quote: 0.0,
        days: 1,
        days_qualified: 0,
        depth_ask_quote: 0.0,
        depth_bid_quote: 0.0,
        depth_met: None,
        end_s: 86_400.0 * n as f64,
        fee_paid: Decimal::ZERO,
        fee_unpaid: Decimal::ZERO,
        fee_withheld: Decimal::ZERO,
        met,
        period: n,
        settled: true,
        snapshots: 100,
        spread_bps: None,
        spread_met: None,
        start_s: 86_400.0 * (n - 1) as f64,
        uptime,
        uptime_met: Some(met),
        volume_met: None,
        volume_quote: Decimal::ZERO,
        volume_share: 0.0,
    }
}

#[test]
fn contracts_render_as_tables_with_misses_highlighted() {
    let (_, mut o) = small_run(false);
    o.summary.contracts.push(ContractSummary::Subscription(SubscriptionSummary {
        account: "project".into(),
        depth_band: 0.02,
        fee_account: "firm".into(),
        penalties_paid: dec!(0),
        fee_per_period: dec!(25000),
        fees_paid: dec!(25000),
        fees_unpaid: Decimal::ZERO,
        fees_withheld: dec!(25000),
        kind: ContractKind::Subscription,
        kpis: vec![period(1, 0.99, true), period(2, 0.42, false)],
        max_spread_bps: None,
        min_daily_volume_quote: None,
        min_depth_quote: None,
        min_uptime: Some(0.9),
        mm: "mm".into(),
        name: "retainer".into(),
        on_miss: OnMiss::Withhold,
        period_days: 1.0,
        periods: 2,
        periods_failed: 1,
        project_trading_pnl: None,
        revoked_orders: 0,
        rule: KpiRule::Uptime,
        snapshot_every_s: 10.0,
        terminate_after_misses: 0,
        terminated: false,
        terminated_at_s: None,
        uptime: 0.705,
        volume_quote: Decimal::ZERO,
        volume_share: 0.0,
    }));
    let html = render_report(&ReportInput::new(&o.summary, ""), None);
    assert!(html.contains("retainer") && html.contains("25,000"));
    assert!(html.contains("<tr class=\"miss\">"));
    assert!(html.contains("Charts were not rendered"));
}

#[test]
fn a_counterfactual_shows_both_runs_side_by_side() {
    let (s, a) = small_run(true);
    let (_, b) = small_run(false);
    let (ca, cb) = (charts_of(&s, &a), charts_of(&s, &b));
    let ra = ReportInput::new(&a.summary, &s.description).with_charts(&ca).with_label("with retail");
    let rb = ReportInput::new(&b.summary, "Same market, no retail crowd").with_charts(&cb).with_label("without retail");
    let html = render_report(&ra, Some(&rb));
    assert_eq!(html.matches("<svg ").count(), 2 * ChartKind::ALL.len(), "both runs' charts");
    assert!(!html.contains("chart-price_comparison"), "no comparison chart unless given");
    // With both runs' prices on one chart, it comes first.
    let runs =
        [("with retail", a.built.sim.recorder().samples()), ("without retail", b.built.sim.recorder().samples())];
    let both = crate::report::render_price_comparison(&s.name, runs, crate::run::units(&s)).unwrap();
    assert!(both.png.starts_with(b"\x89PNG") && both.svg.contains("without retail"));
    let html = render_report(&ra.with_comparison(&both), Some(&rb));
    assert_eq!(html.matches("<svg ").count(), 2 * ChartKind::ALL.len() + 1);
    assert!(html.find("chart-price_comparison").unwrap() < html.find("chart-price\"").unwrap());
    assert!(html.contains(
        "<th class=\"num\">with retail</th><th class=\"num\">without retail</th><th class=\"num\">difference (with retail − without retail)</th>"
    ));
    // One sign everywhere: first run minus second, as comparison.csv and the terminal write it.
    assert!(html.contains("Differences are with retail minus without retail"));
    let trades_row = &html[html.find("<tr><th>number of trades</th>").unwrap()..];
    let trades_row = &trades_row[..trades_row.find("</tr>").unwrap()];
    let diff = a.summary.volume.trades as i64 - b.summary.volume.trades as i64;
    assert!(diff != 0, "the two runs differ");
    let cells: Vec<&str> = trades_row.split("<td").skip(1).collect();
    let text = cells[2].split('>').nth(1).unwrap().split('<').next().unwrap().replace(['+', ','], "").replace('−', "-");
    assert_eq!(text.parse::<i64>().unwrap(), diff, "difference = actual − counterfactual: {trades_row}");
    assert!(html.contains("class=\"cols\""));
    assert!(html.contains("Same market, no retail crowd"));
}

#[test]
fn digits_group_in_threes() {
    assert_eq!(group_digits("-1234567.891"), "−1,234,567.891");
    assert_eq!(group_digits("999"), "999");
    assert_eq!(group_digits("1e-7"), "1e-7");
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}
