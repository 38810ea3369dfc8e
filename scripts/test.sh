#!/usr/bin/env bash
# Every test of the project: Rust unit, integration and doc tests.
# Needs only Rust; anything more a test needs is installed from here.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked "$@"
