//! Tests of the stress test: `[stress]` and `--mm` errors located in the file, the shared payoff
//! accounting against the ledger, playbooks building valid behaviours from their boxes, and a small
//! stress test end to end.

use super::*;

/// A small loan scenario: an MM borrowing 1,000,000 tokens with calls at +50% and +100%, a crowd.
const SRC: &str = r#"[market]
name = "tiny_loan"
seed = 1
tick = "0.0001"
lot = "1"
open_price = 0.05
taker_fee_bps = 10
duration = "2h"
sample_every = "5m"

[project]
cash = 0
tokens = 1000000

[[agents]]
name = "mm"
kind = "passive_mm"
cash = 100000
[agents.passive_mm]
level_size = 2000
max_inventory = 1000000

[[agents]]
name = "crowd"
kind = "retail"
count = 50
cash = 2000
tokens = 20000

[[contracts]]
name = "loan"
kind = "token_loan"
mm = "mm"
lender = "project"
tokens = 1000000
start = "0s"
tenor = "365d"
volatility = "100%"
strike_reference = "open"
[[contracts.options]]
strike = "+50%"
qty = 500000
[[contracts.options]]
strike = "+100%"
qty = 500000
"#;

fn load(extra: &str, mm: &str) -> Result<StressPlan, ScenarioError> {
    StressPlan::load_str(&format!("{SRC}{extra}"), "tiny.toml", &[], mm, None, None)
}

fn message(e: ScenarioError) -> String {
    e.to_string()
}

#[test]
fn an_unknown_playbook_is_located_and_lists_the_playbooks() {
    let err = message(load("\n[stress]\nplaybooks = [\"passive\", \"pump_it\"]\n", "mm").unwrap_err());
    let line = SRC.lines().count() + 3;
    assert!(err.contains(&format!("tiny.toml:{line}:")), "{err}");
    assert!(
        err.contains("stress.playbooks: unknown playbook \"pump_it\"; the playbooks are: passive, delta_hedge"),
        "{err}"
    );
}

#[test]
fn a_bad_stress_table_is_a_located_error() {
    let err = message(load("\n[stress]\nseedz = 3\n", "mm").unwrap_err());
    assert!(err.contains("unknown field `seedz`"), "{err}");
    assert!(err.contains(&format!("tiny.toml:{}:", SRC.lines().count() + 3)), "{err}");
    let err = message(load("\n[stress]\nhorizon = \"3h\"\n", "mm").unwrap_err());
    assert!(err.contains("stress.horizon: must be > 0 and at most the scenario's duration"), "{err}");
    let err = message(load("\n[stress.box.passive]\nspread_bps = [50, 10]\ndepth = [1, 2]\n", "mm").unwrap_err());
    assert!(err.contains("stress.box.passive.spread_bps: [50, 10] is not a box"), "{err}");
    assert!(err.contains("stress.box.passive.depth: passive has no free parameter \"depth\"; its parameters are: spread_bps, level_share"), "{err}");
}

#[test]
fn a_group_that_is_not_a_market_maker_is_refused() {
    let err = message(load("", "crowd").unwrap_err());
    assert!(err.contains("agents.crowd: --mm crowd: the group is kind retail, not a market maker"), "{err}");
    assert!(err.contains("the market-maker groups are: mm"), "{err}");
    let line = SRC.lines().position(|l| l.contains("\"crowd\"")).unwrap() + 1;
    assert!(err.starts_with(&format!("tiny.toml:{line}:")), "{err}");
    let err = message(load("", "nobody").unwrap_err());
    assert!(err.contains("--mm nobody: no group of that name"), "{err}");
}

#[test]
fn the_table_chooses_playbooks_seeds_budget_horizon_and_boxes() {
    let extra = "\n[stress]\nplaybooks = [\"sell_only\", \"passive\"]\nseeds = 3\nfirst_seed = 5\nbudget = 4\nhorizon = \"1h\"\n\
                 [stress.box.passive]\nspread_bps = [30, 60]\n";
    let plan = load(extra, "mm").unwrap();
    let names: Vec<&str> = plan.spec.playbooks.iter().map(|(p, _)| p.name).collect();
    assert_eq!(names, ["passive", "sell_only"], "in the registry's order");
    assert_eq!(plan.spec.seeds, [5, 6, 7]);
    assert_eq!((plan.spec.budget, plan.spec.horizon_ns), (4, 3_600_000_000_000));
    assert_eq!((plan.spec.playbooks[0].1[0].lo, plan.spec.playbooks[0].1[0].hi), (30.0, 60.0));
    // The command line wins over the table.
    let plan = StressPlan::load_str(&format!("{SRC}{extra}"), "t", &[], "mm", Some(2), Some(9)).unwrap();
    assert_eq!((plan.spec.seeds.len(), plan.spec.budget), (2, 9));
}

#[test]
fn every_playbook_builds_a_valid_behaviour_at_the_corners_of_its_box() {
    let plan = load("", "mm").unwrap();
    let seat = Seat::of(&plan.scenario, "mm", plan.spec.horizon_ns);
    assert_eq!(seat.loan_tokens, 1_000_000.0);
    assert_eq!(seat.calls.len(), 2);
    assert!((seat.calls[1].strike_multiple - 2.0).abs() < 1e-12 && (seat.calls[0].share - 0.5).abs() < 1e-12);
    for p in &PLAYBOOKS {
        for corner in [0.0, 1.0] {
            let x: Vec<f64> = p.dims.iter().map(|d| playbook::value(d, corner)).collect();
            match playbook::behaviour(p, &x, &seat) {
                Ok(b) => assert!(
                    b.check(&plan.scenario.market).is_empty(),
                    "{} at {corner}: {:?}",
                    p.name,
                    b.check(&plan.scenario.market)
                ),
                Err(why) => assert_eq!(
                    (p.name, why.as_str()),
                    ("kpi_minimal", "the group holds no retainer (subscription) with KPIs")
                ),
            }
        }
    }
}

#[test]
fn run_figures_are_the_shared_accounting_and_match_the_ledger() {
    let plan = load("", "mm").unwrap();
    let scenario = eval::seat_scenario(&plan.scenario, "mm", &plan.scenario.groups[0].behaviour, 3, 3_600_000_000_000);
    let figures = eval::run_figures(&scenario, "mm", false).unwrap();
    let outcome = crate::run::run(&scenario, &crate::run::RunOptions::default()).unwrap();
    // One truth: the stress test's figures are the accounting module's.
    let f = |d: rust_decimal::Decimal| d.to_string().parse::<f64>().unwrap();
    let acc = crate::accounting::mm_payoff(&outcome.summary, "mm").unwrap();
    let proj = crate::accounting::project_outcome(&outcome.summary).unwrap();
    assert_eq!(figures.payoff.mm, f(acc.payoff_at_exit.unwrap()));
    assert_eq!(figures.payoff.project, f(proj.outcome));
    assert_eq!((figures.penalties, figures.forfeited), (f(acc.penalties_paid), f(acc.collateral_forfeited)));
    // Recomputed here from the ledger: the loan settled at the run's end (the MM returned the
    // 1,000,000 tokens or bought them in), so its payoff is cash + tokens × close − its start.
    let sim = &outcome.built.sim;
    let ledger = sim.exchange().ledger();
    let acct = outcome.built.agents.iter().find(|a| a.name == "mm").unwrap().accounts[0];
    let a = ledger.account(acct);
    let close = sim.recorder().totals().close.unwrap();
    let units = crate::run::units(&scenario);
    let end = units.cash_f64(a.cash()) + a.tokens().0 as f64 * units.price_f64(close.0 as f64);
    assert!((f(acc.payoff) - (end - 100_000.0)).abs() < 1e-6, "{} vs {}", acc.payoff, end - 100_000.0);
    // At exit its tokens fetch what the other owners' bids in the closing book pay, best first.
    let book = sim.exchange().book();
    let (mut left, mut exit) = (a.tokens().0, 0.0);
    for o in book.orders(crate::types::Side::Buy).filter(|o| o.trader.0 != acct.0) {
        let take = left.min(o.qty.0);
        exit += take as f64 * units.price_f64(o.price.0 as f64);
        left -= take;
    }
    let at_exit = units.cash_f64(a.cash()) + exit - 100_000.0;
    assert!((figures.payoff.mm - at_exit).abs() < 1e-6, "{} vs {}", figures.payoff.mm, at_exit);
    // The project lent its tokens and got them (or their cash) back: its outcome against the
    // listing price is its final cash + tokens at the close − 1,000,000 × 0.05.
    let p = ledger.accounts().iter().find(|a| a.name == "project").unwrap();
    assert_eq!(p.claim.0, 0, "the loan settled at the run's end");
    let proj_end = units.cash_f64(p.cash()) + p.tokens().0 as f64 * units.price_f64(close.0 as f64);
    assert!(
        (figures.payoff.project - (proj_end - 50_000.0)).abs() < 1e-6,
        "{} vs {}",
        figures.payoff.project,
        proj_end - 50_000.0
    );
}

#[test]
fn a_small_stress_test_writes_the_stable_files() {
    let extra = "\n[stress]\nplaybooks = [\"passive\", \"sell_only\"]\nseeds = 2\nbudget = 3\nhorizon = \"1h\"\n";
    let plan = load(extra, "mm").unwrap();
    let result = run_stress(&plan, &StressOptions { jobs: Some(1), progress: None }).unwrap();
    assert_eq!(result.candidates.len(), 6);
    assert_eq!(result.runs, 12);
    assert_eq!(result.candidates.iter().filter(|c| c.best).count(), 2);
    let v = &result.verdict;
    assert_eq!((v.best_honest.playbook.as_str(), v.best_manipulative.playbook.as_str()), ("passive", "sell_only"));
    let diffs: Vec<f64> =
        v.best_manipulative.per_seed.iter().zip(&v.best_honest.per_seed).map(|(m, h)| m - h).collect();
    assert!((v.dump_premium - crate::metrics::stats::mean(&diffs)).abs() < 1e-6);
    assert_eq!(v.incentive_compatible, v.dump_premium_ci95[1] <= 0.0);
    let dir = tempfile::tempdir().unwrap();
    write(&result, dir.path()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("stress.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), output::COLUMNS.join(","));
    assert_eq!(csv.lines().count(), 7);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("verdict.json")).unwrap()).unwrap();
    for key in [
        "best_honest",
        "best_manipulative",
        "dump_premium",
        "dump_premium_ci95",
        "incentive_compatible",
        "horizon_s",
        "seeds",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["horizon_s"], 3600.0);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"verdict\"") && html.contains("<svg"), "verdict and charts");
    // Deterministic: the same plan gives the same candidates.
    let again = run_stress(&plan, &StressOptions { jobs: Some(2), progress: None }).unwrap();
    let key = |r: &StressResult| r.candidates.iter().map(|c| (c.params.clone(), c.mean_payoff())).collect::<Vec<_>>();
    assert_eq!(key(&result), key(&again), "1 and 2 threads agree");
}

const GRID: &str = "\n[stress]\nplaybooks = [\"passive\", \"sell_only\"]\nseeds = 2\nbudget = 2\nhorizon = \"1h\"\n\
                    [stress.grid]\n\"contracts.loan.sell_cap_total\" = [\"10%\", \"50%\"]\n\
                    \"contracts.loan.penalty_per_breach\" = [0, 100000]\n";

#[test]
fn a_grid_runs_the_stress_test_at_every_point_and_maps_the_premium() {
    let plan = load(GRID, "mm").unwrap();
    let g = plan.spec.grid.as_ref().unwrap();
    assert_eq!(g.keys, ["contracts.loan.sell_cap_total", "contracts.loan.penalty_per_breach"], "file order");
    assert_eq!(g.points.len(), 4);
    let result = run_stress(&plan, &StressOptions { jobs: Some(2), progress: None }).unwrap();
    assert_eq!(result.grid.len(), 4);
    assert_eq!(result.runs, 5 * 2 * (2 + 2), "the base and four points, two seeds, 2 + 2 candidates");
    // One truth: a point's verdict is the stress test of the scenario with the point's values set.
    let set: Vec<Override> = ["contracts.loan.sell_cap_total=\"50%\"", "contracts.loan.penalty_per_breach=100000"]
        .map(|s| s.parse().unwrap())
        .into();
    let alone = StressPlan::load_str(
        &format!(
            "{SRC}\n[stress]\nplaybooks = [\"passive\", \"sell_only\"]\nseeds = 2\nbudget = 2\nhorizon = \"1h\"\n"
        ),
        "tiny.toml",
        &set,
        "mm",
        None,
        None,
    )
    .unwrap();
    let alone = run_stress(&alone, &StressOptions { jobs: Some(1), progress: None }).unwrap();
    assert_eq!(result.grid[3].verdict, alone.verdict);
    assert_eq!(result.grid[3].values[0].as_str(), Some("50%"));
    let dir = tempfile::tempdir().unwrap();
    let files = write(&result, dir.path()).unwrap();
    assert!(files.contains(&"frontier.png".to_string()));
    let csv = std::fs::read_to_string(dir.path().join("grid.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "contracts.loan.sell_cap_total,contracts.loan.penalty_per_breach,dump_premium,dump_premium_ci95_lo,\
         dump_premium_ci95_hi,incentive_compatible"
    );
    assert_eq!(lines.len(), 5);
    assert!(lines[4].starts_with("50%,100000,"), "{}", lines[4]);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Incentive-compatibility frontier"));
    assert!(std::fs::metadata(dir.path().join("frontier.png")).unwrap().len() > 1000);
}

#[test]
fn a_bad_grid_key_or_value_is_located_at_the_value() {
    let line = SRC.lines().count() + 8;
    let bad = GRID.replace("[\"10%\", \"50%\"]", "[\"10%\", \"lots\"]");
    let err = message(load(&bad, "mm").unwrap_err());
    assert!(err.contains(&format!("tiny.toml:{line}:")), "{err}");
    assert!(err.contains("stress.grid.contracts.loan.sell_cap_total: lots is refused:"), "{err}");
    let bad = GRID.replace("penalty_per_breach\"", "penalty_per_brech\"");
    let err = message(load(&bad, "mm").unwrap_err());
    assert!(err.contains(&format!("tiny.toml:{}:", line + 1)), "{err}");
    assert!(err.contains("stress.grid.contracts.loan.penalty_per_brech: 0 is refused:"), "{err}");
    let bad = GRID.replace("[0, 100000]", "[]");
    let err = message(load(&bad, "mm").unwrap_err());
    assert!(err.contains("stress.grid.contracts.loan.penalty_per_breach: 0 values: allowed 1 to 12"), "{err}");
    let err = message(load("\n[stress.grid]\na = [1]\nb = [2]\nc = [3]\n", "mm").unwrap_err());
    assert!(err.contains("stress.grid: has 3 keys: give one or two"), "{err}");
}
