//! The `pnl` chart: each party's profit and loss over time, marked to market.
//!
//! At sample `i`, party `p` has `pnl = (cash_i − cash_start) + (tokens_i − tokens_start) × mark_i`,
//! with `mark_i` the sample's last trade price, else its mid, else the opening price; tokens lent
//! under an open loan count as the lender's, not the borrower's. Parties whose
//! PnL stays 0 throughout (e.g. an MM group trading the project's account) are named in a note
//! instead of drawn.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{draw_line, frame, AxisSpec};
use super::series::{phase_spans, segments, y_range, PhaseSpan, Segments, TimeScale};
use super::style::{header, no_data, thousands, LegendEntry, Swatch, MUTED, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure};
use crate::metrics::{Party, PartyKind};
use crate::types::Cash;

/// One party's line.
#[derive(Debug)]
struct Line {
    label: String,
    points: Segments,
}

/// Prepared data of the PnL chart.
#[derive(Debug)]
pub(super) struct PnlChart {
    title: String,
    time: TimeScale,
    lines: Vec<Line>,
    flat: Vec<String>,
    phases: Vec<PhaseSpan>,
}

/// How a party is named in the legend.
pub(super) fn party_label(p: &Party) -> String {
    match p.kind {
        PartyKind::Project => format!("{} (project treasury)", p.name),
        PartyKind::Exchange => format!("{} (fees)", p.name),
        PartyKind::Account => format!("{} (account)", p.name),
        PartyKind::Group { .. } if p.agents > 1 => format!("{} ({}, {} agents)", p.name, p.kind, p.agents),
        PartyKind::Group { .. } if p.kind.name() != p.name => format!("{} ({})", p.name, p.kind),
        PartyKind::Group { .. } => p.name.clone(),
    }
}

impl PnlChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let samples = input.samples;
        let time = TimeScale::of(input);
        let atom = input.units.cash_f64(Cash(1));
        let marks: Vec<f64> = samples
            .iter()
            .map(|s| s.last.map(|p| p.0 as f64).or_else(|| s.mid()).unwrap_or(input.open_price.0 as f64))
            .collect();
        let (mut lines, mut flat) = (Vec::new(), Vec::new());
        for (k, party) in input.parties.iter().enumerate() {
            let values: Vec<(f64, f64)> = samples
                .iter()
                .zip(input.holdings)
                .zip(&marks)
                .filter_map(|((s, h), &mark)| {
                    let &(cash, tokens) = h.get(k)?;
                    let d_cash = (cash.0 - party.cash_start.0) as f64;
                    let d_tokens = (tokens.0 - party.tokens_start.0) as f64;
                    Some((time.x(s.t), (d_cash + d_tokens * mark) * atom))
                })
                .collect();
            if values.iter().all(|v| v.1.abs() < 1e-12) {
                flat.push(party.name.clone());
                continue;
            }
            let end = values.last().map_or(0.0, |v| v.1);
            let sign = if end > 0.0 { "+" } else { "" };
            let label = format!("{}: {sign}{} at end", party_label(party), thousands(end, 2));
            lines.push(Line { label, points: segments(values.into_iter().map(|(x, v)| (x, Some(v)))) });
        }
        PnlChart { title: title(ChartKind::Pnl, input.name), time, lines, flat, phases: phase_spans(samples, &time) }
    }
}

impl Figure for PnlChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let legend: Vec<LegendEntry> = self
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| LegendEntry::new(l.label.clone(), PALETTE[k % PALETTE.len()], Swatch::Line))
            .chain(super::phases::legend(&self.phases))
            .collect();
        let note = (!self.flat.is_empty()).then(|| format!("PnL 0 throughout, not drawn: {}", self.flat.join(", ")));
        let area = header(root, &self.title, &legend, note.as_deref())?;
        let Some((lo, hi)) = y_range(self.lines.iter().map(|l| &l.points)) else {
            let msg = if !self.time.is_empty() {
                "No party's PnL moved in this run."
            } else {
                "No samples were recorded in this run."
            };
            return no_data(&area, msg);
        };
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        let pad = (hi - lo).max(f64::EPSILON) * 0.08;
        let y = AxisSpec::linear(lo - pad, hi + pad, 8.0, "PnL (quote, marked to market)");
        let mut chart = frame(&area, &self.time.axis(), &y, true)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        chart.draw_series(LineSeries::new([(self.time.start, 0.0), (self.time.end, 0.0)], MUTED.stroke_width(1)))?;
        for (k, line) in self.lines.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            for seg in &line.points {
                draw_line(&chart, seg.iter().copied(), colour, 2)?;
            }
        }
        Ok(())
    }
}
