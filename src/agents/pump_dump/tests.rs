//! Tests of `pump_dump`.
