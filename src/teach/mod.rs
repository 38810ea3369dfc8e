//! `replay.html`: the teaching view of a run. One self-contained page (inline script, style and
//! data; no network) that steps through the run: the price with each trade coloured by the intent
//! behind it, the phases as bands with a plain-words explanation, the order book at the chosen
//! moment (the chosen group's own orders highlighted) and as a depth heat map over time, spoof
//! orders as the segments they lived, and a group's holdings, cash and PnL against the crowd's.
//!
//! One truth: the book, the trades, the spoofs and the moves are read back from the run's own
//! `orders.csv` ([`log`]); the price line, phases and holdings come from the recorder's samples
//! (the same as `timeseries.csv` and the charts). Everything is integer ticks, lots and
//! milliseconds (rounded up) in the page's data; the page converts for display only.
//!
//! Size: under [`BUDGET`] bytes. When the book's changes do not fit, they are netted per time step
//! (the smallest of [`STEPS`] that fits) and the page says so; trades beyond [`MAX_TRADES`] keep
//! every manipulator's trade and thin the organic ones evenly (also said on the page).
//!
//! The page's stable hook for tests and scripts: `<div id="now" data-t data-phase data-last>` —
//! the moment shown in seconds since the start, the chosen group's phase then (empty when it has
//! none) and the last trade price then (empty before the first trade).

pub mod book;
mod explain;
pub mod log;
mod page;
pub mod parquet;

use std::io::Read;

use serde_json::{json, Value};

use crate::agents::AgentKind;
use crate::metrics::{Party, PartyKind, Sample, Units};
use crate::types::{Cash, Price, Qty};

/// The page's file name in a run directory.
pub const FILE: &str = "replay.html";
/// Most bytes a page may take (the DIO case's must stay under 5 MB).
pub const BUDGET: usize = 4_600_000;
/// Time steps (ms) the book's changes may be netted to, tried in order (0: every change).
pub const STEPS: [i64; 9] = [0, 100, 1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000];
/// Most trades kept.
pub const MAX_TRADES: usize = 150_000;
/// Most samples kept for the price line and the holdings.
const MAX_SAMPLES: usize = 1_500;
/// Heat map size.
const HEAT_COLS: usize = 360;
const HEAT_ROWS: usize = 70;

/// What the page is built from, besides the order log.
#[derive(Clone, Copy, Debug)]
pub struct ReplayInput<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// Scenario description.
    pub description: &'a str,
    /// Tick and lot.
    pub units: Units,
    /// Opening price (the mark before any trade).
    pub open_price: Price,
    /// The recorder's samples.
    pub samples: &'a [Sample],
    /// Holdings per sample per party.
    pub holdings: &'a [Vec<(Cash, Qty)>],
    /// The parties.
    pub parties: &'a [Party],
    /// The run's end (ms).
    pub end_ms: i64,
}

/// Kinds that manipulate (their trades and orders are the lesson).
fn manipulates(kind: AgentKind) -> bool {
    matches!(kind.name(), "pump_dump" | "lend_and_dump" | "wash" | "spoofer" | "collateral_loop")
}

/// Kinds that report phases: the recorder's `phase` is the first such group's.
fn phased(kind: AgentKind) -> bool {
    matches!(kind.name(), "pump_dump" | "lend_and_dump" | "spoofer" | "collateral_loop")
}

fn decimals(d: rust_decimal::Decimal) -> u32 {
    d.normalize().scale()
}

/// Every `k`-th index of `n` so that at most `max` remain, the last always kept.
fn stride(n: usize, max: usize) -> Vec<usize> {
    let k = n.div_ceil(max.max(1)).max(1);
    let mut idx: Vec<usize> = (0..n).step_by(k).collect();
    if n > 0 && idx.last() != Some(&(n - 1)) {
        idx.push(n - 1);
    }
    idx
}

/// Builds `replay.html` from the run's order log (`orders`, the text of `orders.csv`) and `input`.
///
/// # Errors
/// An order log that does not parse (with its line).
pub fn render(input: &ReplayInput<'_>, orders: impl Read) -> Result<String, String> {
    let units = input.units;
    let groups: Vec<&Party> = input.parties.iter().filter(|p| p.kind.is_group()).collect();
    let names: Vec<String> = groups.iter().map(|p| p.name.clone()).collect();
    let data = log::read(orders, units, &names, input.end_ms)?;
    let mut notes: Vec<String> = Vec::new();

    let kind_of = |name: &str| match groups.iter().find(|p| p.name == name).map(|p| p.kind) {
        Some(PartyKind::Group { kind }) => Some(kind),
        _ => None,
    };
    let phased_group = data.groups.iter().position(|g| kind_of(g).is_some_and(phased));
    let group_json: Vec<Value> = data
        .groups
        .iter()
        .map(|g| {
            let kind = kind_of(g);
            let agents = groups.iter().find(|p| &p.name == g).map_or(0, |p| p.agents);
            json!({
                "name": g,
                "kind": kind.map_or("", |k| k.name()),
                "agents": agents,
                "crowd": kind.is_some_and(|k| k.is_crowd()),
                "manip": kind.is_some_and(manipulates),
            })
        })
        .collect();

    // Trades: all, or every manipulator's trade and the organic ones thinned evenly.
    let trades: Vec<&log::TradeRow> = if data.trades.len() <= MAX_TRADES {
        data.trades.iter().collect()
    } else {
        let manip = data.trades.iter().filter(|t| t.class != 0).count();
        let organic = data.trades.len() - manip;
        let keep = MAX_TRADES.saturating_sub(manip).max(1);
        let every = organic.div_ceil(keep).max(1);
        notes.push(format!(
            "{} trades: every manipulator's trade is drawn, and one organic trade in {every} \
             (the last price and the book stay exact).",
            data.trades.len()
        ));
        let mut k = 0;
        data.trades
            .iter()
            .filter(|t| {
                k += usize::from(t.class == 0);
                t.class != 0 || (k - 1) % every == 0
            })
            .collect()
    };
    // Times and prices as changes from the previous trade (small numbers: a compact page).
    let (mut prev, mut prev_price) = (0, 0);
    let mut tr: [Vec<i64>; 6] = Default::default();
    for t in &trades {
        let row = [t.t - prev, t.price - prev_price, t.qty, i64::from(t.class), i64::from(t.taker), i64::from(t.maker)];
        for (col, v) in tr.iter_mut().zip(row) {
            col.push(v);
        }
        prev = t.t;
        prev_price = t.price;
    }
    // The last price must stay exact even when dots are thinned: every trade's price change.
    let mut last_changes: Vec<i64> = Vec::new();
    if trades.len() < data.trades.len() {
        let (mut pt, mut pp) = (0, 0);
        for t in &data.trades {
            if t.price != pp {
                last_changes.extend([t.t - pt, t.price - pp]);
                pt = t.t;
                pp = t.price;
            }
        }
    }

    // Samples: price line, phases, holdings.
    let s = input.samples;
    let keep = stride(s.len(), MAX_SAMPLES);
    let ms = |x: &Sample| (x.t.nanos() as i64 + 999_999) / 1_000_000;
    let phases: Vec<Value> = spans(s, input.end_ms).into_iter().map(|(name, a, b)| json!([name, a, b])).collect();
    let phase_names: Vec<&str> = crate::agents::Phase::ALL.iter().map(|p| p.name()).collect();
    let explain: serde_json::Map<String, Value> =
        phase_names.iter().chain([&""]).map(|n| (n.to_string(), json!(explain::phase(n)))).collect();
    let price = json!({
        "t": keep.iter().map(|&i| ms(&s[i])).collect::<Vec<_>>(),
        "last": keep.iter().map(|&i| s[i].last.map(|p| p.0)).collect::<Vec<_>>(),
        "mid": keep.iter().map(|&i| s[i].mid().map(|m| (m * 2.0).round() / 2.0)).collect::<Vec<_>>(),
    });
    let atom = units.atom_f64();
    let marks: Vec<f64> =
        s.iter().map(|x| x.last.map(|p| p.0 as f64).or_else(|| x.mid()).unwrap_or(input.open_price.0 as f64)).collect();
    let lot = units.lot.to_string().parse::<f64>().unwrap_or(1.0);
    let r2 = |v: f64| (v * 100.0).round() / 100.0;
    let parties: Vec<Value> = input
        .parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind != PartyKind::Exchange)
        .map(|(k, p)| {
            let h = |i: usize| input.holdings.get(i).and_then(|row| row.get(k)).copied();
            let cash: Vec<f64> = keep.iter().map(|&i| h(i).map_or(0.0, |(c, _)| r2(c.0 as f64 * atom))).collect();
            let tokens: Vec<f64> = keep.iter().map(|&i| h(i).map_or(0.0, |(_, q)| q.0 as f64 * lot)).collect();
            let pnl: Vec<f64> = keep
                .iter()
                .map(|&i| {
                    h(i).map_or(0.0, |(c, q)| {
                        let d_cash = (c.0 - p.cash_start.0) as f64;
                        let d_tok = (q.0 - p.tokens_start.0) as f64;
                        r2((d_cash + d_tok * marks[i]) * atom)
                    })
                })
                .collect();
            json!({"name": p.name, "kind": p.kind.name(), "crowd": matches!(p.kind, PartyKind::Group { kind } if kind.is_crowd()),
                   "cash": cash, "tokens": tokens, "pnl": pnl})
        })
        .collect();

    // Spoofs and moves.
    let spoofs: Vec<i64> = data
        .spoofs
        .iter()
        .flat_map(|x| [x.t0, x.t1, if x.bid { x.price } else { -x.price }, x.qty, i64::from(x.group)])
        .collect();
    let moves: Vec<Vec<i64>> = data
        .moves
        .iter()
        .zip(&data.groups)
        .map(|(m, g)| {
            if kind_of(g).is_some_and(|k| k.is_crowd()) {
                return Vec::new();
            }
            let mut p = 0;
            m.iter()
                .map(|&t| {
                    let d = t - p;
                    p = t;
                    d
                })
                .collect()
        })
        .collect();

    // Heat map over the traded range (else the opening price).
    let (lo, hi) = data.trades.iter().fold((i64::MAX, i64::MIN), |(l, h), t| (l.min(t.price), h.max(t.price)));
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (input.open_price.0, input.open_price.0) };
    let heat = book::heat(&data.deltas, input.end_ms.max(1), lo, hi, HEAT_COLS, HEAT_ROWS);

    let mut doc = json!({
        "name": input.name,
        "description": input.description,
        "end": input.end_ms,
        "tick": units.tick.normalize().to_string(),
        "tickDec": decimals(units.tick),
        "lot": units.lot.normalize().to_string(),
        "lotDec": decimals(units.lot),
        "groups": group_json,
        "phased": phased_group,
        "phases": phases,
        "explain": explain,
        "classes": log::CLASSES,
        "colors": (0..log::CLASSES.len()).map(|c| (log::CLASSES[c].to_string(), Value::from(log::class_hex(c)))).collect::<serde_json::Map<_, _>>(),
        "price": price,
        "trades": {"n": data.trades.len(), "dt": tr[0], "p": tr[1], "q": tr[2], "c": tr[3], "tk": tr[4], "mk": tr[5], "last": last_changes},
        "heat": {"cols": heat.cols, "rows": heat.rows, "log": heat.log, "lo": heat.lo, "hi": heat.hi, "max": heat.max, "bid": heat.bid, "ask": heat.ask},
        "spoofs": spoofs,
        "moves": moves,
        "hold": {"t": keep.iter().map(|&i| ms(&s[i])).collect::<Vec<_>>(), "parties": parties},
        "events": data.rows,
    });
    let base = serde_json::to_string(&doc).map_or(0, |s| s.len()) + page::SHELL_BYTES;
    let code = STEPS
        .iter()
        .map(|&step| book::encode(&data.deltas, step))
        .find(|c| base + c.json_bytes() < BUDGET)
        .unwrap_or_else(|| book::encode(&data.deltas, *STEPS.last().unwrap_or(&0)));
    if code.step > 0 {
        notes.push(format!(
            "The book is shown as it stood at the end of each {} step ({} order events netted into {} level changes) \
             to keep this page small; it is exact at those moments.",
            explain::duration(code.step),
            data.rows,
            code.n
        ));
    }
    doc["book"] = json!({"step": code.step, "n": code.n, "d": code.changes, "snaps": code.snaps});
    doc["notes"] = json!(notes);
    Ok(page::html(input.name, &doc))
}

/// Phase spans `(name, start ms, end ms)` from the samples: each from its first sample to the
/// first sample after it; one still in force at the last sample lasts past the run's end.
fn spans(s: &[Sample], end_ms: i64) -> Vec<(&'static str, i64, i64)> {
    let ms = |x: &Sample| (x.t.nanos() as i64 + 999_999) / 1_000_000;
    let mut out: Vec<(&'static str, i64, i64)> = Vec::new();
    let mut open: Option<(&'static str, i64)> = None;
    for x in s {
        let name = x.phase.map(|p| p.name());
        if open.map(|o| o.0) != name {
            if let Some((n, a)) = open.take() {
                out.push((n, a, ms(x)));
            }
            open = name.map(|n| (n, ms(x)));
        }
    }
    if let Some((n, a)) = open {
        out.push((n, a, end_ms.max(a) + 1));
    }
    out
}
