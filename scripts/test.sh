#!/usr/bin/env bash
# Every test of the project: Rust unit, integration and doc tests, the replay page in a headless
# Chromium (installed from the system's packages when missing and possible; the browser test fails
# saying so otherwise), then the Python package's tests (scripts/test-python.sh: a venv in
# target/pyenv, tools from PyPI, maturin, pytest).
# Needs Rust and python3 (with venv); anything more a test needs is installed from here.
# Arguments go to cargo test (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-chromium.sh || true
cargo test --locked "$@"
scripts/test-python.sh
