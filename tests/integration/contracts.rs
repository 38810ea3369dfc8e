//! Contracts end to end: the shipped scenarios (the 2021 strike ladder, three MMs under
//! subscription with one shirking), `[[contracts]]` loading errors and `--set contracts.…`
//! overrides, a loan and a guarantee settled inside a run, and the output files.

use std::fs;
use std::path::Path;

use mmsim::contracts::options::bs_call;
use mmsim::contracts::{ContractSummary, SubscriptionSummary};
use mmsim::metrics::summary::Summary;
use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load, load_str, Override, Scenario};
use serde_json::Value;

fn sets(args: &[&str]) -> Vec<Override> {
    args.iter().map(|a| a.parse().unwrap()).collect()
}

fn scenario(path: &str, overrides: &[&str]) -> Scenario {
    load(Path::new(path), &sets(overrides)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs `s` into a temporary directory; returns the summary JSON and `contracts.csv`.
fn run_files(s: &Scenario) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = run(s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), progress: None, charts: false }).unwrap();
    assert!(out.summary.conservation.ok);
    let json: Value = serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    (json, fs::read_to_string(dir.path().join("contracts.csv")).unwrap())
}

fn contract<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["contracts"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

#[test]
fn the_2021_strike_ladder_is_worth_a_third_of_the_loan_to_the_mm() {
    let s = scenario("scenarios/strike_ladder_2021.toml", &[]);
    let (json, csv) = run_files(&s);
    let c = contract(&json, "ladder");
    assert_eq!((c["kind"].as_str(), c["mm"].as_str()), (Some("token_loan"), Some("mm")));
    // Black–Scholes at signing: S = 0.10, K = 0.15 / 0.20 / 0.25, two years, σ = 100%, r = 0.
    let t = 730.0 / 365.0;
    let want = [(0.15, 333_333.0), (0.20, 333_333.0), (0.25, 333_334.0)]
        .iter()
        .map(|&(k, q)| bs_call(0.10, k, t, 0.0, 1.0) * q)
        .sum::<f64>();
    assert!((f(&c["option_value"]) - want).abs() < 1e-3, "{} vs {want}", c["option_value"]);
    assert!((f(&c["option_value"]) - 36_055.92).abs() < 0.01);
    assert!((f(&c["option_value_pct"]) - 36.056).abs() < 0.001);
    assert_eq!(f(&c["loan_value_start"]), 100_000.0);
    assert_eq!(f(&c["tokens_lent"]), 1_000_000.0);
    // The 7-day average is known within the 8-day run, so the strikes are fixed at its premiums.
    let index = f(&c["reference_price"]);
    for (o, premium) in c["options"].as_array().unwrap().iter().zip([1.5, 2.0, 2.5]) {
        assert!((f(&o["strike"]) - index * premium).abs() <= 0.0001 / 2.0 + 1e-12, "{o}");
    }
    // The 24-month tenor runs past the end: it settles then, as if it expired.
    assert_eq!(c["status"], "settled");
    assert_eq!(c["settled_at_run_end"], true);
    for key in [
        "exercised_qty",
        "cash_paid",
        "tokens_returned",
        "default_shortfall_tokens",
        "project_outcome_quote",
        "mm_pnl_quote",
    ] {
        assert!(c[key].is_number(), "{key}: {}", c[key]);
    }
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.lines().nth(1).unwrap().starts_with("ladder,token_loan,mm,1,0,63072000,true,"));
}

#[test]
fn a_shirking_mm_fails_uptime_while_the_others_pass() {
    let s = scenario("scenarios/three_mms_subscription.toml", &[]);
    let (json, csv) = run_files(&s);
    for name in ["retainer_a", "retainer_b", "retainer_c"] {
        let c = contract(&json, name);
        let shirker = name == "retainer_c";
        let kpis = c["kpis"].as_array().unwrap();
        assert_eq!(kpis.len(), 2, "two one-day periods");
        for k in kpis {
            assert_eq!(k["uptime_met"], !shirker, "{name}: {k}");
            assert_eq!(k["spread_met"], true, "{name}: {k}");
            let uptime = f(&k["uptime"]);
            assert!(if shirker { uptime < 0.65 } else { uptime > 0.9 }, "{name}: uptime {uptime}");
        }
        assert_eq!(f(&c["fees_paid"]), if shirker { 0.0 } else { 10_000.0 }, "{name}");
        assert_eq!(f(&c["fees_withheld"]), if shirker { 10_000.0 } else { 0.0 }, "{name}");
        assert_eq!(c["periods_failed"], if shirker { 2 } else { 0 });
        assert_eq!(c["terminated"], shirker, "two misses in a row end the shirker's contract");
        for key in ["fees_paid", "fees_withheld", "periods", "periods_failed", "terminated", "project_trading_pnl"] {
            assert!(!c[key].is_null(), "{name}.{key}");
        }
    }
    // The MMs' shares of volume: the shirker trades less than either of the others.
    let share = |n: &str| f(&contract(&json, n)["volume_share"]);
    assert!(share("retainer_c") < share("retainer_a").min(share("retainer_b")));
    let firm =
        |n: &str| json["groups"].as_array().unwrap().iter().find(|g| g["name"] == n).unwrap()["cash_end"].clone();
    assert_eq!((f(&firm("firm_a")), f(&firm("firm_c"))), (10_000.0, 0.0));
    assert_eq!(csv.lines().count(), 1 + 6, "one row per contract per period");
}

#[test]
fn contract_overrides_address_contracts_by_name() {
    let base = scenario("scenarios/strike_ladder_2021.toml", &[]);
    let s = scenario(
        "scenarios/strike_ladder_2021.toml",
        &["contracts.ladder.volatility=80%", "contracts.ladder.options.0.strike=+100%", "contracts.ladder.tenor=365d"],
    );
    assert_ne!(s.contracts, base.contracts);
    let mmsim::contracts::ContractTerms::TokenLoan(t) = &s.contracts[0].terms else { panic!("a loan") };
    assert_eq!(t.volatility, 0.8);
    assert_eq!(t.options[0].strike.premium_text().as_deref(), Some("+100%"));
    assert_eq!(t.tenor.to_string(), "365d");
    let err = load(Path::new("scenarios/strike_ladder_2021.toml"), &sets(&["contracts.loan.tenor=1d"]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no entry named `loan` in contracts; the names are: ladder"), "{err}");
    let err = load(Path::new("scenarios/strike_ladder_2021.toml"), &sets(&["contracts.ladder.tenor=0s"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("contracts.ladder.tenor: must be longer than 0 (set by --set contracts.ladder.tenor=0s)"),
        "{err}"
    );
}

const BASE: &str = r#"
[market]
name = "t"
seed = 1
tick = "0.0001"
lot = "1"
open_price = 0.05
duration = "2h"

[project]
cash = 100000
tokens = 2000000

[[accounts]]
name = "firm"

[[agents]]
name = "mm"
kind = "passive_mm"
cash = 50000
[agents.passive_mm]
level_size = 2000
max_inventory = 200000

[[agents]]
name = "desk"
kind = "passive_mm"
trades_for = "project"

[[agents]]
name = "retail"
kind = "retail"
count = 50
cash = 1000
tokens = 20000
"#;

fn problems(contracts: &str) -> String {
    match load_str(&format!("{BASE}{contracts}"), "t.toml", &[]) {
        Ok(_) => panic!("expected problems"),
        Err(e) => e.to_string(),
    }
}

/// `t.toml:line:col` of `needle` in the scenario made of `BASE` and `contracts`.
fn at(contracts: &str, needle: &str) -> String {
    let src = format!("{BASE}{contracts}");
    let offset = src.find(needle).unwrap_or_else(|| panic!("{needle:?} not found"));
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    format!("t.toml:{}:{}", src[..offset].matches('\n').count() + 1, src[line_start..offset].chars().count() + 1)
}

#[test]
fn contract_problems_are_located_and_say_how_to_fix_them() {
    let bond = "\n[[contracts]]\nname = \"x\"\nkind = \"bond\"\n";
    let e = problems(bond);
    let want = format!(
        "{}: contracts.x.kind: unknown contract kind \"bond\"; the kinds are: token_loan",
        at(bond, "\"bond\"")
    );
    assert!(e.contains(&want), "{want}\nin:\n{e}");
    let sub =
        "\n[[contracts]]\nname = \"s\"\nkind = \"subscription\"\nmm = \"mm\"\nfee_per_period = 100\ntenor = \"1d\"\n";
    let e = problems(sub);
    let want = format!(
        "{}: contracts.s.tenor: `tenor` does not apply to kind `subscription` (it belongs to token_loan); the keys \
         of `subscription` are `name`, `kind`, `mm`, `payer`, `fee_account`, `fee_per_period`, `period`, `start`, \
         `periods`, `on_miss`, `terminate_after_misses`, `penalty_per_miss`, `kpis`",
        at(sub, "tenor")
    );
    assert!(e.contains(&want), "{want}\nin:\n{e}");
    // A group with its own accounts may hold a retainer (the fee goes to its own account by default).
    assert!(!e.contains("contracts.s.mm"), "{e}");
    assert!(!e.contains("contracts.s.fee_account"), "{e}");
    let e = problems(
        "\n[[contracts]]\nname = \"s\"\nkind = \"subscription\"\nmm = \"desk\"\npayer = \"firm\"\nfee_per_period = 1\n",
    );
    assert!(e.contains("contracts.s.payer: group \"desk\" trades \"project\"'s account (trades_for), so"), "{e}");
    assert!(e.contains("contracts.s.fee_account: missing: name the account that receives the fee"), "{e}");
    let typo = "\n[[contracts]]\nname = \"l\"\nkind = \"token_loan\"\nmm = \"mm\"\ntokens = 10\ntenr = \"1d\"\n";
    let e = problems(typo);
    let want = format!(
        "{}: contracts.l.tenr: unknown field `tenr` for kind `token_loan`, expected one of `name`, `kind`, `mm`, \
         `lender`, `tokens`, `start`, `tenor`,",
        at(typo, "tenr")
    );
    assert!(e.contains(&want), "{want}\nin:\n{e}");
    assert!(e.contains("contracts.l.tenor: missing: required"), "the rest is still checked: {e}");
    let e = problems(
        "\n[[contracts]]\nname = \"l\"\nkind = \"token_loan\"\nmm = \"desk\"\ntokens = 5000000\ntenor = \"1d\"\n\
         [[contracts.options]]\nstrike = 0.00005\n",
    );
    assert!(e.contains("contracts.l.mm: group \"desk\" trades \"project\"'s account (trades_for)"), "{e}");
    assert!(e.contains("contracts.l.tokens: 5000000 tokens is more than the lender \"project\" starts with"), "{e}");
    assert!(e.contains("contracts.l.options.0.strike: 0.00005 must be > 0 and a whole number of ticks"), "{e}");
    let e = problems(
        "\n[[contracts]]\nname = \"g\"\nkind = \"guarantee\"\ndeposit = 1\nperiod = \"1h\"\nrelease = \"some\"\n",
    );
    assert!(e.contains("contracts.g.band_low: missing: give band_low and/or band_high"), "{e}");
    assert!(
        e.contains("contracts.g.release: unknown value \"some\"; use \"proportional\" or \"all_or_nothing\""),
        "{e}"
    );
    let e = problems("\n[[contracts]]\nname = \"s\"\nkind = \"subscription\"\nmm = \"desk\"\nfee_account = \"firm\"\nfee_per_period = 1\non_miss = \"cut:150%\"\n[contracts.kpis]\nrule = \"exchange_75\"\nmin_uptime = 0.9\n");
    assert!(e.contains("contracts.s.on_miss: \"cut:150%\" is not a miss rule"), "{e}");
    assert!(e.contains("contracts.s.kpis.min_uptime: does not apply with rule = \"exchange_75\""), "{e}");
}

/// A loan that expires inside the run and a guarantee, next to a subscription, in one market.
const SETTLED: &str = r#"
[[contracts]]
name = "loan"
kind = "token_loan"
mm = "mm"
tokens = 100000
tenor = "1h"
volatility = 1.5
[[contracts.options]]
strike = "-50%"          # deep in the money: exercised
qty = 40000
[[contracts.options]]
strike = "+400%"         # out of the money: returned
qty = 40000

[[contracts]]
name = "deposit"
kind = "guarantee"
deposit = 10000
period = "1h"
band_low = "-90%"
band_high = "+900%"
check_every = "10m"

[[contracts]]
name = "desk_fee"
kind = "subscription"
mm = "desk"
fee_account = "firm"
fee_per_period = 100
period = "1h"
[contracts.kpis]
rule = "exchange_75"
"#;

#[test]
fn a_loan_and_a_guarantee_settle_inside_the_run() {
    let s = load_str(&format!("{BASE}{SETTLED}"), "t.toml", &[]).unwrap();
    let (json, csv) = run_files(&s);
    let loan = contract(&json, "loan");
    assert_eq!(loan["status"], "settled", "{loan}");
    assert_eq!(f(&loan["exercised_qty"]), 40_000.0);
    assert_eq!(f(&loan["cash_paid"]), 1_000.0, "40,000 tokens at 0.025");
    assert_eq!(f(&loan["tokens_returned"]), 60_000.0);
    assert_eq!(f(&loan["default_shortfall_tokens"]), 0.0);
    assert_eq!(loan["options"][0]["in_the_money"], true);
    assert_eq!(loan["options"][1]["in_the_money"], false);
    let g = contract(&json, "deposit");
    assert_eq!((g["settled"].as_bool(), f(&g["released"]), f(&g["withheld"])), (Some(true), 10_000.0, 0.0));
    assert_eq!(g["mm"], Value::Null);
    let sub = contract(&json, "desk_fee");
    assert_eq!(sub["rule"], "exchange_75");
    assert_eq!(sub["kpis"][0]["days"], 1);
    assert_eq!(csv.lines().count(), 1 + 1 + 1 + 2, "loan, guarantee, two subscription periods");
    // Same seed, same contracts.csv.
    let (_, again) = run_files(&s);
    assert_eq!(csv, again);
}

#[test]
fn a_terminated_subscription_takes_the_account_away_from_its_mm() {
    use mmsim::agents::AnyAgent;
    // A third day: the shirker's contract ends after the second.
    let s = scenario("scenarios/three_mms_subscription.toml", &["market.duration=3d"]);
    let out = run(&s, &RunOptions::default()).unwrap();
    assert!(out.summary.conservation.ok);
    let c = subscription(&out.summary, "retainer_c");
    assert!(c.terminated);
    assert_eq!(c.terminated_at_s, Some(2.0 * 86_400.0));
    assert!(c.revoked_orders > 0, "its resting quotes were cancelled: {c:?}");
    let sim = &out.built.sim;
    for (i, slot) in sim.slots().iter().enumerate() {
        let AnyAgent::PassiveMm(mm) = &slot.agent else { continue };
        assert_eq!(mm.is_revoked(), slot.name == "mm_c", "{}", slot.name);
        if mm.is_revoked() {
            // Quoting half the time it wakes about 8,640 times a day (every 5 s); it stopped at its
            // first wake-up after the termination, so the third day adds none.
            assert!(mm.stats().wakeups < 21_600, "{} woke {} times", slot.name, mm.stats().wakeups);
        }
        let resting = sim.exchange().orders_of(&[mmsim::types::AgentId(i as u32)]).len();
        assert_eq!(resting == 0, slot.name == "mm_c", "{}: {resting} orders resting at the end", slot.name);
    }
    // The others keep their contracts and are paid for the third day too.
    for name in ["retainer_a", "retainer_b"] {
        let c = subscription(&out.summary, name);
        assert_eq!((c.terminated, c.periods), (false, 3), "{name}");
    }
}

/// The subscription `name` of a run's summary.
fn subscription<'a>(s: &'a Summary, name: &str) -> &'a SubscriptionSummary {
    match s.contracts.iter().find(|c| c.name() == name) {
        Some(ContractSummary::Subscription(c)) => c,
        other => panic!("no subscription {name}: {other:?}"),
    }
}

#[test]
fn bad_loan_protections_are_located_errors() {
    let loan = "\n[[contracts]]\nname = \"l\"\nkind = \"token_loan\"\nmm = \"mm\"\ntokens = 1000\ntenor = \"1d\"\n";
    let bad = format!(
        "{loan}collateral_cash = -5\nsell_cap_total = \"150%\"\nforfeit_lockup = \"50%\"\nrecall_below = \"100%\"\n\
         recall_grace = \"1h\"\nlockup = \"2d\"\ndetection = 2\ncollateral_holder = \"vault\"\nmonitor_every = \"0s\"\n"
    );
    let e = problems(&bad);
    for want in [
        format!("{}: contracts.l.collateral_cash: must be ≥ 0, got -5", at(&bad, "-5")),
        format!("{}: contracts.l.sell_cap_total: 1.5 is outside [0, 1]", at(&bad, "\"150%\"")),
        "contracts.l.forfeit_lockup: applies only with collateral_cash or collateral_tokens > 0".to_string(),
        "contracts.l.recall_below: 1 is outside (0, 1)".to_string(),
        "contracts.l.lockup: 2d is longer than the tenor (1d)".to_string(),
        "contracts.l.detection: 2 is outside [0, 1]".to_string(),
        "contracts.l.collateral_holder: no account named \"vault\"".to_string(),
        "contracts.l.monitor_every: must be longer than 0".to_string(),
    ] {
        assert!(e.contains(&want), "{want}\nin:\n{e}");
    }
    let e = problems(&format!("{loan}collateral_cash = 100\nforfeit_sell_cap = \"50%\"\nrecall_grace = \"1h\"\n"));
    assert!(e.contains("contracts.l.forfeit_sell_cap: applies only with a sell cap"), "{e}");
    assert!(e.contains("contracts.l.recall_grace: applies only with recall_below"), "{e}");
    let ok = format!(
        "{loan}collateral_cash = 100\ncollateral_holder = \"firm\"\nsell_cap_daily = \"5%\"\nforfeit_sell_cap = 1\n\
         penalty_per_breach = 10\nrecall_below = \"50%\"\nlockup = \"1h\"\ndetection = \"90%\"\n"
    );
    load_str(&format!("{BASE}{ok}"), "t.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn one_group_may_hold_a_loan_and_a_retainer_at_once() {
    let both = "\n[[contracts]]\nname = \"loan\"\nkind = \"token_loan\"\nmm = \"mm\"\ntokens = 200000\n\
                tenor = \"30d\"\n\n[[contracts]]\nname = \"retainer\"\nkind = \"subscription\"\nmm = \"mm\"\n\
                fee_per_period = 500\nperiod = \"1h\"\npenalty_per_miss = 100\n[contracts.kpis]\nmax_spread_bps = 1\n";
    let s = load_str(&format!("{BASE}{both}"), "t.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let (json, _) = run_files(&s);
    let loan = contract(&json, "loan");
    assert_eq!(loan["status"], "settled", "settled at the run's end: {loan}");
    assert_eq!(loan["settled_at_run_end"], true);
    let r = contract(&json, "retainer");
    assert_eq!((r["account"].as_str(), r["fee_account"].as_str()), (Some("project"), Some("mm")));
    // A 1 bps spread is never met: both hours missed, no fee, and the MM paid 100 per miss.
    assert_eq!(r["periods"], 2);
    assert_eq!(r["periods_failed"], 2);
    assert_eq!(f(&r["fees_paid"]), 0.0);
    assert_eq!(f(&r["penalties_paid"]), 200.0);
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), progress: None, charts: false })
        .unwrap()
        .summary;
    let pay = mmsim::accounting::mm_payoff(&summary, "mm").unwrap();
    assert_eq!(pay.penalties_paid, rust_decimal::Decimal::from(200));
    assert_eq!(pay.kpi_periods, (2, 0));
    assert_eq!(pay.payoff, summary.group("mm").unwrap().pnl_quote.normalize(), "its own accounts: fees included");
    assert_eq!(summary.group("mm").unwrap().tokens_lent, rust_decimal::Decimal::ZERO, "nothing owed after settling");
}

#[test]
fn one_project_figure_and_a_held_guarantee_is_not_counted_lost() {
    let terms = "\n[[contracts]]\nname = \"loan\"\nkind = \"token_loan\"\nmm = \"mm\"\ntokens = 2000000\n\
                 tenor = \"30d\"\n\n[[contracts]]\nname = \"guarantee\"\nkind = \"guarantee\"\ndeposit = 100000\n\
                 period = \"180d\"\nband_high = \"-10%\"\n";
    let s = load_str(&format!("{BASE}{terms}"), "t.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    let out = run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), progress: None, charts: false }).unwrap();
    let summary = &out.summary;
    let g = summary.contracts.iter().find(|c| c.name() == "guarantee").unwrap().to_json();
    assert_eq!((g["status"].as_str(), g["settled"].as_bool()), (Some("held"), Some(false)));
    let project = summary.group("project").unwrap();
    assert!(project.cash_end < rust_decimal::Decimal::from(100_000), "the deposit sits with the exchange");
    assert_eq!(project.cash_deposited, rust_decimal::Decimal::from(100_000));
    let o = mmsim::accounting::project_outcome(summary).unwrap();
    let loan = summary.contracts.iter().find(|c| c.name() == "loan").unwrap();
    // The project did nothing but lend and deposit: its outcome is the loan's, the held deposit
    // is still its own (not −100,000), and what the band rule would withhold is only projected.
    assert_eq!(Some(o.outcome), loan.project_outcome(), "{o:?}");
    assert_eq!(o.vs_holding, project.pnl_quote.normalize());
    assert!(o.withheld_projected > rust_decimal::Decimal::ZERO, "{o:?}");
    // contracts.csv: the loan row carries when it settled (the run's end), end_s its tenor.
    let csv = fs::read_to_string(dir.path().join("contracts.csv")).unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().find(|l| l.starts_with("loan,")).unwrap().split(',').collect();
    let col = |c: &str| row[head.iter().position(|h| *h == c).unwrap()];
    assert_eq!((col("settled"), col("settled_s"), col("end_s")), ("true", "7200", "2592000"));
    assert_eq!(&head[..30].join(","), &mmsim::contracts::COLUMNS[..30].join(","), "columns only appended");
    assert_eq!(head.last(), Some(&"recalled_s"));
}
