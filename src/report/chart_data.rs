//! The chart data a run writes beside its tables, so `mmsim charts RUN_DIR` can redraw every chart
//! from the run's own files:
//! - `holdings.csv`: `t,party,kind,agents,cash_start,tokens_start,cash,tokens`, one row per
//!   sample per party (groups, the project, named accounts, the exchange), `t` in seconds, money
//!   in quote units, tokens in token units; `kind` is the group's agent kind or `project`,
//!   `account`, `exchange`.
//! - `kpis.csv` (only with subscriptions): `t,contract,spread_bps,depth_bid_quote,depth_ask_quote`,
//!   one row per KPI snapshot of each subscription's MM (its own quotes, as the contract's monitor
//!   measured them; `spread_bps` empty when it was one-sided).

use std::io::{Read, Write};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{KpiMark, KpiSeries, OutputError};
use crate::agents::AgentKind;
use crate::metrics::{Party, PartyKind, Recorder, Units};
use crate::types::{Cash, Qty};

/// Columns of `holdings.csv`.
pub const HOLDINGS_COLUMNS: [&str; 8] =
    ["t", "party", "kind", "agents", "cash_start", "tokens_start", "cash", "tokens"];
/// Columns of `kpis.csv`.
pub const KPIS_COLUMNS: [&str; 5] = ["t", "contract", "spread_bps", "depth_bid_quote", "depth_ask_quote"];

/// Writes `holdings.csv` from the recorder.
///
/// # Errors
/// I/O errors.
pub fn write_holdings_csv(w: &mut dyn Write, recorder: &Recorder, units: Units) -> Result<(), OutputError> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(HOLDINGS_COLUMNS)?;
    let parties = recorder.parties();
    for (s, row) in recorder.samples().iter().zip(recorder.holdings()) {
        let t = format!("{}", s.t.as_secs_f64());
        for (p, (cash, tokens)) in parties.iter().zip(row) {
            csv.write_record([
                t.as_str(),
                &p.name,
                p.kind.name(),
                &p.agents.to_string(),
                &units.cash(p.cash_start).to_string(),
                &units.tokens(p.tokens_start).to_string(),
                &units.cash(*cash).to_string(),
                &units.tokens(*tokens).to_string(),
            ])?;
        }
    }
    csv.flush()?;
    Ok(())
}

/// Writes `kpis.csv` from the subscriptions' series (nothing to write without any).
///
/// # Errors
/// I/O errors.
pub fn write_kpis_csv(w: &mut dyn Write, series: &[KpiSeries]) -> Result<(), OutputError> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(KPIS_COLUMNS)?;
    for k in series {
        for p in &k.points {
            let spread = p.spread_bps.map_or(String::new(), |v| format!("{v}"));
            let (bid, ask) = (format!("{}", p.depth_bid), format!("{}", p.depth_ask));
            csv.write_record([format!("{}", p.t).as_str(), &k.contract, &spread, &bid, &ask])?;
        }
    }
    csv.flush()?;
    Ok(())
}

/// A CSV file's rows as `(line, fields by column name)`, checking the header names `columns`.
fn rows<const N: usize>(
    file: &str,
    reader: impl Read,
    columns: [&str; N],
) -> Result<Vec<(usize, [String; N])>, String> {
    let mut csv = csv::Reader::from_reader(reader);
    let header = csv.headers().map_err(|e| format!("{file}: {e}"))?.clone();
    let mut at = [0usize; N];
    for (i, c) in columns.iter().enumerate() {
        at[i] = header.iter().position(|h| h == *c).ok_or_else(|| format!("{file}: no `{c}` column in the header"))?;
    }
    let mut out = Vec::new();
    for (k, rec) in csv.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| format!("{file} line {line}: {e}"))?;
        out.push((line, at.map(|i| rec.get(i).unwrap_or("").to_string())));
    }
    Ok(out)
}

fn num<T: FromStr>(file: &str, line: usize, col: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{file} line {line}: `{col}` is `{v}`, not a number"))
}

/// Holdings read back: the parties and, per sample time, each party's `(cash, tokens)`.
pub type Holdings = (Vec<Party>, Vec<(f64, Vec<(Cash, Qty)>)>);

/// Reads `holdings.csv`.
///
/// # Errors
/// A missing column or a bad value, located by line.
pub fn read_holdings_csv(reader: impl Read, units: Units) -> Result<Holdings, String> {
    const F: &str = "holdings.csv";
    let atom = units.tick * units.lot;
    let cash = |line, col, v: &str| -> Result<Cash, String> {
        let d: Decimal = num(F, line, col, v)?;
        (d / atom).to_i128().map(Cash).ok_or_else(|| format!("{F} line {line}: `{col}` is too large"))
    };
    let tokens = |line, col, v: &str| -> Result<Qty, String> {
        let d: Decimal = num(F, line, col, v)?;
        (d / units.lot).to_i64().map(Qty).ok_or_else(|| format!("{F} line {line}: `{col}` is too large"))
    };
    let mut parties: Vec<Party> = Vec::new();
    let mut samples: Vec<(f64, Vec<(Cash, Qty)>)> = Vec::new();
    for (line, [t, party, kind, agents, c0, q0, c, q]) in rows(F, reader, HOLDINGS_COLUMNS)? {
        let t: f64 = num(F, line, "t", &t)?;
        if samples.last().is_none_or(|s| s.0 != t) {
            samples.push((t, Vec::new()));
        }
        let first = samples.len() == 1;
        let row = &mut samples.last_mut().expect("pushed").1;
        if first {
            let kind = match kind.as_str() {
                "project" => PartyKind::Project,
                "account" => PartyKind::Account,
                "exchange" => PartyKind::Exchange,
                k => PartyKind::Group {
                    kind: AgentKind::from_str(k).map_err(|_| format!("{F} line {line}: unknown `kind` `{k}`"))?,
                },
            };
            parties.push(Party {
                name: party.clone(),
                kind,
                agents: num(F, line, "agents", &agents)?,
                cash_start: cash(line, "cash_start", &c0)?,
                tokens_start: tokens(line, "tokens_start", &q0)?,
            });
        }
        if parties.get(row.len()).is_none_or(|p| p.name != party) {
            return Err(format!("{F} line {line}: party `{party}` out of order (each time lists the same parties)"));
        }
        row.push((cash(line, "cash", &c)?, tokens(line, "tokens", &q)?));
    }
    Ok((parties, samples))
}

/// Reads `kpis.csv` into the points of `series` (matched by contract name).
///
/// # Errors
/// A missing column, a bad value or an unknown contract, located by line.
pub fn read_kpis_csv(reader: impl Read, series: &mut [KpiSeries]) -> Result<(), String> {
    const F: &str = "kpis.csv";
    for (line, [t, contract, spread, bid, ask]) in rows(F, reader, KPIS_COLUMNS)? {
        let k = series
            .iter_mut()
            .find(|k| k.contract == contract)
            .ok_or_else(|| format!("{F} line {line}: `{contract}` is not a subscription of the run's scenario"))?;
        k.points.push(KpiMark {
            t: num(F, line, "t", &t)?,
            spread_bps: if spread.is_empty() { None } else { Some(num(F, line, "spread_bps", &spread)?) },
            depth_bid: num(F, line, "depth_bid_quote", &bid)?,
            depth_ask: num(F, line, "depth_ask_quote", &ask)?,
        });
    }
    Ok(())
}
