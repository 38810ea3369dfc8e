//! Provenance: every output directory holds `scenario.toml`, the effective scenario after `--set`;
//! rerunning it gives byte-identical files (only `wall_seconds` and the invocation's `provenance`
//! in `summary.json` differ), and `summary.json` / `sweep.json` say what ran.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn mmsim(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("mmsim").unwrap().args(args).env_remove("CI").assert()
}

fn root(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel).display().to_string()
}

/// summary.json without the fields that describe the invocation rather than the run.
fn summary_sans_invocation(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("wall_seconds");
    o.remove("provenance");
    v
}

#[test]
fn scenario_toml_reruns_to_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, again) = (tmp.path().join("first"), tmp.path().join("again"));
    let scenario = root("scenarios/example_minimal.toml");
    mmsim(&[
        "run",
        &scenario,
        "--out",
        first.to_str().unwrap(),
        "--set",
        "agents.retail.count=40",
        "--seed",
        "5",
        "--no-charts",
        "--quiet",
    ])
    .success();
    let effective = first.join("scenario.toml");
    assert!(effective.is_file());
    mmsim(&["run", effective.to_str().unwrap(), "--out", again.to_str().unwrap(), "--no-charts", "--quiet"]).success();
    let mut names: Vec<String> =
        fs::read_dir(&first).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&"trades.csv".to_string()) && names.contains(&"scenario.toml".to_string()), "{names:?}");
    for name in &names {
        if name == "summary.json" {
            assert_eq!(summary_sans_invocation(&first), summary_sans_invocation(&again));
        } else {
            let (a, b) = (fs::read(first.join(name)).unwrap(), fs::read(again.join(name)).unwrap());
            assert!(a == b, "{name} differs after rerunning scenario.toml");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(first.join("summary.json")).unwrap()).unwrap();
    let p = &json["provenance"];
    assert_eq!(p["mmsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["seed"], 5);
    assert_eq!(p["overrides"], serde_json::json!(["agents.retail.count=40", "market.seed=5"]));
    assert_eq!(p["scenario_path"], scenario.as_str());
    assert_eq!(p["scenario_hash"].as_str().unwrap().len(), 16);
    assert!(p["command_line"].as_array().unwrap().iter().any(|a| a == "--seed"), "{p}");
    assert!(p.get("git_commit").is_some(), "the commit, or null outside git");
}

#[test]
fn a_sweep_records_its_provenance_and_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let scenario = root("scenarios/sweep_loan_size.toml");
    let short = ["--set", "market.duration=1h", "--set", "contracts.loan.tenor=1h", "--set", "agents.retail.count=10"];
    let mut args = vec!["sweep", scenario.as_str(), "--out", out.to_str().unwrap(), "--quiet"];
    args.extend(short);
    mmsim(&args).success();
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["provenance"]["overrides"][0], "market.duration=1h");
    let text = fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(text.contains("[sweep") && text.contains("duration = \"1h\""), "{text}");
    // The effective scenario sweeps to the same runs.
    let again = tmp.path().join("again");
    mmsim(&["sweep", out.join("scenario.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "--quiet"])
        .success();
    assert_eq!(fs::read(out.join("runs.csv")).unwrap(), fs::read(again.join("runs.csv")).unwrap());
}
