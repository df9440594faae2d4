#!/usr/bin/env bash
# Fetch the Go module github.com/cilium/cilium through the Go module proxy and
# keep the parts netfence's Cilium tests and readers need: the CRDs of
# CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
# (pkg/k8s/apis/cilium.io/client/crds/v2/) for test/cluster/cilium-crds.test.ts,
# and the policy API sources (pkg/policy/api/, pkg/k8s/apis/cilium.io/utils/)
# for reading what netfence's Cilium support follows.
#
# Output: ${NETFENCE_CILIUM_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/cilium}/<version>/
#         with those directories at their paths in the module; the directory is
#         printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the copy is there (its .complete stamp exists) it returns at
# once. Nothing is written into the repository: `go mod download` fetches the
# module into Go's module cache (checked against the checksum database as
# usual), and the parts are copied from there.
#
# Environment:
#   NETFENCE_CILIUM_CACHE    cache root (default ${NETFENCE_CACHE:-$HOME/.cache/netfence}/cilium)
#   NETFENCE_CILIUM_VERSION  module version (default v1.20.2)
#   GO                       go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=github.com/cilium/cilium
VERSION="${NETFENCE_CILIUM_VERSION:-v1.20.2}"
[[ "$VERSION" == v* ]] || VERSION="v$VERSION"
CACHE="${NETFENCE_CILIUM_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/cilium}"
OUT="$CACHE/$VERSION"
PARTS=(
  pkg/k8s/apis/cilium.io/client/crds/v2
  pkg/k8s/apis/cilium.io/utils
  pkg/policy/api
  pkg/policy/utils
)

if [[ -f "$OUT/.complete" ]]; then
  echo "$OUT"
  exit 0
fi

log() { echo "cilium-crds: $*" >&2; }

# shellcheck source=scripts/go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_module_fetch "$MODULE" "$VERSION" "$CACHE" "$OUT" NETFENCE_CILIUM_VERSION

TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP" "$OUT"
for part in "${PARTS[@]}"; do
  if [[ ! -d "$DIR/$part" ]]; then
    log "$MODULE@$VERSION has no $part"
    rm -rf "$TMP"
    exit 1
  fi
  mkdir -p "$TMP/$(dirname "$part")"
  cp -R "$DIR/$part" "$TMP/$part"
done
cp "$DIR/go.mod" "$DIR/LICENSE" "$TMP/" 2>/dev/null || cp "$DIR/go.mod" "$TMP/"
go_module_publish "$MODULE" "$VERSION" "$TMP" "$OUT" "$DIR" "the parts"
