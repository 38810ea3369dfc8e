//! `[stress.grid]`: the stress test at every point of a grid over scenario keys (contract terms:
//! collateral, sell caps, penalties, strikes, loan size, fees …), and the map of the dump premium
//! with its zero contour: the incentive-compatibility frontier.
//!
//! ```toml
//! [stress.grid]                     # one or two keys, each a list of values (first key: x axis)
//! "contracts.loan.sell_cap_total" = ["5%", "20%", "50%"]
//! "contracts.loan.penalty_per_breach" = [0, 2000000, 8000000]
//! ```
//!
//! Keys are `--set` paths; each value is applied as `--set KEY=VALUE` on top of the command line's
//! overrides. Every point's scenario is loaded and validated before anything runs, so a bad key or
//! value is a located error at the value. Each point runs the whole stress test (every playbook,
//! the same seeds and budget) and gives one verdict. Outputs: `grid.csv` (columns: the keys, then
//! [`GRID_COLUMNS`]; one row per point, first key varying slowest), `frontier.png`/`frontier.svg`
//! (the premium map) and a section of `report.html`.

use std::io::Write;

use plotters::prelude::*;
use toml::{Spanned, Value};

use super::output::Verdict;
use crate::report::OutputError;
use crate::scenario::{Override, Position, Problem, Scenario, ScenarioError};
use crate::sweep::plan::{value_display, value_text};

/// The columns of `grid.csv` after the grid's keys.
pub const GRID_COLUMNS: [&str; 4] =
    ["dump_premium", "dump_premium_ci95_lo", "dump_premium_ci95_hi", "incentive_compatible"];

/// Most values per key (a grid point is a whole stress test).
pub const MAX_VALUES: usize = 12;

/// `[stress.grid]` as written: key → list of values, with their places in the file.
pub(super) type RawGrid = std::collections::BTreeMap<Spanned<String>, Spanned<Vec<Spanned<Value>>>>;

/// A validated grid: its keys and every point's scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The keys, in file order (the first is the map's x axis).
    pub keys: Vec<String>,
    /// Each key's values, in file order.
    pub values: Vec<Vec<Value>>,
    /// Every point (first key varying slowest): its values and its scenario.
    pub points: Vec<(Vec<Value>, Scenario)>,
}

/// One point's result.
#[derive(Clone, Debug)]
pub struct GridPoint {
    /// The keys' values.
    pub values: Vec<Value>,
    /// The stress test's verdict there.
    pub verdict: Verdict,
}

/// Checks `raw` and loads every point's scenario (`src` with `overrides`, then the point's values).
///
/// # Errors
/// Located problems: no key or more than two, an empty or too long list, a value the scenario
/// refuses (at the value), a combination the scenario refuses (at the table).
pub(super) fn parse(
    raw: &RawGrid,
    src: &str,
    file: &str,
    overrides: &[Override],
    position: &dyn Fn(usize) -> Position,
    problems: &mut Vec<Problem>,
) -> Option<Grid> {
    let mut entries: Vec<_> = raw.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let at = |problems: &mut Vec<Problem>, key: &str, offset: usize, message: String| {
        let mut p = Problem::new(file, Some(format!("stress.grid.{key}")), message);
        p.position = Some(position(offset));
        problems.push(p);
    };
    let first = entries.first().map_or(0, |(k, _)| k.span().start);
    if entries.is_empty() || entries.len() > 2 {
        let mut p = Problem::new(
            file,
            Some("stress.grid".into()),
            format!("has {} keys: give one or two scenario keys, each with a list of values", entries.len()),
        );
        p.position = (!entries.is_empty()).then(|| position(first));
        problems.push(p);
        return None;
    }
    let before = problems.len();
    for (key, list) in &entries {
        let k = key.get_ref();
        if list.get_ref().is_empty() || list.get_ref().len() > MAX_VALUES {
            at(problems, k, list.span().start, format!("{} values: allowed 1 to {MAX_VALUES}", list.get_ref().len()));
            continue;
        }
        for (i, v) in list.get_ref().iter().enumerate() {
            if list.get_ref()[..i].iter().any(|w| w.get_ref() == v.get_ref()) {
                at(problems, k, v.span().start, format!("{} is listed twice", value_display(v.get_ref())));
                continue;
            }
            if let Err(e) = load_point(src, file, overrides, &[(k.as_str(), v.get_ref())]) {
                at(problems, k, v.span().start, format!("{} is refused: {}", value_display(v.get_ref()), inner(&e)));
            }
        }
    }
    if problems.len() > before {
        return None;
    }
    let keys: Vec<String> = entries.iter().map(|(k, _)| k.get_ref().clone()).collect();
    let values: Vec<Vec<Value>> =
        entries.iter().map(|(_, l)| l.get_ref().iter().map(|v| v.get_ref().clone()).collect()).collect();
    let mut points = Vec::new();
    for combo in product(&values) {
        let pairs: Vec<(&str, &Value)> = keys.iter().map(String::as_str).zip(&combo).collect();
        match load_point(src, file, overrides, &pairs) {
            Ok(s) => points.push((combo, s)),
            Err(e) => {
                let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", value_display(v))).collect();
                at(problems, &keys[0], first, format!("the point {} is refused: {}", text.join(", "), inner(&e)));
            }
        }
    }
    (problems.len() == before).then_some(Grid { keys, values, points })
}

fn load_point(
    src: &str,
    file: &str,
    overrides: &[Override],
    pairs: &[(&str, &Value)],
) -> Result<Scenario, ScenarioError> {
    let mut all = overrides.to_vec();
    all.extend(pairs.iter().map(|(k, v)| Override { key: (*k).to_string(), value: value_text(v) }));
    crate::scenario::load_str(src, file, &all)
}

/// The message of a scenario error without its file prefix (the grid value locates it).
fn inner(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid { problems, .. } => problems
            .iter()
            .map(|p| match &p.key {
                Some(k) => format!("{k}: {}", p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The cartesian product of `lists`, the first varying slowest.
fn product(lists: &[Vec<Value>]) -> Vec<Vec<Value>> {
    lists.iter().fold(vec![Vec::new()], |acc, list| {
        acc.iter().flat_map(|prefix| list.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat())).collect()
    })
}

/// Writes `grid.csv`.
///
/// # Errors
/// An I/O error.
pub fn write_csv(w: &mut dyn Write, keys: &[String], points: &[GridPoint]) -> Result<(), OutputError> {
    let mut csv = csv::Writer::from_writer(w);
    let err = |e: csv::Error| OutputError::Io { context: "writing grid.csv".into(), source: e.into() };
    csv.write_record(keys.iter().map(String::as_str).chain(GRID_COLUMNS)).map_err(err)?;
    for p in points {
        let v = &p.verdict;
        let mut row: Vec<String> = p.values.iter().map(value_display).collect();
        row.extend([
            crate::sweep::metrics::fmt_figure(Some(v.dump_premium)),
            crate::sweep::metrics::fmt_figure(Some(v.dump_premium_ci95[0])),
            crate::sweep::metrics::fmt_figure(Some(v.dump_premium_ci95[1])),
            v.incentive_compatible.to_string(),
        ]);
        csv.write_record(&row).map_err(err)?;
    }
    csv.flush().map_err(|e| OutputError::Io { context: "writing grid.csv".into(), source: e })?;
    Ok(())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draws the premium map of `points` over `grid`'s values on `root`: one cell per point (red:
/// dumping pays, blue: it does not), the premium written in it (`IC` when incentive-compatible),
/// and the zero contour drawn between neighbouring cells whose premiums have opposite signs.
pub fn draw_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    grid: &Grid,
    points: &[GridPoint],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    crate::report::charts::register_fonts();
    root.fill(&WHITE)?;
    let xs = &grid.values[0];
    let one = vec![Value::String(String::new())];
    let ys = grid.values.get(1).unwrap_or(&one);
    let (nx, ny) = (xs.len(), ys.len());
    let premium = |i: usize, j: usize| points.get(i * ny + j).map(|p| &p.verdict);
    let scale = points.iter().map(|p| p.verdict.dump_premium.abs()).fold(1.0f64, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption("Dump premium (best manipulative − best honest MM payoff); black: zero contour", ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)?;
    let xl: Vec<String> = xs.iter().map(value_display).collect();
    let yl: Vec<String> = ys.iter().map(value_display).collect();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&|x| label(&xl, *x))
        .y_label_formatter(&|y| label(&yl, *y))
        .x_desc(grid.keys[0].as_str())
        .y_desc(grid.keys.get(1).map_or("", String::as_str))
        .draw()?;
    for i in 0..nx {
        for j in 0..ny {
            let Some(v) = premium(i, j) else { continue };
            let t = (v.dump_premium / scale).clamp(-1.0, 1.0);
            let fade = |c: f64| (255.0 - (255.0 - c) * t.abs()) as u8;
            let colour = if t > 0.0 {
                RGBColor(fade(198.0), fade(40.0), fade(40.0))
            } else {
                RGBColor(fade(21.0), fade(101.0), fade(192.0))
            };
            let (x, y) = (i as f64 - 0.5, j as f64 - 0.5);
            chart.draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], colour.filled())))?;
            let label =
                format!("{}{}", super::html::dollars(v.dump_premium), if v.incentive_compatible { " IC" } else { "" });
            chart.draw_series(std::iter::once(Text::new(label, (x + 0.08, y + 0.55), ("sans-serif", 16))))?;
        }
    }
    // The zero contour: cell edges between opposite signs.
    let positive = |i: usize, j: usize| premium(i, j).map(|v| v.dump_premium > 0.0);
    let mut edges = Vec::new();
    for i in 0..nx {
        for j in 0..ny {
            let Some(here) = positive(i, j) else { continue };
            if i + 1 < nx && positive(i + 1, j).is_some_and(|p| p != here) {
                let x = i as f64 + 0.5;
                edges.push(vec![(x, j as f64 - 0.5), (x, j as f64 + 0.5)]);
            }
            if j + 1 < ny && positive(i, j + 1).is_some_and(|p| p != here) {
                let y = j as f64 + 0.5;
                edges.push(vec![(i as f64 - 0.5, y), (i as f64 + 0.5, y)]);
            }
        }
    }
    chart.draw_series(edges.into_iter().map(|e| PathElement::new(e, BLACK.stroke_width(4))))?;
    root.present()?;
    Ok(())
}

/// The value shown at tick `t` (cell centres are the integers; other ticks stay blank).
fn label(values: &[String], t: f64) -> String {
    let i = t.round();
    if (t - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    values.get(i as usize).cloned().unwrap_or_default()
}

/// `frontier.png` (900 × 600) and the map as an SVG string (for `report.html`).
///
/// # Errors
/// A chart that cannot be drawn or encoded.
pub fn render(grid: &Grid, points: &[GridPoint]) -> Result<(Vec<u8>, String), OutputError> {
    const W: u32 = 900;
    const H: u32 = 600;
    let chart_err = |e: Box<dyn std::error::Error>| OutputError::Chart(format!("drawing frontier.png: {e}"));
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    draw_map(&BitMapBackend::with_buffer(&mut rgb, (W, H)).into_drawing_area(), grid, points).map_err(chart_err)?;
    let png = crate::report::charts::encode_png(&rgb, W, H)
        .map_err(|e| OutputError::Chart(format!("encoding frontier.png: {e}")))?;
    let mut svg = String::new();
    draw_map(&SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area(), grid, points).map_err(chart_err)?;
    Ok((png, svg))
}
