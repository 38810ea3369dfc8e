//! `mmsim run` output: files, the summary's stable keys, determinism and conservation.

use std::fs;
use std::path::Path;

use mmsim::agents::passive_mm::PassiveMmConfig;
use mmsim::agents::retail::RetailConfig;
use mmsim::agents::Behaviour;
use mmsim::run::{run, RunOptions};
use mmsim::scenario::Scenario;
use predicates::prelude::PredicateBooleanExt;
use rust_decimal::dec;

/// Two market makers and a retail crowd for six simulated hours.
pub fn small_market(seed: u64) -> Scenario {
    crate::fixtures::market("small_market", seed, 6)
        .with_group("mm", 2, dec!(50000), dec!(1000000), Behaviour::PassiveMm(PassiveMmConfig::default()))
        .with_group("retail", 300, dec!(2000), dec!(20000), Behaviour::Retail(RetailConfig::default()))
}

fn run_to(dir: &Path, seed: u64) -> mmsim::metrics::summary::Summary {
    let opts = RunOptions { out_dir: Some(dir.to_path_buf()), progress: None, charts: true };
    run(&small_market(seed), &opts).expect("run succeeds").summary
}

#[test]
fn a_run_writes_every_file_with_the_stable_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = run_to(tmp.path(), 7);
    for f in ["summary.json", "timeseries.csv", "trades.csv", "agents.csv"] {
        assert!(tmp.path().join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert!(summary.volume.trades > 0, "the market traded");
    assert!(summary.conservation.ok);

    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "events",
        "sim_seconds",
        "wall_seconds",
        "price",
        "volume",
        "groups",
        "contracts",
        "conservation",
    ] {
        assert!(json.get(key).is_some(), "summary.json lacks {key}");
    }
    for key in ["open", "high", "low", "close"] {
        assert!(json["price"][key].is_number(), "price.{key} is a number");
    }
    for key in ["quote_total", "quote_wash", "trades"] {
        assert!(json["volume"][key].is_number(), "volume.{key}");
    }
    let g = &json["groups"][0];
    for key in ["name", "kind", "agents", "pnl_quote", "cash_start", "cash_end", "tokens_start", "tokens_end"] {
        assert!(g.get(key).is_some(), "groups[0].{key}");
    }
    assert_eq!(json["conservation"]["ok"], serde_json::Value::Bool(true));
    assert_eq!(json["seed"], 7);

    let ts = fs::read_to_string(tmp.path().join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    assert!(header.starts_with(
        "t,mid,best_bid,best_ask,spread_bps,depth_bid_2pct,depth_ask_2pct,volume_quote,volume_wash_quote,last"
    ));
    assert_eq!(ts.lines().count(), 1 + 6 * 60 + 1, "one row per minute, start and end included");
    let trades = fs::read_to_string(tmp.path().join("trades.csv")).unwrap();
    let th: Vec<&str> = trades.lines().next().unwrap().split(',').collect();
    for col in ["t", "price", "qty", "aggressor_side", "maker_agent", "taker_agent", "maker_intent", "taker_intent"] {
        assert!(th.contains(&col), "trades.csv lacks {col}");
    }
    assert_eq!(trades.lines().count() as u64, 1 + summary.volume.trades);
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_to(a.path(), 11);
    run_to(b.path(), 11);
    for f in ["timeseries.csv", "trades.csv", "agents.csv"] {
        let (x, y) = (fs::read(a.path().join(f)).unwrap(), fs::read(b.path().join(f)).unwrap());
        assert!(x == y, "{f} differs between identical runs");
    }
    let strip = |p: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(p.join("summary.json")).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("wall_seconds");
        v
    };
    assert_eq!(strip(a.path()), strip(b.path()));
    let c = tempfile::tempdir().unwrap();
    run_to(c.path(), 12);
    assert_ne!(fs::read(a.path().join("trades.csv")).unwrap(), fs::read(c.path().join("trades.csv")).unwrap());
}

#[test]
fn the_cli_writes_charts_and_the_report_and_no_charts_skips_them() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml");
    let with = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--out"])
        .arg(with.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    for chart in ["price", "pnl", "liquidity", "volume"] {
        let png = fs::read(with.path().join(format!("{chart}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{chart}.png is a PNG");
        let svg = fs::read_to_string(with.path().join(format!("{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{chart}.svg is an SVG");
    }
    let html = fs::read_to_string(with.path().join("report.html")).unwrap();
    assert!(
        html.contains("example_minimal") && html.contains("<svg"),
        "the report names the scenario and inlines charts"
    );
    assert!(!html.contains("<script src"), "the report fetches nothing");

    let without = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--no-charts", "--out"])
        .arg(without.path())
        .assert()
        .success();
    assert!(without.path().join("report.html").is_file());
    assert!(without.path().join("summary.json").is_file());
    for chart in ["price", "pnl", "liquidity", "volume"] {
        assert!(!without.path().join(format!("{chart}.png")).exists(), "--no-charts skips {chart}.png");
    }
}

#[test]
fn a_bad_scenario_is_a_user_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    fs::write(
        &path,
        "[market]\nname = \"x\"\nseed = 1\ntick = \"0.01\"\nlot = \"1\"\nopen_price = 1.005\nduration = \"1h\"\n",
    )
    .unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run"])
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bad.toml:6:").and(predicates::str::contains("market.open_price")));
    assert!(!dir.path().join("out").exists(), "nothing written for an invalid scenario");
}

#[test]
fn the_cli_runs_a_counterfactual_and_refuses_a_bad_one() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml");
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--counterfactual", "mm=wash", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("counterfactual: mm as wash").and(predicates::str::contains("pnl_quote:mm")));
    for f in ["actual/summary.json", "counterfactual/summary.json", "comparison.csv", "report.html"] {
        assert!(dir.path().join(f).is_file(), "{f} written");
    }
    let png = fs::read(dir.path().join("price_comparison.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let csv = fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
    assert!(csv.starts_with("metric,actual,counterfactual,difference\n") && csv.contains("\npnl_quote:retail,"));

    let bad = tempfile::tempdir().unwrap();
    for (arg, says) in [("nobody=wash", "no agent group named \"nobody\""), ("mm=bogus", "unknown kind")] {
        assert_cmd::Command::cargo_bin("mmsim")
            .unwrap()
            .args(["run", scenario, "--counterfactual", arg, "--out"])
            .arg(bad.path().join("out"))
            .assert()
            .code(1)
            .stderr(predicates::str::contains(says));
    }
    assert!(!bad.path().join("out").exists(), "nothing written for a bad counterfactual");

    // `idle` stands in for any group, a retail crowd included: without it nobody trades.
    let idle = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--counterfactual", "retail=idle", "--no-charts", "--out"])
        .arg(idle.path())
        .assert()
        .success();
    let csv = fs::read_to_string(idle.path().join("comparison.csv")).unwrap();
    assert!(csv.contains("\npnl_quote:retail,") && csv.contains("\nvolume_quote,"), "{csv}");
    assert!(!idle.path().join("price_comparison.png").exists(), "--no-charts: no comparison chart");
}

#[test]
fn a_rerun_clears_what_a_killed_run_left_and_stale_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    std::fs::create_dir_all(&out).unwrap();
    // What a `kill -9` mid-run leaves, and charts from an earlier run with charts.
    std::fs::write(out.join(".trades.csv.tmp"), "t,trade_id\n0.1,").unwrap();
    std::fs::write(out.join("price.png"), "old").unwrap();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml");
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--no-charts", "--set", "market.duration=\"5m\"", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "agents.csv",
            "contracts.csv",
            "holdings.csv",
            "orders.csv",
            "report.html",
            "scenario.toml",
            "summary.json",
            "timeseries.csv",
            "trades.csv"
        ]
    );
}
