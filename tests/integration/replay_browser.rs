//! `replay.html` in a real headless Chromium: a run's page opened at a `#t=…&group=…` moment
//! shows the book ladder, the phase and the trades' intents that the run's own files give for that
//! moment (computed here, independently, from `orders.csv`, `trades.csv` and `timeseries.csv`),
//! and "next move" steps to the group's next order event.
//!
//! Chromium comes from the system's packages: `scripts/install-chromium.sh` installs it when it is
//! missing and it can (root and apt-get); otherwise the test fails saying so. `MMSIM_CHROMIUM`
//! names another binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MMSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|n| which(n))
}

/// The browser, installed by the project's script when missing.
fn chromium() -> PathBuf {
    if let Some(p) = find_chromium() {
        return p;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-chromium.sh");
    let _ = Command::new("bash").arg(script).status();
    find_chromium().unwrap_or_else(|| {
        panic!(
            "the replay browser test needs Chromium and it could not be installed \
             (scripts/install-chromium.sh needs root and apt-get): install the `chromium` package, \
             or set MMSIM_CHROMIUM to a Chromium or Chrome binary"
        )
    })
}

/// The DOM of `url` after its scripts ran.
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("running chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The value of attribute `name` in the tag starting at `tag`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let end = tag.find('>')?;
    let head = &tag[..end];
    let key = format!(" {name}=\"");
    let at = head.find(&key)? + key.len();
    let len = head[at..].find('"')?;
    Some(head[at..at + len].replace("&amp;", "&"))
}

/// Every tag opening with `open` inside the element with id `id`.
fn tags<'a>(dom: &'a str, id: &str, open: &str) -> Vec<&'a str> {
    let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in the page"));
    let end = dom[start..].find("</table>").map_or(dom.len(), |e| start + e);
    let mut out = Vec::new();
    let mut at = start;
    while let Some(k) = dom[at..end].find(open) {
        out.push(&dom[at + k..]);
        at += k + open.len();
    }
    out
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
}

/// Milliseconds, rounded up, of a time in seconds.
fn ms(s: &str) -> i64 {
    let ns = (dec(s) * Decimal::from(1_000_000_000)).trunc();
    let ns: i64 = ns.to_string().parse().unwrap();
    (ns + 999_999) / 1_000_000
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    r.records().map(|rec| header.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect()).collect()
}

/// Levels `(price, size, group's size)`, asks then bids, best first on each side, top 10.
type Ladder = (Vec<(Decimal, Decimal, Decimal)>, Vec<(Decimal, Decimal, Decimal)>);

/// The book after every order event at or before `t_ms`, from each order's `remaining`.
fn book_at(orders: &[BTreeMap<String, String>], t_ms: i64, group: &str) -> Ladder {
    let mut live: BTreeMap<String, (bool, Decimal, Decimal, bool)> = BTreeMap::new();
    for o in orders.iter().filter(|o| ms(&o["t"]) <= t_ms) {
        let id = o["order_id"].clone();
        match o["event"].as_str() {
            "new" if matches!(o["type"].as_str(), "limit" | "post_only") => {
                live.insert(id, (o["side"] == "buy", dec(&o["price"]), dec(&o["remaining"]), o["group"] == group));
            }
            "fill" => {
                if let Some(e) = live.get_mut(&id) {
                    e.2 = dec(&o["remaining"]);
                }
            }
            "cancel" | "expire" => {
                live.remove(&id);
            }
            _ => {}
        }
    }
    let mut sides: [BTreeMap<Decimal, (Decimal, Decimal)>; 2] = Default::default();
    for (bid, price, rem, mine) in live.values().filter(|e| e.2 > Decimal::ZERO) {
        let e = sides[usize::from(*bid)].entry(*price).or_default();
        e.0 += rem;
        if *mine {
            e.1 += rem;
        }
    }
    let asks = sides[0].iter().take(10).map(|(p, (q, m))| (*p, *q, *m)).collect();
    let bids = sides[1].iter().rev().take(10).map(|(p, (q, m))| (*p, *q, *m)).collect();
    (asks, bids)
}

/// The trade's class as the page must colour it (the rule documented on the page).
fn class(t: &BTreeMap<String, String>) -> String {
    const MANIP: [&str; 9] =
        ["wash", "spoof", "pump", "dump", "buyback", "accumulate", "exploit", "rebalance", "kpi_gaming"];
    if t["wash"] == "true" {
        return "wash".into();
    }
    [&t["taker_intent"], &t["maker_intent"]]
        .into_iter()
        .find(|i| MANIP.contains(&i.as_str()))
        .map_or("organic".into(), |i| i.clone())
}

/// Checks the page's DOM against the run's files at `t_ms` for `group`.
fn check_moment(dom: &str, dir: &Path, t_ms: i64, group: &str) {
    let now = &dom[dom.find("id=\"now\"").expect("#now") - 5..];
    let now = &now[now.find('<').unwrap()..];
    assert_eq!(dec(&attr(now, "data-t").unwrap()), Decimal::new(t_ms, 3), "data-t");
    // Phase: the sample in force (the last at or before t) of timeseries.csv; the spoofer is the
    // scenario's phased group.
    let samples = read_csv(&dir.join("timeseries.csv"));
    let phase = samples.iter().rev().find(|s| ms(&s["t"]) <= t_ms).map_or("", |s| s["phase"].as_str());
    assert!(!phase.is_empty(), "the moment is inside a phase");
    assert_eq!(attr(now, "data-phase").unwrap(), phase, "data-phase");
    let phase_text = &dom[dom.find("id=\"phase-name\"").unwrap()..];
    assert!(phase_text[..200].contains(&phase.replace('_', " ")), "the phase is named in words");
    // Last trade and the recent trades' intents.
    let trades = read_csv(&dir.join("trades.csv"));
    let before: Vec<_> = trades.iter().filter(|t| ms(&t["t"]) <= t_ms).collect();
    let last = before.last().expect("a trade before the moment");
    assert_eq!(dec(&attr(now, "data-last").unwrap()), dec(&last["price"]), "data-last");
    let legend = tags(dom, "legend", "<span data-intent=");
    let colour_of = |intent: &str| {
        let tag = legend.iter().find(|t| attr(t, "data-intent").as_deref() == Some(intent)).expect("intent in legend");
        let style = attr(&tag[tag.find("<i").unwrap()..], "style").unwrap();
        style.trim_start_matches("background:").trim_end_matches(';').trim().to_string()
    };
    let recent = tags(dom, "recent", "<tr data-intent=");
    assert_eq!(recent.len(), before.len().min(8), "the last trades listed");
    for (row, t) in recent.iter().zip(before.iter().rev()) {
        let intent = attr(row, "data-intent").unwrap();
        assert_eq!(intent, class(t), "intent of the trade at {}", t["t"]);
        assert_eq!(dec(&attr(row, "data-price").unwrap()), dec(&t["price"]));
        assert_eq!(dec(&attr(row, "data-qty").unwrap()), dec(&t["qty"]));
        let swatch = attr(&row[row.find("<i").unwrap()..], "style").unwrap();
        assert!(swatch.contains(&colour_of(&intent)), "{intent}: row colour {swatch} is the legend's");
    }
    // The ladder.
    let orders = read_csv(&dir.join("orders.csv"));
    let (asks, bids) = book_at(&orders, t_ms, group);
    let level = |tag: &&str| {
        let v = |n| dec(&attr(tag, n).unwrap());
        (v("data-price"), v("data-qty"), v("data-own"))
    };
    let page_asks: Vec<_> = tags(dom, "ladder", "<tr class=\"ask").iter().map(level).rev().collect();
    let page_bids: Vec<_> = tags(dom, "ladder", "<tr class=\"bid").iter().map(level).collect();
    assert_eq!(page_asks, asks, "asks at {t_ms} ms");
    assert_eq!(page_bids, bids, "bids at {t_ms} ms");
}

#[test]
fn replay_page_shows_the_runs_book_phase_and_intents_and_steps_to_the_next_move() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/spoofing.toml");
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", "-q", "--seed", "5", "--set", "market.duration=80m", "--set", "agents.retail.count=200", "--out"])
        .arg(&dir)
        .arg(&scenario)
        .assert()
        .success();
    let page = dir.join("replay.html");
    assert!(page.is_file(), "every run writes replay.html");
    let orders = read_csv(&dir.join("orders.csv"));
    // A moment past the middle: one of the spoofer's order events with its own orders among the
    // top levels (so the highlight is checked too).
    let moves: Vec<i64> = orders.iter().filter(|o| o["group"] == "spoofer").map(|o| ms(&o["t"])).collect();
    let own = |t: i64| {
        let (asks, bids) = book_at(&orders, t, "spoofer");
        asks.iter().chain(&bids).any(|l| l.2 > Decimal::ZERO)
    };
    let t_ms =
        *moves[moves.len() / 2..].iter().step_by(7).find(|&&t| own(t)).expect("a moment with spoofs on the ladder");
    let url = format!("file://{}#t={}&group=spoofer", page.display(), Decimal::new(t_ms, 3));
    check_moment(&dump_dom(&url), &dir, t_ms, "spoofer");

    // "next move of spoofer": the page's own button, clicked once the page has loaded.
    let html = std::fs::read_to_string(&page).unwrap();
    let stepped = html.replace("</body>", "<script>document.getElementById('next-move').click();</script></body>");
    let step_page = dir.join("step.html");
    std::fs::write(&step_page, stepped).unwrap();
    let next = *moves.iter().find(|&&m| m > t_ms).expect("a later move");
    let url = format!("file://{}#t={}&group=spoofer", step_page.display(), Decimal::new(t_ms, 3));
    check_moment(&dump_dom(&url), &dir, next, "spoofer");
}

/// A KPI gamer quoting a tight spread all the time (so the crowd trades with it), with a retail crowd.
const KPI_GAMER: &str = r#"
[market]
name = "kpi_gamer_replay"
seed = 3
tick = "0.0001"
lot = "1"
open_price = 1.0
taker_fee_bps = 10
duration = "15m"
sample_every = "1m"

[[agents]]
name = "retail"
kind = "retail"
count = 150
cash = 1000
tokens = 1000

[[agents]]
name = "gamer"
kind = "kpi_gamer"
cash = 100000
tokens = 100000
[agents.kpi_gamer]
flicker = false
spread_bps = 10
depth_tokens = 200
"#;

#[test]
fn replay_page_colours_kpi_gaming_trades_with_the_one_palette() {
    let tmp = tempfile::tempdir().unwrap();
    let (scenario, dir) = (tmp.path().join("kpi.toml"), tmp.path().join("run"));
    std::fs::write(&scenario, KPI_GAMER).unwrap();
    assert_cmd::Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", "-q", "--out"])
        .arg(&dir)
        .arg(&scenario)
        .assert()
        .success();
    let trades = read_csv(&dir.join("trades.csv"));
    let gaming: Vec<_> = trades.iter().filter(|t| class(t) == "kpi_gaming").collect();
    assert!(gaming.len() > 5, "the crowd trades with the gamer: {} trades", gaming.len());
    // The moment of a kpi_gaming trade: it is the last trade listed, in the palette's colour.
    let t = &gaming[gaming.len() / 2];
    let t_ms = ms(&t["t"]);
    let url = format!("file://{}#t={}&group=gamer", dir.join("replay.html").display(), Decimal::new(t_ms, 3));
    let dom = dump_dom(&url);
    let want = mmsim::teach::log::class_hex(9);
    assert_eq!(mmsim::teach::log::CLASSES[9], "kpi_gaming");
    let rows = tags(&dom, "recent", "<tr data-intent=");
    let row = rows.iter().find(|r| attr(r, "data-intent").as_deref() == Some("kpi_gaming")).expect("a kpi_gaming row");
    assert_eq!(attr(row, "data-color").as_deref(), Some(want.as_str()), "the row's colour");
    let legend = tags(&dom, "legend", "<span data-intent=\"kpi_gaming\"");
    let legend_tag = legend.first().expect("kpi_gaming in the legend");
    let style = attr(&legend_tag[legend_tag.find("<i").unwrap()..], "style").unwrap();
    assert!(style.contains(&want), "the legend's swatch {style} is {want}");
    assert!(legend_tag[..200].contains("KPI gaming"), "named in words");
}
