//! Ground-truth labels are right: wash means the same beneficial owner on both sides (never two
//! strangers of one crowd), and every spoof order is in `orders.csv` with intent `spoof`.

use std::fs;
use std::path::{Path, PathBuf};

use mmsim::agents::{Agent, AnyAgent};
use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load, Override, Scenario};
use rayon::prelude::*;

/// A 20-minute market with a five-level passive MM and 200 retail traders, to which a test adds
/// the manipulator it checks.
fn market_with_mm_and_crowd(name: &str, seed: u64) -> String {
    format!(
        r#"
[market]
name = "{name}"
seed = {seed}
tick = "0.0001"
lot = "1"
open_price = 1.0
taker_fee_bps = 10
duration = "20m"
sample_every = "1m"

[[agents]]
name = "mm"
kind = "passive_mm"
cash = 500000
tokens = 500000
[agents.passive_mm]
spread_bps = 20
levels = 5
level_size = 1000

[[agents]]
name = "retail"
kind = "retail"
count = 200
cash = 1000
tokens = 1000
"#
    )
}

fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| !mmsim::experiments::is_experiment(&fs::read_to_string(p).unwrap()))
        .collect();
    files.sort();
    files
}

fn short(path: &Path, duration: &str) -> Scenario {
    let sets = [
        Override { key: "market.duration".into(), value: format!("\"{duration}\"") },
        Override { key: "market.sample_every".into(), value: "\"1m\"".into() },
    ];
    load(path, &sets).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of a CSV file as maps from column name to value.
fn rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn no_wash_trade_between_different_owners_on_any_shipped_case() {
    let checked: Vec<(String, usize, usize)> = shipped()
        .par_iter()
        .map(|path| {
            let s = short(path, "20m");
            let dir = tempfile::tempdir().unwrap();
            run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), ..RunOptions::default() })
                .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
            let (h, trades) = rows(&dir.path().join("trades.csv"));
            let [wash, ma, ta, mk, tk] =
                ["wash", "maker_account", "taker_account", "maker_agent", "taker_agent"].map(|c| col(&h, c));
            let mut n_wash = 0;
            for row in &trades {
                let same_owner = row[ma] == row[ta] || row[mk] == row[tk];
                assert_eq!(row[wash] == "true", same_owner, "{}: {row:?}", path.display());
                n_wash += usize::from(same_owner);
            }
            (path.display().to_string(), trades.len(), n_wash)
        })
        .collect();
    for (name, trades, wash) in checked {
        eprintln!("{name}: {trades} trades, {wash} same-owner wash");
    }
}

#[test]
fn every_spoof_order_is_in_the_order_log_with_intent_spoof() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/spoofing.toml");
    let s = short(&path, "30m");
    let dir = tempfile::tempdir().unwrap();
    let out = run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), ..RunOptions::default() }).unwrap();
    let slot = out.built.sim.slots().iter().find(|s| s.name == "spoofer").expect("a spoofer");
    let AnyAgent::Spoofer(spoofer) = &slot.agent else { panic!("spoofer is a spoofer") };
    assert!(slot.agent.phase().is_some(), "the spoofer reports its phase");
    let stats = spoofer.stats();

    let (h, orders) = rows(&dir.path().join("orders.csv"));
    let [event, group, kind, intent] = ["event", "group", "type", "intent"].map(|c| col(&h, c));
    let mine: Vec<&Vec<String>> = orders.iter().filter(|r| r[group] == "spoofer").collect();
    let arrived = mine.iter().filter(|r| r[event] == "new" || (r[event] == "reject" && !r[kind].is_empty())).count();
    assert_eq!(arrived as u64, stats.sent, "every order the spoofer sent is logged on arrival");
    let spoofs_new = mine.iter().filter(|r| r[event] == "new" && r[intent] == "spoof").count();
    let post_only_new = mine.iter().filter(|r| r[event] == "new" && r[kind] == "post_only").count();
    assert!(spoofs_new > 10, "{spoofs_new} spoofs");
    assert_eq!(spoofs_new, post_only_new, "spoofs are the spoofer's post-only orders, all labelled spoof");
    assert!(mine.iter().all(|r| r[intent] == "spoof" || r[intent] == "exploit"), "every order is labelled");
    let cancels = mine.iter().filter(|r| r[event] == "cancel" && r[intent] == "spoof").count();
    assert!(cancels as u64 <= stats.cancelled && cancels > 0);
    let (th, timeseries) = rows(&dir.path().join("timeseries.csv"));
    let phase = col(&th, "phase");
    assert!(timeseries.iter().any(|r| r[phase].starts_with("spoof_")), "timeseries shows the spoofer's phase");
}

#[test]
fn a_wash_ring_is_one_owner_on_several_accounts_and_the_ring_detector_finds_it_without_owners() {
    let toml = market_with_mm_and_crowd("ring_check", 5)
        + r#"
[[agents]]
name = "ring"
kind = "wash_ring"
cash = 1000000
tokens = 1000000
[agents.wash_ring]
accounts = 4
interval = "20s"
clip_tokens = 5000
"#;
    let s = mmsim::scenario::load_str(&toml, "ring_check.toml", &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), ..RunOptions::default() }).unwrap();
    let (h, trades) = rows(&dir.path().join("trades.csv"));
    let [wash, ma, ta, mk] = ["wash", "maker_account", "taker_account", "maker_agent"].map(|c| col(&h, c));
    let ring: Vec<&Vec<String>> =
        trades.iter().filter(|r| r[ma].starts_with("ring/") && r[ta].starts_with("ring/")).collect();
    assert!(ring.len() > 20, "{} ring trades", ring.len());
    assert!(
        ring.iter().all(|r| r[wash] == "true" && r[ma] != r[ta] && r[mk] == "ring"),
        "one owner, two accounts: wash"
    );
    let accounts: std::collections::BTreeSet<&str> = ring.iter().map(|r| r[ma].as_str()).collect();
    assert_eq!(accounts.len(), 4, "{accounts:?}");

    // The detector sees only accounts: strip the owner and label columns.
    let ext = tempfile::tempdir().unwrap();
    let mut csv = String::from("t,price,qty,aggressor_side,maker_account,taker_account\n");
    let [t, price, qty, side] = ["t", "price", "qty", "aggressor_side"].map(|c| col(&h, c));
    for r in &trades {
        csv.push_str(&format!("{},{},{},{},{},{}\n", r[t], r[price], r[qty], r[side], r[ma], r[ta]));
    }
    fs::write(ext.path().join("trades.csv"), csv).unwrap();
    let data = mmsim::detect::load(ext.path()).unwrap();
    assert!(!data.labelled);
    let f = mmsim::detect::detect(&data, &mmsim::detect::Thresholds::default());
    let flagged = f.ring_trades.iter().filter(|&&i| data.trades[i].maker_account.starts_with("ring/")).count();
    assert_eq!(flagged, f.ring_trades.len(), "only ring trades are flagged");
    assert!(flagged * 10 >= ring.len() * 9, "{flagged} of {} ring trades found", ring.len());
}

#[test]
fn kpi_gamers_label_their_orders_and_the_kpi_detector_finds_them_but_not_the_honest_mm() {
    for (variant, gamer) in [
        ("flicker", "flicker = true\nlead = \"1s\"\nhold = \"1s\"\n"),
        ("park", "flicker = false\npark_at_band = true\npark_inside_bps = 5\n"),
    ] {
        let toml = market_with_mm_and_crowd("kpi_check", 11)
            + &format!(
                r#"
[[agents]]
name = "gamer"
kind = "kpi_gamer"
cash = 100000
tokens = 100000
[agents.kpi_gamer]
{gamer}"#
            );
        let s = mmsim::scenario::load_str(&toml, "kpi_check.toml", &[]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        run(&s, &RunOptions { out_dir: Some(dir.path().to_path_buf()), ..RunOptions::default() }).unwrap();
        let data = mmsim::detect::load(dir.path()).unwrap();
        let gamer_orders: Vec<_> = data.orders.iter().filter(|o| o.agent == "gamer" && o.event == "new").collect();
        assert!(gamer_orders.len() > 100, "{variant}: {} orders", gamer_orders.len());
        assert!(gamer_orders.iter().all(|o| o.intent == "kpi_gaming"), "{variant}: every order labelled");
        if variant == "flicker" {
            // Placed 1 s before a 10-s snapshot instant (plus latency).
            assert!(
                gamer_orders.iter().all(|o| (o.t + 1.0).rem_euclid(10.0) < 0.5),
                "{variant}: placed before snapshots"
            );
        }
        let f = mmsim::detect::detect(&data, &mmsim::detect::Thresholds::default());
        assert_eq!(f.kpi_owners, ["gamer"], "{variant}");
        let scores = mmsim::detect::score(&data, &f);
        let kpi = scores.iter().find(|r| r.detector == "kpi_gaming").unwrap();
        assert_eq!((kpi.precision, kpi.recall), (Some(1.0), Some(1.0)), "{variant}");
    }
}
