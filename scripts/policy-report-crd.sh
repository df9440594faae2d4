#!/usr/bin/env bash
# Fetch the PolicyReport and ClusterPolicyReport CRDs (wgpolicyk8s.io/v1alpha2) from the Go module
# sigs.k8s.io/wg-policy-prototypes, for the controller's cluster tests (test/cluster/controller*.test.ts).
#
# Output: ${NETFENCE_POLICY_REPORT_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/policy-report}/<version>/
#         the CRD manifests of policy-report/crd/v1alpha2/ (and a .complete stamp); the directory is
#         printed as the last line of stdout. Logs go to stderr.
#
# Idempotent: when the copy is there it returns at once. Nothing is written into the repository: `go mod
# download` fetches the module through the Go module proxy into Go's module cache (checked against the
# checksum database as usual), and the CRD files are copied from there.
#
# The module has no tagged release: the default is a pseudo-version (a commit of 2021-09-11) that the proxy
# serves, whose v1alpha2 CRDs have the shape Kyverno and Trivy write (results[].policy/rule/result/severity/
# resources, summary counts).
#
# Environment:
#   NETFENCE_POLICY_REPORT_CACHE    cache root
#   NETFENCE_POLICY_REPORT_VERSION  module version (default below)
#   GO                              go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

MODULE=sigs.k8s.io/wg-policy-prototypes
VERSION="${NETFENCE_POLICY_REPORT_VERSION:-v0.0.0-20210911211205-fb8f67bb6d38}"
CACHE="${NETFENCE_POLICY_REPORT_CACHE:-${NETFENCE_CACHE:-$HOME/.cache/netfence}/policy-report}"
OUT="$CACHE/$VERSION"

if [[ -f "$OUT/.complete" ]]; then
  echo "$OUT"
  exit 0
fi

log() { echo "policy-report-crd: $*" >&2; }

source "$(dirname "${BASH_SOURCE[0]}")/go-module.sh"
go_module_fetch "$MODULE" "$VERSION" "$CACHE" "$OUT" NETFENCE_POLICY_REPORT_VERSION

CRDS="$DIR/policy-report/crd/v1alpha2"
if [[ -z "$DIR" || ! -f "$CRDS/wgpolicyk8s.io_policyreports.yaml" ]]; then
  log "$MODULE@$VERSION has no $CRDS/wgpolicyk8s.io_policyreports.yaml"
  exit 1
fi

TMP="$CACHE/.tmp-$VERSION-$$"
rm -rf "$TMP" "$OUT"
mkdir -p "$TMP"
cp "$CRDS"/*.yaml "$TMP/"
go_module_publish "$MODULE" "$VERSION" "$TMP" "$OUT" "$CRDS" "the CRDs"
