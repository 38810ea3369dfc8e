//! `mmsim sweep`: sharded-and-merged output equals unsharded, `--jobs 1` equals `--jobs 2`, an
//! interrupted sweep resumes to the same files, and a bad `[sweep]` table fails before any run
//! with the key and its place in the file.
//!
//! The sweeps run `scenarios/sweep_loan_size.toml` (8 points × 4 replicates) shortened with
//! `--set` so the tests stay quick in a debug build.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const SCENARIO: &str = "scenarios/sweep_loan_size.toml";
/// Shorter runs: six hours, a smaller crowd.
const SHORT: [&str; 6] =
    ["--set", "market.duration=6h", "--set", "contracts.loan.tenor=6h", "--set", "agents.retail.count=30"];

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)
}

fn sweep(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("mmsim").unwrap().arg("sweep").args(args).env_remove("CI").assert()
}

fn sweep_to(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let s = scenario();
    let mut args = vec![s.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(SHORT);
    args.extend(extra);
    sweep(&args)
}

/// Every file in `dir` (names and bytes), sorted by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb), "same files in {} and {}", a.display(), b.display());
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        if name == "sweep.json" {
            // Its `provenance` records the invocation (command line): the rest must agree.
            let strip = |bytes: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                v.as_object_mut().unwrap().remove("provenance");
                v
            };
            assert_eq!(strip(x), strip(y), "sweep.json differs between {} and {}", a.display(), b.display());
            continue;
        }
        assert!(x == y, "{name} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn sharded_and_merged_equals_unsharded_and_jobs_do_not_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, one_job) = (tmp.path().join("whole"), tmp.path().join("one_job"));
    sweep_to(&whole, &["--jobs", "2"]).success();
    sweep_to(&one_job, &["--jobs", "1"]).success();
    assert_same(&whole, &one_job);

    let names = ["runs.csv", "points.csv", "sweep.json", "heatmap_project_outcome.png", "heatmap_project_outcome.svg"];
    for f in names {
        assert!(whole.join(f).is_file(), "{f} written");
    }
    let runs = fs::read_to_string(whole.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 32, "a header and 8 points × 4 replicates");
    assert!(runs.starts_with("point,point_id,replicate,seed,contracts.loan.tokens,agents.mm.passive_mm.spread_bps,"));
    assert_eq!(fs::read_to_string(whole.join("points.csv")).unwrap().lines().count(), 1 + 8);

    let shards: Vec<PathBuf> = (1..=3).map(|k| tmp.path().join(format!("shard{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        sweep_to(dir, &["--shard", &format!("{}/3", k + 1), "--jobs", "1"]).success();
        assert!(!dir.join("points.csv").exists(), "a shard writes only runs.csv and sweep.json");
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["--merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    sweep(&args).success();
    assert_same(&whole, &merged);

    // A missing shard is an error that says so.
    let partial = tmp.path().join("partial");
    sweep(&["--merge", shards[0].to_str().unwrap(), "--out", partial.to_str().unwrap()])
        .failure()
        .stderr(predicates::str::contains("runs are missing"));
}

#[test]
fn an_interrupted_sweep_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, resumed) = (tmp.path().join("whole"), tmp.path().join("resumed"));
    sweep_to(&whole, &["--shard", "2/2"]).success();
    // Fake an interruption: the tag and header, three finished runs and a cut-off fourth.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(whole.join("sweep.json")).unwrap()).unwrap();
    let runs = fs::read_to_string(whole.join("runs.csv")).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    let tag = format!("# mmsim sweep {} shard 2/2", manifest["fingerprint"].as_str().unwrap());
    let partial = format!("{tag}\n{}\n{}\n{}", lines[..4].join("\n"), &lines[4][..10], "");
    fs::create_dir_all(&resumed).unwrap();
    fs::write(resumed.join(".runs.partial.csv"), partial.trim_end_matches('\n')).unwrap();
    sweep_to(&resumed, &["--shard", "2/2"]).success().stderr(predicates::str::contains("resuming: 3 run(s)"));
    assert!(!resumed.join(".runs.partial.csv").exists(), "the partial file is removed when done");
    assert_same(&whole, &resumed);
}

#[test]
fn an_invalid_spec_fails_before_any_run_naming_the_key_and_place() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(scenario()).unwrap();
    let cut = text.find("[sweep.grid]").unwrap();
    let bad = format!(
        "{}[sweep.grid]\n\"contracts.loan.tokens\" = [250000, \"many\"]\n\"agents.retail.count\" = []\n",
        &text[..cut]
    );
    let line = bad[..bad.find("\"contracts.loan.tokens\"").unwrap()].lines().count() + 1;
    let file = tmp.path().join("bad.toml");
    fs::write(&file, bad).unwrap();
    let out = tmp.path().join("out");
    let assert = sweep(&[file.to_str().unwrap(), "--out", out.to_str().unwrap()]).failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!("bad.toml:{line}:36: sweep.grid.contracts.loan.tokens: value \"many\"")),
        "names the value's key and place:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("bad.toml:{}:25: sweep.grid.agents.retail.count: empty list", line + 1)),
        "names the empty list:\n{stderr}"
    );
    assert!(!out.exists(), "nothing ran and nothing was written");

    // An unknown metric is named too.
    let text = fs::read_to_string(&file).unwrap().replace("\"conservation_ok\"]", "\"sharpe\"]");
    fs::write(&file, text).unwrap();
    sweep(&[file.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .failure()
        .stderr(predicates::str::contains("sweep.metrics: unknown metric \"sharpe\""));
}

#[test]
fn charts_for_best_writes_a_full_report_for_the_best_point() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let assert = sweep_to(&out, &["--charts-for", "best"]).success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("runs/s"), "the closing line gives the rate:\n{stdout}");
    let points: Vec<PathBuf> = fs::read_dir(out.join("points")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(points.len(), 1, "one point: the best");
    for f in ["summary.json", "report.html", "price.png"] {
        assert!(points[0].join(f).is_file(), "{f} in {}", points[0].display());
    }
    let name = points[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("contracts.loan.tokens=") && name.contains(",agents.mm.passive_mm.spread_bps="),
        "named by the point's parameters: {name}"
    );
}

#[test]
fn check_validates_every_sweep_point_and_sweep_needs_a_sweep_table() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(scenario()).unwrap();
    let bad = text
        .replace("\"agents.mm.passive_mm.spread_bps\" = [40, 120]", "\"agents.mm.passive_mm.spread_bps\" = [40, -5]");
    let line = bad[..bad.find("\"agents.mm.passive_mm.spread_bps\" = [40, -5]").unwrap()].lines().count() + 1;
    let file = tmp.path().join("bad.toml");
    fs::write(&file, bad).unwrap();
    Command::cargo_bin("mmsim").unwrap().args(["check", file.to_str().unwrap()]).assert().failure().stderr(
        predicates::str::contains(format!("bad.toml:{line}:42: sweep.grid.agents.mm.passive_mm.spread_bps: value -5")),
    );
    Command::cargo_bin("mmsim")
        .unwrap()
        .args(["check", scenario().to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicates::str::contains("[sweep]: 8 point(s) × 4 replicate(s), every point valid"));
    let plain = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example_minimal.toml");
    sweep(&[plain.to_str().unwrap(), "--out", tmp.path().join("out").to_str().unwrap()])
        .failure()
        .stderr(predicates::str::contains("no [sweep] table"));
    // A --set on a swept key.
    sweep(&[
        scenario().to_str().unwrap(),
        "--set",
        "contracts.loan.tokens=5",
        "--out",
        tmp.path().join("o").to_str().unwrap(),
    ])
    .failure()
    .stderr(predicates::str::contains("sweep.grid.contracts.loan.tokens: also set by --set contracts.loan.tokens=5"));
}

#[test]
fn merge_refuses_shards_it_cannot_trust() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard1");
    sweep_to(&shard, &["--shard", "1/2", "--jobs", "1"]).success();
    let copy = |name: &str, edit: &dyn Fn(&str, &str) -> (String, String)| {
        let dir = tmp.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        let json = fs::read_to_string(shard.join("sweep.json")).unwrap();
        let runs = fs::read_to_string(shard.join("runs.csv")).unwrap();
        let (json, runs) = edit(&json, &runs);
        fs::write(dir.join("sweep.json"), json).unwrap();
        fs::write(dir.join("runs.csv"), runs).unwrap();
        dir
    };
    // A scenario name that would escape output/ when --out is left out.
    let evil = copy("evil", &|j, r| (j.replace("\"sweep_loan_size\"", "\"../../etc\""), r.to_string()));
    sweep(&["--merge", evil.to_str().unwrap()]).failure().stderr(predicates::str::contains("not a plain name"));
    // A row whose point is not in the sweep (it would be averaged in while a real run is missing).
    let stray = copy("stray", &|j, r| {
        let mut lines: Vec<String> = r.lines().map(str::to_string).collect();
        let fields: Vec<&str> = lines[1].splitn(2, ',').collect();
        lines[1] = format!("99,{}", fields[1]);
        (j.to_string(), lines.join("\n") + "\n")
    });
    let out = tmp.path().join("merged");
    sweep(&["--merge", stray.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .failure()
        .stderr(predicates::str::contains("is not a run of this sweep"));
    assert!(!out.exists(), "nothing written");
}
