#!/usr/bin/env bash
# Fetch the Go module sigs.k8s.io/network-policy-api (the ClusterNetworkPolicy /
# AdminNetworkPolicy API: Go types with their doc comments, CRD manifests) for
# netfence's tier tests (test/support/crds.ts, test/cluster/tiers-crds.test.ts)
# and for reading while building issue #15.
#
# Output: ${NETFENCE_NPAPI_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/network-policy-api}/<version>/
#         a writable copy of the module's files (apis/, config/crd/, ...); the
#         directory is printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the copy is there (its .complete stamp exists) it returns at
# once. Nothing is written into the repository: `go mod download` fetches the
# module through the Go module proxy into Go's module cache (checked against
# go.sum's database as usual), and the module tree is copied from there.
#
# Environment:
#   NETFENCE_NPAPI_CACHE    cache root (default ${NETFENCE_CACHE:-$HOME/.cache/netfence}/network-policy-api)
#   NETFENCE_NPAPI_VERSION  module version (default v0.3.0; v0.1.1 is the last one shipping the
#                           v1alpha1 AdminNetworkPolicy/BaselineAdminNetworkPolicy CRDs)
#   GO                      go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=sigs.k8s.io/network-policy-api
VERSION="${NETFENCE_NPAPI_VERSION:-v0.3.0}"
[[ "$VERSION" == v* ]] || VERSION="v$VERSION"
CACHE="${NETFENCE_NPAPI_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/network-policy-api}"
OUT="$CACHE/$VERSION"

# Fast path: nothing to do.
if [[ -f "$OUT/.complete" ]]; then
  echo "$OUT"
  exit 0
fi

log() { echo "network-policy-api: $*" >&2; }

if [[ ! "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "NETFENCE_NPAPI_VERSION must look like vX.Y.Z (got '$VERSION')"
  exit 2
fi

GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
  else log "no Go toolchain found (set GO=/path/to/go)"; exit 1
  fi
fi

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="-mod=mod"
export GO111MODULE=on

mkdir -p "$CACHE"
# Serialise concurrent runs (e.g. two test runs starting at once).
exec 9>"$CACHE/.lock"
flock 9
if [[ -f "$OUT/.complete" ]]; then
  echo "$OUT"
  exit 0
fi

log "go mod download $MODULE@$VERSION"
# Run outside any module (the cache dir) so no go.mod of ours is read or written.
JSON="$(cd "$CACHE" && "$GO" mod download -json "$MODULE@$VERSION")" || {
  log "could not download $MODULE@$VERSION"
  [[ -n "${JSON:-}" ]] && echo "$JSON" >&2
  exit 1
}
DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$JSON")"
SUM="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$JSON")"
if [[ -z "$DIR" || ! -d "$DIR" ]]; then
  log "go mod download gave no module directory for $MODULE@$VERSION:"
  echo "$JSON" >&2
  exit 1
fi

# Copy (Go's module cache is read-only) into a temp dir, then rename into place.
TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP" "$OUT"
cp -R "$DIR" "$TMP"
chmod -R u+w "$TMP"
{
  echo "module $MODULE"
  echo "version $VERSION"
  echo "sum $SUM"
  echo "from $DIR"
} >"$TMP/.complete"
mv "$TMP" "$OUT"
log "copied $MODULE@$VERSION ($SUM) to $OUT"
echo "$OUT"
