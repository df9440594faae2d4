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

# shellcheck source=scripts/go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_module_fetch "$MODULE" "$VERSION" "$CACHE" "$OUT" NETFENCE_NPAPI_VERSION

# Copy (Go's module cache is read-only) into a temp dir, then rename into place.
TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP" "$OUT"
cp -R "$DIR" "$TMP"
go_module_publish "$MODULE" "$VERSION" "$TMP" "$OUT" "$DIR" "the files"
