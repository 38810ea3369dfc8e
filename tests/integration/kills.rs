//! `kill -9` at several moments of `run`, `match` and `sweep`, then a rerun into the same directory:
//! the directory then holds the complete outputs and nothing else (no staged `.tmp` file, no partial
//! checkpoint).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn mmsim() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mmsim"))
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Starts `args`, kills it with SIGKILL after `ms`, then reruns it to completion.
fn kill_then_rerun(args: &[&str], ms: u64) {
    let mut child = Command::new(mmsim()).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
    let status = Command::new(mmsim()).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    assert!(status.success(), "the rerun of {args:?} succeeds");
}

#[test]
fn killed_runs_leave_only_complete_outputs_after_a_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let s = scenario("baseline_market.toml");
    let args = ["run", s.as_str(), "-q", "--set", "market.duration=\"1d\"", "--out", out.to_str().unwrap()];
    for ms in [30, 150, 400] {
        kill_then_rerun(&args, ms);
        let want = [
            "agents.csv",
            "contracts.csv",
            "holdings.csv",
            "holdings.png",
            "holdings.svg",
            "liquidity.png",
            "liquidity.svg",
            "orders.csv",
            "pnl.png",
            "pnl.svg",
            "price.png",
            "price.svg",
            "replay.html",
            "report.html",
            "scenario.toml",
            "summary.json",
            "timeseries.csv",
            "trades.csv",
            "volume.png",
            "volume.svg",
        ];
        assert_eq!(names(&out), want, "after a kill at {ms} ms and a rerun");
    }
}

#[test]
fn killed_matches_and_sweeps_leave_only_complete_outputs_after_a_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let orders = tmp.path().join("orders.csv");
    let mut text = String::from("ts,trader,action,order_id,side,type,price,qty\n");
    for i in 0..300_000u64 {
        let side = if i % 2 == 0 { "buy" } else { "sell" };
        let price = 100 + (i * 7919 % 21) as i64 - 10;
        text += &format!("{i},t{},new,{i},{side},limit,{price},{}\n", i % 50, 1 + i % 9);
    }
    fs::write(&orders, text).unwrap();
    let out = tmp.path().join("match");
    let args = ["match", orders.to_str().unwrap(), "--tick", "1", "--lot", "1", "--out", out.to_str().unwrap()];
    for ms in [20, 120] {
        kill_then_rerun(&args, ms);
        assert_eq!(names(&out), ["book.csv", "rejects.csv", "trades.csv"], "match, kill at {ms} ms");
    }
    let out = tmp.path().join("sweep");
    let s = scenario("sweep_loan_size.toml");
    let args =
        ["sweep", s.as_str(), "-q", "--jobs", "1", "--set", "market.duration=\"2h\"", "--out", out.to_str().unwrap()];
    for ms in [40, 300] {
        kill_then_rerun(&args, ms);
        let left = names(&out);
        assert!(left.iter().all(|n| !n.starts_with('.') && !n.contains("partial")), "sweep, kill at {ms} ms: {left:?}");
        assert!(["points.csv", "runs.csv", "sweep.json"].iter().all(|f| left.iter().any(|n| n == f)), "{left:?}");
    }
}

#[test]
fn sweep_survives_a_closed_stdout_and_seeds_read_like_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("sweep_loan_size.toml");
    let out = tmp.path().join("sweep");
    // `mmsim sweep … | head -c 10`: stdout closed before the sweep prints its summary.
    let mut child = Command::new(mmsim())
        .args(["sweep", s.as_str(), "-q", "--set", "market.duration=\"10m\"", "--out", out.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "no panic on a closed stdout");
    // A seed above i64::MAX is as valid on the command line as in a file; -1 is refused in words.
    let minimal = scenario("example_minimal.toml");
    let run = |seed: &str| {
        Command::new(mmsim())
            .args(["run", minimal.as_str(), "-q", "--no-charts", "--set", "market.duration=\"2m\"", "--seed", seed])
            .arg("--out")
            .arg(tmp.path().join("run"))
            .output()
            .unwrap()
    };
    assert!(run("9223372036854775808").status.success());
    let neg = run("-1");
    assert_eq!(neg.status.code(), Some(1));
    let err = String::from_utf8_lossy(&neg.stderr);
    assert!(err.contains("must be a whole number from 0 to 18446744073709551615"), "{err}");
}
