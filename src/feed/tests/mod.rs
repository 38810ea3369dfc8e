//! Tests of the feed module.
