//! The `volume` chart: traded value per interval as stacked bars, real trades below and wash trades
//! (ground truth: same account on both sides, or both orders sent as wash) on top. Samples are
//! grouped into at most [`MAX_BARS`] bars, each covering a whole number of sampling intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{frame, AxisSpec};
use super::series::{phase_spans, PhaseSpan, TimeScale};
use super::style::{header, no_data, thousands, LegendEntry, Swatch, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure};
use crate::metrics::Sample;
use crate::types::SimTime;

/// Most bars drawn.
pub(super) const MAX_BARS: usize = 150;
const REAL: RGBColor = PALETTE[0];
const WASH: RGBColor = PALETTE[3];

/// One bar: time span and values in quote units.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bar {
    x0: f64,
    x1: f64,
    real: f64,
    wash: f64,
}

/// Prepared data of the volume chart.
#[derive(Debug)]
pub(super) struct VolumeChart {
    title: String,
    time: TimeScale,
    bars: Vec<Bar>,
    per: String,
    total: f64,
    wash: f64,
    phases: Vec<PhaseSpan>,
}

/// The typical sampling interval in seconds (the median gap).
fn interval_secs(samples: &[Sample]) -> f64 {
    let mut gaps: Vec<u64> = samples.windows(2).map(|w| w[1].t.0.saturating_sub(w[0].t.0)).collect();
    if gaps.is_empty() {
        return 0.0;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2] as f64 / 1e9
}

/// Bar widths that read well, in seconds.
const NICE_SECS: [u64; 22] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 43_200, 86_400, 172_800,
    604_800, 2_592_000,
];

/// Samples per bar: at most [`MAX_BARS`] bars, each a readable span (1 min, 5 min, 1 h, ...) when
/// one is a whole number of sampling intervals and at most 3× the narrowest allowed bar.
fn samples_per_bar(n: usize, dt: f64) -> usize {
    let needed = n.div_ceil(MAX_BARS).max(1);
    if dt <= 0.0 {
        return needed;
    }
    NICE_SECS
        .iter()
        .map(|&s| s as f64 / dt)
        .find(|&k| k >= needed as f64 && k <= 3.0 * needed as f64 && (k - k.round()).abs() < 1e-9)
        .map_or(needed, |k| k.round() as usize)
}

impl VolumeChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let (samples, units) = (input.samples, input.units);
        let time = TimeScale::of(input);
        let dt = interval_secs(samples);
        let per_bar = samples_per_bar(samples.len(), dt);
        let mut bars = Vec::new();
        for (k, chunk) in samples.chunks(per_bar).enumerate() {
            let first = k * per_bar;
            let x0 = match first {
                0 => time.x(SimTime(chunk[0].t.0.saturating_sub((dt * 1e9) as u64))),
                i => time.x(samples[i - 1].t),
            };
            let x1 = time.x(chunk[chunk.len() - 1].t);
            let all: f64 = chunk.iter().map(|s| units.cash_f64(s.volume)).sum();
            let wash: f64 = chunk.iter().map(|s| units.cash_f64(s.volume_wash)).sum();
            bars.push(Bar { x0, x1, real: (all - wash).max(0.0), wash });
        }
        let total = bars.iter().map(|b| b.real + b.wash).sum();
        let wash = bars.iter().map(|b| b.wash).sum();
        let per = TimeScale::describe(dt * per_bar as f64);
        let phases = phase_spans(samples, &time);
        VolumeChart { title: title(ChartKind::Volume, input.name), time, bars, per, total, wash, phases }
    }
}

impl Figure for VolumeChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let share = if self.total > 0.0 { self.wash / self.total * 100.0 } else { 0.0 };
        let mut legend = vec![
            LegendEntry::new(
                format!("real trades: {} quote in all", thousands(self.total - self.wash, 2)),
                REAL,
                Swatch::Area(0.85),
            ),
            LegendEntry::new(
                format!("wash trades: {} quote ({share:.1}% of volume)", thousands(self.wash, 2)),
                WASH,
                Swatch::Area(0.85),
            ),
        ];
        legend.extend(super::phases::legend(&self.phases));
        let area = header(root, &self.title, &legend, None)?;
        let hi = self.bars.iter().map(|b| b.real + b.wash).fold(0.0, f64::max);
        if hi <= 0.0 {
            return no_data(&area, "No trades in this run.");
        }
        let y = AxisSpec::linear(0.0, hi * 1.08, 8.0, format!("traded value per {} (quote)", self.per));
        let mut chart = frame(&area, &self.time.axis(), &y, true)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        let gap = |b: &Bar| (b.x1 - b.x0) * 0.08;
        chart.draw_series(
            self.bars
                .iter()
                .filter(|b| b.real > 0.0)
                .map(|b| Rectangle::new([(b.x0 + gap(b), 0.0), (b.x1 - gap(b), b.real)], REAL.mix(0.85).filled())),
        )?;
        chart.draw_series(self.bars.iter().filter(|b| b.wash > 0.0).map(|b| {
            Rectangle::new([(b.x0 + gap(b), b.real), (b.x1 - gap(b), b.real + b.wash)], WASH.mix(0.85).filled())
        }))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::samples_per_bar;

    #[test]
    fn bars_span_readable_times() {
        assert_eq!(samples_per_bar(121, 60.0), 1);
        assert_eq!(samples_per_bar(5761, 60.0), 60);
        assert_eq!(samples_per_bar(10_001, 60.0), 120);
        assert_eq!(samples_per_bar(1000, 7.0), 7);
    }
}
