#!/usr/bin/env bash
# System packages the test suite needs beyond Node: Debian's Chromium, which the browser tests of the web UI
# drive through playwright-core (no tool downloads a browser of its own). Idempotent and quiet: one line when
# Chromium is there, the apt output only when installing it fails.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "ci-system-deps: could not install chromium" >&2
    exit 1
  fi
  rm -f "$log"
fi
echo "chromium: $(chromium --version 2>/dev/null | tail -n 1)"
