//! `mmsim detect` and `mmsim surveil-bench` from the command line.

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn mmsim() -> Command {
    Command::cargo_bin("mmsim").unwrap()
}

#[test]
fn detect_scores_a_spoofing_run_and_finds_the_spoofer() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/spoofing.toml");
    mmsim()
        .args(["run", scenario, "--no-charts", "--set", "market.duration=\"1h\"", "--out"])
        .arg(&run)
        .assert()
        .success();
    let out = dir.path().join("det");
    mmsim().arg("detect").arg(&run).arg("--out").arg(&out).assert().success().stdout(contains("spoofing"));
    let alerts = fs::read_to_string(out.join("alerts.csv")).unwrap();
    assert!(alerts.starts_with("detector,t_start,t_end,subject,score,evidence\n"), "{alerts}");
    assert!(alerts.lines().any(|l| l.starts_with("spoofing,") && l.contains(",spoofer,")), "{alerts}");
    let scores = fs::read_to_string(out.join("scores.csv")).unwrap();
    assert!(scores.starts_with("detector,unit,precision,recall,f1,median_latency_s,n_true,n_alerts\n"));
    let spoof = scores.lines().find(|l| l.starts_with("spoofing,order,")).unwrap();
    let f1: f64 = spoof.split(',').nth(4).unwrap().parse().unwrap();
    assert!(f1 >= 0.7, "{spoof}");
    assert!(fs::read_to_string(out.join("detect.html")).unwrap().contains("Scores against the ground truth"));
}

#[test]
fn detect_runs_on_an_external_trade_log_without_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("t,price,qty,aggressor_side,maker_agent,taker_agent\n");
    for i in 0..200 {
        let (m, t) = if i % 10 == 0 { ("alice", "alice") } else { ("bob", "carol") };
        csv.push_str(&format!("{},{},{},buy,{m},{t}\n", i as f64, 1.0 + i as f64 * 1e-4, 1 + i % 37));
    }
    fs::write(dir.path().join("trades.csv"), csv).unwrap();
    mmsim().arg("detect").arg(dir.path()).assert().success().stdout(contains("no labels"));
    let alerts = fs::read_to_string(dir.path().join("alerts.csv")).unwrap();
    assert!(alerts.lines().any(|l| l.starts_with("wash_same_owner,") && l.contains(",alice,")), "{alerts}");
    assert!(!dir.path().join("scores.csv").exists(), "nothing to score without labels");
    let html = fs::read_to_string(dir.path().join("detect.html")).unwrap();
    assert!(html.contains("No labels"));
    // Epoch-second times and no owner or account columns (a public trade feed): it runs, and no
    // trade is a self-trade for want of names.
    let feed = tempfile::tempdir().unwrap();
    let mut csv = String::from("t,price,qty,aggressor_side\n");
    for i in 0..500 {
        csv.push_str(&format!(
            "{},{},{},{}\n",
            1_723_161_600.0 + i as f64 * 0.5,
            2600.0 + (i % 9) as f64,
            0.01 * (1 + i % 13) as f64,
            if i % 3 == 0 { "sell" } else { "buy" }
        ));
    }
    fs::write(feed.path().join("trades.csv"), csv).unwrap();
    mmsim().arg("detect").arg(feed.path()).assert().success();
    let alerts = fs::read_to_string(feed.path().join("alerts.csv")).unwrap();
    assert!(!alerts.contains("wash_same_owner"), "{alerts}");
    // The report puts the log's sizes next to the genuine logs the wash-share model knows.
    assert!(
        html.contains("This log's median trade is 17.5 tokens; the model's genuine logs have medians from"),
        "{html}"
    );
}

#[test]
fn detect_names_a_missing_column_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("trades.csv"), "t,price\n1,2\n").unwrap();
    mmsim().arg("detect").arg(dir.path()).assert().code(1).stderr(contains("no `qty` column"));
}

#[test]
fn surveil_bench_writes_the_dataset_and_the_score_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    mmsim()
        .args(["surveil-bench", "--runs", "6", "--seed", "3", "--jobs", "2", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("held-out test runs 0..5").and(contains("fitted on training runs 6..11")));
    for f in [
        "scores.csv",
        "share.csv",
        "share_model.txt",
        "runs.csv",
        "runs/000/orders.csv",
        "runs/000/trades.csv",
        "runs/000/label.txt",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().filter(|l| l.contains(",test,")).count(), 6, "{runs}");
    assert_eq!(runs.lines().filter(|l| l.contains(",train,")).count(), 6, "{runs}");
    // The fitted wash-share model is what `mmsim detect --share-model` reads.
    let model = fs::read_to_string(out.join("share_model.txt")).unwrap();
    assert!(model.lines().any(|l| l.starts_with("threshold ")) && model.contains("\ngenuine "), "{model}");
    let det = dir.path().join("det");
    mmsim()
        .arg("detect")
        .arg(out.join("runs/000"))
        .arg("--out")
        .arg(&det)
        .arg("--share-model")
        .arg(out.join("share_model.txt"))
        .assert()
        .success();
    let alerts = fs::read_to_string(det.join("alerts.csv")).unwrap();
    let threshold = model.lines().find_map(|l| l.strip_prefix("threshold ")).unwrap();
    assert!(alerts.contains(&format!("threshold {threshold}")), "{alerts}");
}

#[test]
fn a_bad_share_model_is_a_located_user_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("trades.csv"), "t,price,qty\n1,2,3\n").unwrap();
    let model = dir.path().join("model.txt");
    fs::write(&model, "threshold 8\ngenuine 1:2 3:x\n").unwrap();
    mmsim()
        .arg("detect")
        .arg(dir.path())
        .arg("--share-model")
        .arg(&model)
        .assert()
        .code(1)
        .stderr(contains("model.txt, line 2").and(contains("`3:x`: expected cell:count")));
}

/// A market whose genuine traders trade other sizes than the benchmark's: the shipped wash-share
/// model reads them as wash; a model fitted by `mmsim share-model` on the market's own logs without
/// wash does not.
#[test]
fn share_model_fits_a_market_s_own_genuine_logs() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/subscription_kpis.toml");
    let run = |seed: u32| {
        let out = dir.path().join(format!("run{seed}"));
        mmsim()
            .args(["run", scenario, "--no-charts", "--no-replay", "-q", "--set", "market.duration=\"2h\"", "--seed"])
            .arg(seed.to_string())
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b, c, judged) = (run(2), run(3), run(5), run(4));
    let model = dir.path().join("model.txt");
    mmsim()
        .arg("share-model")
        .args([&a, &b, &c])
        .arg("--out")
        .arg(&model)
        .assert()
        .success()
        .stdout(contains("3 genuine shapes"));
    let share = |extra: &[&std::path::Path]| {
        let out = dir.path().join(format!("det{}", extra.len()));
        mmsim().arg("detect").arg(&judged).args(extra).arg("--out").arg(&out).assert().success();
        let alerts = fs::read_to_string(out.join("alerts.csv")).unwrap();
        let line = alerts.lines().find(|l| l.starts_with("wash_share_sizes,")).unwrap().to_string();
        line.split(',').nth(4).unwrap().parse::<f64>().unwrap()
    };
    let shipped = share(&[]);
    let own = share(&[std::path::Path::new("--share-model"), &model]);
    assert!(shipped > 0.3, "the benchmark's model reads this crowd as wash: {shipped}");
    assert!(own < 0.05, "the market's own model: {own}");
    let html = fs::read_to_string(dir.path().join("det2/detect.html")).unwrap();
    assert!(html.contains("True share: 0.0%."), "no wash is 0.0%, not -0.0%");
    // A log with labelled wash cannot be a genuine shape.
    let washed = dir.path().join("wash");
    let wash_scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/wash_volume.toml");
    mmsim()
        .args(["run", wash_scenario, "--no-charts", "--no-replay", "-q", "--set", "market.duration=\"10m\"", "--out"])
        .arg(&washed)
        .assert()
        .success();
    mmsim()
        .args(["share-model", "--out"])
        .arg(dir.path().join("bad.txt"))
        .arg(&washed)
        .assert()
        .code(1)
        .stderr(contains("labelled wash").and(contains("below 1%")));
}
