//! `mmsim calibrate` on generated Binance raw streams of a market unlike the real sample (tick 0.5,
//! price about 412, lot 0.01, a 1–3 tick spread, a few hundred trades a minute): the replica runs
//! under `mmsim run`, and its own run files match the data's median spread, trades per minute and
//! median trade size within ±25%; bad input is a located error with exit 1.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What the generator wrote, measured by the test itself.
struct Truth {
    trades: usize,
    sizes: Vec<f64>,
    spreads: Vec<i64>,
    seconds: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A gzip Binance spot raw stream: a REST snapshot, then every 100 ms a diff of the levels that
/// changed, a bookTicker, and with probability 0.3 one taker order of 1–3 fills at the touch.
/// `max_trades` caps the trades written (None: no cap).
fn generate(path: &Path, seconds: u64, max_trades: Option<usize>) -> Truth {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let px = |t: i64| format!("{}.{}", t / 2, if t % 2 == 0 { "0" } else { "5" });
    let sz = |lots: u64| format!("{}.{:02}", lots / 100, lots % 100);
    let t0 = 1_700_000_000_000_000_000u64;
    let mut mid = 824i64; // ticks of 0.5: 412.0
    let mut bids = std::collections::BTreeMap::<i64, u64>::new();
    let mut asks = std::collections::BTreeMap::<i64, u64>::new();
    let mut out = String::new();
    let mut truth = Truth { trades: 0, sizes: Vec::new(), spreads: Vec::new(), seconds: 0.0 };
    let (mut id, mut trade_id) = (1_000u64, 1u64);
    for step in 0..=seconds * 10 {
        let t = t0 + step * 100_000_000;
        let ms = t / 1_000_000;
        if next() % 100 < 8 {
            mid += if next() % 2 == 0 { 1 } else { -1 };
        }
        let bid = mid - (next() % 2) as i64;
        let ask = mid + 1 + (next() % 2) as i64;
        let mut diff = (Vec::new(), Vec::new());
        for (book, best, dir, list) in [(&mut bids, bid, -1i64, &mut diff.0), (&mut asks, ask, 1, &mut diff.1)] {
            let keep: Vec<i64> = (0..12).map(|k| best + dir * k).collect();
            for p in book.keys().copied().filter(|p| !keep.contains(p)).collect::<Vec<_>>() {
                book.remove(&p);
                list.push(format!("[\"{}\",\"0.00\"]", px(p)));
            }
            for p in keep {
                if !book.contains_key(&p) || next() % 10 < 3 {
                    let q = 20 + next() % 400;
                    book.insert(p, q);
                    list.push(format!("[\"{}\",\"{}\"]", px(p), sz(q)));
                }
            }
        }
        if step == 0 {
            let side = |b: &std::collections::BTreeMap<i64, u64>| {
                b.iter().map(|(p, q)| format!("[\"{}\",\"{}\"]", px(*p), sz(*q))).collect::<Vec<_>>().join(",")
            };
            let _ =
                writeln!(out, "{t} {{\"lastUpdateId\":{id},\"bids\":[{}],\"asks\":[{}]}}", side(&bids), side(&asks));
        } else {
            let _ = writeln!(
                out,
                "{t} {{\"stream\":\"xyzusdt@depth@100ms\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{ms},\"s\":\"XYZUSDT\",\"U\":{},\"u\":{},\"b\":[{}],\"a\":[{}]}}}}",
                id + 1,
                id + 3,
                diff.0.join(","),
                diff.1.join(",")
            );
            id += 3;
        }
        let _ = writeln!(
            out,
            "{} {{\"stream\":\"xyzusdt@bookTicker\",\"data\":{{\"u\":{id},\"s\":\"XYZUSDT\",\"b\":\"{}\",\"B\":\"{}\",\"a\":\"{}\",\"A\":\"{}\"}}}}",
            t + 500,
            px(bid),
            sz(bids[&bid]),
            px(ask),
            sz(asks[&ask])
        );
        truth.spreads.push(ask - bid);
        if next() % 10 < 3 {
            let buy = next() % 2 == 0;
            for k in 0..1 + next() % 3 {
                if max_trades.is_some_and(|m| truth.trades >= m) {
                    break;
                }
                let lots = if next() % 10 < 3 { [10, 20, 50, 100][(next() % 4) as usize] } else { 1 + next() % 60 };
                let _ = writeln!(
                    out,
                    "{} {{\"stream\":\"xyzusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":{ms},\"s\":\"XYZUSDT\",\"t\":{trade_id},\"p\":\"{}\",\"q\":\"{}\",\"T\":{},\"m\":{}}}}}",
                    t + 1_000 + k,
                    px(if buy { ask } else { bid }),
                    sz(lots),
                    ms + 50,
                    !buy
                );
                trade_id += 1;
                truth.trades += 1;
                truth.sizes.push(lots as f64 / 100.0);
            }
        }
    }
    truth.seconds = seconds as f64;
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
    gz.write_all(out.as_bytes()).unwrap();
    gz.finish().unwrap();
    truth
}

fn mmsim() -> Command {
    Command::cargo_bin("mmsim").unwrap()
}

fn within(real: f64, replica: f64) -> bool {
    ((replica - real) / real).abs() <= 0.25
}

#[test]
fn calibrate_fits_an_unseen_market_and_its_replica_runs_within_25_percent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("xyzusdt.gz");
    let mut truth = generate(&data, 600, None);
    let out = dir.path().join("fit").join("replica.toml");
    let ok = mmsim().args(["calibrate", data.to_str().unwrap(), "--out", out.to_str().unwrap()]).assert().success();
    let stdout = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
    assert_eq!(stdout.matches("within ±25%").count(), 3, "{stdout}");

    // The calibration's real figures are the generator's.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_file_name("calibration.json")).unwrap()).unwrap();
    let real = &json["real"];
    let mut spreads: Vec<f64> = truth.spreads.iter().map(|&s| s as f64).collect();
    assert_eq!(real["median_spread_ticks"].as_f64().unwrap(), median(&mut spreads));
    let tpm = truth.trades as f64 / (truth.seconds / 60.0);
    assert!((real["trades_per_min"].as_f64().unwrap() / tpm - 1.0).abs() < 0.01, "{real} vs {tpm}");
    let size = median(&mut truth.sizes);
    assert!((real["median_trade_size"].as_f64().unwrap() - size).abs() < 1e-9, "{real} vs {size}");
    assert_eq!(json["tick"], "0.5");
    assert_eq!(json["lot"], "0.01");
    assert_eq!(json["all_within_25pct"], true, "{}", json["comparisons"]);
    let ids: Vec<&str> = json["panels"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    for id in ["spread", "returns_1m", "acf_abs_returns", "inter_arrival", "trade_sizes", "depth_profile"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let html = std::fs::read_to_string(out.with_file_name("calibration.html")).unwrap();
    assert!(html.matches("<svg").count() >= 6 && html.contains("KS distance") && html.contains("excess kurtosis"));

    // `mmsim run` accepts the replica, and its own run files reproduce the three figures.
    let run = dir.path().join("run");
    mmsim().args(["run", out.to_str().unwrap(), "--out", run.to_str().unwrap(), "--no-charts"]).assert().success();
    let mut trades = csv::Reader::from_path(run.join("trades.csv")).unwrap();
    let mut sizes: Vec<f64> = trades.records().map(|r| r.unwrap()[3].parse::<f64>().unwrap()).collect();
    let n = sizes.len() as f64;
    assert!(within(tpm, n / 10.0), "replica {} trades/min vs {tpm}", n / 10.0);
    assert!(within(size, median(&mut sizes)), "replica median size {} vs {size}", median(&mut sizes));
    let mut ts = csv::Reader::from_path(run.join("timeseries.csv")).unwrap();
    let header = ts.headers().unwrap().clone();
    let (b, a) =
        (header.iter().position(|h| h == "best_bid").unwrap(), header.iter().position(|h| h == "best_ask").unwrap());
    let mut spread: Vec<f64> = ts
        .records()
        .map(|r| r.unwrap())
        .filter(|r| !r[a].is_empty() && !r[b].is_empty())
        .map(|r| ((r[a].parse::<f64>().unwrap() - r[b].parse::<f64>().unwrap()) / 0.5).round())
        .collect();
    assert!(within(median(&mut spreads), median(&mut spread)), "replica spread {} ticks", median(&mut spread));
}

fn refused(args: &[&str]) -> String {
    let failed = mmsim().args(args).assert().failure().code(1);
    let err = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn calibrate_refuses_too_little_or_unreadable_data_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("replica.toml");
    let out = out.to_str().unwrap();
    for (trades, expect) in [(0, "0 trade(s)"), (1, "1 trade(s)")] {
        let data = dir.path().join(format!("few_{trades}.gz"));
        generate(&data, 90, Some(trades));
        let err = refused(&["calibrate", data.to_str().unwrap(), "--out", out]);
        assert!(err.contains(&format!("few_{trades}.gz")) && err.contains(expect), "{err}");
    }
    let missing: PathBuf = dir.path().join("missing.gz");
    let err = refused(&["calibrate", missing.to_str().unwrap(), "--out", out]);
    assert!(err.contains("missing.gz") && err.contains("cannot read"), "{err}");

    // A gzip file cut in the middle: the error names the file and the last line read.
    let whole = dir.path().join("whole.gz");
    generate(&whole, 60, None);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(&["calibrate", cut.to_str().unwrap(), "--out", out]);
    assert!(err.contains("cut.gz:") && err.contains("truncated or corrupt"), "{err}");
    assert!(!Path::new(out).exists(), "no replica is written on error");
}
