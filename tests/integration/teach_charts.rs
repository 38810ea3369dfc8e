//! The static charts that teach (issue 15): manipulator trades marked on the price chart, read
//! from the run's own `trades.csv`.

use std::fs;
use std::path::Path;

/// Runs `scenario` (shortened to `duration`) into `out` through the CLI.
pub fn run_cli(scenario: &str, duration: &str, out: &Path, extra: &[&str]) {
    let path = format!("{}/scenarios/{scenario}.toml", env!("CARGO_MANIFEST_DIR"));
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", &path, "--no-replay", "--set", &format!("market.duration=\"{duration}\""), "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// `n` with thousands separators, as the chart legends print counts.
fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_price_chart_marks_the_wash_traders_trades_with_their_count_from_trades_csv() {
    let dir = tempfile::tempdir().unwrap();
    run_cli("wash_volume", "30m", dir.path(), &[]);
    let trades = fs::read_to_string(dir.path().join("trades.csv")).unwrap();
    let mut rows = trades.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let wash = header.iter().position(|h| *h == "wash").unwrap();
    let n = rows.filter(|r| r.split(',').nth(wash) == Some("true")).count();
    assert!(n > 0, "the wash trader traded with itself");
    let svg = fs::read_to_string(dir.path().join("price.svg")).unwrap();
    let label = format!("wash trades ({})", grouped(n));
    assert!(svg.contains(&label), "price.svg's legend says `{label}`");
    // The marks are drawn in the wash colour (the replay page's), one dot per kept trade.
    let dots = svg.matches("<circle").filter(|c| c.is_empty()).count() + svg.matches("fill=\"#8E44AD\"").count();
    assert!(dots > 1, "wash trades drawn as dots ({dots})");
}
