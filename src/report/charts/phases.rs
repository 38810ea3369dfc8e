//! The manipulation phases shaded on every chart (the same colour per phase everywhere, in order of
//! first appearance), and their legend entries.

use plotters::prelude::*;

use super::frame::Chart2d;
use super::series::{phase_label, phase_names, PhaseSpan};
use super::style::{LegendEntry, Swatch, PHASE_COLOURS};
use super::DrawResult;

/// The colour of phase `name` among `spans`.
pub(super) fn colour(spans: &[PhaseSpan], name: &str) -> RGBColor {
    let names = phase_names(spans);
    PHASE_COLOURS[names.iter().position(|n| *n == name).unwrap_or(0) % PHASE_COLOURS.len()]
}

/// Shades each span from `lo` to `hi` (plot coordinates of the y axis).
pub(super) fn shade<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    spans: &[PhaseSpan],
    lo: f64,
    hi: f64,
) -> DrawResult<DB> {
    chart.draw_series(
        spans.iter().map(|p| Rectangle::new([(p.x0, lo), (p.x1, hi)], colour(spans, p.name).mix(0.14).filled())),
    )?;
    Ok(())
}

/// One legend entry per phase.
pub(super) fn legend(spans: &[PhaseSpan]) -> Vec<LegendEntry> {
    phase_names(spans)
        .into_iter()
        .map(|name| LegendEntry::new(format!("phase: {}", phase_label(name)), colour(spans, name), Swatch::Area(0.2)))
        .collect()
}
