//! Integration tests, one binary (faster to build than one per file).

mod avellaneda;
mod backtest;
mod book_props;
mod calibrate;
mod cases_loans;
mod cases_manipulation;
mod cli_charts;
mod cli_detect;
mod cli_match;
mod cli_stress;
mod contracts;
mod fixtures;
mod golden;
mod hardening;
mod kills;
mod library;
mod manipulators;
mod parquet;
mod provenance;
mod realism;
mod replay_browser;
mod run_output;
mod shipped_scenarios;
mod surveil_labels;
mod sweep;
mod teach_charts;
