//! CLI tests of `mmsim match`.
