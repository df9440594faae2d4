#!/usr/bin/env bash
# System packages the test suite needs beyond Node: Debian's Chromium, which the browser tests of the web UI
# drive through playwright-core (no tool downloads a browser of its own), and openssl, which makes the
# admission webhook's test certificates. Idempotent and quiet: one line each when they are there, the apt
# output only when installing fails.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium fonts-dejavu-core)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
if [ ${#packages[@]} -gt 0 ]; then
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "ci-system-deps: could not install ${packages[*]}" >&2
    exit 1
  fi
  rm -f "$log"
fi
echo "chromium: $(chromium --version 2>/dev/null | tail -n 1)"
echo "openssl: $(openssl version)"
