//! `mmsim backtest` on generated Binance raw-stream files: end to end with each queue model, the
//! queue models' ordering, and located errors for bad input.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mmsim::backtest::{backtest_files, BacktestOptions, QueueModel};

/// A Binance spot raw stream (`<local_ns> <json>`): one REST snapshot, then every 100 ms a diff
/// around a random-walking mid (tick 0.01, sizes on 0.001) and a few trades at the touch.
fn generate(path: &Path, seconds: u64) {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let t0 = 1_723_161_600_000_000_000u64;
    let mut mid = 268_000i64; // ticks of 0.01
    let px = |t: i64| format!("{}.{:02}", t / 100, t % 100);
    let sz = |lots: u64| format!("{}.{:03}", lots / 1000, lots % 1000);
    let mut out = String::new();
    let levels = |mid: i64, side: i64, n: i64, next: &mut dyn FnMut() -> u64| {
        (1..=n).map(|i| format!("[\"{}\",\"{}\"]", px(mid + side * i), sz(1_000 + next() % 20_000))).collect::<Vec<_>>()
    };
    let (bids, asks) = (levels(mid, -1, 20, &mut next), levels(mid, 1, 20, &mut next));
    let _ = writeln!(out, "{t0} {{\"lastUpdateId\":100,\"bids\":[{}],\"asks\":[{}]}}", bids.join(","), asks.join(","));
    let mut id = 101u64;
    let mut trade_id = 1u64;
    for step in 1..=seconds * 10 {
        let t = t0 + step * 100_000_000;
        let ms = t / 1_000_000;
        if next() % 10 == 0 {
            let old = mid;
            mid += if next() % 2 == 0 { 1 } else { -1 };
            // Remove the levels that the move crossed, then refill both sides near the mid.
            let gone =
                if mid > old { format!("[\"{}\",\"0\"]", px(old + 1)) } else { format!("[\"{}\",\"0\"]", px(old - 1)) };
            let (b, a) = (levels(mid, -1, 3, &mut next), levels(mid, 1, 3, &mut next));
            let (b, a) = if mid > old {
                (b.join(","), format!("{gone},{}", a.join(",")))
            } else {
                (format!("{gone},{}", b.join(",")), a.join(","))
            };
            let _ = writeln!(out, "{t} {{\"e\":\"depthUpdate\",\"E\":{ms},\"s\":\"ETHUSDT\",\"U\":{id},\"u\":{},\"b\":[{b}],\"a\":[{a}]}}", id + 2);
        } else {
            let side = if next() % 2 == 0 { -1 } else { 1 };
            let i = 1 + (next() % 5) as i64;
            let lvl = format!("[\"{}\",\"{}\"]", px(mid + side * i), sz(next() % 25_000));
            let (b, a) = if side < 0 { (lvl, String::new()) } else { (String::new(), lvl) };
            let _ = writeln!(out, "{t} {{\"e\":\"depthUpdate\",\"E\":{ms},\"s\":\"ETHUSDT\",\"U\":{id},\"u\":{},\"b\":[{b}],\"a\":[{a}]}}", id + 2);
        }
        id += 3;
        for k in 0..(next() % 3) {
            let buy = next() % 2 == 0;
            let p = if buy { mid + 1 } else { mid - 1 };
            let _ = writeln!(
                out,
                "{} {{\"e\":\"trade\",\"E\":{ms},\"s\":\"ETHUSDT\",\"t\":{trade_id},\"p\":\"{}\",\"q\":\"{}\",\"T\":{ms},\"m\":{}}}",
                t + 1_000 + k,
                px(p),
                sz(1 + next() % 3_000),
                !buy
            );
            trade_id += 1;
        }
    }
    std::fs::write(path, out).unwrap();
}

fn strategy() -> mmsim::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml");
    mmsim::scenario::load(&path, &[]).unwrap()
}

fn data(dir: &Path) -> PathBuf {
    let path = dir.join("stream.txt");
    generate(&path, 120);
    path
}

#[test]
fn passive_mm_backtest_runs_with_each_queue_model_and_risk_averse_fills_least() {
    let dir = tempfile::tempdir().unwrap();
    let path = data(dir.path());
    let mut fills = Vec::new();
    for queue in [QueueModel::RiskAverse, QueueModel::Prob(2.0), QueueModel::Prob(3.0)] {
        let out = dir.path().join(format!("out_{queue}"));
        let options = BacktestOptions { queue, out_dir: Some(out.clone()), ..BacktestOptions::default() };
        let outcome = backtest_files(&[&path], &strategy(), &options).unwrap();
        let s = &outcome.summary;
        assert!(s.replay.events > 1_000, "{}", s.replay.events);
        assert_eq!(s.replay.gap_count, 0);
        assert!(s.run.conservation.ok);
        assert!(s.backtest.orders > 0, "{:?}", s.backtest);
        for f in ["summary.json", "trades.csv", "timeseries.csv", "agents.csv", "report.html"] {
            assert!(out.join(f).exists(), "{f} missing");
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert!(json["replay"]["stats"].is_object(), "{}", json["replay"]);
        assert!(json["replay"].get("top_of_book_agreement").is_some());
        let trades = std::fs::read_to_string(out.join("trades.csv")).unwrap();
        assert_eq!(trades.lines().count() as u64, 1 + s.backtest.maker_fills + s.backtest.taker_fills);
        fills.push(s.backtest.maker_fills);
    }
    assert!(fills[1] > 0, "prob:2 filled nothing: {fills:?}");
    assert!(fills[0] <= fills[1], "risk_averse {} > prob:2 {}", fills[0], fills[1]);
}

#[test]
fn cli_backtest_writes_the_run_and_refuses_bad_input_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = data(dir.path());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml");
    let out = dir.path().join("cli");
    Command::cargo_bin("mmsim")
        .unwrap()
        .args(["backtest", path.to_str().unwrap(), "--strategy", scenario.to_str().unwrap(), "--no-charts"])
        .args(["--queue", "risk_averse", "--latency", "2ms,1ms", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(out.join("summary.json").exists());

    let bad_queue = Command::cargo_bin("mmsim")
        .unwrap()
        .args(["backtest", path.to_str().unwrap(), "--strategy", scenario.to_str().unwrap(), "--queue", "fifo"])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&bad_queue.get_output().stderr).to_string();
    assert!(err.contains("prob:N"), "{err}");

    // A price off the scenario's tick: an error naming the file and line, never a panic.
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = dir.path().join("broken.txt");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[5] = "1723161600500000000 {\"e\":\"depthUpdate\",\"E\":1723161600500,\"s\":\"ETHUSDT\",\"U\":1,\"u\":2,\"b\":[[\"2679.995\",\"1.000\"]],\"a\":[]}".into();
    std::fs::write(&broken, lines.join("\n")).unwrap();
    let failed = Command::cargo_bin("mmsim")
        .unwrap()
        .args(["backtest", broken.to_str().unwrap(), "--strategy", scenario.to_str().unwrap(), "--no-charts"])
        .args(["--out", dir.path().join("broken_out").to_str().unwrap()])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
    assert!(err.contains("broken.txt:6"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The example strategy trading a project's treasury under two one-minute subscriptions: one
/// whose KPIs a one-tick quote meets, one whose spread limit (0.001 bp) no quote on a 0.01 tick at 2,680 can meet.
fn kpi_strategy(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml"))
            .unwrap()
            .replace("cash = 100000           # USDT\ntokens = 40             # ETH\n", "trades_for = \"project\"\n");
    let mut text = text
        .replace("[[agents]]", "[project]\ncash = 100000\ntokens = 40\n\n[[accounts]]\nname = \"firm\"\n\n[[agents]]");
    for (name, max_spread) in [("loose", "50"), ("strict", "0.001")] {
        let _ = write!(
            text,
            "\n[[contracts]]\nname = \"{name}\"\nkind = \"subscription\"\nmm = \"mm\"\nfee_account = \"firm\"\nfee_per_period = 100\n\
             period = \"1m\"\n[contracts.kpis]\nmax_spread_bps = {max_spread}\nmin_uptime = \"50%\"\nsnapshot_every = \"10s\"\n"
        );
    }
    let path = dir.join("kpi_strategy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn backtest_measures_the_strategys_kpis_on_the_real_book_into_contracts_csv_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = data(dir.path());
    let strategy = mmsim::scenario::load(&kpi_strategy(dir.path()), &[]).unwrap();
    let out = dir.path().join("kpis");
    let options = BacktestOptions { out_dir: Some(out.clone()), charts: false, ..BacktestOptions::default() };
    let outcome = backtest_files(&[&path], &strategy, &options).unwrap();
    let rows = &outcome.finished.contracts;
    // 120 s of data: two settled one-minute periods per contract (the last sample closes the second).
    let of = |name: &str| rows.iter().filter(|r| r.contract == name).collect::<Vec<_>>();
    let (loose, strict) = (of("loose"), of("strict"));
    assert!(loose.len() >= 2 && loose.len() == strict.len(), "{rows:?}");
    assert!(loose.iter().all(|r| r.get("snapshots") == "6" || !r.settled), "{loose:?}");
    assert!(loose.iter().any(|r| r.get("kpis_met") == "true"), "a one-tick quote meets a 50 bp limit: {loose:?}");
    assert!(strict.iter().all(|r| r.get("kpis_met") == "false"), "no quote has a zero spread: {strict:?}");
    for (l, s) in loose.iter().zip(&strict) {
        assert_eq!(
            (l.get("uptime") == "0", l.get("spread_bps")),
            (false, s.get("spread_bps")),
            "same quotes, same spread"
        );
    }
    let csv = std::fs::read_to_string(out.join("contracts.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + rows.len());
    assert!(csv.starts_with("contract,kind,mm,period"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let met = rows.iter().filter(|r| r.get("kpis_met") == "true").count();
    assert!(html.contains(&format!("KPI pass rate: <b>{met} of {} period(s)</b>", rows.len())), "{html}");
}

/// Runs `mmsim backtest` on `lines` written to `name`; returns (success, stderr, summary.json).
fn backtest_lines(dir: &Path, name: &str, lines: &[String]) -> (bool, String, Option<serde_json::Value>) {
    let file = dir.join(name);
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml");
    let out = dir.join(format!("{name}_out"));
    let run = Command::cargo_bin("mmsim")
        .unwrap()
        .args(["backtest", file.to_str().unwrap(), "--strategy", scenario.to_str().unwrap(), "--no-charts"])
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(!err.contains("panicked"), "{name}: {err}");
    let json = std::fs::read_to_string(out.join("summary.json")).ok().map(|t| serde_json::from_str(&t).unwrap());
    if !run.status.success() {
        assert_eq!(run.status.code(), Some(1), "{name}: {err}");
    }
    (run.status.success(), err, json)
}

#[test]
fn every_bad_input_class_is_a_located_error_or_a_counted_skip_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data(dir.path())).unwrap();
    let good: Vec<String> = text.lines().map(String::from).collect();

    // A non-JSON line and an unknown stream: counted skips with their place; the rest replays.
    let mut lines = good.clone();
    lines[7] = "1723161600700000000 {not json".into();
    lines[9] = "1723161600900000000 {\"stream\":\"ethusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1}}".into();
    let (ok, err, json) = backtest_lines(dir.path(), "skips.txt", &lines);
    assert!(ok, "{err}");
    let stats = &json.unwrap()["replay"]["stats"];
    assert_eq!(stats["unrecognised"], 2, "{stats}");
    let places: Vec<String> = stats["skip_reasons"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["first_at"].as_str().unwrap().to_owned())
        .collect();
    assert!(places.iter().any(|p| p.ends_with("skips.txt:8")), "{places:?}");
    assert!(places.iter().any(|p| p.ends_with("skips.txt:10")), "{places:?}");

    // A price off the tick grid: a located error.
    let mut lines = good.clone();
    lines[5] = "1723161600500000000 {\"e\":\"depthUpdate\",\"E\":1723161600500,\"s\":\"ETHUSDT\",\"U\":1,\"u\":2,\"b\":[[\"2679.995\",\"1.000\"]],\"a\":[]}".into();
    let (ok, err, _) = backtest_lines(dir.path(), "offgrid.txt", &lines);
    assert!(!ok && err.contains("offgrid.txt:6") && err.contains("not a multiple"), "{err}");

    // Local timestamps going backwards within a file: a located error.
    let mut lines = good.clone();
    lines.swap(20, 40);
    let (ok, err, _) = backtest_lines(dir.path(), "backwards.txt", &lines);
    assert!(!ok && err.contains("backwards.txt:"), "out-of-order lines: {err}");

    // A truncated gzip file: a located error naming the file.
    let gz = dir.path().join("cut.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    let bytes = enc.finish().unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml");
    let run = Command::cargo_bin("mmsim")
        .unwrap()
        .args(["backtest", gz.to_str().unwrap(), "--strategy", scenario.to_str().unwrap(), "--no-charts"])
        .args(["--out", dir.path().join("cut_out").to_str().unwrap()])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(err.contains("cut.gz:") && err.contains("truncated or corrupt") && !err.contains("panicked"), "{err}");
}
