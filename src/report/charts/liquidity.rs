//! The `liquidity` chart, two panels sharing the time axis: the quoted spread in basis points of the
//! mid (log scale when it spans more than 10×), and the value resting within 2% of the mid on each
//! side, asks above the zero line and bids mirrored below it (so the sides never overplot). Contract KPI thresholds are drawn as dashed lines labelled at their right end. When one side
//! of the book was empty in 5% of the samples or more (counted from the first sample with both
//! sides), a note says so (the spread line has gaps).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{draw_line, frame, AxisSpec, Chart2d};
use super::series::{phase_spans, segments, y_range, PhaseSpan, Segments, TimeScale};
use super::style::{header, no_data, text_at, LegendEntry, Swatch, KPI, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure, KpiAxis, KpiLine};
use crate::metrics::Sample;

const SPREAD: RGBColor = PALETTE[0];
const BID: RGBColor = PALETTE[2];
const ASK: RGBColor = PALETTE[3];

/// Prepared data of the liquidity chart.
#[derive(Debug)]
pub(super) struct LiquidityChart {
    title: String,
    time: TimeScale,
    spread: Segments,
    bid: Segments,
    ask: Segments,
    kpis: Vec<KpiLine>,
    /// Share of samples with one side of the book (or both) empty, from the first with both: no
    /// spread, no mid.
    one_sided: f64,
    phases: Vec<PhaseSpan>,
}

impl LiquidityChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let (samples, units) = (input.samples, input.units);
        let time = TimeScale::new(samples);
        let spread = segments(samples.iter().map(|s| {
            let bps = match (s.best_bid, s.best_ask) {
                (Some(b), Some(a)) => Some((a.0 - b.0) as f64 / ((a.0 + b.0) as f64 / 2.0) * 10_000.0),
                _ => None,
            };
            (time.x(s.t), bps)
        }));
        let bid = segments(samples.iter().map(|s| (time.x(s.t), Some(units.cash_f64(s.depth_bid_2pct)))));
        let ask = segments(samples.iter().map(|s| (time.x(s.t), Some(units.cash_f64(s.depth_ask_2pct)))));
        let kpis = input.kpis.iter().filter(|k| k.value.is_finite() && k.value > 0.0).cloned().collect();
        // From the first sample with both sides (the book starts empty).
        let two_sided = |s: &Sample| s.best_bid.is_some() && s.best_ask.is_some();
        let from = samples.iter().position(two_sided).unwrap_or(samples.len());
        let gaps = samples[from..].iter().filter(|s| !two_sided(s)).count();
        let one_sided = gaps as f64 / samples[from..].len().max(1) as f64;
        let phases = phase_spans(samples, &time);
        LiquidityChart {
            title: title(ChartKind::Liquidity, input.name),
            time,
            spread,
            bid,
            ask,
            kpis,
            one_sided,
            phases,
        }
    }

    fn kpis(&self, axis: KpiAxis) -> impl Iterator<Item = &KpiLine> {
        self.kpis.iter().filter(move |k| k.axis == axis)
    }

    fn spread_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let Some((lo, hi)) = y_range([&self.spread]) else {
            return no_data(area, "The book never had both a bid and an ask: no spread to show.");
        };
        let (lo, hi) = self.kpis(KpiAxis::SpreadBps).fold((lo, hi), |(l, h), k| (l.min(k.value), h.max(k.value)));
        let y = if hi / lo.max(f64::MIN_POSITIVE) > 10.0 {
            AxisSpec::log(lo / 1.25, hi * 1.25, "spread (bps of mid, log)")
        } else {
            AxisSpec::linear(0.0, hi * 1.12, 5.0, "spread (bps of mid)")
        };
        let mut chart = frame(area, &self.time.axis(), &y, false)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        for seg in &self.spread {
            draw_line(&chart, seg.iter().map(|&(x, v)| (x, y.to_plot(v))), SPREAD, 2)?;
        }
        self.draw_kpis(&mut chart, &y, KpiAxis::SpreadBps)
    }

    fn depth_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        // Asks above the zero line, bids mirrored below it: the two sides never overplot.
        let hi = y_range([&self.bid, &self.ask]).map_or(0.0, |r| r.1);
        let hi = self.kpis(KpiAxis::DepthQuote).fold(hi, |h, k| h.max(k.value));
        let hi = (hi * 1.12).max(1.0);
        let y = AxisSpec::linear(-hi, hi, 6.0, "bids ↓ · asks ↑ within 2% (quote)");
        let mut chart = frame(area, &self.time.axis(), &y, true)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        for (series, colour, sign) in [(&self.bid, BID, -1.0), (&self.ask, ASK, 1.0)] {
            for seg in series {
                let pts: Vec<(f64, f64)> = seg.iter().map(|&(x, v)| (x, sign * v)).collect();
                chart.draw_series(AreaSeries::new(pts.iter().copied(), 0.0, colour.mix(0.3)))?;
                draw_line(&chart, pts, colour, 1)?;
            }
        }
        chart.draw_series(LineSeries::new([(0.0, 0.0), (self.time.end, 0.0)], BLACK.stroke_width(1)))?;
        self.draw_kpis(&mut chart, &y, KpiAxis::DepthQuote)
    }

    /// Dashed threshold lines with their labels at the right end, moved left when they would
    /// overlap an earlier label.
    fn draw_kpis<DB: DrawingBackend>(
        &self,
        chart: &mut Chart2d<'_, DB>,
        y: &AxisSpec,
        axis: KpiAxis,
    ) -> DrawResult<DB> {
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        let style = text_at(14, &KPI, HPos::Right, VPos::Bottom);
        for k in self.kpis(axis) {
            let v = y.to_plot(k.value);
            let line = [(0.0, v), (self.time.end, v)];
            chart.draw_series(DashedLineSeries::new(line, 10, 6, KPI.stroke_width(2)))?;
            if axis == KpiAxis::DepthQuote {
                let below = [(0.0, -v), (self.time.end, -v)];
                chart.draw_series(DashedLineSeries::new(below, 10, 6, KPI.stroke_width(2)))?;
            }
            let area = chart.plotting_area();
            let (w, h) = area.estimate_text_size(&k.label, &style)?;
            let (w, h) = (w as i32 + 8, h as i32 + 4);
            let (right, py) = chart.backend_coord(&(self.time.end, v));
            let mut x1 = right - 6;
            while let Some(t) = taken.iter().find(|t| x1 - w < t.1 && x1 > t.0 && py - h - 2 < t.3 && py > t.2) {
                x1 = t.0 - 12;
            }
            taken.push((x1 - w, x1, py - h - 2, py));
            let at = EmptyElement::at((self.time.end, v));
            let dx = x1 - right;
            let label = at
                + Rectangle::new([(dx - w, -h - 3), (dx, -3)], WHITE.mix(0.7).filled())
                + Text::new(k.label.clone(), (dx - 4, -4), style.clone());
            chart.plotting_area().draw(&label)?;
        }
        Ok(())
    }
}

impl Figure for LiquidityChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut legend = vec![
            LegendEntry::new("spread", SPREAD, Swatch::Line),
            LegendEntry::new("bids within 2% below mid (drawn below zero)", BID, Swatch::Area(0.3)),
            LegendEntry::new("asks within 2% above mid (above zero)", ASK, Swatch::Area(0.3)),
        ];
        legend.extend(super::phases::legend(&self.phases));
        if !self.kpis.is_empty() {
            legend.push(LegendEntry::new("contract KPI threshold", KPI, Swatch::Dashed));
        }
        // Gaps in the spread line are samples with an empty side; say how many when they matter.
        let note = (self.one_sided >= 0.05).then(|| {
            format!(
                "One side of the book was empty in {:.0}% of samples: no spread there, and no depth around a mid.",
                self.one_sided * 100.0
            )
        });
        let area = header(root, &self.title, &legend, note.as_deref())?;
        if self.time.end <= f64::EPSILON {
            return no_data(&area, "No samples were recorded in this run.");
        }
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h * 46 / 100);
        self.spread_panel(&top)?;
        self.depth_panel(&bottom)
    }
}
