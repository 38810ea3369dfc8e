//! Surveillance: manipulation detectors run on a run's logs (or an external trade log), scored
//! against the ground truth when the logs carry labels.
//!
//! `mmsim detect RUN_DIR` reads `trades.csv` and `orders.csv` ([`data`]), runs every detector and
//! writes `alerts.csv` (`detector,t_start,t_end,subject,score,evidence`), and, when labels exist,
//! `scores.csv` (`detector,unit,precision,recall,f1,median_latency_s,n_true,n_alerts`), plus
//! `detect.html`, a short report. Detectors and their sources: [`wash`] (same owner; size-based
//! share after Cong et al. 2023), [`spoof`], [`pump`] (Kamps–Kleinberg 2018; rush orders after La
//! Morgia et al. 2020), [`lend_dump`], [`kpi`] (quotes shown only for the KPI snapshots). Thresholds are [`Thresholds`]; `surveil-bench` tunes them.

pub mod bench;
pub mod data;
pub mod kpi;
pub mod lend_dump;
pub mod pump;
pub mod ring;
pub mod rush;
pub mod score;
pub mod share;
pub mod spoof;
pub mod wash;

use std::io::Write;
use std::path::Path;

pub use data::{load, DataError, Dataset};
pub use score::{score, ScoreRow};

/// Every detector's thresholds (defaults: the spoofing, rush-order, KPI-gaming and wash-share values
/// are what `mmsim surveil-bench --runs 200 --seed 7` fitted on its training runs).
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// Same-owner trades further apart than this start a new alert (s).
    pub burst_gap_s: f64,
    /// The calibrated size-based wash-share model (see [`share`]).
    pub share_model: share::ShareModel,
    /// Spoof: size at least this × the median new order.
    pub spoof_size_x: f64,
    /// Spoof: at least this far behind the touch (relative).
    pub spoof_away_rel: f64,
    /// Spoof: at least this × the owner's resting quantity on the other side.
    pub spoof_imbalance: f64,
    /// Spoof: cancelled within this (s).
    pub spoof_life_s: f64,
    /// Spoof: the owner fills on the other side within this of placing it (s).
    pub spoof_window_s: f64,
    /// Kamps–Kleinberg bar width (s).
    pub kk_bar_s: f64,
    /// Kamps–Kleinberg rolling window (bars).
    pub kk_window: usize,
    /// Kamps–Kleinberg price rise over the rolling mean close.
    pub kk_price_rise: f64,
    /// Kamps–Kleinberg volume over the rolling mean.
    pub kk_volume_x: f64,
    /// Rush-order chunk width (s).
    pub rush_chunk_s: f64,
    /// Rush-order moving window (chunks).
    pub rush_window: usize,
    /// The rush-order classifier (see [`rush`]).
    pub rush: rush::RushModel,
    /// Alerts closer than this merge into one event (s).
    pub event_gap_s: f64,
    /// Lend-and-dump: the crash (peak-to-trough fall) at least this.
    pub ld_crash: f64,
    /// Lend-and-dump: net sales at least this share of the volume into the crash.
    pub ld_sell_share: f64,
    /// Lend-and-dump: buys back at least this share of what it sold.
    pub ld_buyback_share: f64,
    /// Wash rings: window width (s); windows start every half width.
    pub ring_window_s: f64,
    /// Wash rings: an account's |net| at most this share of its gross volume in the window.
    pub ring_net_tol: f64,
    /// Wash rings: at least this share of an account's volume is with the other ring accounts.
    pub ring_share: f64,
    /// Wash rings: at least this many trades of the account in the window.
    pub ring_min_trades: usize,
    /// KPI gaming: the exchange's snapshot interval (s; public).
    pub kpi_snapshot_s: f64,
    /// KPI gaming: the depth band of the KPI, relative to the mid (public).
    pub kpi_band: f64,
    /// KPI gaming: an order within this of the band edge is parked there (bps).
    pub kpi_edge_bps: f64,
    /// KPI gaming: owners with fewer priced orders are not judged.
    pub kpi_min_orders: usize,
    /// KPI gaming (flicker): presence at the best phase at least this.
    pub kpi_presence: f64,
    /// KPI gaming (flicker): presence at the best phase at least this × the mean presence.
    pub kpi_peak_x: f64,
    /// KPI gaming (parked depth): at least this share of the owner's priced orders at the edge.
    pub kpi_park_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            burst_gap_s: 60.0,
            share_model: share::ShareModel::default(),
            spoof_size_x: 3.0,
            spoof_away_rel: 0.0005,
            spoof_imbalance: 2.0,
            spoof_life_s: 300.0,
            spoof_window_s: 900.0,
            kk_bar_s: 20.0,
            kk_window: 30,
            kk_price_rise: 0.05,
            kk_volume_x: 3.0,
            rush_chunk_s: 5.0,
            rush_window: 60,
            rush: rush::RushModel::default(),
            event_gap_s: 120.0,
            ld_crash: 0.3,
            ld_sell_share: 0.1,
            ld_buyback_share: 0.2,
            ring_window_s: 600.0,
            ring_net_tol: 0.25,
            ring_share: 0.8,
            ring_min_trades: 3,
            kpi_snapshot_s: 10.0,
            kpi_band: 0.02,
            kpi_edge_bps: 30.0,
            kpi_min_orders: 20,
            kpi_presence: 0.4,
            kpi_peak_x: 1.5,
            kpi_park_share: 0.3,
        }
    }
}

/// One alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// The detector.
    pub detector: &'static str,
    /// Start (s since the start of the log).
    pub t_start: f64,
    /// End.
    pub t_end: f64,
    /// Who or what: an owner, or `market`.
    pub subject: String,
    /// Detector-specific strength (larger = stronger).
    pub score: f64,
    /// What was seen, in words.
    pub evidence: String,
}

/// What every detector found.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// Every alert, by detector then time.
    pub alerts: Vec<Alert>,
    /// Trades flagged same-owner wash (indices into the dataset's trades).
    pub wash_trades: Vec<usize>,
    /// Trades flagged as a wash ring's, from the account graph alone (indices).
    pub ring_trades: Vec<usize>,
    /// Orders flagged as spoofs.
    pub spoof_orders: Vec<u64>,
    /// Owners flagged by the lend-and-dump signature.
    pub lend_dump_owners: Vec<String>,
    /// Owners flagged for KPI gaming.
    pub kpi_owners: Vec<String>,
    /// The size-based wash-share estimate.
    pub share: wash::ShareEstimate,
}

/// Runs every detector on `data`.
pub fn detect(data: &Dataset, th: &Thresholds) -> Findings {
    let mut f = Findings { wash_trades: wash::same_owner_trades(&data.trades), ..Findings::default() };
    f.alerts.extend(wash::same_owner_alerts(&data.trades, &f.wash_trades, th));
    let (ring, alerts) = ring::detect(&data.trades, th);
    f.ring_trades = ring;
    f.alerts.extend(alerts);
    f.share = wash::size_share(&data.trades, th);
    let end = data.trades.last().map_or(0.0, |t| t.t);
    f.alerts.push(Alert {
        detector: "wash_share_sizes",
        t_start: data.trades.first().map_or(0.0, |t| t.t),
        t_end: end,
        subject: "market".into(),
        score: f.share.share,
        evidence: share_evidence(&f.share),
    });
    let (ids, alerts) = spoof::detect(&data.orders, th);
    f.spoof_orders = ids;
    f.alerts.extend(alerts);
    f.alerts.extend(pump::kamps_kleinberg(&data.trades, th));
    f.alerts.extend(rush::alerts(&data.trades, th));
    let (owners, alerts) = lend_dump::detect(&data.trades, th);
    f.lend_dump_owners = owners;
    f.alerts.extend(alerts);
    let (owners, alerts) = kpi::detect(&data.orders, &data.trades, th);
    f.kpi_owners = owners;
    f.alerts.extend(alerts);
    f
}

/// The size-based estimate in words: the reported share, the mixture behind it and the published
/// statistics (one text for `alerts.csv` and the report).
fn share_evidence(e: &wash::ShareEstimate) -> String {
    let mixture = if e.fit.lr > e.threshold {
        format!(
            "a wash component of {:.0} trades (median {:.0} tokens, {:.0}% round) explains {:.1}% of the value; likelihood ratio {:.1} > threshold {}",
            e.fit.wash_trades,
            e.fit.wash_median_tokens,
            e.fit.wash_round * 100.0,
            e.fit.share * 100.0,
            e.fit.lr,
            e.threshold
        )
    } else {
        format!(
            "the venue's genuine size shapes explain the sizes (likelihood ratio of a wash component {:.1} ≤ threshold {})",
            e.fit.lr, e.threshold
        )
    };
    format!(
        "Estimated wash share {:.1}% of volume: {mixture}. Raw Benford excess {:.1}%, Benford chi2 {:.1}, round sizes {:.1}%, tail exponent {:.2}",
        e.share * 100.0,
        e.benford * 100.0,
        e.chi2,
        e.round_share * 100.0,
        e.tail_exponent
    )
}

/// Where a grid of `width`-s chunks starts for trades from `first_t` on, when a chunk's features look
/// back at most `lookback` chunks: a whole look-back before the first trade (not before 0). Every
/// chunk with trades sees the same history as on a grid from 0, and trade times far from 0 (epoch
/// seconds) do not allocate the chunks since 0.
pub(crate) fn grid_origin(first_t: f64, width: f64, lookback: usize) -> f64 {
    ((first_t / width).floor() - lookback as f64).max(0.0) * width
}

/// Writes `alerts.csv`.
///
/// # Errors
/// An I/O error.
pub fn write_alerts(w: &mut dyn Write, alerts: &[Alert]) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["detector", "t_start", "t_end", "subject", "score", "evidence"])?;
    for a in alerts {
        c.write_record([
            a.detector,
            &format!("{:.3}", a.t_start),
            &format!("{:.3}", a.t_end),
            &a.subject,
            &format!("{:.4}", a.score),
            &a.evidence,
        ])?;
    }
    c.flush()
}

/// Writes `scores.csv`.
///
/// # Errors
/// An I/O error.
pub fn write_scores(w: &mut dyn Write, rows: &[ScoreRow]) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["detector", "unit", "precision", "recall", "f1", "median_latency_s", "n_true", "n_alerts"])?;
    let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.4}"));
    for r in rows {
        c.write_record([
            r.detector,
            r.unit,
            &f(r.precision),
            &f(r.recall),
            &f(r.f1),
            &f(r.median_latency_s),
            &r.n_true.to_string(),
            &r.n_alerts.to_string(),
        ])?;
    }
    c.flush()
}

/// The `detect.html` report: alerts per detector, the scores (or a note that the log has no labels)
/// and the wash-share estimate.
pub fn report_html(data: &Dataset, f: &Findings, scores: &[ScoreRow], true_share: Option<f64>) -> String {
    use std::fmt::Write as _;
    let mut h = String::from(
        "<!doctype html><meta charset=utf-8><title>mmsim detect</title>\
         <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:2px 8px;text-align:right}</style>\
         <h1>Surveillance report</h1>",
    );
    let _ = write!(h, "<p>{} trades, {} order events. ", data.trades.len(), data.orders.len());
    if data.labelled {
        h.push_str("The logs carry ground-truth labels: the detectors are scored below.</p>");
    } else {
        h.push_str("<b>No labels</b>: an external log; the detectors ran, but nothing can be scored.</p>");
    }
    h.push_str("<h2>Alerts</h2><table><tr><th>detector<th>alerts");
    let mut names: Vec<&str> = f.alerts.iter().map(|a| a.detector).collect();
    names.dedup();
    for n in names {
        let _ = write!(h, "<tr><td>{n}<td>{}", f.alerts.iter().filter(|a| a.detector == n).count());
    }
    h.push_str("</table>");
    let _ = write!(h, "<h2>Wash share from sizes</h2><p>{}.", crate::report::html::escape(&share_evidence(&f.share)));
    if let Some(t) = true_share {
        let _ = write!(h, " True share: {:.1}%.", t * 100.0);
    }
    h.push_str(
        "</p><p>The estimate compares the sizes with the genuine size shapes of the market the model was \
         fitted on (the shipped model: the <code>mmsim surveil-bench</code> market at \
         <code>--runs 200 --seed 7</code>). On a market whose genuine traders use other sizes it counts \
         those sizes as wash: use <code>--share-model FILE</code> with a model fitted on that market.",
    );
    if let Some((lo, hi)) = f.share.model_medians {
        let _ = write!(
            h,
            " This log's median trade is {} tokens; the model's genuine logs have medians from {:.0} to {:.0} tokens.",
            format!("{:.4}", f.share.median_tokens).trim_end_matches('0').trim_end_matches('.'),
            lo,
            hi
        );
    }
    h.push_str("</p>");
    if !scores.is_empty() {
        h.push_str("<h2>Scores against the ground truth</h2><table><tr><th>detector<th>unit<th>precision<th>recall<th>F1<th>median latency (s)<th>true<th>alerts");
        let f = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.3}"));
        for r in scores {
            let _ = write!(
                h,
                "<tr><td>{}<td>{}<td>{}<td>{}<td>{}<td>{}<td>{}<td>{}",
                r.detector,
                r.unit,
                f(r.precision),
                f(r.recall),
                f(r.f1),
                f(r.median_latency_s),
                r.n_true,
                r.n_alerts
            );
        }
        h.push_str("</table>");
    }
    h
}

/// Why `mmsim detect` failed.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The logs could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// An output file could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Runs `mmsim detect` on `run_dir`, writing into `out_dir`; returns the findings and scores.
///
/// # Errors
/// Reading the logs ([`DataError`]) or writing the files.
pub fn run_dir(run_dir: &Path, out_dir: &Path, th: &Thresholds) -> Result<(Findings, Vec<ScoreRow>), DetectError> {
    let data = load(run_dir)?;
    let f = detect(&data, th);
    let scores = if data.labelled { score(&data, &f) } else { Vec::new() };
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| DetectError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let write = |name: &str, body: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| -> Result<(), DetectError> {
        let path = out_dir.join(name);
        let tmp = out_dir.join(format!(".{name}.tmp"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io(&tmp))?);
        body(&mut file).and_then(|()| file.flush()).map_err(io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(())
    };
    write("alerts.csv", &|w| write_alerts(w, &f.alerts))?;
    if data.labelled {
        write("scores.csv", &|w| write_scores(w, &scores))?;
    }
    let html = report_html(&data, &f, &scores, data.labelled.then(|| score::true_share(&data)));
    write("detect.html", &|w| w.write_all(html.as_bytes()))?;
    Ok((f, scores))
}
