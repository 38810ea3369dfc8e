//! Issue 17 (hardening): values that `check` used to accept and `run` then panicked on, inputs that
//! grew memory without bound, and messages that were unplaced or unreadable. Each case starts from a
//! shipped scenario with one value changed in the file, runs the release-style CLI, and expects exit
//! 1 with the problem placed at `file:line:col` and the limit stated (or exit 0 where the value is
//! fine). `mmsim match` cases: binary input, timestamps, stale temporary files.

mod props;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use tempfile::TempDir;

fn shipped(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)).unwrap()
}

/// `name` from scenarios/ with `from` replaced by `to` (which must be there), written to a temp dir.
fn variant(name: &str, from: &str, to: &str) -> (TempDir, PathBuf) {
    let text = shipped(name);
    assert!(text.contains(from), "{name} has {from:?}");
    write_file(&text.replacen(from, to, 1))
}

/// The 1-based line of `name` (in scenarios/) where `needle` first occurs.
fn line_of(name: &str, needle: &str) -> usize {
    shipped(name).lines().position(|l| l.contains(needle)).expect("needle in the file") + 1
}

fn write_file(text: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.toml");
    fs::write(&path, text).unwrap();
    (dir, path)
}

/// `mmsim run FILE` (no charts, output in the temp dir) must exit 1, placing the problem at
/// `s.toml:LINE:` with `key`, and its message containing every one of `says`.
fn run_refuses(dir: &TempDir, path: &Path, line: usize, key: &str, says: &[&str]) {
    let mut assert = cargo_bin_cmd!("mmsim")
        .arg("run")
        .arg(path)
        .arg("--no-charts")
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("s.toml:{line}:")))
        .stderr(predicate::str::contains(key))
        .stderr(predicate::str::contains("panicked").not());
    for s in says {
        assert = assert.stderr(predicate::str::contains(*s));
    }
}

#[test]
fn project_tokens_at_i64_max_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "tokens = 2000000", "tokens = 9223372036854775807");
    run_refuses(&dir, &path, 18, "project.tokens", &["too large", "at most 1e18 lots"]);
}

#[test]
fn retail_token_sigma_15_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "median = 10000, sigma = 1.0", "median = 10000, sigma = 15");
    run_refuses(&dir, &path, 33, "agents.retail.tokens.sigma", &["15 is too large", "sigma may be at most"]);
}

#[test]
fn retail_cash_sigma_30_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "median = 500, sigma = 1.0", "median = 500, sigma = 30");
    run_refuses(&dir, &path, 32, "agents.retail.cash.sigma", &["30 is too large", "1e20 cash atoms"]);
}

#[test]
fn retail_cash_1e19_per_trader_is_too_large() {
    let (dir, path) =
        variant("example_minimal.toml", "cash = { dist = \"lognormal\", median = 500, sigma = 1.0 }", "cash = 1e19");
    run_refuses(&dir, &path, 32, "agents.retail.cash", &["too large", "1e20 cash atoms"]);
}

#[test]
fn passive_mm_max_inventory_at_i64_max_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "max_inventory = 50000", "max_inventory = 9223372036854775807");
    run_refuses(&dir, &path, 26, "agents.mm.passive_mm.max_inventory", &["too large", "at most 1e18"]);
}

#[test]
fn spread_bps_1e308_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "level_size = 1000 ", "spread_bps = 1e308\nlevel_size = 1000 ");
    run_refuses(&dir, &path, 25, "agents.mm.passive_mm.spread_bps", &["1e308 is too large", "at most 1000000"]);
}

#[test]
fn limit_offset_bps_1e308_is_too_large() {
    let text = shipped("example_minimal.toml") + "[agents.retail]\nlimit_offset_bps = 1e308\n";
    let (dir, path) = write_file(&text);
    let line = text.lines().count();
    run_refuses(&dir, &path, line, "agents.retail.retail.limit_offset_bps", &["too large", "at most 1000000"]);
}

#[test]
fn pump_dump_consensus_lift_1e19_is_too_large() {
    let (dir, path) = variant("pump_and_dump.toml", "consensus_lift_bps = 500 ", "consensus_lift_bps = 1e19 ");
    let line = line_of("pump_and_dump.toml", "consensus_lift_bps = 500 ");
    run_refuses(&dir, &path, line, "agents.whale.pump_dump.consensus_lift_bps", &["too large", "at most 1000000"]);
}

#[test]
fn whale_cash_1_5e23_is_too_large() {
    let (dir, path) = variant("pump_and_dump.toml", "cash = 150000", "cash = 1.5e23");
    let line = line_of("pump_and_dump.toml", "cash = 150000");
    run_refuses(&dir, &path, line, "agents.whale.cash", &["too large", "1e20 cash atoms"]);
}

#[test]
fn project_cash_near_the_decimal_limit_is_too_large() {
    let (dir, path) = variant("example_minimal.toml", "cash = 100000 ", "cash = \"7922816251426433759354395\" ");
    run_refuses(&dir, &path, 17, "project.cash", &["too large", "at most 1e20 cash atoms"]);
}

#[test]
fn project_cash_1e30_says_too_large_not_not_a_number() {
    let (dir, path) = variant("example_minimal.toml", "cash = 100000 ", "cash = 1e30 ");
    run_refuses(&dir, &path, 17, "project.cash", &["too large", "at most 79228162514264337593543950335"]);
}

#[test]
fn project_cash_7_92e24_says_too_large_with_the_limit() {
    let (dir, path) = variant("example_minimal.toml", "cash = 100000 ", "cash = 7.92e24 ");
    let says = ["too large", "1e20 cash atoms"];
    run_refuses(&dir, &path, 17, "project.cash", &says);
    let (dir, path) = variant("example_minimal.toml", "cash = 100000 ", "cash = 7.92e24 ");
    let out = cargo_bin_cmd!("mmsim").arg("check").arg(&path).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains("whole number of cash atoms"), "{err}");
    drop(dir);
}

/// The Avellaneda–Stoikov experiment with a volatility the accounts cannot cover.
fn experiment_with_sigma(sigma: &str) {
    let text = shipped("avellaneda_stoikov_2008.toml");
    let changed = text.replacen("sigma = 2 ", &format!("sigma = {sigma} "), 1);
    assert_ne!(text, changed);
    let (dir, path) = write_file(&changed);
    cargo_bin_cmd!("mmsim")
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("s.toml"))
        .stderr(predicate::str::contains("sigma = "))
        .stderr(predicate::str::contains(" is too large: over 200 steps"))
        .stderr(predicate::str::contains("sigma is at most"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn avellaneda_stoikov_sigma_10000_is_refused() {
    experiment_with_sigma("10000");
}

#[test]
fn avellaneda_stoikov_sigma_1e9_is_refused() {
    experiment_with_sigma("1e9");
}

#[test]
fn sample_every_1ns_is_refused_for_memory() {
    let (dir, path) = variant("example_minimal.toml", "sample_every = \"1m\"", "sample_every = \"1ns\"");
    run_refuses(&dir, &path, 14, "market.sample_every", &["of memory", "limit of 4.0 GB", "--max-memory"]);
}

#[test]
fn retail_count_u32_max_is_refused_for_memory() {
    let (dir, path) = variant("example_minimal.toml", "count = 100", "count = 4294967295");
    run_refuses(&dir, &path, 31, "agents.retail.count", &["TB of memory", "limit of 4.0 GB", "--max-memory"]);
}

#[test]
fn ten_million_retail_traders_fit_the_default_limit_but_not_a_lower_one() {
    let (_dir, path) = variant("example_minimal.toml", "count = 100", "count = 10000000");
    cargo_bin_cmd!("mmsim").arg("check").arg(&path).assert().success();
    let text = fs::read_to_string(&path).unwrap();
    let limits = mmsim::scenario::Limits { max_memory: 1_000_000_000, ..Default::default() };
    let err = mmsim::scenario::load_str_with(&text, "s.toml", &[], &limits).unwrap_err().to_string();
    assert!(err.contains("s.toml:31:") && err.contains("limit of 1.0 GB") && err.contains("--max-memory"), "{err}");
    // The flag the message names exists and lowers (or raises) the limit.
    cargo_bin_cmd!("mmsim")
        .args(["check", "--max-memory", "1G"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--max-memory"));
    cargo_bin_cmd!("mmsim").args(["check", "--max-memory", "lots"]).arg(&path).assert().code(1);
}

#[test]
fn latency_jitter_near_u64_max_is_refused() {
    let (dir, path) =
        variant("example_minimal.toml", "latency_jitter = \"5ms\"", "latency_jitter = \"18000000000000000000ns\"");
    run_refuses(&dir, &path, 35, "agents.retail.latency_jitter", &["too long", "at most 1d"]);
}

#[test]
fn type_errors_are_in_plain_words() {
    let (dir, path) = variant("example_minimal.toml", "seed = 42", "seed = -1");
    run_refuses(&dir, &path, 7, "market.seed", &["must be a whole number from 0 to 18446744073709551615"]);
    let out = cargo_bin_cmd!("mmsim").arg("check").arg(&path).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains("u64") && !err.contains("invalid type"), "{err}");
    let (dir2, path) = variant("example_minimal.toml", "count = 100", "count = 1.5");
    run_refuses(&dir2, &path, 31, "agents.retail.count", &["must be a whole number, got 1.5"]);
    drop(dir);
}

#[test]
fn a_group_may_not_be_named_exchange() {
    let (dir, path) = variant("example_minimal.toml", "name = \"mm\"", "name = \"exchange\"");
    run_refuses(&dir, &path, 21, "agents.exchange.name", &["reserved"]);
}

/// Through the library: the CLI reads the file as text first to tell experiments from scenarios
/// (src/cli.rs, `is_experiment_file`), which still reports "stream did not contain valid UTF-8"
/// without a place until that function reads bytes.
#[test]
fn a_file_that_is_not_utf8_is_placed_at_its_first_bad_byte() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.toml");
    fs::write(&path, b"[market]\nname = \"ab\xffc\"\n").unwrap();
    let err = mmsim::scenario::load(&path, &[]).unwrap_err().to_string();
    assert!(err.contains("s.toml:2:11: the file is not UTF-8"), "{err}");
    cargo_bin_cmd!("mmsim").arg("check").arg(&path).assert().code(1).stderr(predicate::str::contains("s.toml:2:11"));
}

#[test]
fn a_3000_deep_table_header_is_placed() {
    let header = vec!["a"; 3_000].join(".");
    let (dir, path) = write_file(&format!("[market]\nname = \"x\"\n[{header}]\n"));
    run_refuses(&dir, &path, 3, "", &["nested too deeply", "recursion limit"]);
}

#[test]
fn a_huge_file_with_cr_line_ends_gets_a_short_message() {
    let text = format!("[market]\r{}name = 1\r", "# a comment\r".repeat(250_000));
    let (_dir, path) = write_file(&text);
    let out = cargo_bin_cmd!("mmsim").arg("check").arg(&path).assert().code(1);
    let err = &out.get_output().stderr;
    assert!(err.len() < 4_000, "a {} byte message", err.len());
}

#[test]
fn shipped_scenarios_cite_no_missing_file() {
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains("DOMAIN.md"), "{} cites DOMAIN.md, which is not in the repository", path.display());
    }
}

fn mmsim_match(input: &Path, out: &Path) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("mmsim").arg("match").arg(input).args(["--tick", "0.01", "--lot", "1", "--out"]).arg(out).assert()
}

#[test]
fn match_refuses_binary_input_cleanly() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    mmsim_match(Path::new("/dev/zero"), &out)
        .code(1)
        .stderr(predicate::str::contains("line 1: a NUL byte: this is a binary file"));
    assert!(!out.exists());
    let long = dir.path().join("long.csv");
    fs::write(&long, "a".repeat(3 << 20)).unwrap();
    mmsim_match(&long, &out).code(1).stderr(predicate::str::contains("line 1: a line longer than"));
}

const HEADER: &str = "ts,trader,action,order_id,side,type,price,qty\n";

#[test]
fn match_refuses_an_unparsable_timestamp_with_its_line() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    fs::write(&input, format!("{HEADER}1,a,new,1,buy,limit,1,1\nsoon,a,new,2,buy,limit,1,1\n")).unwrap();
    mmsim_match(&input, &dir.path().join("out"))
        .code(1)
        .stderr(predicate::str::contains("in.csv: line 3: ts `soon` is not a timestamp"));
}

#[test]
fn match_refuses_a_decreasing_timestamp_with_its_line() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    let rows = "2024-05-01T09:30:01Z,a,new,1,buy,limit,1,1\n2024-05-01T09:30:00.5Z,a,new,2,buy,limit,1,1\n";
    fs::write(&input, format!("{HEADER}{rows}")).unwrap();
    mmsim_match(&input, &dir.path().join("out"))
        .code(1)
        .stderr(predicate::str::contains("line 3: ts `2024-05-01T09:30:00.5Z` is before the previous row's (line 2)"));
}

#[test]
fn match_uses_stable_temp_names_and_clears_stale_ones() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("in.csv");
    fs::write(&input, format!("{HEADER}1,a,new,1,buy,limit,1,1\n")).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    for stale in [".trades.csv.tmp", ".book.csv.4242.tmp", ".rejects.csv.tmp"] {
        fs::write(out.join(stale), "left by a killed run").unwrap();
    }
    fs::write(out.join(".notes.tmp"), "not ours").unwrap();
    mmsim_match(&input, &out).success();
    let mut names: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [".notes.tmp", "book.csv", "rejects.csv", "trades.csv"]);
}

#[test]
fn seed_and_set_work_on_the_experiment_file() {
    let dir = TempDir::new().unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/avellaneda_stoikov_2008.toml");
    let out = dir.path().join("as");
    cargo_bin_cmd!("mmsim")
        .args(["run", file, "--seed", "7", "--set", "experiment.simulations=20", "--set", "gammas=[0.1]", "--out"])
        .arg(&out)
        .assert()
        .success();
    let table = fs::read_to_string(out.join("as_table.csv")).unwrap();
    assert_eq!(table.lines().count(), 1 + 2, "one gamma, two strategies: {table}");
    cargo_bin_cmd!("mmsim")
        .args(["run", file, "--set", "experiment.nonsense=1", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no key `nonsense`"));
}
