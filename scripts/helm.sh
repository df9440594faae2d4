#!/usr/bin/env bash
# Build the `helm` command from its Go module (helm.sh/helm/v4) through the Go module proxy, for the chart
# tests (test/cluster/webhook-helm.test.ts: `helm lint`, `helm template`, the rendered objects sent to a
# real kube-apiserver).
#
# Output: ${NETFENCE_HELM_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/helm}/<version>/bin/helm; the
#         path of the binary is printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the binary is there (its .complete stamp exists) it returns at once. Nothing is written
# into the repository: `go install module@version` fetches the module and its dependencies through the Go
# module proxy into Go's module cache (checked against the checksum database as usual) and builds there.
#
# Environment:
#   NETFENCE_HELM_CACHE    cache root (default ${NETFENCE_CACHE:-$HOME/.cache/netfence}/helm)
#   NETFENCE_HELM_VERSION  module version (default v4.3.2)
#   NETFENCE_BUILD_JOBS    go build -p (default 2)
#   GO                     go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=helm.sh/helm/v4
VERSION="${NETFENCE_HELM_VERSION:-v4.3.2}"
[[ "$VERSION" == v* ]] || VERSION="v$VERSION"
CACHE="${NETFENCE_HELM_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/helm}"
OUT="$CACHE/$VERSION"

if [[ -f "$OUT/.complete" && -x "$OUT/bin/helm" ]]; then
  echo "$OUT/bin/helm"
  exit 0
fi

log() { echo "helm: $*" >&2; }

if [[ ! "$VERSION" =~ ^v4\.[0-9]+\.[0-9]+$ ]]; then
  log "NETFENCE_HELM_VERSION must look like v4.Y.Z (got '$VERSION')"
  exit 2
fi

# shellcheck source=scripts/go-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_find
export CGO_ENABLED=0
go_lock "$CACHE"
if [[ -f "$OUT/.complete" && -x "$OUT/bin/helm" ]]; then
  echo "$OUT/bin/helm"
  exit 0
fi

TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP"
mkdir -p "$TMP/bin"
log "go install $MODULE/cmd/helm@$VERSION (into $OUT)"
# Run outside any module (the cache dir) so no go.mod of ours is read or written.
if ! (cd "$CACHE" && GOBIN="$TMP/bin" nice -n 10 "$GO" install -p "${NETFENCE_BUILD_JOBS:-2}" -trimpath \
  "$MODULE/cmd/helm@$VERSION") >&2; then
  log "could not build $MODULE/cmd/helm@$VERSION"
  rm -rf "$TMP"
  exit 1
fi
"$TMP/bin/helm" version >&2
go_binary_publish "$MODULE" "$VERSION" "$TMP" "$OUT" helm
