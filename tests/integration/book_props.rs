//! Property tests of the order book against a naive reference model.
