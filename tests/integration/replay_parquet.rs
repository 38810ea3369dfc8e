//! `replay.html` of a `--format parquet` run: built from `orders.parquet` read back, it is the page
//! of the same run with `orders.csv`, byte for byte.

use std::fs;

#[test]
fn a_parquet_run_writes_the_same_replay_page_as_a_csv_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = format!("{}/scenarios/spoofing.toml", env!("CARGO_MANIFEST_DIR"));
    let run = |name: &str, format: &str| {
        let out = dir.path().join(name);
        assert_cmd::Command::cargo_bin("mmsim")
            .unwrap()
            .args(["run", &path, "-q", "--set", "market.duration=\"30m\"", "--format", format, "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (csv, parquet) = (run("csv", "csv"), run("parquet", "parquet"));
    assert!(parquet.join("orders.parquet").is_file() && !parquet.join("orders.csv").exists());
    let (a, b) = (fs::read(csv.join("replay.html")).unwrap(), fs::read(parquet.join("replay.html")).unwrap());
    assert!(a.len() > 10_000, "a real page");
    assert!(a == b, "replay.html differs between the CSV and the Parquet run ({} vs {} bytes)", a.len(), b.len());
}
