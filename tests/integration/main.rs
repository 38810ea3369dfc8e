//! Integration tests, one binary (faster to build than one per file).

mod book_props;
mod cli_match;
