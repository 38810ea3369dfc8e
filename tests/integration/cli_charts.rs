//! `mmsim charts RUN_DIR [--window START..END] [--out DIR]` and `mmsim run --window`: the charts
//! redrawn from a run's own files are the run's charts, byte for byte (one truth), zoomed when asked;
//! a bad window is a located user error.

use std::fs;
use std::path::Path;

use super::teach_charts::run_cli;

const CHARTS: [&str; 5] = ["price.svg", "pnl.svg", "liquidity.svg", "volume.svg", "holdings.svg"];

fn mmsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("mmsim").unwrap()
}

fn charts(run: &Path, out: &Path, window: Option<&str>) {
    let mut cmd = mmsim();
    cmd.arg("charts").arg(run).arg("--out").arg(out);
    if let Some(w) = window {
        cmd.args(["--window", w]);
    }
    cmd.assert().success();
}

fn same_charts(a: &Path, b: &Path) {
    for f in CHARTS {
        let (x, y) = (fs::read_to_string(a.join(f)).unwrap(), fs::read_to_string(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn charts_redraws_a_runs_charts_from_its_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    // Phases, manipulator marks and holdings (pump and dump); KPI series (subscriptions).
    for (case, duration) in [("pump_and_dump", "12h"), ("subscription_kpis", "1d")] {
        let (run, again) = (dir.path().join(case), dir.path().join(format!("{case}_again")));
        run_cli(case, duration, &run, &[]);
        charts(&run, &again, None);
        same_charts(&run, &again);
    }
    assert!(dir.path().join("subscription_kpis/kpis.csv").is_file());
}

#[test]
fn charts_reads_a_parquet_run_back() {
    let dir = tempfile::tempdir().unwrap();
    let (run, again) = (dir.path().join("run"), dir.path().join("again"));
    run_cli("pump_and_dump", "6h", &run, &["--format", "parquet"]);
    assert!(run.join("timeseries.parquet").is_file() && !run.join("timeseries.csv").exists());
    charts(&run, &again, None);
    same_charts(&run, &again);
}

#[test]
fn a_parquet_runs_charts_are_the_csv_runs_manipulator_marks_included() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, parquet, again) = (dir.path().join("csv"), dir.path().join("parquet"), dir.path().join("again"));
    run_cli("pump_and_dump", "6h", &csv, &[]);
    run_cli("pump_and_dump", "6h", &parquet, &["--format", "parquet"]);
    assert!(parquet.join("trades.parquet").is_file() && !parquet.join("trades.csv").exists());
    let price = fs::read_to_string(csv.join("price.svg")).unwrap();
    assert!(
        price.contains("accumulate trades (") && price.contains("pump trades ("),
        "the CSV run marks the whale's trades"
    );
    // The run's own charts, and the charts redrawn from the Parquet run's directory.
    same_charts(&csv, &parquet);
    charts(&parquet, &again, None);
    same_charts(&csv, &again);
    assert_eq!(fs::read(csv.join("price.png")).unwrap(), fs::read(parquet.join("price.png")).unwrap());
}

#[test]
fn a_window_zooms_the_run_and_the_redraw_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (full, zoomed, redrawn) = (dir.path().join("full"), dir.path().join("zoomed"), dir.path().join("redrawn"));
    run_cli("pump_and_dump", "12h", &full, &[]);
    run_cli("pump_and_dump", "12h", &zoomed, &["--window", "4h..4.5h"]);
    charts(&full, &redrawn, Some("14400..16200"));
    same_charts(&zoomed, &redrawn);
    let (whole, zoom) =
        (fs::read_to_string(full.join("price.svg")).unwrap(), fs::read_to_string(zoomed.join("price.svg")).unwrap());
    assert_ne!(whole, zoom, "the window changes the chart");
    // Half an hour reads in minutes, from 240 to 270.
    assert!(zoom.contains("time since start (min)") && zoom.contains(">\n240\n<") && zoom.contains(">\n270\n<"));
    assert!(whole.contains("time since start (h)"));
    // Default place of a windowed redraw: inside the run directory.
    mmsim().arg("charts").arg(&full).args(["--window", "1h..2h"]).assert().success();
    assert!(full.join("window_3600_7200/price.png").is_file());
}

#[test]
fn bad_windows_are_located_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    run_cli("wash_volume", "30m", &run, &[]);
    for (window, says) in [
        ("20m..10m", "must be after START"),
        ("10m..10m", "must be after START"),
        ("10m..2h", "ends after the run, which lasted 1800 s"),
        ("soon..later", "`soon` is not a time"),
        ("10m", "write START..END"),
    ] {
        let out = mmsim().arg("charts").arg(&run).args(["--window", window]).assert().code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(says), "charts --window {window}: {err}");
        let path = format!("{}/scenarios/wash_volume.toml", env!("CARGO_MANIFEST_DIR"));
        let out = mmsim()
            .args(["run", &path, "--set", "market.duration=\"30m\"", "--window", window, "--out"])
            .arg(dir.path().join("never"))
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(says), "run --window {window}: {err}");
    }
    assert!(!dir.path().join("never").exists(), "a bad window is refused before running");
    let out = mmsim().arg("charts").arg(dir.path().join("nowhere")).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("scenario.toml") && err.contains("nowhere"), "{err}");
}
