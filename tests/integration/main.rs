//! Integration tests, one binary (faster to build than one per file).

mod avellaneda;
mod book_props;
mod cases_loans;
mod cases_manipulation;
mod cli_detect;
mod cli_match;
mod contracts;
mod golden;
mod library;
mod manipulators;
mod realism;
mod run_output;
mod shipped_scenarios;
mod surveil_labels;
mod sweep;
