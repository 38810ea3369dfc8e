//! `contracts.csv`: one row per contract per period (a loan or a guarantee has one period), and the
//! contracts' KPI thresholds with the measured own quotes, for the liquidity chart.
//!
//! Columns ([`COLUMNS`]): `contract,kind,mm,period,start_s,end_s,settled`, then the figures, each
//! empty where it does not apply to the kind: KPI figures (`kpis_met,snapshots,uptime,spread_bps,
//! depth_bid_quote,depth_ask_quote,volume_quote,volume_share`), fees (`fee_due,fee_paid,
//! fee_withheld`), loan figures (`tokens_lent,option_value,exercised_qty,cash_paid,tokens_returned,
//! default_shortfall_tokens`), guarantee figures (`deposit,released,withheld,in_band_share`) and the
//! outcomes (`project_outcome_quote,mm_pnl_quote`). Money in quote units, times in seconds. The file
//! is written (header only) even when the scenario has no contracts.

use std::io::Write;

use crate::contracts::spec::{ContractSpec, ContractTerms};
use crate::contracts::AnyContract;
use crate::contracts::{ContractRow, COLUMNS};
use crate::metrics::Units;
use crate::report::{KpiMark, KpiSeries};

/// Writes `contracts.csv` from the contracts' rows, in order.
///
/// # Errors
/// I/O errors.
pub fn write_contracts_csv(w: &mut dyn Write, rows: &[ContractRow]) -> Result<(), super::OutputError> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(COLUMNS)?;
    for row in rows {
        csv.write_record(COLUMNS.iter().map(|c| row.get(c)))?;
    }
    csv.flush()?;
    Ok(())
}

/// Every subscription's KPI thresholds, with its MM's own quotes as its monitor measured them (the
/// monitor's [`trace`](crate::contracts::KpiMonitor::trace), converted to quote units and seconds;
/// no points when `contracts` does not hold the subscription), for
/// [`ChartInput::with_kpis`](crate::report::ChartInput::with_kpis).
pub fn kpi_series(specs: &[ContractSpec], contracts: &[AnyContract], units: Units) -> Vec<KpiSeries> {
    let mut out = Vec::new();
    for spec in specs {
        if let ContractTerms::Subscription(t) = &spec.terms {
            let monitor = contracts.iter().find_map(|c| match c {
                AnyContract::Subscription(s) if s.name() == spec.name => Some(s.monitor()),
                _ => None,
            });
            let points = monitor.map_or(Vec::new(), |m| {
                m.trace()
                    .iter()
                    .map(|p| KpiMark {
                        t: p.t.as_secs_f64(),
                        spread_bps: p.snap.spread_bps,
                        depth_bid: units.cash_f64(p.snap.depth_bid),
                        depth_ask: units.cash_f64(p.snap.depth_ask),
                    })
                    .collect()
            });
            out.push(KpiSeries {
                contract: spec.name.clone(),
                mm: t.mm.clone(),
                band: t.kpis.depth_band,
                max_spread_bps: t.kpis.max_spread_bps,
                min_depth_quote: t.kpis.min_depth_quote.map(|d| units.cash_f64(d)),
                points,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fill_their_columns_and_leave_the_rest_empty() {
        let row = ContractRow {
            contract: "retainer".into(),
            kind: crate::contracts::ContractKind::Subscription,
            mm: Some("mm".into()),
            period: 2,
            start_s: 60.0,
            end_s: 120.0,
            settled: true,
            values: vec![("uptime", "0.5".into()), ("fee_paid", "0".into())],
        };
        let mut out = Vec::new();
        write_contracts_csv(&mut out, &[row]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        let fields: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(fields.len(), COLUMNS.len());
        let at = |c: &str| fields[COLUMNS.iter().position(|x| *x == c).unwrap()];
        assert_eq!((at("contract"), at("period"), at("start_s"), at("settled")), ("retainer", "2", "60", "true"));
        assert_eq!((at("uptime"), at("fee_paid"), at("tokens_lent")), ("0.5", "0", ""));
    }
}
