//! The `mmsim` command line: parses arguments, calls the library, prints errors.
fn main() {}
