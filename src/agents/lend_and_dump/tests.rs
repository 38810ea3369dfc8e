//! Tests of `lend_and_dump`.
