//! Integration tests, one binary (faster to build than one per file).

mod avellaneda;
mod book_props;
mod cli_match;
mod run_output;
