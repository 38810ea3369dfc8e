#!/usr/bin/env bash
# The Python package's tests (python/tests): a virtual environment in target/pyenv, the build and
# test tools from PyPI when missing (python/requirements-test.txt), the package built into it with
# maturin (the dev profile, sharing target/ with cargo test), then pytest.
# Needs python3 (3.9 or newer) with its venv module; fails, saying so, without them.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: $PYTHON not found: the Python package's tests need Python 3.9+ with venv" >&2
    echo "       (Debian/Ubuntu: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3." >&2
    echo "       The Rust tests alone: cargo test --locked" >&2
    exit 1
fi
VENV=target/pyenv
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" || {
        echo "error: '$PYTHON -m venv' failed: install the venv module (Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    }
fi
PY="$VENV/bin/python"
# pip contacts the index only for what is missing.
"$PY" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
# The command line the byte-identity tests compare against (already built by cargo test).
cargo build --locked --bin mmsim
export MMSIM_BIN="$PWD/target/debug/mmsim"
# Build into the venv. CARGO_TARGET_DIR=target shares the dependencies cargo test compiled;
# --locked keeps python/Cargo.lock as committed.
CARGO_TARGET_DIR="$PWD/target" VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" \
    "$VENV/bin/maturin" develop --quiet --locked --manifest-path python/Cargo.toml
"$PY" -m pytest python/tests -q "$@"
