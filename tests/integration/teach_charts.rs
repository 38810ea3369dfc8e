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

#[test]
fn a_run_writes_the_holdings_chart_per_group_and_the_report_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    run_cli("pump_and_dump", "2h", dir.path(), &[]);
    let png = fs::read(dir.path().join("holdings.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "holdings.png is a PNG");
    let svg = fs::read_to_string(dir.path().join("holdings.svg")).unwrap();
    assert!(svg.contains("tokens held") && svg.contains("cash held"), "both panels");
    // Every agent group of agents.csv is in the legend, with its end holdings.
    let agents = fs::read_to_string(dir.path().join("agents.csv")).unwrap();
    let rows = agents.lines().skip(1).map(|l| l.split(',').collect::<Vec<_>>());
    let not_groups = ["exchange", "project", "account"];
    let groups: Vec<String> = rows.filter(|r| !not_groups.contains(&r[2])).map(|r| r[1].to_string()).collect();
    assert!(groups.len() >= 2, "{groups:?}");
    for g in groups {
        let named = svg.contains(&format!("\n{g} (")) || svg.contains(&format!("\n{g}: "));
        assert!(named, "{g} is in the holdings legend");
    }
    assert!(svg.contains("at end"), "end holdings in the legend");
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"chart-holdings\""), "report.html shows the holdings chart");
}
