//! Unit tests of the sweep: spec checks and their positions, expansion order, seeds, shards,
//! sampling, statistics and resuming.

use toml::Value;

use super::exec::RunRow;
use super::output::{point_stats, Manifest};
use super::plan::{run_seed, Plan, Shard};
use crate::scenario::{Override, ScenarioError};

/// A small valid scenario; tests append a `[sweep]` table.
const BASE: &str = r#"[market]
name = "t"
seed = 9
tick = "0.0001"
lot = "1"
open_price = 0.05
taker_fee_bps = 10
duration = "10m"

[project]
cash = 100000
tokens = 2000000

[[agents]]
name = "mm"
kind = "passive_mm"
trades_for = "project"

[[agents]]
name = "retail"
kind = "retail"
count = 20
cash = 500
"#;

fn plan(sweep: &str) -> Result<Plan, ScenarioError> {
    Plan::load_str(&format!("{BASE}{sweep}"), "t.toml", &[])
}

/// Every problem as `line:col: key: message`.
fn problems(sweep: &str) -> Vec<String> {
    let err = plan(sweep).expect_err("the spec is invalid");
    err.problems()
        .iter()
        .map(|p| {
            let at = p.position.map_or("-".to_string(), |at| at.to_string());
            format!("{at}: {}: {}", p.key.clone().unwrap_or_default(), p.message)
        })
        .collect()
}

/// The 1-based line of `[sweep]`'s first line after BASE.
fn line(k: usize) -> usize {
    BASE.lines().count() + k
}

#[test]
fn shards_parse_and_partition_the_runs() {
    assert_eq!("2/8".parse::<Shard>(), Ok(Shard { k: 2, n: 8 }));
    for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
        assert!(bad.parse::<Shard>().is_err(), "{bad} is rejected");
    }
    let shards: Vec<Shard> = (1..=3).map(|k| Shard { k, n: 3 }).collect();
    for r in 0..100 {
        assert_eq!(shards.iter().filter(|s| s.contains(r)).count(), 1, "run {r} is in exactly one shard");
    }
}

#[test]
fn seeds_are_fixed_distinct_and_fit_in_toml() {
    // Part of the reproducibility contract: changing the mix changes every sweep's runs.
    assert_eq!(run_seed(11, 0, 0), 2_282_980_127_641_342_095);
    let mut seen = std::collections::BTreeSet::new();
    for point in 0..50 {
        for rep in 0..20 {
            let s = run_seed(42, point, rep);
            assert!(s <= i64::MAX as u64);
            assert!(seen.insert(s), "seeds differ");
        }
    }
}

#[test]
fn the_grid_expands_first_key_slowest_with_file_order() {
    let p = plan("[sweep]\nreplicates = 2\n[sweep.grid]\n\"agents.retail.count\" = [10, 20, 30]\nagents.mm.passive_mm.spread_bps = [40, 80]\n")
        .unwrap();
    assert_eq!(p.params, ["agents.retail.count", "agents.mm.passive_mm.spread_bps"]);
    let values: Vec<String> = p.points.iter().map(|pt| format!("{}/{}", pt.values[0], pt.values[1])).collect();
    assert_eq!(values, ["10/40", "10/80", "20/40", "20/80", "30/40", "30/80"]);
    assert_eq!(p.runs_total(), 12);
    assert_eq!(p.runs(Shard { k: 2, n: 5 }), [(0, 1), (3, 0), (5, 1)]);
    let s = p.scenario(3, 1).unwrap();
    assert_eq!((s.groups[1].count, s.seed), (20, p.seed(3, 1)));
    assert_ne!(p.points[0].id, p.points[1].id);
    // Same values, same id, whatever else the file says.
    let again = plan(
        "[sweep]\nseed = 1\n[sweep.grid]\n\"agents.retail.count\" = [10]\nagents.mm.passive_mm.spread_bps = [40]\n",
    );
    assert_eq!(again.unwrap().points[0].id, p.points[0].id);
}

#[test]
fn an_empty_sweep_table_is_one_point_with_the_default_metrics() {
    let p = plan("[sweep]\n").unwrap();
    assert_eq!((p.points.len(), p.spec.replicates, p.spec.seed), (1, 1, 9));
    let cols: Vec<&str> = p.spec.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        [
            "close",
            "max_drawdown",
            "mm_pnl",
            "project_outcome",
            "retail_pnl",
            "wash_share",
            "kpi_pass_rate",
            "conservation_ok"
        ]
    );
    assert_eq!(p.spec.chart_metric, "close");
}

#[test]
fn random_points_stay_in_range_and_repeat_with_their_seed() {
    let sweep =
        "[sweep.random]\nn = 40\nseed = 3\n[sweep.random.ranges]\n\"agents.retail.count\" = { low = 5, high = 8 }\n\
                 \"agents.mm.passive_mm.spread_bps\" = { low = 10.0, high = 1000.0, scale = \"log\" }\n";
    let (a, b) = (plan(sweep).unwrap(), plan(sweep).unwrap());
    assert_eq!(a.points, b.points);
    let counts: Vec<i64> = a.points.iter().map(|p| p.values[0].as_integer().unwrap()).collect();
    assert!(counts.iter().all(|c| (5..=8).contains(c)));
    assert!((5..=8).all(|c| counts.contains(&c)), "both ends are drawn: {counts:?}");
    let spreads: Vec<f64> = a.points.iter().map(|p| p.values[1].as_float().unwrap()).collect();
    assert!(spreads.iter().all(|s| (10.0..=1000.0).contains(s)));
    assert!(spreads.iter().filter(|s| **s < 100.0).count() >= 10, "log-uniform: half below the geometric middle");
    let other = plan(&sweep.replace("seed = 3", "seed = 4")).unwrap();
    assert_ne!(other.points, a.points);
}

#[test]
fn spec_problems_name_the_key_and_place() {
    let got = problems(
        "[sweep]\nreplicates = 0\ncolour = 1\nmetrics = [\"close\", \"sharpe\"]\n[sweep.grid]\n\"agents.retail.count\" = []\nmarket.seed = [1]\n",
    );
    assert_eq!(
        got,
        [
            format!("{}:14: sweep.replicates: expected an integer in 1..=10000, got 0", line(2)),
            format!("{}:1: sweep.colour: unknown key; the [sweep] keys are: seed, replicates, grid, random, metrics, heatmap_metric, best", line(3)),
            format!("{}:21: sweep.metrics: unknown metric \"sharpe\"; the metrics are: close, high, low, max_drawdown, mm_pnl, retail_pnl, project_pnl, project_outcome, mm_contract_pnl, wash_share, volume, trades, kpi_pass_rate, conservation_ok, events, and pnl.<party>", line(4)),
            format!("{}:25: sweep.grid.agents.retail.count: empty list: give at least one value", line(6)),
            format!("{}:16: sweep.grid.market.seed: each run's seed is derived from the sweep's seed; use [sweep] seed and replicates", line(7)),
        ]
    );
}

#[test]
fn values_are_checked_against_the_scenario_before_any_run() {
    let got = problems("[sweep.grid]\n\"agents.retail.count\" = [5, \"five\", -1]\nagents.ghost.count = [1, 2]\n");
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].starts_with(&format!("{}:29: sweep.grid.agents.retail.count: value \"five\": ", line(2))),
        "{got:#?}"
    );
    assert!(got[1].starts_with(&format!("{}:37: sweep.grid.agents.retail.count: value -1: ", line(2))), "{got:#?}");
    assert!(
        got[2].starts_with(&format!("{}:23: sweep.grid.agents.ghost.count: value 1: no group named `ghost`", line(3)))
    );
}

#[test]
fn combinations_are_checked_as_whole_points() {
    // Each value alone is valid; a −5 bps maker rebate with a 0 bps taker fee is not.
    let p = plan("[sweep.grid]\nmarket.maker_fee_bps = [0, -5]\nmarket.taker_fee_bps = [10, 0]\n").unwrap();
    let err = p.check_points().expect_err("one point is invalid");
    assert_eq!(err.problems().len(), 1, "{err}");
    let text = err.to_string();
    assert!(text.contains("sweep.grid.market.maker_fee_bps: value -5: "), "{text}");
    assert!(text.contains("(at the point with market.taker_fee_bps=0)"), "{text}");
}

#[test]
fn overrides_of_the_sweep_table_are_refused() {
    let ov = Override { key: "sweep.replicates".into(), value: "3".into() };
    let err = Plan::load_str(BASE, "t.toml", &[ov]).expect_err("refused");
    assert!(err.to_string().contains("edit the [sweep] table"), "{err}");
}

#[test]
fn point_statistics_come_from_the_rows() {
    let p = plan("[sweep]\nreplicates = 3\nmetrics = [\"close\"]\n[sweep.grid]\n\"agents.retail.count\" = [10, 20]\n")
        .unwrap();
    let m = Manifest::of(&p, None, 6);
    let row = |point: usize, rep: u32, close: &str| RunRow {
        point,
        replicate: rep,
        fields: vec![
            point.to_string(),
            p.points[point].id.clone(),
            rep.to_string(),
            "1".into(),
            "x".into(),
            close.into(),
        ],
    };
    let rows = [row(0, 0, "1"), row(0, 1, "2"), row(0, 2, "4"), row(1, 0, ""), row(1, 1, "3"), row(1, 2, "")];
    let stats = point_stats(&m, &rows);
    assert_eq!(stats.len(), 2);
    let s = stats[0].stats[0];
    assert_eq!((s.mean, s.p50), (Some(2.333_333_333), Some(2.0)), "10 significant digits");
    assert!((s.std.unwrap() - 1.527_525_232).abs() < 1e-9);
    assert!((s.p5.unwrap() - 1.1).abs() < 1e-12 && (s.p95.unwrap() - 3.8).abs() < 1e-12);
    // mean ± t(0.975, 2) · s / √3 = 2.333333 ± 4.302653 × 1.527525 / 1.732051 = 2.333333 ± 3.794583
    assert_eq!(s.n, 3);
    assert!((s.ci95_low.unwrap() - -1.461_249_939).abs() < 1e-8, "{s:?}");
    assert!((s.ci95_high.unwrap() - 6.127_916_605).abs() < 1e-8, "{s:?}");
    let t = stats[1].stats[0];
    assert_eq!(
        (stats[1].runs, t.n, t.mean, t.std, t.ci95_low),
        (3, 1, Some(3.0), None, None),
        "empty figures are skipped; one figure has no std"
    );
}

#[test]
fn a_partial_file_keeps_only_whole_matching_rows() {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = ["point", "point_id", "replicate", "seed", "x"].map(String::from).to_vec();
    let text = "# tag\npoint,point_id,replicate,seed,x\n0,a,0,1,5\n0,a,1,2,6\n1,b,0,3,7\n1,b,1,4";
    std::fs::write(dir.path().join(super::resume::PARTIAL), text).unwrap();
    let valid = |r: &RunRow| r.fields[1] != "z";
    let (cp, rows) = super::resume::Checkpoint::open(dir.path(), "# tag", &header, valid).unwrap();
    assert_eq!(rows.iter().map(|r| (r.point, r.replicate)).collect::<Vec<_>>(), [(0, 0), (0, 1), (1, 0)]);
    cp.append(&RunRow { point: 1, replicate: 1, fields: ["1", "b", "1", "4", "8"].map(String::from).to_vec() })
        .unwrap();
    drop(cp);
    let (_, rows) = super::resume::Checkpoint::open(dir.path(), "# tag", &header, valid).unwrap();
    assert_eq!(rows.len(), 4);
    let (cp, rows) = super::resume::Checkpoint::open(dir.path(), "# other", &header, valid).unwrap();
    assert!(rows.is_empty(), "another sweep's file is started afresh");
    cp.remove().unwrap();
    assert!(!dir.path().join(super::resume::PARTIAL).exists());
}

#[test]
fn figures_print_short_and_exact() {
    use super::metrics::fmt_figure;
    assert_eq!(fmt_figure(Some(0.1)), "0.1");
    assert_eq!(fmt_figure(Some(-0.0)), "0");
    assert_eq!(fmt_figure(Some(1234.5678)), "1234.5678");
    assert_eq!(fmt_figure(None), "");
    assert_eq!(fmt_figure(Some(f64::NAN)), "");
    assert_eq!(Value::Integer(3).to_string(), "3");
}

#[test]
fn a_file_without_a_sweep_table_is_an_error() {
    let text = problems("").join("\n");
    assert!(text.contains("sweep: no [sweep] table"), "{text}");
    assert!(text.contains("mmsim run"), "says what to do instead: {text}");
}

#[test]
fn a_set_on_a_swept_key_is_an_error_at_the_axis() {
    let sweep = "[sweep.grid]\n\"agents.retail.count\" = [10, 20]\n";
    let ov = Override { key: "agents.retail.count".into(), value: "30".into() };
    let err = Plan::load_str(&format!("{BASE}{sweep}"), "t.toml", &[ov]).expect_err("a conflict");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "t.toml:{}:26: sweep.grid.agents.retail.count: also set by --set agents.retail.count=30",
            line(2)
        )),
        "{text}"
    );
    assert_eq!(err.problems().len(), 1, "{text}");
    // A random range too.
    let sweep = "[sweep.random]\nn = 2\n[sweep.random.ranges]\n\"agents.retail.count\" = { low = 5, high = 8 }\n";
    let ov = Override { key: "agents . retail.count".into(), value: "30".into() };
    let err = Plan::load_str(&format!("{BASE}{sweep}"), "t.toml", &[ov]).expect_err("a conflict");
    assert!(err.to_string().contains("sweep.random.ranges.agents.retail.count: also set by --set"), "{err}");
}

#[test]
fn a_bad_range_is_one_problem_without_a_false_no_ranges() {
    let found =
        problems("[sweep.random]\nn = 3\n[sweep.random.ranges]\n\"agents.retail.count\" = { low = 9, high = 2 }\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("low (9) is above high (2)"), "{found:?}");
}

/// The base with the MM's parameter tables for two kinds.
const TWO_KINDS: &str = "[agents.lend_and_dump]\n";

#[test]
fn a_kind_is_a_sweep_axis_when_the_group_has_its_table() {
    // BASE's mm has no [agents.passive_mm] table: the axis names it, so it is required.
    let sweep = "[sweep.grid]\n\"agents.mm.kind\" = [\"passive_mm\", \"lend_and_dump\"]\n";
    let found = problems(sweep);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("value \"passive_mm\": group `mm` has no [agents.passive_mm] table"), "{found:?}");
    assert!(found[0].starts_with(&format!("{}:21: sweep.grid.agents.mm.kind", line(2))), "{found:?}");
    // With both tables, each point runs its own kind.
    let src = BASE.replace(
        "trades_for = \"project\"\n",
        &format!("trades_for = \"project\"\n[agents.passive_mm]\nspread_bps = 50\n{TWO_KINDS}"),
    );
    let p = Plan::load_str(&format!("{src}{sweep}"), "t.toml", &[]).unwrap();
    p.check_points().unwrap();
    let kinds: Vec<String> = (0..2).map(|i| p.scenario(i, 0).unwrap().groups[0].behaviour.kind().to_string()).collect();
    assert_eq!(kinds, ["passive_mm", "lend_and_dump"]);
    assert_eq!(p.point_dir_name(1), "agents.mm.kind=lend_and_dump");
}

#[test]
fn mm_pnl_is_one_column_named_like_the_metric() {
    let p = plan("[sweep]\nmetrics = [\"mm_pnl\", \"pnl.retail\"]\nheatmap_metric = \"mm_pnl\"\n").unwrap();
    let cols: Vec<&str> = p.spec.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!((cols, p.spec.chart_metric.as_str()), (vec!["mm_pnl", "pnl.retail"], "mm_pnl"));
}

#[test]
fn report_directories_are_named_by_the_parameters() {
    let p = plan("[sweep.grid]\n\"agents.retail.count\" = [10]\nmarket.duration = [\"90m\"]\n").unwrap();
    assert_eq!(p.point_dir_name(0), "agents.retail.count=10,market.duration=90m");
}

#[test]
fn random_parameters_get_a_scatter_chart_each() {
    let sweep = "[sweep]\nmetrics = [\"close\"]\n[sweep.grid]\n\"agents.retail.count\" = [10, 20]\n\
                 [sweep.random]\nn = 3\n[sweep.random.ranges]\n\"agents.mm.passive_mm.spread_bps\" = { low = 10, high = 90 }\n";
    let p = plan(sweep).unwrap();
    let m = Manifest::of(&p, None, 6);
    assert_eq!(super::charts::no_chart_reason(&m), None);
    let rows: Vec<RunRow> = (0..6)
        .map(|i| {
            let mut fields = vec![i.to_string(), p.points[i].id.clone(), "0".into(), "1".into()];
            fields.extend(p.points[i].values.iter().map(super::plan::value_display));
            fields.push(format!("{}", 0.05 + i as f64 * 0.001));
            RunRow { point: i, replicate: 0, fields }
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = crate::report::OutputDir::create(tmp.path()).unwrap();
    let files = super::charts::render(&mut dir, &m, &point_stats(&m, &rows)).unwrap();
    assert_eq!(
        files,
        ["scatter_close_agents.mm.passive_mm.spread_bps.png", "scatter_close_agents.mm.passive_mm.spread_bps.svg"]
    );
    let three =
        plan("[sweep.grid]\nagents.retail.count = [10]\nmarket.maker_fee_bps = [0]\nmarket.taker_fee_bps = [10]\n");
    let reason = super::charts::no_chart_reason(&Manifest::of(&three.unwrap(), None, 1)).unwrap();
    assert!(reason.contains("no chart for 3 grid parameters"), "{reason}");
}

#[test]
fn the_t_quantile_matches_the_table_beyond_it() {
    use super::output::t975;
    assert!((t975(1) - 12.706_205).abs() < 1e-6);
    assert!((t975(40) - 2.021_075).abs() < 1e-5, "{}", t975(40));
    assert!((t975(120) - 1.979_930).abs() < 1e-5, "{}", t975(120));
    assert!((t975(100_000) - 1.959_99).abs() < 1e-4);
}
