#!/usr/bin/env bash
# The Python package's tests (python/tests): a virtual environment in target/pyenv, the test tools
# from PyPI when missing (python/requirements-test.txt), the package installed into it with the
# README's own command, `pip install ./python` (maturin builds it through pip), the README's
# one-line check, then pytest.
# The install builds in the dev profile and shares target/ with cargo test
# (MATURIN_PEP517_ARGS, CARGO_TARGET_DIR), so CI does not compile every dependency again in release;
# --locked keeps python/Cargo.lock as committed.
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
started=$SECONDS
# pip contacts the index only for what is missing.
"$PY" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
# The command line the byte-identity tests compare against (already built by cargo test).
cargo build --locked --bin mmsim
export MMSIM_BIN="$PWD/target/debug/mmsim"
# `pip install ./python`, rebuilt and reinstalled each time (its dependencies come from
# requirements-test.txt above).
CARGO_TARGET_DIR="$PWD/target" MATURIN_PEP517_ARGS="--profile dev --locked" \
    "$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
# The README's check, from the repository root.
"$PY" -c "import mmsim; r = mmsim.run('scenarios/example_minimal.toml'); print(r.trades.num_rows)"
"$PY" -m pytest python/tests -q "$@"
echo "python package: built, installed and tested in $((SECONDS - started)) s"
