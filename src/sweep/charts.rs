//! The sweep's charts, from `points.csv` figures, each as PNG and SVG at 1200×700:
//! - one parameter: `band_<metric>`: the chart metric's mean over the replicates against the
//!   parameter, with its p5–p95 band (numeric values on a linear axis, other values in file order);
//! - two grid parameters: `heatmap_<metric>`: the chart metric's mean per cell, the first grid key
//!   across and the second up, each cell labelled with its value, and a colour scale beside it.
//!
//! - random parameters (with more than one parameter): `scatter_<metric>_<param>` per sampled
//!   parameter: each point's mean with its p5–p95 bar against that parameter's value.
//!
//! Sweeps of three or more grid parameters get no chart ([`no_chart_reason`] says so): `points.csv`
//! has the figures. Text uses the embedded DejaVu Sans registered by
//! [`register_fonts`]; output is deterministic.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::output::{Manifest, PointStats};
use crate::report::charts::register_fonts;
use crate::report::{OutputDir, OutputError};

const W: u32 = 1200;
const H: u32 = 700;
const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(33, 37, 41);
const LINE: RGBColor = RGBColor(31, 119, 180);
/// Viridis at five stops, interpolated linearly.
const VIRIDIS: [(u8, u8, u8); 5] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// What to draw.
enum Figure {
    Band(Band),
    Heat { x_name: String, y_name: String, xs: Vec<String>, ys: Vec<String>, cells: Vec<Option<f64>> },
}

/// The band chart's data, sorted by the parameter.
struct Band {
    /// Points with p5–p95 bars, not joined (a sampled parameter while others vary).
    scatter: bool,
    x_name: String,
    /// The values as written.
    names: Vec<String>,
    /// Where they are plotted: the value when every value is a number, else its index.
    x: Vec<f64>,
    numeric: bool,
    mean: Vec<f64>,
    p5: Vec<f64>,
    p95: Vec<f64>,
}

/// Stages the sweep's chart (if its shape has one) in `dir`; returns the file names.
///
/// # Errors
/// A drawing or encoding failure.
pub fn render(dir: &mut OutputDir, m: &Manifest, points: &[PointStats]) -> Result<Vec<String>, OutputError> {
    let Some(j) = m.columns.iter().position(|c| *c == m.chart_metric) else { return Ok(Vec::new()) };
    let figures: Vec<(String, Option<Figure>)> = match (m.params.len(), m.grid_params) {
        (1, _) => vec![(format!("band_{}", m.chart_metric), band(m, points, j, 0, false))],
        (2, 2) => vec![(format!("heatmap_{}", m.chart_metric), heat(m, points, j))],
        (n, g) if n > g => (g..n)
            .map(|k| (format!("scatter_{}_{}", m.chart_metric, m.params[k]), band(m, points, j, k, true)))
            .collect(),
        _ => return Ok(Vec::new()),
    };
    let mut files = Vec::new();
    for (stem, fig) in figures {
        let Some(fig) = fig else { continue };
        files.extend(write_figure(dir, m, &stem, &fig)?);
    }
    Ok(files)
}

/// Why a sweep of this shape has no chart (`None` when it has one).
pub fn no_chart_reason(m: &Manifest) -> Option<String> {
    match (m.params.len(), m.grid_params) {
        (0, _) => Some("no chart: the sweep varies no parameter".into()),
        (1, _) | (2, 2) => None,
        (n, g) if n > g => None,
        (n, _) => Some(format!(
            "no chart for {n} grid parameters (charts show one parameter, two grid parameters, or each random \
             one); points.csv has every point's figures"
        )),
    }
}

fn write_figure(dir: &mut OutputDir, m: &Manifest, stem: &str, fig: &Figure) -> Result<Vec<String>, OutputError> {
    register_fonts();
    let title = format!("{} — {} (mean of {} replicates)", m.scenario, m.chart_metric, m.replicates);
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (W, H)).into_drawing_area();
        draw(&root, fig, &title).map_err(|e| OutputError::Chart(format!("drawing {stem}.png: {e}")))?;
        root.present().map_err(|e| OutputError::Chart(format!("drawing {stem}.png: {e}")))?;
    }
    let png = encode_png(&rgb).map_err(|e| OutputError::Chart(format!("encoding {stem}.png: {e}")))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        draw(&root, fig, &title).map_err(|e| OutputError::Chart(format!("drawing {stem}.svg: {e}")))?;
        root.present().map_err(|e| OutputError::Chart(format!("drawing {stem}.svg: {e}")))?;
    }
    dir.write(&format!("{stem}.png"), |w| Ok(w.write_all(&png)?))?;
    dir.write(&format!("{stem}.svg"), |w| Ok(w.write_all(svg.as_bytes())?))?;
    Ok(vec![format!("{stem}.png"), format!("{stem}.svg")])
}

/// Metric column `j` against parameter `k`: a band over one parameter, or (`scatter`) each
/// point's mean with its p5–p95 bar against one sampled parameter while the others vary too.
fn band(m: &Manifest, points: &[PointStats], j: usize, k: usize, scatter: bool) -> Option<Figure> {
    let mut rows: Vec<(String, f64, f64, f64)> = points
        .iter()
        .filter_map(|p| {
            let s = p.stats[j];
            Some((p.values[k].clone(), s.mean?, s.p5?, s.p95?))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let numeric = rows.iter().all(|r| r.0.parse::<f64>().is_ok_and(f64::is_finite));
    if numeric {
        rows.sort_by(|a, b| a.0.parse::<f64>().unwrap_or(0.0).total_cmp(&b.0.parse::<f64>().unwrap_or(0.0)));
    }
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let x = if numeric {
        names.iter().map(|s| s.parse().unwrap_or(0.0)).collect()
    } else {
        (0..names.len()).map(|i| i as f64).collect()
    };
    Some(Figure::Band(Band {
        scatter,
        x_name: m.params[k].clone(),
        names,
        x,
        numeric,
        mean: rows.iter().map(|r| r.1).collect(),
        p5: rows.iter().map(|r| r.2).collect(),
        p95: rows.iter().map(|r| r.3).collect(),
    }))
}

fn heat(m: &Manifest, points: &[PointStats], j: usize) -> Option<Figure> {
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    for p in points {
        if !xs.contains(&p.values[0]) {
            xs.push(p.values[0].clone());
        }
        if !ys.contains(&p.values[1]) {
            ys.push(p.values[1].clone());
        }
    }
    let mut cells = vec![None; xs.len() * ys.len()];
    for p in points {
        let (Some(i), Some(k)) = (xs.iter().position(|x| *x == p.values[0]), ys.iter().position(|y| *y == p.values[1]))
        else {
            continue;
        };
        cells[k * xs.len() + i] = p.stats[j].mean;
    }
    cells.iter().any(Option::is_some).then(|| Figure::Heat {
        x_name: m.params[0].clone(),
        y_name: m.params[1].clone(),
        xs,
        ys,
        cells,
    })
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure, title: &str) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let root = root.titled(title, (FONT, 26).into_font().color(&INK))?;
    match fig {
        Figure::Band(b) => draw_band(&root, b),
        Figure::Heat { x_name, y_name, xs, ys, cells } => draw_heat(&root, x_name, y_name, xs, ys, cells),
    }
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if span > 0.0 {
        (lo - span * 0.05, hi + span * 0.05)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    }
}

fn draw_band<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, b: &Band) -> DrawResult<DB> {
    let Band { x, mean, p5, p95, names, .. } = b;
    let (x0, x1) =
        padded(x.iter().copied().fold(f64::INFINITY, f64::min), x.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let lo = p5.iter().chain(mean).copied().fold(f64::INFINITY, f64::min);
    let hi = p95.iter().chain(mean).copied().fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = padded(lo, hi);
    let mut chart = ChartBuilder::on(root)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let (x_axis, y_axis) = (Axis::over(x0, x1), Axis::over(y0, y1));
    let x_fmt = |v: &f64| {
        if b.numeric {
            x_axis.fmt(*v)
        } else {
            let i = v.round();
            let on_value = (v - i).abs() < 1e-6 && i >= 0.0;
            on_value.then(|| names.get(i as usize).cloned()).flatten().unwrap_or_default()
        }
    };
    let y_fmt = |v: &f64| y_axis.fmt(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(&b.x_name).y_desc("mean, p5–p95").x_label_formatter(&x_fmt).y_label_formatter(&y_fmt);
    mesh.label_style((FONT, 16).into_font().color(&INK)).axis_desc_style((FONT, 18).into_font().color(&INK));
    if !b.numeric {
        mesh.x_labels(names.len().min(30) * 2 + 1);
    }
    mesh.light_line_style(RGBColor(240, 242, 245)).draw()?;
    if b.scatter {
        let bars = x
            .iter()
            .zip(p5.iter().zip(p95))
            .map(|(&x, (&lo, &hi))| PathElement::new(vec![(x, lo), (x, hi)], LINE.mix(0.35).stroke_width(2)));
        chart
            .draw_series(bars)?
            .label("p5–p95")
            .legend(|(x, y)| PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], LINE.mix(0.35).stroke_width(2)));
        chart
            .draw_series(x.iter().zip(mean).map(|(&x, &y)| Circle::new((x, y), 4, LINE.filled())))?
            .label("mean of a point")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, LINE.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 16).into_font().color(&INK))
            .draw()?;
        return Ok(());
    }
    let mut area: Vec<(f64, f64)> = x.iter().copied().zip(p5.iter().copied()).collect();
    area.extend(x.iter().copied().zip(p95.iter().copied()).rev());
    chart
        .draw_series(std::iter::once(Polygon::new(area, LINE.mix(0.2).filled())))?
        .label("p5–p95")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], LINE.mix(0.2).filled()));
    let pts: Vec<(f64, f64)> = x.iter().copied().zip(mean.iter().copied()).collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), LINE.stroke_width(2)))?
        .label("mean")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], LINE.stroke_width(2)));
    chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, LINE.filled())))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .label_font((FONT, 16).into_font().color(&INK))
        .draw()?;
    Ok(())
}

fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_name: &str,
    y_name: &str,
    xs: &[String],
    ys: &[String],
    cells: &[Option<f64>],
) -> DrawResult<DB> {
    let (main, side) = root.split_horizontally(root.dim_in_pixel().0 - 150);
    let vals: Vec<f64> = cells.iter().flatten().copied().collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (nx, ny) = (xs.len() as i32, ys.len() as i32);
    let mut chart = ChartBuilder::on(&main)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(110)
        // A discrete i32 range includes its end: 0..n−1 has n segments.
        .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
    let label = |names: &[String], v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(xs.len())
        .y_labels(ys.len())
        .x_desc(x_name)
        .y_desc(y_name)
        .x_label_formatter(&|v| label(xs, v))
        .y_label_formatter(&|v| label(ys, v))
        .label_style((FONT, 16).into_font().color(&INK))
        .axis_desc_style((FONT, 18).into_font().color(&INK))
        .draw()?;
    let mut rects = Vec::new();
    let mut texts = Vec::new();
    for k in 0..ny {
        for i in 0..nx {
            let v = cells[(k * nx + i) as usize];
            let t = v.map_or(0.5, |v| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 });
            let fill = v.map_or(RGBColor(220, 220, 220), |_| viridis(t));
            let corners = [
                (SegmentValue::Exact(i), SegmentValue::Exact(k)),
                (SegmentValue::Exact(i + 1), SegmentValue::Exact(k + 1)),
            ];
            rects.push(Rectangle::new(corners, fill.filled()));
            let ink = if t > 0.6 { INK } else { WHITE };
            let style = (FONT, 15).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
            let text = v.map_or_else(|| "n/a".to_string(), short);
            texts.push(Text::new(text, (SegmentValue::CenterOf(i), SegmentValue::CenterOf(k)), style));
        }
    }
    chart.draw_series(rects)?;
    chart.draw_series(texts)?;
    // Colour scale.
    let (c0, c1) = padded(lo, hi);
    let (c0, c1) = if hi > lo { (lo, hi) } else { (c0, c1) };
    let mut scale = ChartBuilder::on(&side)
        .margin(20)
        .margin_left(10)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1.0, c0..c1)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|v| Axis::over(c0, c1).fmt(*v))
        .label_style((FONT, 14).into_font().color(&INK))
        .draw()?;
    let steps = 100;
    scale.draw_series((0..steps).map(|s| {
        let (a, b) = (s as f64 / steps as f64, (s + 1) as f64 / steps as f64);
        Rectangle::new([(0.0, c0 + a * (c1 - c0)), (1.0, c0 + b * (c1 - c0))], viridis((a + b) / 2.0).filled())
    }))?;
    Ok(())
}

fn viridis(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// About four significant digits, with k/M/G above 10,000.
fn short(v: f64) -> String {
    Axis::new(v.abs()).fmt(v)
}

/// One number format for every label of an axis: the suffix and decimals suit its largest value.
#[derive(Clone, Copy)]
struct Axis {
    div: f64,
    suffix: &'static str,
    decimals: usize,
}

impl Axis {
    fn new(max_abs: f64) -> Self {
        let (div, suffix) = match max_abs {
            a if a >= 1e9 => (1e9, "G"),
            a if a >= 1e6 => (1e6, "M"),
            a if a >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        let m = max_abs / div;
        let mag = if m > 0.0 { m.log10().floor() as i32 } else { 0 };
        Axis { div, suffix, decimals: (3 - mag).clamp(0, 6) as usize }
    }

    fn over(lo: f64, hi: f64) -> Self {
        Axis::new(lo.abs().max(hi.abs()))
    }

    fn fmt(self, v: f64) -> String {
        let d = self.decimals;
        let text = format!("{:.d$}", v / self.div);
        let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
        if text == "0" || text == "-0" {
            return "0".to_string();
        }
        format!("{text}{}", self.suffix)
    }
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(rgb.len() / 16);
    let mut enc = png::Encoder::new(&mut out, W, H);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}
