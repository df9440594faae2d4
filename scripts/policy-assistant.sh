#!/usr/bin/env bash
# Build `pa-verdicts` (scripts/policy-assistant/main.go) against policy-assistant, Kubernetes SIG Network's
# policy analyzer (the Go module sigs.k8s.io/network-policy-api/policy-assistant, kept in the folder
# cmd/policy-assistant of the network-policy-api repository), through the Go module proxy, for the
# differential test test/engine/policy-assistant-differential.test.ts. netfence never runs it.
#
# Output: ${NETFENCE_PA_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/policy-assistant}/<version>/bin/pa-verdicts;
#         the path of the binary is printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the binary is there (its .complete stamp exists, built from this main.go) it returns at
# once. Nothing is written into the repository: a throw-away module in the cache folder holds a copy of
# main.go. The module's folder has no version tags of its own and its go.mod names it
# sigs.k8s.io/network-policy-api/policy-assistant, a path the proxy cannot serve (that folder does not
# exist), so the throw-away module requires that path and replaces it with the folder's own path at a
# commit's pseudo-version (go.mod may then name the module either way); `go build` (with -mod=mod) fetches
# it and its dependencies through the Go module proxy into Go's module cache (checked against the checksum
# database as usual), with the versions its go.mod names.
#
# A proxy that does not serve that folder's pseudo-versions answers 403 ("This module version is not
# available"): then give a copy of the folder at that commit (NETFENCE_PA_SOURCE, e.g. from
# `git -C network-policy-api archive <commit> cmd/policy-assistant | tar -x -C /tmp/pa`): the throw-away module
# replaces the module with that folder, and only its dependencies come through the proxy.
#
# Environment:
#   NETFENCE_PA_CACHE    cache root (default ${NETFENCE_CACHE:-$HOME/.cache/netfence}/policy-assistant)
#   NETFENCE_PA_VERSION  pseudo-version of sigs.k8s.io/network-policy-api/cmd/policy-assistant (default: the
#                        commit of network-policy-api's tag v0.2.0, whose policy-assistant is the newest)
#   NETFENCE_PA_SOURCE   a copy of cmd/policy-assistant at the commit of NETFENCE_PA_VERSION, used instead of
#                        the proxy's (optional)
#   NETFENCE_BUILD_JOBS  go build -p (default 2)
#   GO                   go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=sigs.k8s.io/network-policy-api/policy-assistant
FOLDER_MODULE=sigs.k8s.io/network-policy-api/cmd/policy-assistant
VERSION="${NETFENCE_PA_VERSION:-v0.0.0-20260421165353-a17adecd0316}"
CACHE="${NETFENCE_PA_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/policy-assistant}"
OUT="$CACHE/$VERSION"
BIN="$OUT/bin/pa-verdicts"
DRIVER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/policy-assistant/main.go"
DRIVER_SUM="$(sha256sum "$DRIVER" | cut -d' ' -f1)"

built() { [[ -f "$OUT/.complete" && -x "$BIN" && "$(cat "$OUT/.driver" 2>/dev/null)" == "$DRIVER_SUM" ]]; }
if built; then
  echo "$BIN"
  exit 0
fi

log() { echo "policy-assistant: $*" >&2; }

if [[ ! "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+-[0-9]{14}-[0-9a-f]{12}$ ]]; then
  log "NETFENCE_PA_VERSION must be a pseudo-version, vX.Y.Z-yyyymmddhhmmss-abcdefabcdef (got '$VERSION')"
  exit 2
fi

# shellcheck source=scripts/go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_find
export CGO_ENABLED=0
go_lock "$CACHE"
if built; then
  echo "$BIN"
  exit 0
fi

TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP"
mkdir -p "$TMP/bin" "$TMP/build"
cp "$DRIVER" "$TMP/build/main.go"
if [[ -n "${NETFENCE_PA_SOURCE:-}" ]]; then
  SOURCE="$(cd "$NETFENCE_PA_SOURCE" && pwd)"
  if ! grep -qx "module $MODULE" "$SOURCE/go.mod" 2>/dev/null; then
    log "NETFENCE_PA_SOURCE=$NETFENCE_PA_SOURCE has no go.mod of $MODULE"
    rm -rf "$TMP"
    exit 2
  fi
  REPLACEMENT="$SOURCE"
  FROM="$SOURCE (given as $FOLDER_MODULE@$VERSION)"
else
  REPLACEMENT="$FOLDER_MODULE $VERSION"
  FROM="$FOLDER_MODULE@$VERSION"
fi
printf 'module netfence.local/peer\n\ngo 1.23\n\nrequire %s v0.0.0\n\nreplace %s => %s\n' \
  "$MODULE" "$MODULE" "$REPLACEMENT" >"$TMP/build/go.mod"
log "go build pa-verdicts against $FROM (into $OUT)"
if ! (cd "$TMP/build" && GOFLAGS=-mod=mod nice -n 10 "$GO" build -p "${NETFENCE_BUILD_JOBS:-2}" -trimpath \
  -o "$TMP/bin/pa-verdicts" .) >&2; then
  log "could not build pa-verdicts against $FROM"
  rm -rf "$TMP"
  exit 1
fi
rm -rf "$TMP/build"
# A smoke run: no objects, no probes.
echo '{"objects":[],"endpoints":[],"pairs":[],"protocols":[],"ports":[]}' | "$TMP/bin/pa-verdicts" >/dev/null
echo "$DRIVER_SUM" >"$TMP/.driver"
go_binary_publish "$FROM" "$VERSION" "$TMP" "$OUT" pa-verdicts
