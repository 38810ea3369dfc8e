//! The `liquidity` chart, panels sharing the time axis: the quoted spread in basis points of the
//! mid (log scale when it spans more than 10×), and the value resting within 2% of the mid on each
//! side of the whole book, asks above the zero line and bids mirrored below it (so the sides never
//! overplot). When one side of the book was empty in 5% of the samples or more (counted from the
//! first sample with both sides), a note says so (the spread line has gaps).
//!
//! With subscriptions ([`KpiSeries`]), their KPIs are drawn against what the contract judges: each
//! MM's **own** quotes as its KPI monitor measured them at every snapshot (never the whole book,
//! which other makers fill): its own spread on the spread panel with the `max spread` lines, and a
//! third panel of its own depth within the contract's band, bids mirrored, with the `min depth`
//! lines (dashed, labelled at their right end).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{draw_line, frame, AxisSpec, Chart2d};
use super::series::{phase_spans, segments, y_range, PhaseSpan, Segments, TimeScale};
use super::style::{header, no_data, text_at, LegendEntry, Swatch, KPI, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure, KpiSeries};
use crate::metrics::Sample;

const SPREAD: RGBColor = PALETTE[0];
const BID: RGBColor = PALETTE[2];
const ASK: RGBColor = PALETTE[3];

/// One MM's own quotes as its contract's KPI monitor measured them, ready to draw.
#[derive(Debug)]
pub(super) struct OwnQuotes {
    /// `<mm> (<contract>)`.
    pub label: String,
    pub colour: RGBColor,
    /// Its own spread, bps of its own mid (gaps where it was one-sided).
    pub spread: Segments,
    /// Its own bid value within the band, quote.
    pub bid: Segments,
    /// Its own ask value within the band, quote.
    pub ask: Segments,
    /// `(label, value)` of the spread threshold.
    pub max_spread: Option<(String, f64)>,
    /// `(label, value)` of the depth threshold.
    pub min_depth: Option<(String, f64)>,
    /// The band, as a fraction of the mid.
    pub band: f64,
}

impl OwnQuotes {
    fn new(k: &KpiSeries, i: usize, time: &TimeScale) -> Self {
        let (a, b) = (time.start, time.end);
        let pts: Vec<_> = k.points.iter().map(|p| (time.x_secs(p.t), p)).filter(|(x, _)| *x >= a && *x <= b).collect();
        OwnQuotes {
            label: format!("{} ({})", k.mm, k.contract),
            colour: PALETTE[(4 + i) % PALETTE.len()],
            spread: segments(pts.iter().map(|(x, p)| (*x, p.spread_bps))),
            bid: segments(pts.iter().map(|(x, p)| (*x, Some(p.depth_bid)))),
            ask: segments(pts.iter().map(|(x, p)| (*x, Some(p.depth_ask)))),
            max_spread: k.max_spread_bps.map(|v| (format!("{}: max spread", k.contract), v)),
            min_depth: k.min_depth_quote.filter(|v| *v > 0.0).map(|v| (format!("{}: min depth", k.contract), v)),
            band: k.band,
        }
    }
}

/// Prepared data of the liquidity chart.
#[derive(Debug)]
pub(super) struct LiquidityChart {
    title: String,
    time: TimeScale,
    spread: Segments,
    bid: Segments,
    ask: Segments,
    /// Each subscription's MM: its own spread and depth, and its thresholds.
    mms: Vec<OwnQuotes>,
    /// Share of samples with one side of the book (or both) empty, from the first with both: no
    /// spread, no mid.
    one_sided: f64,
    phases: Vec<PhaseSpan>,
}

impl LiquidityChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let (samples, units) = (input.samples, input.units);
        let time = TimeScale::of(input);
        let spread = segments(samples.iter().map(|s| {
            let bps = match (s.best_bid, s.best_ask) {
                (Some(b), Some(a)) => Some((a.0 - b.0) as f64 / ((a.0 + b.0) as f64 / 2.0) * 10_000.0),
                _ => None,
            };
            (time.x(s.t), bps)
        }));
        let bid = segments(samples.iter().map(|s| (time.x(s.t), Some(units.cash_f64(s.depth_bid_2pct)))));
        let ask = segments(samples.iter().map(|s| (time.x(s.t), Some(units.cash_f64(s.depth_ask_2pct)))));
        let mms = input.kpis.iter().enumerate().map(|(i, k)| OwnQuotes::new(k, i, &time)).collect();
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
            mms,
            one_sided,
            phases,
        }
    }

    /// The prepared own quotes of `k`'s MM.
    #[cfg(test)]
    pub(super) fn own(&self, k: &KpiSeries) -> &OwnQuotes {
        let label = format!("{} ({})", k.mm, k.contract);
        self.mms.iter().find(|m| m.label == label).expect("the MM's own quotes")
    }

    /// The spread thresholds, `(label, bps)`.
    fn max_spreads(&self) -> impl Iterator<Item = &(String, f64)> {
        self.mms.iter().filter_map(|m| m.max_spread.as_ref())
    }

    /// The depth thresholds, `(label, quote)`.
    fn min_depths(&self) -> impl Iterator<Item = &(String, f64)> {
        self.mms.iter().filter_map(|m| m.min_depth.as_ref())
    }

    fn spread_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let Some((lo, hi)) = y_range(std::iter::once(&self.spread).chain(self.mms.iter().map(|m| &m.spread))) else {
            return no_data(area, "The book never had both a bid and an ask: no spread to show.");
        };
        let (lo, hi) = self.max_spreads().fold((lo, hi), |(l, h), k| (l.min(k.1), h.max(k.1)));
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
        for m in &self.mms {
            for seg in &m.spread {
                draw_line(&chart, seg.iter().map(|&(x, v)| (x, y.to_plot(v))), m.colour, 2)?;
            }
        }
        let lines: Vec<_> = self.max_spreads().map(|(l, v)| (l.as_str(), y.to_plot(*v))).collect();
        self.draw_kpis(&mut chart, &lines, false)
    }

    fn depth_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, x_desc: bool) -> DrawResult<DB> {
        // Asks above the zero line, bids mirrored below it: the two sides never overplot.
        let hi = y_range([&self.bid, &self.ask]).map_or(0.0, |r| r.1);
        let hi = (hi * 1.12).max(1.0);
        let desc = if self.mms.is_empty() { "bids ↓ · asks ↑ within 2% (quote)" } else { "whole book (quote)" };
        let y = AxisSpec::linear(-hi, hi, 6.0, desc);
        let mut chart = frame(area, &self.time.axis(), &y, x_desc)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        for (series, colour, sign) in [(&self.bid, BID, -1.0), (&self.ask, ASK, 1.0)] {
            for seg in series {
                let pts: Vec<(f64, f64)> = seg.iter().map(|&(x, v)| (x, sign * v)).collect();
                chart.draw_series(AreaSeries::new(pts.iter().copied(), 0.0, colour.mix(0.3)))?;
                draw_line(&chart, pts, colour, 1)?;
            }
        }
        chart.draw_series(LineSeries::new([(self.time.start, 0.0), (self.time.end, 0.0)], BLACK.stroke_width(1)))?;
        Ok(())
    }

    /// Each MM's own depth within its contract's band (asks up, bids mirrored) with the `min
    /// depth` thresholds: what the depth KPI is judged on.
    fn own_depth_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let hi = y_range(self.mms.iter().flat_map(|m| [&m.bid, &m.ask])).map_or(0.0, |r| r.1);
        let hi = self.min_depths().fold(hi, |h, k| h.max(k.1));
        let hi = (hi * 1.12).max(1.0);
        let bands: Vec<String> = self.mms.iter().map(|m| format!("{}%", m.band * 100.0)).collect();
        let band = if bands.windows(2).all(|w| w[0] == w[1]) { bands[0].clone() } else { "band".into() };
        let y = AxisSpec::linear(-hi, hi, 6.0, format!("own, ±{band} (quote)"));
        let mut chart = frame(area, &self.time.axis(), &y, true)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        for m in &self.mms {
            for (series, sign) in [(&m.bid, -1.0), (&m.ask, 1.0)] {
                for seg in series {
                    draw_line(&chart, seg.iter().map(|&(x, v)| (x, sign * v)), m.colour, 2)?;
                }
            }
        }
        chart.draw_series(LineSeries::new([(self.time.start, 0.0), (self.time.end, 0.0)], BLACK.stroke_width(1)))?;
        let lines: Vec<_> = self.min_depths().map(|(l, v)| (l.as_str(), *v)).collect();
        self.draw_kpis(&mut chart, &lines, true)
    }

    /// Dashed threshold lines with their labels at the right end, moved left when they would
    /// overlap an earlier label.
    /// `lines`: `(label, plotted value)`; `mirrored` also draws each below the zero line.
    fn draw_kpis<DB: DrawingBackend>(
        &self,
        chart: &mut Chart2d<'_, DB>,
        lines: &[(&str, f64)],
        mirrored: bool,
    ) -> DrawResult<DB> {
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        let style = text_at(14, &KPI, HPos::Right, VPos::Bottom);
        let (x0, x1) = (self.time.start, self.time.end);
        for &(label, v) in lines {
            chart.draw_series(DashedLineSeries::new([(x0, v), (x1, v)], 10, 6, KPI.stroke_width(2)))?;
            if mirrored {
                chart.draw_series(DashedLineSeries::new([(x0, -v), (x1, -v)], 10, 6, KPI.stroke_width(2)))?;
            }
            let area = chart.plotting_area();
            let (w, h) = area.estimate_text_size(label, &style)?;
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
                + Text::new(label.to_string(), (dx - 4, -4), style.clone());
            chart.plotting_area().draw(&label)?;
        }
        Ok(())
    }
}

impl Figure for LiquidityChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut legend = vec![
            LegendEntry::new("spread", SPREAD, Swatch::Line),
            LegendEntry::new("book: bids within 2% below mid (drawn below zero)", BID, Swatch::Area(0.3)),
            LegendEntry::new("book: asks within 2% above mid (above zero)", ASK, Swatch::Area(0.3)),
        ];
        for m in &self.mms {
            legend.push(LegendEntry::new(
                format!("{}: own quotes, as the KPI measures (bids below zero)", m.label),
                m.colour,
                Swatch::Line,
            ));
        }
        legend.extend(super::phases::legend(&self.phases));
        if self.max_spreads().chain(self.min_depths()).next().is_some() {
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
        if self.time.is_empty() {
            return no_data(&area, "No samples were recorded in this run.");
        }
        let (_, h) = area.dim_in_pixel();
        if self.mms.is_empty() {
            let (top, bottom) = area.split_vertically(h * 46 / 100);
            self.spread_panel(&top)?;
            return self.depth_panel(&bottom, true);
        }
        let (top, rest) = area.split_vertically(h * 34 / 100);
        let (middle, bottom) = rest.split_vertically(h * 31 / 100);
        self.spread_panel(&top)?;
        self.depth_panel(&middle, false)?;
        self.own_depth_panel(&bottom)
    }
}
