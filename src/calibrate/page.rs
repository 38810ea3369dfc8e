//! The calibration's files: `calibration.json` (machine-readable) and `calibration.html` (real and
//! replica side by side, one inline SVG figure per panel with its distance), and the terminal lines.
//! Every figure comes from [`Calibration`]: the page, the JSON and the terminal show the same numbers.

use std::fmt::Write as _;

use serde_json::json;

use super::measure::{Panel, PanelKind};
use super::stats::quantile;
use super::Calibration;

const REAL: &str = "#1f77b4";
const SIM: &str = "#d62728";
const W: f64 = 520.0;
const H: f64 = 260.0;
const PAD: f64 = 44.0;

/// `calibration.json`: the three comparisons, the panels' distances, the estimates, the knobs and
/// the search's rounds.
pub fn json(c: &Calibration) -> serde_json::Value {
    json!({
        "files": c.files,
        "replica": c.replica.name,
        "comparisons": c.comparisons(),
        "all_within_25pct": c.comparisons().iter().all(|x| x.within_25pct),
        "real": c.real,
        "simulated": c.simulated,
        "panels": c.panels,
        "estimates": c.estimates,
        "knobs": c.knobs,
        "search": c.rounds,
        "tick": c.replica.tick.normalize().to_string(),
        "lot": c.replica.lot.normalize().to_string(),
    })
}

fn fmt(x: Option<f64>) -> String {
    match x {
        Some(v) if v.abs() >= 1000.0 => format!("{v:.0}"),
        Some(v) if v.abs() >= 1.0 => format!("{v:.3}"),
        Some(v) if v == 0.0 || v.abs() >= 0.001 => format!("{v:.4}"),
        Some(v) => format!("{v:.2e}"),
        None => "–".to_owned(),
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".to_owned(), |e| format!("{:+.1}%", e * 100.0))
}

/// The terminal lines: one per headline comparison.
pub fn terminal_lines(c: &Calibration) -> Vec<String> {
    c.comparisons()
        .iter()
        .map(|x| {
            format!(
                "{:<20} real {:>12}  replica {:>12}  {:>8}  {}",
                x.name,
                fmt(Some(x.real)),
                fmt(Some(x.replica)),
                pct(x.relative_error),
                if x.within_25pct { "within ±25%" } else { "OUTSIDE ±25%" }
            )
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Points of an empirical CDF (at most ~400), on a log axis when `log`.
fn ecdf(xs: &[f64], log: bool) -> Vec<(f64, f64)> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite() && (!log || *x > 0.0)).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let step = (n / 400).max(1);
    let map = |x: f64| if log { x.log10() } else { x };
    (0..n).step_by(step).chain(n.checked_sub(1)).map(|i| (map(v[i]), (i + 1) as f64 / n as f64)).collect()
}

fn polyline(pts: &[(f64, f64)], (x0, x1, y0, y1): (f64, f64, f64, f64), color: &str, step: bool) -> String {
    let sx = |x: f64| PAD + (x - x0) / (x1 - x0).max(1e-300) * (W - 2.0 * PAD);
    let sy = |y: f64| H - PAD + -(y - y0) / (y1 - y0).max(1e-300) * (H - 2.0 * PAD);
    let mut d = String::new();
    let mut prev: Option<f64> = None;
    for &(x, y) in pts {
        let (px, py) = (sx(x.clamp(x0, x1)), sy(y.clamp(y0, y1)));
        if let (true, Some(last)) = (step, prev) {
            let _ = write!(d, "{px:.1},{last:.1} ");
        }
        let _ = write!(d, "{px:.1},{py:.1} ");
        prev = Some(py);
    }
    format!(r#"<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{d}"/>"#)
}

/// One panel's inline SVG.
fn svg(p: &Panel) -> String {
    let log = p.kind == PanelKind::Cdf
        && matches!(p.id, "trade_sizes" | "inter_arrival")
        && p.real.iter().chain(&p.replica).any(|x| *x > 0.0);
    let (real, sim, ylab, step) = match p.kind {
        PanelKind::Cdf => (ecdf(&p.real, log), ecdf(&p.replica, log), "share ≤ x", true),
        PanelKind::Bars => {
            let pts = |v: &[f64]| v.iter().enumerate().map(|(i, y)| ((i + 1) as f64, *y)).collect::<Vec<_>>();
            (pts(&p.real), pts(&p.replica), "", false)
        }
    };
    let all: Vec<(f64, f64)> = real.iter().chain(&sim).copied().collect();
    if all.is_empty() {
        return "<p><em>no data on one side</em></p>".to_owned();
    }
    let xs: Vec<f64> = all.iter().map(|p| p.0).collect();
    let (mut x0, mut x1) = match p.kind {
        PanelKind::Cdf => (quantile(&xs, 0.0).unwrap_or(0.0), quantile(&xs, 1.0).unwrap_or(1.0)),
        PanelKind::Bars => (1.0, xs.iter().copied().fold(1.0, f64::max)),
    };
    if x1 <= x0 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let (y0, y1) = match p.kind {
        PanelKind::Cdf => (0.0, 1.0),
        PanelKind::Bars => {
            let lo = all.iter().map(|p| p.1).fold(0.0, f64::min);
            let hi = all.iter().map(|p| p.1).fold(0.0, f64::max);
            (lo, if hi > lo { hi } else { lo + 1.0 })
        }
    };
    let b = (x0, x1, y0, y1);
    let xl = |x: f64| if log { fmt(Some(10f64.powf(x))) } else { fmt(Some(x)) };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        s,
        r##"<rect x="{PAD}" y="{PAD}" width="{}" height="{}" fill="#fafafa" stroke="#ccc"/>"##,
        W - 2.0 * PAD,
        H - 2.0 * PAD
    );
    let _ = write!(s, r#"<text x="{PAD}" y="{}">{}</text>"#, H - PAD + 14.0, escape(&xl(x0)));
    let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, W - PAD, H - PAD + 14.0, escape(&xl(x1)));
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}{}</text>"#,
        W / 2.0,
        H - 8.0,
        escape(p.x_label),
        if log { " (log scale)" } else { "" }
    );
    let _ = write!(
        s,
        r#"<text x="4" y="{}">{}</text><text x="4" y="{}">{}</text>"#,
        PAD + 4.0,
        escape(&fmt(Some(y1))),
        H - PAD,
        escape(&fmt(Some(y0)))
    );
    let _ = write!(s, r#"<text x="{PAD}" y="{}">{}</text>"#, PAD - 8.0, escape(ylab));
    s += &polyline(&real, b, REAL, step);
    s += &polyline(&sim, b, SIM, step);
    let _ = write!(
        s,
        r#"<text x="{}" y="16" fill="{REAL}">■ real</text><text x="{}" y="16" fill="{SIM}">■ replica</text></svg>"#,
        W - 150.0,
        W - 90.0
    );
    s
}

/// `calibration.html`.
pub fn html(c: &Calibration) -> String {
    let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Calibration</title><style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}.panel{display:inline-block;vertical-align:top;margin:8px}.bad{color:#b00}.ok{color:#070}</style></head><body>");
    let _ = write!(
        s,
        "<h1>Calibration: {}</h1><p>Data: {}. Replica: <code>{}</code> (tick {}, lot {}).</p>",
        escape(&c.replica.name),
        escape(&c.files.join(", ")),
        escape(&c.replica.name),
        c.replica.tick.normalize(),
        c.replica.lot.normalize()
    );
    s += "<h2>Headline figures</h2><table><tr><th>figure</th><th>real</th><th>replica</th><th>relative error</th><th>±25%</th></tr>";
    for x in c.comparisons() {
        let (class, word) = if x.within_25pct { ("ok", "within") } else { ("bad", "outside") };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td></tr>",
            x.name,
            fmt(Some(x.real)),
            fmt(Some(x.replica)),
            pct(x.relative_error)
        );
    }
    s += "</table><h2>Real and replica side by side</h2>";
    for p in &c.panels {
        let extra =
            p.extra.map_or(String::new(), |(name, r, m)| format!("; {name}: real {}, replica {}", fmt(r), fmt(m)));
        let _ = write!(
            s,
            "<div class=\"panel\"><h3>{}</h3><p>{}: <b>{}</b>{}</p>{}</div>",
            escape(p.title),
            p.metric,
            fmt(p.distance),
            extra,
            svg(p)
        );
    }
    let e = &c.estimates;
    s += "<h2>What was fitted</h2><table>";
    for (k, v) in [
        ("taker orders per minute (buy / sell)", format!("{:.2} / {:.2}", e.market_buy_per_min, e.market_sell_per_min)),
        ("Fano factors (window s, factor)", format!("{:?}", e.fano)),
        ("Hawkes branching ratio, kernel life (s)", format!("{:.2}, {:.2}", e.hawkes_branching, e.hawkes_decay_secs)),
        ("market order size (median tokens, σ)", format!("{}, {:.2}", fmt(Some(e.market_size.0)), e.market_size.1)),
        ("limit order size (median tokens, σ)", format!("{}, {:.2}", fmt(Some(e.limit_size.0)), e.limit_size.1)),
        ("share at round sizes", format!("{:.3}", e.round_share)),
        ("limit orders per minute (buy / sell)", format!("{:.1} / {:.1}", e.limit_buy_per_min, e.limit_sell_per_min)),
        ("distances modelled (ticks)", e.distances.to_string()),
        (
            "by-hour profile",
            if e.hourly.is_empty() { "flat (under two hours of data)".into() } else { format!("{:?}", e.hourly) },
        ),
        (
            "search knobs (market rate, size, limit rate)",
            format!("{:.3}, {:.3}, {:.3}", c.knobs.market_rate, c.knobs.size, c.knobs.limit_rate),
        ),
    ] {
        let _ = write!(
            s,
            "<tr><td style=\"text-align:left\">{k}</td><td style=\"text-align:left\">{}</td></tr>",
            escape(&v)
        );
    }
    s += "</table><h2>Search rounds</h2><table><tr><th>round</th><th>market rate</th><th>size</th><th>limit rate</th><th>spread (ticks)</th><th>trades/min</th><th>median size</th><th>worst error</th></tr>";
    for (i, r) in c.rounds.iter().enumerate() {
        let f = &r.figures;
        let _ = write!(s, "<tr><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", i + 1, r.knobs.market_rate, r.knobs.size, r.knobs.limit_rate, fmt(Some(f.median_spread_ticks)), fmt(Some(f.trades_per_min)), fmt(Some(f.median_trade_size)), pct(Some(r.worst_error)));
    }
    s += "</table></body></html>\n";
    s
}
