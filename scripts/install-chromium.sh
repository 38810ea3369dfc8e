#!/usr/bin/env bash
# Installs Chromium from the system's packages when it is missing: the replay page's browser test
# (tests/integration/replay_browser.rs) needs it. Exits 0 when a Chromium is there afterwards.
set -euo pipefail
have() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || [ -n "${MMSIM_CHROMIUM:-}" ]; }
have && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (apt-get) for the replay browser test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
fi
have || { echo "Chromium is missing and could not be installed (needs root and apt-get): install the chromium package or set MMSIM_CHROMIUM" >&2; exit 1; }
