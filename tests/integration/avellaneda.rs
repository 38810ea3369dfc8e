//! The Avellaneda–Stoikov (2008) reproduction against the paper's Table 2 (γ = 0.1).
//!
//! The paper ran 1,000 simulations; so does this test, from the scenario file (seed 2008), for
//! γ = 0.1 only (the other γ add nothing to the check and triple the time; `full_table` below runs
//! them). Tolerances, as reimplementations land: mean profit within 3 units, standard deviations
//! within 10%.
//!
//! How much room that leaves: with 50,000 paths the model's own figures are inventory 64.27 / 6.06
//! / 2.93 and symmetric 68.64 / 13.84 / 8.84 (paper: 62.94 / 5.89 / 2.80 and 67.21 / 13.43 /
//! 8.66), i.e. within 1.5 units and 5%. With 1,000 paths the sampling error adds about 2–3% to a
//! standard deviation (more for the heavy-tailed symmetric profit): over 400 seeds, 386 pass every
//! check; the 14 that do not miss on the symmetric profit std (11) or the inventory q std (3).

use std::path::Path;

use mmsim::experiments::avellaneda_stoikov::{self, AsRow, Strategy, PAPER_TABLE_2};
use mmsim::experiments::{is_experiment, run_file};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/avellaneda_stoikov_2008.toml");

fn row(rows: &[AsRow], strategy: Strategy) -> AsRow {
    *rows.iter().find(|r| r.strategy == strategy && (r.gamma - 0.1).abs() < 1e-12).expect("a γ = 0.1 row")
}

#[test]
fn gamma_0_1_matches_table_2_of_the_paper() {
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    assert!(is_experiment(&text));
    let mut config = avellaneda_stoikov::parse(&text).unwrap();
    assert_eq!(config.simulations, 1_000);
    config.gammas = vec![0.1];
    let dir = tempfile::tempdir().unwrap();
    let rows = avellaneda_stoikov::run(&config, dir.path()).unwrap();
    for (strategy, profit_mean, profit_std, q_std) in PAPER_TABLE_2 {
        let r = row(&rows, strategy);
        let msg = format!("{r:?} vs paper ({profit_mean}, {profit_std}, {q_std})");
        assert!((r.profit_mean - profit_mean).abs() <= 3.0, "{msg}");
        assert!((r.profit_std / profit_std - 1.0).abs() <= 0.10, "{msg}");
        assert!((r.q_std / q_std - 1.0).abs() <= 0.10, "{msg}");
        assert!((r.spread - 1.29).abs() < 0.005, "{msg}");
    }
    // The paper's point: the inventory strategy gives up a little profit for far less risk.
    let (inv, sym) = (row(&rows, Strategy::Inventory), row(&rows, Strategy::Symmetric));
    assert!(inv.profit_mean < sym.profit_mean && inv.profit_std < 0.6 * sym.profit_std);
    assert!(inv.q_std < 0.5 * sym.q_std);
    let csv = std::fs::read_to_string(dir.path().join("as_table.csv")).unwrap();
    assert!(csv.starts_with("gamma,strategy,spread,profit_mean,profit_std,q_mean,q_std\n0.1,inventory,"));
}

#[test]
fn the_file_runs_through_the_experiment_entry_point() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.toml");
    let text = std::fs::read_to_string(SCENARIO).unwrap().replace("simulations = 1000", "simulations = 50");
    std::fs::write(&small, text).unwrap();
    let printed = run_file(&small, &dir.path().join("out")).unwrap();
    assert!(printed.contains("50 simulations"), "{printed}");
    let csv = std::fs::read_to_string(dir.path().join("out/as_table.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "header + 3 γ × 2 strategies");
    assert!(run_file(Path::new("no/such/file.toml"), dir.path()).is_err());
}

/// The whole table (γ = 0.01, 0.1, 0.5 × 1,000 paths), as `mmsim run` prints it. Slow in debug:
/// `cargo test --release --test integration -- --ignored --nocapture full_table`.
#[test]
#[ignore = "the full table; run in release"]
fn full_table() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let printed = run_file(Path::new(SCENARIO), dir.path()).unwrap();
    println!("{printed}({:.2} s)", started.elapsed().as_secs_f64());
    let config = avellaneda_stoikov::parse(&std::fs::read_to_string(SCENARIO).unwrap()).unwrap();
    let rows = avellaneda_stoikov::simulate(&config).unwrap();
    let inv_05 = rows.iter().find(|r| r.gamma == 0.5 && r.strategy == Strategy::Inventory).unwrap();
    assert!((inv_05.q_std - 1.9).abs() < 0.2, "{inv_05:?}");
}
