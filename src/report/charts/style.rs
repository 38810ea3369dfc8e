//! Look and number formatting shared by the charts: the palette, tick placement and labels (thousands
//! separators below 10,000, SI suffixes k/M/G above), and the title-and-legend header drawn *above*
//! the plot, so a legend can never hide data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DrawResult;

/// The one font family registered (see [`super::register_fonts`]).
pub(super) const FAMILY: &str = "sans-serif";
/// Dark text.
pub(super) const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text and the zero line.
pub(super) const MUTED: RGBColor = RGBColor(108, 117, 125);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(225, 228, 232);
/// Line colours (Tableau 10), for series in order.
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Phase shading colours (drawn translucent).
pub(super) const PHASE_COLOURS: [RGBColor; 6] = [
    RGBColor(44, 160, 44),
    RGBColor(255, 187, 40),
    RGBColor(214, 39, 40),
    RGBColor(127, 127, 127),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
];
/// KPI threshold lines.
pub(super) const KPI: RGBColor = RGBColor(200, 30, 30);

/// A text style of the registered family.
pub(super) fn text(size: u32, color: &RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color)
}

/// A text style anchored at `h`, `v`.
pub(super) fn text_at(size: u32, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    text(size, color).pos(Pos::new(h, v))
}

/// A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) giving about `target` intervals over `span`.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).abs().max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|&n| m <= n * 1.0001).unwrap_or(10.0);
    nice * mag
}

/// Ticks at multiples of `step` within `[lo, hi]`.
pub(super) fn linear_ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v }).collect()
}

/// Ticks for a log axis over `[lo, hi]` (real values, both > 0): 1-2-5 mantissas, thinned or
/// thickened to between 4 and 10 labels.
pub(super) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let sets: [&[f64]; 4] = [&[1.0, 1.5, 2.0, 3.0, 5.0, 7.0], &[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
    let (k0, k1) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
    let mut best = Vec::new();
    for set in sets {
        let ticks: Vec<f64> = (k0..=k1)
            .flat_map(|k| set.iter().map(move |m| m * 10f64.powi(k)))
            .filter(|v| *v >= lo * 0.9999 && *v <= hi * 1.0001)
            .collect();
        best = ticks;
        if best.len() <= 10 {
            break;
        }
    }
    best
}

/// How axis values are written.
#[derive(Clone, Copy, Debug)]
pub(super) struct NumFmt {
    scale: f64,
    suffix: &'static str,
    decimals: Option<usize>,
}

impl NumFmt {
    /// For a linear axis with ticks `step` apart and values up to `max_abs`: thousands separators
    /// below 10,000, otherwise k/M/G; decimals just enough for the step.
    pub(super) fn linear(max_abs: f64, step: f64) -> Self {
        let (scale, suffix) = si_scale(max_abs);
        let decimals = decimals_for(step / scale);
        NumFmt { scale, suffix, decimals: Some(decimals) }
    }

    /// For values of any size (log axes, annotations): just enough decimals for each value.
    pub(super) fn free(max_abs: f64) -> Self {
        let (scale, suffix) = si_scale(max_abs);
        NumFmt { scale, suffix, decimals: None }
    }

    /// Writes `v`.
    pub(super) fn fmt(&self, v: f64) -> String {
        let x = v / self.scale;
        if x.abs() < 1e-12 {
            return "0".to_string();
        }
        let d = self.decimals.unwrap_or_else(|| exact_decimals(x));
        format!("{}{}", thousands(x, d), self.suffix)
    }
}

fn si_scale(max_abs: f64) -> (f64, &'static str) {
    match max_abs {
        m if m >= 1e10 => (1e9, "G"),
        m if m >= 1e7 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    }
}

/// Decimals needed to tell ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    if step <= 0.0 || !step.is_finite() {
        return 0;
    }
    (0..10).find(|&d| ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() < 1e-6).unwrap_or(10) as usize
}

/// The fewest decimals (≤ 8) that write `v` to 4 significant digits.
fn exact_decimals(v: f64) -> usize {
    if v == 0.0 || !v.is_finite() {
        return 0;
    }
    let mag = v.abs().log10().floor() as i32;
    let max_d = (3 - mag).clamp(0, 8);
    let rounded = format!("{:.*}", max_d as usize, v);
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    trimmed.split('.').nth(1).map_or(0, str::len)
}

/// `v` with `decimals` decimals and a comma every three integer digits (no sign on a value that
/// rounds to zero).
pub(super) fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v);
    let zero = s.chars().all(|c| matches!(c, '0' | '.' | '-'));
    crate::report::html::group_digits(if zero { s.trim_start_matches('-') } else { &s })
}

/// How a legend entry's swatch looks.
#[derive(Clone, Copy, Debug)]
pub(super) enum Swatch {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// A filled box with this opacity.
    Area(f64),
    /// A filled dot (a trade marker).
    Dot,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(super) struct LegendEntry {
    /// Text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Swatch.
    pub swatch: Swatch,
}

impl LegendEntry {
    /// An entry.
    pub(super) fn new(label: impl Into<String>, color: RGBColor, swatch: Swatch) -> Self {
        LegendEntry { label: label.into(), color, swatch }
    }
}

const LEGEND_ROW: i32 = 24;
const SWATCH: i32 = 26;

/// Draws the white background, the bold title and the legend (wrapped into rows) at the top of
/// `root`, plus an optional grey `note` at the end of the legend, and returns the area left below.
pub(super) fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendEntry],
    note: Option<&str>,
) -> Result<DrawingArea<DB, Shift>, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    root.draw(&Text::new(title.to_string(), (16, 10), (FAMILY, 24, FontStyle::Bold).into_font().color(&INK)))?;
    let (width, _) = root.dim_in_pixel();
    let style = text(15, &INK);
    let (mut x, mut y) = (20i32, 52i32);
    let mut place = |w: i32| {
        if x + w > width as i32 - 16 && x > 20 {
            x = 20;
            y += LEGEND_ROW;
        }
        let at = (x, y);
        x += w + 22;
        at
    };
    for e in legend {
        let (tw, _) = root.estimate_text_size(&e.label, &style)?;
        let (lx, ly) = place(SWATCH + 6 + tw as i32);
        match e.swatch {
            Swatch::Line => root.draw(&PathElement::new([(lx, ly), (lx + SWATCH, ly)], e.color.stroke_width(3)))?,
            Swatch::Dashed => {
                for k in 0..3 {
                    let x0 = lx + k * 10;
                    root.draw(&PathElement::new([(x0, ly), (x0 + 6, ly)], e.color.stroke_width(2)))?;
                }
            }
            Swatch::Area(alpha) => {
                let rect = [(lx, ly - 7), (lx + SWATCH, ly + 7)];
                root.draw(&Rectangle::new(rect, e.color.mix(alpha).filled()))?;
                root.draw(&Rectangle::new(rect, e.color.stroke_width(1)))?;
            }
            Swatch::Dot => root.draw(&Circle::new((lx + SWATCH / 2, ly), 5, e.color.filled()))?,
        }
        root.draw(&Text::new(e.label.clone(), (lx + SWATCH + 6, ly), style.pos(Pos::new(HPos::Left, VPos::Center))))?;
    }
    if let Some(note) = note {
        let muted = text(14, &MUTED);
        let (tw, _) = root.estimate_text_size(note, &muted)?;
        let (lx, ly) = place(tw as i32);
        root.draw(&Text::new(note.to_string(), (lx, ly), muted.pos(Pos::new(HPos::Left, VPos::Center))))?;
    }
    let top = (y + LEGEND_ROW / 2 + 6) as u32;
    Ok(root.split_vertically(top).1)
}

/// Writes `message` in the middle of `area` (for charts with nothing to show).
pub(super) fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, message: &str) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let style = text_at(18, &MUTED, HPos::Center, VPos::Center);
    area.draw(&Text::new(message.to_string(), (w as i32 / 2, h as i32 / 2), style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-999.0, 0), "−999");
        assert_eq!(thousands(-0.0001, 2), "0.00");
        assert_eq!(NumFmt::linear(40_000.0, 5_000.0).fmt(35_000.0), "35k");
        assert_eq!(NumFmt::linear(40_000.0, 2_500.0).fmt(12_500.0), "12.5k");
        assert_eq!(NumFmt::linear(9_000.0, 2_000.0).fmt(8_000.0), "8,000");
        assert_eq!(NumFmt::linear(0.12, 0.02).fmt(0.06), "0.06");
        assert_eq!(NumFmt::linear(3e7, 5e6).fmt(-2.5e7), "−25M");
        assert_eq!(NumFmt::free(1.0).fmt(0.015), "0.015");
        assert_eq!(NumFmt::free(1.0).fmt(0.05021), "0.05021");
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(nice_step(60.0, 8.0), 10.0);
        assert_eq!(linear_ticks(0.0, 60.0, 10.0), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
        let t = log_ticks(0.04, 1.2);
        assert!(t.len() >= 4 && t.len() <= 10, "{t:?}");
        assert!(t.contains(&0.1) && t.contains(&1.0));
    }
}
