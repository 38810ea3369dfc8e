//! Every shipped scenario loads as is, and runs briefly (one simulated hour) with value conserved.

use std::fs;
use std::path::PathBuf;

use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load, Override};

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_loads_and_runs_an_hour() {
    let files = scenario_files();
    assert!(files.len() >= 10, "the case library is shipped: {files:?}");
    for path in files {
        let text = fs::read_to_string(&path).unwrap();
        if mmsim::experiments::is_experiment(&text) {
            continue; // run by its own test (tests/integration/avellaneda.rs)
        }
        let s = load(&path, &[]).unwrap_or_else(|e| panic!("{} does not load:\n{e}", path.display()));
        assert!(!s.description.is_empty(), "{} has a description", path.display());
        let short = [
            Override { key: "market.duration".into(), value: "\"1h\"".into() },
            Override { key: "market.sample_every".into(), value: "\"1m\"".into() },
        ];
        let s = load(&path, &short).unwrap_or_else(|e| panic!("{} with a 1h duration:\n{e}", path.display()));
        let out = run(&s, &RunOptions::default()).unwrap_or_else(|e| panic!("{} fails to run: {e:#}", path.display()));
        assert!(out.summary.conservation.ok, "{}", path.display());
        assert!(out.summary.events > 0, "{} does something", path.display());
        eprintln!("{}: {} events, {} trades", path.display(), out.summary.events, out.summary.volume.trades);
    }
}

#[test]
fn mmsim_check_passes_every_shipped_file() {
    for path in scenario_files() {
        assert_cmd::Command::cargo_bin("mmsim")
            .unwrap()
            .arg("check")
            .arg(&path)
            .assert()
            .success()
            .stdout(predicates::str::contains(": ok — "));
    }
}
