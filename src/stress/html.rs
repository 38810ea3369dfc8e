//! `report.html` of a stress test: the verdict first in plain words, then the payoff-by-playbook
//! chart with 95% CI bars, the best responses' price paths on one axis, which clauses fired, and
//! the table of every candidate. Charts are inline SVG drawn with plotters.

use plotters::prelude::*;

use super::output::mean_ci;
use super::StressResult;
use crate::metrics::stats;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Money in words: `$1,234,567`.
pub fn dollars(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if neg { "−" } else { "" })
}

/// The verdict in plain words (the report's first paragraph; also printed by the CLI).
pub fn verdict_words(r: &StressResult) -> String {
    let v = &r.verdict;
    let [lo, hi] = v.dump_premium_ci95;
    let head = if v.incentive_compatible {
        "Under these terms the contract is incentive-compatible: honest play pays the MM at least as much as any dumping playbook found."
            .to_string()
    } else {
        "Under these terms the contract is NOT incentive-compatible.".to_string()
    };
    let project = if v.project_outcome_difference < 0.0 {
        format!("the project ends {} worse off", dollars(-v.project_outcome_difference))
    } else {
        format!("the project ends {} better off", dollars(v.project_outcome_difference))
    };
    // The premium's sign in words ("$X more" / "$X less"); the interval keeps its signs.
    let (amount, than) = if v.dump_premium < 0.0 { (-v.dump_premium, "less") } else { (v.dump_premium, "more") };
    format!(
        "{head} The best dumping playbook ({}) pays the MM {} {than} than the best honest one ({}; dump premium 95% CI {} to {}); {project}. \
         Over {} seeds, {:.1} simulated hours each.",
        v.best_manipulative.playbook,
        dollars(amount),
        v.best_honest.playbook,
        dollars(lo),
        dollars(hi),
        v.seeds.len(),
        v.horizon_s / 3600.0
    )
}

/// `clause ×k, …`: how many of `runs` saw each clause fire (at least once), or `none`.
pub fn fired_text(runs: &[&super::RunFigures]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for r in runs {
        let mut seen: Vec<&str> = r.fired.clone();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            match counts.iter_mut().find(|(n, _)| *n == c) {
                Some(e) => e.1 += 1,
                None => counts.push((c, 1)),
            }
        }
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts.sort_unstable();
    counts.iter().map(|(c, k)| format!("{c} ×{k}")).collect::<Vec<_>>().join(", ")
}

fn payoff_chart(r: &StressResult) -> String {
    crate::report::charts::register_fonts();
    let bests: Vec<(&str, f64, f64, bool)> = r
        .candidates
        .iter()
        .filter(|c| c.best)
        .map(|c| {
            let (m, h) = mean_ci(&c.mm_payoffs());
            (c.playbook.name, m, h.unwrap_or(0.0), c.playbook.honest)
        })
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        let lo = bests.iter().map(|b| b.1 - b.2).fold(0.0f64, f64::min);
        let hi = bests.iter().map(|b| b.1 + b.2).fold(0.0f64, f64::max);
        let pad = (hi - lo).max(1.0) * 0.08;
        let n = bests.len().max(1) as f64;
        let drawn = (|| -> Result<(), Box<dyn std::error::Error>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption("Best-response MM payoff by playbook (95% CI)", ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(90)
                .build_cartesian_2d(-0.5..n - 0.5, (lo - pad)..(hi + pad))?;
            let names: Vec<&str> = bests.iter().map(|b| b.0).collect();
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(bests.len().max(1))
                .x_label_formatter(&|x| names.get(x.round() as usize).map_or(String::new(), |s| s.to_string()))
                .y_desc("MM payoff (quote units)")
                .y_label_formatter(&|y| dollars(*y))
                .draw()?;
            for (i, (_, m, h, honest)) in bests.iter().enumerate() {
                let x = i as f64;
                let colour = if *honest { RGBColor(46, 125, 50) } else { RGBColor(198, 40, 40) };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, *m)],
                    colour.mix(0.7).filled(),
                )))?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, m - h), (x, m + h)],
                    BLACK.stroke_width(2),
                )))?;
                for y in [m - h, m + h] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x - 0.1, y), (x + 0.1, y)],
                        BLACK.stroke_width(2),
                    )))?;
                }
            }
            root.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            return format!("<p>(chart not drawn: {})</p>", esc(&e.to_string()));
        }
    }
    svg
}

fn paths_chart(r: &StressResult) -> String {
    crate::report::charts::register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        let t_hi = r.verdict.horizon_s / 3600.0;
        let prices: Vec<f64> = r.paths.iter().flat_map(|(_, p)| p.iter().map(|x| x.1)).filter(|p| *p > 0.0).collect();
        let (plo, phi) =
            (prices.iter().copied().fold(f64::INFINITY, f64::min), prices.iter().copied().fold(0.0f64, f64::max));
        if prices.is_empty() {
            return "<p>(no trades: no price path)</p>".into();
        }
        let palette = [BLUE, RED, GREEN, MAGENTA, CYAN, RGBColor(255, 140, 0), BLACK];
        let drawn = (|| -> Result<(), Box<dyn std::error::Error>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(format!("Best responses' price paths (seed {})", r.verdict.seeds[0]), ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(80)
                .build_cartesian_2d(0.0..t_hi.max(1e-9), (plo * 0.9).ln()..(phi * 1.1).ln())?;
            chart
                .configure_mesh()
                .x_desc("hours since listing")
                .y_desc("last trade (log scale)")
                .y_label_formatter(&|y| format!("{:.4}", y.exp()))
                .draw()?;
            for (i, (name, path)) in r.paths.iter().enumerate() {
                let colour = palette[i % palette.len()];
                let pts = path.iter().filter(|p| p.1 > 0.0).map(|p| (p.0, p.1.ln()));
                chart
                    .draw_series(LineSeries::new(pts, colour.stroke_width(2)))?
                    .label(*name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
            }
            chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
            root.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            return format!("<p>(chart not drawn: {})</p>", esc(&e.to_string()));
        }
    }
    svg
}

/// The whole page.
/// The page; `map_svg` is the grid's premium map when the scenario has a `[stress.grid]`.
pub fn render(r: &StressResult, map_svg: Option<&str>) -> String {
    let v = &r.verdict;
    let mut h = String::new();
    h.push_str("<!doctype html><html><head><meta charset=\"utf-8\"><title>mmsim stress: ");
    h.push_str(&esc(&r.plan.scenario.name));
    h.push_str("</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222;overflow-wrap:anywhere}\
        table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}\
        td:nth-child(2),td:first-child{text-align:left}.v{font-size:1.2em;padding:1em;border-left:6px solid #c62828;background:#fdecea}\
        .ok{border-color:#2e7d32;background:#e8f5e9}</style></head><body>");
    h.push_str(&format!(
        "<h1>Deal stress test: {} — MM group <code>{}</code></h1>",
        esc(&r.plan.scenario.name),
        esc(&r.plan.mm)
    ));
    let cls = if v.incentive_compatible { "v ok" } else { "v" };
    h.push_str(&format!("<p class=\"{cls}\" id=\"verdict\">{}</p>", esc(&verdict_words(r))));
    h.push_str(&format!(
        "<p>Honest playbooks: {}. Manipulative playbooks: {}. Best honest: <b>{}</b> ({}) mean payoff {}; best manipulative: \
         <b>{}</b> ({}) mean payoff {}. The premium's interval is {}.</p>\
         <p>Payoff = everything the MM ends with minus what it started with, after every contract has settled at the \
         horizon, with the tokens it still holds valued at their <b>exit value</b>: what they would fetch sold into the \
         closing book's bids of the other traders (tokens beyond those bids fetch nothing). A last print on a thin book \
         is not a price a large holding can be sold at, so a pump that ends holding what it bought, or a runaway \
         price that leaves an MM holding its loan, is not counted as a gain it cannot realise.</p>",
        esc(&v.honest_playbooks.join(", ")),
        esc(&v.manipulative_playbooks.join(", ")),
        esc(&v.best_honest.playbook),
        esc(&spaced(&v.best_honest.params)),
        dollars(v.best_honest.mm_payoff_mean),
        esc(&v.best_manipulative.playbook),
        esc(&spaced(&v.best_manipulative.params)),
        dollars(v.best_manipulative.mm_payoff_mean),
        esc(&v.ci_method)
    ));
    for (name, why) in &r.not_applicable {
        h.push_str(&format!("<p>Not played: <b>{name}</b> — {}.</p>", esc(why)));
    }
    h.push_str("<h2>Payoff by playbook</h2>");
    h.push_str(&payoff_chart(r));
    h.push_str("<h2>Price paths of the best responses</h2>");
    h.push_str(&paths_chart(r));
    h.push_str(
        "<h2>Which clauses fired</h2><table><tr><th>playbook (best response)</th><th>penalties paid (mean)</th>\
        <th>collateral forfeited (mean)</th><th>clauses fired (runs out of the seeds)</th><th>KPI pass rate</th></tr>",
    );
    for c in r.candidates.iter().filter(|c| c.best) {
        let runs: Vec<_> = c.runs.iter().flatten().collect();
        let pen = stats::mean(&runs.iter().map(|r| r.penalties).collect::<Vec<_>>());
        let forf = stats::mean(&runs.iter().map(|r| r.forfeited).collect::<Vec<_>>());
        let kpi: Vec<f64> = runs.iter().filter_map(|r| r.kpi_pass).collect();
        let kpi = if kpi.is_empty() { "no retainer".to_string() } else { format!("{:.0}%", 100.0 * stats::mean(&kpi)) };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{kpi}</td></tr>",
            c.playbook.name,
            dollars(pen),
            dollars(forf),
            esc(&fired_text(&runs))
        ));
    }
    h.push_str(
        "</table><p>Clauses fired: each loan clause whose breach was detected (it cost the penalty and its \
         forfeit share), <i>recall</i> when the project called the loan back, and <i>kpi_miss</i> when a \
         retainer period missed its KPIs (fee withheld, penalty paid), with the number of seeds on which it \
         happened.</p>",
    );
    if let (Some(svg), Some(g)) = (map_svg, r.plan.spec.grid.as_ref()) {
        let ic = r.grid.iter().filter(|p| p.verdict.incentive_compatible).count();
        h.push_str(&format!(
            "<h2>Incentive-compatibility frontier</h2><p>The stress test at each of {} grid points over {} \
             (same playbooks, seeds and budget): the dump premium per point, red where dumping pays, blue where \
             it does not; the black line is the zero contour. {ic} of {} points are incentive-compatible (IC: \
             the premium's 95% upper bound ≤ 0). Figures in <code>grid.csv</code>.</p>",
            r.grid.len(),
            esc(&g.keys.join(" × ")),
            r.grid.len()
        ));
        h.push_str(svg);
    }
    h.push_str("<h2>Every candidate evaluated</h2><table><tr>");
    for col in [
        "playbook",
        "params",
        "MM payoff mean",
        "± 95%",
        "project outcome mean",
        "retail PnL mean",
        "low",
        "close",
        "best",
    ] {
        h.push_str(&format!("<th>{col}</th>"));
    }
    h.push_str("</tr>");
    for c in &r.candidates {
        let runs: Vec<_> = c.runs.iter().flatten().collect();
        let (m, half) = mean_ci(&c.mm_payoffs());
        let mean = |f: &dyn Fn(&super::RunFigures) -> f64| stats::mean(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.5}</td><td>{:.5}</td><td>{}</td></tr>",
            c.playbook.name,
            esc(&spaced(&c.params)),
            dollars(m),
            half.map_or(String::new(), dollars),
            dollars(mean(&|r| r.payoff.project)),
            dollars(mean(&|r| r.retail_pnl)),
            mean(&|r| r.price_low),
            mean(&|r| r.price_close),
            if c.best { "★" } else { "" }
        ));
    }
    h.push_str("</table></body></html>\n");
    h
}

/// A playbook's `key=value;key=value` parameters with a space after each `;`, so the line can wrap.
fn spaced(params: &str) -> String {
    params.replace(';', "; ")
}
