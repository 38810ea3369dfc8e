//! Golden outputs: every shipped scenario, run with its shipped seed, writes the same `trades.csv`,
//! `timeseries.csv`, `agents.csv` and `contracts.csv` (and the experiment's `as_table.csv`) as the
//! fingerprints recorded in `tests/golden/outputs.tsv`, byte for byte.
//!
//! A refactor must leave them unchanged. A change that is meant to alter a run's output re-records
//! them with `MMSIM_BLESS_GOLDEN=1 cargo test --test integration golden`, and the diff of
//! `outputs.tsv` shows which files moved.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const FILES: [&str; 6] = ["trades.csv", "orders.csv", "timeseries.csv", "agents.csv", "contracts.csv", "as_table.csv"];

fn manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/outputs.tsv")
}

/// FNV-1a over the file's bytes: a fingerprint, not a defence against forgery.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn fingerprints() -> String {
    let mut files: Vec<PathBuf> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let tmp = tempfile::tempdir().unwrap();
    let mut table = String::from("scenario\tfile\tbytes\tfnv1a64\n");
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = tmp.path().join(&name);
        assert_cmd::Command::cargo_bin("mmsim")
            .unwrap()
            .args(["run", "--no-charts", "--out"])
            .arg(&out)
            .arg(&path)
            .assert()
            .success();
        for file in FILES {
            if let Ok(bytes) = fs::read(out.join(file)) {
                writeln!(table, "{name}\t{file}\t{}\t{:016x}", bytes.len(), fnv1a(&bytes)).unwrap();
            }
        }
    }
    table
}

#[test]
fn shipped_scenarios_write_their_golden_outputs() {
    let now = fingerprints();
    if std::env::var_os("MMSIM_BLESS_GOLDEN").is_some() {
        fs::write(manifest(), &now).unwrap();
        return;
    }
    let recorded =
        fs::read_to_string(manifest()).expect("tests/golden/outputs.tsv (record it with MMSIM_BLESS_GOLDEN=1)");
    let moved: Vec<String> = recorded
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  recorded {a}\n  now      {b}"))
        .collect();
    assert!(
        moved.is_empty() && recorded.lines().count() == now.lines().count(),
        "outputs differ from tests/golden/outputs.tsv:\n{}\n(if the change is intended: MMSIM_BLESS_GOLDEN=1)",
        moved.join("\n")
    );
}
