//! `mmsim stress` from the command line: the stable files on a short DIO, and user errors (exit 1,
//! located).

use std::fs;

use assert_cmd::Command;
use predicates::str::contains;

fn mmsim() -> Command {
    Command::cargo_bin("mmsim").unwrap()
}

const DIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/dio_lend_and_dump.toml");

#[test]
fn stress_writes_the_verdict_table_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("st");
    // A two-hour DIO with a smaller crowd, two seeds, two evaluations per playbook.
    mmsim()
        .args(["stress", DIO, "--mm", "mm", "--seeds", "2", "--budget", "2", "--jobs", "2", "-q"])
        .args(["--set", "market.duration=\"2h\"", "--set", "agents.fomo.count=500", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("incentive-compatible"));
    let csv = fs::read_to_string(out.join("stress.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "playbook,params,seeds,mm_payoff_mean,mm_payoff_ci95,project_outcome_mean,project_outcome_ci95,\
         retail_pnl_mean,price_low_mean,price_close_mean,kpi_pass_rate,penalties_mean,collateral_forfeited_mean,best"
    );
    let rows: Vec<&str> = lines.collect();
    // kpi_minimal does not apply (no retainer): 6 playbooks × 2 evaluations.
    assert_eq!(rows.len(), 12, "{csv}");
    assert!(rows.iter().all(|r| r.split(',').nth(2) == Some("2")), "two seeds each");
    assert_eq!(rows.iter().filter(|r| r.ends_with(",1")).count(), 6, "one best per playbook");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("verdict.json")).unwrap()).unwrap();
    assert_eq!(v["horizon_s"], 7200.0);
    assert_eq!(v["seeds"], serde_json::json!([1, 2]));
    assert_eq!(v["not_applicable"][0][0], "kpi_minimal");
    let hi = v["dump_premium_ci95"][1].as_f64().unwrap();
    assert_eq!(v["incentive_compatible"].as_bool().unwrap(), hi <= 0.0);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Under these terms") && html.contains("Which clauses fired"), "verdict in words first");
}

#[test]
fn a_group_that_is_not_an_mm_exits_1_with_its_line() {
    mmsim()
        .args(["stress", DIO, "--mm", "fomo", "-q"])
        .assert()
        .code(1)
        .stderr(contains("dio_lend_and_dump.toml:"))
        .stderr(contains("agents.fomo: --mm fomo: the group is kind retail, not a market maker"));
}

#[test]
fn an_unknown_playbook_exits_1_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    let src = fs::read_to_string(DIO).unwrap() + "\n[stress]\nplaybooks = [\"passive\", \"wash_it\"]\n";
    fs::write(&file, &src).unwrap();
    let line = src.lines().count();
    mmsim()
        .arg("stress")
        .arg(&file)
        .args(["--mm", "mm", "-q"])
        .assert()
        .code(1)
        .stderr(contains(format!("s.toml:{line}:")))
        .stderr(contains("unknown playbook \"wash_it\""));
    // `mmsim run` ignores the [stress] table.
    mmsim().arg("check").arg(&file).assert().success();
}

/// Runs a one-day stress test of `scenario` (seeds 1–3, 4 evaluations per playbook, the playbooks
/// of `table`) and returns its verdict.
fn day_verdict(scenario: &str, table: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    fs::write(&path, fs::read_to_string(scenario).unwrap() + table).unwrap();
    let out = dir.path().join("st");
    mmsim()
        .args(["stress", path.to_str().unwrap(), "--mm", "mm", "--seeds", "3", "--budget", "4", "--jobs", "2", "-q"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    serde_json::from_str(&fs::read_to_string(out.join("verdict.json")).unwrap()).unwrap()
}

const PLAYBOOKS: &str =
    "\n[stress]\nplaybooks = [\"passive\", \"lend_and_dump\", \"sell_only\", \"short_and_return\", \"strike_fixing\"]\n";

#[test]
fn the_dio_terms_pay_the_mm_to_dump_and_the_protected_terms_do_not() {
    // DIO's terms: searching from the default boxes finds a dump worth millions more than honest play.
    let v = day_verdict(DIO, PLAYBOOKS);
    assert_eq!(v["incentive_compatible"], false, "{v}");
    assert!(v["dump_premium"].as_f64().unwrap() > 3_000_000.0, "{v}");
    assert!(v["dump_premium_ci95"][0].as_f64().unwrap() > 0.0, "{v}");
    // The same market and loan with dio_protected's clauses: no playbook found beats honest play.
    let protected = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/dio_protected.toml");
    let v = day_verdict(protected, PLAYBOOKS);
    assert_eq!(v["incentive_compatible"], true, "{v}");
    assert!(v["dump_premium_ci95"][1].as_f64().unwrap() <= 0.0, "{v}");
}
