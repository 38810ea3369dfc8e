#!/usr/bin/env bash
# Every test of the project: Rust unit, integration and doc tests, and the replay page in a
# headless Chromium (installed from the system's packages when missing and possible; the browser
# test fails saying so otherwise). Needs only Rust beyond that.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-chromium.sh || true
cargo test --locked "$@"
