//! `report.html`: one self-contained page per run (inline CSS and SVG, no scripts, no external
//! resources) for readers who have never seen mmsim: what the scenario is, what happened in plain
//! sentences, the key figures, the contracts, the four charts with a note on how to read each, and
//! a glossary.
//!
//! For a counterfactual, [`render_report`] takes a second run and shows both side by side, with the
//! differences (first minus second: actual − counterfactual, as in `comparison.csv`) in the tables. The page is deterministic: it holds nothing that
//! changes between identical runs (no wall-clock time).

mod contracts;
mod figures;
mod labels;

use std::fmt::Write;

use super::charts::{ChartKind, Charts, RenderedChart};
use crate::metrics::summary::Summary;

/// One run as the report shows it.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput<'a> {
    /// The run's figures.
    pub summary: &'a Summary,
    /// What the scenario shows (the scenario's `description`).
    pub description: &'a str,
    /// A short name for this run when two are compared (e.g. `"with the pump-and-dump MM"`).
    pub label: Option<&'a str>,
    /// The rendered charts, if any (`None` with `--no-charts`).
    pub charts: Option<&'a Charts>,
    /// A chart of both compared runs (on the first run), shown full width before the others.
    pub comparison: Option<&'a RenderedChart>,
}

impl<'a> ReportInput<'a> {
    /// A run without charts or label.
    pub fn new(summary: &'a Summary, description: &'a str) -> Self {
        ReportInput { summary, description, label: None, charts: None, comparison: None }
    }

    /// The same run with its charts.
    pub fn with_charts(self, charts: &'a Charts) -> Self {
        ReportInput { charts: Some(charts), ..self }
    }

    /// The same run with a chart of both compared runs (e.g. `price_comparison`).
    pub fn with_comparison(self, chart: &'a RenderedChart) -> Self {
        ReportInput { comparison: Some(chart), ..self }
    }

    /// The same run with a label for side-by-side comparison.
    pub fn with_label(self, label: &'a str) -> Self {
        ReportInput { label: Some(label), ..self }
    }
}

const CSS: &str = r#"
:root{--ink:#212529;--muted:#6c757d;--line:#dee2e6;--bg:#f8f9fa;--good:#1b7f3b;--bad:#b42318;--miss:#fde2e1}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
main{max-width:1280px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:30px;margin:4px 0 8px}h2{font-size:22px;margin:40px 0 12px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:18px;margin:24px 0 8px}h4{font-size:15px;margin:16px 0 6px;color:var(--muted)}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:13px;color:var(--muted);margin:0}
.desc{font-size:18px;max-width:60em}.meta,.muted{color:var(--muted)}
.note{background:var(--bg);border-left:4px solid #1f77b4;padding:10px 14px}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{padding:6px 12px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--bg);font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
table.kv th{font-weight:normal;color:var(--muted)}
.pos{color:var(--good)}.neg{color:var(--bad)}
tr.miss td{background:var(--miss)}td.bad{color:var(--bad);font-weight:600}.missnote{color:var(--bad)}
.kind{font-size:13px;font-weight:normal;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:1px 6px}
.card{border:1px solid var(--line);border-radius:8px;padding:4px 16px 8px;margin:12px 0}
.scroll{overflow-x:auto}.cols{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.cols>div{min-width:0}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:0 32px;align-items:start}
.tables.wide{grid-template-columns:repeat(auto-fit,minmax(560px,1fr))}.tables>div{min-width:0;overflow-x:auto}
figure{margin:16px 0 32px}figure svg{width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
figure svg text{font-family:"DejaVu Sans","Bitstream Vera Sans",Verdana,sans-serif}
figcaption{color:var(--muted);max-width:60em;margin-bottom:8px}
ul.short li{margin:4px 0}dl dt{font-weight:600;margin-top:8px}dl dd{margin-left:0;color:#343a40}
footer{margin-top:48px;color:var(--muted);font-size:14px}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
"#;

/// Renders the report for `run`, or for `run` and `counterfactual` side by side.
pub fn render_report(run: &ReportInput<'_>, counterfactual: Option<&ReportInput<'_>>) -> String {
    let runs: Vec<&ReportInput<'_>> = std::iter::once(run).chain(counterfactual).collect();
    let labels: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(k, r)| r.label.map_or_else(|| ["baseline", "counterfactual"][k.min(1)].to_string(), str::to_string))
        .collect();
    let s = run.summary;
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — mmsim report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&s.scenario)
    );
    let _ = writeln!(
        out,
        "<header>\n<p class=\"kicker\">mmsim market simulation report</p>\n<h1>{}</h1>",
        escape(&s.scenario)
    );
    if !run.description.is_empty() {
        let _ = writeln!(out, "<p class=\"desc\">{}</p>", escape(run.description));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>\n</header>", escape(&figures::meta_line(s)));
    if let Some(cf) = counterfactual {
        let _ = writeln!(
            out,
            "<p class=\"note\">This report compares two runs of the same market with the same random seed: \
             <b>{}</b> and <b>{}</b>. Simulations are deterministic, so every difference between the two \
             columns is caused by what changed between them. Differences are {} minus {}, as in \
             comparison.csv.</p>",
            escape(&labels[0]),
            escape(&labels[1]),
            escape(&labels[0]),
            escape(&labels[1])
        );
        if !cf.description.is_empty() && cf.description != run.description {
            let _ = writeln!(out, "<p class=\"desc\"><b>{}:</b> {}</p>", escape(&labels[1]), escape(cf.description));
        }
    }

    out.push_str("<section id=\"in-short\">\n<h2>What happened</h2>\n");
    columns(&mut out, &runs, &labels, |r| figures::in_short(r.summary));
    out.push_str("</section>\n<section id=\"figures\">\n<h2>Key figures</h2>\n");
    let summaries: Vec<&Summary> = runs.iter().map(|r| r.summary).collect();
    out.push_str(&figures::key_figures(&summaries, &labels));
    out.push_str("</section>\n<section id=\"contracts\">\n<h2>Contracts</h2>\n");
    columns(&mut out, &runs, &labels, |r| contracts::contracts_html(&r.summary.contracts));
    out.push_str("</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n");
    charts_html(&mut out, &runs, &labels);
    out.push_str("</section>\n<section id=\"checks\">\n<h2>Checks</h2>\n");
    columns(&mut out, &runs, &labels, |r| figures::conservation(r.summary));
    out.push_str("</section>\n<section id=\"glossary\">\n<h2>How to read this report</h2>\n");
    out.push_str(figures::GLOSSARY);
    let _ = write!(
        out,
        "</section>\n<footer>Generated by mmsim {}. This file is self-contained: it loads no scripts, \
         fonts or images from anywhere.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// One block per run: alone, or in two labelled columns.
fn columns(out: &mut String, runs: &[&ReportInput<'_>], labels: &[String], block: impl Fn(&ReportInput<'_>) -> String) {
    if runs.len() == 1 {
        out.push_str(&block(runs[0]));
        return;
    }
    out.push_str("<div class=\"cols\">\n");
    for (r, label) in runs.iter().zip(labels) {
        let _ = writeln!(out, "<div>\n<h3>{}</h3>\n{}</div>", escape(label), block(r));
    }
    out.push_str("</div>\n");
}

/// How to read each chart.
fn chart_caption(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Price => {
            "The blue line is the mid price (halfway between the best bid and the best ask); the orange line \
             is the price of the last trade. Shaded bands are the phases a manipulating agent was in (known \
             here because this is a simulation; in a real market they are hidden). The peak and trough are marked."
        }
        ChartKind::Pnl => {
            "Each line is a party's profit or loss since the start, counting the tokens it holds at the \
             price of the moment (marked to market). Above zero: the party is ahead."
        }
        ChartKind::Liquidity => {
            "Top: the spread, the gap between the best ask and the best bid in basis points of the mid \
             (100 bps = 1%); lower is better for traders. Bottom: the value of orders resting within 2% of \
             the mid on each side; more depth means a trade moves the price less. Dashed lines are \
             contract KPI thresholds."
        }
        ChartKind::Volume => {
            "Traded value per interval. Wash trades (red) have the same owner on both sides (known here \
             because this is a simulation): they inflate volume without any token changing hands."
        }
        ChartKind::Holdings => {
            "Top: the tokens each agent group holds; bottom: the cash it holds, both over time and in the \
             same colour per group. A manipulator that accumulates, pumps and dumps shows its tokens rising \
             then falling while its cash does the opposite."
        }
        ChartKind::PriceComparison => {
            "The price of the last trade in each run (the mid before the first trade), on one axis: same \
             market, same seed, so the gap between the lines is what the replaced group did. Shaded \
             bands are the first run's phases."
        }
    }
}

fn charts_html(out: &mut String, runs: &[&ReportInput<'_>], labels: &[String]) {
    if runs.iter().all(|r| r.charts.is_none()) {
        out.push_str("<p class=\"muted\">Charts were not rendered for this run.</p>\n");
        return;
    }
    if let Some(chart) = runs.first().and_then(|r| r.comparison) {
        let kind = chart.kind;
        let _ = writeln!(out, "<figure id=\"chart-{}\">\n<h3>{}</h3>", kind.stem(), kind.title());
        let _ = writeln!(out, "<figcaption>{}</figcaption>", chart_caption(kind));
        out.push_str(&inline_svg(&chart.svg, kind.title()));
        out.push_str("</figure>\n");
    }
    for kind in ChartKind::ALL {
        let _ = writeln!(out, "<figure id=\"chart-{}\">\n<h3>{}</h3>", kind.stem(), kind.title());
        let _ = writeln!(out, "<figcaption>{}</figcaption>", chart_caption(kind));
        columns(out, runs, labels, |r| match r.charts.and_then(|c| c.get(kind)) {
            Some(chart) => inline_svg(&chart.svg, kind.title()),
            None => "<p class=\"muted\">Not rendered.</p>\n".to_string(),
        });
        out.push_str("</figure>\n");
    }
}

/// An SVG document made fit for inlining: no fixed size (CSS scales it), an accessible name.
fn inline_svg(svg: &str, title: &str) -> String {
    let body = svg.trim_start_matches(|c| c != '<');
    let body =
        body.strip_prefix("<?xml").map_or(body, |rest| rest.split_once("?>").map_or(rest, |(_, r)| r.trim_start()));
    let Some(end) = body.find('>') else { return String::new() };
    let (open, rest) = body.split_at(end);
    let attrs: Vec<&str> = open
        .trim_start_matches("<svg")
        .split_whitespace()
        .filter(|a| !a.starts_with("width=") && !a.starts_with("height="))
        .collect();
    format!("<svg {} role=\"img\" aria-label=\"{}\"{}\n", attrs.join(" "), escape(title), rest)
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Groups the integer digits of a plain decimal number in threes and writes a real minus sign:
/// `-1234567.5` → `−1,234,567.5`. Anything else is returned unchanged.
pub(crate) fn group_digits(s: &str) -> String {
    let (neg, body) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()))
    {
        return s.to_string();
    }
    let mut out = String::new();
    if neg {
        out.push('−');
    }
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests;
