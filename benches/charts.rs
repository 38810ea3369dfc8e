//! Chart rendering bench (placeholder while the charts module is written).

fn main() {}
