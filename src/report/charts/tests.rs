//! Chart rendering on a real small run, on runs with nothing to show, and on a long synthetic run.

use rust_decimal::dec;

use super::*;
use crate::agents::passive_mm::PassiveMmConfig;
use crate::agents::retail::RetailConfig;
use crate::agents::{AgentKind, Behaviour, Phase};
use crate::metrics::{PartyKind, Units};
use crate::run::{run, RunOptions, RunOutcome};
use crate::scenario::Scenario;
use crate::types::SimTime;
use crate::units::Dur;

const HOUR: u64 = 3_600_000_000_000;

fn small_run(groups: bool) -> (Scenario, RunOutcome) {
    let mut s = Scenario::new("chart_test", 11, dec!(0.0001), dec!(1), dec!(0.05), Dur(2 * HOUR))
        .with_project(dec!(100000), dec!(2000000));
    if groups {
        s = s
            .with_group("mm", 1, dec!(50000), dec!(1000000), Behaviour::PassiveMm(PassiveMmConfig::default()))
            .with_group("retail", 200, dec!(2000), dec!(20000), Behaviour::Retail(RetailConfig::default()));
    }
    let outcome = run(&s, &RunOptions::default()).expect("run");
    (s, outcome)
}

fn render(s: &Scenario, outcome: &RunOutcome, kpis: &[KpiSeries]) -> Charts {
    let units = crate::run::units(s);
    let input = ChartInput::new(&s.name, outcome.built.sim.recorder(), units, s.market.open_price).with_kpis(kpis);
    render_charts(&input).expect("charts render")
}

/// Checks the PNG signature and decodes its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG magic");
    let decoder = png::Decoder::new(png);
    let mut reader = decoder.read_info().expect("decodable PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    (info.width, info.height)
}

fn check_all(charts: &Charts, name: &str) {
    assert_eq!(charts.charts.len(), ChartKind::ALL.len());
    for (c, kind) in charts.charts.iter().zip(ChartKind::ALL) {
        assert_eq!(c.kind, kind);
        assert_eq!(png_size(&c.png), (WIDTH, HEIGHT), "{}", kind.stem());
        assert!(c.svg.starts_with("<svg"), "{}", kind.stem());
        assert!(c.svg.contains(name), "{} names the scenario", kind.stem());
    }
}

#[test]
fn a_real_run_renders_four_charts_with_titles_and_series() {
    let (s, outcome) = small_run(true);
    assert!(outcome.summary.volume.trades > 0, "the market traded");
    let kpis = [KpiSeries {
        contract: "retainer".into(),
        mm: "mm".into(),
        band: 0.02,
        max_spread_bps: Some(200.0),
        min_depth_quote: Some(500.0),
        points: vec![KpiMark { t: 60.0, spread_bps: Some(120.0), depth_bid: 400.0, depth_ask: 700.0 }],
    }];
    let charts = render(&s, &outcome, &kpis);
    check_all(&charts, "chart_test");
    let svg = |k| &charts.get(k).expect("chart").svg;
    assert!(svg(ChartKind::Price).contains("Price — chart_test"));
    assert!(svg(ChartKind::Price).contains("last trade") && svg(ChartKind::Price).contains("mid"));
    assert!(svg(ChartKind::Price).contains("peak"));
    assert!(svg(ChartKind::Pnl).contains("retail (retail, 200 agents)"));
    assert!(svg(ChartKind::Pnl).contains("mm (passive_mm)"));
    assert!(svg(ChartKind::Pnl).contains("not drawn: project"), "the idle treasury is named, not drawn");
    assert!(
        svg(ChartKind::Liquidity).contains("retainer: max spread")
            && svg(ChartKind::Liquidity).contains("retainer: min depth")
            && svg(ChartKind::Liquidity).contains("mm (retainer): own quotes, as the KPI measures (bids below zero)")
    );
    assert!(svg(ChartKind::Volume).contains("wash trades"));
    assert!(svg(ChartKind::Volume).contains("traded value per minute (quote)"));

    let again = render(&s, &outcome, &kpis);
    for (a, b) in charts.charts.iter().zip(&again.charts) {
        assert!(a.png == b.png && a.svg == b.svg, "{} is deterministic", a.kind.stem());
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dir = OutputDir::create(tmp.path()).expect("dir");
    charts.write(&mut dir).expect("write");
    dir.commit().expect("commit");
    for kind in ChartKind::ALL {
        for ext in ["png", "svg"] {
            let path = tmp.path().join(format!("{}.{ext}", kind.stem()));
            assert!(path.is_file(), "{} written", path.display());
        }
    }
}

#[test]
fn a_run_without_trades_still_renders() {
    let (s, outcome) = small_run(false);
    assert_eq!(outcome.summary.volume.trades, 0);
    let charts = render(&s, &outcome, &[]);
    check_all(&charts, "chart_test");
    assert!(charts.get(ChartKind::Price).unwrap().svg.contains("No quotes or trades"));
    assert!(charts.get(ChartKind::Volume).unwrap().svg.contains("No trades"));
    assert!(charts.get(ChartKind::Pnl).unwrap().svg.contains("PnL moved"));
}

#[test]
fn no_samples_at_all_still_renders() {
    let input = ChartInput {
        name: "empty",
        samples: &[],
        holdings: &[],
        parties: &[],
        units: Units { tick: dec!(0.0001), lot: dec!(1) },
        open_price: Price(500),
        kpis: &[],
        extremes: None,
        marks: &[],
        window: None,
    };
    let charts = render_charts(&input).expect("charts render");
    check_all(&charts, "empty");
    assert!(charts.get(ChartKind::Liquidity).unwrap().svg.contains("No samples"));
}

type Synthetic = (Vec<Sample>, Vec<Vec<(Cash, Qty)>>, Vec<Party>);

/// A long synthetic run: a random-walk price with a pump and a dump, one MM-like and one
/// retail-like party.
fn synthetic(n: usize) -> Synthetic {
    let party = |name: &str, kind: PartyKind| Party {
        name: name.into(),
        kind,
        agents: 1,
        cash_start: Cash(1_000_000_000),
        tokens_start: Qty(1_000_000),
    };
    let parties = vec![
        party("mm", PartyKind::Group { kind: AgentKind::PassiveMm }),
        party("retail", PartyKind::Group { kind: AgentKind::Retail }),
        party("exchange", PartyKind::Exchange),
    ];
    let (mut samples, mut holdings) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut x: u64 = 42;
    let mut price = 500.0f64;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let noise = (x % 1000) as f64 / 1000.0 - 0.5;
        let phase = match i * 4 / n {
            1 => Some(Phase::Pump),
            2 => Some(Phase::Distribute),
            _ => None,
        };
        let drift = match phase {
            Some(Phase::Pump) => 0.004,
            Some(Phase::Distribute) => -0.004,
            _ => 0.0,
        };
        price = (price * (1.0 + drift + noise * 0.01)).max(2.0);
        let mid = price.round() as i64;
        let volume = Cash((x % 5_000_000) as i128);
        samples.push(Sample {
            t: SimTime(i as u64 * 60_000_000_000),
            best_bid: (i % 97 != 5).then_some(Price(mid - 1)),
            best_ask: Some(Price(mid + 1)),
            depth_bid_2pct: Cash((x % 9_000_000) as i128),
            depth_ask_2pct: Cash((x % 7_000_000) as i128),
            volume,
            volume_wash: Cash(volume.0 / 5),
            last: (i > 3).then_some(Price(mid)),
            phase,
        });
        let k = i as i128;
        holdings.push(vec![
            (Cash(1_000_000_000 + k * 1000), Qty(1_000_000 - i as i64)),
            (Cash(1_000_000_000 - k * 1000), Qty(1_000_000 + i as i64)),
            (Cash(k * 10), Qty(0)),
        ]);
    }
    (samples, holdings, parties)
}

#[test]
fn a_long_run_is_downsampled_and_renders() {
    let (samples, holdings, parties) = synthetic(20_000);
    let input = ChartInput {
        name: "long",
        samples: &samples,
        holdings: &holdings,
        parties: &parties,
        units: Units { tick: dec!(0.0001), lot: dec!(1) },
        open_price: Price(500),
        kpis: &[],
        extremes: None,
        marks: &[],
        window: None,
    };
    let charts = render_charts(&input).expect("charts render");
    check_all(&charts, "long");
    let price = &charts.get(ChartKind::Price).unwrap().svg;
    assert!(price.contains("phase: pump") && price.contains("phase: distribute"));
    // Each line is downsampled: the SVG stays small.
    assert!(price.len() < 400_000, "price.svg is {} bytes", price.len());
}

#[test]
fn the_liquidity_chart_says_when_the_book_was_often_one_sided() {
    let (mut samples, holdings, parties) = synthetic(200);
    let input = |samples: &[Sample]| {
        let input = ChartInput {
            name: "sides",
            samples,
            holdings: &holdings,
            parties: &parties,
            units: Units { tick: dec!(0.0001), lot: dec!(1) },
            open_price: Price(500),
            kpis: &[],
            extremes: None,
            marks: &[],
            window: None,
        };
        render_charts(&input).expect("charts render").get(ChartKind::Liquidity).unwrap().svg.clone()
    };
    // Two samples in 200 lack a bid, and the book starts empty: no note.
    for s in samples.iter_mut().take(20) {
        (s.best_bid, s.best_ask) = (None, None);
    }
    assert!(!input(&samples).contains("One side of the book was empty"));
    for s in samples.iter_mut().skip(100) {
        s.best_ask = None;
    }
    // 100 of the 180 samples from the first two-sided one (and the one without a bid).
    assert!(input(&samples).contains("One side of the book was empty in 56% of samples"));
}

#[test]
fn the_run_chart_file_list_names_every_chart_as_png_and_svg() {
    let want: Vec<String> =
        ChartKind::ALL.iter().flat_map(|k| [format!("{}.png", k.stem()), format!("{}.svg", k.stem())]).collect();
    assert_eq!(ChartKind::RUN_FILES.to_vec(), want);
}

/// Defects pinned (issue 15): phases on every chart, the peak and trough from the true high and
/// low rather than the samples, bids and asks drawn apart on the liquidity chart.
#[test]
fn every_chart_shades_the_phases_and_the_price_labels_the_true_extremes() {
    let (samples, holdings, parties) = synthetic(600);
    let sampled_high = samples.iter().filter_map(|s| s.last).max().unwrap();
    let sampled_low = samples.iter().filter_map(|s| s.last).min().unwrap();
    // A print between two samples went 7 ticks above (below) any sampled last trade.
    let (high, low) = (Price(sampled_high.0 + 7), Price(sampled_low.0 - 7));
    let input = ChartInput {
        name: "extremes",
        samples: &samples,
        holdings: &holdings,
        parties: &parties,
        units: Units { tick: dec!(0.0001), lot: dec!(1) },
        open_price: Price(500),
        kpis: &[],
        extremes: Some((high, low)),
        marks: &[],
        window: None,
    };
    let charts = render_charts(&input).expect("charts render");
    for kind in ChartKind::ALL {
        let svg = &charts.get(kind).unwrap().svg;
        assert!(svg.contains("phase: pump") && svg.contains("phase: distribute"), "{kind:?} shades the phases");
    }
    let price = &charts.get(ChartKind::Price).unwrap().svg;
    let shown = |p: Price| format!("{}", Units { tick: dec!(0.0001), lot: dec!(1) }.price(p));
    assert!(price.contains(&format!("peak {}", shown(high))), "peak labelled with the true high {}", shown(high));
    assert!(price.contains(&format!("trough {}", shown(low))), "trough labelled with the true low");
    assert!(!price.contains(&format!("peak {} ", shown(sampled_high))), "not the sampled high");
    let liquidity = &charts.get(ChartKind::Liquidity).unwrap().svg;
    assert!(liquidity.contains("bids ↓ · asks ↑"), "bids are drawn below the zero line, asks above");
}
