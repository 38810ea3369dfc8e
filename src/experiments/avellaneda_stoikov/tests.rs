//! Tests of the experiment's configuration, output and determinism (the paper's figures are checked
//! by the integration test `avellaneda`).

use super::*;

const FILE: &str = include_str!("../../../scenarios/avellaneda_stoikov_2008.toml");

#[test]
fn the_scenario_file_holds_the_papers_parameters() {
    let config = parse(FILE).unwrap();
    assert_eq!(config, AsExperimentConfig { seed: config.seed, ..AsExperimentConfig::default() });
    assert_eq!(config.steps(), 200);
}

#[test]
fn bad_parameters_are_named() {
    let err = |text: &str| format!("{:#}", parse(text).unwrap_err());
    assert!(err("[experiment]\nkind = \"avellaneda_stoikov\"\ngama = 0.1\n").contains("gama"));
    assert!(err("[experiment]\nkind = \"other\"\n").contains("avellaneda_stoikov"));
    assert!(err("[experiment]\ndt = 0.003\n").contains("whole number of steps"));
    assert!(err("[experiment]\ngammas = [0.1, -1]\n").contains("gammas"));
    assert!(err("[experiment]\nsimulations = 1\n").contains("simulations"));
    assert!(err("[experiment]\ntick_size = \"0\"\n").contains("tick_size"));
}

#[test]
fn runs_are_reproducible_and_the_table_is_written() {
    let config = AsExperimentConfig { simulations: 40, gammas: vec![0.1, 0.5], ..AsExperimentConfig::default() };
    let dir = tempfile::tempdir().unwrap();
    let rows = run(&config, dir.path()).unwrap();
    assert_eq!(rows, simulate(&config).unwrap());
    let strategies: Vec<_> = rows.iter().map(|r| (r.gamma, r.strategy.as_str())).collect();
    assert_eq!(strategies, [(0.1, "inventory"), (0.1, "symmetric"), (0.5, "inventory"), (0.5, "symmetric")]);
    // Both strategies quote the same width: the tables' (2/γ)·ln(1 + γ/k).
    assert!((rows[0].spread - 1.2908).abs() < 1e-3 && (rows[1].spread - rows[0].spread).abs() < 1e-9);
    let csv = std::fs::read_to_string(dir.path().join("as_table.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("gamma,strategy,spread,profit_mean,profit_std,q_mean,q_std"));
    assert!(lines.next().unwrap().starts_with("0.1,inventory,1.2908,"));
    assert_eq!(csv.lines().count(), 5);
    assert!(!dir.path().join("as_table.csv.tmp").exists());
    let printed = format_table(&config, &rows);
    assert!(printed.contains("62.94") && printed.contains("symmetric"), "{printed}");
}

#[test]
fn the_full_width_adds_the_horizon_term() {
    let config = AsExperimentConfig {
        simulations: 4,
        gammas: vec![0.5],
        spread_with_horizon: true,
        ..AsExperimentConfig::default()
    };
    let rows = simulate(&config).unwrap();
    // Mean over the steps of γσ²(T − t) is γσ²(T + dt)/2 on the grid t = 0, dt, ..., T − dt.
    let expected = 0.5 * 4.0 * (1.0 + 0.005) / 2.0 + 4.0 * (1.0f64 + 0.5 / 1.5).ln();
    assert!((rows[0].spread - expected).abs() < 1e-3, "{} vs {expected}", rows[0].spread);
}
