#!/usr/bin/env bash
# Build netpol-analyzer's `netpolicy` command (github.com/np-guard/netpol-analyzer, Go) through the Go module
# proxy, for the benchmark's side-by-side comparison (`npm run bench -- --peer netpol-analyzer`,
# docs/benchmarks.md). Only the benchmark uses it; netfence never runs it.
#
# Output: ${NETFENCE_NPA_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/netpol-analyzer}/<version>/bin/netpolicy;
#         the path of the binary is printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the binary is there (its .complete stamp exists) it returns at once. Nothing is written
# into the repository: a throw-away module in the cache folder requires MODULE@VERSION, and `go build` (with
# -mod=mod) fetches it and its dependencies through the Go module proxy into Go's module cache (checked against
# the checksum database as usual), with the versions its own go.mod names, and builds its cmd/netpolicy.
# (`go install module@version` would do the same but also asks the proxy for the module's version list, which
# a proxy that serves only named versions refuses.)
#
# Environment:
#   NETFENCE_NPA_CACHE    cache root (default ${NETFENCE_CACHE:-$HOME/.cache/netfence}/netpol-analyzer)
#   NETFENCE_NPA_VERSION  module version (default v1.4.4)
#   NETFENCE_BUILD_JOBS   go build -p (default 2)
#   GO                    go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=github.com/np-guard/netpol-analyzer
VERSION="${NETFENCE_NPA_VERSION:-v1.4.4}"
[[ "$VERSION" == v* ]] || VERSION="v$VERSION"
CACHE="${NETFENCE_NPA_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/netpol-analyzer}"
OUT="$CACHE/$VERSION"
BIN="$OUT/bin/netpolicy"

if [[ -f "$OUT/.complete" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

log() { echo "netpol-analyzer: $*" >&2; }

if [[ ! "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "NETFENCE_NPA_VERSION must look like vX.Y.Z (got '$VERSION')"
  exit 2
fi

# shellcheck source=scripts/go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_find
export CGO_ENABLED=0
go_lock "$CACHE"
if [[ -f "$OUT/.complete" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP"
mkdir -p "$TMP/bin" "$TMP/build"
printf 'module netfence.local/peer\n\ngo 1.23\n\nrequire %s %s\n' "$MODULE" "$VERSION" >"$TMP/build/go.mod"
log "go build $MODULE/cmd/netpolicy@$VERSION (into $OUT)"
if ! (cd "$TMP/build" && GOFLAGS=-mod=mod nice -n 10 "$GO" build -p "${NETFENCE_BUILD_JOBS:-2}" -trimpath \
  -o "$TMP/bin/netpolicy" "$MODULE/cmd/netpolicy") >&2; then
  log "could not build $MODULE/cmd/netpolicy@$VERSION"
  rm -rf "$TMP"
  exit 1
fi
rm -rf "$TMP/build"
"$TMP/bin/netpolicy" --help >/dev/null
go_binary_publish "$MODULE" "$VERSION" "$TMP" "$OUT" netpolicy
