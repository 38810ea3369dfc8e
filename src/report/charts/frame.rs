//! The axes every chart is drawn on: an [`AxisSpec`] per axis (range, ticks placed exactly where
//! [`super::style`] chose them, label format, log or linear), the [`frame`] that draws grid, ticks and
//! axis descriptions, and [`draw_line`], which draws series without plotters' wide-line spikes.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{linear_ticks, log_ticks, nice_step, text, NumFmt, GRID, INK, MUTED};
use super::DrawResult;

/// One axis: its range in plotted units, tick positions, description and label format. A log axis
/// plots `ln(v)`; `fmt` and the ticks are in real values.
#[derive(Clone, Debug)]
pub(super) struct AxisSpec {
    /// Lower end (plotted units).
    pub lo: f64,
    /// Upper end (plotted units).
    pub hi: f64,
    /// Tick positions (real values).
    pub ticks: Vec<f64>,
    /// Description with units.
    pub desc: String,
    /// Log axis.
    pub log: bool,
    /// Label format.
    pub fmt: NumFmt,
}

impl AxisSpec {
    /// A linear axis over `[lo, hi]` with about `target` ticks.
    pub(super) fn linear(lo: f64, hi: f64, target: f64, desc: impl Into<String>) -> Self {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 1.0, lo + 1.0) };
        let step = nice_step(hi - lo, target);
        let fmt = NumFmt::linear(lo.abs().max(hi.abs()), step);
        AxisSpec { lo, hi, ticks: linear_ticks(lo, hi, step), desc: desc.into(), log: false, fmt }
    }

    /// A log axis over real values `[lo, hi]` (both > 0).
    pub(super) fn log(lo: f64, hi: f64, desc: impl Into<String>) -> Self {
        let fmt = NumFmt::free(hi);
        AxisSpec { lo: lo.ln(), hi: hi.ln(), ticks: log_ticks(lo, hi), desc: desc.into(), log: true, fmt }
    }

    /// A real value in plotted units.
    pub(super) fn to_plot(&self, v: f64) -> f64 {
        if self.log {
            v.max(f64::MIN_POSITIVE).ln()
        } else {
            v
        }
    }

    fn coord(&self) -> Ticked {
        let ticks = self.ticks.iter().map(|&v| self.to_plot(v)).collect();
        Ticked { lo: self.lo, hi: self.hi, ticks }
    }

    fn label(&self, plotted: f64) -> String {
        self.fmt.fmt(if self.log { plotted.exp() } else { plotted })
    }
}

/// A linear `f64` coordinate whose tick marks (and grid lines) sit exactly at `ticks`.
#[derive(Clone, Debug)]
pub(super) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.lo..self.hi).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A chart with custom ticks on both axes.
pub(super) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// Builds a chart on `area` with the two axes and draws its grid, ticks and descriptions.
pub(super) fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: &AxisSpec,
    y: &AxisSpec,
    x_desc: bool,
) -> Result<Chart2d<'a, DB>, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_top(8)
        .margin_left(6)
        .x_label_area_size(if x_desc { 52 } else { 28 })
        .y_label_area_size(96)
        .build_cartesian_2d(x.coord(), y.coord())?;
    let (xf, yf) = (|v: &f64| x.label(*v), |v: &f64| y.label(*v));
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED)
        .label_style(text(14, &INK))
        .axis_desc_style(text(15, &INK))
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .y_desc(y.desc.as_str());
    if x_desc {
        mesh.x_desc(x.desc.as_str());
    }
    mesh.draw()?;
    Ok(chart)
}

/// Draws a line through `points` (plot coordinates) in pixel space: consecutive points on the same
/// pixel are merged, a lone point becomes a dot, and the path is cut at turns sharper than about
/// 110°. Plotters' bitmap backend builds wide lines with mitred joins that shoot far off the plot
/// at such spikes (and at zero-length segments); cut paths have no joins there.
pub(super) fn draw_line<DB: DrawingBackend>(
    chart: &Chart2d<'_, DB>,
    points: impl IntoIterator<Item = (f64, f64)>,
    color: RGBColor,
    width: u32,
) -> DrawResult<DB> {
    let screen = chart.plotting_area().use_screen_coord();
    let mut px: Vec<(i32, i32)> = Vec::new();
    for p in points {
        let q = chart.backend_coord(&p);
        if px.last() != Some(&q) {
            px.push(q);
        }
    }
    let style = color.stroke_width(width);
    if px.len() == 1 {
        return screen.draw(&Circle::new(px[0], width.max(2), color.filled()));
    }
    let mut start = 0;
    for k in 1..px.len().saturating_sub(1) {
        let (a, b, c) = (px[k - 1], px[k], px[k + 1]);
        let (u, v) = ((b.0 - a.0, b.1 - a.1), (c.0 - b.0, c.1 - b.1));
        let dot = f64::from(u.0 * v.0 + u.1 * v.1);
        let norm = f64::from(u.0 * u.0 + u.1 * u.1).sqrt() * f64::from(v.0 * v.0 + v.1 * v.1).sqrt();
        if dot < -0.35 * norm {
            screen.draw(&PathElement::new(px[start..=k].to_vec(), style))?;
            start = k;
        }
    }
    if px.len() > start + 1 {
        screen.draw(&PathElement::new(px[start..].to_vec(), style))?;
    }
    Ok(())
}
